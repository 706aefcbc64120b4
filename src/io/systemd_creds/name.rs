//! The credential ID of an entry: one string that is the file name in the credential
//! directory, the name sealed into the credential (`--name`) and the ID a unit's
//! `LoadCredentialEncrypted=` uses, derived reversibly from service and entry name.
//!
//! Only `[A-Za-z0-9-]` pass through; `/` becomes `.` (so IDs read like the paths they
//! stand for), and every other byte of the UTF-8 text becomes `_` and two lower-case
//! hex digits. The result has no `/`, `:`, `%`, `\` or white space, so it is a valid
//! file name and needs no quoting in a unit file (where `%` starts a specifier and
//! `:` separates the ID from a path).

/// The longest file name Linux allows, and so the longest credential ID.
pub const MAX_ID_LEN: usize = 255;

/// The ID of entry `user` under `service`: `<service>.<user>`, both escaped; `None`
/// when it would be longer than [`MAX_ID_LEN`].
pub fn credential_id(service: &str, user: &str) -> Option<String> {
    let id = format!("{}.{}", escape(service), escape(user));
    (id.len() <= MAX_ID_LEN).then_some(id)
}

/// The entry name an ID under `service` stands for; `None` for a file name that is not
/// such an ID (another service's, a temporary file, anything written by hand).
pub fn entry_user(service: &str, id: &str) -> Option<String> {
    let rest = id.strip_prefix(&escape(service))?.strip_prefix('.')?;
    let user = unescape(rest)?;
    // Only the one spelling `escape` produces is ours: no two files for one entry.
    (escape(&user) == rest).then_some(user)
}

fn escape(text: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' => out.push(char::from(byte)),
            b'/' => out.push('.'),
            _ => {
                let _ = write!(out, "_{byte:02x}");
            }
        }
    }
    out
}

fn unescape(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        match first {
            b'.' => {
                bytes.push(b'/');
                rest = tail;
            }
            b'_' => {
                let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
                bytes.push(u8::from_str_radix(hex, 16).ok()?);
                rest = &tail[2..];
            }
            _ => {
                bytes.push(first);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_use_only_safe_characters_and_round_trip_any_unicode() {
        let users = [
            "0123456789ab/ringcentral-v1/historical/default/jwt",
            "0123456789ab/p/o/東京 α_β.%:\\ \t\n/secret",
            "0123456789ab/draft/p/o/🦀/field",
            "a.b/c_d",
            "/leading/and/trailing/",
            "",
        ];
        for user in users {
            let id = credential_id("wfm-wizard", user).unwrap();
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)),
                "{id}"
            );
            assert_eq!(entry_user("wfm-wizard", &id).as_deref(), Some(user), "{id}");
        }
        assert_eq!(
            credential_id(
                "wfm-wizard",
                "0123456789ab/ringcentral-v1/historical/default/jwt"
            )
            .unwrap(),
            "wfm-wizard.0123456789ab.ringcentral-v1.historical.default.jwt"
        );
    }

    #[test]
    fn foreign_and_malformed_names_are_not_entries() {
        assert_eq!(entry_user("wfm-wizard", "other.a.b"), None);
        assert_eq!(entry_user("wfm-wizard", "wfm-wizard-key-check"), None);
        assert_eq!(entry_user("wfm-wizard", ".tmp-123"), None);
        assert_eq!(entry_user("wfm-wizard", "wfm-wizard.a_zz"), None);
        assert_eq!(entry_user("wfm-wizard", "wfm-wizard.a_2"), None);
        // Invalid UTF-8 once unescaped.
        assert_eq!(entry_user("wfm-wizard", "wfm-wizard.a_ff"), None);
        // A second spelling of "a": not what this store writes.
        assert_eq!(entry_user("wfm-wizard", "wfm-wizard._61"), None);
    }

    #[test]
    fn names_longer_than_a_file_name_are_refused() {
        assert!(credential_id("wfm-wizard", &"x".repeat(244)).is_some());
        assert!(credential_id("wfm-wizard", &"x".repeat(245)).is_none());
        assert!(credential_id("wfm-wizard", &"東".repeat(30)).is_none());
    }
}
