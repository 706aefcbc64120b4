//! Beside the config, `<config real path>.history/` (mode 0700, owned by this user):
//! `<revision>.yaml` backups of replaced files (mode 0600, the newest 10) and
//! `audit.jsonl`, one JSON record per save, appended only.

#[cfg(unix)]
mod dir;
#[cfg(not(unix))]
#[path = "history_file/unsupported.rs"]
mod dir;

use std::fmt;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::MAX_FILE_BYTES;
use crate::config::diff::{Change, ChangeCounts};

/// Backups kept; older ones are removed after each new one.
pub const KEEP_BACKUPS: usize = 10;
/// Larger audit files are refused rather than read: 16 MiB is some 30,000 saves.
pub const MAX_AUDIT_BYTES: u64 = 16 * 1024 * 1024;
const AUDIT_FILE: &str = "audit.jsonl";

/// Why the history could not be read or written. Each says what to fix.
#[derive(Debug)]
pub enum HistoryError {
    /// The history path is a symlink or not a directory.
    NotADirectory {
        dir: PathBuf,
    },
    /// Someone else owns the directory: it could hold planted backups.
    NotOwned {
        dir: PathBuf,
        owner: u32,
        euid: u32,
    },
    TooLarge {
        path: PathBuf,
        bytes: u64,
        cap: u64,
    },
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// No history on this operating system yet.
    Unsupported,
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistoryError::NotADirectory { dir } => write!(
                f,
                "{} is a symlink or not a directory; history is kept only in a real \
                 directory: move it aside and run again",
                dir.display()
            ),
            HistoryError::NotOwned { dir, owner, euid } => write!(
                f,
                "{} belongs to uid {owner}, not to this user (uid {euid}); its backups cannot \
                 be trusted: check who made it, then remove it or `chown` it to this user",
                dir.display()
            ),
            HistoryError::TooLarge { path, bytes, cap } => write!(
                f,
                "{} is {bytes} bytes, over the {cap}-byte limit; move it aside (a new one is \
                 started) and keep it if you need the old records",
                path.display()
            ),
            HistoryError::Io { what, path, source } => {
                write!(f, "cannot {what} {}: {source}", path.display())
            }
            HistoryError::Unsupported => {
                f.write_str("history and rollback are not available on this operating system")
            }
        }
    }
}

impl std::error::Error for HistoryError {}

/// One save, as the audit trail keeps it. No secret value is in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub revision: u64,
    /// Seconds since the Unix epoch.
    pub at: i64,
    /// The login user behind sudo, else the login name.
    pub user: String,
    pub uid: u32,
    /// Each change as `Change`'s redacted Display says it.
    pub changes: Vec<String>,
    /// The same changes counted, for `history`'s summary.
    #[serde(default)]
    pub counts: ChangeCounts,
    /// The entries this save wrote, with the fingerprint of what it wrote.
    #[serde(default)]
    pub secrets: Vec<AuditSecret>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSecret {
    /// The keyring user name.
    pub entry: String,
    pub store: String,
    pub fingerprint: String,
}

impl AuditRecord {
    pub fn new(
        revision: u64,
        at: i64,
        (user, uid): (String, u32),
        changes: &[Change],
        secrets: Vec<AuditSecret>,
    ) -> AuditRecord {
        AuditRecord {
            revision,
            at,
            user,
            uid,
            changes: changes.iter().map(ToString::to_string).collect(),
            counts: ChangeCounts::of(changes),
            secrets,
        }
    }
}

/// Who is saving and the real uid: `SUDO_USER` when running as root under sudo,
/// else `LOGNAME`, else `USER`, else the uid's name in /etc/passwd, else `uid N`.
pub fn actor() -> (String, u32) {
    let var = |name| std::env::var(name).ok();
    let (euid, uid) = ids();
    let user = var("USER").or_else(|| passwd_name(uid));
    actor_from(
        euid,
        uid,
        var("SUDO_USER").as_deref(),
        var("LOGNAME").as_deref(),
        user.as_deref(),
    )
}

/// The login name of `uid` in /etc/passwd (cron, tmux and service environments may
/// carry no `USER`).
fn passwd_name(uid: u32) -> Option<String> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id = fields.nth(1)?;
        (id.parse() == Ok(uid)).then(|| name.to_owned())
    })
}

#[cfg(unix)]
fn ids() -> (u32, u32) {
    (
        rustix::process::geteuid().as_raw(),
        rustix::process::getuid().as_raw(),
    )
}

#[cfg(not(unix))]
fn ids() -> (u32, u32) {
    (u32::MAX, u32::MAX)
}

