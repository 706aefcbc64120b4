//! `wfm-wizard migrate-secrets --to STORE`: moves every secret of the config into
//! another store, atomically like a save (the same journal: a kill half-way is rolled
//! back or forward by the next start), so secrets in the kernel keyring can be kept
//! before a reboot takes them.

use std::io::Write;
use std::path::Path;

use secrecy::SecretString;

use super::history::current_revision;
use super::inventory::fingerprint;
use super::{EXIT_FAILURE, EXIT_INVALID, EXIT_OK, EXIT_STORE_UNAVAILABLE};
use crate::config::comments::carry_comments;
use crate::config::diff::diff;
use crate::config::{Document, Setting, parse_document, render_document, text_hash};
use crate::io::config_file;
use crate::io::effects::StoreProvider;
use crate::io::history_file::{self, AuditRecord, AuditSecret};
use crate::io::save_journal::{self, NewValue, SaveWork};
use crate::secret::{SecretRef, StoreKind};

/// Why a migration did not happen; the file and every store are as they were.
#[derive(Debug)]
pub enum MigrateError {
    NoFile,
    File(String),
    /// A secret is not in its store any more: it must be typed again first.
    Missing(Vec<String>),
    /// A store could not be read or opened.
    Store(String),
    Save(String),
}

impl std::fmt::Display for MigrateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MigrateError::NoFile => f.write_str("no such file; run wfm-wizard to create it"),
            MigrateError::File(why) => f.write_str(why),
            MigrateError::Missing(entries) => write!(
                f,
                "nothing was moved: these secrets are no longer in their store (the kernel \
                 keyring forgets at reboot and after 3 idle days); type them again with \
                 wfm-wizard, then migrate: {}",
                entries.join(", ")
            ),
            MigrateError::Store(why) | MigrateError::Save(why) => {
                write!(f, "nothing was moved: {why}")
            }
        }
    }
}

impl std::error::Error for MigrateError {}

/// What a migration did.
#[derive(Debug, PartialEq, Eq)]
pub struct Moved {
    pub count: usize,
    pub warnings: Vec<String>,
}

/// `document` with every secret reference in `to`; the references that change.
pub fn retarget(document: &Document, to: StoreKind) -> (Document, Vec<(SecretRef, SecretRef)>) {
    let mut moved = document.clone();
    let mut pairs = Vec::new();
    for integration in &mut moved.integrations {
        for (_, setting) in &mut integration.settings.0 {
            if let Setting::Secret(reference) = setting
                && reference.store != to
            {
                let target = SecretRef {
                    store: to,
                    ..reference.clone()
                };
                pairs.push((reference.clone(), target.clone()));
                *reference = target;
            }
        }
    }
    (moved, pairs)
}

/// Moves the secrets of the config at `path` (its real path) into `to`.
pub fn migrate(
    path: &Path,
    to: StoreKind,
    stores: &dyn StoreProvider,
    now: i64,
) -> Result<Moved, MigrateError> {
    let real = crate::io::config_file::real_path_or_given(path);
    let text = config_file::read(&real)
        .map_err(|e| MigrateError::File(e.clone()))?
        .ok_or(MigrateError::NoFile)?;
    let document = parse_document(&text).map_err(|e| MigrateError::File(e.to_string()))?;
    let (mut moved, pairs) = retarget(&document, to);
    if pairs.is_empty() {
        return Ok(Moved {
            count: 0,
            warnings: Vec::new(),
        });
    }
    let mut values = Vec::new();
    let mut missing = Vec::new();
    for (from, target) in &pairs {
        let value = stores
            .open(from.store)
            .and_then(|s| s.get(&from.user))
            .map_err(|e| MigrateError::Store(e.to_string()))?;
        match value {
            Some(value) => values.push((target, value)),
            None => missing.push(format!("{} in {}", from.user, from.store)),
        }
    }
    if !missing.is_empty() {
        return Err(MigrateError::Missing(missing));
    }
    stores
        .open(to)
        .map_err(|e| MigrateError::Store(e.to_string()))?;

    let records = history_file::records(&real).unwrap_or_default();
    let kept = history_file::kept_backups(&real).unwrap_or_default();
    let replaced_revision = current_revision(Some(document.revision), &records, &kept);
    moved.revision = replaced_revision + 1;
    let rendered = render_document(&moved).map_err(|e| MigrateError::File(e.to_string()))?;
    let same: Vec<Option<usize>> = (0..moved.integrations.len()).map(Some).collect();
    let new_text = carry_comments(&text, &rendered, &same).text;
    let changes = diff(Some(&document), &moved, Some(&same), &[]);
    let secrets = values
        .iter()
        .map(|(target, value)| audit_secret(target, value))
        .collect();
    let audit = AuditRecord::new(
        moved.revision,
        now,
        history_file::actor(),
        &changes,
        secrets,
    );
    let deletes: Vec<SecretRef> = pairs.iter().map(|(from, _)| from.clone()).collect();
    let expected = text_hash(&text);
    let work = SaveWork {
        config: &real,
        expected: Some(&expected),
        text: &new_text,
        values: values
            .into_iter()
            .map(|(target, value)| NewValue { target, value })
            .collect(),
        deletes: &deletes,
        write_file: &|text| {
            config_file::write_atomic(&real, text)
                .map_err(|e| format!("Could not write {}: {e}", real.display()))
        },
        before_commit: &|replaced| {
            replaced.map_or(Ok(()), |old| {
                history_file::keep_backup(&real, replaced_revision, old)
                    .map_err(|e| format!("Could not keep a backup of the file: {e}"))
            })
        },
        audit: Some(audit),
    };
    let warnings =
        save_journal::save(&work, stores).map_err(|e| MigrateError::Save(e.to_string()))?;
    Ok(Moved {
        count: pairs.len(),
        warnings,
    })
}

