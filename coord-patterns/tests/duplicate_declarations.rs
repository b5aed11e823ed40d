//! Two `#[step]` functions with one name: the log could not tell their runs apart, so the
//! process's engine refuses to start and says where both are declared. Written with the
//! declarations the attribute emits, since a program with the mistake is the point.

use coord_patterns::__private::{STEP_DECLARATIONS, StepDeclaration};
use coord_patterns::saga::{SagaEngine, SagaError};
use coord_patterns::store::AnyStore;

fn declare_none(engine: &SagaEngine) {
    engine.no_compensation("charge");
}

#[linkme::distributed_slice(STEP_DECLARATIONS)]
static FIRST: StepDeclaration = StepDeclaration {
    name: "charge",
    location: "src/payments.rs:10",
    declare: declare_none,
};

#[linkme::distributed_slice(STEP_DECLARATIONS)]
static SECOND: StepDeclaration = StepDeclaration {
    name: "charge",
    location: "src/billing.rs:42",
    declare: declare_none,
};

#[tokio::test]
async fn two_steps_with_one_name_stop_every_declared_saga() {
    let error = coord_patterns::saga::engine().await.unwrap_err();
    assert!(
        matches!(
            &error,
            SagaError::DuplicateDeclaration { kind: "step", name, first, second }
                if name == "charge"
                    && [*first, *second].contains(&"src/payments.rs:10")
                    && [*first, *second].contains(&"src/billing.rs:42")
        ),
        "{error}"
    );
    assert!(error.to_string().contains("give one of them"), "{error}");
    // An engine built by hand still works: only the declared sagas are refused.
    let engine = SagaEngine::new(AnyStore::open("memory:").await.unwrap());
    assert!(format!("{engine:?}").contains("SagaEngine"));
}
