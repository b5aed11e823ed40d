//! The system monitor: samples on its interval, keeps at most `max_data_points`, stops, feeds
//! the report and exports gauges.

mod support;

use std::time::{Duration, Instant};

use support::test_recorder;

fn wait_for(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn samples_are_bounded_reported_exported_and_stop() {
    let recorder = test_recorder::global();
    let monitor = coord::system::start_system_monitor(Duration::from_millis(5), 3).expect("start");
    wait_for("three samples", || monitor.samples().len() == 3);
    let first = monitor.samples()[0].at_secs;
    wait_for("the oldest sample to be dropped", || {
        monitor.samples()[0].at_secs > first
    });
    assert_eq!(
        monitor.samples().len(),
        3,
        "at most max_data_points samples"
    );

    let latest = monitor.latest().expect("a sample");
    assert!(latest.process_resident_bytes > 0);
    assert!(latest.system_memory_total_bytes >= latest.system_memory_used_bytes);
    assert!(latest.system_memory_used_bytes > 0);

    let report = coord::report();
    let system = report
        .system
        .clone()
        .expect("the report includes the monitor");
    assert_eq!(system.samples, 3);
    assert!(
        system.peak_process_resident_bytes
            >= latest
                .process_resident_bytes
                .min(system.latest.process_resident_bytes)
    );
    assert!(report.to_string().contains("system: process CPU"));

    // This binary's recorder is not coord's exporter, so the monitor publishes the standard
    // process series to it through the `metrics` facade.
    let gauges = recorder.gauges_named("process_resident_memory_bytes");
    assert!(
        gauges.values().all(|bytes| *bytes > 0.0) && !gauges.is_empty(),
        "{gauges:?}"
    );
    assert!(
        !recorder
            .counters_named("process_cpu_seconds_total")
            .is_empty()
    );
    assert!(
        !recorder
            .gauges_named("process_start_time_seconds")
            .is_empty()
    );
    assert!(recorder.gauges_named("coord_system_memory").is_empty());

    monitor.stop();
    assert!(
        coord::report().system.is_none(),
        "a stopped monitor is not reported"
    );
}
