//! coord and autometrics, each leaving an exemplar per call, in one criterion group: both run
//! inside a span carrying `trace_id`, under one registry with both extraction layers.
//!
//! ```sh
//! cargo bench -p coord-exemplar-benchmarks
//! ```

use std::hint::black_box;

use coord_exemplar_benchmarks::{
    TraceIdLayer, autometrics_tracked, coord_tracked, current_trace_id,
};
use criterion::{Criterion, criterion_group, criterion_main};
use tracing_subscriber::layer::SubscriberExt as _;

fn with_exemplars(c: &mut Criterion) {
    let subscriber = tracing_subscriber::registry().with(TraceIdLayer).with(
        autometrics::exemplars::tracing::AutometricsExemplarExtractor::from_fields(&["trace_id"]),
    );
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    coord::export::set_trace_id_source(current_trace_id);
    coord::prometheus().install().expect("coord's recorder");
    let span = tracing::info_span!("request", trace_id = "0af7651916cd43dd8448eb211c80319c");
    let _entered = span.enter();
    assert_eq!(
        current_trace_id(),
        Some(0x0af7_6519_16cd_43dd_8448_eb21_1c80_319c)
    );
    let mut group = c.benchmark_group("tracking_exemplars");
    group.bench_function("coord", |b| b.iter(|| coord_tracked(black_box(7))));
    group.bench_function("autometrics", |b| {
        b.iter(|| autometrics_tracked(black_box(7)));
    });
    group.finish();
}

criterion_group! {
    name = exemplars;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = with_exemplars
}
criterion_main!(exemplars);
