// One-line bodies under every attribute, sync, async and methods, in a crate that denies
// warnings: the expansion must not make rustc flag the user's own braces (`unused_braces`).
#![deny(warnings, clippy::pedantic)]

#[coord::track_performance]
fn tracked(id: &str) -> usize { id.len() }

#[coord::track_performance]
async fn tracked_async(id: &str) -> usize { id.len() }

#[coord::handle_errors(max_retries = 1, base_delay = "1ms")]
fn retried(id: &str) -> Result<usize, String> { Ok(id.len()) }

#[coord::handle_errors(max_retries = 1, base_delay = "1ms")]
async fn retried_async(id: &str) -> Result<usize, String> { Ok(id.len()) }

#[coord::validate_input(required = [id])]
fn validated(id: &str) -> Result<usize, coord::Error> { Ok(id.len()) }

#[coord::validate_input(required = [id])]
async fn validated_async(id: &str) -> Result<usize, coord::Error> { Ok(id.len()) }

#[coord::coordinate_operation(name = "one_line.combined", retry(max_retries = 1, base_delay = "1ms"))]
fn combined(id: &str) -> Result<usize, coord::Error> { Ok(id.len()) }

struct Service;

impl Service {
    #[coord::track_performance]
    fn method(&self, id: &str) -> usize { id.len() }

    #[coord::coordinate_operation(name = "one_line.method")]
    async fn method_async(&self, id: &str) -> Result<usize, coord::Error> { Ok(id.len()) }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    assert_eq!(tracked("ab"), 2);
    assert_eq!(runtime.block_on(tracked_async("ab")), 2);
    assert_eq!(retried("ab"), Ok(2));
    assert_eq!(runtime.block_on(retried_async("ab")), Ok(2));
    assert_eq!(validated("ab").ok(), Some(2));
    assert_eq!(runtime.block_on(validated_async("ab")).ok(), Some(2));
    assert_eq!(combined("ab").ok(), Some(2));
    assert_eq!(Service.method("ab"), 2);
    assert_eq!(runtime.block_on(Service.method_async("ab")).ok(), Some(2));
}
