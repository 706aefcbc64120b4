//! JSON Schema (2020-12) of the config file and of the answers file, generated from the
//! document model and the catalog: per platform and operation, the settings it has,
//! which are required, their length caps and the secret references' shape.
//!
//! What a schema cannot say stays with `validate`: Group uniqueness, operations that
//! need another first, JWT expiry. Rules that only warn (a client ID's usual form,
//! digits-only account IDs) are annotations (`x-wfm-warning-pattern`), not checks: the
//! wizard saves such values after a warning, and its files must pass.

use serde_json::{Map, Value, json};

use crate::answers::ANSWERS_VERSION;
use crate::catalog::{Catalog, FieldDef, FieldKind, Operation, Platform, Validator};
use crate::config::SCHEMA_VERSION;
use crate::config::strict::{
    MAX_GROUP_CHARS, MAX_KEYRING_USER_CHARS, MAX_NAME_CHARS, MAX_VALUE_CHARS,
};
use crate::secret::{NAMESPACE_LEN, SERVICE, StoreKind};

const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";
/// No control character but the line feed and tab a block scalar may hold (the loader's
/// rule; `validate` then refuses those two in a setting).
const NO_CONTROL: &str = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F]*$";
const NO_CONTROL_AT_ALL: &str = "^[^\\u0000-\\u001F\\u007F]*$";

/// The schema of the config file.
pub fn config_schema(catalog: &Catalog) -> Value {
    let integrations: Vec<Value> = operations(catalog)
        .map(|(p, o)| integration_schema(p, o, &Kind::Config))
        .collect();
    json!({
        "$schema": DIALECT,
        "title": "wfm-wizard config",
        "description": "The YAML file wfm-wizard writes. Secrets are never in it: each secret setting names the keyring entry that holds it.",
        "type": "object",
        "additionalProperties": false,
        "required": ["version"],
        "properties": {
            "version": {"type": "integer", "minimum": 1, "maximum": SCHEMA_VERSION},
            "namespace": {
                "type": "string",
                "pattern": format!("^[0-9a-f]{{{NAMESPACE_LEN}}}$"),
                "description": "This config's own part of the keyring: every entry it writes is named <namespace>/..."
            },
            "path": {"type": "string", "maxLength": MAX_VALUE_CHARS, "pattern": NO_CONTROL_AT_ALL},
            "revision": {"type": "integer", "minimum": 0},
            "confirmed": confirmed_schema(catalog),
            "integrations": {"type": "array", "items": {"oneOf": integrations}},
        },
        "if": {"properties": {"version": {"const": 2}}, "required": ["version"]},
        "then": {"required": ["namespace"]},
        "allOf": prerequisite_rules(catalog, &Kind::Config),
        "$defs": {
            "keyringReference": {
                "type": "object",
                "additionalProperties": false,
                "required": ["keyring"],
                "properties": {
                    "keyring": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["store", "service", "user"],
                        "properties": {
                            "store": {"enum": StoreKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()},
                            "service": {"const": SERVICE},
                            "user": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": MAX_KEYRING_USER_CHARS,
                                "pattern": NO_CONTROL_AT_ALL
                            }
                        }
                    }
                }
            }
        }
    })
}

/// The schema of the answers file of `apply --answers`.
pub fn answers_schema(catalog: &Catalog) -> Value {
    let integrations: Vec<Value> = operations(catalog)
        .map(|(p, o)| integration_schema(p, o, &Kind::Answers))
        .collect();
    json!({
        "$schema": DIALECT,
        "title": "wfm-wizard answers",
        "description": "What `wfm-wizard apply --answers FILE` makes the config say. It names only the integrations it is about; `state: absent` removes one. Each secret names where apply reads it, never its value.",
        "type": "object",
        "additionalProperties": false,
        "required": ["version"],
        "properties": {
            "version": {"const": ANSWERS_VERSION},
            "confirmed": confirmed_schema(catalog),
            "integrations": {"type": "array", "items": {"oneOf": integrations}},
        },
        "allOf": prerequisite_rules(catalog, &Kind::Answers),
        "$defs": {
            "secretSource": {
                "description": "Where apply reads a secret: an environment variable, a file only its owner can read, or standard input (one YAML mapping of <platform>/<operation>/<group>/<field> to secrets).",
                "oneOf": [
                    source("env", &json!({"type": "string", "minLength": 1, "maxLength": MAX_NAME_CHARS, "pattern": NO_CONTROL_AT_ALL})),
                    source("file", &json!({"type": "string", "minLength": 1, "maxLength": MAX_VALUE_CHARS, "pattern": NO_CONTROL_AT_ALL})),
                    source("stdin", &json!({"const": true})),
                ]
            }
        }
    })
}

fn source(key: &str, value: &Value) -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": [key],
        "properties": {key: value}
    })
}

enum Kind {
    Config,
    Answers,
}

fn operations(catalog: &Catalog) -> impl Iterator<Item = (&Platform, &Operation)> {
    catalog
        .platforms
        .iter()
        .flat_map(|p| p.operations.iter().map(move |o| (p, o)))
}

fn prerequisite_ids(catalog: &Catalog) -> Vec<String> {
    operations(catalog)
        .flat_map(|(p, o)| {
            o.prerequisites
                .iter()
                .map(move |r| format!("{}/{}/{}", p.id, o.id, r.id))
        })
        .collect()
}

