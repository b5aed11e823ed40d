//! coord's side of the lock benchmarks: one uncontended acquire + release, as the criterion
//! bench (`benches/locks.rs`), the interleaved ratios and the instruction count all time it.

use std::time::Duration;

/// Takes `key` on the lock backend installed as `backend` (a 30 s TTL, no wait) and releases
/// it; the token.
///
/// # Panics
/// When the backend fails or the key is held.
pub async fn coord_cycle(backend: &'static str, key: &str) -> u64 {
    let guard = coord::lock(key)
        .backend(backend)
        .ttl(Duration::from_secs(30))
        .wait(Duration::ZERO)
        .acquire()
        .await
        .expect("uncontended");
    let token = guard.token();
    guard.release().await.expect("released");
    token
}
