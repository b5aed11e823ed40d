//! Every argument and function shape `#[handle_errors]` accepts.

use std::io;

#[derive(Debug)]
enum AppError {
    Io(io::Error),
    Coord(coord::Error),
}

impl From<coord::Error> for AppError {
    fn from(err: coord::Error) -> Self {
        AppError::Coord(err)
    }
}

type AppResult<T> = Result<T, AppError>;

fn is_transient(error: &AppError) -> bool {
    matches!(error, AppError::Io(_))
}

#[coord::handle_errors]
fn defaults() -> Result<(), String> {
    Ok(())
}

#[coord::handle_errors(
    name = "shapes.everything",
    severity = "high",
    max_retries = 4,
    backoff = "linear",
    base_delay = "1ms",
    multiplier = 1.5,
    max_delay = "10ms",
    jitter = "decorrelated",
    deadline = "2s",
    retry_if = is_transient,
    circuit_breaker(
        name = "shapes.breaker",
        consecutive_failures = 3,
        failure_rate = 0.5,
        window = 10,
        min_calls = 5,
        open_for = "30s",
        half_open_permits = 2,
        close_after = 2,
    ),
)]
fn everything(path: &str) -> AppResult<usize> {
    Ok(path.len())
}

#[coord::handle_errors(severity = "low", circuit_breaker = "shapes.breaker")]
fn io_alias(input: impl AsRef<str>) -> Result<usize, AppError> {
    Ok(input.as_ref().len())
}

#[coord::handle_errors(severity = "critical")]
fn std_io_result() -> io::Result<()> {
    Ok(())
}

#[coord::handle_errors(max_retries = 2, base_delay = "0ms", jitter = "none", backoff = "constant")]
fn generic<T: std::str::FromStr>(input: &str) -> Result<T, T::Err> {
    input.parse()
}

struct Client {
    calls: u32,
}

impl Client {
    #[coord::handle_errors(max_retries = 1, base_delay = "1ms")]
    fn bump(&mut self) -> Result<u32, String> {
        self.calls += 1;
        Ok(self.calls)
    }

    #[coord::handle_errors(max_retries = 1, base_delay = "1ms")]
    fn peek(&self) -> Result<&u32, String> {
        Ok(&self.calls)
    }

    #[coord::handle_errors(max_retries = 1, base_delay = "1ms", circuit_breaker = "shapes.async")]
    async fn fetch(&self, id: &str) -> Result<String, AppError> {
        Ok(format!("{id}:{}", self.calls))
    }
}

fn main() {
    defaults().unwrap();
    assert_eq!(everything("abc").unwrap(), 3);
    assert_eq!(io_alias("ab").unwrap(), 2);
    std_io_result().unwrap();
    assert_eq!(generic::<u8>("7").unwrap(), 7);
    assert!(generic::<u8>("x").is_err());
    let mut client = Client { calls: 0 };
    assert_eq!(client.bump().unwrap(), 1);
    assert_eq!(*client.peek().unwrap(), 1);
    drop(client.fetch("a"));
}
