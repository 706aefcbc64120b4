//! The YAML file on disk: where it lives, reading it with a size cap, writing it
//! atomically through links while keeping its owner, mode, ACLs, xattrs and hard links.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::file_safety::{self, FileError, UnsafePlace};
use crate::config::MAX_FILE_BYTES;

mod real_path;
mod recover;
mod write;
#[cfg(unix)]
mod xattrs;

pub use real_path::real_path;

/// [`real_path`], or `path` itself when it cannot be resolved (the error then shows
/// when the file is used).
pub fn real_path_or_given(path: &Path) -> PathBuf {
    real_path(path).unwrap_or_else(|_| path.to_path_buf())
}
pub use recover::{Recovered, recover, remove_dead_temps};
pub use write::write_atomic;

const FILE_NAME: &str = "integrations.yaml";

/// Root: `/etc/wfm-wizard/integrations.yaml`; others: `$XDG_CONFIG_HOME/wfm-wizard/...`.
pub fn default_path() -> PathBuf {
    if running_as_root() {
        return PathBuf::from("/etc/wfm-wizard").join(FILE_NAME);
    }
    let base = etcetera::base_strategy::choose_base_strategy().map_or_else(
        |_| PathBuf::from("."),
        |s| etcetera::BaseStrategy::config_dir(&s),
    );
    base.join("wfm-wizard").join(FILE_NAME)
}

#[cfg(unix)]
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's effective user.
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

#[cfg(not(unix))]
fn running_as_root() -> bool {
    false
}

/// The file's text, or `None` when there is no file yet. Refuses files over the cap
/// without reading them whole. Follows links: the operator's config may be one.
pub fn read(path: &Path) -> Result<Option<String>, String> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot open it: {e}")),
    };
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err("it is a directory, not a file".into());
    }
    read_capped(file).map(Some)
}

/// For the wizard's own files (draft, journal, history): as [`read`], but a link, a
/// file that is not regular, or one of another user is refused, not read.
pub fn read_no_follow(path: &Path) -> Result<Option<String>, FileError> {
    let file = match open_no_follow(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            // O_NOFOLLOW's ELOOP: say "link", not "too many levels of links".
            file_safety::check_private_entry(path)?;
            return Err(FileError::io("open", path)(e));
        }
    };
    let meta = file.metadata().map_err(FileError::io("inspect", path))?;
    if !meta.is_file() {
        return Err(UnsafePlace::NotAFile {
            path: path.to_path_buf(),
        }
        .into());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let owner = meta.uid();
        if owner != rustix::process::geteuid().as_raw() {
            return Err(UnsafePlace::OwnedByAnotherUser {
                path: path.to_path_buf(),
                owner,
            }
            .into());
        }
    }
    read_capped(file).map(Some).map_err(|why| FileError::Io {
        action: "read",
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, why),
    })
}

#[cfg(unix)]
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    use rustix::fs::{Mode, OFlags};
    // NONBLOCK: a pipe placed at the path must not hang the open.
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    Ok(rustix::fs::open(path, flags, Mode::empty())?.into())
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    file_safety::check_private_entry(path).map_err(std::io::Error::other)?;
    std::fs::File::open(path)
}

fn read_capped(file: std::fs::File) -> Result<String, String> {
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "it is larger than {MAX_FILE_BYTES} bytes (8 MiB); this is not a wfm-wizard file"
        ));
    }
    String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text, so not YAML".into())
}

#[cfg(test)]
mod tests;
