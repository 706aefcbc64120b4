//! The history directory through a handle: once it is opened (never through a
//! symlink, and only when this user owns it), every file in it is reached relative to
//! that handle, so swapping the path for a symlink later changes nothing.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, FlockOperation, Mode, OFlags};
use rustix::io::Errno;

use super::HistoryError;

pub struct HistoryDir {
    pub path: PathBuf,
    fd: OwnedFd,
}

impl HistoryDir {
    /// Opens `path` (creating it, mode 0700, when `create`). `Ok(None)`: it does not
    /// exist and `create` is false.
    pub fn open(path: &Path, create: bool) -> Result<Option<HistoryDir>, HistoryError> {
        let io = |source: std::io::Error| HistoryError::Io {
            what: "open the history directory",
            path: path.to_owned(),
            source,
        };
        if create {
            match rustix::fs::mkdir(path, Mode::from_raw_mode(0o700)) {
                Ok(()) | Err(Errno::EXIST) => {}
                Err(e) => return Err(io(e.into())),
            }
        }
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = match rustix::fs::open(path, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) if !create => return Ok(None),
            Err(Errno::LOOP | Errno::NOTDIR) => return Err(refusal(path)),
            Err(e) => return Err(io(e.into())),
        };
        let stat = rustix::fs::fstat(&fd).map_err(|e| io(e.into()))?;
        let euid = rustix::process::geteuid().as_raw();
        if stat.st_uid != euid {
            return Err(HistoryError::NotOwned {
                dir: path.to_owned(),
                owner: stat.st_uid,
                euid,
            });
        }
        if stat.st_mode & 0o077 != 0 {
            rustix::fs::fchmod(&fd, Mode::from_raw_mode(0o700)).map_err(|e| io(e.into()))?;
        }
        Ok(Some(HistoryDir {
            path: path.to_owned(),
            fd,
        }))
    }

    fn io(&self, what: &'static str, name: &str, source: Errno) -> HistoryError {
        HistoryError::Io {
            what,
            path: self.path.join(name),
            source: source.into(),
        }
    }

    /// Replaces `name` with `text` whole: a new temporary file (never an existing one,
    /// never through a link), synced, then renamed over it, then the directory synced.
    pub fn replace(&self, name: &str, text: &str) -> Result<(), HistoryError> {
        let temp = format!(".{name}.{}.tmp", std::process::id());
        let _ = rustix::fs::unlinkat(&self.fd, temp.as_str(), AtFlags::empty());
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW;
        let fd = rustix::fs::openat(&self.fd, temp.as_str(), flags | OFlags::CLOEXEC, private())
            .map_err(|e| self.io("create a backup in", &temp, e))?;
        let mut file = File::from(fd);
        let written = file
            .write_all(text.as_bytes())
            .and_then(|()| file.sync_all());
        if let Err(source) = written {
            let _ = rustix::fs::unlinkat(&self.fd, temp.as_str(), AtFlags::empty());
            return Err(HistoryError::Io {
                what: "write a backup in",
                path: self.path.join(&temp),
                source,
            });
        }
        rustix::fs::renameat(&self.fd, temp.as_str(), &self.fd, name)
            .map_err(|e| self.io("rename a backup in", name, e))?;
        self.sync()
    }

    pub fn sync(&self) -> Result<(), HistoryError> {
        rustix::fs::fsync(&self.fd).map_err(|e| self.io("sync", "", e))
    }

    /// The text of `name`, `None` when absent; refused past `cap` bytes.
    pub fn read(&self, name: &str, cap: u64) -> Result<Option<String>, HistoryError> {
        let Some(file) = self.open_file(name, OFlags::RDONLY)? else {
            return Ok(None);
        };
        let size = file.metadata().map_or(0, |m| m.len());
        if size > cap {
            return Err(HistoryError::TooLarge {
                path: self.path.join(name),
                bytes: size,
                cap,
            });
        }
        let mut text = String::new();
        file.take(cap)
            .read_to_string(&mut text)
            .map_err(|source| HistoryError::Io {
                what: "read",
                path: self.path.join(name),
                source,
            })?;
        Ok(Some(text))
    }

    /// Opens `name` for appending (created 0600 when absent), locked against other
    /// writers until the file is dropped.
    pub fn open_locked_append(&self, name: &str) -> Result<File, HistoryError> {
        let flags = OFlags::RDWR | OFlags::APPEND | OFlags::CREATE;
        let file = self
            .open_file(name, flags)?
            .ok_or_else(|| self.io("open", name, Errno::NOENT))?;
        rustix::fs::flock(&file, FlockOperation::LockExclusive)
            .map_err(|e| self.io("lock", name, e))?;
        Ok(file)
    }

    fn open_file(&self, name: &str, flags: OFlags) -> Result<Option<File>, HistoryError> {
        let flags = flags | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = match rustix::fs::openat(&self.fd, name, flags, private()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(None),
            Err(e) => return Err(self.io("open", name, e)),
        };
        let stat = rustix::fs::fstat(&fd).map_err(|e| self.io("check", name, e))?;
        if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
            return Err(self.io("open (not a regular file)", name, Errno::INVAL));
        }
        Ok(Some(File::from(fd)))
    }

    /// Names of the entries in the directory.
    pub fn names(&self) -> Result<Vec<String>, HistoryError> {
        let dir = rustix::fs::Dir::read_from(&self.fd).map_err(|e| self.io("list", "", e))?;
        let mut names = Vec::new();
        for entry in dir {
            let entry = entry.map_err(|e| self.io("list", "", e))?;
            if let Ok(name) = entry.file_name().to_str() {
                names.push(name.to_owned());
            }
        }
        Ok(names)
    }

    pub fn remove(&self, name: &str) -> Result<(), HistoryError> {
        rustix::fs::unlinkat(&self.fd, name, AtFlags::empty())
            .map_err(|e| self.io("remove an old backup from", name, e))
    }
}

fn private() -> Mode {
    Mode::from_raw_mode(0o600)
}

fn refusal(path: &Path) -> HistoryError {
    HistoryError::NotADirectory {
        dir: path.to_owned(),
    }
}
