//! What `apply` must change: the answers merged into the config as loaded, each secret
//! compared by fingerprint with what its store holds. Builds the wizard's own
//! `SavePlan` (the same journaled save); touches no store but to read.
//!
//! Mirrors `wizard::save_plan` (settings in form order, entry names, which old entries
//! go): a copy, because the wizard's builder works on its form state, not a document.

use secrecy::SecretString;

use crate::answers::{AnswerIntegration, AnswerValue, Answers, State};
use crate::catalog::{Catalog, FieldDef, FieldKind};
use crate::commands::inventory::fingerprint;
use crate::config::{Document, Integration, SCHEMA_VERSION, Setting, Settings};
use crate::identity::Identity;
use crate::secret::{SERVICE, SecretRef, StoreKind, entry_user};
use crate::validate::group_key;
use crate::wizard::{SavePlan, SecretCopy, SecretWrite};

/// The values an answers file brought, in the order of its secret settings.
pub struct Given {
    /// (answers integration index, setting key) -> value.
    pub secrets: Vec<((usize, String), SecretString)>,
}

impl Given {
    fn get(&self, index: usize, key: &str) -> Option<&SecretString> {
        self.secrets
            .iter()
            .find(|((i, k), _)| *i == index && k == key)
            .map(|(_, v)| v)
    }
}

/// What a store holds at an entry: `Ok(None)` when nothing.
pub trait StoredValues {
    fn read(&self, entry: &SecretRef) -> Result<Option<SecretString>, String>;
    /// The store new values go to (probed once, only when a value must be written).
    fn store_for_new(&self) -> Result<StoreKind, String>;
}

/// Why no plan could be made.
#[derive(Debug)]
pub enum PlanError {
    /// A store could not be read or chosen: exit 4.
    Store(String),
}

/// What happens to one integration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Added,
    Changed,
    Removed,
    Unchanged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Added => "added",
            Action::Changed => "changed",
            Action::Removed => "removed",
            Action::Unchanged => "unchanged",
        }
    }
}

/// One integration's outcome, for the report.
#[derive(Clone, Debug)]
pub struct IntegrationOutcome {
    pub action: Action,
    pub platform: String,
    pub operation: String,
    pub group: Option<String>,
}

/// What happens to one secret field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretAction {
    Written,
    Moved,
    Unchanged,
    Removed,
}

impl SecretAction {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretAction::Written => "written",
            SecretAction::Moved => "moved",
            SecretAction::Unchanged => "unchanged",
            SecretAction::Removed => "removed",
        }
    }
}

/// One secret's outcome: `field` is `<platform>/<operation>/<group>/<field>`.
#[derive(Clone, Debug)]
pub struct SecretOutcome {
    pub field: String,
    pub action: SecretAction,
    pub fingerprint: Option<String>,
}

/// The merged config and what saving it does.
pub struct Plan {
    pub save: SavePlan,
    pub integrations: Vec<IntegrationOutcome>,
    pub secrets: Vec<SecretOutcome>,
    /// Old integration index -> its index in the new document (`None`: removed).
    pub successor: Vec<Option<usize>>,
    pub changed: bool,
}

/// Inputs that do not change while planning.
pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub old: Option<&'a Document>,
    pub identity: &'a Identity,
    pub expected_hash: Option<String>,
}

/// The index in `answers` of the entry about `integration`, if any.
fn answer_for(answers: &Answers, platform: &str, operation: &str, group: &str) -> Option<usize> {
    let key = group_key(group);
    answers.integrations.iter().position(|a| {
        a.platform == platform
            && a.operation == operation
            && group_key(a.group.as_deref().unwrap_or("")) == key
    })
}

/// The name a secret has on stdin and in reports.
pub fn field_name(platform: &str, operation: &str, group: Option<&str>, key: &str) -> String {
    crate::secret::legacy_entry_user(platform, operation, group, key)
}

struct Builder<'a, 'b> {
    ctx: &'b Context<'a>,
    stored: &'b dyn StoredValues,
    given: &'b Given,
    new_store: Option<StoreKind>,
    copies: Vec<SecretCopy>,
    writes: Vec<SecretWrite>,
    deletes: Vec<SecretRef>,
    secrets: Vec<SecretOutcome>,
}

impl Builder<'_, '_> {
    fn store_for_new(&mut self) -> Result<StoreKind, PlanError> {
        if let Some(kind) = self.new_store {
            return Ok(kind);
        }
        let kind = self.stored.store_for_new().map_err(PlanError::Store)?;
        self.new_store = Some(kind);
        Ok(kind)
    }

