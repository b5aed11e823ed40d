//! Every parameter shape a saga and a step accept, and a saga that calls steps declared in
//! another module by path.

use coord::saga::{SagaContext, SagaError};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum TripError {
    #[error("sold out")]
    SoldOut,
    #[error(transparent)]
    Saga(#[from] SagaError),
    #[error(transparent)]
    Refused(#[from] coord::Error),
}

#[derive(Serialize, Deserialize, Clone)]
pub struct Traveller {
    pub name: String,
}

mod bookings {
    use super::{TripError, Traveller};
    use coord::saga::StepKey;

    /// A step with a `&str`, a slice, a value and a reference.
    #[coord::step(name = "book_flight", compensate = cancel_flight, timeout = "2s")]
    pub async fn flight<'a>(
        key: StepKey,
        from: &str,
        legs: &[u32],
        seats: u8,
        traveller: &'a Traveller,
    ) -> Result<String, TripError> {
        Ok(format!("{key} {from} {} {seats} {}", legs.len(), traveller.name))
    }

    pub async fn cancel_flight(
        _key: StepKey,
        _from: String,
        _legs: Vec<u32>,
        _seats: u8,
        _traveller: Traveller,
        _booking: Option<String>,
    ) -> Result<(), TripError> {
        Ok(())
    }

    /// No inputs at all, retried and broken.
    #[coord::step(pivot, retry(max_retries = 1), circuit_breaker = "hotels")]
    pub async fn hotel(_key: StepKey) -> Result<u32, TripError> {
        Err(TripError::SoldOut)
    }
}

/// A saga with several inputs, one named like the generated run id parameter.
#[coord::saga(name = "trip")]
pub async fn trip(
    saga: SagaContext,
    run_id: u64,
    traveller: Traveller,
    from: &str,
) -> Result<(String, u32), TripError> {
    let flight = bookings::flight(&saga, from, &[1, 2], 1, &traveller).await?;
    let room = bookings::hotel(&saga).await?;
    Ok((format!("{flight} {run_id}"), room))
}

/// A saga with no input.
#[coord::saga]
async fn nothing(_saga: SagaContext) -> Result<(), TripError> {
    Ok(())
}

fn main() {
    let traveller = Traveller { name: "Ada".to_owned() };
    // Only compiled: the futures are built, not run.
    drop(trip("trip-1", 7, traveller, "LHR"));
    drop(nothing("nothing-1"));
}
