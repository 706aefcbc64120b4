//! systemd credentials as a keyring-core store (store name `systemd-creds`): one file
//! per secret in the credential directory (`/etc/credstore.encrypted`, or
//! `$WFM_WIZARD_CREDSTORE_DIR`), encrypted with `systemd-creds encrypt
//! --with-key=auto` (this machine's host key, plus TPM2 when one is usable), so the
//! secrets survive a reboot and a service reads them with `LoadCredentialEncrypted=`.
//!
//! The secret goes to `systemd-creds` on stdin, never in its arguments. The tool
//! writes the encrypted bytes to stdout; this module writes them to a temporary file
//! (mode 0600) in the directory (mode 0700) and renames it into place, so a reader
//! sees the old credential or the new one, never half of one.
//!
//! A credential that no longer decrypts is told apart from a damaged one with a key
//! check: a small credential ([`KEY_CHECK`]) written next to the others with the same
//! key. When it decrypts, the key is unchanged and the failing file was damaged; when
//! it fails too, the machine's key changed.
//!
//! Deadlines are the adapter's (`io::secrets`): every call runs within its limit.

mod error;
pub mod name;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use zeroize::Zeroizing;

pub use error::CredsError;
use error::{ToolSays, classify};

/// Where systemd looks for `LoadCredentialEncrypted=ID` without a path (systemd ≥ 251).
pub const DEFAULT_DIR: &str = "/etc/credstore.encrypted";
/// Overrides [`DEFAULT_DIR`] (tests; a unit then needs `ID:PATH`, which `systemd-unit` writes).
pub const DIR_ENV: &str = "WFM_WIZARD_CREDSTORE_DIR";
/// Overrides the `systemd-creds` program (tests).
pub const TOOL_ENV: &str = "WFM_WIZARD_SYSTEMD_CREDS";
/// The file (and sealed name) of the key check; not a valid ID of any service's entry.
pub const KEY_CHECK: &str = "wfm-wizard-key-check";
/// The longest value kept, in bytes (one number for the form and the store:
/// `StoreKind::max_value_bytes`). systemd 252 encrypts up to 1 MiB but refuses to
/// decrypt a file over 1,179,648 bytes, and the file is about 1.35 times the value
/// (measured: 786,000 bytes → 1,061,388); a unit also loads at most 1 MiB in all.
pub const MAX_VALUE_BYTES: usize = 768 * 1024;
/// The systemd version that brought `systemd-creds encrypt/decrypt`.
pub const MIN_SYSTEMD: u32 = 250;

/// Where the credentials live and which tool handles them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub dir: PathBuf,
    pub tool: PathBuf,
    /// Given to the tool as `SYSTEMD_CREDENTIAL_SECRET` (tests use a throwaway host
    /// key); `None` leaves the tool's environment as it is.
    pub host_key: Option<PathBuf>,
}

impl Settings {
    /// The directory and tool from the environment, or the defaults.
    pub fn from_env() -> Settings {
        let nonempty = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        Settings {
            dir: nonempty(DIR_ENV).map_or_else(|| PathBuf::from(DEFAULT_DIR), PathBuf::from),
            tool: nonempty(TOOL_ENV).map_or_else(|| PathBuf::from("systemd-creds"), PathBuf::from),
            host_key: None,
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.tool);
        if let Some(key) = &self.host_key {
            command.env("SYSTEMD_CREDENTIAL_SECRET", key);
        }
        command
    }

