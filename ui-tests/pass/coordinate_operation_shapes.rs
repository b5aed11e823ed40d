//! `#[coordinate_operation]` on the shapes the single attributes accept.

#[derive(Debug)]
enum AppError {
    Coord(coord::Error),
}

impl From<coord::Error> for AppError {
    fn from(err: coord::Error) -> Self {
        AppError::Coord(err)
    }
}

#[coord::coordinate_operation]
fn tracked_only(x: u32) -> u32 {
    x + 1
}

#[coord::coordinate_operation(
    name = "everything",
    validate(required = [id], field(id, type = "integer", min = 1)),
    retry(max_retries = 2, backoff = "linear", base_delay = "1ms", jitter = "none", severity = "high"),
    circuit_breaker(name = "shapes.coordinated", consecutive_failures = 3, open_for = "1s"),
    in_flight = false,
)]
fn everything(id: u32, note: &str) -> Result<usize, AppError> {
    Ok(note.len() + id as usize)
}

struct Repo {
    rows: Vec<u32>,
}

impl Repo {
    #[coord::coordinate_operation(validate(field(index, type = "integer", max = 100)), retry(max_retries = 1, base_delay = "1ms"))]
    async fn row(&self, index: usize) -> Result<&u32, AppError> {
        Ok(&self.rows[index])
    }
}

fn main() {
    assert_eq!(tracked_only(1), 2);
    assert_eq!(everything(2, "ab").unwrap(), 4);
    assert!(matches!(everything(0, ""), Err(AppError::Coord(coord::Error::Validation(_)))));
    let repo = Repo { rows: vec![7] };
    drop(repo.row(0));
}
