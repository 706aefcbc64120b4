//! Secret references as written to the YAML, and where secrets live.

use serde::{Deserialize, Serialize};

/// The keyring service every wfm-wizard entry is stored under.
pub const SERVICE: &str = "wfm-wizard";

/// A credential store the wizard can write to. The name is what `--secret-store`
/// takes and what every reference in the YAML records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoreKind {
    SecretService,
    Keyutils,
    Keychain,
    Windows,
    /// systemd credentials: files encrypted with the machine's key (`io/systemd_creds.rs`).
    SystemdCreds,
}

impl StoreKind {
    pub const ALL: [StoreKind; 5] = [
        StoreKind::SecretService,
        StoreKind::Keyutils,
        StoreKind::Keychain,
        StoreKind::Windows,
        StoreKind::SystemdCreds,
    ];

    /// The name used on the command line and in the YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::SecretService => "secret-service",
            StoreKind::Keyutils => "keyutils",
            StoreKind::Keychain => "keychain",
            StoreKind::Windows => "windows",
            StoreKind::SystemdCreds => "systemd-creds",
        }
    }

    /// Whether secrets in this store are still there after a reboot.
    pub fn survives_reboot(self) -> bool {
        !matches!(self, StoreKind::Keyutils)
    }

    pub fn parse(name: &str) -> Option<StoreKind> {
        StoreKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl std::fmt::Display for StoreKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where one secret is kept: written into the YAML in place of the value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    pub store: StoreKind,
    pub service: String,
    pub user: String,
}

/// Lower-case hex digits of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// How many hex digits a config's namespace has (48 random bits).
pub const NAMESPACE_LEN: usize = 12;

/// Whether `text` has the form of a namespace: 12 lower-case hex digits.
pub fn is_namespace(text: &str) -> bool {
    text.len() == NAMESPACE_LEN
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The namespace an entry name starts with; `None` for names from before namespaces
/// (`<platform>/...`).
pub fn namespace_of(user: &str) -> Option<&str> {
    user.split_once('/')
        .map(|(first, _)| first)
        .filter(|first| is_namespace(first))
}

/// The keyring user name of one secret of the config whose namespace is `namespace`:
/// `<namespace>/<platform>/<operation>/<group or default>/<field>`.
pub fn entry_user(
    namespace: &str,
    platform: &str,
    operation: &str,
    group: Option<&str>,
    field: &str,
) -> String {
    format!(
        "{namespace}/{}",
        legacy_entry_user(platform, operation, group, field)
    )
}

/// Where a typed secret of an unsaved session waits: `<namespace>/draft/<platform>/...`.
pub fn draft_entry_user(
    namespace: &str,
    platform: &str,
    operation: &str,
    group: Option<&str>,
    field: &str,
) -> String {
    format!(
        "{namespace}/{DRAFT_SEGMENT}/{}",
        legacy_entry_user(platform, operation, group, field)
    )
}

/// The path segment that marks a draft entry (after the namespace; first, in the
/// names of drafts from before namespaces).
pub const DRAFT_SEGMENT: &str = "draft";

/// Whether `user` names a draft entry, of either naming.
pub fn is_draft_entry(user: &str) -> bool {
    let rest = match namespace_of(user) {
        Some(namespace) => &user[namespace.len() + 1..],
        None => user,
    };
    rest.split('/').next() == Some(DRAFT_SEGMENT)
}

/// The name version-1 files used, shared by every config: `<platform>/<operation>/<group or
/// default>/<field>`. Read when such a file is loaded; never written any more.
pub fn legacy_entry_user(
    platform: &str,
    operation: &str,
    group: Option<&str>,
    field: &str,
) -> String {
    let group = group
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .unwrap_or("default");
    format!("{platform}/{operation}/{group}/{field}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_user_uses_default_for_a_missing_or_blank_group() {
        let ns = "0123456789ab";
        assert_eq!(
            entry_user(ns, "p", "o", None, "jwt"),
            "0123456789ab/p/o/default/jwt"
        );
        assert_eq!(
            entry_user(ns, "p", "o", Some("  "), "jwt"),
            "0123456789ab/p/o/default/jwt"
        );
        assert_eq!(
            entry_user(ns, "p", "o", Some(" east "), "jwt"),
            "0123456789ab/p/o/east/jwt"
        );
        assert_eq!(legacy_entry_user("p", "o", None, "jwt"), "p/o/default/jwt");
    }

    #[test]
    fn a_namespace_is_told_apart_from_a_platform() {
        assert_eq!(
            namespace_of("0123456789ab/p/o/default/jwt"),
            Some("0123456789ab")
        );
        assert_eq!(namespace_of("ringcentral-v1/historical/default/jwt"), None);
        assert_eq!(namespace_of("0123456789AB/p"), None);
        assert_eq!(namespace_of("0123456789a/p"), None);
        assert_eq!(namespace_of("draft/p/o/default/jwt"), None);
    }

    #[test]
    fn draft_entries_are_recognised_in_both_namings() {
        let ns = "0123456789ab";
        assert_eq!(
            draft_entry_user(ns, "p", "o", None, "jwt"),
            "0123456789ab/draft/p/o/default/jwt"
        );
        assert!(is_draft_entry("0123456789ab/draft/p/o/default/jwt"));
        assert!(is_draft_entry("draft/p/o/default/jwt"));
        assert!(!is_draft_entry("0123456789ab/p/o/draft/jwt"));
    }

    #[test]
    fn store_names_round_trip() {
        for kind in StoreKind::ALL {
            assert_eq!(StoreKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(StoreKind::parse("file"), None);
    }
}
