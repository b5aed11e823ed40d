//! What can go wrong when setting up the Prometheus export.

use std::net::SocketAddr;

/// Why [`PrometheusExport::install`](crate::PrometheusExport::install) failed.
///
/// ```
/// let err = coord::prometheus().listen("localhost:http-alt").install().unwrap_err();
/// assert!(matches!(err, coord::export::ExportError::InvalidListenAddress { .. }));
/// assert!(err.to_string().contains("localhost:http-alt"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The listen address is not `host:port`, or the host does not resolve.
    #[error(
        "invalid listen address `{input}`: {reason} (expected `host:port`, e.g. `127.0.0.1:9184`)"
    )]
    InvalidListenAddress {
        /// What the caller passed.
        input: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The listen address could not be bound (taken, or not an address of this host).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The resolved address.
        addr: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The histogram bucket boundaries are unusable.
    #[error("invalid histogram buckets {buckets:?}: {reason}")]
    InvalidBuckets {
        /// What the caller passed.
        buckets: Vec<f64>,
        /// Why they were rejected.
        reason: &'static str,
    },
    /// Operations have been tracked with other bucket bounds already: the bounds are fixed once
    /// per process (by the exporter or by the first tracked operation, from the configuration),
    /// so every series of the duration histogram has the same buckets. Install the exporter
    /// before the first tracked call, or set `duration_buckets` in the configuration.
    #[error(
        "histogram buckets {asked:?} asked for, but operations are already tracked with {in_use:?}; install the exporter before the first tracked call or configure `duration_buckets`"
    )]
    BucketsInUse {
        /// What the caller passed.
        asked: Vec<f64>,
        /// The bounds in effect.
        in_use: Vec<f64>,
    },
    /// A global `metrics` recorder is already installed (by coord or anything else).
    #[error(
        "a global metrics recorder is already installed; install the coord exporter once, before any other recorder"
    )]
    RecorderAlreadyInstalled,
    /// A background thread (HTTP listener or upkeep) could not be started.
    #[error("cannot start the exporter's {what} thread: {source}")]
    Thread {
        /// Which thread.
        what: &'static str,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The configuration, read for its `duration_buckets`, could not be loaded.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}
