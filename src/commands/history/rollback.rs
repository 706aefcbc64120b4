//! `wfm-wizard rollback N`: puts back the file of revision N and says which of its
//! secrets are still in their stores and which must be typed again.

use std::fmt;
use std::io::Write;
use std::path::Path;

use super::{current_revision, revision_of};
use crate::commands::inventory::{fingerprint, references};
use crate::commands::secrets_report::Confirm;
use crate::commands::{EXIT_CANCELLED, EXIT_FAILURE, EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use crate::config::comments::carry_comments;
use crate::config::diff::{Change, diff, label};
use crate::config::{Document, parse_document, render_document, text_hash};
use crate::io::config_file;
use crate::io::effects::StoreProvider;
use crate::io::history_file::{self, AuditRecord, AuditSecret, HistoryError};
use crate::io::save_journal::{self, JournalError, SaveWork};
use crate::safe_text::escape;
use crate::secret::SecretRef;
use crate::utc::utc;

/// What the store holds for one secret of the revision being restored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretState {
    /// The value the audit trail recorded for that revision.
    StillThere,
    /// Another value was written since.
    ReplacedSince,
    Missing,
    /// The entry is there, but no record says what that revision stored.
    CannotTell,
    Unreachable(String),
}

impl SecretState {
    pub fn must_type_again(&self) -> bool {
        matches!(self, SecretState::ReplacedSince | SecretState::Missing)
    }
}

impl fmt::Display for SecretState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretState::StillThere => f.write_str("still there"),
            SecretState::ReplacedSince => f.write_str("replaced since (type it again)"),
            SecretState::Missing => f.write_str("missing (type it again)"),
            SecretState::CannotTell => f.write_str(
                "cannot tell (no record of the value this revision used; check it works)",
            ),
            SecretState::Unreachable(why) => {
                write!(f, "store unreachable ({}); check it later", escape(why))
            }
        }
    }
}

/// One secret of the restored file, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretCheck {
    pub label: String,
    pub field: String,
    pub reference: SecretRef,
    pub state: SecretState,
    /// The fingerprint of what the store holds now, when it holds something.
    pub fingerprint: Option<String>,
}

/// The fingerprint the newest record at or before `revision` wrote for `reference`.
pub fn recorded_fingerprint<'a>(
    records: &'a [AuditRecord],
    revision: u64,
    reference: &SecretRef,
) -> Option<&'a str> {
    records
        .iter()
        .filter(|r| r.revision <= revision)
        .filter_map(|r| {
            r.secrets
                .iter()
                .find(|s| s.entry == reference.user && s.store == reference.store.as_str())
                .map(|s| (r.revision, s.fingerprint.as_str()))
        })
        .max_by_key(|(at, _)| *at)
        .map(|(_, fingerprint)| fingerprint)
}

/// Compares what the store answered (`Ok(Some(fingerprint))`, `Ok(None)` for no entry)
/// with what the audit trail recorded.
pub fn classify(recorded: Option<&str>, found: &Result<Option<String>, String>) -> SecretState {
    match (found, recorded) {
        (Err(why), _) => SecretState::Unreachable(why.clone()),
        (Ok(None), _) => SecretState::Missing,
        (Ok(Some(_)), None) => SecretState::CannotTell,
        (Ok(Some(now)), Some(then)) if now == then => SecretState::StillThere,
        (Ok(Some(_)), Some(_)) => SecretState::ReplacedSince,
    }
}

/// Each secret reference of `document` (the file of `revision`), checked in its store.
pub fn check_secrets(
    document: &Document,
    revision: u64,
    records: &[AuditRecord],
    stores: &dyn StoreProvider,
) -> Vec<SecretCheck> {
    references(document)
        .into_iter()
        .map(|(index, field, reference)| {
            let found = stores
                .open(reference.store)
                .and_then(|s| s.get(&reference.user))
                .map(|value| value.map(|v| fingerprint(&reference.service, &reference.user, &v)))
                .map_err(|e| e.to_string());
            let state = classify(recorded_fingerprint(records, revision, &reference), &found);
            SecretCheck {
                label: label(&document.integrations[index]),
                field,
                fingerprint: found.ok().flatten(),
                reference,
                state,
            }
        })
        .collect()
}

