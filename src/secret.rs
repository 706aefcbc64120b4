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
}

impl StoreKind {
    pub const ALL: [StoreKind; 4] = [
        StoreKind::SecretService,
        StoreKind::Keyutils,
        StoreKind::Keychain,
        StoreKind::Windows,
    ];

    /// The name used on the command line and in the YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::SecretService => "secret-service",
            StoreKind::Keyutils => "keyutils",
            StoreKind::Keychain => "keychain",
            StoreKind::Windows => "windows",
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

/// The keyring user name of one secret: `<platform>/<operation>/<group or default>/<field>`.
pub fn entry_user(platform: &str, operation: &str, group: Option<&str>, field: &str) -> String {
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
        assert_eq!(entry_user("p", "o", None, "jwt"), "p/o/default/jwt");
        assert_eq!(entry_user("p", "o", Some("  "), "jwt"), "p/o/default/jwt");
        assert_eq!(entry_user("p", "o", Some(" east "), "jwt"), "p/o/east/jwt");
    }

    #[test]
    fn store_names_round_trip() {
        for kind in StoreKind::ALL {
            assert_eq!(StoreKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(StoreKind::parse("file"), None);
    }
}
