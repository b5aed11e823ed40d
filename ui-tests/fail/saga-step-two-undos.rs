use coord::saga::{SagaError, StepKey};

async fn refund(_key: StepKey, _cents: u64, _charged: Option<u64>) -> Result<(), SagaError> {
    Ok(())
}

#[coord::step(compensate = refund, pivot)]
async fn charge(_key: StepKey, cents: u64) -> Result<u64, SagaError> {
    Ok(cents)
}

fn main() {}
