use coord::saga::{SagaContext, SagaError, StepKey};

// Not async.
#[coord::saga]
fn sync_saga(_saga: SagaContext) -> Result<(), SagaError> {
    Ok(())
}

// The context is missing.
#[coord::saga]
async fn no_context(order: u64) -> Result<u64, SagaError> {
    Ok(order)
}

// A step's first parameter is its key.
#[coord::step(no_compensation)]
async fn no_key(order: u64) -> Result<u64, SagaError> {
    Ok(order)
}

// Logged values are read back: `&mut` cannot be.
#[coord::step(no_compensation)]
async fn mutable(_key: StepKey, order: &mut u64) -> Result<u64, SagaError> {
    Ok(*order)
}

// Generic steps cannot be read back as one type.
#[coord::step(no_compensation)]
async fn generic<T: serde::Serialize>(_key: StepKey, value: T) -> Result<(), SagaError> {
    let _ = value;
    Ok(())
}

// Not a Result.
#[coord::step(pivot = true)]
async fn unit(_key: StepKey) -> u64 {
    1
}

fn main() {}