fn confirmed_schema(catalog: &Catalog) -> Value {
    json!({
        "description": "Prerequisites confirmed, as <platform>/<operation>/<prerequisite>.",
        "type": "array",
        "items": {"type": "string", "maxLength": MAX_KEYRING_USER_CHARS, "pattern": NO_CONTROL_AT_ALL},
        "examples": [prerequisite_ids(catalog)],
    })
}

/// An integration of an operation with prerequisites needs each one confirmed, in the
/// config as in the answers: `validate` and the wizard hold it as an error (one rule,
/// one severity, `validate/operation_rules.rs`).
fn prerequisite_rules(catalog: &Catalog, kind: &Kind) -> Vec<Value> {
    let mut rules = Vec::new();
    for (platform, operation) in operations(catalog) {
        for prerequisite in &operation.prerequisites {
            let id = format!("{}/{}/{}", platform.id, operation.id, prerequisite.id);
            let mut present = json!({
                "type": "object",
                "required": ["platform", "operation"],
                "properties": {
                    "platform": {"const": platform.id},
                    "operation": {"const": operation.id}
                }
            });
            if matches!(kind, Kind::Answers) {
                present["not"] =
                    json!({"required": ["state"], "properties": {"state": {"const": "absent"}}});
            }
            rules.push(json!({
                "description": prerequisite.question,
                "if": {
                    "required": ["integrations"],
                    "properties": {"integrations": {"contains": present}}
                },
                "then": {
                    "required": ["confirmed"],
                    "properties": {"confirmed": {"contains": {"const": id}}}
                }
            }));
        }
    }
    rules
}

fn integration_schema(platform: &Platform, operation: &Operation, kind: &Kind) -> Value {
    let mut settings = Map::new();
    let mut required = Vec::new();
    for def in platform.form_fields(operation) {
        let schema = match def.kind {
            FieldKind::Text => text_schema(def),
            FieldKind::Secret => match kind {
                Kind::Config => json!({"$ref": "#/$defs/keyringReference"}),
                Kind::Answers => json!({"$ref": "#/$defs/secretSource"}),
            },
            FieldKind::Group | FieldKind::Toggle => continue,
        };
        let mut schema = schema;
        schema["title"] = json!(def.label);
        schema["description"] = json!(def.help);
        if matches!(kind, Kind::Config) && def.validators.contains(&Validator::Required) {
            required.push(def.key.clone());
        }
        settings.insert(def.key.clone(), schema);
    }
    let mut properties = json!({
        "platform": {"const": platform.id, "title": platform.label},
        "operation": {"const": operation.id, "title": operation.label},
        "group": {
            "type": "string",
            "maxLength": MAX_GROUP_CHARS,
            "pattern": NO_CONTROL_AT_ALL,
            "description": "Left out while the integration is the only one of its platform and operation; entry names then use `default`."
        },
        "enabled": {"type": "boolean", "description": "The Status toggle."},
        "settings": {
            "type": "object",
            "additionalProperties": false,
            "required": required,
            "properties": settings
        }
    });
    let mut needed = vec!["platform", "operation"];
    match kind {
        Kind::Config => needed.push("enabled"),
        Kind::Answers => {
            properties["state"] = json!({
                "enum": ["present", "absent"],
                "description": "absent: apply removes this integration and its keyring entries."
            });
        }
    }
    json!({
        "title": format!("{} {}", platform.label, operation.label),
        "type": "object",
        "additionalProperties": false,
        "required": needed,
        "properties": properties
    })
}

fn text_schema(def: &FieldDef) -> Value {
    let mut schema = json!({"pattern": NO_CONTROL});
    let mut checks = Vec::new();
    if let Some(max) = def.max_length {
        schema["maxLength"] = json!(max);
    }
    if def.validators.contains(&Validator::Required) {
        checks.push(json!({"pattern": "\\S"}));
    }
    for validator in &def.validators {
        let warning = match validator {
            Validator::RingcentralClientId => Some("^[A-Za-z0-9_-]{22}$"),
            Validator::Digits => Some("^[0-9]*$"),
            Validator::Required | Validator::Jwt => None,
        };
        if let Some(pattern) = warning {
            schema["x-wfm-warning-pattern"] = json!(pattern);
        }
    }
    if !checks.is_empty() {
        schema["allOf"] = Value::Array(checks);
    }
    // Unquoted digits load as text too (version-1 files have them).
    json!({"anyOf": [{"type": "string", "allOf": [schema]}, {"type": "integer", "minimum": 0}]})
}

/// A schema as the file ships it: pretty JSON and a final line feed.
pub fn render(schema: &Value) -> String {
    let mut text = serde_json::to_string_pretty(schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_schemas_are_the_generated_ones() {
        let catalog = Catalog::builtin();
        assert_eq!(
            include_str!("../assets/config.schema.json"),
            render(&config_schema(&catalog)),
            "assets/config.schema.json is stale: run `wfm-wizard schema > assets/config.schema.json`"
        );
        assert_eq!(
            include_str!("../assets/answers.schema.json"),
            render(&answers_schema(&catalog)),
            "assets/answers.schema.json is stale: run `wfm-wizard schema --answers > assets/answers.schema.json`"
        );
    }
}
