//! A fresh temporary directory holding a few files, removed on drop: rule and configuration
//! files for the loaders to read.

use std::path::{Path, PathBuf};

/// The directory; unique per process, `name` and instance.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A directory holding `files`, each `(file name, contents)`.
    pub fn with_files<C: AsRef<[u8]>>(name: &str, files: &[(&str, C)]) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "coord-{name}-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        for (file, contents) in files {
            std::fs::write(dir.join(file), contents).unwrap();
        }
        Self(dir)
    }

    /// A directory holding one file.
    pub fn with_file(name: &str, file: &str, contents: &[u8]) -> Self {
        Self::with_files(name, &[(file, contents)])
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
