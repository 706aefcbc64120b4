//! What an interrupted save leaves behind, put right at the next start: a staged copy
//! of a hard-linked config (the in-place rewrite may be torn) and temporary files.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::io::file_safety::FileError;

/// What [`recover`] did, for a log line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// The config that an interrupted in-place save was finished for.
    pub finished: Option<PathBuf>,
    /// Temporary files of dead processes that were removed.
    pub removed: Vec<PathBuf>,
}

impl Recovered {
    pub fn is_nothing(&self) -> bool {
        self.finished.is_none() && self.removed.is_empty()
    }
}

impl fmt::Display for Recovered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(path) = &self.finished {
            parts.push(format!(
                "finished an interrupted save of {} from its staged copy",
                path.display()
            ));
        }
        if !self.removed.is_empty() {
            let names: Vec<String> = self
                .removed
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            parts.push(format!(
                "removed leftover temporary files: {}",
                names.join(", ")
            ));
        }
        if parts.is_empty() {
            parts.push("nothing to recover".to_owned());
        }
        f.write_str(&parts.join("; "))
    }
}

/// Finishes an in-place save cut short (its staged copy is complete: rewrite the
/// config from it, then remove it) and removes temporary files of this config and its
/// sidecars that dead processes left (only regular files of this user). Call at every
/// start, under the config's lock.
#[cfg(unix)]
pub fn recover(path: &Path) -> Result<Recovered, FileError> {
    use std::os::unix::fs::MetadataExt;

    use super::write::unix::{overwrite, remove_staged, staged_name};
    use crate::io::file_safety::{check_target, open_dir, parent_of, unix::effective_uid};

    let real = super::real_path::resolve(path, &mut |link| Ok(check_target(link)?))?;
    let dir_path = parent_of(&real);
    let name = crate::io::file_safety::file_name(&real)?;
    if !dir_path.is_dir() {
        return Ok(Recovered::default());
    }
    check_target(&real)?;
    let dir = open_dir(dir_path)?;
    let ours = |p: &Path| {
        std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file() && m.uid() == effective_uid())
    };
    let mut done = Recovered::default();

    let staged = staged_name(name);
    let staged_path = dir_path.join(&staged);
    if ours(&staged_path) {
        let text = std::fs::read(&staged_path).map_err(FileError::io("read", &staged_path))?;
        if std::fs::symlink_metadata(&real).is_ok() {
            overwrite(&dir, &real, None, &text)?;
            remove_staged(&dir, dir_path, &staged)?;
        } else {
            // The config was removed meanwhile: the staged copy is the saved text.
            rustix::fs::renameat(&dir, &staged, &dir, name)
                .map_err(|e| FileError::io("rename into place", &real)(e.into()))?;
        }
        done.finished = Some(real.clone());
    }

    done.removed = remove_dead_temps_in(&dir, dir_path, name)?;
    Ok(done)
}

/// Removes the temporary files of `path` and its sidecars whose process has died (only
/// regular files of this user). Safe at any time: a live save's files are left alone.
#[cfg(unix)]
pub fn remove_dead_temps(path: &Path) -> Result<Vec<PathBuf>, FileError> {
    use crate::io::file_safety::{check_target, open_dir, parent_of};
    let real = super::real_path::resolve(path, &mut |link| Ok(check_target(link)?))?;
    let dir_path = parent_of(&real);
    if !dir_path.is_dir() {
        return Ok(Vec::new());
    }
    let name = crate::io::file_safety::file_name(&real)?;
    let dir = open_dir(dir_path)?;
    remove_dead_temps_in(&dir, dir_path, name)
}

#[cfg(not(unix))]
pub fn remove_dead_temps(_path: &Path) -> Result<Vec<PathBuf>, FileError> {
    Ok(Vec::new())
}

#[cfg(unix)]
fn remove_dead_temps_in(
    dir: &std::os::fd::OwnedFd,
    dir_path: &Path,
    name: &std::ffi::OsStr,
) -> Result<Vec<PathBuf>, FileError> {
    use std::os::unix::fs::MetadataExt;

    use crate::io::file_safety::{temp_owner_pid, unix::effective_uid};
    let ours = |p: &Path| {
        std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file() && m.uid() == effective_uid())
    };
    let mut removed = Vec::new();
    let entries = std::fs::read_dir(dir_path).map_err(FileError::io("list", dir_path))?;
    for entry in entries.flatten() {
        let candidate = entry.file_name();
        let Some(pid) = temp_owner_pid(&candidate, name) else {
            continue;
        };
        let path = dir_path.join(&candidate);
        if process_alive(pid) || !ours(&path) {
            continue;
        }
        rustix::fs::unlinkat(dir, &candidate, rustix::fs::AtFlags::empty())
            .map_err(|e| FileError::io("remove", &path)(e.into()))?;
        removed.push(path);
    }
    Ok(removed)
}

/// Nothing to put right where saves are plain renames.
#[cfg(not(unix))]
pub fn recover(_path: &Path) -> Result<Recovered, FileError> {
    Ok(Recovered::default())
}

/// A process with this pid exists (it may be writing that temp file right now).
#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}
