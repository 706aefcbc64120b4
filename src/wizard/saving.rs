//! Saving: the plan handed to the effect runner, the file's comments carried into it,
//! and what comes back (saved, failed, the file changed on disk and reloaded).

use std::sync::Arc;

use super::{
    Effect, Level, Notice, Overlay, Reloaded, SaveFailure, SaveReport, Step, StoreStatus, Wizard,
};
use crate::config::Document;

impl Wizard {
    pub(super) fn save(&mut self) -> Vec<Effect> {
        if let Some(who) = &self.read_only {
            self.notice = Some(Notice {
                level: Level::Error,
                text: format!("Not saved: read-only, {who}. Quit with ⟦Quit⟧."),
            });
            return Vec::new();
        }
        let problems = self.problems();
        if let Some(first) = problems.first() {
            self.step = Step::Review { scroll: 0 };
            self.notice = Some(Notice {
                level: Level::Error,
                text: format!("Not saved: {first} ⟦Back⟧ goes back to fix it."),
            });
            return Vec::new();
        }
        let store = match &self.store {
            StoreStatus::Ready(info) => info.kind,
            StoreStatus::Resolving => {
                self.notice = Some(Notice {
                    level: Level::Info,
                    text: "Still checking the secret store; press ⟦Save⟧ again in a moment.".into(),
                });
                return Vec::new();
            }
            StoreStatus::Unavailable(reason) => {
                self.notice = Some(Notice {
                    level: Level::Error,
                    text: format!(
                        "Not saved: no secret store ({reason}). Quit and start again with \
                         --secret-store keyutils or secret-service."
                    ),
                });
                return Vec::new();
            }
        };
        let mut plan = self.save_plan(store);
        plan.changes = self.pending_changes().to_vec();
        if self.loaded.text.is_some() {
            let Some(carried) = self.carry_comments(&plan.document) else {
                return Vec::new();
            };
            plan.text = Some(carried);
        }
        self.step = Step::Saving;
        vec![Effect::Save(plan)]
    }

    /// The file as it is now replaces the session: the operator was told that this
    /// session's changes are dropped.
    pub(super) fn reloaded(&mut self, result: Result<Reloaded, String>) -> Vec<Effect> {
        let reloaded = match result {
            Ok(reloaded) => reloaded,
            Err(why) => {
                self.step = Step::SaveFailed {
                    reason: format!("The file could not be read again: {why}"),
                    reload: true,
                };
                return Vec::new();
            }
        };
        let mut fresh = Wizard::new(
            Arc::clone(&self.catalog),
            reloaded.document.as_ref(),
            &self.config_path,
            self.now,
        );
        fresh.identity = self.identity.clone();
        if let Some(namespace) = reloaded.document.as_ref().and_then(|d| d.namespace.clone()) {
            fresh.identity.namespace = namespace;
        }
        fresh.loaded_hash = reloaded.hash;
        fresh.loaded.text = reloaded.text;
        fresh.store = self.store.clone();
        fresh.store_acknowledged = self.store_acknowledged;
        fresh.recovery.entries = std::mem::take(&mut self.recovery.entries);
        fresh.recovery.generation = self.recovery.generation;
        fresh.notice = Some(Notice {
            level: Level::Info,
            text: format!(
                "Reloaded {}: {} integration(s) as the file is now. Make your changes again, then save on Review.",
                self.config_path,
                fresh.forms.len()
            ),
        });
        *self = fresh;
        let mut effects = vec![self.discard_draft()];
        effects.extend(self.check_stored_secrets());
        effects
    }

    /// The text to write with the loaded file's comments carried over. Comments that
    /// cannot be kept (they belong to what the save removes) are listed first, and the
    /// save goes ahead when Ctrl-S is pressed again with the same list: `None` until then.
    fn carry_comments(&mut self, document: &Document) -> Option<String> {
        let old = self.loaded.text.as_deref().unwrap_or_default();
        let rendered = match crate::config::render_document(document) {
            Ok(text) => text,
            Err(e) => {
                self.notice = Some(Notice {
                    level: Level::Error,
                    text: format!("Not saved: the file could not be written out ({e})."),
                });
                return None;
            }
        };
        let carried = crate::config::comments::carry_comments(old, &rendered, &self.successor());
        if carried.lost.is_empty() || carried.lost == self.comments_to_drop {
            return Some(carried.text);
        }
        let listed: Vec<String> = carried
            .lost
            .iter()
            .take(5)
            .map(|c| format!("line {}: {}", c.line, crate::safe_text::escape(&c.text)))
            .collect();
        let more = carried.lost.len().saturating_sub(listed.len());
        self.notice = Some(Notice {
            level: Level::Error,
            text: format!(
                "Not saved yet: {} comment(s) in the file belong to what this save removes \
                 and cannot be kept: {}{}. Save again to write the file without them; \
                 ⟦Back⟧ goes back.",
                carried.lost.len(),
                listed.join("; "),
                if more > 0 {
                    format!(" (and {more} more)")
                } else {
                    String::new()
                }
            ),
        });
        self.comments_to_drop = carried.lost;
        None
    }

    pub(super) fn finish_save(&mut self, result: Result<SaveReport, SaveFailure>) -> Vec<Effect> {
        match result {
            Ok(report) => {
                self.dirty = false;
                if self.overlay == Some(Overlay::ConfirmQuit) {
                    self.overlay = None; // the question was about unsaved work; there is none now
                }
                self.step = Step::Done(report);
                vec![self.discard_draft()]
            }
            Err(SaveFailure::Failed(reason)) => {
                self.step = Step::SaveFailed {
                    reason,
                    reload: false,
                };
                Vec::new()
            }
            Err(SaveFailure::FileChanged) => {
                self.step = Step::SaveFailed {
                    reload: true,
                    reason: format!(
                        "{} was changed on disk after this session loaded it (by an editor, \
                         Ansible or a restore), so it was not overwritten and nothing was \
                         written. Enter reloads the file as it is now: this session's changes \
                         are dropped, and you make them again on the new contents. ⟦Back⟧ goes \
                         back to Review; ⟦Quit⟧ quits.",
                        self.config_path
                    ),
                };
                Vec::new()
            }
        }
    }
}
