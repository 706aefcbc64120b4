//! Draws namespaces and looks at the disk to decide which one a config file owns.

use std::path::Path;

use crate::config::Document;
use crate::identity::{AtRecordedPath, Identity, decide};
use crate::secret::NAMESPACE_LEN;

/// The namespace a config at `real_path` takes when it records none of its own yet (a
/// new file, a version-1 file, a copy): derived from the path, so every session on
/// that file (and a start that tidies after a dead one) agrees on it until the first
/// save records it. Files at two paths never share one.
pub fn pending_for(real_path: &Path) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(b"wfm-wizard namespace v1\0");
    hash.update(real_path.as_os_str().as_encoded_bytes());
    crate::secret::to_hex(&hash.finalize()[..NAMESPACE_LEN / 2])
}

/// The identity of the config at `real_path` (symlinks already resolved), loaded as
/// `document` (`None`: no file yet).
pub fn identify(real_path: &Path, document: Option<&Document>) -> Identity {
    let recorded = document.and_then(|d| {
        d.namespace
            .as_deref()
            .map(|namespace| (namespace, d.path.as_deref()))
    });
    let at_recorded = recorded
        .and_then(|(namespace, path)| path.map(|p| look_at(real_path, Path::new(p), namespace)))
        .unwrap_or(AtRecordedPath::Other);
    decide(
        &real_path.display().to_string(),
        recorded,
        document.is_some(),
        at_recorded,
        pending_for(real_path),
    )
}

fn look_at(real_path: &Path, recorded: &Path, namespace: &str) -> AtRecordedPath {
    if same_file(real_path, recorded) {
        return AtRecordedPath::ThisFile;
    }
    let Ok(Some(text)) = super::config_file::read(recorded) else {
        return AtRecordedPath::Other;
    };
    match crate::config::parse_yaml::<NamespaceProbe>(&text) {
        Ok(NamespaceProbe {
            namespace: Some(theirs),
        }) if theirs == namespace => AtRecordedPath::SameNamespace,
        _ => AtRecordedPath::Other,
    }
}

#[derive(serde::Deserialize)]
struct NamespaceProbe {
    namespace: Option<String>,
}

#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(a: &Path, b: &Path) -> bool {
    std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Ownership;
    use crate::secret::is_namespace;

    fn document(namespace: &str, path: &Path) -> Document {
        Document {
            version: 2,
            namespace: Some(namespace.into()),
            path: Some(path.display().to_string()),
            ..Document::default()
        }
    }

    #[test]
    fn a_pending_namespace_has_the_form_is_stable_per_path_and_differs_between_paths() {
        let a = pending_for(Path::new("/etc/wfm-wizard/integrations.yaml"));
        let b = pending_for(Path::new("/etc/wfm-wizard/site-b.yaml"));
        assert!(is_namespace(&a) && is_namespace(&b), "{a} {b}");
        assert_eq!(
            a,
            pending_for(Path::new("/etc/wfm-wizard/integrations.yaml"))
        );
        assert_ne!(a, b);
    }

    #[test]
    fn a_copy_made_with_cp_is_told_from_a_move() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.yaml");
        let b = dir.path().join("b.yaml");
        let doc = document("0123456789ab", &a);
        let text = crate::config::render_document(&doc).unwrap();
        std::fs::write(&a, &text).unwrap();
        std::fs::write(&b, &text).unwrap();
        let copy = identify(&b, Some(&doc));
        assert!(
            matches!(copy.note, Some(Ownership::CopyOf { .. })),
            "{copy:?}"
        );
        assert_ne!(copy.namespace, "0123456789ab");
        assert_eq!(identify(&a, Some(&doc)).note, None);
        std::fs::remove_file(&a).unwrap();
        let moved = identify(&b, Some(&doc));
        assert_eq!(moved.namespace, "0123456789ab");
        assert!(matches!(moved.note, Some(Ownership::MovedFrom { .. })));
    }
}
