//! The YAML document wfm-wizard writes, and the one place that knows the YAML crate.

use std::fmt;

use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::secret::SecretRef;

pub mod comments;
pub mod diff;
pub mod draft;
mod references;
mod single_pass;
pub mod strict;

/// The newest schema version this program reads and the one it writes. Version 2 adds
/// the config's namespace (its own keyring entry names), its path and a save counter;
/// version-1 files load and become version 2 at their next save.
pub const SCHEMA_VERSION: u32 = 2;
/// Files larger than this are refused before parsing. 10,000 integrations in this
/// format take about 4.5 MB; 8 MiB leaves room for comments and long values, and still
/// refuses a log or a binary opened by mistake before reading it whole. Hostile YAML
/// (alias bombs, deep nesting, node floods) is bounded by the parser budgets below,
/// not by this size.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// Parser budgets, each derived from the file cap (issue 15). An integration as the
/// wizard writes it is about 35 nodes and 50 events in 396 bytes (10,000 of them: 3.96
/// MB, ~350,000 nodes), one node per ~11 bytes; an 8 MiB file of them has ~760,000.
/// One node per 8 bytes of the cap leaves room for short values and flow style.
const MAX_NODES: usize = MAX_FILE_BYTES / 8;
/// Every node is one event, a collection two: twice the nodes.
const MAX_EVENTS: usize = MAX_FILE_BYTES / 4;
/// The wizard writes no anchors and the strict pass refuses them, so this only bounds
/// the probes that read a file without that pass (another file's namespace): an alias
/// bomb replays at most this many recorded events before it is refused, instead of the
/// parser's default million (0.5 s and 100 MB for a 342-byte file).
const MAX_RECORDED_ANCHOR_EVENTS: usize = 1_024;
/// The same bound on the text those recorded events may copy.
const MAX_RECORDED_ANCHOR_BYTES: usize = 64 * 1024;
/// Anchors and aliases at all: a handful in a hand-edited file, never from the wizard.
const MAX_ANCHORS: usize = 64;
const MAX_ALIASES: usize = 64;
/// Scalar text cannot exceed the file without aliases, which the budgets above bound.
const MAX_SCALAR_BYTES: usize = MAX_FILE_BYTES;
/// The longest plain key the scanner looks ahead for: schema keys are at most 64
/// characters (strict.rs `MAX_NAME_CHARS`); the parser's default of 1,024 stays.
const SIMPLE_KEY_LOOKAHEAD: usize = 1_024;
/// Deeper nesting than this is refused while parsing.
pub const MAX_DEPTH: usize = 32;

const HEADER: &str = "\
# Managed by wfm-wizard. Secrets are not in this file: each secret field
# names the keyring entry that holds it.
";

/// The whole file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub version: u32,
    /// This config's own part of the keyring: every entry it writes is named
    /// `<namespace>/...`. Absent in version-1 files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Where the file was when it was last saved: a file found elsewhere whose
    /// original still exists is a copy, and gets a namespace of its own at its next save.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Counts saves: 1 after the first one. History and rollback name saves by it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub revision: u64,
    /// Prerequisites the operator confirmed, as `<platform>/<operation>/<prerequisite>`,
    /// so each is asked once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confirmed: Vec<String>,
    #[serde(default)]
    pub integrations: Vec<Integration>,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One configured integration of a platform and operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Integration {
    pub platform: String,
    pub operation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub enabled: bool,
    #[serde(default)]
    pub settings: Settings,
}

/// Setting values in catalog order. Written as a YAML mapping.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings(pub Vec<(String, Setting)>);

