//! Drafts of unsaved work: what goes into `<config>.draft` after each step, where typed
//! secrets are parked meanwhile (draft keyring entries), and resuming or discarding a
//! draft on the next start. Pure: the file and the keyring are effects.

use std::fmt::Write;

use secrecy::SecretString;
use tui_input::Input;

use super::{
    Action, Effect, FieldState, IntegrationForm, Interrupt, Level, Notice, Outcome, SecretWrite,
    Step, StoreStatus, Wizard,
};
use crate::catalog::FieldKind;
use crate::config::Integration;
use crate::config::draft::{DRAFT_VERSION, DraftField, DraftIntegration, Position, Snapshot};
use crate::secret::{SERVICE, SecretRef, draft_entry_user, is_namespace};

/// What saving a draft writes: the typed secrets into draft entries, then the file,
/// then removing draft entries no longer needed.
#[derive(Debug)]
pub struct DraftPlan {
    /// Later plans win: a plan older than one already carried out is skipped.
    pub generation: u64,
    pub snapshot: Snapshot,
    pub writes: Vec<SecretWrite>,
    pub deletes: Vec<SecretRef>,
}

/// What became of the secrets a resumed draft names.
pub type LoadedSecrets = Vec<(SecretRef, Option<SecretString>)>;

/// Over SSH (`SSH_CONNECTION` set) and not inside tmux (`TMUX`) or screen (`STY`),
/// a dropped link ends the wizard: worth saying on the first screen.
pub fn link_can_drop(ssh_connection: bool, in_tmux: bool, in_screen: bool) -> bool {
    ssh_connection && !in_tmux && !in_screen
}

pub const SSH_HINT: &str = "Over SSH: if the link drops, what you typed is kept in a draft \
                            and offered when you start wfm-wizard again. Running it inside \
                            tmux keeps the whole session alive.";

/// Where the session is, coarse enough that moving between fields is not a new step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Checkpoint {
    step: Position,
    integrations: usize,
    removed: usize,
    confirmed: usize,
}

impl Wizard {
    /// Says on the first screen that a dropped link loses nothing (see [`link_can_drop`]).
    pub(super) fn show_ssh_hint(&mut self) {
        self.notice = Some(Notice {
            level: Level::Info,
            text: SSH_HINT.into(),
        });
    }

    /// A draft from an earlier session: the first screen offers to resume or discard it.
    pub(super) fn offer_resume(&mut self, snapshot: Snapshot) {
        self.resume_offer = Some(snapshot);
    }

    /// A draft file that cannot be read: say so, and leave it alone.
    pub(super) fn draft_unreadable(&mut self, why: &str) {
        self.notice = Some(Notice {
            level: Level::Error,
            text: format!("The saved draft was not loaded: {why}"),
        });
    }

    pub(super) fn position(&self) -> Position {
        match &self.step {
            Step::Platform { .. } => Position::Platform,
            Step::Operation { op, .. } => Position::Operation {
                operation: self.operation(*op).id.clone(),
            },
            Step::StoreGate { draft } => Position::Operation {
                operation: self.forms[*draft].operation.clone(),
            },
            Step::Form { draft, focus, .. } => Position::Form {
                integration: *draft,
                focus: *focus,
            },
            Step::Review { .. } | Step::Saving | Step::SaveFailed { .. } | Step::Done(_) => {
                Position::Review
            }
        }
    }

    pub(super) fn checkpoint(&self) -> Checkpoint {
        let step = match self.position() {
            Position::Form { integration, .. } => Position::Form {
                integration,
                focus: 0,
            },
            other => other,
        };
        Checkpoint {
            step,
            integrations: self.forms.len(),
            removed: self.removed.len(),
            confirmed: self.confirmed.len(),
        }
    }

    /// After a message: a draft when the session moved to another step with unsaved
    /// work, nothing otherwise.
    pub(super) fn draft_after(&mut self, before: &Checkpoint) -> Option<Effect> {
        if !self.wants_draft() || self.checkpoint() == *before {
            return None;
        }
        Some(self.draft_effect())
    }

    /// Unsaved work, no save under way, and the earlier draft neither waiting for a
    /// decision nor still being read back (a new draft would drop its secrets).
    fn wants_draft(&self) -> bool {
        let saving = matches!(self.step, Step::Saving | Step::Done(_));
        self.dirty
            && !saving
            && self.outcome.is_none()
            && self.resume_offer.is_none()
            && self.restoring.is_empty()
    }

