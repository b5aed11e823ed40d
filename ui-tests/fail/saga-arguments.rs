use coord::saga::{SagaContext, SagaError, StepKey};

// A positional name.
#[coord::saga("place_order")]
async fn place_order(_saga: SagaContext) -> Result<(), SagaError> {
    Ok(())
}

// A misspelt key, a timeout of zero and an empty name.
#[coord::step(compensation = undo, timeout = "0s", name = "")]
async fn charge(_key: StepKey, cents: u64) -> Result<u64, SagaError> {
    Ok(cents)
}

async fn undo(_key: StepKey, _cents: u64, _charged: Option<u64>) -> Result<(), SagaError> {
    Ok(())
}

// A lock backend with an empty name.
#[coord::distributed_lock(key = "charge:{cents}", backend = "")]
async fn locked(cents: u64) -> Result<u64, coord::Error> {
    Ok(cents)
}

fn main() {}
