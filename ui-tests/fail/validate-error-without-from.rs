#[derive(Debug)]
struct AppError;

#[coord::validate_input(required = [name])]
fn update(name: &str) -> Result<(), AppError> {
    Ok(())
}

fn main() {
    let _ = update("u");
}