    /// Once the store is resolved: a draft with the secrets the last one left out.
    pub(super) fn draft_secrets_now(&mut self) -> Vec<Effect> {
        let ready = matches!(self.store, StoreStatus::Ready(_));
        if ready && self.secrets_left_out && self.wants_draft() {
            vec![self.draft_effect()]
        } else {
            Vec::new()
        }
    }

    /// A draft of the session as it is now, when there is unsaved work (`Msg::Checkpoint`).
    pub(super) fn draft_now(&mut self) -> Vec<Effect> {
        if self.wants_draft() {
            vec![self.draft_effect()]
        } else {
            Vec::new()
        }
    }

    fn draft_effect(&mut self) -> Effect {
        let plan = self.draft_plan();
        self.secrets_left_out = plan.snapshot.secrets_left_out > 0;
        // While the store is still being resolved (a moment at start) the next draft
        // catches up; a store that is unavailable will not, so say so.
        if plan.snapshot.secrets_left_out > 0
            && self.notice.is_none()
            && let StoreStatus::Unavailable(reason) = &self.store
        {
            self.notice = Some(Notice {
                level: Level::Info,
                text: format!(
                    "Typed secrets are not kept in the draft: no secret store ({reason}). \
                     The other answers are."
                ),
            });
        }
        Effect::SaveDraft(plan)
    }

    /// The draft of the session as it is now, typed secrets going to draft entries in
    /// the resolved store (left out, and counted, while there is none).
    pub(super) fn draft_plan(&mut self) -> DraftPlan {
        let mut snapshot = self.snapshot();
        let store = match &self.store {
            StoreStatus::Ready(info) => Some(info.kind),
            _ => None,
        };
        let mut writes = Vec::new();
        let mut taken: Vec<String> = Vec::new();
        let mut parked = Vec::new();
        let mut too_long = Vec::new();
        for (index, integration) in snapshot.integrations.iter_mut().enumerate() {
            let defs = self.form_fields(index);
            let group = self.forms[index].group(&defs);
            for (field, state) in integration.fields.iter_mut().zip(&self.forms[index].fields) {
                let (DraftField::Secret { key, typed, .. }, FieldState::Secret(secret)) =
                    (field, state)
                else {
                    continue;
                };
                if secret.typed.is_empty() {
                    continue;
                }
                let Some(store) = store else {
                    snapshot.secrets_left_out += 1;
                    continue;
                };
                let what = format!(
                    "{} of {}",
                    defs.iter()
                        .find(|d| d.key == *key)
                        .map_or(key.as_str(), |d| d.label.as_str()),
                    self.draft_name(index)
                );
                // The store would refuse it: the rest of the draft is kept without it.
                if !store.holds(secret.typed.expose()) {
                    too_long.push(format!("{what} (too long for {store})"));
                    continue;
                }
                let base = draft_entry_user(
                    &self.identity.namespace,
                    &integration.platform,
                    &integration.operation,
                    Some(&group),
                    key,
                );
                // Two unfinished integrations may share a group for a moment.
                let mut user = base.clone();
                let mut n = 2;
                while taken.contains(&user) {
                    user = format!("{base}~{n}");
                    n += 1;
                }
                taken.push(user.clone());
                let target = SecretRef {
                    store,
                    service: SERVICE.to_owned(),
                    user,
                };
                writes.push(SecretWrite {
                    target: target.clone(),
                    value: secret.typed.to_secret(),
                });
                parked.push((target.clone(), what));
                *typed = Some(target);
            }
        }
        let kept: Vec<SecretRef> = writes.iter().map(|w| w.target.clone()).collect();
        let deletes = self
            .draft_entries
            .iter()
            .filter(|old| !kept.contains(old))
            .cloned()
            .collect();
        self.draft_entries = kept;
        self.parked = parked;
        self.tell_not_kept(&too_long);
        self.draft_generation += 1;
        DraftPlan {
            generation: self.draft_generation,
            snapshot,
            writes,
            deletes,
        }
    }

    /// Removes the draft file and every draft entry this session knows of.
    pub(super) fn discard_draft(&mut self) -> Effect {
        self.draft_generation += 1;
        Effect::DiscardDraft {
            generation: self.draft_generation,
            entries: std::mem::take(&mut self.draft_entries),
        }
    }

