//! Rules for a whole document against the catalog: what `validate` and loading check.

use std::fmt;

use super::{Value, check_field, check_group};
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

/// Where an integration is in the file, for messages.
pub fn locate(index: usize, integration: &Integration) -> String {
    let group = integration.group.as_deref().unwrap_or("default");
    format!(
        "integrations[{index}] ({}/{}/{group})",
        integration.platform, integration.operation
    )
}

/// Checks every integration of `document` against `catalog` and the cross-integration
/// rules. `now` (seconds since the epoch) is for date checks.
pub fn check_document(document: &Document, catalog: &Catalog, now: i64) -> Vec<Problem> {
    let mut problems = Vec::new();
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
        let others: Vec<&str> = document
            .integrations
            .iter()
            .enumerate()
            .filter(|(i, o)| {
                *i != index
                    && o.platform == integration.platform
                    && o.operation == integration.operation
            })
            .map(|(_, o)| o.group.as_deref().unwrap_or(""))
            .collect();
        if let Some(message) = check_group(
            integration.group.as_deref().unwrap_or(""),
            &others,
            &operation.label,
        ) {
            push(Severity::Error, format!("`group`: {message}"));
        }
        for requirement in &operation.requires {
            let present = document.integrations.iter().any(|o| {
                o.platform == integration.platform && o.operation == requirement.operation
            });
            if !present {
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