    /// Runs the tool with `input` on stdin; its stdout, or what its stderr says.
    fn run(
        &self,
        args: &[&str],
        input: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Result<ToolSays, CredsError>> {
        let tool = self.tool.display().to_string();
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                Err(CredsError::ToolMissing {
                    tool: tool.clone(),
                    why: e.kind().to_string(),
                })
            })?;
        let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Ok(ToolSays::Other("its pipes could not be set up".into())));
        };
        let mut output = Zeroizing::new(Vec::new());
        let mut errors = Vec::new();
        // Input, output and errors at once: a 100 KB secret fills a pipe.
        std::thread::scope(|scope| {
            scope.spawn(move || {
                // A tool that exits early closes the pipe; its stderr says why.
                let _ = stdin.write_all(input);
            });
            scope.spawn(|| stderr.read_to_end(&mut errors));
            let _ = stdout.read_to_end(&mut output);
        });
        let status = child.wait().map_err(|e| {
            Err(CredsError::ToolFailed {
                action: "finish",
                detail: e.kind().to_string(),
            })
        })?;
        if status.success() {
            Ok(output)
        } else {
            Err(Ok(classify(&String::from_utf8_lossy(&errors))))
        }
    }

    fn path_of(&self, id: &str) -> PathBuf {
        self.dir.join(id)
    }

    /// Encrypts `secret` under `id` into its file, atomically.
    fn encrypt(&self, id: &str, secret: &[u8]) -> Result<(), CredsError> {
        if secret.len() > MAX_VALUE_BYTES {
            return Err(CredsError::TooLong { len: secret.len() });
        }
        self.make_dir()?;
        let name = format!("--name={id}");
        let sealed = self
            .run(&["encrypt", "--with-key=auto", &name, "-", "-"], secret)
            .map_err(|said| self.said(said, "encrypt", id, false))?;
        self.write_file(id, &sealed)
    }

    /// The secret in `id`'s file; `Ok(None)` when there is no such file.
    fn decrypt(&self, id: &str) -> Result<Option<Zeroizing<Vec<u8>>>, CredsError> {
        let path = self.path_of(id);
        if !exists(&path)? {
            return Ok(None);
        }
        let name = format!("--name={id}");
        let file = path.to_string_lossy();
        match self.run(&["decrypt", &name, &file, "-"], &[]) {
            Ok(secret) => Ok(Some(secret)),
            Err(said) => Err(self.said(said, "decrypt", id, true)),
        }
    }

    /// A failed call, as a typed error. A decryption failure is judged with the key check.
    fn said(
        &self,
        said: Result<ToolSays, CredsError>,
        action: &'static str,
        id: &str,
        judge: bool,
    ) -> CredsError {
        let file = self.path_of(id);
        match said {
            Err(error) => error,
            Ok(ToolSays::NeedsRoot) => CredsError::NeedsRoot,
            Ok(ToolSays::NoMachineId) => CredsError::NoMachineId,
            Ok(ToolSays::NoHostKey) => CredsError::KeyChanged { file },
            Ok(ToolSays::WrongName { sealed }) => CredsError::Renamed { file, sealed },
            Ok(ToolSays::Undecryptable) if judge => {
                if id != KEY_CHECK && matches!(self.decrypt(KEY_CHECK), Ok(Some(_))) {
                    CredsError::Tampered { file }
                } else {
                    CredsError::KeyChanged { file }
                }
            }
            Ok(ToolSays::Undecryptable) => CredsError::ToolFailed {
                action,
                detail: "the tool could not read what it wrote".into(),
            },
            Ok(ToolSays::Other(detail)) => CredsError::ToolFailed { action, detail },
        }
    }

    /// Writes the key check when there is none (see the module docs).
    fn ensure_key_check(&self) -> Result<(), CredsError> {
        if exists(&self.path_of(KEY_CHECK))? {
            return Ok(());
        }
        self.encrypt(KEY_CHECK, b"wfm-wizard key check")
    }

    fn make_dir(&self) -> Result<(), CredsError> {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(|e| disk("create the credential directory", &self.dir, &e))
    }

    fn write_file(&self, id: &str, bytes: &[u8]) -> Result<(), CredsError> {
        use std::os::unix::fs::OpenOptionsExt;
        let path = self.path_of(id);
        let temp = self.dir.join(format!(
            ".wfm-wizard-tmp-{}-{:x}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos()
        ));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)
            .and_then(|mut file| {
                file.write_all(bytes)?;
                file.sync_all()
            })
            .and_then(|()| std::fs::rename(&temp, &path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(disk("write", &path, &e));
        }
        // The rename is durable only once the directory is on disk.
        if let Ok(dir) = std::fs::File::open(&self.dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    fn remove(&self, id: &str) -> Result<bool, CredsError> {
        let path = self.path_of(id);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(disk("remove", &path, &e)),
        }
    }

    /// The entry names of `service` that have a file, sorted.
    pub fn users(&self, service: &str) -> Result<Vec<String>, CredsError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(disk("list", &self.dir, &e)),
        };
        let mut users: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter_map(|file| name::entry_user(service, &file))
            .collect();
        users.sort();
        Ok(users)
    }
}

fn exists(path: &Path) -> Result<bool, CredsError> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(disk("read", path, &e)),
    }
}

fn disk(action: &'static str, path: &Path, error: &std::io::Error) -> CredsError {
    CredsError::Disk {
        action,
        path: path.to_owned(),
        why: error.kind().to_string(),
    }
}

/// The value systemd decrypted for the unit running this process: the file
/// `<credentials_dir>/<ID>`; `None` when the unit did not load this credential.
pub fn loaded(
    credentials_dir: &Path,
    service: &str,
    user: &str,
) -> Option<Result<secrecy::SecretString, CredsError>> {
    let path = credentials_dir.join(name::credential_id(service, user)?);
    match std::fs::read(&path) {
        Ok(bytes) => {
            let bytes = Zeroizing::new(bytes);
            Some(
                std::str::from_utf8(&bytes)
                    .map(|text| secrecy::SecretString::from(text.to_owned()))
                    .map_err(|_| CredsError::Disk {
                        action: "read",
                        path,
                        why: "the value is not UTF-8 text".into(),
                    }),
            )
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => Some(Err(disk("read", &path, &e))),
    }
}

mod keyring;
pub mod unit_file;
pub mod usable;

pub use keyring::{Store, creds_error};

#[cfg(test)]
mod tests;
