// Timeouts, fallbacks and limits on the shapes a service has: methods, references, async,
// everything in one attribute, under `#![deny(warnings)]`.
#![deny(warnings)]

use std::time::Duration;

#[derive(Debug)]
enum AppError {
    Down,
    Coord(coord::Error),
}

impl From<coord::Error> for AppError {
    fn from(err: coord::Error) -> Self {
        AppError::Coord(err)
    }
}

impl coord::Classify for AppError {
    fn class(&self) -> coord::ErrorClass {
        match self {
            AppError::Down => coord::ErrorClass::TransientAfter(Duration::from_millis(5)),
            AppError::Coord(_) => coord::ErrorClass::Transient,
        }
    }
}

struct Client {
    fallback_answer: u32,
}

impl Client {
    async fn cached(&self, _key: &str, _attempts: &u8, _error: AppError) -> Result<u32, AppError> {
        Ok(self.fallback_answer)
    }

    #[coord::coordinate_operation(
        name = "shapes.fetch",
        rate_limit(per_second = 1000, burst = 100),
        bulkhead(name = "shapes.pool", max_concurrent = 8, max_wait = "10ms"),
        retry(timeout = "100ms", deadline = "1s", max_retries = 2, base_delay = "1ms"),
        circuit_breaker = "shapes.upstream",
        fallback = Self::cached
    )]
    async fn fetch(&self, key: &str, attempts: u8) -> Result<u32, AppError> {
        let _ = (key, attempts);
        Err(AppError::Down)
    }
}

fn always(_: &AppError) -> bool {
    true
}

#[coord::handle_errors(record_if = always, retry_if = always, max_retries = 1, base_delay = "1ms", bulkhead(max_concurrent = 1))]
fn sync_limited(value: &mut Vec<u32>) -> Result<usize, AppError> {
    value.push(1);
    Ok(value.len())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let client = Client { fallback_answer: 9 };
    assert_eq!(runtime.block_on(client.fetch("k", 1)).ok(), Some(9));
    assert_eq!(sync_limited(&mut Vec::new()).ok(), Some(1));
}
