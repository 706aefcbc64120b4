//! Resuming or discarding a draft of unsaved work on the next start: the session is
//! rebuilt from the snapshot and its typed secrets read back from draft keyring entries.
//! Pure: the file and the keyring are effects. (Tests here cover crash recovery whole.)

use std::fmt::Write;

use tui_input::Input;

use super::claims::Claims;
use super::{
    Action, Effect, FieldState, IntegrationForm, Level, LoadedSecrets, Notice, Outcome, Step,
    Wizard,
};
use crate::catalog::FieldKind;
use crate::config::draft::{DraftField, DraftIntegration, Position, Snapshot};
use crate::secret::{SecretRef, is_namespace};

impl Wizard {
    /// A draft from an earlier session: the first screen offers to resume or discard it.
    pub(super) fn offer_resume(&mut self, snapshot: Snapshot) {
        self.recovery.offer = Some(snapshot);
    }

    /// A draft file that cannot be read: say so, and leave it alone.
    pub(super) fn draft_unreadable(&mut self, why: &str) {
        self.notice = Some(Notice {
            level: Level::Error,
            text: format!("The saved draft was not loaded: {why}"),
        });
    }

    /// Keys while the offer is up: resume (`Yes`), discard (`Delete`), quit.
    pub(super) fn resume_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Yes | Action::Enter => self.resume(),
            Action::Delete => {
                let Some(snapshot) = self.recovery.offer.take() else {
                    return Vec::new();
                };
                self.recovery.entries = typed_entries(&snapshot);
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
        let Some(snapshot) = self.recovery.offer.take() else {
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
            self.memo.forget();
        }
        self.recovery.entries = typed_entries(&snapshot);
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
        if self.recovery.entries.is_empty() {
            Vec::new()
        } else {
            vec![Effect::LoadDraftSecrets(self.recovery.entries.clone())]
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
        let restored = self.merged(snapshot);
        self.recovery.restoring.clear();
        // Where each of the draft's integrations is now, for the draft's position.
        let mut resumed_as = vec![None; snapshot.integrations.len()];
        for (draft, saved) in restored {
            let index = self.forms.len();
            if let Some((at, saved)) = saved {
                resumed_as[at] = Some(index);
                self.note_typed_entries(index, &draft, saved);
            }
            self.forms.push(draft);
        }
        let open_form = |integration: usize| {
            if snapshot.version >= 3 {
                resumed_as.get(integration).copied().flatten()
            } else {
                Some(integration)
            }
        };
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
            Position::Form { integration, focus }
                if open_form(*integration).is_some_and(|i| i < self.forms.len()) =>
            {
                let integration = open_form(*integration).unwrap_or_default();
                // A new session has not yet said where secrets go: through the gate
                // first, which opens the form where it was.
                self.recovery.focus = Some((integration, *focus));
                self.open_form_through_gate(integration);
                return;
            }
            Position::Form { .. } | Position::Review => Step::Review { scroll: 0 },
        };
    }

    /// The file's integrations in its order, each replaced by the draft's when the
    /// draft changed it and left out when the draft deleted it, then the draft's others
    /// (new ones, and changed ones whose original the file no longer has). A version-3
    /// draft lists only what it changed; an older one lists every integration, and an
    /// integration the file gained after the draft was made is kept all the same.
    fn merged<'s>(
        &mut self,
        snapshot: &'s Snapshot,
    ) -> Vec<(IntegrationForm, Option<(usize, &'s DraftIntegration)>)> {
        let mut drafted = Claims::new(
            snapshot
                .integrations
                .iter()
                .map(|saved| saved.original.as_ref()),
        );
        let mut removed = Claims::new(snapshot.removed.iter().map(Some));
        let mut merged = Vec::new();
        for form in self.forms.take() {
            let Some(original) = form.original.as_ref() else {
                merged.push((form, None));
                continue;
            };
            if let Some(at) = drafted.claim(original) {
                let saved = &snapshot.integrations[at];
                if let Some(rebuilt) = self.rebuild(saved) {
                    merged.push((rebuilt, Some((at, saved))));
                }
            } else if removed.claim(original).is_none() {
                merged.push((form, None));
            }
        }
        for (at, saved) in snapshot.integrations.iter().enumerate() {
            if !drafted.claimed[at]
                && let Some(rebuilt) = self.rebuild(saved)
            {
                merged.push((rebuilt, Some((at, saved))));
            }
        }
        merged
    }

    /// The draft entries that hold the typed secrets of `saved`, resumed as form `index`.
    fn note_typed_entries(
        &mut self,
        index: usize,
        draft: &IntegrationForm,
        saved: &DraftIntegration,
    ) {
        let defs = self.catalog.platform(&draft.platform).and_then(|p| {
            p.operation(&draft.operation)
                .map(|o| p.form_fields(o).map(|d| d.key.clone()).collect::<Vec<_>>())
        });
        for (field, key) in defs.unwrap_or_default().iter().enumerate() {
            if let Some(DraftField::Secret {
                typed: Some(entry), ..
            }) = saved.fields.iter().find(|f| f.key() == key)
            {
                self.recovery.restoring.push((index, field, entry.clone()));
            }
        }
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
        self.recovery.restoring.clear();
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
            .recovery
            .restoring
            .iter()
            .find(|(_, _, r)| r == reference)
            .map(|(i, f, _)| (*i, *f))?;
        match self.forms.get_mut(index)?.fields.get_mut(field)? {
            FieldState::Secret(secret) => Some(secret),
            _ => None,
        }
    }
}

/// The draft entries a snapshot names.
fn typed_entries(snapshot: &Snapshot) -> Vec<SecretRef> {
    snapshot.typed_entries()
}

#[cfg(test)]
mod tests;
