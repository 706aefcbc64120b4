//! Where the config really is: the path with every symbolic link resolved, one hop at
//! a time so that each link can be checked before it is followed.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use crate::io::file_safety::FileError;

/// The same limit as Linux's: more hops than this is a loop.
const MAX_LINKS: usize = 40;

/// The config's real location: links resolved (a chain too); when the file does not
/// exist yet, its directory resolved plus the file name. Sidecar files (draft, lock,
/// journal, history) belong beside this path.
pub fn real_path(path: &Path) -> std::io::Result<PathBuf> {
    resolve(path, &mut |_| Ok(())).map_err(|e| match e {
        FileError::Io { source, .. } => source,
        FileError::Unsafe(place) => std::io::Error::other(place),
    })
}

/// As [`real_path`], calling `check_link` on each link before following it.
pub(super) fn resolve(
    path: &Path,
    check_link: &mut dyn FnMut(&Path) -> Result<(), FileError>,
) -> Result<PathBuf, FileError> {
    let absolute =
        std::path::absolute(path).map_err(FileError::io("find the absolute path of", path))?;
    let mut resolved = PathBuf::new();
    // Still to walk, last component first.
    let mut pending: Vec<OsString> = Vec::new();
    push_components(&absolute, &mut resolved, &mut pending);
    let mut links = 0;
    while let Some(part) = pending.pop() {
        if part == ".." {
            resolved.pop();
            continue;
        }
        let candidate = resolved.join(&part);
        match std::fs::symlink_metadata(&candidate) {
            Ok(meta) if meta.file_type().is_symlink() => {
                links += 1;
                if links > MAX_LINKS {
                    return Err(FileError::Io {
                        action: "resolve the links of",
                        path: path.to_path_buf(),
                        source: std::io::Error::other("more than 40 symbolic links (a loop?)"),
                    });
                }
                check_link(&candidate)?;
                let target = std::fs::read_link(&candidate)
                    .map_err(FileError::io("read the link", &candidate))?;
                push_components(&target, &mut resolved, &mut pending);
            }
            // Not a link, or not there (yet): taken as it is.
            _ => resolved = candidate,
        }
    }
    Ok(resolved)
}

/// Queues `path`'s components to be walked before the rest; an absolute path starts
/// again from its root.
fn push_components(path: &Path, resolved: &mut PathBuf, pending: &mut Vec<OsString>) {
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            Component::Prefix(prefix) => *resolved = PathBuf::from(prefix.as_os_str()),
            // Pushing a root keeps only the prefix (if any): back to the top.
            Component::RootDir => resolved.push(component.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => parts.push(OsString::from("..")),
            Component::Normal(name) => parts.push(name.to_owned()),
        }
    }
    pending.extend(parts.into_iter().rev());
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_are_resolved_in_the_name_and_in_the_directories() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir(root.join("real")).unwrap();
        std::fs::write(root.join("real/target.yaml"), "x").unwrap();
        symlink("real/target.yaml", root.join("first")).unwrap();
        symlink(root.join("first"), root.join("second")).unwrap();
        symlink("real", root.join("dirlink")).unwrap();
        let target = root.join("real/target.yaml");
        assert_eq!(real_path(&root.join("second")).unwrap(), target);
        assert_eq!(
            real_path(&root.join("dirlink/target.yaml")).unwrap(),
            target
        );
        assert_eq!(
            real_path(&root.join("dirlink/../real/./new.yaml")).unwrap(),
            root.join("real/new.yaml")
        );
        assert_eq!(
            real_path(&root.join("dirlink/new.yaml")).unwrap(),
            root.join("real/new.yaml")
        );
    }

    #[test]
    fn every_link_is_checked_and_a_loop_ends() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        symlink("b", root.join("a")).unwrap();
        symlink("c", root.join("b")).unwrap();
        let mut seen = Vec::new();
        let resolved = resolve(&root.join("a"), &mut |link| {
            seen.push(link.to_path_buf());
            Ok(())
        })
        .unwrap();
        assert_eq!(resolved, root.join("c"));
        assert_eq!(seen, [root.join("a"), root.join("b")]);
        symlink("loop", root.join("loop")).unwrap();
        assert!(real_path(&root.join("loop")).is_err());
    }
}
