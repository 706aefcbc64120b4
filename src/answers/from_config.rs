//! An answers file that describes a config whole: what `export` prints and what the
//! wizard's Done screen writes. Secrets become `{env: ...}` placeholders with
//! predictable names, never values.

use std::collections::HashSet;

use super::{
    ANSWERS_VERSION, AnswerIntegration, AnswerSettings, AnswerValue, Answers, SecretSource, State,
};
use crate::catalog::Catalog;
use crate::config::{Document, Setting};

/// The environment variable a secret is read from: `WFM_` and the platform, operation,
/// group (`DEFAULT` when left out) and field, upper-case, each run of other characters
/// an underscore. Two that would meet get `_2`, `_3`, ... in file order.
pub fn env_name(platform: &str, operation: &str, group: Option<&str>, field: &str) -> String {
    let mut name = String::from("WFM");
    for part in [platform, operation, group.unwrap_or("default"), field] {
        name.push('_');
        let mut gap = false;
        for c in part.chars() {
            if c.is_ascii_alphanumeric() {
                if gap && !name.ends_with('_') {
                    name.push('_');
                }
                gap = false;
                name.push(c.to_ascii_uppercase());
            } else {
                gap = true;
            }
        }
    }
    name
}

/// The answers that describe `document` whole.
pub fn answers_of(document: &Document, catalog: &Catalog) -> Answers {
    let mut used = HashSet::new();
    let mut unique = |base: String| {
        let mut name = base.clone();
        let mut n = 1;
        while !used.insert(name.clone()) {
            n += 1;
            name = format!("{base}_{n}");
        }
        name
    };
    let known: HashSet<String> = catalog
        .platforms
        .iter()
        .flat_map(|p| {
            p.operations.iter().flat_map(move |o| {
                o.prerequisites
                    .iter()
                    .map(move |r| format!("{}/{}/{}", p.id, o.id, r.id))
            })
        })
        .collect();
    let integrations = document
        .integrations
        .iter()
        .map(|i| AnswerIntegration {
            platform: i.platform.clone(),
            operation: i.operation.clone(),
            group: i.group.clone(),
            state: State::Present,
            enabled: Some(i.enabled),
            settings: AnswerSettings(
                i.settings
                    .0
                    .iter()
                    .map(|(key, setting)| {
                        let value = match setting {
                            Setting::Text(text) => AnswerValue::Text(text.clone()),
                            Setting::Secret(_) => AnswerValue::Secret(SecretSource::Env(unique(
                                env_name(&i.platform, &i.operation, i.group.as_deref(), key),
                            ))),
                        };
                        (key.clone(), value)
                    })
                    .collect(),
            ),
        })
        .collect();
    Answers {
        version: ANSWERS_VERSION,
        confirmed: document
            .confirmed
            .iter()
            .filter(|c| known.contains(*c))
            .cloned()
            .collect(),
        integrations,
    }
}
