//! The start of a command: an interrupted save finished or undone, what a dead session
//! left tidied, and, for the wizard and the commands that change the stores, the edit
//! lock (or, when another wizard holds it, a read-only look).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{EXIT_FAILURE, EXIT_INVALID, EXIT_STORE_UNAVAILABLE, now};
use crate::catalog::Catalog;
use crate::config::Document;
use crate::io::edit_lock::{self, EditLock, LockError};
use crate::io::effects::StoreProvider;
use crate::io::save_journal::{self, JournalError, Recovered};
use crate::io::{config_file, config_load, draft_file, namespace, standard_streams};
use crate::wizard::{Msg, Startup, Wizard, link_can_drop};

/// What every command that only reads does first: finishes or undoes a save a dead
/// process left, and, when no wizard is editing the file, tidies what a dead session
/// left (temporary files; unnamed draft entries when the last holder of the edit lock
/// ended abruptly). Without a lock file no editor ever worked here: nothing to tidy,
/// and none is created.
pub fn recover_for_reading(
    path: &Path,
    stores: &dyn StoreProvider,
    err: &mut dyn Write,
) -> Result<(), u8> {
    recover(path, stores, err)?;
    let real = config_file::real_path_or_given(path);
    if let Ok(Some(lock)) = edit_lock::acquire_existing(&real, &edit_lock::this_process(now())) {
        tidy(path, err);
        // Listing every entry of a store is slow at scale (the Secret Service answers
        // per item), and orphan draft entries only come from a session that died.
        if lock.last_holder_ended_abruptly() {
            tidy_draft_entries(path, stores, err);
        }
    }
    Ok(())
}

/// Finishes or undoes a save that a dead process left, before a command looks at the
/// file or its secrets; says what it did on `err`. `Err` is the exit status.
pub fn recover(path: &Path, stores: &dyn StoreProvider, err: &mut dyn Write) -> Result<(), u8> {
    let real = config_file::real_path_or_given(path);
    match save_journal::recover(&real, stores) {
        Ok(Recovered::Nothing) => Ok(()),
        Ok(Recovered::RolledForward) => {
            let _ = writeln!(
                err,
                "note: an interrupted save of {} was finished (the file had been written).",
                path.display()
            );
            Ok(())
        }
        Ok(Recovered::RolledBack) => {
            let _ = writeln!(
                err,
                "note: an interrupted save of {} was undone: the file and its secrets are as \
                 they were before it.",
                path.display()
            );
            Ok(())
        }
        Err(e) => {
            let _ = writeln!(err, "error: {}: {e}", path.display());
            Err(match e {
                JournalError::Store { .. } => EXIT_STORE_UNAVAILABLE,
                _ => EXIT_FAILURE,
            })
        }
    }
}

/// Removes the draft entries of this config's namespace (and of its draft's) that no
/// draft file names, in every store here: left when a session died between writing
/// them and its draft file, or between removing the two. Only with the edit lock held,
/// so no live session is writing its draft meanwhile.
fn tidy_draft_entries(path: &Path, stores: &dyn StoreProvider, err: &mut dyn Write) {
    let real = config_file::real_path_or_given(path);
    let document = config_file::read(&real)
        .ok()
        .flatten()
        .and_then(|text| crate::config::parse_document(&text).ok());
    let mut namespaces = vec![namespace::identify(&real, document.as_ref()).namespace];
    if let Ok(Some(snapshot)) = draft_file::read(&real) {
        namespaces.extend(snapshot.namespace);
    }
    let mut removed = 0;
    for kind in crate::io::secrets::native_kinds() {
        match crate::io::effects::clean_draft_orphans(&namespaces, kind, stores, &real) {
            Ok(n) => removed += n,
            Err(why) => {
                let _ = writeln!(err, "warning: {}: {why}", path.display());
            }
        }
    }
    if removed > 0 {
        let _ = writeln!(
            err,
            "note: {}: removed {removed} draft keyring entr{} that no draft names (left by \
             an interrupted session).",
            path.display(),
            if removed == 1 { "y" } else { "ies" }
        );
    }
}