    /// The non-secret state, secrets only marked as stored (no draft entries yet).
    pub fn snapshot(&self) -> Snapshot {
        let integrations = (0..self.forms.len())
            .map(|index| {
                let draft = &self.forms[index];
                let fields = self
                    .form_fields(index)
                    .iter()
                    .zip(&draft.fields)
                    .map(|(def, state)| match state {
                        FieldState::Text(input) => DraftField::Text {
                            key: def.key.clone(),
                            value: input.value().to_owned(),
                        },
                        FieldState::Toggle(on) => DraftField::Toggle {
                            key: def.key.clone(),
                            on: *on,
                        },
                        FieldState::Secret(secret) => DraftField::Secret {
                            key: def.key.clone(),
                            typed: None,
                            stored: secret.stored.clone(),
                        },
                    })
                    .collect();
                DraftIntegration {
                    platform: draft.platform.clone(),
                    operation: draft.operation.clone(),
                    original: draft.original.clone(),
                    touched: draft.touched,
                    fields,
                }
            })
            .collect();
        Snapshot {
            version: DRAFT_VERSION,
            namespace: Some(self.identity.namespace.clone()),
            platform: self.current_platform().id.clone(),
            confirmed: self.confirmed.clone(),
            at: self.position(),
            integrations,
            removed: self.removed.clone(),
            secrets_left_out: 0,
        }
    }

