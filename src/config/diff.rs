//! What changes between two documents, said without secrets: Review's "Changes"
//! section and the audit trail's records are both made of these.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Document, Integration, Setting};
use crate::safe_text::escape;
use crate::secret::SecretRef;

/// Text values longer than this are cut when shown: a change line stays a line.
const MAX_SHOWN_CHARS: usize = 60;

/// One difference between the file on disk and the file a save writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    IntegrationAdded {
        label: String,
    },
    IntegrationRemoved {
        label: String,
    },
    /// The Group changed: keyring entries move with it.
    GroupRenamed {
        from: String,
        to: String,
    },
    /// A text setting; `None` where the setting is absent.
    TextChanged {
        label: String,
        field: String,
        from: Option<String>,
        to: Option<String>,
    },
    StatusChanged {
        label: String,
        enabled: bool,
    },
    /// This save writes a new value into `entry`. The value is never here; the
    /// fingerprint is, once the caller knows it.
    SecretNewValue {
        label: String,
        field: String,
        entry: SecretRef,
        fingerprint: Option<String>,
    },
    /// The same value, now under another entry (or another store).
    SecretMoved {
        label: String,
        field: String,
        from: Option<SecretRef>,
        to: SecretRef,
    },
    SecretRemoved {
        label: String,
        field: String,
        entry: SecretRef,
    },
    /// The file was put back as it was at this revision.
    RolledBack {
        revision: u64,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::IntegrationAdded { label } => write!(f, "{}: added", escape(label)),
            Change::IntegrationRemoved { label } => write!(f, "{}: removed", escape(label)),
            Change::GroupRenamed { from, to } => {
                write!(f, "{}: group renamed to {}", escape(from), escape(to))
            }
            Change::TextChanged {
                label,
                field,
                from,
                to,
            } => write!(
                f,
                "{}: {} {} -> {}",
                escape(label),
                escape(field),
                shown(from.as_deref()),
                shown(to.as_deref())
            ),
            Change::StatusChanged { label, enabled } => write!(
                f,
                "{}: Status {}",
                escape(label),
                if *enabled { "off -> on" } else { "on -> off" }
            ),
            Change::SecretNewValue {
                label,
                field,
                fingerprint,
                ..
            } => {
                write!(f, "{}: {} new value", escape(label), escape(field))?;
                match fingerprint {
                    Some(fingerprint) => write!(f, " (fingerprint {})", escape(fingerprint)),
                    None => Ok(()),
                }
            }
            Change::SecretMoved {
                label,
                field,
                from,
                to,
            } => {
                write!(f, "{}: {} ", escape(label), escape(field))?;
                match from {
                    Some(from) => {
                        write!(f, "moved from {} {} to ", from.store, escape(&from.user))?;
                    }
                    None => f.write_str("now refers to ")?,
                }
                write!(f, "{} {}", to.store, escape(&to.user))
            }
            Change::SecretRemoved {
                label,
                field,
                entry,
            } => write!(
                f,
                "{}: {} removed (was {} {})",
                escape(label),
                escape(field),
                entry.store,
                escape(&entry.user)
            ),
            Change::RolledBack { revision } => write!(f, "rolled back to revision {revision}"),
        }
    }
}

/// A quoted, escaped and (when long) shortened text value, or `(none)`.
fn shown(value: Option<&str>) -> String {
    let Some(value) = value else {
        return "(none)".to_owned();
    };
    let count = value.chars().count();
    if count <= MAX_SHOWN_CHARS {
        return format!("\"{}\"", escape(value));
    }
    let head: String = value.chars().take(MAX_SHOWN_CHARS).collect();
    format!("\"{}...\" ({count} chars)", escape(&head))
}

/// How many changes of each kind: the one-line summary `history` prints.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChangeCounts {
    pub added: usize,
    pub removed: usize,
    pub fields: usize,
    pub new_secrets: usize,
    pub moved_secrets: usize,
    pub removed_secrets: usize,
    pub rolled_back_to: Option<u64>,
}

impl ChangeCounts {
    pub fn of(changes: &[Change]) -> ChangeCounts {
        let mut counts = ChangeCounts::default();
        for change in changes {
            match change {
                Change::IntegrationAdded { .. } => counts.added += 1,
                Change::IntegrationRemoved { .. } => counts.removed += 1,
                Change::GroupRenamed { .. }
                | Change::TextChanged { .. }
                | Change::StatusChanged { .. } => counts.fields += 1,
                Change::SecretNewValue { .. } => counts.new_secrets += 1,
                Change::SecretMoved { .. } => counts.moved_secrets += 1,
                Change::SecretRemoved { .. } => counts.removed_secrets += 1,
                Change::RolledBack { revision } => counts.rolled_back_to = Some(*revision),
            }
        }
        counts
    }
}

