//! A save that is atomic across the secret store and the file, by design.
//!
//! Entry names are stable (services read them by name), so a new secret overwrites its
//! entry in place. To never pair the old file with a new secret, a save:
//!
//! 1. writes a journal `<config>.journal` (no secret in it) naming every entry it will
//!    write, the hash of the file before and after, and where each overwritten value is
//!    parked (`<namespace>/undo/...`, in the entry's own store); the journal file is
//!    locked (flock) for as long as its save runs;
//! 2. parks each old value, then writes the new one;
//! 3. switches the file (one rename: the commit point);
//! 4. removes old entries and parked values, then the journal.
//!
//! Whoever starts next (any command) and finds a journal that nobody holds locked
//! looks at the file: if it is the new one, the save is rolled forward (step 4); if
//! not, it is rolled back (parked values put back, new entries removed). A reader that
//! finds the journal locked waits for the save to end.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::effects::StoreProvider;
use super::history_file::{self, AuditRecord};
use crate::secret::{SecretRef, StoreProblem, namespace_of};

const JOURNAL_VERSION: u32 = 1;
/// The segment (after the namespace) under which overwritten values wait for the commit.
pub const UNDO_SEGMENT: &str = "undo";

/// What a save is doing, written before it touches anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Journal {
    pub version: u32,
    /// SHA-256 of the file before the save (`None`: there was no file).
    pub old_hash: Option<String>,
    /// SHA-256 of the file the save writes.
    pub new_hash: String,
    pub entries: Vec<Written>,
    /// Entries to remove once the file is switched.
    pub deletes: Vec<SecretRef>,
    /// The save's audit record, appended once the file is switched (also when a later
    /// start rolls the save forward).
    #[serde(default)]
    pub audit: Option<AuditRecord>,
}

/// One entry the save writes, and where its earlier value waits (`None`: it had none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Written {
    pub target: SecretRef,
    pub parked: Option<String>,
}

/// One new value for an entry: what the save executor hands over.
pub struct NewValue<'a> {
    pub target: &'a SecretRef,
    pub value: SecretString,
}

/// Why a save or a recovery did not happen.
#[derive(Debug)]
pub enum JournalError {
    /// The file on disk is not the one the session loaded.
    FileChanged,
    /// The file could not be read or written, or the journal kept.
    File(String),
    /// A store call failed (`problem` says what kind of failure, for advice);
    /// `put_back` lists entries that could not be restored.
    Store {
        why: String,
        problem: StoreProblem,
        put_back: Vec<String>,
    },
}

impl std::fmt::Display for JournalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JournalError::FileChanged => {
                f.write_str("the file was changed on disk since it was loaded")
            }
            JournalError::File(why) => f.write_str(why),
            JournalError::Store { why, put_back, .. } if put_back.is_empty() => f.write_str(why),
            JournalError::Store { why, put_back, .. } => write!(
                f,
                "{why}; these entries could not be put back yet (the next start retries): {}",
                put_back.join("; ")
            ),
        }
    }
}

pub use crate::config::text_hash;

/// `<config>.journal`, beside the config's real path.
pub fn journal_path(config: &Path) -> PathBuf {
    sibling(config, ".journal")
}

fn sibling(config: &Path, suffix: &str) -> PathBuf {
    let mut name = config.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Where the earlier value of `target` waits during a save.
pub fn parked_name(target: &str) -> String {
    match namespace_of(target) {
        Some(namespace) => format!(
            "{namespace}/{UNDO_SEGMENT}/{}",
            &target[namespace.len() + 1..]
        ),
        None => format!("{UNDO_SEGMENT}/{target}"),
    }
}

/// Whether `user` is a parked value (it exists only while a save or its recovery runs).
pub fn is_parked(user: &str) -> bool {
    let rest = namespace_of(user).map_or(user, |n| &user[n.len() + 1..]);
    rest.split('/').next() == Some(UNDO_SEGMENT)
}

/// A journal held locked by this process while its save runs.
struct Held {
    file: File,
    path: PathBuf,
}

impl Held {
    /// Creates the journal under a private name, locks it, writes it, then links it into
    /// place, so no other process ever sees it unlocked before its save has begun.
    fn create(config: &Path, journal: &Journal) -> Result<Held, JournalError> {
        let path = journal_path(config);
        let staging = super::file_safety::sidecar_temp_path(config, "journal");
        let io = |what: &str, e: std::io::Error| {
            JournalError::File(format!("cannot {what} {}: {e}", path.display()))
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&staging).map_err(|e| io("create", e))?;
        let written = (|| {
            file.lock()?;
            let text = serde_json::to_string(journal).map_err(std::io::Error::other)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            std::fs::hard_link(&staging, &path)?;
            sync_dir(&path);
            Ok(())
        })();
        let _ = std::fs::remove_file(&staging);
        written.map_err(|e| io("write", e))?;
        Ok(Held { file, path })
    }

    /// The save is over (committed and tidied, or rolled back): remove the journal,
    /// then let waiting readers in.
    fn finish(self) -> Result<(), JournalError> {
        std::fs::remove_file(&self.path).map_err(|e| {
            JournalError::File(format!("cannot remove {}: {e}", self.path.display()))
        })?;
        sync_dir(&self.path);
        drop(self.file);
        Ok(())
    }
}

fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
}

