//! Rules for a whole document against the catalog: what `validate` and loading check.

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::{Value, check_field, check_group_counts, group_key};
use crate::catalog::{Catalog, FieldKind, Operation, Platform};
use crate::config::{Document, Integration, Setting};
use crate::secret::{NAMESPACE_LEN, SERVICE, is_namespace, namespace_of};

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

/// Where an integration is in the file, for messages.
pub fn locate(index: usize, integration: &Integration) -> String {
    let group = integration.group.as_deref().unwrap_or("default");
    format!(
        "integrations[{index}] ({}/{}/{group})",
        integration.platform, integration.operation
    )
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
        let bucket = self
            .buckets
            .entry(platform.to_owned())
            .or_default()
            .entry(operation.to_owned())
            .or_default();
        bucket.total += 1;
        *bucket.groups.entry(group_key(group)).or_default() += 1;
    }

    /// For an integration that is itself in the index: how many others share its
    /// platform and operation, and how many of those use its group.
    pub fn counts(&self, platform: &str, operation: &str, group: &str) -> (usize, usize) {
        self.buckets
            .get(platform)
            .and_then(|operations| operations.get(operation))
            .map_or((0, 0), |b| {
                let same = b.groups.get(&group_key(group)).copied().unwrap_or(0);
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
        let location = locate(index, integration);
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
                    "unknown platform `{}` (known: {})",
                    integration.platform,
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
                    "unknown operation `{}` for {} (known: {})",
                    integration.operation,
                    platform.id,
                    known.join(", ")
                ),
            );
            continue;
        };
        check_settings(platform, operation, integration, now, &mut push);
        check_references(document, integration, &mut push);
        let group = integration.group.as_deref().unwrap_or("");
        let (others, same) = groups.counts(&integration.platform, &integration.operation, group);
        if let Some(message) = check_group_counts(group, others, same, &operation.label) {
            push(Severity::Error, format!("`group`: {message}"));
        }
        for requirement in &operation.requires {
            let key = (
                integration.platform.as_str(),
                requirement.operation.as_str(),
            );
            if !present.contains(&key) {
                push(
                    Severity::Error,
                    format!(
                        "{} needs a `{}` integration of {} first: {}",
                        operation.label, requirement.operation, platform.id, requirement.why
                    ),
                );
            }
        }
        for prerequisite in &operation.prerequisites {
            let id = format!("{}/{}/{}", platform.id, operation.id, prerequisite.id);
            if !document.confirmed.contains(&id) {
                push(
                    Severity::Warning,
                    format!(
                        "`{}` was not confirmed; run wfm-wizard to confirm it",
                        prerequisite.id
                    ),
                );
            }
        }
    }
    problems
}

/// Each secret names an entry of this program's service, in this config's namespace.
fn check_references(
    document: &Document,
    integration: &Integration,
    push: &mut impl FnMut(Severity, String),
) {
    if let Some(namespace) = &document.namespace
        && !is_namespace(namespace)
    {
        push(
            Severity::Error,
            format!(
                "`namespace` must be {NAMESPACE_LEN} lower-case hex digits, as wfm-wizard writes it"
            ),
        );
        return;
    }
    for (key, setting) in &integration.settings.0 {
        let Setting::Secret(reference) = setting else {
            continue;
        };
        if reference.service != SERVICE {
            push(
                Severity::Error,
                format!(
                    "`{key}` refers to service `{}`; wfm-wizard only reads its own ({SERVICE}): \
                     run wfm-wizard and enter the secret again",
                    reference.service
                ),
            );
        } else if let Some(namespace) = &document.namespace
            && namespace_of(&reference.user) != Some(namespace.as_str())
        {
            push(
                Severity::Error,
                format!(
                    "`{key}` refers to {}, outside this config's namespace {namespace} (another \
                     config's entry): run wfm-wizard and enter the secret again",
                    reference.user
                ),
            );
        }
    }
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
    for (key, _) in &integration.settings.0 {
        if !setting_fields.iter().any(|f| &f.key == key) {
            let known: Vec<_> = setting_fields.iter().map(|f| f.key.as_str()).collect();
            push(
                Severity::Error,
                format!("unknown setting `{key}` (known: {})", known.join(", ")),
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
