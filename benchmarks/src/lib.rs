//! The functions the benchmarks compare, shared by the criterion benches (`benches/`) and the
//! allocation count (`src/bin/allocations.rs`): for each hot path, the bare function, a
//! hand-written floor where one makes sense, coord's attribute and the peer crate's equivalent.

pub mod floor;
pub mod lock_floor;
pub mod locks;
pub mod resilience;
pub mod saga_floor;
pub mod sagas;
pub mod signup;
pub mod workloads;

/// Installs coord's Prometheus recorder as the global `metrics` recorder, once; autometrics
/// (through its `metrics-0_24` backend) records to the same one, so both pay the same exporter.
pub fn install_recorder() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        coord::prometheus()
            .install()
            .expect("the benchmarks install the only recorder");
    });
}

/// Installs a global `tracing` subscriber that takes every span at INFO (a registry with a
/// `fmt` layer writing nowhere), once: what an application with tracing set up pays for
/// coord's `coord.operation` spans. Without the `spans` feature there are none to take.
pub fn install_span_subscriber() {
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::sink)
                .with_filter(tracing::level_filters::LevelFilter::INFO),
        );
        tracing::subscriber::set_global_default(subscriber)
            .expect("the benchmark installs the only subscriber");
    });
}
