//! What a draft holds: the session's non-secret state, and typed secrets parked in
//! draft keyring entries of the resolved store.

use super::{DraftPlan, FieldState, SecretWrite, StoreStatus, Wizard};
use crate::config::draft::{DRAFT_VERSION, DraftField, DraftIntegration, Position, Snapshot};
use crate::secret::{SERVICE, SecretRef, draft_entry_user};

impl Wizard {
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
        let drafted: Vec<usize> = self.drafted_forms().collect();
        for (&index, integration) in drafted.iter().zip(snapshot.integrations.iter_mut()) {
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
            .recovery
            .entries
            .iter()
            .filter(|old| !kept.contains(old))
            .cloned()
            .collect();
        self.recovery.entries = kept;
        self.recovery.parked = parked;
        self.tell_not_kept(&too_long);
        self.recovery.generation += 1;
        DraftPlan {
            generation: self.recovery.generation,
            snapshot,
            writes,
            deletes,
        }
    }

    /// The forms a draft lists: new ones, those loaded from the file and changed, and
    /// the one open (the draft's position names it among these).
    fn drafted_forms(&self) -> impl Iterator<Item = usize> + '_ {
        let open = match self.position() {
            Position::Form { integration, .. } => Some(integration),
            _ => None,
        };
        (0..self.forms.len()).filter(move |&i| {
            self.forms[i].original.is_none() || self.forms[i].touched || Some(i) == open
        })
    }

    /// The non-secret state, secrets only marked as stored (no draft entries yet); of
    /// the integrations, only those that differ from the file.
    pub fn snapshot(&self) -> Snapshot {
        let integrations = self
            .drafted_forms()
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
            at: match self.position() {
                Position::Form { integration, focus } => Position::Form {
                    integration: self
                        .drafted_forms()
                        .position(|i| i == integration)
                        .unwrap_or(integration),
                    focus,
                },
                other => other,
            },
            integrations,
            removed: self.removed.clone(),
            secrets_left_out: 0,
        }
    }
}
