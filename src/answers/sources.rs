//! Reads the secrets an answers file points at: environment variables, private files,
//! and one YAML mapping on standard input. Messages name the source, never the value.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

use secrecy::SecretString;
use zeroize::Zeroizing;

use super::SecretSource;

/// More than any field allows (the JWT's cap is 262,144 characters, 4 bytes each at most).
const MAX_SECRET_BYTES: u64 = 1024 * 1024 + 1;

/// Why one secret could not be read. Never holds the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceError {
    EnvMissing(String),
    EnvNotUnicode(String),
    FileUnreadable { path: String, why: String },
    FileNotPrivate { path: String, mode: u32 },
    FileNotOwned { path: String },
    FileNotRegular { path: String },
    FileTooLarge { path: String },
    StdinMissing { key: String },
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::EnvMissing(var) => write!(
                f,
                "environment variable `{var}` is not set (or is empty); set it to the secret \
                 before running apply"
            ),
            SourceError::EnvNotUnicode(var) => {
                write!(f, "environment variable `{var}` is not valid UTF-8")
            }
            SourceError::FileUnreadable { path, why } => {
                write!(f, "cannot read the secret file {path}: {why}")
            }
            SourceError::FileNotPrivate { path, mode } => write!(
                f,
                "the secret file {path} can be read by others (mode {mode:04o}); \
                 run `chmod 600 {path}` first"
            ),
            SourceError::FileNotOwned { path } => write!(
                f,
                "the secret file {path} belongs to another user; only a file of the user \
                 running apply is read"
            ),
            SourceError::FileNotRegular { path } => {
                write!(f, "the secret file {path} is not a regular file")
            }
            SourceError::FileTooLarge { path } => {
                write!(
                    f,
                    "the secret file {path} is larger than any secret (1 MiB)"
                )
            }
            SourceError::StdinMissing { key } => write!(
                f,
                "standard input has no `{key}`: send the secrets as one YAML mapping, \
                 e.g. `{key}: ...`"
            ),
        }
    }
}

/// The secrets that arrived on standard input, by `<platform>/<operation>/<group>/<field>`.
pub struct StdinSecrets(BTreeMap<String, SecretString>);

impl fmt::Debug for StdinSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

impl StdinSecrets {
    pub fn empty() -> StdinSecrets {
        StdinSecrets(BTreeMap::new())
    }

    /// Reads standard input whole and parses it as a mapping of names to text.
    pub fn read(input: &mut dyn Read) -> Result<StdinSecrets, String> {
        let mut text = Zeroizing::new(String::new());
        input
            .take(crate::config::MAX_FILE_BYTES as u64 + 1)
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<StdinSecrets, String> {
        if text.trim().is_empty() {
            return Ok(StdinSecrets::empty());
        }
        let map: BTreeMap<String, String> = crate::config::parse_yaml(text).map_err(|e| {
            format!(
                "standard input is not a YAML mapping of `<platform>/<operation>/<group>/<field>` \
                 to secrets ({e})"
            )
        })?;
        Ok(StdinSecrets(
            map.into_iter()
                .map(|(k, v)| (k, SecretString::from(v)))
                .collect(),
        ))
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}

/// Reads one secret. `key` is its `<platform>/<operation>/<group>/<field>` name on stdin.
pub fn read_secret(
    source: &SecretSource,
    key: &str,
    stdin: &StdinSecrets,
) -> Result<SecretString, SourceError> {
    match source {
        SecretSource::Env(var) => match std::env::var(var) {
            Ok(value) if !value.is_empty() => Ok(SecretString::from(value)),
            Ok(_) | Err(std::env::VarError::NotPresent) => {
                Err(SourceError::EnvMissing(var.clone()))
            }
            Err(std::env::VarError::NotUnicode(_)) => Err(SourceError::EnvNotUnicode(var.clone())),
        },
        SecretSource::File(path) => read_private_file(Path::new(path)),
        SecretSource::Stdin => stdin
            .0
            .get(key)
            .cloned()
            .ok_or_else(|| SourceError::StdinMissing {
                key: key.to_owned(),
            }),
    }
}

/// A secret file: regular, owned by this user, no permission for group or others. One
/// trailing line break (as `echo` and editors leave) is dropped.
fn read_private_file(path: &Path) -> Result<SecretString, SourceError> {
    let shown = path.display().to_string();
    let unreadable = |e: std::io::Error| SourceError::FileUnreadable {
        path: shown.clone(),
        why: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(SourceError::FileNotRegular { path: shown });
    }
    check_private(&meta, &shown)?;
    if meta.len() > MAX_SECRET_BYTES {
        return Err(SourceError::FileTooLarge { path: shown });
    }
    let mut text = Zeroizing::new(String::new());
    file.take(MAX_SECRET_BYTES)
        .read_to_string(&mut text)
        .map_err(unreadable)?;
    let trimmed = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(&text);
    Ok(SecretString::from(trimmed.to_owned()))
}

#[cfg(unix)]
fn check_private(meta: &std::fs::Metadata, shown: &str) -> Result<(), SourceError> {
    use std::os::unix::fs::MetadataExt;
    if meta.uid() != rustix::process::geteuid().as_raw() {
        return Err(SourceError::FileNotOwned {
            path: shown.to_owned(),
        });
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(SourceError::FileNotPrivate {
            path: shown.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_meta: &std::fs::Metadata, _shown: &str) -> Result<(), SourceError> {
    Ok(())
}
