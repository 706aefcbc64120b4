//! Field and cross-integration rules, shared by the wizard, `validate` and loading.

mod jwt;

pub mod document;
pub mod operation_rules;
pub use document::{Problem, Severity, check_document};
pub use jwt::{JwtInfo, claims as jwt_claims, inspect_jwt};

use crate::catalog::{FieldDef, Validator};
pub use crate::config::strict::MAX_GROUP_CHARS;

/// What a field holds, as far as the rules need to know.
#[derive(Clone, Copy, Debug)]
pub enum Value<'a> {
    Text(&'a str),
    /// A secret: the typed text when one was typed; `stored` when the keyring already holds one.
    Secret {
        typed: Option<&'a str>,
        stored: bool,
    },
    Toggle(bool),
}

/// The outcome of checking one field: an error blocks, a warning does not, info explains.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldCheck {
    pub error: Option<String>,
    pub warning: Option<String>,
    pub info: Option<String>,
}

/// Checks one field on its own. `now` is seconds since the Unix epoch.
pub fn check_field(def: &FieldDef, value: Value<'_>, now: i64) -> FieldCheck {
    let mut out = FieldCheck::default();
    let text = match value {
        Value::Text(t) => Some(t.trim()),
        Value::Secret { typed, .. } => typed.filter(|t| !t.is_empty()),
        Value::Toggle(_) => return out,
    };
    let stored = matches!(value, Value::Secret { stored: true, .. });
    let empty = text.is_none_or(str::is_empty);
    if empty {
        if def.validators.contains(&Validator::Required) && !stored {
            let verb = if matches!(value, Value::Secret { .. }) {
                "paste or type"
            } else {
                "enter"
            };
            out.error = Some(format!("Required: {verb} the {}.", def.label));
        }
        return out;
    }
    let text = text.unwrap_or_default();
    if text.chars().any(char::is_control) {
        out.error = Some(format!(
            "The {} holds a control character (a line break, tab or escape); type it again \
             as one line.",
            def.label
        ));
        return out;
    }
    if let Some(max) = def.max_length {
        let length = text.chars().count();
        if length > max {
            out.error = Some(format!(
                "The {} is at most {max} characters; this one has {length}. Check what was \
                 copied.",
                def.label
            ));
            return out;
        }
    }
    for validator in &def.validators {
        match validator {
            Validator::Required => {}
            Validator::Jwt => match inspect_jwt(text, now) {
                Ok(info) => out.info = Some(info.summary()),
                Err(message) => out.error = Some(message),
            },
            Validator::RingcentralClientId => {
                if !is_ringcentral_client_id(text) {
                    out.warning = Some(format!(
                        "RingCentral client IDs are 22 characters of A-Z, a-z, 0-9, _ and - \
                         (this one has {}); check that you copied all of it.",
                        text.chars().count()
                    ));
                }
            }
            Validator::Digits => {
                if !text.chars().all(|c| c.is_ascii_digit()) {
                    out.warning = Some(
                        "Sub account IDs are digits only (for example 15910001); check the value."
                            .into(),
                    );
                }
            }
        }
    }
    out
}

fn is_ringcentral_client_id(text: &str) -> bool {
    text.len() == 22
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Checks the Group of one integration against the others of the same platform and
/// operation (`others` excludes the integration itself).
pub fn check_group(group: &str, others: &[&str], operation_label: &str) -> Option<String> {
    let key = group_key(group);
    let same = others.iter().filter(|o| group_key(o) == key).count();
    check_group_counts(group, others.len(), same, operation_label)
}

/// [`check_group`] from counts, for many integrations at once (see
/// [`document::GroupIndex`]): `others` integrations share this one's platform and
/// operation, and `same` of them use its group.
pub fn check_group_counts(
    group: &str,
    others: usize,
    same: usize,
    operation_label: &str,
) -> Option<String> {
    let group = group.trim();
    if group.chars().any(is_hidden_char) {
        return Some(
            "A Group may not contain invisible, formatting or control characters (such as a \
             zero-width space); retype the name."
                .into(),
        );
    }
    if group.chars().count() > MAX_GROUP_CHARS {
        return Some(format!(
            "A Group name is at most {MAX_GROUP_CHARS} characters."
        ));
    }
    if group.contains('/') {
        return Some(
            "A Group may not contain '/'; it becomes part of the keyring entry name.".into(),
        );
    }
    if others == 0 {
        return None;
    }
    if group.is_empty() {
        return Some(format!(
            "Required: there are {} {operation_label} integrations, so each needs a Group name.",
            others + 1
        ));
    }
    if same > 0 {
        return Some(format!(
            "Another {operation_label} integration already uses the Group \"{group}\"; choose a different name."
        ));
    }
    None
}

/// Groups are compared trimmed, in NFC and with full Unicode case folding, so names
/// that look the same are the same (`ÖST`, decomposed, is `Öst`; `STRASSE` is `straße`).
pub fn group_key(group: &str) -> String {
    use caseless::Caseless;
    use unicode_normalization::UnicodeNormalization;
    group
        .trim()
        .nfd()
        .default_case_fold()
        .nfd()
        .collect::<String>()
        .nfc()
        .collect()
}

/// Characters a name may not hold because they cannot be seen or change how text is
/// shown: control characters, and the format and invisible characters of Unicode
/// (zero-width spaces and joiners, direction marks and overrides, the BOM, tag and
/// variation characters, fillers).
pub fn is_hidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFFB}'
                | '\u{0600}'..='\u{0605}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// A calendar date (UTC) for seconds since the Unix epoch, as YYYY-MM-DD.
pub fn format_date(seconds: i64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let z = seconds.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests;
