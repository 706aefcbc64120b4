//! `wfm-wizard export`: an answers file that makes another config say what this one
//! says. Secrets become `{env: ...}` placeholders with predictable names, never values.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use super::{EXIT_FAILURE, EXIT_INVALID, EXIT_OK, load_document, now};
use crate::answers::{
    ANSWERS_VERSION, AnswerIntegration, AnswerSettings, AnswerValue, Answers, SecretSource, State,
    render_answers,
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

/// Prints the answers file of the config at `path`.
pub fn export(path: &Path, catalog: &Catalog, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let document = match load_document(path, catalog, now()) {
        Ok(Some(document)) => document,
        Ok(None) => {
            let _ = writeln!(
                err,
                "error: {}: no such file; run wfm-wizard to create it",
                path.display()
            );
            return EXIT_INVALID;
        }
        Err(why) => {
            let _ = writeln!(err, "error: {}: {why}", path.display());
            return EXIT_INVALID;
        }
    };
    match render_answers(&answers_of(&document, catalog)) {
        Ok(text) => {
            let _ = write!(out, "{text}");
            EXIT_OK
        }
        Err(e) => {
            let _ = writeln!(err, "error: the answers could not be written out: {e}");
            EXIT_FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_are_predictable_and_safe_for_a_shell() {
        assert_eq!(
            env_name("ringcentral-v1", "user-import", None, "client_secret"),
            "WFM_RINGCENTRAL_V1_USER_IMPORT_DEFAULT_CLIENT_SECRET"
        );
        assert_eq!(
            env_name("ringcentral-v1", "historical", Some("Ost Süd"), "jwt"),
            "WFM_RINGCENTRAL_V1_HISTORICAL_OST_S_D_JWT"
        );
    }

    #[test]
    fn the_example_exports_without_a_secret_and_names_collide_never() {
        let catalog = Catalog::builtin();
        let mut document = crate::config::parse_document(include_str!("../../assets/example.yaml"))
            .expect("the example parses");
        let mut twin = document.integrations[0].clone();
        twin.group = Some("east!".into());
        document.integrations.push(twin);
        let answers = answers_of(&document, &catalog);
        let names: Vec<String> = answers
            .integrations
            .iter()
            .flat_map(|i| i.settings.0.iter())
            .filter_map(|(_, v)| match v {
                AnswerValue::Secret(SecretSource::Env(name)) => Some(name.clone()),
                _ => None,
            })
            .collect();
        let unique: HashSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert!(names.contains(&"WFM_RINGCENTRAL_V1_HISTORICAL_EAST_JWT_2".to_owned()));
        let text = render_answers(&answers).expect("render");
        assert!(!text.contains("keyring"), "{text}");
        assert_eq!(
            crate::answers::parse_answers(&text).expect("parses"),
            answers
        );
    }
}