fn audit_secret(target: &SecretRef, value: &SecretString) -> AuditSecret {
    AuditSecret {
        entry: target.user.clone(),
        store: target.store.to_string(),
        fingerprint: fingerprint(&target.service, &target.user, value),
    }
}

/// The command: what moved on `out`, problems on `err`.
pub fn migrate_secrets(
    path: &Path,
    to: StoreKind,
    stores: &dyn StoreProvider,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    match migrate(path, to, stores, super::now()) {
        Ok(Moved { count: 0, .. }) => {
            let _ = writeln!(
                out,
                "{}: every secret is already in {to}; nothing to move",
                path.display()
            );
            EXIT_OK
        }
        Ok(Moved { count, warnings }) => {
            let _ = writeln!(
                out,
                "{}: moved {count} secret(s) to {to}; the file now refers to them there and the \
                 old entries were removed",
                path.display()
            );
            if to == StoreKind::SystemdCreds {
                let _ = writeln!(
                    out,
                    "The service reads them once its unit loads them: `wfm-wizard systemd-unit \
                     UNIT --write`, then restart the unit."
                );
            }
            for warning in warnings {
                let _ = writeln!(err, "warning: {warning}");
            }
            EXIT_OK
        }
        Err(e) => {
            let _ = writeln!(err, "error: {}: {e}", path.display());
            match e {
                MigrateError::NoFile | MigrateError::File(_) => EXIT_INVALID,
                MigrateError::Store(_) => EXIT_STORE_UNAVAILABLE,
                MigrateError::Missing(_) | MigrateError::Save(_) => EXIT_FAILURE,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::memory_store::MemoryStores;
    use crate::io::secrets::SecretStore;

    /// A file with two secrets in `kind`, and those references.
    fn config_in(dir: &Path, kind: StoreKind) -> (std::path::PathBuf, Vec<SecretRef>) {
        let path = dir.join("integrations.yaml");
        let document = crate::test_support::loaded_document(kind, true);
        let text = format!("# kept comment\n{}", render_document(&document).unwrap());
        std::fs::write(&path, text).unwrap();
        let refs = crate::commands::inventory::references(&document)
            .into_iter()
            .map(|(_, _, r)| r)
            .collect();
        (path, refs)
    }

    #[test]
    fn every_secret_moves_with_the_file_in_one_save() {
        let dir = tempfile::tempdir().unwrap();
        let (path, refs) = config_in(dir.path(), StoreKind::Keyutils);
        let stores = MemoryStores::new(StoreKind::Keyutils);
        for old in &refs {
            let value = SecretString::from(format!("value of {}", old.user));
            stores
                .store(StoreKind::Keyutils)
                .set(&old.user, &value)
                .unwrap();
        }

        let moved = migrate(&path, StoreKind::SystemdCreds, &stores, 0).unwrap();
        assert_eq!(moved.count, 2);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("store: systemd-creds"), "{text}");
        assert!(text.contains("# kept comment"), "{text}");
        assert!(!text.contains("store: keyutils"), "{text}");
        let new = stores.store(StoreKind::SystemdCreds);
        for old in &refs {
            assert_eq!(
                secrecy::ExposeSecret::expose_secret(&new.get(&old.user).unwrap().unwrap()),
                format!("value of {}", old.user)
            );
        }
        assert!(stores.store(StoreKind::Keyutils).users().is_empty());
        assert!(!save_journal::journal_path(&path).exists());

        let again = migrate(&path, StoreKind::SystemdCreds, &stores, 0).unwrap();
        assert_eq!(again.count, 0);
    }

    #[test]
    fn a_missing_secret_moves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _) = config_in(dir.path(), StoreKind::Keyutils);
        let before = std::fs::read_to_string(&path).unwrap();
        let stores = MemoryStores::new(StoreKind::Keyutils);
        let err = migrate(&path, StoreKind::SystemdCreds, &stores, 0).unwrap_err();
        assert!(matches!(err, MigrateError::Missing(_)), "{err:?}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
        assert!(stores.store(StoreKind::SystemdCreds).users().is_empty());
    }

    /// A kill at every call into the new store: the next start (journal recovery) leaves
    /// the file and the store it names agreeing, with every value intact.
    #[test]
    fn a_kill_at_any_point_is_rolled_back_or_forward() {
        for calls in 0.. {
            let dir = tempfile::tempdir().unwrap();
            let (path, refs) = config_in(dir.path(), StoreKind::Keyutils);
            let stores = MemoryStores::new(StoreKind::Keyutils);
            for old in &refs {
                let value = SecretString::from(format!("value of {}", old.user));
                stores
                    .store(StoreKind::Keyutils)
                    .set(&old.user, &value)
                    .unwrap();
            }
            let new = stores.store(StoreKind::SystemdCreds);
            new.die_after(calls);
            let finished = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                migrate(&path, StoreKind::SystemdCreds, &stores, 0)
            }))
            .is_ok();
            new.revive();
            save_journal::recover(&path, &stores).unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            let document = parse_document(&text).unwrap();
            for (_, _, reference) in crate::commands::inventory::references(&document) {
                let value = stores.store(reference.store).get(&reference.user).unwrap();
                assert_eq!(
                    value.map(|v| secrecy::ExposeSecret::expose_secret(&v).to_owned()),
                    Some(format!("value of {}", reference.user)),
                    "kill after {calls} calls"
                );
            }
            if finished {
                assert!(text.contains("store: systemd-creds"));
                assert!(calls > 2, "the kill came too late to test anything");
                break;
            }
        }
    }
}
