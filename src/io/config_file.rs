//! The YAML file on disk: where it lives, reading it with a size cap, writing it atomically.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::config::MAX_FILE_BYTES;

const FILE_NAME: &str = "integrations.yaml";

/// Root: `/etc/wfm-wizard/integrations.yaml`; others: `$XDG_CONFIG_HOME/wfm-wizard/...`.
pub fn default_path() -> PathBuf {
    if running_as_root() {
        return PathBuf::from("/etc/wfm-wizard").join(FILE_NAME);
    }
    let base = etcetera::base_strategy::choose_base_strategy().map_or_else(
        |_| PathBuf::from("."),
        |s| etcetera::BaseStrategy::config_dir(&s),
    );
    base.join("wfm-wizard").join(FILE_NAME)
}

#[cfg(unix)]
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's effective user.
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

#[cfg(not(unix))]
fn running_as_root() -> bool {
    false
}

/// The file's text, or `None` when there is no file yet. Refuses files over the cap
/// without reading them whole.
pub fn read(path: &Path) -> Result<Option<String>, String> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot open it: {e}")),
    };
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err("it is a directory, not a file".into());
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "it is larger than {MAX_FILE_BYTES} bytes (8 MiB); this is not a wfm-wizard file"
        ));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| "it is not UTF-8 text, so not YAML".into())
}

/// Writes `text` so that readers see the old file or the new one, never a mix. A new
/// file is mode 0600; an existing file keeps its mode and, where allowed, its owner.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    let mut options = atomic_write_file::AtomicWriteFile::options();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.commit()
}

/// Where the config really is: symlinks resolved (for a file not there yet, its
/// directory). Sidecar files (draft, lock, journal, history) live beside this path, so
/// every name of one file shares them. Falls back to `path` when nothing resolves.
pub fn real_path(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) if !dir.as_os_str().is_empty() => {
            std::fs::canonicalize(dir).map_or_else(|_| path.to_owned(), |dir| dir.join(name))
        }
        _ => path.to_owned(),
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_new_file_is_private_and_an_existing_mode_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/integrations.yaml");
        write_atomic(&path, "version: 1\n").unwrap();
        assert_eq!(read(&path).unwrap().as_deref(), Some("version: 1\n"));
        #[cfg(unix)]
        {
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
            write_atomic(&path, "version: 1\nintegrations: []\n").unwrap();
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o640
            );
        }
    }

    #[test]
    fn a_missing_file_reads_as_none_and_an_oversized_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(&dir.path().join("nope.yaml")).unwrap(), None);
        let big = dir.path().join("big.yaml");
        std::fs::write(&big, "#".repeat(MAX_FILE_BYTES + 1)).unwrap();
        assert!(read(&big).unwrap_err().contains("larger than"));
        assert!(read(dir.path()).unwrap_err().contains("directory"));
    }

    #[test]
    fn a_write_that_cannot_happen_fails_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("not-a-dir");
        std::fs::write(&blocker, "x").unwrap();
        assert!(write_atomic(&blocker.join("integrations.yaml"), "version: 1\n").is_err());
        assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "x");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
