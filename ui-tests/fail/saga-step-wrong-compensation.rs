use coord::saga::{SagaError, StepKey};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Order {
    sku: String,
}

#[derive(Serialize, Deserialize)]
struct Reservation(u64);

// Forgets the step's output, and takes the order by reference.
async fn release(_key: StepKey, _order: &Order) -> Result<(), SagaError> {
    Ok(())
}

#[coord::step(compensate = release)]
async fn reserve(_key: StepKey, _order: &Order) -> Result<Reservation, SagaError> {
    Ok(Reservation(1))
}

// Returns something other than `Result<(), E>`.
async fn refund(_key: StepKey, cents: u64, _receipt: Option<String>) -> u64 {
    cents
}

#[coord::step(compensate = refund)]
async fn charge(_key: StepKey, cents: u64) -> Result<String, SagaError> {
    Ok(format!("{cents}"))
}

fn main() {}