/// Removes temporary files dead processes left beside the config (under the edit lock,
/// so no save of this config is under way).
fn tidy(path: &Path, err: &mut dyn Write) {
    match config_file::recover(&config_file::real_path_or_given(path)) {
        Ok(done) if done.is_nothing() => {}
        Ok(done) => {
            let _ = writeln!(err, "note: {}: {done}.", path.display());
        }
        Err(e) => {
            let _ = writeln!(err, "warning: {}: {e}", path.display());
        }
    }
}

/// When a session reads its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Load {
    /// Before anything is shown (plain mode, and every command but the full screen).
    Now,
    /// A large file after the first frame, on an effect thread (see `wizard::loading`);
    /// a small one now, as before.
    LargeAfterFirstFrame,
}

/// A wizard session's hold on its config: the edit lock (or why it is read-only), the
/// file as loaded, and the identity it writes under.
pub struct Session {
    pub path: PathBuf,
    pub document: Option<Document>,
    text: Option<String>,
    /// The file is read after the first frame: `document` and `text` are not known yet.
    read_later: bool,
    /// `None`: read-only, another wfm-wizard holds the lock (said in `read_only`).
    _lock: Option<EditLock>,
    read_only: Option<String>,
}

/// Takes the edit lock (or, when another wizard holds it, asks whether to look
/// read-only), finishes an interrupted save, and loads the file (or, for a large file
/// with `Load::LargeAfterFirstFrame`, leaves that to the wizard's first effect: the
/// lock is held and the journal recovered before it is read either way).
pub fn open_session(
    path: &Path,
    catalog: &Catalog,
    stores: &dyn StoreProvider,
    load: Load,
) -> Result<Session, u8> {
    let real = config_file::real_path_or_given(path);
    let mut err = standard_streams::stderr();
    let (lock, read_only) = match edit_lock::acquire(&real, &edit_lock::this_process(now())) {
        Ok(lock) => (Some(lock), None),
        Err(LockError::Busy(holder)) => {
            let who = LockError::Busy(holder).to_string();
            if !ask_read_only(path, &who) {
                return Err(EXIT_FAILURE);
            }
            (None, Some(who))
        }
        Err(e) => {
            let _ = writeln!(err, "wfm-wizard: {}: {e}", path.display());
            return Err(EXIT_FAILURE);
        }
    };
    if lock.is_some() {
        recover(path, stores, &mut err)?;
        tidy(path, &mut err);
    }
    if load == Load::LargeAfterFirstFrame && config_load::worth_loading_later(path) {
        return Ok(Session {
            path: path.to_owned(),
            text: None,
            document: None,
            read_later: true,
            _lock: lock,
            read_only,
        });
    }
    let text = config_file::read(path).map_err(|why| {
        let _ = writeln!(err, "wfm-wizard: {}: {why}", path.display());
        EXIT_INVALID
    })?;
    let document = text
        .as_deref()
        .map(|text| config_load::check_text(text, catalog, now()))
        .transpose()
        .map_err(|why| {
            let _ = writeln!(err, "wfm-wizard: {}: {why}", path.display());
            EXIT_INVALID
        })?;
    Ok(Session {
        path: path.to_owned(),
        text,
        document,
        read_later: false,
        _lock: lock,
        read_only,
    })
}

/// The edit lock for a command that changes the stores (`prune`), after finishing an
/// interrupted save. Refuses while a wizard edits the file.
pub fn lock_for_command(path: &Path, stores: &dyn StoreProvider) -> Result<EditLock, u8> {
    let mut err = standard_streams::stderr();
    let lock = edit_lock::acquire(
        &config_file::real_path_or_given(path),
        &edit_lock::this_process(now()),
    )
    .map_err(|e| {
        let _ = writeln!(
            err,
            "error: {}: {e}; try again when it is done",
            path.display()
        );
        EXIT_FAILURE
    })?;
    recover(path, stores, &mut err)?;
    tidy(path, &mut err);
    tidy_draft_entries(path, stores, &mut err);
    Ok(lock)
}