/// Why a rollback did not complete.
#[derive(Debug)]
pub enum RollbackError {
    History(HistoryError),
    /// The backup could not be turned into the new file.
    Render(String),
    Save(JournalError),
}

impl fmt::Display for RollbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RollbackError::History(e) => write!(f, "{e}; the file was not changed"),
            RollbackError::Render(why) => write!(f, "{why}; the file was not changed"),
            RollbackError::Save(e) => write!(f, "{e}; the file is as it was"),
        }
    }
}

impl std::error::Error for RollbackError {}

/// What [`commit_rollback`] writes.
pub struct Rollback<'a> {
    /// The config's real path (written through a symlink).
    pub config_real: &'a Path,
    /// The file being replaced, and its revision.
    pub replaced: Option<&'a str>,
    pub current_revision: u64,
    pub restored_text: &'a str,
    pub changes: Vec<Change>,
    /// The restored file's secrets that are still in their stores.
    pub secrets: Vec<AuditSecret>,
    pub at: i64,
    pub actor: (String, u32),
}

/// Writes the restored file as revision `current_revision + 1` through the journaled
/// save (a backup of the file it replaces first, the audit record once it is in),
/// keeping the backup's comments. Returns the new revision.
pub fn commit_rollback(
    rollback: Rollback<'_>,
    stores: &dyn StoreProvider,
) -> Result<u64, RollbackError> {
    let config = rollback.config_real;
    let revision = rollback.current_revision + 1;
    let text = stamped(rollback.restored_text, revision, config)?;
    let record = AuditRecord::new(
        revision,
        rollback.at,
        rollback.actor,
        &rollback.changes,
        rollback.secrets,
    );
    let expected = rollback.replaced.map(text_hash);
    let work = SaveWork {
        config,
        expected: expected.as_deref(),
        text: &text,
        values: Vec::new(),
        deletes: &[],
        write_file: &|text| config_file::write_atomic(config, text).map_err(|e| e.to_string()),
        before_commit: &|replaced| {
            replaced.map_or(Ok(()), |old| {
                history_file::keep_backup(config, rollback.current_revision, old)
                    .map_err(|e| e.to_string())
            })
        },
        audit: Some(record),
    };
    save_journal::save(&work, stores).map_err(RollbackError::Save)?;
    Ok(revision)
}

/// The backup's text as revision `revision` of the file at `config`, its comments kept.
fn stamped(backup: &str, revision: u64, config: &Path) -> Result<String, RollbackError> {
    let mut document = parse_document(backup)
        .map_err(|e| RollbackError::Render(format!("the backup cannot be read ({e})")))?;
    document.revision = revision;
    if document.namespace.is_some() {
        document.path = Some(config.display().to_string());
    }
    let rendered = render_document(&document)
        .map_err(|e| RollbackError::Render(format!("the file cannot be written out ({e})")))?;
    let same: Vec<Option<usize>> = (0..document.integrations.len()).map(Some).collect();
    Ok(carry_comments(backup, &rendered, &same).text)
}

