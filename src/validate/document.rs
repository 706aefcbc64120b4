//! Rules for a whole document against the catalog: what `validate` and loading check.

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::operation_rules::{self, Broken};
use super::{Value, check_field, check_group_counts, group_key};
use crate::catalog::{Catalog, FieldKind, Operation, Platform};
use crate::config::{Document, Integration, Setting};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One finding, located by integration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub location: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.severity, self.location, self.message)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Where an integration is in the file, for messages: its index, and its platform,
/// operation and group when they are names one can show (a crafted or pasted value
/// is left out, see [`is_showable_name`]).
pub fn locate(index: usize, integration: &Integration) -> String {
    let group = integration.group.as_deref().unwrap_or("default");
    if [integration.platform.as_str(), &integration.operation, group]
        .iter()
        .all(|name| is_showable_name(name))
    {
        format!(
            "integrations[{index}] ({}/{}/{group})",
            integration.platform, integration.operation
        )
    } else {
        format!("integrations[{index}]")
    }
}

/// A name short enough and clean enough to print: a Group as the rules accept it.
fn is_showable_name(name: &str) -> bool {
    name.chars().count() <= super::MAX_GROUP_CHARS && !name.chars().any(super::is_hidden_char)
}

/// How many integrations of each platform and operation use each group, so checking
/// one group against all the others is a look-up: a file of 10,000 integrations is
/// checked in milliseconds, not in the seconds comparing every pair took.
#[derive(Clone, Debug, Default)]
pub struct GroupIndex {
    /// Platform, then operation (nested so a look-up allocates no key).
    buckets: HashMap<String, HashMap<String, Bucket>>,
}

#[derive(Clone, Debug, Default)]
struct Bucket {
    total: usize,
    groups: HashMap<String, usize>,
}

impl GroupIndex {
    pub fn add(&mut self, platform: &str, operation: &str, group: &str) {
        self.add_key(platform, operation, group_key(group));
    }

    /// [`Self::add`], the group's [`group_key`] already worked out.
    pub fn add_key(&mut self, platform: &str, operation: &str, key: String) {
        let bucket = match self
            .buckets
            .get_mut(platform)
            .and_then(|operations| operations.get_mut(operation))
        {
            Some(bucket) => bucket,
            None => self
                .buckets
                .entry(platform.to_owned())
                .or_default()
                .entry(operation.to_owned())
                .or_default(),
        };
        bucket.total += 1;
        *bucket.groups.entry(key).or_default() += 1;
    }

    /// For an integration that is itself in the index: how many others share its
    /// platform and operation, and how many of those use its group.
    pub fn counts(&self, platform: &str, operation: &str, group: &str) -> (usize, usize) {
        self.counts_of_key(platform, operation, &group_key(group))
    }

    /// [`Self::counts`], the group's [`group_key`] already worked out.
    pub fn counts_of_key(&self, platform: &str, operation: &str, key: &str) -> (usize, usize) {
        self.buckets
            .get(platform)
            .and_then(|operations| operations.get(operation))
            .map_or((0, 0), |b| {
                let same = b.groups.get(key).copied().unwrap_or(0);
                (b.total.saturating_sub(1), same.saturating_sub(1))
            })
    }
}

