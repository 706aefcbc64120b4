//! The answers against the catalog, before anything is read or merged: known platforms,
//! operations and settings, secrets only from a source and text never from one, each
//! integration named once, prerequisites confirmed explicitly. Each problem is named by
//! its path in the answers file; a value is never quoted.

use std::collections::HashSet;

use secrecy::ExposeSecret;

use super::plan::{Given, field_name, form_fields};
use crate::answers::sources::{StdinSecrets, read_secret};
use crate::answers::{AnswerValue, Answers, State};
use crate::catalog::{Catalog, FieldKind};
use crate::validate::{Value, check_field, group_key};

/// A problem at a path of the answers file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerProblem {
    pub path: String,
    pub message: String,
}

/// Checks the answers' shape against the catalog.
pub fn check_answers(answers: &Answers, catalog: &Catalog) -> Vec<AnswerProblem> {
    let mut problems = Vec::new();
    let mut add = |path: String, message: String| problems.push(AnswerProblem { path, message });
    let mut seen = HashSet::new();
    let known_prerequisites = prerequisite_ids(catalog);
    for (j, id) in answers.confirmed.iter().enumerate() {
        if !known_prerequisites.contains(id) {
            add(
                format!("confirmed[{j}]"),
                format!(
                    "is not a prerequisite this program knows; the known ones are: {}",
                    known_prerequisites
                        .iter()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    for (i, answer) in answers.integrations.iter().enumerate() {
        let at = format!("integrations[{i}]");
        let Some(platform) = catalog.platform(&answer.platform) else {
            add(
                format!("{at}.platform"),
                format!(
                    "is not a platform of the catalog; known: {}",
                    platform_ids(catalog)
                ),
            );
            continue;
        };
        let Some(operation) = platform.operation(&answer.operation) else {
            let known: Vec<&str> = platform.operations.iter().map(|o| o.id.as_str()).collect();
            add(
                format!("{at}.operation"),
                format!(
                    "is not an operation of this platform; known: {}",
                    known.join(", ")
                ),
            );
            continue;
        };
        let group = group_key(answer.group.as_deref().unwrap_or("").trim());
        if !seen.insert((answer.platform.clone(), answer.operation.clone(), group)) {
            add(
                at.clone(),
                "names the same platform, operation and group as an earlier integration; \
                 write each integration once"
                    .into(),
            );
        }
        if answer.state == State::Absent {
            if !answer.settings.0.is_empty() || answer.enabled.is_some() {
                add(
                    at.clone(),
                    "has `state: absent` and settings; an integration to remove names only \
                     platform, operation and group"
                        .into(),
                );
            }
            continue;
        }
        for prerequisite in &operation.prerequisites {
            let id = format!("{}/{}/{}", platform.id, operation.id, prerequisite.id);
            if !answers.confirmed.contains(&id) {
                add(
                    at.clone(),
                    format!(
                        "needs the prerequisite confirmed: {} Once it is, add `{id}` under \
                         `confirmed:`.",
                        prerequisite.question
                    ),
                );
            }
        }
        check_settings(
            &at,
            answer,
            &platform.form_fields(operation).collect::<Vec<_>>(),
            &mut add,
        );
    }
    problems
}

/// Reads every secret the answers point at and checks it with the field's rules.
pub fn read_secrets(
    answers: &Answers,
    catalog: &Catalog,
    stdin: &StdinSecrets,
    now: i64,
) -> (Given, Vec<AnswerProblem>) {
    let mut given = Given {
        secrets: Vec::new(),
    };
    let mut problems = Vec::new();
    let mut wanted = HashSet::new();
    for (i, answer) in answers.integrations.iter().enumerate() {
        let Some(fields) = form_fields(catalog, &answer.platform, &answer.operation) else {
            continue;
        };
        for (key, value) in &answer.settings.0 {
            let (Some(def), AnswerValue::Secret(source)) =
                (fields.iter().find(|d| d.key == *key), value)
            else {
                continue;
            };
            if def.kind != FieldKind::Secret {
                continue;
            }
            let path = format!("integrations[{i}].settings.{key}");
            let name = field_name(
                &answer.platform,
                &answer.operation,
                answer.group.as_deref().map(str::trim),
                key,
            );
            wanted.insert(name.clone());
            match read_secret(source, &name, stdin) {
                Ok(value) => {
                    let typed = Some(value.expose_secret());
                    let check = check_field(
                        def,
                        Value::Secret {
                            typed,
                            stored: false,
                        },
                        now,
                    );
                    if let Some(message) = check.error {
                        problems.push(AnswerProblem { path, message });
                    } else {
                        given.secrets.push(((i, key.clone()), value));
                    }
                }
                Err(e) => problems.push(AnswerProblem {
                    path,
                    message: e.to_string(),
                }),
            }
        }
    }
    // The name is not quoted: a value sent by mistake as a name must not come back.
    let unasked = stdin.names().filter(|name| !wanted.contains(*name)).count();
    if unasked > 0 {
        problems.push(AnswerProblem {
            path: "<stdin>".into(),
            message: format!(
                "holds {unasked} name(s) that no `{{stdin: true}}` setting of the answers asks                  for; names are `<platform>/<operation>/<group or default>/<field>`"
            ),
        });
    }
    (given, problems)
}

/// Each setting of one answered integration: known, and secret or text as its field is.
fn check_settings(
    at: &str,
    answer: &crate::answers::AnswerIntegration,
    fields: &[&crate::catalog::FieldDef],
    add: &mut impl FnMut(String, String),
) {
    for (n, (key, value)) in answer.settings.0.iter().enumerate() {
        let Some(def) = fields.iter().find(|d| d.key == *key) else {
            let known: Vec<&str> = fields
                .iter()
                .filter(|d| matches!(d.kind, FieldKind::Text | FieldKind::Secret))
                .map(|d| d.key.as_str())
                .collect();
            add(
                format!("{at}.settings.<setting {}>", n + 1),
                format!("is not a setting of this form; known: {}", known.join(", ")),
            );
            continue;
        };
        let path = format!("{at}.settings.{key}");
        match (def.kind, value) {
            (FieldKind::Group | FieldKind::Toggle, _) => add(
                path,
                format!("is written beside `settings`, as `{key}:`, not inside it"),
            ),
            (FieldKind::Secret, AnswerValue::Text(_)) => add(
                path,
                "is a secret: the answers file never holds one; write `{env: VAR}`, \
                     `{file: PATH}` or `{stdin: true}`"
                    .into(),
            ),
            (FieldKind::Text, AnswerValue::Secret(_)) => {
                add(path, "is not a secret: write its value as text".into());
            }
            _ => {}
        }
    }
}

fn prerequisite_ids(catalog: &Catalog) -> std::collections::BTreeSet<String> {
    catalog
        .platforms
        .iter()
        .flat_map(|p| {
            p.operations.iter().flat_map(move |o| {
                o.prerequisites
                    .iter()
                    .map(move |r| format!("{}/{}/{}", p.id, o.id, r.id))
            })
        })
        .collect()
}

fn platform_ids(catalog: &Catalog) -> String {
    catalog
        .platforms
        .iter()
        .map(|p| p.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
