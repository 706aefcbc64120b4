//! Secret references as written to the YAML, and where secrets live.

use serde::{Deserialize, Serialize};

pub mod fingerprint;
pub use fingerprint::fingerprint;

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

    /// The longest value this store keeps, in the bytes it stores (see
    /// [`StoreKind::stored_bytes`]). Known up front so a form can say at once that a
    /// pasted value will not fit, instead of the store refusing it at save.
    ///
    /// - keyutils: a kernel `user` key holds at most 32,767 bytes (the kernel refuses
    ///   32,768). Users other than root also share a quota of all their keys
    ///   (`/proc/sys/kernel/keys/maxbytes`, 20,000 bytes by default), which the store
    ///   reports when it is reached.
    /// - secret-service: no fixed limit, but a D-Bus message carries at most 64 MiB and
    ///   gnome-keyring took 2.2 s to store and read back 16 MB (measured); 1 MiB stays
    ///   well inside the 5 s store-call deadline (160 ms measured).
    /// - windows: a Credential Manager blob is at most 2,560 bytes
    ///   (`CRED_MAX_CREDENTIAL_BLOB_SIZE`), and passwords are kept as UTF-16.
    /// - keychain: Apple documents no limit; 1 MiB like the Secret Service.
    /// - systemd-creds: 768 KiB: systemd 252 refuses to decrypt a credential file over
    ///   1,179,648 bytes (measured), and encryption adds a header and base64.
    pub fn max_value_bytes(self) -> usize {
        match self {
            StoreKind::Keyutils => 32_767,
            StoreKind::SystemdCreds => 768 * 1024,
            StoreKind::Windows => 2_560,
            StoreKind::SecretService | StoreKind::Keychain => 1 << 20,
        }
    }

    /// How many bytes `value` takes in this store: UTF-16 in Windows' Credential
    /// Manager, UTF-8 everywhere else.
    pub fn stored_bytes(self, value: &str) -> usize {
        match self {
            StoreKind::Windows => value.encode_utf16().count() * 2,
            _ => value.len(),
        }
    }

    /// Whether this store can keep `value` (see [`StoreKind::max_value_bytes`]).
    pub fn holds(self, value: &str) -> bool {
        self.stored_bytes(value) <= self.max_value_bytes()
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
/// Why a store could not be used, or a call to it failed, as a kind the program acts on
/// (which advice to give); the operator reads the words carried beside it in
/// [`StoreReason`] or the store layer's error. Rewording a message never changes the kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreProblem {
    /// No D-Bus session bus to find a Secret Service on.
    NoBus,
    /// A session bus, but no Secret Service provider on it.
    NoProvider,
    /// The keyring is locked, or has no default (login) collection.
    Locked,
    /// The store did not answer within its deadline (or is still stuck on an earlier call).
    NoAnswer,
    Other,
}

/// A store problem and the plain-English words that explain it (lower case first, no
/// secret in it): code decides on `problem`, people read `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreReason {
    pub problem: StoreProblem,
    pub text: String,
}

impl StoreReason {
    pub fn new(problem: StoreProblem, text: impl Into<String>) -> Self {
        Self {
            problem,
            text: text.into(),
        }
    }
}

impl std::fmt::Display for StoreReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    pub store: StoreKind,
    pub service: String,
    pub user: String,
}

/// The longest keyring user name a reference may hold (README "Limits").
pub const MAX_USER_CHARS: usize = 256;

/// Why a reference is not one wfm-wizard may follow. Never quotes the reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferenceProblem {
    /// Another application's service.
    OtherService,
    /// Another config's namespace (or, in a version-1 file, any namespace).
    OtherNamespace,
    /// Not an entry name wfm-wizard writes.
    NotAnEntryName,
}

impl std::fmt::Display for ReferenceProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ReferenceProblem::OtherService => {
                "names another keyring service than wfm-wizard's own; wfm-wizard reads only \
                 its own entries: run wfm-wizard and enter the secret again"
            }
            ReferenceProblem::OtherNamespace => {
                "names an entry outside this config's keyring namespace (another config's): \
                 run wfm-wizard and enter the secret again"
            }
            ReferenceProblem::NotAnEntryName => {
                "is not a keyring entry name wfm-wizard writes \
                 (<namespace>/<platform>/<operation>/<group>/<field>): run wfm-wizard and \
                 enter the secret again"
            }
        })
    }
}

/// Whether wfm-wizard may follow `reference` for the config whose namespace is
/// `namespace` (`None`: a version-1 file, whose entries have no namespace). The one
/// rule for loading, every command and the library's `read_secret`.
pub fn check_reference(
    reference: &SecretRef,
    namespace: Option<&str>,
) -> Result<(), ReferenceProblem> {
    if reference.service != SERVICE {
        return Err(ReferenceProblem::OtherService);
    }
    check_user(&reference.user)?;
    if namespace_of(&reference.user) != namespace {
        return Err(ReferenceProblem::OtherNamespace);
    }
    Ok(())
}

/// The shape of an entry name: `[<namespace>/]<platform>/<operation>/<group>/<field>`,
/// no empty part, no control or format character, not too long.
pub fn check_user(user: &str) -> Result<(), ReferenceProblem> {
    let parts = user.split('/').count() - usize::from(namespace_of(user).is_some());
    let clean = user.chars().count() <= MAX_USER_CHARS
        && !user.chars().any(crate::validate::is_hidden_char)
        && !user.split('/').any(str::is_empty)
        && parts == 4;
    if clean {
        Ok(())
    } else {
        Err(ReferenceProblem::NotAnEntryName)
    }
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
    entry_user(
        &format!("{namespace}/{DRAFT_SEGMENT}"),
        platform,
        operation,
        group,
        field,
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
    fn each_store_says_up_front_how_long_a_value_it_holds() {
        let kernel = StoreKind::Keyutils;
        assert!(kernel.holds(&"a".repeat(32_767)));
        assert!(
            !kernel.holds(&"a".repeat(32_768)),
            "the kernel refuses 32,768"
        );
        assert!(!kernel.holds(&"a".repeat(100_000)));
        assert!(StoreKind::SecretService.holds(&"a".repeat(100_000)));
        assert!(!StoreKind::SecretService.holds(&"a".repeat((1 << 20) + 1)));
        // Windows keeps UTF-16: 1,280 ASCII characters fill its 2,560 bytes.
        assert!(StoreKind::Windows.holds(&"a".repeat(1_280)));
        assert!(!StoreKind::Windows.holds(&"a".repeat(1_281)));
        assert_eq!(StoreKind::Keyutils.stored_bytes("é"), 2);
        assert_eq!(StoreKind::Windows.stored_bytes("é"), 2);
    }

    #[test]
    fn store_names_round_trip() {
        for kind in StoreKind::ALL {
            assert_eq!(StoreKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(StoreKind::parse("file"), None);
    }
}