    /// The reference one secret field gets; records what that takes. `None`: no value.
    fn secret(
        &mut self,
        name: String,
        user: String,
        old: Option<&SecretRef>,
        value: Option<&SecretString>,
    ) -> Result<Option<SecretRef>, PlanError> {
        let Some(value) = value else {
            let Some(old) = old else { return Ok(None) };
            if old.user == user {
                self.secrets.push(SecretOutcome {
                    field: name,
                    action: SecretAction::Unchanged,
                    fingerprint: None,
                });
                return Ok(Some(old.clone()));
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
            self.secrets.push(SecretOutcome {
                field: name,
                action: SecretAction::Moved,
                fingerprint: None,
            });
            return Ok(Some(to));
        };
        if let Some(old) = old.filter(|old| old.user == user) {
            let now = self.stored.read(old).map_err(PlanError::Store)?;
            let print = fingerprint(&old.service, &old.user, value);
            if now.is_some_and(|now| fingerprint(&old.service, &old.user, &now) == print) {
                self.secrets.push(SecretOutcome {
                    field: name,
                    action: SecretAction::Unchanged,
                    fingerprint: Some(print),
                });
                return Ok(Some(old.clone()));
            }
        }
        let target = SecretRef {
            store: self.store_for_new()?,
            service: SERVICE.to_owned(),
            user,
        };
        self.secrets.push(SecretOutcome {
            field: name,
            action: SecretAction::Written,
            fingerprint: Some(fingerprint(&target.service, &target.user, value)),
        });
        self.writes.push(SecretWrite {
            target: target.clone(),
            value: value.clone(),
        });
        if let Some(old) = old.filter(|old| **old != target) {
            self.deletes.push(old.clone());
        }
        Ok(Some(target))
    }

    /// One integration as it is after apply: `old` merged with its answer.
    fn integration(
        &mut self,
        old: Option<&Integration>,
        answer: Option<(usize, &AnswerIntegration)>,
    ) -> Result<Option<Integration>, PlanError> {
        let (platform, operation, group) = match (answer, old) {
            (Some((_, a)), _) => (a.platform.clone(), a.operation.clone(), a.group.clone()),
            (None, Some(o)) => (o.platform.clone(), o.operation.clone(), o.group.clone()),
            (None, None) => return Ok(None),
        };
        let group = group.map(|g| g.trim().to_owned()).filter(|g| !g.is_empty());
        let Some(defs) = form_fields(self.ctx.catalog, &platform, &operation) else {
            // Not in the catalog: an old one is kept as it is (validate reports it).
            return Ok(old.cloned());
        };
        let enabled_default = defs
            .iter()
            .find(|d| d.kind == FieldKind::Toggle)
            .and_then(|d| d.default)
            .unwrap_or(true);
        let enabled = answer
            .and_then(|(_, a)| a.enabled)
            .or(old.map(|o| o.enabled))
            .unwrap_or(enabled_default);
        let mut settings = Vec::new();
        for def in defs {
            let answered = answer.and_then(|(_, a)| a.settings.get(&def.key));
            let before = old.and_then(|o| o.settings.get(&def.key));
            match def.kind {
                FieldKind::Text => {
                    let text = match (answered, before) {
                        (Some(AnswerValue::Text(t)), _) | (None, Some(Setting::Text(t))) => {
                            t.trim().to_owned()
                        }
                        _ => String::new(),
                    };
                    settings.push((def.key.clone(), Setting::Text(text)));
                }
                FieldKind::Secret => {
                    let user = entry_user(
                        &self.ctx.identity.namespace,
                        &platform,
                        &operation,
                        group.as_deref(),
                        &def.key,
                    );
                    let old_ref = match before {
                        Some(Setting::Secret(r)) => Some(r),
                        _ => None,
                    };
                    let value = answer.and_then(|(i, _)| self.given.get(i, &def.key));
                    let name = field_name(&platform, &operation, group.as_deref(), &def.key);
                    if let Some(reference) = self.secret(name, user, old_ref, value)? {
                        settings.push((def.key.clone(), Setting::Secret(reference)));
                    }
                }
                FieldKind::Group | FieldKind::Toggle => {}
            }
        }
        Ok(Some(Integration {
            platform,
            operation,
            group,
            enabled,
            settings: Settings(settings),
        }))
    }
}

/// The integrations as they come out of the merge, so far.
struct Merged {
    integrations: Vec<Integration>,
    outcomes: Vec<IntegrationOutcome>,
    successor: Vec<Option<usize>>,
    answered: Vec<bool>,
}

impl Builder<'_, '_> {
    /// The config's integrations, in their order, each merged with its answer (or
    /// removed by `state: absent`).
    fn merge_old(&mut self, answers: &Answers, merged: &mut Merged) -> Result<(), PlanError> {
        let old_integrations = self.ctx.old.map_or(&[][..], |d| d.integrations.as_slice());
        for old in old_integrations {
            let group = old.group.as_deref().unwrap_or("");
            let index = answer_for(answers, &old.platform, &old.operation, group);
            let answer = index.map(|i| (i, &answers.integrations[i]));
            if let Some(i) = index {
                merged.answered[i] = true;
            }
            let outcome = |action| IntegrationOutcome {
                action,
                platform: old.platform.clone(),
                operation: old.operation.clone(),
                group: old.group.clone(),
            };
            if answer.is_some_and(|(_, a)| a.state == State::Absent) {
                for (key, setting) in &old.settings.0 {
                    if let Setting::Secret(reference) = setting {
                        self.deletes.push(reference.clone());
                        self.secrets.push(SecretOutcome {
                            field: field_name(
                                &old.platform,
                                &old.operation,
                                old.group.as_deref(),
                                key,
                            ),
                            action: SecretAction::Removed,
                            fingerprint: None,
                        });
                    }
                }
                merged.successor.push(None);
                merged.outcomes.push(outcome(Action::Removed));
                continue;
            }
            let written_before = self.writes.len() + self.copies.len();
            let Some(new) = self.integration(Some(old), answer)? else {
                merged.successor.push(None);
                continue;
            };
            let touched = self.writes.len() + self.copies.len() > written_before;
            let action = if new == *old && !touched {
                Action::Unchanged
            } else {
                Action::Changed
            };
            merged.successor.push(Some(merged.integrations.len()));
            merged.integrations.push(new);
            merged.outcomes.push(outcome(action));
        }
        Ok(())
    }
}

/// The fields of an operation's form, or `None` when the catalog has no such operation.
pub fn form_fields<'c>(
    catalog: &'c Catalog,
    platform: &str,
    operation: &str,
) -> Option<Vec<&'c FieldDef>> {
    let platform = catalog.platform(platform)?;
    let operation = platform.operation(operation)?;
    Some(platform.form_fields(operation).collect())
}

