//! Which keyring namespace a config file owns, decided from what the file records and
//! where it is found. Pure: the caller reads the disk and draws the random namespace.

/// The namespace a session writes under, and the real path recorded at save.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub namespace: String,
    pub path: String,
    /// Why this file does not (yet) own the namespace it records, for `status` and
    /// Review; `None` when it does.
    pub note: Option<Ownership>,
}

/// How a file stands to the namespace it records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ownership {
    /// Written before namespaces: its entries use the shared version-1 names.
    Legacy,
    /// No file yet.
    New,
    /// A copy of the file at `original`, which still records the same namespace: the
    /// entries are the original's; this file gets its own namespace at its next save.
    CopyOf { original: String, namespace: String },
    /// Moved from `from` (nothing records the namespace there any more): it keeps the
    /// namespace and records its new place at the next save.
    MovedFrom { from: String },
}

/// What the file at a recorded path holds now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtRecordedPath {
    /// The same file as this one (a hard link, or the path itself).
    ThisFile,
    /// Another file that records this namespace.
    SameNamespace,
    /// No file, or one that records another namespace (or cannot be read).
    Other,
}

/// Decides the identity of a config found at `real_path` that records `recorded`
/// (namespace, path). `fresh` is the namespace the file takes when it has none it may
/// keep (derived from its path: see `io::namespace::pending_for`). `at_recorded` says what is at the recorded path.
pub fn decide(
    real_path: &str,
    recorded: Option<(&str, Option<&str>)>,
    exists: bool,
    at_recorded: AtRecordedPath,
    fresh: String,
) -> Identity {
    let path = real_path.to_owned();
    let Some((namespace, recorded_path)) = recorded else {
        let note = if exists {
            Ownership::Legacy
        } else {
            Ownership::New
        };
        return Identity {
            namespace: fresh,
            path,
            note: Some(note),
        };
    };
    let Some(recorded_path) = recorded_path.filter(|p| *p != real_path) else {
        return Identity {
            namespace: namespace.to_owned(),
            path,
            note: None,
        };
    };
    match at_recorded {
        AtRecordedPath::ThisFile => Identity {
            namespace: namespace.to_owned(),
            path,
            note: None,
        },
        AtRecordedPath::SameNamespace => Identity {
            namespace: fresh,
            path,
            note: Some(Ownership::CopyOf {
                original: recorded_path.to_owned(),
                namespace: namespace.to_owned(),
            }),
        },
        AtRecordedPath::Other => Identity {
            namespace: namespace.to_owned(),
            path,
            note: Some(Ownership::MovedFrom {
                from: recorded_path.to_owned(),
            }),
        },
    }
}

impl Identity {
    /// Whether this file owns the entries of the namespace it records now, so that
    /// `prune` may remove that namespace's orphans.
    pub fn owns_recorded_namespace(&self) -> bool {
        matches!(self.note, None | Some(Ownership::MovedFrom { .. }))
    }

    /// A fixed identity for tests and for views that never save.
    pub fn fixed(namespace: &str, path: &str) -> Identity {
        Identity {
            namespace: namespace.to_owned(),
            path: path.to_owned(),
            note: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = "0123456789ab";
    const FRESH: &str = "fedcba987654";

    fn decide_at(recorded: Option<(&str, Option<&str>)>, at: AtRecordedPath) -> Identity {
        decide("/etc/b.yaml", recorded, true, at, FRESH.into())
    }

    #[test]
    fn a_file_where_it_was_saved_keeps_its_namespace() {
        let id = decide_at(Some((NS, Some("/etc/b.yaml"))), AtRecordedPath::Other);
        assert_eq!((id.namespace.as_str(), id.note), (NS, None));
    }

    #[test]
    fn a_copy_whose_original_still_records_the_namespace_gets_a_fresh_one() {
        let id = decide_at(
            Some((NS, Some("/etc/a.yaml"))),
            AtRecordedPath::SameNamespace,
        );
        assert_eq!(id.namespace, FRESH);
        assert!(
            matches!(id.note, Some(Ownership::CopyOf { ref original, .. }) if original == "/etc/a.yaml")
        );
        assert!(!id.owns_recorded_namespace());
    }

    #[test]
    fn a_moved_file_and_a_hard_link_keep_the_namespace() {
        let moved = decide_at(Some((NS, Some("/etc/a.yaml"))), AtRecordedPath::Other);
        assert_eq!(moved.namespace, NS);
        assert!(moved.owns_recorded_namespace());
        let linked = decide_at(Some((NS, Some("/etc/a.yaml"))), AtRecordedPath::ThisFile);
        assert_eq!((linked.namespace.as_str(), linked.note), (NS, None));
    }

    #[test]
    fn a_version_1_file_and_a_new_one_draw_a_namespace() {
        let legacy = decide_at(None, AtRecordedPath::Other);
        assert_eq!(legacy.namespace, FRESH);
        assert_eq!(legacy.note, Some(Ownership::Legacy));
        let new = decide(
            "/etc/b.yaml",
            None,
            false,
            AtRecordedPath::Other,
            FRESH.into(),
        );
        assert_eq!(new.note, Some(Ownership::New));
    }
}
