//! Whether `auto` may choose systemd credentials: as root, with systemd-creds of
//! systemd 250 or later, a machine-id, and a host key kept on a persistent disk (a key
//! on tmpfs is gone at reboot, and every credential with it).

use std::path::{Path, PathBuf};

use super::Settings;

/// Why systemd credentials cannot be used here, in plain words starting in lower case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotUsable {
    NotRoot,
    NoTool(String),
    TooOld(u32),
    NoMachineId,
    VolatileKey(PathBuf),
}

impl std::fmt::Display for NotUsable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotUsable::NotRoot => f.write_str(
                "wfm-wizard is not running as root, and on systemd before 256 only root can \
                 encrypt systemd credentials; secrets that the product's service must read \
                 after a reboot need `sudo wfm-wizard`",
            ),
            NotUsable::NoTool(why) => write!(
                f,
                "systemd-creds could not be run ({why}); it comes with systemd 250 or later"
            ),
            NotUsable::TooOld(version) => write!(
                f,
                "systemd {version} is too old for systemd-creds (250 or later is needed)"
            ),
            NotUsable::NoMachineId => f.write_str(
                "/etc/machine-id is empty or missing (create it with `systemd-machine-id-setup`)",
            ),
            NotUsable::VolatileKey(dir) => write!(
                f,
                "the machine's credential key would be kept in {}, which is in memory (tmpfs) \
                 and lost at reboot",
                dir.display()
            ),
        }
    }
}

/// The checks, in the order an operator would fix them.
pub fn check(settings: &Settings, is_root: bool) -> Result<(), NotUsable> {
    if !is_root {
        return Err(NotUsable::NotRoot);
    }
    let version = tool_version(settings)?;
    if version < super::MIN_SYSTEMD {
        return Err(NotUsable::TooOld(version));
    }
    let machine_id = std::fs::read_to_string("/etc/machine-id").unwrap_or_default();
    if machine_id.trim().is_empty() {
        return Err(NotUsable::NoMachineId);
    }
    let key_dir = host_key_dir(settings);
    if is_volatile(&key_dir) {
        return Err(NotUsable::VolatileKey(key_dir));
    }
    Ok(())
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

fn tool_version(settings: &Settings) -> Result<u32, NotUsable> {
    let output = settings
        .command()
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| NotUsable::NoTool(e.kind().to_string()))?;
    let text = String::from_utf8_lossy(&output.stdout);
    parse_version(&text).ok_or_else(|| NotUsable::NoTool("it did not say its version".into()))
}

/// `systemd 252 (252.38-1~deb12u1)` → 252.
pub fn parse_version(text: &str) -> Option<u32> {
    text.lines()
        .next()?
        .strip_prefix("systemd ")?
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// Where the host key lives: beside `SYSTEMD_CREDENTIAL_SECRET` when that is set (for
/// the tool or this process), else `/var/lib/systemd`.
fn host_key_dir(settings: &Settings) -> PathBuf {
    let key = settings
        .host_key
        .clone()
        .or_else(|| std::env::var_os("SYSTEMD_CREDENTIAL_SECRET").map(PathBuf::from));
    key.and_then(|k| k.parent().map(Path::to_owned))
        .unwrap_or_else(|| PathBuf::from("/var/lib/systemd"))
}

/// Whether `dir` (or, while it does not exist, its nearest existing parent) is on a
/// file system in memory.
fn is_volatile(dir: &Path) -> bool {
    const TMPFS_MAGIC: u64 = 0x0102_1994;
    const RAMFS_MAGIC: u64 = 0x8584_58f6;
    let Some(existing) = dir.ancestors().find(|d| d.exists()) else {
        return false;
    };
    rustix::fs::statfs(existing).is_ok_and(|fs| {
        let kind = u64::try_from(fs.f_type).unwrap_or_default();
        kind == TMPFS_MAGIC || kind == RAMFS_MAGIC
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_the_first_line() {
        assert_eq!(
            parse_version("systemd 252 (252.38-1~deb12u1)\n+PAM"),
            Some(252)
        );
        assert_eq!(parse_version("systemd 256~rc1 (256~rc1)"), Some(256));
        assert_eq!(parse_version("something else"), None);
    }

    #[test]
    fn a_key_in_memory_is_volatile_and_one_on_disk_is_not() {
        if Path::new("/dev/shm").exists() {
            assert!(is_volatile(Path::new("/dev/shm/wfm-wizard-not-there/sub")));
        }
        let dir = tempfile::tempdir_in(env!("CARGO_MANIFEST_DIR")).unwrap();
        assert!(!is_volatile(dir.path()));
    }
}
