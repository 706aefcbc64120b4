//! Writes a unit drop-in: `<unit_dir>/<unit>.d/<name>`, through a temporary file and a
//! rename, mode 0644 (it holds credential IDs, never a secret).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::CredsError;

pub fn write_drop_in(
    unit_dir: &Path,
    unit: &str,
    name: &str,
    text: &str,
) -> Result<PathBuf, CredsError> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let dir = unit_dir.join(format!("{unit}.d"));
    let disk = |action, path: &Path, e: std::io::Error| CredsError::Disk {
        action,
        path: path.to_owned(),
        why: e.kind().to_string(),
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(&dir)
        .map_err(|e| disk("create", &dir, e))?;
    let path = dir.join(name);
    let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o644)
        .open(&temp)
        .and_then(|mut file| {
            file.write_all(text.as_bytes())?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temp, &path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(disk("write", &path, e));
    }
    Ok(path)
}
