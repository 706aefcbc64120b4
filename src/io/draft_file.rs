//! The draft file beside the config (`<config path>.draft`): the non-secret answers of
//! an unsaved session, written atomically with mode 0600, so a dropped link loses
//! nothing typed. Secrets are never in it, only the names of their draft keyring entries.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::config_file;
use crate::wizard::{DRAFT_VERSION, Snapshot};

/// `/etc/wfm-wizard/integrations.yaml` → `/etc/wfm-wizard/integrations.yaml.draft`.
pub fn path_for(config: &Path) -> PathBuf {
    let mut name = config.as_os_str().to_owned();
    name.push(".draft");
    PathBuf::from(name)
}

/// The draft saved for `config`, `None` when there is none. A draft that cannot be
/// read is an error naming the file, so the operator can remove it.
pub fn read(config: &Path) -> Result<Option<Snapshot>, String> {
    let path = path_for(config);
    let Some(text) = config_file::read(&path).map_err(|e| format!("{}: {e}", path.display()))?
    else {
        return Ok(None);
    };
    let snapshot: Snapshot = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: not a wfm-wizard draft ({e}); remove it to start afresh",
            path.display()
        )
    })?;
    if !(1..=DRAFT_VERSION).contains(&snapshot.version) {
        return Err(format!(
            "{}: a draft of format {} (this wfm-wizard reads {DRAFT_VERSION}); finish it with the \
             wfm-wizard that wrote it, or remove it to start afresh",
            path.display(),
            snapshot.version
        ));
    }
    Ok(Some(snapshot))
}

/// Replaces the draft for `config` atomically; the file is mode 0600.
pub fn write(config: &Path, snapshot: &Snapshot) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(snapshot)?;
    let mut options = atomic_write_file::AtomicWriteFile::options();
    #[cfg(unix)]
    {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        // An existing draft's mode is not kept: a draft is always private.
        atomic_write_file::unix::OpenOptionsExt::preserve_mode(&mut options, false);
    }
    if let Some(dir) = config.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
    }
    let mut file = options.open(path_for(config))?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.commit()
}

/// Removes the draft for `config`; no draft is not an error.
pub fn remove(config: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path_for(config)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wizard::Snapshot;

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
        let why = read(&config).unwrap_err();
        assert!(
            why.contains("integrations.yaml.draft") && why.contains("remove it"),
            "{why}"
        );
        let mut newer = snapshot();
        newer.version = DRAFT_VERSION + 1;
        write(&config, &newer).unwrap();
        let why = read(&config).unwrap_err();
        assert!(
            why.contains(&format!("format {}", DRAFT_VERSION + 1)) && why.contains("remove it"),
            "{why}"
        );
    }
}
