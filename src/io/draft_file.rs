//! The draft file beside the config (`<config path>.draft`): the non-secret answers of
//! an unsaved session, written atomically with mode 0600, so a dropped link loses
//! nothing typed. Secrets are never in it, only the names of their draft keyring entries.
//! The draft is the wizard's own: never read or written through a link, never one of
//! another user.

use std::fmt;
use std::path::{Path, PathBuf};

use super::config_file;
use super::file_safety::{self, FileError, UnsafePlace};
use crate::config::draft::{DRAFT_VERSION, Snapshot};

/// Why a draft cannot be used; each says what to do.
#[derive(Debug)]
pub enum DraftError {
    /// Refused (a link, another user's, a shared directory) or unreadable.
    File(FileError),
    /// Not JSON of a draft.
    Damaged { path: PathBuf, detail: String },
    /// Written by a wfm-wizard with another draft format.
    OtherFormat { path: PathBuf, version: u32 },
}

impl fmt::Display for DraftError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(e) => e.fmt(f),
            Self::Damaged { path, detail } => write!(
                f,
                "{}: not a wfm-wizard draft ({detail}); remove it to start afresh",
                path.display()
            ),
            Self::OtherFormat { path, version } => write!(
                f,
                "{}: a draft of format {version} (this wfm-wizard reads {DRAFT_VERSION}); \
                 finish it with the wfm-wizard that wrote it, or remove it to start afresh",
                path.display()
            ),
        }
    }
}

impl std::error::Error for DraftError {}

/// `/etc/wfm-wizard/integrations.yaml` → `/etc/wfm-wizard/integrations.yaml.draft`.
pub fn path_for(config: &Path) -> PathBuf {
    let mut name = config.as_os_str().to_owned();
    name.push(".draft");
    PathBuf::from(name)
}

/// The draft saved for `config`, `None` when there is none. A draft that cannot be
/// read or trusted is an error naming the file, so the operator can remove it.
pub fn read(config: &Path) -> Result<Option<Snapshot>, DraftError> {
    let path = path_for(config);
    let Some(text) = config_file::read_no_follow(&path).map_err(DraftError::File)? else {
        return Ok(None);
    };
    let snapshot: Snapshot = serde_json::from_str(&text).map_err(|e| DraftError::Damaged {
        path: path.clone(),
        detail: e.to_string(),
    })?;
    if !(1..=DRAFT_VERSION).contains(&snapshot.version) {
        return Err(DraftError::OtherFormat {
            path,
            version: snapshot.version,
        });
    }
    Ok(Some(snapshot))
}

/// Replaces the draft for `config` atomically; the file is mode 0600.
pub fn write(config: &Path, snapshot: &Snapshot) -> Result<(), FileError> {
    let path = path_for(config);
    let mut text = serde_json::to_string_pretty(snapshot).map_err(|e| FileError::Io {
        action: "write",
        path: path.clone(),
        source: e.into(),
    })?;
    text.push('\n');
    file_safety::create_private_dir(file_safety::parent_of(&path))?;
    file_safety::write_private_atomic(&path, text.as_bytes())
}

/// Removes the draft for `config`; no draft is not an error. A link, or a file another
/// user placed, is refused and left alone.
pub fn remove(config: &Path) -> Result<(), FileError> {
    let path = path_for(config);
    file_safety::check_target(&path)?;
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(UnsafePlace::Symlink { path }.into());
        }
        _ => {}
    }
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(FileError::io("remove", &path)(e))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::draft::Snapshot;

    fn snapshot() -> Snapshot {
        let mut w = crate::test_support::wizard();
        w.update(crate::wizard::Msg::Act(crate::wizard::Action::Enter));
        w.snapshot()
    }

    #[test]
    fn the_draft_sits_beside_the_config() {
        assert_eq!(
            path_for(Path::new("/etc/wfm-wizard/integrations.yaml")),
            Path::new("/etc/wfm-wizard/integrations.yaml.draft")
        );
    }

    #[test]
    fn a_draft_is_written_private_read_back_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("sub/integrations.yaml");
        assert_eq!(read(&config).unwrap(), None);
        let saved = snapshot();
        write(&config, &saved).unwrap();
        assert_eq!(read(&config).unwrap(), Some(saved.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let draft = path_for(&config);
            std::fs::set_permissions(&draft, std::fs::Permissions::from_mode(0o644)).unwrap();
            write(&config, &saved).unwrap();
            let mode = std::fs::metadata(&draft).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["integrations.yaml.draft"], "no temporary file left");
        remove(&config).unwrap();
        remove(&config).unwrap();
        assert_eq!(read(&config).unwrap(), None);
    }

    #[test]
    fn a_damaged_draft_is_refused_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        std::fs::write(path_for(&config), "{ half").unwrap();
        let why = read(&config).unwrap_err().to_string();
        assert!(
            why.contains("integrations.yaml.draft") && why.contains("remove it"),
            "{why}"
        );
        let mut newer = snapshot();
        newer.version = DRAFT_VERSION + 1;
        write(&config, &newer).unwrap();
        let why = read(&config).unwrap_err().to_string();
        assert!(
            why.contains(&format!("format {}", DRAFT_VERSION + 1)) && why.contains("remove it"),
            "{why}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_draft_that_is_a_link_is_neither_read_nor_written_nor_removed() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let elsewhere = dir.path().join("elsewhere");
        let saved = snapshot();
        std::fs::write(&elsewhere, serde_json::to_string(&saved).unwrap()).unwrap();
        std::os::unix::fs::symlink(&elsewhere, path_for(&config)).unwrap();
        let is_link_refusal = |e: &FileError| matches!(e, FileError::Unsafe(UnsafePlace::Symlink { path }) if *path == path_for(&config));
        match read(&config) {
            Err(DraftError::File(e)) => assert!(is_link_refusal(&e), "{e}"),
            other => panic!("read through a link: {other:?}"),
        }
        assert!(is_link_refusal(&write(&config, &saved).unwrap_err()));
        assert!(is_link_refusal(&remove(&config).unwrap_err()));
        assert!(
            std::fs::symlink_metadata(path_for(&config))
                .unwrap()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read_to_string(&elsewhere).unwrap(),
            serde_json::to_string(&saved).unwrap()
        );
    }
}
