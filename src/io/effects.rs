//! Carries out the wizard's effects and answers with messages.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::config_file;
use super::history_file::{self, AuditRecord, AuditSecret};
use super::save_journal::{self, JournalError, NewValue, SaveWork};
use super::secrets::{SecretStore, StoreError, StoreProblem};
use crate::config::diff::Change;
use crate::config::render_document;
use crate::secret::StoreKind;
use crate::secret::{SecretRef, fingerprint};
use crate::wizard::{
    Effect, EffectRunner, Msg, Reloaded, SaveFailure, SavePlan, SaveReport, StoreInfo,
};

/// The stores a session can reach: the one chosen for new secrets, and any store a
/// reference names.
pub trait StoreProvider: Send + Sync {
    /// Works out the store for new secrets (may be slow: probes the keyring).
    fn resolve(&self) -> Result<StoreInfo, String>;
    fn open(&self, kind: StoreKind) -> Result<Arc<dyn SecretStore>, StoreError>;
}

/// Runs each effect on its own thread, so the screen never waits for the keyring.
pub struct ThreadRunner {
    pub stores: Arc<dyn StoreProvider>,
    pub path: PathBuf,
    pub reply: Arc<dyn Fn(Msg) + Send + Sync>,
    /// The process's connection tester and its running tests.
    pub tests: ConnectionTests,
}

