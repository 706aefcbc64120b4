//! What an interrupted save left: which version the file is, whether every secret it
//! references holds that version's value (compared by fingerprint, never shown), and
//! what was left behind beside the config and in the store.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use secrecy::SecretString;
use wfm_wizard::commands::inventory::fingerprint;
use wfm_wizard::config::draft::{DraftField, Snapshot};
use wfm_wizard::config::{Setting, parse_document};
use wfm_wizard::secret::SecretRef;

use crate::outside_store::{OutsideStore, has_segment};
use crate::wizard_run::{SECRET_FIELDS, Values};

/// What may sit beside `<config>` after any command has started: the config itself and
/// these suffixes of its name (the draft, the lock, the history directory). Anything
/// else (a temporary copy, `<config>.journal`) is a leftover.
pub const ALLOWED_BESIDE_CONFIG: [&str; 4] = ["", ".draft", ".lock", ".history"];

/// The entry-name segment that marks a draft entry.
const DRAFT_SEGMENT: &str = "draft";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    Old,
    New,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Version::Old => "old",
            Version::New => "new",
        })
    }
}

pub enum Outcome {
    /// The file is this version and every secret it references holds its value.
    Consistent(Version),
    /// Anything else, and why (entry names and fingerprints only).
    Inconsistent {
        why: String,
        /// The case of the issue: the old file, and a secret it names already new.
        old_file_new_secret: bool,
    },
}

pub enum Leftover {
    /// A file beside the config that nothing will remove (a temporary copy, a journal).
    File(String),
    /// A draft entry the draft file does not name (or there is no draft file).
    DraftEntry(String),
}

impl Outcome {
    fn broken(why: String) -> Self {
        Outcome::Inconsistent {
            why,
            old_file_new_secret: false,
        }
    }
}

impl fmt::Display for Leftover {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Leftover::File(name) => write!(f, "file {name}"),
            Leftover::DraftEntry(user) => write!(f, "draft entry {user} named by no draft"),
        }
    }
}

pub struct Verdict {
    pub outcome: Outcome,
    pub leftovers: Vec<Leftover>,
    /// Entries of this run that are neither referenced by the file nor drafts; counted
    /// for the record (today a save overwrites in place, so there are none).
    pub unreferenced: Vec<String>,
}

/// Judges the state after a save from `old` to `new` was interrupted and a command
/// started again. `group` names the trial's integration.
pub fn judge(
    config: &Path,
    store: &OutsideStore,
    group: &str,
    old: &Values,
    new: &Values,
) -> Verdict {
    let users = store.users();
    let (outcome, referenced) = judge_file(config, store, group, old, new);
    if let Outcome::Consistent(_) = outcome {
        // Its entries were just read: a listing without them is this test's own fault.
        let missed: Vec<&String> = referenced.iter().filter(|u| !users.contains(u)).collect();
        assert!(
            missed.is_empty(),
            "the listing of {} misses {missed:?}, which it holds: did the tool's output change?",
            store.kind()
        );
    }
    let mut leftovers = files_beside(config);
    let named = draft_entries_named(config);
    let mut unreferenced = Vec::new();
    for user in users {
        if has_segment(&user, DRAFT_SEGMENT) {
            if !named.contains(&user) {
                leftovers.push(Leftover::DraftEntry(user));
            }
        } else if !referenced.contains(&user) {
            unreferenced.push(user);
        }
    }
    Verdict {
        outcome,
        leftovers,
        unreferenced,
    }
}

