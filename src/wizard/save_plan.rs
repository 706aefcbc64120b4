//! What a save must do, worked out without doing any of it.

use secrecy::SecretString;

use super::{FieldState, SecretField, Wizard};
use crate::catalog::FieldKind;
use crate::config::diff::Change;
use crate::config::{Document, Integration, SCHEMA_VERSION, Setting, Settings};
use crate::secret::{SERVICE, SecretRef, StoreKind, entry_user, namespace_of};

/// A new value for a keyring entry.
pub struct SecretWrite {
    pub target: SecretRef,
    pub value: SecretString,
}

impl std::fmt::Debug for SecretWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretWrite")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

/// A kept secret whose entry name changed (its Group changed): copied, then the old removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretCopy {
    pub from: SecretRef,
    pub to: SecretRef,
}

/// In order: copies, writes, the file, then deletions. Secrets always go before the file.
#[derive(Debug)]
pub struct SavePlan {
    pub document: Document,
    pub copies: Vec<SecretCopy>,
    pub writes: Vec<SecretWrite>,
    /// Entries no integration refers to once the file is written.
    pub deletes: Vec<SecretRef>,
    /// SHA-256 of the file as the session loaded it: a different file is not overwritten.
    pub expected_hash: Option<String>,
    /// The file to write: the document with the operator's comments carried over
    /// (`None`: the document rendered plainly).
    pub text: Option<String>,
    /// What the save changes, secrets redacted: for the audit record.
    pub changes: Vec<Change>,
}

/// What a save does to the store, collected field by field.
struct Changes<'a> {
    copies: &'a mut Vec<SecretCopy>,
    writes: &'a mut Vec<SecretWrite>,
    deletes: &'a mut Vec<SecretRef>,
}

impl Changes<'_> {
    /// The reference one secret field gets at `user`: a typed value is written there, a
    /// kept one is copied there when its entry had another name. `None`: no value.
    fn secret(
        &mut self,
        secret: &SecretField,
        user: String,
        store: StoreKind,
    ) -> Option<SecretRef> {
        if secret.typed.is_empty() {
            let old = secret.stored.as_ref()?;
            if old.user == user {
                return Some(old.clone());
            }
            let to = SecretRef {
                user,
                ..old.clone()
            };
            self.copies.push(SecretCopy {
                from: old.clone(),
                to: to.clone(),
            });
            self.deletes.push(old.clone());
            return Some(to);
        }
        let target = SecretRef {
            store,
            service: SERVICE.to_owned(),
            user,
        };
        self.writes.push(SecretWrite {
            target: target.clone(),
            value: secret.typed.to_secret(),
        });
        if let Some(old) = secret.stored.as_ref().filter(|old| **old != target) {
            self.deletes.push(old.clone());
        }
        Some(target)
    }
}

impl Wizard {
    /// The plan for saving every draft, new secrets going to `store`.
    pub fn save_plan(&self, store: StoreKind) -> SavePlan {
        let mut integrations = Vec::new();
        let mut copies = Vec::new();
        let mut writes = Vec::new();
        let mut deletes: Vec<SecretRef> = Vec::new();
        for index in 0..self.forms.len() {
            let mut changes = Changes {
                copies: &mut copies,
                writes: &mut writes,
                deletes: &mut deletes,
            };
            integrations.push(self.planned_integration(index, store, &mut changes));
        }
        for removed in &self.removed {
            for (_, setting) in &removed.settings.0 {
                if let Setting::Secret(reference) = setting {
                    deletes.push(reference.clone());
                }
            }
        }
        let deletes = deletable(deletes, &integrations, &self.identity.namespace);
        let mut confirmed = self.confirmed.clone();
        confirmed.sort();
        confirmed.dedup();
        SavePlan {
            document: Document {
                version: SCHEMA_VERSION,
                namespace: Some(self.identity.namespace.clone()),
                path: Some(self.identity.path.clone()),
                revision: self.loaded_revision + 1,
                confirmed,
                integrations,
            },
            copies,
            writes,
            deletes,
            expected_hash: self.loaded_hash.clone(),
            text: None,
            changes: Vec::new(),
        }
    }
}

impl Wizard {
    /// What a save writes for form `index`, with what it does to the store.
    fn planned_integration(
        &self,
        index: usize,
        store: StoreKind,
        changes: &mut Changes<'_>,
    ) -> Integration {
        let draft = &self.forms[index];
        let defs = self.form_fields(index);
        let group = Some(draft.group(&defs)).filter(|g| !g.is_empty());
        let mut settings = Vec::new();
        for (def, state) in defs.iter().zip(&draft.fields) {
            match (def.kind, state) {
                (FieldKind::Text, FieldState::Text(input)) => {
                    settings.push((
                        def.key.clone(),
                        Setting::Text(input.value().trim().to_owned()),
                    ));
                }
                (FieldKind::Secret, FieldState::Secret(secret)) => {
                    let user = entry_user(
                        &self.identity.namespace,
                        &draft.platform,
                        &draft.operation,
                        group.as_deref(),
                        &def.key,
                    );
                    if let Some(reference) = changes.secret(secret, user, store) {
                        settings.push((def.key.clone(), Setting::Secret(reference)));
                    }
                }
                _ => {}
            }
        }
        Integration {
            platform: draft.platform.clone(),
            operation: draft.operation.clone(),
            group,
            enabled: draft.enabled(&defs),
            settings: Settings(settings),
        }
    }

    /// Form `index` as a save writes it, and the entries whose value that save writes
    /// for it (the values themselves are not kept).
    pub(super) fn planned_alone(
        &self,
        index: usize,
        store: StoreKind,
    ) -> (Integration, Vec<SecretRef>) {
        let (mut copies, mut writes, mut deletes) = (Vec::new(), Vec::new(), Vec::new());
        let integration = self.planned_integration(
            index,
            store,
            &mut Changes {
                copies: &mut copies,
                writes: &mut writes,
                deletes: &mut deletes,
            },
        );
        (integration, writes.into_iter().map(|w| w.target).collect())
    }
}

/// Of the entries a save would leave unreferenced, those it may remove: none the saved
/// integrations still name, and only this config's own (`namespace`): a version-1 name
/// may still be used by another version-1 file, and a copied file's entries are its
/// original's. The one rule for the wizard's save and `apply`.
pub fn deletable(
    mut deletes: Vec<SecretRef>,
    integrations: &[Integration],
    namespace: &str,
) -> Vec<SecretRef> {
    let kept: Vec<&SecretRef> = integrations
        .iter()
        .flat_map(|i| i.settings.0.iter())
        .filter_map(|(_, s)| match s {
            Setting::Secret(r) => Some(r),
            Setting::Text(_) => None,
        })
        .collect();
    deletes.retain(|d| !kept.contains(&d) && namespace_of(&d.user) == Some(namespace));
    deletes.dedup();
    deletes
}
