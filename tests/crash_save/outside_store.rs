//! The two real stores, read with tools we did not write: `secret-tool` against a
//! private Secret Service, `keyctl` (and `/proc/keys`) for the kernel keyring. Values
//! read here are test secrets: they are compared and fingerprinted, never printed.
//!
//! The kernel keyring is shared by every process of this user (the store links each
//! key into the per-user persistent keyring), so only entries with this run's Group as
//! one segment of their name count as ours; the private Secret Service holds nothing
//! but ours.

use std::process::{Command, Stdio};

use secrecy::SecretString;
use wfm_wizard::secret::{SERVICE, StoreKind};

use crate::private_secret_service::PrivateSecretService;
use crate::release_binary::output_within;

pub enum OutsideStore {
    SecretService(PrivateSecretService),
    /// The run's Group: the segment that makes an entry name ours.
    Keyutils {
        group: String,
    },
}

/// `keyctl` in a login session of its own with the persistent keyring linked in, so
/// the store's keys are found (and possessed, so readable) as the program finds them.
const KEYCTL_SESSION: &str = "keyctl get_persistent @s >/dev/null || exit 3";

impl OutsideStore {
    pub fn kind(&self) -> StoreKind {
        match self {
            OutsideStore::SecretService(_) => StoreKind::SecretService,
            OutsideStore::Keyutils { .. } => StoreKind::Keyutils,
        }
    }

    /// The kernel keyring warns that it forgets at reboot and asks to go on.
    pub fn asks_to_confirm(&self) -> bool {
        matches!(self, OutsideStore::Keyutils { .. })
    }

    /// The environment a child needs to reach this store.
    pub fn envs(&self) -> Vec<(String, String)> {
        match self {
            OutsideStore::SecretService(service) => service.envs(),
            OutsideStore::Keyutils { .. } => Vec::new(),
        }
    }

    /// The value of entry `user` of service [`SERVICE`], `None` when there is none.
    pub fn read(&self, user: &str) -> Option<SecretString> {
        let bytes = match self {
            OutsideStore::SecretService(service) => {
                let mut lookup = Command::new("secret-tool");
                lookup
                    .args(["lookup", "service", SERVICE, "username", user])
                    .envs(service.envs());
                let out = quiet(lookup);
                // secret-tool exits 1 both for "no such item" and for errors; an error
                // also says something on stderr.
                match out.status.code() {
                    Some(0) => out.stdout,
                    Some(1) if out.stderr.is_empty() => return None,
                    _ => panic!(
                        "secret-tool lookup {user}: {} {}",
                        out.status,
                        String::from_utf8_lossy(&out.stderr).trim()
                    ),
                }
            }
            OutsideStore::Keyutils { .. } => {
                let out = keyctl_script(
                    r#"id=$(keyctl search @s user "$1" 2>/dev/null) || exit 1; keyctl pipe "$id" || exit 4"#,
                    &[description(user)],
                );
                match out.status.code() {
                    Some(0) => out.stdout,
                    Some(1) => return None,
                    _ => panic!(
                        "keyctl pipe {user}: {} {}",
                        out.status,
                        String::from_utf8_lossy(&out.stderr).trim()
                    ),
                }
            }
        };
        // A value that is not UTF-8 cannot be what a save wrote: it still fingerprints.
        Some(SecretString::from(String::from_utf8(bytes).unwrap_or_else(
            |e| format!("(not UTF-8: {} bytes)", e.as_bytes().len()),
        )))
    }