/// `wfm-wizard rollback N [--yes]`.
pub fn rollback(
    path: &Path,
    revision: u64,
    stores: &dyn StoreProvider,
    confirm: Confirm<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let real = crate::io::config_file::real_path_or_given(path);
    let fail = |err: &mut dyn Write, e: &dyn fmt::Display| {
        let _ = writeln!(err, "error: {}: {e}", path.display());
        EXIT_FAILURE
    };
    let (records, kept) = match history_file::records(&real)
        .and_then(|r| history_file::kept_backups(&real).map(|k| (r, k)))
    {
        Ok(found) => found,
        Err(e) => return fail(err, &e),
    };
    let current_text = match config_file::read(&real) {
        Ok(text) => text,
        Err(e) => return fail(err, &e),
    };
    // A file that no longer parses is exactly what a rollback may be for.
    let current = current_text.as_deref().and_then(|t| parse_document(t).ok());
    let current_revision = current_revision(current.as_ref().map(revision_of), &records, &kept);
    let restored_text = match history_file::backup_text(&real, revision) {
        Ok(Some(text)) => text,
        Ok(None) => {
            let why = if revision == current_revision {
                "it is the current file; there is nothing to roll back".to_owned()
            } else {
                let kept: Vec<String> = kept.iter().map(u64::to_string).collect();
                format!(
                    "no backup of revision {revision} is kept (only the last 10 are); kept: {}",
                    if kept.is_empty() {
                        "none".to_owned()
                    } else {
                        kept.join(", ")
                    }
                )
            };
            let _ = writeln!(err, "error: {}: {why}", path.display());
            return EXIT_USAGE;
        }
        Err(e) => return fail(err, &e),
    };
    let restored = match parse_document(&restored_text) {
        Ok(document) => document,
        Err(e) => {
            let _ = writeln!(
                err,
                "error: the backup of revision {revision} cannot be read as a config ({e}); \
                 nothing was changed"
            );
            return EXIT_INVALID;
        }
    };
    let mut changes = vec![Change::RolledBack { revision }];
    changes.extend(diff(current.as_ref(), &restored, None, &[]));
    let checks = check_secrets(&restored, revision, &records, stores);
    describe(path, revision, &records, &changes, &checks, out);
    if let Some(status) = confirmed(confirm, path, revision, err) {
        return status;
    }
    let secrets = checks
        .iter()
        .filter(|c| c.state == SecretState::StillThere)
        .filter_map(|c| {
            Some(AuditSecret {
                entry: c.reference.user.clone(),
                store: c.reference.store.as_str().to_owned(),
                fingerprint: c.fingerprint.clone()?,
            })
        })
        .collect();
    let done = commit_rollback(
        Rollback {
            config_real: &real,
            replaced: current_text.as_deref(),
            current_revision,
            restored_text: &restored_text,
            changes,
            secrets,
            at: crate::commands::now(),
            actor: history_file::actor(),
        },
        stores,
    );
    match done {
        Ok(new_revision) => {
            let _ = writeln!(
                out,
                "Rolled back: {} is now revision {new_revision}, with the content of revision {revision}.",
                path.display()
            );
            let again = checks.iter().filter(|c| c.state.must_type_again()).count();
            if again > 0 {
                let _ = writeln!(
                    out,
                    "{again} secret(s) must be typed again: run wfm-wizard and enter them."
                );
            }
            EXIT_OK
        }
        Err(e) => fail(err, &e),
    }
}

/// The plan, printed before asking: what changes, and each secret's state.
fn describe(
    path: &Path,
    revision: u64,
    records: &[AuditRecord],
    changes: &[Change],
    checks: &[SecretCheck],
    out: &mut dyn Write,
) {
    let saved = records
        .iter()
        .find(|r| r.revision == revision)
        .map(|r| format!(" (saved {} by {})", utc(r.at), escape(&r.user)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "Rolling back {} to revision {revision}{saved}.",
        path.display()
    );
    let _ = writeln!(out, "Changes:");
    for change in changes.iter().skip(1) {
        let _ = writeln!(out, "  {change}");
    }
    if changes.len() == 1 {
        let _ = writeln!(out, "  none: the file already has that content");
    }
    if !checks.is_empty() {
        let _ = writeln!(out, "Secrets of revision {revision}:");
    }
    for check in checks {
        let _ = writeln!(
            out,
            "  {}: {}  {} {}  {}",
            escape(&check.label),
            escape(&check.field),
            check.reference.store,
            escape(&check.reference.user),
            check.state
        );
    }
}

/// `None` to go ahead, else the exit status.
fn confirmed(confirm: Confirm<'_>, path: &Path, revision: u64, err: &mut dyn Write) -> Option<u8> {
    match confirm {
        Confirm::Yes => None,
        Confirm::NoTerminal => {
            let _ = writeln!(
                err,
                "error: not rolling back without asking, and there is no terminal to ask on; \
                 run again with --yes"
            );
            Some(EXIT_USAGE)
        }
        Confirm::Ask(input) => {
            let _ = write!(
                err,
                "Replace {} with revision {revision}? [y/N] ",
                path.display()
            );
            let _ = err.flush();
            let mut answer = String::new();
            let _ = input.read_line(&mut answer);
            if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
                None
            } else {
                let _ = writeln!(err, "Nothing changed.");
                Some(EXIT_CANCELLED)
            }
        }
    }
}