/// Asks on the terminal whether to look at a config another wizard is editing.
fn ask_read_only(path: &Path, who: &str) -> bool {
    let mut err = standard_streams::stderr();
    let _ = write!(
        err,
        "{}: {who}.\nChanges cannot be saved while it is. Open it read-only, to look? [y/N] ",
        path.display()
    );
    let _ = err.flush();
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    let yes = matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES");
    if !yes {
        let _ = writeln!(err, "Not opened; nothing was changed.");
    }
    yes
}

impl Session {
    /// The wizard over this session's file (still reading it, when it is read later).
    pub(super) fn wizard(&self, catalog: Arc<Catalog>) -> Wizard {
        let real = config_file::real_path_or_given(&self.path);
        let config_path = self.path.display().to_string();
        let mut facts = Vec::new();
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        if link_can_drop(set("SSH_CONNECTION"), set("TMUX"), set("STY")) {
            facts.push(Startup::LinkCanDrop);
        }
        if let Some(who) = &self.read_only {
            facts.push(Startup::ReadOnly(who.clone()));
        }
        let mut wizard = if self.read_later {
            Wizard::loading(catalog, &config_path, now())
        } else {
            let mut loaded = config_load::session_start(
                &real,
                self.text.clone(),
                self.document.clone(),
                self.read_only.is_some(),
            );
            if self.read_only.is_none() {
                facts.extend(loaded.startup_facts());
            }
            Wizard::new(catalog, loaded.document.as_ref(), &config_path, now())
                .with_identity(loaded.identity)
                .with_loaded_text(loaded.text)
        };
        for fact in facts {
            // Before the first frame nothing has changed: no effect comes of these.
            let effects = wizard.update(Msg::Startup(fact));
            debug_assert!(effects.is_empty(), "{effects:?}");
        }
        wizard
    }

    pub(super) fn draft_path(&self) -> PathBuf {
        config_file::real_path_or_given(&self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::memory_store::MemoryStores;
    use crate::io::secrets::SecretStore;
    use crate::secret::StoreKind;
    use secrecy::SecretString;

    /// A config not written yet, with one draft entry under its namespace that no draft
    /// file names.
    fn orphan_fixture() -> (tempfile::TempDir, std::path::PathBuf, MemoryStores, String) {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let namespace = namespace::identify(&config, None).namespace;
        let orphan = format!("{namespace}/draft/ringcentral-v1/historical/default/jwt");
        let stores = MemoryStores::new(StoreKind::Keyutils);
        stores
            .store(StoreKind::Keyutils)
            .set(&orphan, &SecretString::from("x.y.z"))
            .unwrap();
        (dir, config, stores, orphan)
    }

    #[test]
    fn reading_after_an_orderly_end_leaves_the_store_alone() {
        let (_dir, config, stores, orphan) = orphan_fixture();
        drop(edit_lock::acquire(&config, &edit_lock::this_process(0)).unwrap());
        let mut err = Vec::new();
        recover_for_reading(&config, &stores, &mut err).unwrap();
        assert_eq!(stores.store(StoreKind::Keyutils).users(), vec![orphan]);
        assert!(err.is_empty(), "{}", String::from_utf8_lossy(&err));
    }

    #[test]
    fn reading_after_a_session_died_removes_its_unnamed_draft_entries() {
        let (_dir, config, stores, _orphan) = orphan_fixture();
        // What a killed wizard leaves: its record in the lock file, the flock gone.
        std::fs::write(
            edit_lock::lock_path(&config),
            r#"{"user":"alice","pid":4242,"terminal":null,"since":0}"#,
        )
        .unwrap();
        let mut err = Vec::new();
        recover_for_reading(&config, &stores, &mut err).unwrap();
        assert!(stores.store(StoreKind::Keyutils).users().is_empty());
        let said = String::from_utf8_lossy(&err);
        assert!(said.contains("removed 1 draft keyring entry"), "{said}");
    }
}