impl EffectRunner for ThreadRunner {
    fn run(&mut self, effect: Effect) -> Option<Msg> {
        let effect = match effect {
            Effect::TestConnection { id, inputs } => {
                let stores = Arc::clone(&self.stores);
                self.tests
                    .start(id, inputs, stores, Arc::clone(&self.reply));
                return None;
            }
            Effect::CancelTest { id } => {
                self.tests.cancel(id);
                return None;
            }
            effect => effect,
        };
        let stores = Arc::clone(&self.stores);
        let path = self.path.clone();
        let reply = Arc::clone(&self.reply);
        // Taken before the thread starts, so an exit on a signal waits for this write.
        let writing = writes_files(&effect).then(super::signals::begin_write);
        std::thread::spawn(move || {
            let msg = perform(effect, stores.as_ref(), &path);
            drop(writing);
            if let Some(msg) = msg {
                reply(msg);
            }
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
        perform(effect, self.stores.as_ref(), &self.path)
    }
}

/// An [`InlineRunner`] with a connection tester (headless tests pass a fake): a test
/// runs where it is asked for and answers with its end only.
pub struct InlineTestingRunner {
    pub inline: InlineRunner,
    pub tests: ConnectionTests,
}

impl EffectRunner for InlineTestingRunner {
    fn run(&mut self, effect: Effect) -> Option<Msg> {
        match effect {
            Effect::TestConnection { id, inputs } => {
                let never = std::sync::atomic::AtomicBool::new(false);
                let result =
                    self.tests
                        .run(&inputs, self.inline.stores.as_ref(), &never, &mut |_| {});
                Some(Msg::TestDone { id, result })
            }
            effect => self.inline.run(effect),
        }
    }
}

/// Carries out `effect` where it is called. `None` for a cancel (nothing to answer).
/// Carries out `effect` where it is called. `None` for a cancel (nothing to answer).
pub fn perform(effect: Effect, stores: &dyn StoreProvider, path: &Path) -> Option<Msg> {
    Some(match effect {
        Effect::LoadConfig {
            catalog,
            now,
            read_only,
        } => Msg::ConfigLoaded(
            super::config_load::load(path, &catalog, now, read_only).map(Box::new),
        ),
        Effect::ResolveStore => Msg::StoreResolved(stores.resolve()),
        Effect::Save(plan) => Msg::SaveDone(execute_save(&plan, stores, path, &|text| {
            config_file::write_atomic(path, text).map_err(|e| e.to_string())
        })),
        Effect::SaveDraft(plan) => Msg::DraftSaved(draft::save(&plan, stores, path)),
        Effect::DiscardDraft {
            generation,
            entries,
        } => {
            Msg::DraftSaved(draft::discard(generation, &entries, stores, path).map(|()| Vec::new()))
        }
        Effect::CheckStoredSecrets(references) => {
            Msg::StoredSecretsChecked(stored_check::check(&references, stores))
        }
        Effect::Reload => Msg::Reloaded(reload(path)),
        Effect::CleanDraftEntries { namespaces, kind } => {
            Msg::DraftEntriesCleaned(draft::clean_orphans(&namespaces, kind, stores, path))
        }
        Effect::LoadDraftSecrets(entries) => {
            Msg::DraftSecretsLoaded(draft::load_secrets(&entries, stores))
        }
        Effect::WriteAnswers { path, answers } => {
            Msg::AnswersWritten(write_answers(path, &answers))
        }
        // A runner without a tester (see `InlineTestingRunner`, `ThreadRunner`).
        Effect::TestConnection { id, .. } => Msg::TestDone {
            id,
            result: Err(crate::wizard::connection_test::NotTested::Settings(
                "connection tests are not available here".to_owned(),
            )),
        },
        Effect::CancelTest { .. } => return None,
    })
}

/// The answers file beside the config: written as the config is (atomically, a new
/// file mode 0600, never through a place another user controls).
fn write_answers(
    path: String,
    answers: &crate::answers::Answers,
) -> Result<crate::wizard::AnswersWritten, String> {
    let text = crate::answers::render_answers(answers).map_err(|e| e.to_string())?;
    config_file::write_atomic(Path::new(&path), &text).map_err(|e| e.to_string())?;
    Ok(crate::wizard::AnswersWritten {
        env: crate::wizard::env_names(answers),
        path,
    })
}

fn reload(path: &Path) -> Result<Reloaded, String> {
    let text = config_file::read(path)?;
    let document = text
        .as_deref()
        .map(crate::config::parse_document)
        .transpose()
        .map_err(|e| e.to_string())?;
    Ok(Reloaded {
        hash: text.as_deref().map(save_journal::text_hash),
        document,
        text,
    })
}

/// Effects that write files or keyring entries: an exit must not cut them short.
fn writes_files(effect: &Effect) -> bool {
    matches!(
        effect,
        Effect::Save(_)
            | Effect::SaveDraft(_)
            | Effect::DiscardDraft { .. }
            | Effect::CleanDraftEntries { .. }
            | Effect::WriteAnswers { .. }
    )
}

/// Secrets first (copies, then new values), then the file, then removals, through the
/// save journal (`save_journal.rs`): whatever instant the process dies, the next start
/// finds the old file with the old secrets or the new file with the new ones.
pub fn execute_save(
    plan: &SavePlan,
    stores: &dyn StoreProvider,
    path: &Path,
    write_file: &dyn Fn(&str) -> Result<(), String>,
) -> Result<SaveReport, SaveFailure> {
    let text = match &plan.text {
        Some(text) => text.clone(),
        None => render_document(&plan.document)
            .map_err(|e| SaveFailure::Failed(format!("Could not render the file: {e}")))?,
    };
    // Told before anything else is tried (the journal checks again when it starts).
    if save_journal::changed_since(path, plan.expected_hash.as_deref()) {
        return Err(SaveFailure::FileChanged);
    }
    let mut values = Vec::new();
    for copy in &plan.copies {
        let value = stores
            .open(copy.from.store)
            .and_then(|store| store.get(&copy.from.user))
            .map_err(|e| {
                SaveFailure::Failed(format!(
                    "Could not move a secret to {}: {e}. Nothing was written.",
                    copy.to.user
                ))
            })?
            .ok_or_else(|| {
                SaveFailure::Failed(format!(
                    "The stored secret {} is no longer in {} (the kernel keyring forgets at reboot). \
                     Type it again in the form. Nothing was written.",
                    copy.from.user, copy.from.store
                ))
            })?;
        values.push(NewValue {
            target: &copy.to,
            value,
        });
    }
    for write in &plan.writes {
        values.push(NewValue {
            target: &write.target,
            value: write.value.clone(),
        });
    }
    let audit = audit_record(plan, &values);
    let replaced_revision = plan.document.revision.saturating_sub(1);
    let work = SaveWork {
        config: path,
        expected: plan.expected_hash.as_deref(),
        text: &text,
        values,
        deletes: &plan.deletes,
        write_file: &|text| {
            write_file(text).map_err(|e| format!("Could not write {}: {e}", path.display()))
        },
        before_commit: &|replaced| {
            replaced.map_or(Ok(()), |old| {
                history_file::keep_backup(path, replaced_revision, old)
                    .map_err(|e| format!("Could not keep a backup of the file: {e}"))
            })
        },
        audit: Some(audit),
    };
    match save_journal::save(&work, stores) {
        Ok(warnings) => Ok(SaveReport {
            integrations: plan.document.integrations.len(),
            secrets_written: plan.writes.len() + plan.copies.len(),
            warnings,
        }),
        Err(JournalError::FileChanged) => Err(SaveFailure::FileChanged),
        Err(error) => Err(SaveFailure::Failed(explain_failure(&error))),
    }
}

/// The history's record of this save: what changed, and the fingerprint of each
/// value written (never the value).
fn audit_record(plan: &SavePlan, values: &[NewValue<'_>]) -> AuditRecord {
    let fingerprint_of = |entry: &SecretRef| {
        values
            .iter()
            .find(|v| v.target == entry)
            .map(|v| fingerprint(&entry.service, &entry.user, &v.value))
    };
    let changes: Vec<Change> = plan
        .changes
        .iter()
        .cloned()
        .map(|mut change| {
            if let Change::SecretNewValue {
                entry, fingerprint, ..
            } = &mut change
            {
                *fingerprint = fingerprint_of(entry);
            }
            change
        })
        .collect();
    let secrets = values
        .iter()
        .map(|v| AuditSecret {
            entry: v.target.user.clone(),
            store: v.target.store.as_str().to_owned(),
            fingerprint: fingerprint(&v.target.service, &v.target.user, &v.value),
        })
        .collect();
    AuditRecord::new(
        plan.document.revision,
        crate::utc::now(),
        history_file::actor(),
        &changes,
        secrets,
    )
}

/// The operator's sentence for a save that did not happen.
fn explain_failure(error: &JournalError) -> String {
    match error {
        JournalError::Store { put_back, .. } if !put_back.is_empty() => format!(
            "{error}. The file was not changed. The next start of wfm-wizard (any command) \
             puts those entries back once the store answers."
        ),
        JournalError::Store {
            why,
            problem: StoreProblem::NoAnswer,
            ..
        } => format!(
            "{why}. Nothing was written to the file. If the store wakes up, the entry it was \
             asked to save may still appear: `wfm-wizard status` lists it and \
             `wfm-wizard prune` removes it."
        ),
        _ => {
            format!("{error}. Nothing was written, and the keyring is as it was before this save.")
        }
    }
}

mod connection_tests;
mod draft;
mod stored_check;

pub use connection_tests::{ConnectionTests, Tester, tester_from_env};

pub use draft::clean_orphans as clean_draft_orphans;

#[cfg(test)]
mod tests;
