//! A per-process scratch directory holding the one file a fuzz input is written to: the
//! loaders read files, so that is what they are fuzzed through.

use std::path::PathBuf;
use std::sync::LazyLock;

/// The directory, created once.
pub static DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("coord-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
});

/// Writes `data` as `name` in the scratch directory and returns its path.
pub fn write(name: &str, data: &[u8]) -> PathBuf {
    let path = DIR.join(name);
    std::fs::write(&path, data).expect("the scratch file is writable");
    path
}
