//! Prometheus export: a builder over `metrics-exporter-prometheus` with output that passes
//! `promtool check metrics` (help lines, explicit buckets, `_total` counters), upkeep running,
//! and an optional loopback HTTP listener.

mod endpoints;
mod error;
mod exposition;
#[cfg(feature = "http")]
mod http;
mod openmetrics;
#[cfg(feature = "system")]
mod process;

use std::net::SocketAddr;
#[cfg(feature = "http")]
use std::net::{TcpListener, ToSocketAddrs};
use std::time::Duration;

use metrics::{Key, Label, Recorder};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub use endpoints::{ENDPOINT_PATHS, EndpointResponse};
pub use error::ExportError;
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use http::MAX_CONNECTIONS as MAX_HTTP_CONNECTIONS;

use crate::config::buckets::bucket_problem;
use crate::telemetry::metric_names::{self, BUILD_INFO, VERSION_LABEL};
use crate::telemetry::{METADATA, duration_buckets, recorder_identity};

/// Where the `service` example and the docs serve metrics: loopback only.
pub const DEFAULT_LISTEN_ADDR: &str = "127.0.0.1:9184";

/// How often histogram samples are folded into buckets when nothing scrapes.
const DEFAULT_UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// Starts configuring the Prometheus export; see [`PrometheusExport`].
///
/// ```
/// let exporter = coord::prometheus().install()?;
/// assert!(exporter.render().contains("coord_build_info"));
/// # Ok::<(), coord::export::ExportError>(())
/// ```
#[must_use]
pub fn prometheus() -> PrometheusExport {
    PrometheusExport::default()
}

/// Builder for the process-wide Prometheus recorder that coord's metrics (and any other
/// `metrics` calls in the process) go to.
///
/// Compared with `metrics-exporter-prometheus` defaults, it turns on what a clean scrape needs:
/// `# HELP` lines for coord's metrics, `_total` on counters, real histograms with explicit
/// buckets for every metric whose name ends in `_seconds`, upkeep on a background thread, and no
/// listener unless asked — and then on the address given, never `0.0.0.0` by default.
///
/// ```no_run
/// let exporter = coord::prometheus()
///     .listen(coord::export::DEFAULT_LISTEN_ADDR)
///     .install()?;
/// println!("metrics at http://{}/metrics", exporter.local_addr().unwrap());
/// # Ok::<(), coord::export::ExportError>(())
/// ```
#[derive(Debug, Clone)]
pub struct PrometheusExport {
    #[cfg(feature = "http")]
    listen: Option<String>,
    /// `None`: the configuration's `duration_buckets`, read at install.
    buckets: Option<Vec<f64>>,
    upkeep_interval: Duration,
}

impl Default for PrometheusExport {
    fn default() -> Self {
        Self {
            #[cfg(feature = "http")]
            listen: None,
            buckets: None,
            upkeep_interval: DEFAULT_UPKEEP_INTERVAL,
        }
    }
}

impl PrometheusExport {
    /// Serves `GET /metrics` on `addr` (`host:port`; port 0 picks a free port, see
    /// [`Exporter::local_addr`]). Without it, nothing listens and the application serves
    /// [`Exporter::render`] itself.
    ///
    /// ```no_run
    /// let exporter = coord::prometheus().listen("127.0.0.1:0").install()?;
    /// assert!(exporter.local_addr().unwrap().ip().is_loopback());
    /// # Ok::<(), coord::export::ExportError>(())
    /// ```
    ///
    /// Feature `http` (on by default).
    #[cfg(feature = "http")]
    #[cfg_attr(docsrs, doc(cfg(feature = "http")))]
    #[must_use]
    pub fn listen(mut self, addr: impl Into<String>) -> Self {
        self.listen = Some(addr.into());
        self
    }

    /// Bucket upper bounds, in seconds, for every histogram named `*_seconds`, coord's
    /// `coord_operation_duration_seconds` included; strictly increasing, finite and positive.
    /// Defaults to the configuration's `duration_buckets`
    /// ([`DEFAULT_DURATION_BUCKETS`](crate::config::buckets::DEFAULT_DURATION_BUCKETS) unless
    /// configured).
    ///
    /// The bounds are fixed once per process, for every operation alike: install the exporter
    /// before the first tracked call, or [`install`](Self::install) fails with
    /// [`ExportError::BucketsInUse`] when the operations already count with other bounds.
    ///
    /// ```
    /// let err = coord::prometheus().duration_buckets(&[0.1, 0.05]).install().unwrap_err();
    /// assert!(err.to_string().contains("increasing"));
    /// ```
    #[must_use]
    pub fn duration_buckets(mut self, seconds: &[f64]) -> Self {
        self.buckets = Some(seconds.to_vec());
        self
    }