impl fmt::Display for ChangeCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize, one: &str, many: &str| {
            (n > 0).then(|| format!("{n} {}", if n == 1 { one } else { many }))
        };
        let parts: Vec<String> = [
            self.rolled_back_to
                .map(|r| format!("rolled back to revision {r}")),
            plural(self.added, "integration", "integrations").map(|s| format!("+{s}")),
            plural(self.removed, "integration", "integrations").map(|s| format!("-{s}")),
            plural(self.fields, "field changed", "fields changed"),
            plural(self.new_secrets, "new secret", "new secrets"),
            plural(self.moved_secrets, "secret moved", "secrets moved"),
            plural(self.removed_secrets, "secret removed", "secrets removed"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            f.write_str("no changes")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// `historical/east`: the operation and the group (or `default`), without the catalog.
pub fn label(integration: &Integration) -> String {
    let group = integration
        .group
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .unwrap_or("default");
    format!("{}/{group}", integration.operation)
}

/// The changes from `old` (the file on disk; `None` when there is none) to `new`.
///
/// `successor[i]` is the index in `new` of `old`'s integration `i` (`None`: deleted);
/// without it, integrations are matched by platform, operation and group, so a
/// renamed group reads as one removed and one added. `rewritten` are the entries
/// whose value this save writes. Reordering alone is no change.
pub fn diff(
    old: Option<&Document>,
    new: &Document,
    successor: Option<&[Option<usize>]>,
    rewritten: &[SecretRef],
) -> Vec<Change> {
    let old_integrations = old.map_or(&[][..], |d| d.integrations.as_slice());
    let predecessor = match successor {
        Some(successor) => from_successor(successor, old_integrations.len(), new),
        None => by_identity(old_integrations, new),
    };
    let mut matched_old = vec![false; old_integrations.len()];
    let mut changes = Vec::new();
    for (index, integration) in new.integrations.iter().enumerate() {
        let before = predecessor.get(&index).copied();
        if let Some(before) = before {
            matched_old[before] = true;
        }
        integration_changes(
            before.map(|before| &old_integrations[before]),
            integration,
            rewritten,
            &mut changes,
        );
    }
    for (integration, matched) in old_integrations.iter().zip(matched_old) {
        if !matched {
            changes.push(Change::IntegrationRemoved {
                label: label(integration),
            });
        }
    }
    changes
}

/// The changes to one integration of the new document, `old` being what it was in
/// the old one (`None`: added); `rewritten` are the entries whose value the save writes.
pub fn integration_changes(
    old: Option<&Integration>,
    new: &Integration,
    rewritten: &[SecretRef],
    out: &mut Vec<Change>,
) {
    if let Some(old) = old {
        compare(old, new, rewritten, out);
        return;
    }
    let name = label(new);
    out.push(Change::IntegrationAdded {
        label: name.clone(),
    });
    // Its text is on Review already; its secrets are what the audit needs.
    let nothing = Integration {
        settings: super::Settings::default(),
        ..new.clone()
    };
    compare_settings(&name, &nothing, new, rewritten, false, out);
}

/// new index -> old index, from the caller's map; indices out of range and second
/// claims on one new integration are ignored.
fn from_successor(
    successor: &[Option<usize>],
    old_len: usize,
    new: &Document,
) -> BTreeMap<usize, usize> {
    let mut predecessor = BTreeMap::new();
    for (old_index, next) in successor.iter().enumerate().take(old_len) {
        if let Some(next) = *next
            && next < new.integrations.len()
        {
            predecessor.entry(next).or_insert(old_index);
        }
    }
    predecessor
}

/// new index -> old index, by (platform, operation, group).
fn by_identity(old: &[Integration], new: &Document) -> BTreeMap<usize, usize> {
    let mut by_key: BTreeMap<(&str, &str, Option<&str>), Vec<usize>> = BTreeMap::new();
    for (index, integration) in old.iter().enumerate().rev() {
        by_key.entry(identity(integration)).or_default().push(index);
    }
    let mut predecessor = BTreeMap::new();
    for (index, integration) in new.integrations.iter().enumerate() {
        if let Some(old_index) = by_key.get_mut(&identity(integration)).and_then(Vec::pop) {
            predecessor.insert(index, old_index);
        }
    }
    predecessor
}

fn identity(integration: &Integration) -> (&str, &str, Option<&str>) {
    (
        &integration.platform,
        &integration.operation,
        integration
            .group
            .as_deref()
            .map(str::trim)
            .filter(|g| !g.is_empty()),
    )
}

fn compare(old: &Integration, new: &Integration, rewritten: &[SecretRef], out: &mut Vec<Change>) {
    let name = label(new);
    if identity(old) != identity(new) {
        out.push(Change::GroupRenamed {
            from: label(old),
            to: name.clone(),
        });
    }
    if old.enabled != new.enabled {
        out.push(Change::StatusChanged {
            label: name.clone(),
            enabled: new.enabled,
        });
    }
    compare_settings(&name, old, new, rewritten, true, out);
}

/// Setting by setting, in `new`'s order, then the settings only `old` had.
fn compare_settings(
    name: &str,
    old: &Integration,
    new: &Integration,
    rewritten: &[SecretRef],
    with_text: bool,
    out: &mut Vec<Change>,
) {
    let old_only = old
        .settings
        .0
        .iter()
        .filter(|(key, _)| new.settings.get(key).is_none());
    let keys = new.settings.0.iter().chain(old_only).map(|(key, _)| key);
    for key in keys {
        let before = old.settings.get(key);
        let after = new.settings.get(key);
        let field = || key.clone();
        let text = |s: Option<&Setting>| match s {
            Some(Setting::Text(t)) => Some(t.clone()),
            _ => None,
        };
        let secret = |s: Option<&Setting>| match s {
            Some(Setting::Secret(r)) => Some(r.clone()),
            _ => None,
        };
        let (text_before, text_after) = (text(before), text(after));
        if with_text && text_before != text_after {
            out.push(Change::TextChanged {
                label: name.to_owned(),
                field: field(),
                from: text_before,
                to: text_after,
            });
        }
        match (secret(before), secret(after)) {
            (_, Some(entry)) if rewritten.contains(&entry) => out.push(Change::SecretNewValue {
                label: name.to_owned(),
                field: field(),
                entry,
                fingerprint: None,
            }),
            (from, Some(to)) if from.as_ref() != Some(&to) => out.push(Change::SecretMoved {
                label: name.to_owned(),
                field: field(),
                from,
                to,
            }),
            (Some(entry), None) => out.push(Change::SecretRemoved {
                label: name.to_owned(),
                field: field(),
                entry,
            }),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
