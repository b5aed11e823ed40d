use coord::saga::{SagaError, StepKey};

struct Card {
    number: String,
}

struct Charge(u64);

#[coord::step(no_compensation)]
async fn authorise(_key: StepKey, card: &Card) -> Result<Charge, SagaError> {
    Ok(Charge(card.number.len() as u64))
}

fn main() {}
