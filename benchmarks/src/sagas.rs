//! A three-step saga through coord's engine, for the benchmarks against the floor.

use coord::saga::{Saga, SagaEngine, SagaError};
use coord::store::AnyStore;

/// The benchmark saga's error.
#[derive(Debug)]
pub struct BenchError(pub String);

impl std::fmt::Display for BenchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<SagaError> for BenchError {
    fn from(err: SagaError) -> Self {
        BenchError(err.to_string())
    }
}

/// An engine on `store` with the three-step saga registered; each step does nothing but be
/// logged, so what is measured is the engine and its log.
pub fn three_steps(store: AnyStore) -> (SagaEngine, Saga<u64, u64, BenchError>) {
    let engine = SagaEngine::new(store);
    for step in ["one", "two", "three"] {
        engine.no_compensation(step);
    }
    let saga = engine.register("bench", |saga, n: u64| async move {
        let a: u64 = saga
            .step("one", &n, |_| async move { Ok::<_, BenchError>(n + 1) })
            .await?;
        let b: u64 = saga
            .step("two", &a, |_| async move { Ok::<_, BenchError>(a + 1) })
            .await?;
        saga.step("three", &b, |_| async move { Ok::<_, BenchError>(b + 1) })
            .await
    });
    (engine, saga)
}