/// Everything one save does to the stores and the file.
pub struct SaveWork<'a> {
    pub config: &'a Path,
    /// Hash of the file as the session loaded it (`None`: there was none).
    pub expected: Option<&'a str>,
    pub text: &'a str,
    pub values: Vec<NewValue<'a>>,
    pub deletes: &'a [SecretRef],
    /// Switches the file (the commit point).
    pub write_file: &'a dyn Fn(&str) -> Result<(), String>,
    /// Runs after the values are in and before the switch, given the file being
    /// replaced (keeps its backup).
    pub before_commit: &'a dyn Fn(Option<&str>) -> Result<(), String>,
    pub audit: Option<AuditRecord>,
}

/// Whether the file is not the one whose hash is `expected` (`None`: there was none).
/// A file that cannot be read counts as changed.
pub fn changed_since(config: &Path, expected: Option<&str>) -> bool {
    match read_text(config) {
        Ok(current) => current.as_deref().map(text_hash).as_deref() != expected,
        Err(_) => true,
    }
}

/// Carries out a save. On any failure before the switch, every entry is as it was
/// (or, if the store stops answering while putting it back, the journal stays and the
/// next start finishes the job). Returns warnings about tidying after the commit.
pub fn save(work: &SaveWork<'_>, stores: &dyn StoreProvider) -> Result<Vec<String>, JournalError> {
    recover(work.config, stores)?;
    let current = read_text(work.config)?;
    if current.as_deref().map(text_hash).as_deref() != work.expected {
        return Err(JournalError::FileChanged);
    }
    let mut entries = Vec::new();
    for new in &work.values {
        let store = stores.open(new.target.store).map_err(|e| store_error(&e))?;
        let previous = store.get(&new.target.user).map_err(|e| store_error(&e))?;
        entries.push(Written {
            target: new.target.clone(),
            parked: previous.map(|_| parked_name(&new.target.user)),
        });
    }
    let journal = Journal {
        version: JOURNAL_VERSION,
        old_hash: current.as_deref().map(text_hash),
        new_hash: text_hash(work.text),
        entries,
        deletes: work.deletes.to_vec(),
        audit: work.audit.clone(),
    };
    let held = Held::create(work.config, &journal)?;
    let applied = apply_values(&journal, &work.values, stores)
        .and_then(|()| (work.before_commit)(current.as_deref()).map_err(JournalError::File))
        .and_then(|()| (work.write_file)(work.text).map_err(JournalError::File));
    if let Err(error) = applied {
        return match roll_back(&journal, stores) {
            Ok(()) => {
                held.finish()?;
                Err(error)
            }
            Err(put_back) => Err(JournalError::Store {
                why: error.to_string(),
                problem: match error {
                    JournalError::Store { problem, .. } => problem,
                    _ => StoreProblem::Other,
                },
                put_back,
            }),
        };
    }
    let warnings = roll_forward(&journal, work.config, stores);
    held.finish()?;
    Ok(warnings)
}

fn store_error(e: &super::secrets::StoreError) -> JournalError {
    JournalError::Store {
        why: e.to_string(),
        problem: e.problem,
        put_back: Vec::new(),
    }
}

