//! Uncontended Redis lock cycles (acquire + release) on a current-thread runtime, for counting
//! instructions: run it under callgrind with two cycle counts and divide the difference, so
//! connecting and start-up cancel out.
//!
//! ```sh
//! cargo build --release -p coord-benchmarks --bin lock-instructions
//! for n in 200 1200; do
//!   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.coord.$n \
//!     target/release/lock-instructions coord $n
//! done   # (Ir at 1200 − Ir at 200) ÷ 1000 = instructions per cycle; `floor`, `rslock` likewise
//! ```

use coord::lock::{LockBackend, RedisLocks, install_backend};
use coord_benchmarks::lock_floor::RedisFloor;
use coord_benchmarks::locks::coord_cycle;

fn main() {
    let mut args = std::env::args().skip(1);
    let variant = args.next().unwrap_or_else(|| "coord".to_owned());
    let cycles: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let url =
        std::env::var("COORD_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        match variant.as_str() {
            "coord" => {
                let locks = RedisLocks::connect(&url, "bench:")
                    .await
                    .expect("Redis answers");
                install_backend("instructions", LockBackend::Redis(locks));
                for _ in 0..cycles {
                    coord_cycle("instructions", "instructions-key").await;
                }
            }
            "floor" => {
                let floor = RedisFloor::connect(&url).await;
                for _ in 0..cycles {
                    floor.cycle("instructions-floor").await;
                }
            }
            "rslock" => {
                let rslock = rslock::LockManager::new(vec![url.clone()]);
                for _ in 0..cycles {
                    let lock = rslock
                        .lock(
                            "bench:instructions-rslock",
                            std::time::Duration::from_secs(30),
                        )
                        .await
                        .expect("uncontended");
                    rslock.unlock(&lock).await;
                }
            }
            other => panic!("unknown variant `{other}`: coord, floor or rslock"),
        }
    });
}
