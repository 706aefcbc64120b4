//! Where a file may be written without handing it to another user, and the atomic
//! write of the wizard's own files (draft, journal, history).
//!
//! A directory that others can write without the sticky bit lets them swap the file
//! for a link after any check; a directory of another user is theirs to rearrange;
//! in a sticky shared directory (like /tmp) an entry someone else placed at the path
//! may be bait (a link to a file of theirs, or a file they keep write access to).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

mod temp;

pub(crate) use temp::file_name;
#[cfg(not(unix))]
pub(crate) use temp::replace;
#[cfg(unix)]
pub(crate) use temp::{Temp, open_dir, temp_owner_pid};
pub use temp::{sidecar_temp_path, write_private_atomic};

/// Why a path is not a safe place to write; each says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnsafePlace {
    /// Writable by group or others and not sticky: anyone there can replace the file.
    SharedDirectory { dir: PathBuf },
    /// Owned by a user other than this one (and not root).
    DirectoryOfAnotherUser { dir: PathBuf, owner: u32 },
    /// In a sticky shared directory, an entry at the path placed by another user.
    PlacedByAnotherUser { path: PathBuf, owner: u32 },
    /// One of the wizard's own files is a symbolic link.
    Symlink { path: PathBuf },
    /// One of the wizard's own files belongs to another user.
    OwnedByAnotherUser { path: PathBuf, owner: u32 },
    /// A directory, pipe or device where a regular file belongs.
    NotAFile { path: PathBuf },
}

impl fmt::Display for UnsafePlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SharedDirectory { dir } => write!(
                f,
                "{} can be written by other users and has no sticky bit, so they could \
                 replace the file; make it private (chmod go-w {}) or choose a path in a \
                 private directory with --config",
                dir.display(),
                dir.display()
            ),
            Self::DirectoryOfAnotherUser { dir, owner } => write!(
                f,
                "{} belongs to user id {owner}, not to you, so that user could replace the \
                 file; choose a path in a directory of your own with --config",
                dir.display()
            ),
            Self::PlacedByAnotherUser { path, owner } => write!(
                f,
                "{} is in a shared directory and was placed there by user id {owner}, not \
                 by you; it could be a trap, so it is left alone. Check it and remove it, \
                 or choose a path in a private directory with --config",
                path.display()
            ),
            Self::Symlink { path } => write!(
                f,
                "{} is a symbolic link; wfm-wizard never writes its own files through a \
                 link. Remove the link; wfm-wizard makes a new file",
                path.display()
            ),
            Self::OwnedByAnotherUser { path, owner } => write!(
                f,
                "{} belongs to user id {owner}, not to you, so wfm-wizard neither reads \
                 nor replaces it. Check it and remove it to start afresh",
                path.display()
            ),
            Self::NotAFile { path } => write!(
                f,
                "{} is not a regular file (a directory, pipe or device); move it away or \
                 choose another path with --config",
                path.display()
            ),
        }
    }
}

impl std::error::Error for UnsafePlace {}

/// A file operation that was refused or failed.
#[derive(Debug)]
pub enum FileError {
    Unsafe(UnsafePlace),
    Io {
        /// What was being done, e.g. "create the directory".
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

impl FileError {
    /// For `map_err`: an I/O failure while doing `action` on `path`.
    pub(crate) fn io(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> Self {
        let path = path.to_path_buf();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unsafe(place) => place.fmt(f),
            Self::Io {
                action,
                path,
                source,
            } => write!(f, "cannot {action} {}: {source}", path.display()),
        }
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unsafe(place) => Some(place),
            Self::Io { source, .. } => Some(source),
        }
    }
}

impl From<UnsafePlace> for FileError {
    fn from(place: UnsafePlace) -> Self {
        Self::Unsafe(place)
    }
}

/// The directory a path's entry lives in (`.` for a bare file name).
pub(crate) fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Refuses a directory that other users could rearrange. A directory that cannot be
/// inspected passes: the write that follows reports the real failure.
pub fn check_dir(dir: &Path) -> Result<(), UnsafePlace> {
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(dir) {
        return unix::check_dir_meta(dir, &meta);
    }
    let _ = dir;
    Ok(())
}

/// [`check_dir`] on the path's directory, then, in a sticky shared directory, refuses
/// an entry at the path (file or link) that another user placed there.
pub fn check_target(path: &Path) -> Result<(), UnsafePlace> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let dir = parent_of(path);
        let Ok(dir_meta) = std::fs::metadata(dir) else {
            return Ok(());
        };
        unix::check_dir_meta(dir, &dir_meta)?;
        if unix::is_shared_sticky(dir_meta.mode())
            && let Ok(entry) = std::fs::symlink_metadata(path)
            && !unix::trusted(entry.uid())
        {
            return Err(UnsafePlace::PlacedByAnotherUser {
                path: path.to_path_buf(),
                owner: entry.uid(),
            });
        }
    }
    let _ = path;
    Ok(())
}

/// Refuses one of the wizard's own files that is a link, not a regular file, or not
/// this user's. No file is fine.
pub fn check_private_entry(path: &Path) -> Result<(), UnsafePlace> {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    if meta.file_type().is_symlink() {
        return Err(UnsafePlace::Symlink {
            path: path.to_path_buf(),
        });
    }
    if !meta.is_file() {
        return Err(UnsafePlace::NotAFile {
            path: path.to_path_buf(),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.uid() != unix::effective_uid() {
            return Err(UnsafePlace::OwnedByAnotherUser {
                path: path.to_path_buf(),
                owner: meta.uid(),
            });
        }
    }
    Ok(())
}

/// Creates `dir` (and missing parents) with mode 0700; an existing one is checked.
pub fn create_private_dir(dir: &Path) -> Result<(), FileError> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(UnsafePlace::NotAFile {
                path: dir.to_path_buf(),
            }
            .into());
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder
                .create(dir)
                .map_err(FileError::io("create the directory", dir))?;
        }
        Err(e) => return Err(FileError::io("inspect the directory", dir)(e)),
    }
    Ok(check_dir(dir)?)
}

#[cfg(unix)]
pub(crate) mod unix {
    use std::os::unix::fs::MetadataExt;
    use std::path::Path;

    use super::UnsafePlace;

    const WRITABLE_BY_GROUP_OR_OTHERS: u32 = 0o022;
    const STICKY: u32 = 0o1000;

    pub fn effective_uid() -> u32 {
        rustix::process::geteuid().as_raw()
    }

    /// This user or root: root can do anything anyway.
    pub fn trusted(uid: u32) -> bool {
        uid == 0 || uid == effective_uid()
    }

    pub fn is_shared_sticky(mode: u32) -> bool {
        mode & WRITABLE_BY_GROUP_OR_OTHERS != 0 && mode & STICKY != 0
    }

    pub fn check_dir_meta(dir: &Path, meta: &std::fs::Metadata) -> Result<(), UnsafePlace> {
        if !trusted(meta.uid()) {
            return Err(UnsafePlace::DirectoryOfAnotherUser {
                dir: dir.to_path_buf(),
                owner: meta.uid(),
            });
        }
        if meta.mode() & WRITABLE_BY_GROUP_OR_OTHERS != 0 && meta.mode() & STICKY == 0 {
            return Err(UnsafePlace::SharedDirectory {
                dir: dir.to_path_buf(),
            });
        }
        Ok(())
    }
}

#[cfg(all(test, unix))]
mod tests;
