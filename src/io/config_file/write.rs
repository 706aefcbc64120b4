//! Saving the config: through its links to the real file, which keeps its owner,
//! group, mode, ACLs and other extended attributes, and its hard links.

use std::path::Path;

use crate::io::file_safety::{FileError, check_target, create_private_dir, parent_of};

/// Writes `text` to the config so that readers see the old file or the new one. A
/// symlinked config (a chain too) is written through: the links stay links. A new file
/// is mode 0600. A file with several hard links is rewritten in place from a staged
/// copy (see [`super::recover`]). Refuses places where another user could swap the
/// file ([`crate::io::file_safety::UnsafePlace`]).
pub fn write_atomic(path: &Path, text: &str) -> Result<(), FileError> {
    let real = super::real_path::resolve(path, &mut |link| Ok(check_target(link)?))?;
    create_private_dir(parent_of(&real))?;
    check_target(&real)?;
    write_real(&real, text.as_bytes())
}

#[cfg(unix)]
fn write_real(real: &Path, bytes: &[u8]) -> Result<(), FileError> {
    use std::os::unix::fs::MetadataExt;

    use crate::io::file_safety::{Temp, open_dir};

    let name = crate::io::file_safety::file_name(real)?;
    let dir_path = parent_of(real);
    let dir = open_dir(dir_path)?;
    let Some(old) = unix::open_existing(&dir, real)? else {
        let mut temp = Temp::create(&dir, dir_path, name)?;
        temp.write_and_sync(bytes)?;
        return temp.rename_over(name);
    };
    let meta = old.metadata().map_err(FileError::io("inspect", real))?;
    if meta.nlink() > 1 {
        return unix::write_in_place(&dir, real, &meta, bytes);
    }
    let mut temp = Temp::create(&dir, dir_path, name)?;
    temp.write_and_sync(bytes)?;
    unix::copy_metadata(&old, &meta, &temp)?;
    temp.file
        .sync_all()
        .map_err(FileError::io("write", &temp.path()))?;
    temp.rename_over(name)
}

#[cfg(not(unix))]
fn write_real(real: &Path, bytes: &[u8]) -> Result<(), FileError> {
    crate::io::file_safety::replace(real, bytes)
}

#[cfg(unix)]
pub(super) mod unix {
    use std::fs::File;
    use std::os::fd::OwnedFd;
    use std::os::unix::fs::{FileExt, MetadataExt, PermissionsExt};
    use std::path::Path;

    use rustix::fs::{AtFlags, Gid, Mode, OFlags, Uid};
    use rustix::io::Errno;

    use crate::io::file_safety::{FileError, Temp, UnsafePlace, file_name, parent_of};

    /// The regular file at `path`, opened without following a link; `None` when absent.
    pub fn open_existing(dir: &OwnedFd, path: &Path) -> Result<Option<File>, FileError> {
        let name = file_name(path)?;
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let file = match rustix::fs::openat(dir, name, flags, Mode::empty()) {
            Ok(fd) => File::from(fd),
            Err(Errno::NOENT) => return Ok(None),
            // A link appeared after the links were resolved: someone is racing us.
            Err(Errno::LOOP) => {
                return Err(UnsafePlace::Symlink {
                    path: path.to_path_buf(),
                }
                .into());
            }
            Err(e) => return Err(FileError::io("open", path)(e.into())),
        };
        let is_file = file
            .metadata()
            .map_err(FileError::io("inspect", path))?
            .is_file();
        if !is_file {
            return Err(UnsafePlace::NotAFile {
                path: path.to_path_buf(),
            }
            .into());
        }
        Ok(Some(file))
    }

    /// Gives the temp file the old file's owner, group, extended attributes (ACLs
    /// included) and mode. Without the right to give a file away, keeps the group if
    /// allowed, else this user's.
    pub fn copy_metadata(
        old: &File,
        meta: &std::fs::Metadata,
        temp: &Temp<'_>,
    ) -> Result<(), FileError> {
        let temp_path = temp.path();
        let (uid, gid) = (
            Some(Uid::from_raw(meta.uid())),
            Some(Gid::from_raw(meta.gid())),
        );
        if let Err(Errno::PERM) = rustix::fs::fchown(&temp.file, uid, gid) {
            let _ = rustix::fs::fchown(&temp.file, None, gid);
        }
        super::super::xattrs::copy(old, &temp.file, &temp_path)?;
        // Last: a chown clears set-id bits, and an ACL write sets the group bits.
        temp.file
            .set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))
            .map_err(FileError::io("set the mode of", &temp_path))
    }

    /// The name of the complete copy kept while a hard-linked file is rewritten.
    pub fn staged_name(name: &std::ffi::OsStr) -> std::ffi::OsString {
        let mut staged = std::ffi::OsString::from(".");
        staged.push(name);
        staged.push(".wfm-staged");
        staged
    }

    /// A rename would split the hard links, so: stage a complete copy beside it, then
    /// overwrite the file itself, then drop the copy. A crash in between leaves the
    /// copy for [`crate::io::config_file::recover`] to finish from.
    pub fn write_in_place(
        dir: &OwnedFd,
        path: &Path,
        meta: &std::fs::Metadata,
        bytes: &[u8],
    ) -> Result<(), FileError> {
        let name = file_name(path)?;
        let dir_path = parent_of(path);
        let staged = staged_name(name);
        let mut temp = Temp::create(dir, dir_path, name)?;
        temp.write_and_sync(bytes)?;
        temp.rename_over(&staged)?;
        overwrite(dir, path, Some((meta.dev(), meta.ino())), bytes)?;
        remove_staged(dir, dir_path, &staged)
    }

    /// Rewrites the file at `path` in place: writes, truncates to the new length, syncs.
    /// With `expected`, refuses if the name now holds another file.
    pub fn overwrite(
        dir: &OwnedFd,
        path: &Path,
        expected: Option<(u64, u64)>,
        bytes: &[u8],
    ) -> Result<(), FileError> {
        let name = file_name(path)?;
        let flags = OFlags::WRONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let file = File::from(
            rustix::fs::openat(dir, name, flags, Mode::empty())
                .map_err(|e| FileError::io("open for writing", path)(e.into()))?,
        );
        let meta = file.metadata().map_err(FileError::io("inspect", path))?;
        if !meta.is_file() || expected.is_some_and(|id| id != (meta.dev(), meta.ino())) {
            return Err(UnsafePlace::NotAFile {
                path: path.to_path_buf(),
            }
            .into());
        }
        file.write_all_at(bytes, 0)
            .and_then(|()| file.set_len(bytes.len() as u64))
            .and_then(|()| file.sync_all())
            .map_err(FileError::io("write", path))
    }

    pub fn remove_staged(
        dir: &OwnedFd,
        dir_path: &Path,
        staged: &std::ffi::OsStr,
    ) -> Result<(), FileError> {
        let staged_path = dir_path.join(staged);
        rustix::fs::unlinkat(dir, staged, AtFlags::empty())
            .map_err(|e| FileError::io("remove", &staged_path)(e.into()))?;
        rustix::fs::fsync(dir).map_err(|e| FileError::io("sync the directory", dir_path)(e.into()))
    }
}
