//! The answers file of `apply --answers`: the config's shape, where each secret field
//! says where its value comes from (`{env: VAR}`, `{file: PATH}`, `{stdin: true}`)
//! instead of naming a keyring entry. Loaded with the config's strictness
//! (`config::strict`): a hostile file is refused by path, never quoted.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::config::{ParseError, parse_yaml, strict};

pub mod from_config;
pub mod sources;

/// The answers format this program reads and writes.
pub const ANSWERS_VERSION: u32 = 1;

/// A whole answers file. It names only the integrations it is about: the config's
/// other integrations are kept as they are (README "apply").
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    pub version: u32,
    /// Prerequisites confirmed, as `<platform>/<operation>/<prerequisite>`: an
    /// integration whose operation has one is refused unless it is listed here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confirmed: Vec<String>,
    #[serde(default)]
    pub integrations: Vec<AnswerIntegration>,
}

/// Whether an integration is to be there after `apply`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    #[default]
    Present,
    Absent,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_present(state: &State) -> bool {
    *state == State::Present
}

/// One integration, found in the config by platform, operation and group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerIntegration {
    pub platform: String,
    pub operation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "is_present")]
    pub state: State,
    /// The Status toggle; left out: as it is (on for a new integration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub settings: AnswerSettings,
}

/// Settings in the order written. A setting left out keeps its current value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnswerSettings(pub Vec<(String, AnswerValue)>);

impl AnswerSettings {
    pub fn get(&self, key: &str) -> Option<&AnswerValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// Text, or where a secret comes from. Never a secret's value.
#[derive(Clone, Debug, PartialEq)]
pub enum AnswerValue {
    Text(String),
    Secret(SecretSource),
}

/// Where `apply` reads one secret. Never the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable of the `apply` process.
    Env(String),
    /// A file owned by the user running `apply`, readable by nobody else.
    File(String),
    /// Standard input: one YAML mapping from `<platform>/<operation>/<group>/<field>`
    /// to each secret that comes this way.
    Stdin,
}

/// Why an answers file could not be read. Names places, never values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswersError(pub String);

impl fmt::Display for AnswersError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses an answers file with the config loader's strictness.
pub fn parse_answers(text: &str) -> Result<Answers, AnswersError> {
    if text.trim().is_empty() {
        return Err(AnswersError(format!(
            "the answers file is empty; expected `version: {ANSWERS_VERSION}` and `integrations:`"
        )));
    }
    let wrap = |e: ParseError| AnswersError(e.0);
    if text.len() > crate::config::MAX_FILE_BYTES {
        return Err(AnswersError(format!(
            "the answers file is {} bytes; the limit is {} bytes (8 MiB)",
            text.len(),
            crate::config::MAX_FILE_BYTES
        )));
    }
    strict::check_answer_nodes(text).map_err(wrap)?;
    let answers: Answers = parse_yaml(text).map_err(wrap)?;
    if answers.version != ANSWERS_VERSION {
        return Err(AnswersError(format!(
            "answers version {} is not one this program reads; write `version: {ANSWERS_VERSION}`",
            answers.version
        )));
    }
    Ok(answers)
}

/// The answers as YAML text, with a header that says what the file is.
pub fn render_answers(answers: &Answers) -> Result<String, AnswersError> {
    let body = serde_saphyr::to_string(answers).map_err(|e| AnswersError(e.to_string()))?;
    Ok(format!(
        "# wfm-wizard answers: `wfm-wizard apply --answers FILE` makes a config say this.\n\
         # Each secret names where apply reads it ({{env: VAR}}, {{file: PATH}}, {{stdin: true}}),\n\
         # never its value.\n{body}"
    ))
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stdin: Option<bool>,
}

impl SourceSpec {
    fn source(self) -> Result<SecretSource, String> {
        match (self.env, self.file, self.stdin) {
            (Some(var), None, None) => Ok(SecretSource::Env(var)),
            (None, Some(path), None) => Ok(SecretSource::File(path)),
            (None, None, Some(true)) => Ok(SecretSource::Stdin),
            (None, None, Some(false)) => {
                Err("`stdin: false` names no source; write `{stdin: true}` or leave the setting out".into())
            }
            _ => Err(
                "a secret names exactly one source: `{env: VAR}`, `{file: PATH}` or `{stdin: true}`"
                    .into(),
            ),
        }
    }

    fn of(source: &SecretSource) -> SourceSpec {
        let mut spec = SourceSpec {
            env: None,
            file: None,
            stdin: None,
        };
        match source {
            SecretSource::Env(var) => spec.env = Some(var.clone()),
            SecretSource::File(path) => spec.file = Some(path.clone()),
            SecretSource::Stdin => spec.stdin = Some(true),
        }
        spec
    }
}

impl Serialize for AnswerSettings {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            match value {
                AnswerValue::Text(text) => map.serialize_entry(key, text)?,
                AnswerValue::Secret(source) => map.serialize_entry(key, &SourceSpec::of(source))?,
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for AnswerSettings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SettingsVisitor;
        impl<'de> Visitor<'de> for SettingsVisitor {
            type Value = AnswerSettings;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of setting names to values")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut access: A,
            ) -> Result<AnswerSettings, A::Error> {
                let mut out: Vec<(String, AnswerValue)> = Vec::new();
                while let Some(key) = access.next_key::<String>()? {
                    if out.iter().any(|(k, _)| *k == key) {
                        return Err(de::Error::custom("a setting appears twice"));
                    }
                    let value = access.next_value::<AnswerValue>()?;
                    out.push((key, value));
                }
                Ok(AnswerSettings(out))
            }
        }
        deserializer.deserialize_map(SettingsVisitor)
    }
}

impl<'de> Deserialize<'de> for AnswerValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = AnswerValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("text, or `{env: VAR}`, `{file: PATH}` or `{stdin: true}` for a secret")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AnswerValue, E> {
                Ok(AnswerValue::Text(v.to_owned()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<AnswerValue, E> {
                Ok(AnswerValue::Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<AnswerValue, E> {
                Ok(AnswerValue::Text(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<AnswerValue, A::Error> {
                let spec = SourceSpec::deserialize(de::value::MapAccessDeserializer::new(access))?;
                spec.source()
                    .map(AnswerValue::Secret)
                    .map_err(de::Error::custom)
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

#[cfg(test)]
mod tests;