    /// How often pending histogram samples are folded into buckets between scrapes
    /// (default 5 s). Without upkeep, samples would pile up when nothing scrapes.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let exporter = coord::prometheus().upkeep_interval(Duration::from_secs(1)).install()?;
    /// # drop(exporter);
    /// # Ok::<(), coord::export::ExportError>(())
    /// ```
    #[must_use]
    pub fn upkeep_interval(mut self, interval: Duration) -> Self {
        self.upkeep_interval = interval;
        self
    }

    /// Checks the settings, binds the listener if asked, and installs the global recorder.
    ///
    /// Calls made before this point are not lost: coord publishes its totals since the process
    /// started to whichever recorder is current.
    ///
    /// # Errors
    /// [`ExportError`] when the address does not parse or cannot be bound, the buckets are
    /// unusable, the configuration (read for its buckets) is bad, a global recorder is already installed, or a thread cannot start. Nothing is
    /// installed when it fails.
    ///
    /// ```
    /// let first = coord::prometheus().install();
    /// assert!(first.is_ok());
    /// let second = coord::prometheus().install();
    /// assert!(matches!(second, Err(coord::export::ExportError::RecorderAlreadyInstalled)));
    /// ```
    pub fn install(self) -> Result<Exporter, ExportError> {
        let buckets = match self.buckets {
            Some(buckets) => buckets,
            None => crate::config::try_configuration()?.duration_buckets.clone(),
        };
        check_buckets(&buckets)?;
        duration_buckets::fix(&buckets).map_err(|in_use| ExportError::BucketsInUse {
            asked: buckets.clone(),
            in_use: in_use.seconds().to_vec(),
        })?;
        #[cfg(feature = "http")]
        let listener = self.listen.as_deref().map(bind).transpose()?;
        #[cfg(feature = "http")]
        let local_addr = listener
            .as_ref()
            .map(TcpListener::local_addr)
            .transpose()
            .map_err(|source| ExportError::Thread {
                what: "HTTP listener",
                source,
            })?;

        let recorder = PrometheusBuilder::new()
            .with_recommended_naming(true)
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &buckets)
            .map_err(|_| ExportError::InvalidBuckets {
                buckets: buckets.clone(),
                reason: "rejected by the exporter",
            })?
            .build_recorder();
        metric_names::describe_all(&recorder);
        let key = Key::from_parts(
            BUILD_INFO,
            vec![Label::new(VERSION_LABEL, env!("CARGO_PKG_VERSION"))],
        );
        recorder.register_gauge(&key, &METADATA).set(1.0);
        let handle = recorder.handle();

        metrics::set_global_recorder(recorder)
            .map_err(|_| ExportError::RecorderAlreadyInstalled)?;
        recorder_identity::remember_coord_recorder();
        spawn_upkeep(handle.clone(), self.upkeep_interval)?;
        #[cfg(feature = "http")]
        if let Some(listener) = listener {
            http::spawn(listener, handle.clone())?;
        }
        #[cfg(not(feature = "http"))]
        let local_addr = None;
        Ok(Exporter { handle, local_addr })
    }
}

/// The installed exporter: renders the current metrics and knows where it listens.
///
/// ```
/// #[coord::track_performance]
/// fn ping() {}
///
/// let exporter = coord::prometheus().install()?;
/// ping();
/// let text = exporter.render();
/// assert!(text.contains(r#"coord_operation_calls_total{operation="ping",outcome="ok"} 1"#));
/// assert!(text.contains("# TYPE coord_operation_duration_seconds histogram"));
/// assert_eq!(exporter.local_addr(), None); // nothing listens unless asked
/// # Ok::<(), coord::export::ExportError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Exporter {
    handle: PrometheusHandle,
    local_addr: Option<SocketAddr>,
}

impl Exporter {
    /// The metrics in the Prometheus text exposition format, for applications that serve
    /// them on their own HTTP server.
    #[must_use]
    pub fn render(&self) -> String {
        render(&self.handle)
    }

