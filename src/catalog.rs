//! The platform catalog: platforms, their operations and fields, as data.

use std::collections::BTreeSet;
use std::sync::{Arc, LazyLock};

use serde::Deserialize;

use crate::config::parse_yaml;

const BUILTIN_YAML: &str = include_str!("../assets/platforms.yaml");

static BUILTIN: LazyLock<Arc<Catalog>> = LazyLock::new(|| {
    // The embedded catalog is checked by a unit test, so this cannot fail in a release.
    Arc::new(Catalog::from_yaml(BUILTIN_YAML).expect("the embedded platform catalog is valid"))
});

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub platforms: Vec<Platform>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    pub id: String,
    pub label: String,
    pub fields: Vec<FieldDef>,
    pub operations: Vec<Operation>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub validators: Vec<Validator>,
    #[serde(default)]
    pub default: Option<bool>,
    /// The most characters a text or secret value may have: longer values are refused
    /// as typed, in the file and in the store (README "Limits").
    #[serde(default)]
    pub max_length: Option<usize>,
    pub help: String,
    /// F1's longer help after `help`: where the value comes from, its format and
    /// expiry, the rules it must meet.
    #[serde(default)]
    pub details: Option<String>,
}

impl FieldDef {
    /// The whole help of the field: the product's description, then the details.
    pub fn full_help(&self) -> String {
        match &self.details {
            // Folded YAML gives one line break between paragraphs: show a blank line.
            Some(details) => format!(
                "{}\n\n{}",
                self.help,
                details.trim_end().replace('\n', "\n\n")
            ),
            None => self.help.clone(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// The integration's Group name (written as `group`).
    Group,
    /// A yes/no switch; `enabled` is the Status toggle.
    Toggle,
    Text,
    /// Kept in the OS keyring; the file holds a reference.
    Secret,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validator {
    Required,
    Jwt,
    RingcentralClientId,
    Digits,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    pub id: String,
    pub label: String,
    /// Field keys, in form order.
    pub fields: Vec<String>,
    /// Operations of the same platform that must have an integration first.
    #[serde(default)]
    pub requires: Vec<Requirement>,
    /// Things the operator must confirm before adding an integration.
    #[serde(default)]
    pub prerequisites: Vec<Prerequisite>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub operation: String,
    pub why: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prerequisite {
    pub id: String,
    pub text: String,
    pub question: String,
}

impl Catalog {
    /// The catalog compiled into the program.
    pub fn builtin() -> Arc<Catalog> {
        Arc::clone(&BUILTIN)
    }

    /// Parses and checks a catalog.
    pub fn from_yaml(text: &str) -> Result<Catalog, String> {
        let catalog: Catalog = parse_yaml(text).map_err(|e| e.to_string())?;
        catalog.check()?;
        Ok(catalog)
    }

    pub fn platform(&self, id: &str) -> Option<&Platform> {
        self.platforms.iter().find(|p| p.id == id)
    }

    fn check(&self) -> Result<(), String> {
        if self.platforms.is_empty() {
            return Err("the catalog lists no platform".into());
        }
        let mut ids = BTreeSet::new();
        for platform in &self.platforms {
            if !ids.insert(platform.id.as_str()) {
                return Err(format!("platform `{}` is listed twice", platform.id));
            }
            platform.check()?;
        }
        Ok(())
    }
}

impl Platform {
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.id == id)
    }

    pub fn field(&self, key: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The fields of an operation's form, in order.
    pub fn form_fields<'a>(
        &'a self,
        operation: &'a Operation,
    ) -> impl Iterator<Item = &'a FieldDef> + 'a {
        operation.fields.iter().filter_map(|key| self.field(key))
    }

    fn check(&self) -> Result<(), String> {
        let name = &self.id;
        let mut keys = BTreeSet::new();
        for field in &self.fields {
            if !keys.insert(field.key.as_str()) {
                return Err(format!("{name}: field `{}` is defined twice", field.key));
            }
            let special = match field.kind {
                FieldKind::Group => Some("group"),
                FieldKind::Toggle if field.key == "enabled" => None,
                FieldKind::Toggle => {
                    return Err(format!("{name}: only `enabled` (Status) may be a toggle"));
                }
                FieldKind::Text | FieldKind::Secret => None,
            };
            if let Some(expected) = special
                && field.key != expected
            {
                return Err(format!(
                    "{name}: a {:?} field must have key `{expected}`",
                    field.kind
                ));
            }
            let valued = matches!(field.kind, FieldKind::Text | FieldKind::Secret);
            if valued != field.max_length.is_some() {
                return Err(format!(
                    "{name}: field `{}`: text and secret fields, and only they, need a `max_length`",
                    field.key
                ));
            }
            if field.kind != FieldKind::Text
                && field.kind != FieldKind::Secret
                && !field.validators.is_empty()
            {
                return Err(format!("{name}: field `{}` takes no validators", field.key));
            }
        }
        if self.operations.is_empty() {
            return Err(format!("{name}: no operations"));
        }
        let mut ops = BTreeSet::new();
        for op in &self.operations {
            if !ops.insert(op.id.as_str()) {
                return Err(format!("{name}: operation `{}` is listed twice", op.id));
            }
            for key in &op.fields {
                if self.field(key).is_none() {
                    return Err(format!("{name}/{}: unknown field `{key}`", op.id));
                }
            }
            for required in ["group", "enabled"] {
                if !op.fields.iter().any(|k| k == required) {
                    return Err(format!(
                        "{name}/{}: every operation needs the `{required}` field",
                        op.id
                    ));
                }
            }
            if op.fields.iter().collect::<BTreeSet<_>>().len() != op.fields.len() {
                return Err(format!("{name}/{}: a field is listed twice", op.id));
            }
        }
        for op in &self.operations {
            for req in &op.requires {
                if req.operation == op.id {
                    return Err(format!(
                        "{name}/{}: an operation cannot require itself",
                        op.id
                    ));
                }
                if self.operation(&req.operation).is_none() {
                    return Err(format!(
                        "{name}/{}: requires unknown operation `{}`",
                        op.id, req.operation
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalog_loads_and_has_ringcentral_v1_as_on_the_product_page() {
        let catalog = Catalog::from_yaml(BUILTIN_YAML).unwrap();
        let rc = catalog.platform("ringcentral-v1").unwrap();
        assert_eq!(rc.label, "RingCentral v1");
        let ops: Vec<_> = rc.operations.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ops, ["historical", "user-import"]);
        for op in &rc.operations {
            let labels: Vec<_> = rc.form_fields(op).map(|f| f.label.as_str()).collect();
            assert_eq!(
                labels,
                [
                    "Group",
                    "Status",
                    "RingCentral CX client ID",
                    "RingCentral CX client secret",
                    "RingCentral CX JWT",
                    "Sub account ID"
                ]
            );
        }
        let secret_keys: Vec<_> = rc
            .fields
            .iter()
            .filter(|f| f.kind == FieldKind::Secret)
            .map(|f| f.key.as_str())
            .collect();
        assert_eq!(secret_keys, ["client_secret", "jwt"]);
        let import = rc.operation("user-import").unwrap();
        assert!(
            import.prerequisites[0]
                .text
                .contains("Set employee defaults")
        );
        assert!(
            rc.operation("real-time").is_none(),
            "RingCentral v1 publishes no real-time fields"
        );
        assert!(rc.field("status").is_none() && rc.field("enabled").unwrap().default == Some(true));
    }

    #[test]
    fn help_texts_are_the_product_page_descriptions() {
        let seed = include_str!("../assets/platforms.yaml");
        let catalog = Catalog::from_yaml(seed).unwrap();
        let rc = catalog.platform("ringcentral-v1").unwrap();
        assert!(
            rc.field("group")
                .unwrap()
                .help
                .starts_with("A unique name assigned to a collection of integrations")
        );
        assert_eq!(
            rc.field("sub_account_id").unwrap().help,
            "The sub account ID used when accessing the RingCentral API."
        );
    }

    #[test]
    fn a_catalog_with_a_broken_reference_is_refused() {
        let text = BUILTIN_YAML.replace("fields: [group, enabled, client_id, client_secret, jwt, sub_account_id]\n        prerequisites", "fields: [group, enabled, client_idd]\n        prerequisites");
        assert!(
            Catalog::from_yaml(&text)
                .unwrap_err()
                .contains("unknown field `client_idd`")
        );
        let text = BUILTIN_YAML.replace(
            "label: User import settings",
            "label: User import settings\n        requires: [{operation: real-time, why: x}]",
        );
        assert!(
            Catalog::from_yaml(&text)
                .unwrap_err()
                .contains("requires unknown operation `real-time`")
        );
        let text = BUILTIN_YAML.replace(
            "validators: [required, jwt]",
            "validators: [required, jwtt]",
        );
        assert!(Catalog::from_yaml(&text).is_err());
    }
}