    /// Keys while the offer is up: resume (`Yes`), discard (`Delete`), quit.
    pub(super) fn resume_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Yes | Action::Enter => self.resume(),
            Action::Delete => {
                let Some(snapshot) = self.resume_offer.take() else {
                    return Vec::new();
                };
                self.draft_entries = typed_entries(&snapshot);
                self.notice = Some(Notice {
                    level: Level::Info,
                    text: "Draft discarded.".into(),
                });
                vec![self.discard_draft()]
            }
            Action::Quit => {
                // The draft stays for next time.
                self.outcome = Some(Outcome::Cancelled);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn resume(&mut self) -> Vec<Effect> {
        let Some(snapshot) = self.resume_offer.take() else {
            return Vec::new();
        };
        self.apply(&snapshot);
        self.mark_vanished();
        // A file that does not record a namespace of its own yet (new, version 1, a
        // copy) drew one for this session: go on with the one the draft was made under.
        if self.identity.note.is_some()
            && !self.identity.owns_recorded_namespace()
            && let Some(namespace) = snapshot.namespace.as_ref().filter(|n| is_namespace(n))
        {
            self.identity.namespace.clone_from(namespace);
        }
        self.draft_entries = typed_entries(&snapshot);
        self.dirty = true;
        let mut text = format!(
            "Resumed the draft: {} integration(s). Nothing is written until you save on Review.",
            self.forms.len()
        );
        if snapshot.secrets_left_out > 0 {
            let _ = write!(
                text,
                " {} secret(s) typed before the secret store was ready were not kept: type them again.",
                snapshot.secrets_left_out
            );
        }
        self.notice = Some(Notice {
            level: Level::Info,
            text,
        });
        if self.draft_entries.is_empty() {
            Vec::new()
        } else {
            vec![Effect::LoadDraftSecrets(self.draft_entries.clone())]
        }
    }

    /// Rebuilds the session from a snapshot; what the catalog no longer has is dropped.
    fn apply(&mut self, snapshot: &Snapshot) {
        if let Some(p) = self
            .catalog
            .platforms
            .iter()
            .position(|p| p.id == snapshot.platform)
        {
            self.platform = p;
        }
        self.confirmed.clone_from(&snapshot.confirmed);
        self.removed.clone_from(&snapshot.removed);
        // Integrations the file gained after the draft was made (saved by someone
        // else meanwhile) are kept, after the draft's own: resuming must not drop them.
        let known: Vec<&Integration> = snapshot
            .integrations
            .iter()
            .filter_map(|i| i.original.as_ref())
            .chain(&snapshot.removed)
            .collect();
        let newer: Vec<IntegrationForm> = std::mem::take(&mut self.forms)
            .into_iter()
            .filter(|d| d.original.as_ref().is_some_and(|o| !known.contains(&o)))
            .collect();
        self.restoring.clear();
        for saved in &snapshot.integrations {
            let Some(draft) = self.rebuild(saved) else {
                continue;
            };
            let index = self.forms.len();
            let defs = self.catalog.platform(&draft.platform).and_then(|p| {
                p.operation(&draft.operation)
                    .map(|o| p.form_fields(o).map(|d| d.key.clone()).collect::<Vec<_>>())
            });
            for (field, key) in defs.unwrap_or_default().iter().enumerate() {
                if let Some(DraftField::Secret {
                    typed: Some(entry), ..
                }) = saved.fields.iter().find(|f| f.key() == key)
                {
                    self.restoring.push((index, field, entry.clone()));
                }
            }
            self.forms.push(draft);
        }
        self.forms.extend(newer);
        self.step = match &snapshot.at {
            Position::Platform => Step::Platform {
                selected: self.platform,
            },
            Position::Operation { operation } => {
                let op = self
                    .current_platform()
                    .operations
                    .iter()
                    .position(|o| o.id == *operation)
                    .unwrap_or(0);
                let items = self.list_items(op);
                Step::Operation {
                    op,
                    selected: items.len() - 1,
                }
            }
            Position::Form { integration, focus } if *integration < self.forms.len() => {
                // A new session has not yet said where secrets go: through the gate first.
                self.open_form_through_gate(*integration);
                if let Step::Form { focus: at, .. } = &mut self.step {
                    *at = (*focus).min(self.forms[*integration].fields.len() - 1);
                }
                return;
            }
            Position::Form { .. } | Position::Review => Step::Review { scroll: 0 },
        };
    }

    fn rebuild(&self, saved: &DraftIntegration) -> Option<IntegrationForm> {
        let platform = self.catalog.platform(&saved.platform)?;
        let operation = platform.operation(&saved.operation)?;
        let mut draft = IntegrationForm::new(platform, operation);
        for (def, state) in platform.form_fields(operation).zip(draft.fields.iter_mut()) {
            let Some(field) = saved.fields.iter().find(|f| f.key() == def.key) else {
                continue;
            };
            match (def.kind, state, field) {
                (
                    FieldKind::Group | FieldKind::Text,
                    FieldState::Text(input),
                    DraftField::Text { value, .. },
                ) => {
                    *input = Input::new(value.clone());
                }
                (
                    FieldKind::Toggle,
                    FieldState::Toggle(on),
                    DraftField::Toggle { on: saved, .. },
                ) => {
                    *on = *saved;
                }
                (
                    FieldKind::Secret,
                    FieldState::Secret(secret),
                    DraftField::Secret { stored, .. },
                ) => {
                    secret.stored.clone_from(stored);
                }
                _ => {}
            }
        }
        draft.original.clone_from(&saved.original);
        draft.touched = saved.touched;
        draft.visited.fill(true);
        Some(draft)
    }

    /// Puts secrets read back from draft entries into their fields.
    pub(super) fn restore_secrets(&mut self, result: Result<LoadedSecrets, String>) {
        self.restore_each(result);
        self.restoring.clear();
    }

    fn restore_each(&mut self, result: Result<LoadedSecrets, String>) {
        let loaded = match result {
            Ok(loaded) => loaded,
            Err(why) => {
                self.notice = Some(Notice {
                    level: Level::Error,
                    text: format!(
                        "The draft's typed secrets could not be read ({why}); type them again."
                    ),
                });
                return;
            }
        };
        let mut missing = 0;
        for (reference, value) in loaded {
            let Some(value) = value else {
                missing += 1;
                continue;
            };
            if let Some(secret) = self.secret_for(&reference) {
                secret.typed.clear();
                secret
                    .typed
                    .push_str(secrecy::ExposeSecret::expose_secret(&value));
            }
        }
        if missing > 0 {
            self.notice = Some(Notice {
                level: Level::Error,
                text: format!(
                    "{missing} secret(s) typed before were no longer in the keyring (the kernel \
                     keyring forgets at reboot); type them again."
                ),
            });
        }
    }

    /// The secret field whose draft entry is `reference`.
    fn secret_for(&mut self, reference: &SecretRef) -> Option<&mut super::SecretField> {
        let (index, field) = self
            .restoring
            .iter()
            .find(|(_, _, r)| r == reference)
            .map(|(i, f, _)| (*i, *f))?;
        match self.forms.get_mut(index)?.fields.get_mut(field)? {
            FieldState::Secret(secret) => Some(secret),
            _ => None,
        }
    }

    /// What the loop does on SIGHUP/SIGTERM/SIGINT: keep the draft, then end.
    pub(super) fn interrupted(&mut self, how: Interrupt) -> Vec<Effect> {
        let effect = self.wants_draft().then(|| self.draft_effect());
        self.outcome = Some(Outcome::Interrupted(how));
        effect.into_iter().collect()
    }
}

/// The draft entries a snapshot names.
fn typed_entries(snapshot: &Snapshot) -> Vec<SecretRef> {
    snapshot.typed_entries()
}

#[cfg(test)]
mod tests;
