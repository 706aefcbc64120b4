//! What a save must do, worked out without doing any of it.

use secrecy::SecretString;

use super::{FieldState, Wizard};
use crate::catalog::FieldKind;
use crate::config::{Document, Integration, SCHEMA_VERSION, Setting, Settings};
use crate::secret::{SERVICE, SecretRef, StoreKind, entry_user};

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
}

impl Wizard {
    /// The plan for saving every draft, new secrets going to `store`.
    pub fn save_plan(&self, store: StoreKind) -> SavePlan {
        let mut integrations = Vec::new();
        let mut copies = Vec::new();
        let mut writes = Vec::new();
        let mut deletes: Vec<SecretRef> = Vec::new();
        for (index, draft) in self.drafts.iter().enumerate() {
            let defs = self.draft_fields(index);
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
                            &draft.platform,
                            &draft.operation,
                            group.as_deref(),
                            &def.key,
                        );
                        let reference = if secret.typed.is_empty() {
                            let Some(old) = &secret.stored else { continue };
                            if old.user == user {
                                old.clone()
                            } else {
                                let to = SecretRef {
                                    user,
                                    ..old.clone()
                                };
                                copies.push(SecretCopy {
                                    from: old.clone(),
                                    to: to.clone(),
                                });
                                deletes.push(old.clone());
                                to
                            }
                        } else {
                            let target = SecretRef {
                                store,
                                service: SERVICE.to_owned(),
                                user,
                            };
                            writes.push(SecretWrite {
                                target: target.clone(),
                                value: secret.typed.to_secret(),
                            });
                            if let Some(old) = secret.stored.as_ref().filter(|old| **old != target)
                            {
                                deletes.push(old.clone());
                            }
                            target
                        };
                        settings.push((def.key.clone(), Setting::Secret(reference)));
                    }
                    _ => {}
                }
            }
            integrations.push(Integration {
                platform: draft.platform.clone(),
                operation: draft.operation.clone(),
                group,
                enabled: draft.enabled(&defs),
                settings: Settings(settings),
            });
        }
        for removed in &self.removed {
            for (_, setting) in &removed.settings.0 {
                if let Setting::Secret(reference) = setting {
                    deletes.push(reference.clone());
                }
            }
        }
        let kept: Vec<&SecretRef> = integrations
            .iter()
            .flat_map(|i| i.settings.0.iter())
            .filter_map(|(_, s)| match s {
                Setting::Secret(r) => Some(r),
                Setting::Text(_) => None,
            })
            .collect();
        deletes.retain(|d| !kept.contains(&d));
        deletes.dedup();
        let mut confirmed = self.confirmed.clone();
        confirmed.sort();
        confirmed.dedup();
        SavePlan {
            document: Document {
                version: SCHEMA_VERSION,
                confirmed,
                integrations,
            },
            copies,
            writes,
            deletes,
        }
    }
}
