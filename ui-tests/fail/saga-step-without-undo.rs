use coord::saga::{SagaError, StepKey};

// How is the charge undone if the saga fails after it?
#[coord::step(retry(max_retries = 2))]
async fn charge(_key: StepKey, cents: u64) -> Result<u64, SagaError> {
    Ok(cents)
}

fn main() {}