/// Checks every integration of `document` against `catalog` and the cross-integration
/// rules. `now` (seconds since the epoch) is for date checks.
pub fn check_document(document: &Document, catalog: &Catalog, now: i64) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut groups = GroupIndex::default();
    let mut present = HashSet::new();
    for integration in &document.integrations {
        let group = integration.group.as_deref().unwrap_or("");
        groups.add(&integration.platform, &integration.operation, group);
        present.insert((
            integration.platform.as_str(),
            integration.operation.as_str(),
        ));
    }
    for (index, integration) in document.integrations.iter().enumerate() {
        let known = catalog
            .platform(&integration.platform)
            .is_some_and(|p| p.operation(&integration.operation).is_some());
        let location = if known {
            locate(index, integration)
        } else {
            format!("integrations[{index}]")
        };
        let mut push = |severity, message: String| {
            problems.push(Problem {
                severity,
                location: location.clone(),
                message,
            });
        };
        let Some(platform) = catalog.platform(&integration.platform) else {
            let known: Vec<_> = catalog.platforms.iter().map(|p| p.id.as_str()).collect();
            push(
                Severity::Error,
                format!(
                    "`platform` is not a known platform (known: {})",
                    known.join(", ")
                ),
            );
            continue;
        };
        let Some(operation) = platform.operation(&integration.operation) else {
            let known: Vec<_> = platform.operations.iter().map(|o| o.id.as_str()).collect();
            push(
                Severity::Error,
                format!(
                    "`operation` is not an operation of {} (known: {})",
                    platform.id,
                    known.join(", ")
                ),
            );
            continue;
        };
        check_settings(platform, operation, integration, now, &mut push);
        let group = integration.group.as_deref().unwrap_or("");
        let (others, same) = groups.counts(&integration.platform, &integration.operation, group);
        if let Some(message) = check_group_counts(group, others, same, &operation.label) {
            push(Severity::Error, format!("`group`: {message}"));
        }
        let has = |other: &str| present.contains(&(integration.platform.as_str(), other));
        for rule in operation_rules::broken(&platform.id, operation, has, &document.confirmed) {
            let message = match rule {
                Broken::Requires(requirement) => format!(
                    "{} needs a `{}` integration of {} first: {}",
                    operation.label, requirement.operation, platform.id, requirement.why
                ),
                Broken::Unconfirmed(prerequisite) => format!(
                    "`{}` was not confirmed; run wfm-wizard to confirm it",
                    prerequisite.id
                ),
            };
            push(operation_rules::SEVERITY, message);
        }
    }
    problems
}

/// The settings of one integration: known keys, secrets as references, field rules.
fn check_settings(
    platform: &Platform,
    operation: &Operation,
    integration: &Integration,
    now: i64,
    push: &mut impl FnMut(Severity, String),
) {
    let setting_fields: Vec<_> = platform
        .form_fields(operation)
        .filter(|f| matches!(f.kind, FieldKind::Text | FieldKind::Secret))
        .collect();
    for (position, (key, _)) in integration.settings.0.iter().enumerate() {
        if !setting_fields.iter().any(|f| &f.key == key) {
            let known: Vec<_> = setting_fields.iter().map(|f| f.key.as_str()).collect();
            push(
                Severity::Error,
                format!(
                    "`settings`: its setting number {} is not a setting of this operation \
                     (known: {})",
                    position + 1,
                    known.join(", ")
                ),
            );
        }
    }
    for field in &setting_fields {
        let setting = integration.settings.get(&field.key);
        let value = match (field.kind, setting) {
            (FieldKind::Secret, Some(Setting::Text(_))) => {
                push(
                    Severity::Error,
                    format!(
                        "`{}` holds a secret in plain text; secrets must be keyring references. \
                         Remove the value from the file and store it with wfm-wizard.",
                        field.key
                    ),
                );
                continue;
            }
            (FieldKind::Text, Some(Setting::Secret(_))) => {
                push(
                    Severity::Error,
                    format!("`{}` is not a secret; write it as text", field.key),
                );
                continue;
            }
            (FieldKind::Secret, found) => Value::Secret {
                typed: None,
                stored: found.is_some(),
            },
            (_, Some(Setting::Text(text))) => Value::Text(text),
            (_, _) => Value::Text(""),
        };
        let check = check_field(field, value, now);
        if let Some(error) = check.error {
            push(Severity::Error, format!("`{}`: {error}", field.key));
        }
        if let Some(warning) = check.warning {
            push(Severity::Warning, format!("`{}`: {warning}", field.key));
        }
    }
}