    /// The names of this run's entries of service [`SERVICE`] that the store holds.
    pub fn users(&self) -> Vec<String> {
        match self {
            OutsideStore::SecretService(service) => {
                let mut search = Command::new("secret-tool");
                search
                    .args(["search", "--all", "service", SERVICE])
                    .envs(service.envs());
                let out = quiet(search);
                assert!(out.status.success(), "secret-tool search: {}", out.status);
                // secret-tool prints each item's secret on stdout and its attributes on
                // stderr: only the attribute lines are read, and nothing is printed.
                let mut users: Vec<String> = [&out.stdout, &out.stderr]
                    .into_iter()
                    .flat_map(|bytes| {
                        String::from_utf8_lossy(bytes)
                            .lines()
                            .filter_map(|line| line.strip_prefix("attribute.username = "))
                            .map(str::to_owned)
                            .collect::<Vec<_>>()
                    })
                    .collect();
                users.sort();
                users
            }
            OutsideStore::Keyutils { group } => {
                let candidates: Vec<String> = kernel_key_descriptions()
                    .into_iter()
                    .filter(|d| user_of(d).is_some_and(|u| has_segment(u, group)))
                    .collect();
                if candidates.is_empty() {
                    return Vec::new();
                }
                // /proc/keys still lists a key no keyring holds until the kernel's
                // collector runs: keep the ones a search reaches, as the program's would.
                let out = keyctl_script(
                    r#"for d in "$@"; do keyctl search @s user "$d" >/dev/null 2>&1 && printf '%s\n' "$d"; done; exit 0"#,
                    &candidates,
                );
                let mut users: Vec<String> = String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .filter_map(user_of)
                    .map(str::to_owned)
                    .collect();
                users.sort();
                users
            }
        }
    }

    /// Removes every entry of this run, to start a trial afresh (and at the end).
    pub fn clear(&self) {
        match self {
            OutsideStore::SecretService(service) => {
                let mut clear = Command::new("secret-tool");
                clear
                    .args(["clear", "service", SERVICE])
                    .envs(service.envs());
                quiet(clear);
            }
            OutsideStore::Keyutils { group } => {
                let ours: Vec<String> = kernel_key_descriptions()
                    .into_iter()
                    .filter(|d| user_of(d).is_some_and(|u| has_segment(u, group)))
                    .collect();
                if !ours.is_empty() {
                    keyctl_script(
                        r#"for d in "$@"; do while id=$(keyctl search @s user "$d" 2>/dev/null); do keyctl invalidate "$id" || break; done; done; exit 0"#,
                        &ours,
                    );
                }
            }
        }
    }
}

/// Whether `name`, split at `/`, has `segment` as one of its parts.
pub fn has_segment(name: &str, segment: &str) -> bool {
    name.split('/').any(|part| part == segment)
}

/// The description the keyutils store gives an entry: `keyring:<user>@<service>`.
fn description(user: &str) -> String {
    format!("keyring:{user}@{SERVICE}")
}

/// The entry name in a keyutils store description of service [`SERVICE`].
fn user_of(description: &str) -> Option<&str> {
    description
        .strip_prefix("keyring:")?
        .strip_suffix(&format!("@{SERVICE}"))
}

/// Descriptions of the live `user` keys listed in `/proc/keys` (flags: instantiated,
/// not revoked, dead, negative or invalidated).
fn kernel_key_descriptions() -> Vec<String> {
    let listing = std::fs::read_to_string("/proc/keys")
        .unwrap_or_else(|e| panic!("cannot read /proc/keys: {e}"));
    listing
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (flags, kind, description) = (fields.get(1)?, fields.get(7)?, fields.get(8)?);
            let live = flags.starts_with('I') && !flags.contains(['R', 'D', 'N', 'i']);
            (live && *kind == "user").then(|| description.trim_end_matches(':').to_owned())
        })
        .collect()
}

/// Runs `script` (arguments `$1`...) under `keyctl session -` with the persistent
/// keyring linked in; fails the test when that session cannot be had.
fn keyctl_script(script: &str, args: &[String]) -> std::process::Output {
    let mut command = Command::new("keyctl");
    command
        .args(["session", "-", "sh", "-c"])
        .arg(format!("{KEYCTL_SESSION}\n{script}"))
        .arg("sh")
        .args(args);
    let out = quiet(command);
    assert!(
        out.status.code() != Some(3),
        "keyctl get_persistent failed: the kernel keyring cannot be read from outside ({})",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    out
}

fn quiet(mut command: Command) -> std::process::Output {
    command.stdin(Stdio::null());
    output_within(command)
}
