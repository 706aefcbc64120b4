//! After loading, every secret the file refers to is looked up in its store in the
//! background (an effect, within the store deadlines; the first frame never waits).
//! An entry that is gone (the kernel keyring after a reboot) marks its field: an error
//! there and in Review, and no save until the value is typed again.

use std::collections::HashSet;

use super::{Effect, FieldState, Level, Notice, Wizard};
use crate::secret::{SecretRef, StoreKind};

/// What the background check found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredCheck {
    /// References whose entry is not in its store.
    pub missing: Vec<SecretRef>,
    /// Stores that could not be asked, each with why (their entries count as present).
    pub unchecked: Vec<String>,
}

impl Wizard {
    /// The check of every stored reference of the loaded drafts; `None` when there are none.
    pub(super) fn check_stored_secrets(&self) -> Option<Effect> {
        let mut references: Vec<SecretRef> = Vec::new();
        let mut seen = HashSet::new();
        for draft in &self.forms {
            for state in &draft.fields {
                if let FieldState::Secret(secret) = state
                    && let Some(reference) = &secret.stored
                    && seen.insert((reference.store, reference.user.as_str()))
                {
                    references.push(reference.clone());
                }
            }
        }
        (!references.is_empty()).then_some(Effect::CheckStoredSecrets(references))
    }

    pub(super) fn stored_checked(&mut self, check: StoredCheck) {
        self.vanished = check.missing;
        self.mark_vanished();
        if !self.vanished.is_empty() {
            let count = self.vanished.len();
            self.notice = Some(Notice {
                level: Level::Error,
                text: format!(
                    "{count} stored secret(s) the file refers to are gone from their store; \
                     their fields are marked. Type them again before saving."
                ),
            });
        } else if !check.unchecked.is_empty() && self.notice.is_none() {
            self.notice = Some(Notice {
                level: Level::Info,
                text: format!(
                    "The stored secrets could not all be checked: {}.",
                    check.unchecked.join("; ")
                ),
            });
        }
    }

    /// Marks every secret field whose stored entry the check found gone (again after
    /// a resume rebuilt the drafts).
    pub(super) fn mark_vanished(&mut self) {
        // A set: 10,000 integrations refer to 20,000 entries.
        let gone: HashSet<(StoreKind, &str)> = self
            .vanished
            .iter()
            .map(|r| (r.store, r.user.as_str()))
            .collect();
        for draft in self.forms.iter_mut() {
            for state in &mut draft.fields {
                if let FieldState::Secret(secret) = state {
                    secret.vanished = secret
                        .stored
                        .as_ref()
                        .is_some_and(|r| gone.contains(&(r.store, r.user.as_str())));
                }
            }
        }
    }
}
