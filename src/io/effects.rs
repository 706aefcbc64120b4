//! Carries out the wizard's effects and answers with messages.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use secrecy::SecretString;

use super::config_file;
use super::file_safety::FileError;
use super::secrets::{NO_ANSWER, SecretStore, StoreError};
use crate::config::render_document;
use crate::secret::StoreKind;
use crate::wizard::{Effect, Msg, SavePlan, SaveReport, StoreInfo};

/// The stores a session can reach: the one chosen for new secrets, and any store a
/// reference names.
pub trait StoreProvider: Send + Sync {
    /// Works out the store for new secrets (may be slow: probes the keyring).
    fn resolve(&self) -> Result<StoreInfo, String>;
    fn open(&self, kind: StoreKind) -> Result<Arc<dyn SecretStore>, StoreError>;
}

/// Runs effects. `None`: the answer arrives later as an event; `Some`: here it is.
pub trait EffectRunner {
    fn run(&mut self, effect: Effect) -> Option<Msg>;
}

/// Runs each effect on its own thread, so the screen never waits for the keyring.
pub struct ThreadRunner {
    pub stores: Arc<dyn StoreProvider>,
    pub path: PathBuf,
    pub reply: Arc<dyn Fn(Msg) + Send + Sync>,
}

impl EffectRunner for ThreadRunner {
    fn run(&mut self, effect: Effect) -> Option<Msg> {
        let stores = Arc::clone(&self.stores);
        let path = self.path.clone();
        let reply = Arc::clone(&self.reply);
        // Taken before the thread starts, so an exit on a signal waits for this write.
        let writing = writes_files(&effect).then(super::signals::begin_write);
        std::thread::spawn(move || {
            let msg = perform(effect, stores.as_ref(), &path);
            drop(writing);
            reply(msg);
        });
        None
    }
}

/// Runs effects where they are asked for: for headless tests.
pub struct InlineRunner {
    pub stores: Arc<dyn StoreProvider>,
    pub path: PathBuf,
}

impl EffectRunner for InlineRunner {
    fn run(&mut self, effect: Effect) -> Option<Msg> {
        Some(perform(effect, self.stores.as_ref(), &self.path))
    }
}

pub fn perform(effect: Effect, stores: &dyn StoreProvider, path: &Path) -> Msg {
    match effect {
        Effect::ResolveStore => Msg::StoreResolved(stores.resolve()),
        Effect::Save(plan) => Msg::SaveDone(execute_save(&plan, stores, path, &|text| {
            config_file::write_atomic(path, text)
        })),
        Effect::SaveDraft(plan) => Msg::DraftSaved(draft::save(&plan, stores, path)),
        Effect::DiscardDraft {
            generation,
            entries,
        } => Msg::DraftSaved(draft::discard(generation, &entries, stores, path)),
        Effect::LoadDraftSecrets(entries) => {
            Msg::DraftSecretsLoaded(draft::load_secrets(&entries, stores))
        }
    }
}

/// Effects that write files or keyring entries: an exit must not cut them short.
fn writes_files(effect: &Effect) -> bool {
    matches!(
        effect,
        Effect::Save(_) | Effect::SaveDraft(_) | Effect::DiscardDraft { .. }
    )
}

/// What to put back if the save fails: the entry's earlier value, or nothing.
struct Undo {
    store: Arc<dyn SecretStore>,
    user: String,
    previous: Option<SecretString>,
}

/// Secrets first (copies, then new values), then the file, then removals. If a secret
/// or the file cannot be written, every entry touched is put back as it was.
pub fn execute_save(
    plan: &SavePlan,
    stores: &dyn StoreProvider,
    path: &Path,
    write_file: &dyn Fn(&str) -> Result<(), FileError>,
) -> Result<SaveReport, String> {
    let text =
        render_document(&plan.document).map_err(|e| format!("Could not render the file: {e}"))?;
    let mut undo: Vec<Undo> = Vec::new();
    let fail = |undo: Vec<Undo>, why: String| -> String {
        let leftovers = roll_back(undo);
        if why.contains(NO_ANSWER) {
            // A call that timed out may still land when the store wakes up: no promise
            // about the keyring, but say how to find out.
            let put_back = if leftovers.is_empty() {
                String::new()
            } else {
                format!(
                    " These entries could not be put back: {}.",
                    leftovers.join("; ")
                )
            };
            format!(
                "{why} Nothing was written to the file.{put_back} If the store wakes up, \
                 the entry it was asked to save may still appear: `wfm-wizard status` lists \
                 it and `wfm-wizard prune` removes it."
            )
        } else if leftovers.is_empty() {
            format!("{why} Nothing was written, and the keyring is as it was before this save.")
        } else {
            format!(
                "{why} Nothing was written; these keyring entries could not be put back: {}",
                leftovers.join("; ")
            )
        }
    };
    for copy in &plan.copies {
        let step = || -> Result<Option<Undo>, String> {
            let store = stores.open(copy.from.store).map_err(|e| e.to_string())?;
            let Some(value) = store.get(&copy.from.user).map_err(|e| e.to_string())? else {
                return Err(format!(
                    "The stored secret {} is no longer in {} (the kernel keyring forgets at reboot). \
                     Type it again in the form.",
                    copy.from.user, copy.from.store
                ));
            };
            let previous = store.get(&copy.to.user).map_err(|e| e.to_string())?;
            store
                .set(&copy.to.user, &value)
                .map_err(|e| e.to_string())?;
            Ok(Some(Undo {
                store,
                user: copy.to.user.clone(),
                previous,
            }))
        };
        match step() {
            Ok(entry) => undo.extend(entry),
            Err(why) => {
                return Err(fail(
                    undo,
                    format!("Could not move a secret to {}: {why}.", copy.to.user),
                ));
            }
        }
    }
    for write in &plan.writes {
        let step = || -> Result<Undo, StoreError> {
            let store = stores.open(write.target.store)?;
            let previous = store.get(&write.target.user)?;
            store.set(&write.target.user, &write.value)?;
            Ok(Undo {
                store,
                user: write.target.user.clone(),
                previous,
            })
        };
        match step() {
            Ok(entry) => undo.push(entry),
            Err(e) => {
                return Err(fail(
                    undo,
                    format!("Could not store {} in {e}.", write.target.user),
                ));
            }
        }
    }
    if let Err(e) = write_file(&text) {
        return Err(fail(
            undo,
            format!("Could not write {}: {e}.", path.display()),
        ));
    }
    let mut warnings = Vec::new();
    for old in &plan.deletes {
        if let Err(e) = stores.open(old.store).and_then(|s| s.delete(&old.user)) {
            warnings.push(format!(
                "The old keyring entry {} could not be removed ({e}).",
                old.user
            ));
        }
    }
    Ok(SaveReport {
        integrations: plan.document.integrations.len(),
        secrets_written: plan.writes.len() + plan.copies.len(),
        warnings,
    })
}

/// Puts entries back in reverse order; returns the ones that could not be.
fn roll_back(undo: Vec<Undo>) -> Vec<String> {
    let mut failed = Vec::new();
    for entry in undo.into_iter().rev() {
        let result = match &entry.previous {
            Some(value) => entry.store.set(&entry.user, value),
            None => entry.store.delete(&entry.user),
        };
        if let Err(e) = result {
            failed.push(format!("{} ({e})", entry.user));
        }
    }
    failed
}

mod draft;

#[cfg(test)]
mod tests;