impl Settings {
    pub fn get(&self, key: &str) -> Option<&Setting> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// A setting is either plain text or a reference to a keyring entry.
#[derive(Clone, Debug, PartialEq)]
pub enum Setting {
    Text(String),
    Secret(SecretRef),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyringField {
    keyring: SecretRef,
}

impl Serialize for Settings {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            match value {
                Setting::Text(text) => map.serialize_entry(key, text)?,
                Setting::Secret(reference) => map.serialize_entry(
                    key,
                    &KeyringField {
                        keyring: reference.clone(),
                    },
                )?,
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Settings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SettingsVisitor;
        impl<'de> Visitor<'de> for SettingsVisitor {
            type Value = Settings;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of setting names to values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Settings, A::Error> {
                let mut out: Vec<(String, Setting)> = Vec::new();
                while let Some(key) = access.next_key::<String>()? {
                    if out.iter().any(|(k, _)| *k == key) {
                        return Err(de::Error::custom(format!("duplicate setting `{key}`")));
                    }
                    let value = access.next_value::<Setting>()?;
                    out.push((key, value));
                }
                Ok(Settings(out))
            }
        }
        deserializer.deserialize_map(SettingsVisitor)
    }
}

impl<'de> Deserialize<'de> for Setting {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SettingVisitor;
        impl<'de> Visitor<'de> for SettingVisitor {
            type Value = Setting;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("text, or `keyring: {store, service, user}` for a secret")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Setting, E> {
                Ok(Setting::Text(v.to_owned()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Setting, E> {
                Ok(Setting::Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Setting, E> {
                Ok(Setting::Text(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<Setting, A::Error> {
                let field =
                    KeyringField::deserialize(de::value::MapAccessDeserializer::new(access))?;
                Ok(Setting::Secret(field.keyring))
            }
        }
        deserializer.deserialize_any(SettingVisitor)
    }
}

/// Why a file could not be read as a document. Never contains file content beyond
/// the parser's own location report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses YAML with budgets that bound the work on hostile input.
pub fn parse_yaml<T: DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    check_size(text)?;
    // Left at the parser's defaults on purpose: include and property expansion (those
    // features are off), and the alias/anchor ratio check (aliases are capped at 64).
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_reader_input_bytes: Some(MAX_FILE_BYTES),
            max_depth: MAX_DEPTH,
            flow_nesting_limit: MAX_DEPTH,
            max_documents: 1,
            max_nodes: MAX_NODES,
            max_events: MAX_EVENTS,
            max_total_scalar_bytes: MAX_SCALAR_BYTES,
            max_aliases: MAX_ALIASES,
            max_anchors: MAX_ANCHORS,
            max_recorded_anchor_events: MAX_RECORDED_ANCHOR_EVENTS,
            max_recorded_anchor_bytes: MAX_RECORDED_ANCHOR_BYTES,
            // The wizard never writes `<<`; a merge key would splice values unseen.
            max_merge_keys: 0,
            simple_key_max_lookahead: SIMPLE_KEY_LOOKAHEAD,
        },
    };
    serde_saphyr::from_str_with_options(text, options)
        .map_err(|e| ParseError(tidy_error(&e.to_string())))
}

fn check_size(text: &str) -> Result<(), ParseError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(ParseError(format!(
            "the file is {} bytes; the limit is {} bytes (8 MiB)",
            text.len(),
            MAX_FILE_BYTES
        )));
    }
    Ok(())
}

/// Groups are kept in Unicode NFC, so a decomposed `Ö` (O + U+0308) is the same
/// name as the composed one, in comparisons and in keyring entry names.
fn normalize_groups(document: &mut Document) {
    use unicode_normalization::{UnicodeNormalization, is_nfc};
    for integration in &mut document.integrations {
        if let Some(group) = &mut integration.group
            && !is_nfc(group)
        {
            *group = group.nfc().collect();
        }
    }
}

/// Keeps the parser's first line only: its rendered snippet would quote the file, and
/// the file may hold a secret pasted where it does not belong. Says what to act on.
fn tidy_error(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message);
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let first = &redact_quoted(first);
    if first.contains("Depth") || first.contains("recursion") || first.contains("nesting") {
        return format!("nesting is deeper than {MAX_DEPTH} levels ({first})");
    }
    if let Some(at) = first.find("duplicate mapping key: ") {
        let rest = &first[at + "duplicate mapping key: ".len()..];
        let key = rest.split(',').next().unwrap_or(rest);
        return format!(
            "{}duplicate key {}: each key may appear once",
            &first[..at],
            redact_quoted(&format!("`{key}`"))
        );
    }
    first.to_owned()
}

/// Replaces what the parser quotes (`"…"` and `` `…` ``: values and keys from the
/// file) by `…`, keeping the names of this schema's own keys and stores.
fn redact_quoted(message: &str) -> String {
    const OWN: &[&str] = &[
        "version",
        "namespace",
        "path",
        "revision",
        "confirmed",
        "integrations",
        "platform",
        "operation",
        "group",
        "enabled",
        "settings",
        "keyring",
        "store",
        "service",
        "user",
        "secret-service",
        "keyutils",
        "keychain",
        "windows",
    ];
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        let after = &rest[open + 1..];
        let Some(close) = after.find(quote) else {
            break;
        };
        let inner = &after[..close];
        out.push_str(&rest[..=open]);
        out.push_str(if OWN.contains(&inner) { inner } else { "…" });
        out.push(quote);
        rest = &after[close + 1..];
    }
    if rest.contains(['"', '`']) {
        // An unclosed quote: what follows may be file content.
        out.push_str(&rest[..rest.find(['"', '`']).unwrap_or(rest.len())]);
        out.push('…');
    } else {
        out.push_str(rest);
    }
    out
}

#[derive(Deserialize)]
struct VersionProbe {
    version: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct VersionNumber {
    version: u32,
}

/// Parses a document: size, depth, duplicate keys, YAML syntax, schema version and
/// shape. Catalog rules are checked separately (`validate`).
///
/// One pass of the parser builds the document while the strict checks run
/// (`single_pass.rs`); only a file it is not sure of goes through serde-saphyr as well,
/// which then decides exactly as [`parse_document_in_two_passes`] does.
pub fn parse_document(text: &str) -> Result<Document, ParseError> {
    check_not_empty(text)?;
    check_size(text)?;
    if let Some(document) = single_pass::parse(text)?
        && (1..=SCHEMA_VERSION).contains(&document.version)
    {
        return finish_document(document);
    }
    parse_checked_document(text)
}

/// [`parse_document`] as it was before the single pass: the strict checks, then
/// serde-saphyr. The reference the single pass is compared with, in tests and the
/// benchmark.
#[doc(hidden)]
pub fn parse_document_in_two_passes(text: &str) -> Result<Document, ParseError> {
    check_not_empty(text)?;
    check_size(text)?;
    strict::check_nodes(text)?;
    parse_checked_document(text)
}

fn check_not_empty(text: &str) -> Result<(), ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError(
            "the file is empty; expected `version: 2` and `integrations:`".into(),
        ));
    }
    Ok(())
}

