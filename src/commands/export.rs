//! `wfm-wizard export`: an answers file that makes another config say what this one
//! says. Secrets become `{env: ...}` placeholders with predictable names, never values.

use std::io::Write;
use std::path::Path;

use super::{EXIT_FAILURE, EXIT_INVALID, EXIT_OK, load_document, now};
pub use crate::answers::from_config::{answers_of, env_name};
use crate::answers::render_answers;
use crate::catalog::Catalog;

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
    use crate::answers::{AnswerValue, SecretSource};
    use std::collections::HashSet;

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
