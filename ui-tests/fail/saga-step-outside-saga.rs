use coord::saga::{SagaError, StepKey};

#[coord::step(no_compensation)]
async fn notify(_key: StepKey, email: &str) -> Result<(), SagaError> {
    println!("{email}");
    Ok(())
}

// A step is called with its saga's context: it cannot run outside one.
async fn plain() -> Result<(), SagaError> {
    notify("a@b.example").await
}

fn main() {
    let _ = plain();
}
