// A return type written as an alias of `Result` (which the macros cannot see through) works
// under every part: validation's early return, retries, a breaker, limits, a fallback, sync and
// async, methods included.
#![deny(warnings)]

#[derive(Debug)]
enum AppError {
    Coord(coord::Error),
    Down,
}

impl From<coord::Error> for AppError {
    fn from(error: coord::Error) -> Self {
        AppError::Coord(error)
    }
}

type Outcome = Result<u32, AppError>;
type Borrowed<'a> = Result<&'a str, AppError>;

fn cached(_id: &u32, _error: AppError) -> Outcome {
    Ok(0)
}

#[coord::coordinate_operation(
    validate(field(id, type = "integer", min = 1)),
    retry(max_retries = 1, base_delay = "1ms"),
    fallback = cached,
    circuit_breaker = "aliases.sync",
    rate_limit(per_second = 1000)
)]
fn fetch(id: u32) -> Outcome {
    if id == 2 {
        return Err(AppError::Down);
    }
    Ok(id * 10)
}

#[coord::handle_errors(max_retries = 1, base_delay = "1ms", timeout = "1s")]
async fn fetch_async(id: u32) -> Outcome {
    if id == 0 { Err(AppError::Down) } else { Ok(id) }
}

#[coord::validate_input(field(text, type = "string", min_length = 1))]
fn first_word(text: &str) -> Borrowed<'_> {
    text.split(' ').next().ok_or(AppError::Down)
}

struct Store(u32);

impl Store {
    #[coord::coordinate_operation(retry(max_retries = 0), bulkhead(max_concurrent = 4))]
    fn read(&self) -> Outcome {
        Ok(self.0)
    }
}

fn main() {
    assert_eq!(fetch(3).unwrap(), 30);
    assert!(matches!(fetch(0), Err(AppError::Coord(coord::Error::Validation(_)))));
    assert_eq!(fetch(2).unwrap(), 0, "the fallback answers");
    assert_eq!(first_word("hello world").unwrap(), "hello");
    assert!(first_word("").is_err());
    assert_eq!(Store(7).read().unwrap(), 7);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(fetch_async(4)).unwrap(), 4);
    assert!(matches!(runtime.block_on(fetch_async(0)), Err(AppError::Down)));
}