/// [`actor`] without the environment, for tests.
pub fn actor_from(
    euid: u32,
    uid: u32,
    sudo_user: Option<&str>,
    logname: Option<&str>,
    user: Option<&str>,
) -> (String, u32) {
    fn named(name: Option<&str>) -> Option<&str> {
        name.map(str::trim).filter(|n| !n.is_empty())
    }
    let sudo = named(sudo_user).filter(|_| euid == 0);
    let name = sudo
        .or(named(logname))
        .or(named(user))
        .map_or_else(|| format!("uid {uid}"), str::to_owned);
    (name, uid)
}

/// `<config real path>.history`.
pub fn history_dir(config_real: &Path) -> PathBuf {
    let mut name = config_real.as_os_str().to_owned();
    name.push(".history");
    PathBuf::from(name)
}

fn backup_name(revision: u64) -> String {
    format!("{revision}.yaml")
}

use dir::HistoryDir;

/// Keeps `text` (the file as it was at `revision`) as a backup, then removes all but
/// the newest [`KEEP_BACKUPS`].
pub fn keep_backup(config_real: &Path, revision: u64, text: &str) -> Result<(), HistoryError> {
    let Some(dir) = HistoryDir::open(&history_dir(config_real), true)? else {
        return Err(HistoryError::Unsupported);
    };
    dir.replace(&backup_name(revision), text)?;
    let mut kept = backup_revisions(&dir)?;
    kept.sort_unstable_by(|a, b| b.cmp(a));
    for old in kept.into_iter().skip(KEEP_BACKUPS) {
        dir.remove(&backup_name(old))?;
    }
    dir.sync()
}

fn backup_revisions(dir: &HistoryDir) -> Result<Vec<u64>, HistoryError> {
    Ok(dir
        .names()?
        .iter()
        .filter_map(|name| name.strip_suffix(".yaml"))
        .filter(|stem| !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|stem| stem.parse().ok())
        .collect())
}

/// The revisions that have a backup, oldest first.
pub fn kept_backups(config_real: &Path) -> Result<Vec<u64>, HistoryError> {
    let Some(dir) = HistoryDir::open(&history_dir(config_real), false)? else {
        return Ok(Vec::new());
    };
    let mut kept = backup_revisions(&dir)?;
    kept.sort_unstable();
    Ok(kept)
}

/// The file as it was at `revision`, when that backup is still kept.
pub fn backup_text(config_real: &Path, revision: u64) -> Result<Option<String>, HistoryError> {
    let Some(dir) = HistoryDir::open(&history_dir(config_real), false)? else {
        return Ok(None);
    };
    dir.read(&backup_name(revision), MAX_FILE_BYTES as u64)
}

/// Appends `record` unless a record of its revision is already there (a save rolled
/// forward after a crash calls this again). Synced before it returns.
pub fn append_audit_once(config_real: &Path, record: &AuditRecord) -> Result<(), HistoryError> {
    let Some(dir) = HistoryDir::open(&history_dir(config_real), true)? else {
        return Err(HistoryError::Unsupported);
    };
    let path = dir.path.join(AUDIT_FILE);
    let io = |what, source| HistoryError::Io {
        what,
        path: path.clone(),
        source,
    };
    let mut file = dir.open_locked_append(AUDIT_FILE)?;
    let size = file.metadata().map_err(|e| io("check", e))?.len();
    if size > MAX_AUDIT_BYTES {
        return Err(HistoryError::TooLarge {
            path,
            bytes: size,
            cap: MAX_AUDIT_BYTES,
        });
    }
    let mut text = String::new();
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.read_to_string(&mut text))
        .map_err(|e| io("read", e))?;
    if parse_records(&text)
        .iter()
        .any(|r| r.revision == record.revision)
    {
        return Ok(());
    }
    let json = serde_json::to_string(record).map_err(|e| io("write", e.into()))?;
    // A torn last line (a crash mid-append) stays torn on its own line.
    let separator = if text.is_empty() || text.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    file.write_all(format!("{separator}{json}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| io("append to", e))
}

/// Every record, oldest first. Lines that are not a record (a torn last line) are skipped.
pub fn records(config_real: &Path) -> Result<Vec<AuditRecord>, HistoryError> {
    let Some(dir) = HistoryDir::open(&history_dir(config_real), false)? else {
        return Ok(Vec::new());
    };
    Ok(dir
        .read(AUDIT_FILE, MAX_AUDIT_BYTES)?
        .map(|text| parse_records(&text))
        .unwrap_or_default())
}

fn parse_records(text: &str) -> Vec<AuditRecord> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

#[cfg(all(test, unix))]
mod tests;