/// What a parsed document must also be: a version-2 file names its namespace, every
/// reference stays inside it, groups in NFC.
fn finish_document(mut document: Document) -> Result<Document, ParseError> {
    if document.version >= 2 && document.namespace.is_none() {
        return Err(ParseError(
            "`namespace` is missing: a version-2 file records the keyring namespace its \
             secrets are under; restore the line from a backup (`wfm-wizard history`)"
                .into(),
        ));
    }
    references::check(&document)?;
    normalize_groups(&mut document);
    Ok(document)
}

/// The serde-saphyr pass over a text the strict checks passed.
fn parse_checked_document(text: &str) -> Result<Document, ParseError> {
    // A good file is parsed once (a 10,000-integration file takes ~0.4 s a pass); the
    // probes below run only to explain a failure, version problems first.
    if let Ok(document) = parse_yaml::<Document>(text)
        && (1..=SCHEMA_VERSION).contains(&document.version)
    {
        return finish_document(document);
    }
    let probe: VersionProbe = parse_yaml(text).map_err(|e| {
        if e.0.contains("invalid type") || e.0.contains("expected mapping") {
            ParseError(format!(
                "this is not a YAML mapping with `version` and `integrations` ({e})"
            ))
        } else {
            e
        }
    })?;
    if probe.version.is_none() {
        return Err(ParseError(
            "`version` is missing; this program writes `version: 2`".into(),
        ));
    }
    let VersionNumber { version } = parse_yaml(text)
        .map_err(|e| ParseError(format!("`version` must be a whole number ({e})")))?;
    if version > SCHEMA_VERSION {
        return Err(ParseError(format!(
            "schema version {version} is newer than this program knows ({SCHEMA_VERSION}); \
             use a newer wfm-wizard"
        )));
    }
    if version == 0 {
        return Err(ParseError(
            "schema version 0 does not exist; the first version is 1".into(),
        ));
    }
    parse_yaml(text)
}

/// SHA-256 of a file's text, in hex: how a save recognises the file it loaded.
pub fn text_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::secret::to_hex(&Sha256::digest(text.as_bytes()))
}

/// The file's text: a header comment, then the document.
pub fn render_document(document: &Document) -> Result<String, ParseError> {
    let body = serde_saphyr::to_string(document).map_err(|e| ParseError(e.to_string()))?;
    Ok(format!("{HEADER}{body}"))
}

#[cfg(test)]
mod tests;