    /// The metrics in the OpenMetrics exposition format, with exemplars on coord's duration
    /// buckets (see [`set_trace_id_source`](crate::set_trace_id_source)).
    ///
    /// ```
    /// let exporter = coord::prometheus().install()?;
    /// assert!(exporter.render_openmetrics().ends_with("# EOF\n"));
    /// # Ok::<(), coord::export::ExportError>(())
    /// ```
    #[must_use]
    pub fn render_openmetrics(&self) -> String {
        render_openmetrics(&self.handle)
    }

    /// The address the HTTP listener is bound to, or `None` when not listening.
    #[must_use]
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.local_addr
    }
}

/// The bounds (seconds) of `coord_operation_duration_seconds` in this process: the exporter's
/// `duration_buckets`, else the configuration's; fixed once the first operation is tracked.
/// Give them to another `metrics` recorder for that histogram, so its bucket counts are
/// exact too (see the README's "With another `metrics` recorder").
///
/// ```
/// let bounds = coord::export::duration_bucket_bounds();
/// assert!(bounds.windows(2).all(|pair| pair[0] < pair[1]));
/// ```
#[must_use]
pub fn duration_bucket_bounds() -> Vec<f64> {
    crate::telemetry::duration_buckets::in_effect_or(|| {
        crate::config::configuration().duration_buckets.clone()
    })
    .seconds()
    .to_vec()
}

/// The exposition text: every count published first, so a scrape sees every call so far, then
/// the exporter's series and coord's duration histograms.
pub(crate) fn render(handle: &PrometheusHandle) -> String {
    crate::telemetry::publish::flush_metrics();
    let mut text = handle.render();
    exposition::render_durations(&mut text, false);
    #[cfg(feature = "system")]
    process::render_process(&mut text);
    text
}

/// The same series in the OpenMetrics format, with the duration buckets' exemplars.
pub(crate) fn render_openmetrics(handle: &PrometheusHandle) -> String {
    crate::telemetry::publish::flush_metrics();
    let mut text = handle.render();
    exposition::render_durations(&mut text, true);
    #[cfg(feature = "system")]
    process::render_process(&mut text);
    openmetrics::from_text(&text)
}

fn check_buckets(buckets: &[f64]) -> Result<(), ExportError> {
    match bucket_problem(buckets) {
        Some(reason) => Err(ExportError::InvalidBuckets {
            buckets: buckets.to_vec(),
            reason,
        }),
        None => Ok(()),
    }
}

#[cfg(feature = "http")]
fn bind(input: &str) -> Result<TcpListener, ExportError> {
    let invalid = |reason: String| ExportError::InvalidListenAddress {
        input: input.to_owned(),
        reason,
    };
    let addr = input
        .to_socket_addrs()
        .map_err(|err| invalid(err.to_string()))?
        .next()
        .ok_or_else(|| invalid("it resolves to no address".to_owned()))?;
    TcpListener::bind(addr).map_err(|source| ExportError::Bind { addr, source })
}

fn spawn_upkeep(handle: PrometheusHandle, interval: Duration) -> Result<(), ExportError> {
    std::thread::Builder::new()
        .name("coord-metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(interval);
                handle.run_upkeep();
            }
        })
        .map(drop)
        .map_err(|source| ExportError::Thread {
            what: "upkeep",
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_checked() {
        assert!(check_buckets(crate::config::buckets::DEFAULT_DURATION_BUCKETS).is_ok());
        for bad in [
            &[][..],
            &[0.0, 1.0],
            &[1.0, f64::INFINITY],
            &[0.5, 0.5],
            &[2.0, 1.0],
        ] {
            assert!(check_buckets(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[cfg(feature = "http")]
    #[test]
    fn listen_addresses_are_checked() {
        for bad in ["9184", "127.0.0.1", "127.0.0.1:port", "", "[::1:9184"] {
            let err = bind(bad).expect_err(bad);
            assert!(
                matches!(err, ExportError::InvalidListenAddress { .. }),
                "{bad}: {err}"
            );
            assert!(err.to_string().contains(&format!("`{bad}`")));
        }
    }

    #[cfg(feature = "http")]
    #[test]
    fn a_taken_port_is_a_bind_error() {
        let taken = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let addr = taken.local_addr().expect("local addr").to_string();
        let err = bind(&addr).expect_err("port is taken");
        assert!(matches!(err, ExportError::Bind { .. }), "{err}");
        assert!(err.to_string().contains(&addr));
    }
}