/// Merges `answers` into the loaded config.
pub fn plan(
    ctx: &Context<'_>,
    answers: &Answers,
    given: &Given,
    stored: &dyn StoredValues,
) -> Result<Plan, PlanError> {
    let mut builder = Builder {
        ctx,
        stored,
        given,
        new_store: None,
        copies: Vec::new(),
        writes: Vec::new(),
        deletes: Vec::new(),
        secrets: Vec::new(),
    };
    let mut merged = Merged {
        integrations: Vec::new(),
        outcomes: Vec::new(),
        successor: Vec::new(),
        answered: vec![false; answers.integrations.len()],
    };
    builder.merge_old(answers, &mut merged)?;
    let Merged {
        mut integrations,
        mut outcomes,
        successor,
        answered,
    } = merged;
    for (i, answer) in answers.integrations.iter().enumerate() {
        if answered[i] || answer.state == State::Absent {
            continue;
        }
        // Two answers about the same integration: the first is applied, the rules
        // (check_answers) refuse the file before this point.
        if let Some(new) = builder.integration(None, Some((i, answer)))? {
            outcomes.push(IntegrationOutcome {
                action: Action::Added,
                platform: new.platform.clone(),
                operation: new.operation.clone(),
                group: new.group.clone(),
            });
            integrations.push(new);
        }
    }
    let Builder {
        copies,
        writes,
        deletes,
        secrets,
        ..
    } = builder;
    let deletes = crate::wizard::deletable(deletes, &integrations, &ctx.identity.namespace);
    let mut confirmed: Vec<String> = ctx
        .old
        .map(|d| d.confirmed.clone())
        .unwrap_or_default()
        .into_iter()
        .chain(answers.confirmed.iter().cloned())
        .collect();
    confirmed.sort();
    confirmed.dedup();
    let loaded_revision = ctx.old.map_or(0, |d| d.revision);
    let mut document = Document {
        version: SCHEMA_VERSION,
        namespace: Some(ctx.identity.namespace.clone()),
        path: Some(ctx.identity.path.clone()),
        revision: loaded_revision,
        confirmed,
        integrations,
    };
    let changed = ctx.old != Some(&document)
        || !copies.is_empty()
        || !writes.is_empty()
        || !deletes.is_empty();
    document.revision = loaded_revision + 1;
    Ok(Plan {
        save: SavePlan {
            document,
            copies,
            writes,
            deletes,
            expected_hash: ctx.expected_hash.clone(),
            text: None,
            changes: Vec::new(),
        },
        integrations: outcomes,
        secrets,
        successor,
        changed,
    })
}
