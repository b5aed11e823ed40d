//! The functions the benchmarks compare, shared by the criterion benches (`benches/`) and the
//! allocation count (`src/bin/allocations.rs`): for each hot path, the bare function, a
//! hand-written floor where one makes sense, coord's attribute and the peer crate's equivalent.

pub mod floor;
pub mod lock_floor;
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
