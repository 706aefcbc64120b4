//! One editor at a time: `<config>.lock`, locked with flock(2) for as long as a wizard
//! (or `prune`, `rollback`) works on the config. The kernel drops the lock when the
//! process dies, however it dies, so a stale lock file never blocks anyone. The file
//! says who holds it, for the one who is turned away, and is emptied when the holder
//! lets go in an orderly way: a record found by the next holder means the last one
//! ended abruptly (killed, hung up), which is when a session may have left debris.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::file_safety::{self, UnsafePlace};

/// Who holds the lock, as written into the lock file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub user: String,
    pub pid: u32,
    /// The holder's terminal, e.g. `/dev/pts/3` (`None`: none, a script).
    pub terminal: Option<String>,
    /// Seconds since the epoch.
    pub since: i64,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (pid {}", self.user, self.pid)?;
        if let Some(terminal) = &self.terminal {
            write!(f, ", on {terminal}")?;
        }
        write!(f, ") since {}", crate::utc::utc(self.since))
    }
}

/// The lock, held until dropped.
#[derive(Debug)]
pub struct EditLock {
    file: File,
    last_holder_ended_abruptly: bool,
}

impl EditLock {
    /// Whether the previous holder ended without letting go (its record was still in the
    /// file): killed, hung up, or a version that never emptied it. Only then can a dead
    /// session have left draft entries that no draft names.
    pub fn last_holder_ended_abruptly(&self) -> bool {
        self.last_holder_ended_abruptly
    }
}

impl Drop for EditLock {
    fn drop(&mut self) {
        // Best effort: a failure only makes the next holder tidy once more than needed.
        let _ = self.file.set_len(0);
    }
}

/// Why the lock was not taken.
#[derive(Debug)]
pub enum LockError {
    /// Another process holds it (`None`: it has not said who yet).
    Busy(Option<Holder>),
    /// The place is not safe to create the lock in (another user could swap it).
    Unsafe(UnsafePlace),
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::Busy(Some(holder)) => write!(f, "it is being edited by {holder}"),
            LockError::Busy(None) => f.write_str("it is being edited by another wfm-wizard"),
            LockError::Unsafe(place) => place.fmt(f),
            LockError::Io(path, e) => write!(f, "cannot use the lock file {}: {e}", path.display()),
        }
    }
}

/// `<config>.lock`, beside the config's real path.
pub fn lock_path(config: &Path) -> PathBuf {
    let mut name = config.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Takes the lock without waiting, and records `holder` in it.
pub fn acquire(config: &Path, holder: &Holder) -> Result<EditLock, LockError> {
    acquire_with(config, holder, true)?
        .ok_or_else(|| LockError::Io(lock_path(config), std::io::ErrorKind::NotFound.into()))
}

/// [`acquire`] for a command that only reads: `Ok(None)` when no lock file exists,
/// so no editor ever worked here and there is nothing to tidy; none is created, so
/// `validate` leaves no `<config>.lock` beside a file it only looked at.
pub fn acquire_existing(config: &Path, holder: &Holder) -> Result<Option<EditLock>, LockError> {
    acquire_with(config, holder, false)
}

fn acquire_with(
    config: &Path,
    holder: &Holder,
    create: bool,
) -> Result<Option<EditLock>, LockError> {
    let path = lock_path(config);
    file_safety::check_target(config).map_err(LockError::Unsafe)?;
    file_safety::check_target(&path).map_err(LockError::Unsafe)?;
    let io = |e| LockError::Io(path.clone(), e);
    if !create && std::fs::symlink_metadata(&path).is_err() {
        return Ok(None);
    }
    if let Some(dir) = path
        .parent()
        .filter(|d| create && !d.as_os_str().is_empty())
    {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(io)?;
    }
    let mut options = File::options();
    options
        .read(true)
        .write(true)
        .create(create)
        .truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
        // A link planted at the lock's name must not make us write elsewhere.
        options.custom_flags(rustix_nofollow());
    }
    let mut file = match options.open(&path) {
        Ok(file) => file,
        // Removed between the look and the open: as if it had never been there.
        Err(e) if !create && e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(LockError::Busy(read_holder(&mut file)));
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
    }
    let last_holder_ended_abruptly = file.metadata().map_err(io)?.len() > 0;
    let text = serde_json::to_string(holder).map_err(|e| io(std::io::Error::other(e)))?;
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)?;
    Ok(Some(EditLock {
        file,
        last_holder_ended_abruptly,
    }))
}

#[cfg(unix)]
fn rustix_nofollow() -> i32 {
    rustix::fs::OFlags::NOFOLLOW.bits().cast_signed()
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.take(4096).read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

/// The holder of this process: the login user behind sudo, the pid, the terminal.
pub fn this_process(now: i64) -> Holder {
    Holder {
        user: super::history_file::actor().0,
        pid: std::process::id(),
        terminal: terminal_name(),
        since: now,
    }
}

fn terminal_name() -> Option<String> {
    #[cfg(target_os = "linux")]
    {
        use std::io::IsTerminal;
        if std::io::stdin().is_terminal() {
            return std::fs::read_link("/proc/self/fd/0")
                .ok()
                .map(|p| p.display().to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(pid: u32) -> Holder {
        Holder {
            user: "alice".into(),
            pid,
            terminal: Some("/dev/pts/3".into()),
            since: 1_796_166_240,
        }
    }

    #[test]
    fn a_second_editor_is_told_who_holds_the_lock_until_it_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let first = acquire(&config, &holder(11)).unwrap();
        match acquire(&config, &holder(22)) {
            Err(LockError::Busy(Some(who))) => {
                assert_eq!(who, holder(11));
                assert_eq!(
                    who.to_string(),
                    "alice (pid 11, on /dev/pts/3) since 2026-12-01 23:04:00Z"
                );
            }
            other => panic!("expected busy, got {other:?}"),
        }
        drop(first);
        assert!(acquire(&config, &holder(22)).is_ok());
    }

    #[test]
    fn a_holder_that_lets_go_leaves_no_record_and_one_that_vanishes_does() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let first = acquire(&config, &holder(11)).unwrap();
        assert!(
            !first.last_holder_ended_abruptly(),
            "a new lock file has no past"
        );
        drop(first);
        assert_eq!(std::fs::metadata(lock_path(&config)).unwrap().len(), 0);
        let second = acquire(&config, &holder(22)).unwrap();
        assert!(!second.last_holder_ended_abruptly());
        drop(second);
        // A process killed with the lock held never empties the file: its record stays,
        // and the kernel drops the flock.
        std::fs::write(
            lock_path(&config),
            r#"{"user":"alice","pid":22,"terminal":null,"since":0}"#,
        )
        .unwrap();
        let third = acquire(&config, &holder(33)).unwrap();
        assert!(third.last_holder_ended_abruptly());
    }

    #[test]
    fn a_reader_creates_no_lock_file_and_takes_an_existing_one() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        assert!(acquire_existing(&config, &holder(1)).unwrap().is_none());
        assert!(!lock_path(&config).exists());
        drop(acquire(&config, &holder(2)).unwrap());
        let lock = acquire_existing(&config, &holder(3)).unwrap();
        assert!(lock.is_some_and(|l| !l.last_holder_ended_abruptly()));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_at_the_lock_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep me").unwrap();
        std::os::unix::fs::symlink(&victim, lock_path(&config)).unwrap();
        assert!(matches!(
            acquire(&config, &holder(1)),
            Err(LockError::Io(..))
        ));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    }
}
