//! Temporary files beside the file they will replace, named
//! `.<file name>.wfm-tmp-<pid>-<random hex>` so that a later start can recognise and
//! remove the ones an interrupted process left behind.

use std::ffi::{OsStr, OsString};
use std::path::Path;

use super::FileError;

const TEMP_MARK: &str = ".wfm-tmp-";

/// Replaces `path` with `bytes` atomically: a 0600 temp file (never following a link),
/// fsync, rename over `path`, fsync of the directory. Refuses when `path` is a link, is
/// not this user's, or sits where others could swap it.
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    super::check_target(path)?;
    super::check_private_entry(path)?;
    replace(path, bytes)
}

/// The atomic replacement itself, without the checks.
#[cfg(unix)]
pub(crate) fn replace(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let name = file_name(path)?;
    let dir_path = super::parent_of(path);
    let dir = open_dir(dir_path)?;
    let mut temp = Temp::create(&dir, dir_path, name)?;
    temp.write_and_sync(bytes)?;
    temp.rename_over(name)
}

#[cfg(not(unix))]
pub(crate) fn replace(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    use std::io::Write;
    let name = file_name(path)?;
    let temp = super::parent_of(path).join(temp_name(name));
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(FileError::io("write", path))
}

pub(crate) fn file_name(path: &Path) -> Result<&OsStr, FileError> {
    path.file_name().ok_or_else(|| FileError::Io {
        action: "write",
        path: path.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the path does not end in a file name",
        ),
    })
}

/// Where a wizard-owned sidecar of `config` (`<config>.<word>`) is prepared before it
/// is linked into place: a temp name that the next start removes if its process died.
pub fn sidecar_temp_path(config: &Path, word: &str) -> std::path::PathBuf {
    let mut base = config.file_name().unwrap_or_default().to_owned();
    base.push(".");
    base.push(word);
    config.with_file_name(temp_name(&base))
}

/// `.<base>.wfm-tmp-<pid>-<16 hex digits>`.
fn temp_name(base: &OsStr) -> OsString {
    let mut name = OsString::from(".");
    name.push(base);
    name.push(format!(
        "{TEMP_MARK}{}-{:016x}",
        std::process::id(),
        random_u64()
    ));
    name
}

/// The pid in a temp file name made by this module for `base` or for a sidecar of it
/// (`.<base>.<word>.wfm-tmp-...`); `None` for any other name.
#[cfg(unix)]
pub(crate) fn temp_owner_pid(candidate: &OsStr, base: &OsStr) -> Option<u32> {
    use std::os::unix::ffi::OsStrExt;
    let rest = candidate.as_bytes().strip_prefix(b".")?;
    let rest = rest.strip_prefix(base.as_bytes())?;
    let mark = TEMP_MARK.as_bytes();
    let at = rest.windows(mark.len()).position(|w| w == mark)?;
    let (sidecar, tail) = (&rest[..at], &rest[at + mark.len()..]);
    let sidecar_ok = sidecar.is_empty()
        || sidecar.strip_prefix(b".").is_some_and(|word| {
            !word.is_empty() && word.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        });
    let (pid, random) = std::str::from_utf8(tail).ok()?.split_once('-')?;
    let random_ok = random.len() == 16 && random.bytes().all(|b| b.is_ascii_hexdigit());
    (sidecar_ok && random_ok && pid.bytes().all(|b| b.is_ascii_digit()))
        .then(|| pid.parse().ok())
        .flatten()
}

/// From /dev/urandom; the clock when it cannot be read (`O_EXCL` still keeps names
/// from clashing, the randomness only makes them unguessable).
fn random_u64() -> u64 {
    use std::io::Read;
    let mut bytes = [0_u8; 8];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .is_ok()
    {
        return u64::from_ne_bytes(bytes);
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

#[cfg(unix)]
pub(crate) use unix::{Temp, open_dir};

#[cfg(unix)]
mod unix {
    use std::ffi::{OsStr, OsString};
    use std::fs::File;
    use std::io::Write;
    use std::os::fd::OwnedFd;
    use std::path::Path;

    use rustix::fs::{AtFlags, Mode, OFlags};

    use super::super::FileError;

    /// The directory, opened to create and rename entries relative to it.
    pub fn open_dir(dir: &Path) -> Result<OwnedFd, FileError> {
        rustix::fs::open(
            dir,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| FileError::io("open the directory", dir)(e.into()))
    }

    /// A new 0600 file in `dir`, removed on drop unless renamed into place.
    pub struct Temp<'d> {
        dir: &'d OwnedFd,
        dir_path: &'d Path,
        name: OsString,
        pub file: File,
        placed: bool,
    }

    impl<'d> Temp<'d> {
        pub fn create(
            dir: &'d OwnedFd,
            dir_path: &'d Path,
            base: &OsStr,
        ) -> Result<Self, FileError> {
            let flags =
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            let mut attempts = 0;
            loop {
                let name = super::temp_name(base);
                match rustix::fs::openat(dir, &name, flags, Mode::RUSR | Mode::WUSR) {
                    Ok(fd) => {
                        return Ok(Self {
                            dir,
                            dir_path,
                            name,
                            file: File::from(fd),
                            placed: false,
                        });
                    }
                    Err(rustix::io::Errno::EXIST) if attempts < 8 => attempts += 1,
                    Err(e) => {
                        return Err(FileError::io("create a temporary file in", dir_path)(
                            e.into(),
                        ));
                    }
                }
            }
        }

        pub fn path(&self) -> std::path::PathBuf {
            self.dir_path.join(&self.name)
        }

        pub fn write_and_sync(&mut self, bytes: &[u8]) -> Result<(), FileError> {
            self.file
                .write_all(bytes)
                .and_then(|()| self.file.sync_all())
                .map_err(FileError::io("write", &self.path()))
        }

        /// Renames the temp file over `target` in the same directory (a link there is
        /// replaced, never followed), then makes the rename durable.
        pub fn rename_over(mut self, target: &OsStr) -> Result<(), FileError> {
            rustix::fs::renameat(self.dir, &self.name, self.dir, target).map_err(|e| {
                FileError::io("rename into place", &self.dir_path.join(target))(e.into())
            })?;
            self.placed = true;
            rustix::fs::fsync(self.dir)
                .map_err(|e| FileError::io("sync the directory", self.dir_path)(e.into()))
        }
    }

    impl Drop for Temp<'_> {
        fn drop(&mut self) {
            if !self.placed {
                let _ = rustix::fs::unlinkat(self.dir, &self.name, AtFlags::empty());
            }
        }
    }
}