fn apply_values(
    journal: &Journal,
    values: &[NewValue<'_>],
    stores: &dyn StoreProvider,
) -> Result<(), JournalError> {
    for (written, new) in journal.entries.iter().zip(values) {
        let store = stores
            .open(written.target.store)
            .map_err(|e| store_error(&e))?;
        if let Some(parked) = &written.parked {
            let old = store
                .get(&written.target.user)
                .map_err(|e| store_error(&e))?;
            if let Some(old) = old {
                store.set(parked, &old).map_err(|e| store_error(&e))?;
            }
        }
        store
            .set(&written.target.user, &new.value)
            .map_err(|e| JournalError::Store {
                why: format!("Could not store {} in {e}", written.target.user),
                problem: e.problem,
                put_back: Vec::new(),
            })?;
    }
    Ok(())
}

/// Puts every parked value back and removes entries that had none; returns the ones
/// that could not be (the journal then stays for the next start).
fn roll_back(journal: &Journal, stores: &dyn StoreProvider) -> Result<(), Vec<String>> {
    let mut failed = Vec::new();
    for written in journal.entries.iter().rev() {
        let user = &written.target.user;
        let result = stores.open(written.target.store).and_then(|store| {
            match &written.parked {
                // Parked before the entry was touched: no parked value means untouched.
                Some(parked) => match store.get(parked)? {
                    Some(old) => {
                        store.set(user, &old)?;
                        store.delete(parked)
                    }
                    None => Ok(()),
                },
                None => store.delete(user),
            }
        });
        if let Err(e) = result {
            failed.push(format!("{user} ({e})"));
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed)
    }
}

/// After the switch: old entries and parked values go, and the audit record is
/// appended. Failures only warn: the file and its secrets are already consistent;
/// `status` shows what is left.
fn roll_forward(journal: &Journal, config: &Path, stores: &dyn StoreProvider) -> Vec<String> {
    let parked = journal.entries.iter().filter_map(|w| {
        w.parked.as_ref().map(|p| SecretRef {
            user: p.clone(),
            ..w.target.clone()
        })
    });
    let mut warnings = Vec::new();
    for old in journal.deletes.iter().cloned().chain(parked) {
        if let Err(e) = stores.open(old.store).and_then(|s| s.delete(&old.user)) {
            warnings.push(format!(
                "The old keyring entry {} could not be removed ({e}).",
                old.user
            ));
        }
    }
    if let Some(record) = &journal.audit
        && let Err(e) = history_file::append_audit_once(config, record)
    {
        warnings.push(format!("The save was not added to the history: {e}."));
    }
    warnings
}

/// What the start of a command found and did about an interrupted save.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recovered {
    Nothing,
    /// The file had been switched: the save was finished.
    RolledForward,
    /// It had not: the store was put back as it was.
    RolledBack,
}

/// Finishes or undoes a save that a dead process left. Waits while a live save holds
/// the journal. Safe to call from every command, as often as wanted.
pub fn recover(config: &Path, stores: &dyn StoreProvider) -> Result<Recovered, JournalError> {
    let path = journal_path(config);
    super::file_safety::check_target(&path).map_err(|e| JournalError::File(e.to_string()))?;
    loop {
        let mut options = File::options();
        options.read(true).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(
            &mut options,
            rustix::fs::OFlags::NOFOLLOW.bits().cast_signed(),
        );
        let mut file = match options.open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A save that died before its journal was in place left only temps.
                super::config_file::remove_dead_temps(config)
                    .map_err(|e| JournalError::File(e.to_string()))?;
                return Ok(Recovered::Nothing);
            }
            Err(e) => {
                return Err(JournalError::File(format!(
                    "cannot open {}: {e}",
                    path.display()
                )));
            }
        };
        file.lock()
            .map_err(|e| JournalError::File(format!("cannot lock {}: {e}", path.display())))?;
        if !still_linked(&file, &path) {
            continue; // its save finished while we waited; look again
        }
        let mut text = String::new();
        file.read_to_string(&mut text)
            .map_err(|e| JournalError::File(format!("cannot read {}: {e}", path.display())))?;
        let journal: Journal = serde_json::from_str(&text).map_err(|e| {
            JournalError::File(format!(
                "{} is not a wfm-wizard save journal ({e}); it was left by an interrupted save: \
                 check the file and `wfm-wizard status`, then remove it",
                path.display()
            ))
        })?;
        // A hard-linked config is rewritten in place from a complete staged copy, made
        // after every secret was in: finishing it is rolling forward.
        super::config_file::recover(config)
            .map_err(|e| JournalError::File(format!("cannot finish the file: {e}")))?;
        let current = read_text(config)?;
        let committed = current.as_deref().map(text_hash).as_deref() == Some(&journal.new_hash);
        let outcome = if committed {
            // Leftovers only warn, as after a normal save.
            let _ = roll_forward(&journal, config, stores);
            Recovered::RolledForward
        } else {
            roll_back(&journal, stores).map_err(|put_back| JournalError::Store {
                why: format!(
                    "An interrupted save of {} could not be undone",
                    config.display()
                ),
                problem: StoreProblem::Other,
                put_back,
            })?;
            Recovered::RolledBack
        };
        Held { file, path }.finish()?;
        return Ok(outcome);
    }
}

#[cfg(unix)]
fn still_linked(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(held), Ok(named)) => held.ino() == named.ino() && held.dev() == named.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_linked(_file: &File, path: &Path) -> bool {
    path.exists()
}

fn read_text(config: &Path) -> Result<Option<String>, JournalError> {
    super::config_file::read(config)
        .map_err(|e| JournalError::File(format!("{}: {e}", config.display())))
}

#[cfg(test)]
mod tests;