/// The file's version and whether its secrets agree; also every entry it references.
fn judge_file(
    config: &Path,
    store: &OutsideStore,
    group: &str,
    old: &Values,
    new: &Values,
) -> (Outcome, BTreeSet<String>) {
    let mut referenced = BTreeSet::new();
    let text = match std::fs::read_to_string(config) {
        Ok(text) => text,
        Err(e) => {
            return (Outcome::broken(format!("no config file ({e})")), referenced);
        }
    };
    let document = match parse_document(&text) {
        Ok(document) => document,
        Err(e) => {
            return (Outcome::broken(format!("a torn file: {e}")), referenced);
        }
    };
    for integration in &document.integrations {
        for (_, setting) in &integration.settings.0 {
            if let Setting::Secret(reference) = setting {
                referenced.insert(reference.user.clone());
            }
        }
    }
    let Some(integration) = document
        .integrations
        .iter()
        .find(|i| i.group.as_deref() == Some(group))
    else {
        return (
            Outcome::broken(format!("the file has no integration of Group {group}")),
            referenced,
        );
    };
    let version = match integration.settings.get("sub_account_id") {
        Some(Setting::Text(id)) if *id == old.sub_account_id => Version::Old,
        Some(Setting::Text(id)) if *id == new.sub_account_id => Version::New,
        other => {
            return (
                Outcome::broken(format!(
                    "the file is neither version: sub_account_id {other:?}, old {}, new {}",
                    old.sub_account_id, new.sub_account_id
                )),
                referenced,
            );
        }
    };
    let problems: Vec<(String, bool)> = SECRET_FIELDS
        .iter()
        .filter_map(|field| match integration.settings.get(field) {
            Some(Setting::Secret(reference)) => {
                check_secret(field, reference, store, version, [old, new])
            }
            _ => Some((format!("{field}: no keyring reference in the file"), false)),
        })
        .collect();
    if problems.is_empty() {
        (Outcome::Consistent(version), referenced)
    } else {
        let why: Vec<&str> = problems.iter().map(|(why, _)| why.as_str()).collect();
        let outcome = Outcome::Inconsistent {
            why: why.join("; "),
            old_file_new_secret: problems.iter().any(|(_, stale)| *stale),
        };
        (outcome, referenced)
    }
}

/// What is wrong with the secret `reference` of `field` in a file of `version`, if
/// anything (and whether it is the old file naming a new value): the entry must hold
/// that version's value.
fn check_secret(
    field: &str,
    reference: &SecretRef,
    store: &OutsideStore,
    version: Version,
    [old, new]: [&Values; 2],
) -> Option<(String, bool)> {
    if reference.store != store.kind() {
        let why = format!(
            "{field}: references {}, the trial used {}",
            reference.store,
            store.kind()
        );
        return Some((why, false));
    }
    let print = |values: &Values| {
        let value = values.secret(field).unwrap_or_default();
        fingerprint(
            &reference.service,
            &reference.user,
            &SecretString::from(value.to_owned()),
        )
    };
    let expected = print(match version {
        Version::Old => old,
        Version::New => new,
    });
    let held = store
        .read(&reference.user)
        .map(|value| fingerprint(&reference.service, &reference.user, &value));
    let new_value = held.as_deref() == Some(print(new).as_str());
    let what = match held {
        Some(held) if held == expected => return None,
        None => "nothing (the entry is missing)".to_owned(),
        Some(held) if held == print(old) => format!("fingerprint {held} (the old value)"),
        Some(held) if held == print(new) => format!("fingerprint {held} (the new value)"),
        Some(held) => format!("fingerprint {held} (neither version)"),
    };
    let why = format!(
        "{field}: the {version} file expects fingerprint {expected} in {}, which holds {what}",
        reference.user
    );
    Some((why, version == Version::Old && new_value))
}

/// Every name beside the config that [`ALLOWED_BESIDE_CONFIG`] does not allow.
fn files_beside(config: &Path) -> Vec<Leftover> {
    let name = config
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a config file name");
    let dir = config.parent().expect("the config's directory");
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|found| {
            !ALLOWED_BESIDE_CONFIG
                .iter()
                .any(|suffix| *found == format!("{name}{suffix}"))
        })
        .collect();
    found.sort();
    found.into_iter().map(Leftover::File).collect()
}

/// The draft entries `<config>.draft` names; none when there is no (readable) draft.
fn draft_entries_named(config: &Path) -> BTreeSet<String> {
    let mut path = config.as_os_str().to_owned();
    path.push(".draft");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return BTreeSet::new();
    };
    let Ok(snapshot) = serde_json::from_str::<Snapshot>(&text) else {
        return BTreeSet::new();
    };
    snapshot
        .integrations
        .iter()
        .flat_map(|integration| &integration.fields)
        .filter_map(|field| match field {
            DraftField::Secret {
                typed: Some(typed), ..
            } => Some(typed.user.clone()),
            _ => None,
        })
        .collect()
}
