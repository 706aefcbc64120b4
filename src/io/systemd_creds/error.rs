//! What can go wrong with systemd credentials, each with what to do about it. No
//! variant holds a secret: the tool's output is kept only from its error stream.

use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredsError {
    /// `systemd-creds` could not be started.
    ToolMissing { tool: String, why: String },
    /// systemd before 256 lets only root encrypt and decrypt.
    NeedsRoot,
    /// `/etc/machine-id` is empty or missing ("No medium found").
    NoMachineId,
    /// The credential no longer decrypts because the machine's key is not the one it
    /// was written with: the host key was lost or replaced, or the machine-id changed.
    KeyChanged { file: PathBuf },
    /// The file decrypts under no name because its bytes changed after it was written.
    Tampered { file: PathBuf },
    /// The file was sealed under another name: it was renamed or copied.
    Renamed {
        file: PathBuf,
        sealed: Option<String>,
    },
    /// The entry name is too long for a credential ID.
    NameTooLong { user: String },
    /// The value is longer than a credential that still decrypts.
    TooLong { len: usize },
    /// The credential directory or one of its files could not be used.
    Disk {
        action: &'static str,
        path: PathBuf,
        why: String,
    },
    /// `systemd-creds` failed in a way not listed above.
    ToolFailed {
        action: &'static str,
        detail: String,
    },
}

impl std::fmt::Display for CredsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CredsError::ToolMissing { tool, why } => write!(
                f,
                "`{tool}` could not be run ({why}); systemd credentials need systemd 250 or \
                 later with systemd-creds (`apt install systemd`), or choose another \
                 --secret-store"
            ),
            CredsError::NeedsRoot => f.write_str(
                "systemd-creds refused access: on this systemd only root can encrypt and decrypt \
                 credentials; run `sudo wfm-wizard`",
            ),
            CredsError::NoMachineId => f.write_str(
                "/etc/machine-id is empty or missing, so systemd-creds can neither encrypt nor \
                 decrypt; create it with `systemd-machine-id-setup`",
            ),
            CredsError::KeyChanged { file } => write!(
                f,
                "{} can no longer be decrypted: this machine's credential key changed (the host \
                 key /var/lib/systemd/credential.secret was lost or replaced, or the machine-id \
                 was regenerated, e.g. after cloning an image). The old secrets cannot be \
                 recovered: type the secrets again (run wfm-wizard and enter them)",
                file.display()
            ),
            CredsError::Tampered { file } => write!(
                f,
                "{} was changed or damaged after it was written and does not decrypt (other \
                 credentials of this machine still do). Type this secret again with wfm-wizard",
                file.display()
            ),
            CredsError::Renamed { file, sealed } => {
                write!(
                    f,
                    "{} was sealed under another name{}: a credential file was renamed or \
                     copied, and decrypts only under its own name. Rename it back, or type the \
                     secret again with wfm-wizard",
                    file.display(),
                    sealed
                        .as_deref()
                        .map(|name| format!(" (`{}`)", name.escape_debug()))
                        .unwrap_or_default()
                )
            }
            CredsError::NameTooLong { user } => write!(
                f,
                "the entry name `{}` is too long for a systemd credential ID (at most {} \
                 characters once escaped); use a shorter group name",
                user.escape_debug(),
                super::name::MAX_ID_LEN
            ),
            CredsError::TooLong { len } => write!(
                f,
                "the value is {len} bytes, and systemd credentials keep at most {} bytes \
                 (a longer one would not decrypt); shorten it",
                super::MAX_VALUE_BYTES
            ),
            CredsError::Disk { action, path, why } => {
                write!(f, "could not {action} {}: {why}", path.display())
            }
            CredsError::ToolFailed { action, detail } => {
                write!(f, "systemd-creds could not {action}: {detail}")
            }
        }
    }
}

impl std::error::Error for CredsError {}

/// What a failed `systemd-creds` call said on its error stream, read into a typed
/// error. Matching the tool's words is the only way to tell its failures apart
/// (it exits 1 for all of them); systemd 252's texts are in
/// shared/reference/systemd-credentials.md.
pub(super) enum ToolSays {
    NeedsRoot,
    NoMachineId,
    NoHostKey,
    WrongName {
        sealed: Option<String>,
    },
    /// Decryption or parsing failed: a changed key, or changed bytes.
    Undecryptable,
    Other(String),
}

pub(super) fn classify(stderr: &str) -> ToolSays {
    if let Some(line) = stderr
        .lines()
        .find(|l| l.contains("Embedded credential name"))
    {
        let sealed = line
            .split_once("name '")
            .and_then(|(_, rest)| rest.split_once('\''))
            .map(|(name, _)| name.to_owned());
        return ToolSays::WrongName { sealed };
    }
    if stderr.contains("No medium found") {
        ToolSays::NoMachineId
    } else if stderr.contains("Failed to determine local credential key") {
        ToolSays::NoHostKey
    } else if stderr.contains("Permission denied") || stderr.contains("Operation not permitted") {
        ToolSays::NeedsRoot
    } else if stderr.contains("Decryption failed")
        || stderr.contains("Failed to read encrypted credential data")
        || stderr.contains("Encrypted file too short")
        || stderr.contains("Failed to decrypt")
    {
        ToolSays::Undecryptable
    } else {
        ToolSays::Other(last_meaningful_line(stderr))
    }
}

/// The tool's last line that is not a warning about the key's medium.
fn last_meaningful_line(stderr: &str) -> String {
    stderr
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.contains("not located on encrypted media"))
        .unwrap_or("it gave no reason")
        .chars()
        .take(300)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// systemd 252's words for the failures the real-tool tests cannot bring about
    /// here (reference: shared/reference/systemd-credentials.md).
    #[test]
    fn the_tools_words_become_typed_failures() {
        let warning =
            "Credential secret file '/k' is not located on encrypted media, using anyway.\n";
        assert!(matches!(
            classify(&format!(
                "{warning}Failed to determine local credential host secret: No medium found\n"
            )),
            ToolSays::NoMachineId
        ));
        assert!(matches!(
            classify("Failed to open credential secret file: Permission denied\n"),
            ToolSays::NeedsRoot
        ));
        assert!(matches!(
            classify("Embedded credential name 'a.b' does not match filename 'c.d', refusing.\n"),
            ToolSays::WrongName { sealed: Some(ref s) } if s == "a.b"
        ));
        assert!(matches!(
            classify("Decryption failed (incorrect key?): error:00000000:lib(0)::reason(0)\n"),
            ToolSays::Undecryptable
        ));
        match classify(&format!("{warning}Something new went wrong.\n")) {
            ToolSays::Other(line) => assert_eq!(line, "Something new went wrong."),
            _ => panic!("an unknown failure keeps the tool's last line"),
        }
    }
}
