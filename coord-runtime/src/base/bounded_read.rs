//! Reading a file that a user named (a configuration file, a rule file) without trusting what
//! is at that path: it must be a regular file (after following symbolic links), and no more
//! than a limit is read, even if the file grows between the size check and the read.
//!
//! `/dev/zero` once passed the size check (a device reports size 0) and was read until memory
//! ran out; a FIFO blocked start-up forever; a directory or a dangling link named `*.yaml` was
//! skipped without a word. Each is now an error naming what the path is.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub(crate) enum ReadProblem {
    /// The operating system's error: missing, a dangling link, a link loop, no permission.
    Io(io::Error),
    /// The path names something other than a regular file: "a directory", "a FIFO", …
    NotAFile(&'static str),
    /// Larger than the limit (at least `size` bytes).
    TooLarge {
        /// Its size, or the bytes read before the limit was passed.
        size: u64,
    },
}

/// The contents of the regular file at `path`, at most `limit` bytes.
pub(crate) fn read_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadProblem> {
    // Checked before opening: opening a FIFO for reading waits for a writer.
    let kind = std::fs::metadata(path)
        .map_err(ReadProblem::Io)?
        .file_type();
    if !kind.is_file() {
        return Err(ReadProblem::NotAFile(describe(kind)));
    }
    let file = open_without_blocking(path).map_err(ReadProblem::Io)?;
    // Checked again on the opened file: the path may have been replaced in between.
    let metadata = file.metadata().map_err(ReadProblem::Io)?;
    if !metadata.is_file() {
        return Err(ReadProblem::NotAFile(describe(metadata.file_type())));
    }
    if metadata.len() > limit {
        return Err(ReadProblem::TooLarge {
            size: metadata.len(),
        });
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadProblem::Io)?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > limit {
        return Err(ReadProblem::TooLarge { size: read });
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open_without_blocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // Should the path become a FIFO after the check, opening it returns at once instead of
    // waiting for a writer; the check of the opened file then refuses it.
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

#[cfg(unix)]
fn describe(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn describe(kind: std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn devices_directories_and_missing_paths_are_refused_by_kind() {
        assert!(matches!(
            read_regular_file(Path::new("/dev/zero"), 1 << 20),
            Err(ReadProblem::NotAFile("a character device"))
        ));
        assert!(matches!(
            read_regular_file(Path::new("/"), 1 << 20),
            Err(ReadProblem::NotAFile("a directory"))
        ));
        assert!(matches!(
            read_regular_file(Path::new("/nonexistent/coord"), 1 << 20),
            Err(ReadProblem::Io(_))
        ));
    }
}
