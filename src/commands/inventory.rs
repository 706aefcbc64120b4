//! What `status` and `prune` report, worked out without touching a store: the
//! references of a document, what the stores answered, and how to say it.

use std::collections::BTreeSet;

use crate::config::{Document, Setting};
use crate::secret::{SecretRef, StoreKind, is_draft_entry, namespace_of};

pub use crate::secret::fingerprint;

/// What reading one referenced secret gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Presence {
    Present {
        fingerprint: String,
    },
    /// Present, but the value breaks its field's rule (an expired JWT): `why` says
    /// which, in words that never quote the value.
    Invalid {
        fingerprint: String,
        why: String,
    },
    Missing,
    Unreadable(String),
}

/// One secret field of one integration, as `status` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretLine {
    pub key: String,
    pub reference: SecretRef,
    pub presence: Presence,
}

/// Every secret reference of `document`, with `(integration index, key)`.
pub fn references(document: &Document) -> Vec<(usize, String, SecretRef)> {
    let mut out = Vec::new();
    for (index, integration) in document.integrations.iter().enumerate() {
        for (key, setting) in &integration.settings.0 {
            if let Setting::Secret(reference) = setting {
                out.push((index, key.clone(), reference.clone()));
            }
        }
    }
    out
}

/// Entries under the service that no reference names, split into orphans and the
/// entries a live draft names. Only the config's own namespace is looked at: entries of
/// other configs and the shared names of version-1 files are only counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unreferenced {
    pub orphans: Vec<(StoreKind, String)>,
    pub drafts: Vec<(StoreKind, String)>,
    /// Entries outside this config's namespace, left alone.
    pub others: usize,
}

/// `namespace`: the one this file owns (`None`: it owns none yet, so nothing is its
/// orphan). `draft_entries`: the entries the draft file names.
pub fn unreferenced(
    document: Option<&Document>,
    namespace: Option<&str>,
    listed: &[(StoreKind, String)],
    draft_entries: &[SecretRef],
) -> Unreferenced {
    let refs = document.map(references).unwrap_or_default();
    let referenced: BTreeSet<(StoreKind, &str)> = refs
        .iter()
        .map(|(_, _, r)| (r.store, r.user.as_str()))
        .collect();
    let drafted: BTreeSet<(StoreKind, &str)> = draft_entries
        .iter()
        .map(|r| (r.store, r.user.as_str()))
        .collect();
    let mut out = Unreferenced::default();
    for (kind, user) in listed {
        let key = (*kind, user.as_str());
        if namespace.is_none() || namespace_of(user) != namespace {
            out.others += 1;
        } else if !referenced.contains(&key) {
            if is_draft_entry(user) && drafted.contains(&key) {
                out.drafts.push((*kind, user.clone()));
            } else {
                out.orphans.push((*kind, user.clone()));
            }
        }
    }
    out
}

/// What to do about a missing secret, by its store.
pub fn missing_advice(kind: StoreKind) -> String {
    let why = if kind.survives_reboot() {
        "it was removed from the store"
    } else {
        "the kernel keyring forgets its keys at reboot and after 3 idle days"
    };
    format!("MISSING ({why}); run wfm-wizard and type it again")
}

/// The text of `status` for one integration's secrets, one line each.
pub fn secret_lines(lines: &[SecretLine]) -> Vec<String> {
    let width = lines.iter().map(|l| l.key.len()).max().unwrap_or(0);
    lines
        .iter()
        .map(|l| {
            let state = match &l.presence {
                Presence::Present { fingerprint } => format!("present  fingerprint {fingerprint}"),
                Presence::Invalid { fingerprint, why } => {
                    format!("INVALID  fingerprint {fingerprint}: {why}")
                }
                Presence::Missing => missing_advice(l.reference.store),
                Presence::Unreadable(why) => format!("UNREADABLE: {why}"),
            };
            format!(
                "    {:width$}  {:14}  {state}",
                l.key,
                l.reference.store.as_str()
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::loaded_document;

    #[test]
    fn only_this_configs_namespace_is_looked_at_and_a_live_draft_keeps_its_entries() {
        const OURS: &str = "0123456789ab";
        let mut document = loaded_document(StoreKind::Keyutils, true);
        document.namespace = Some(OURS.into());
        for (_, setting) in &mut document.integrations[0].settings.0 {
            if let crate::config::Setting::Secret(r) = setting {
                r.user = r.user.replace(crate::wizard::UNASSIGNED_NAMESPACE, OURS);
            }
        }
        let entry = |kind, user: &str| (kind, user.to_owned());
        let listed = vec![
            entry(
                StoreKind::Keyutils,
                "0123456789ab/ringcentral-v1/historical/default/jwt",
            ),
            entry(
                StoreKind::SecretService,
                "0123456789ab/ringcentral-v1/historical/default/jwt",
            ),
            entry(
                StoreKind::Keyutils,
                "0123456789ab/ringcentral-v1/historical/old/jwt",
            ),
            entry(
                StoreKind::Keyutils,
                "0123456789ab/draft/ringcentral-v1/historical/x/jwt",
            ),
            entry(
                StoreKind::Keyutils,
                "0123456789ab/draft/ringcentral-v1/historical/y/jwt",
            ),
            entry(
                StoreKind::Keyutils,
                "ba9876543210/ringcentral-v1/historical/default/jwt",
            ),
            entry(StoreKind::Keyutils, "ringcentral-v1/historical/default/jwt"),
            entry(
                StoreKind::Keyutils,
                "draft/ringcentral-v1/historical/default/jwt",
            ),
        ];
        let live_draft = [SecretRef {
            store: StoreKind::Keyutils,
            service: "wfm-wizard".into(),
            user: "0123456789ab/draft/ringcentral-v1/historical/x/jwt".into(),
        }];
        let found = unreferenced(Some(&document), Some(OURS), &listed, &live_draft);
        assert_eq!(
            found.orphans,
            [
                listed[1].clone(), // the same name in another store than the file names
                listed[2].clone(),
                listed[4].clone(), // a draft entry no draft names
            ]
        );
        assert_eq!(found.drafts, [listed[3].clone()]);
        assert_eq!(
            found.others, 3,
            "another config's and version-1 names are left alone"
        );
        let owns_none = unreferenced(Some(&document), None, &listed, &[]);
        assert!(owns_none.orphans.is_empty() && owns_none.drafts.is_empty());
        assert_eq!(owns_none.others, listed.len());
    }

    #[test]
    fn a_missing_kernel_key_says_why_and_what_to_do() {
        let lines = secret_lines(&[SecretLine {
            key: "jwt".into(),
            reference: SecretRef {
                store: StoreKind::Keyutils,
                service: "wfm-wizard".into(),
                user: "u".into(),
            },
            presence: Presence::Missing,
        }]);
        assert!(lines[0].contains("MISSING"), "{lines:?}");
        assert!(lines[0].contains("reboot"), "{lines:?}");
        assert!(lines[0].contains("run wfm-wizard"), "{lines:?}");
    }
}
