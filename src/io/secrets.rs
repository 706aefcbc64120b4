//! The OS keyring, through keyring-core and its store crates. The only module that imports them.
//!
//! Here: the store trait, opening a store and `--secret-store`. Beside it, one job
//! each: `adapter` (every store behind [`SecretStore`]), `deadline` (`within`),
//! `backends` (one constructor per kind and OS), `auto` (the automatic choice),
//! `proc_keys` (listing the kernel keyring), `bulk` (`get_many`), `explain` (errors).
//!
//! - [`open`] builds one named store; [`resolve`] turns `--secret-store` into a store,
//!   doing the `auto` selection of the contract ("Secrets").
//! - Every store is wrapped in one private adapter that implements [`SecretStore`]:
//!   a missing entry is `Ok(None)` on read and not an error on delete.
//! - Errors are plain English for operators. A message may quote keyring-core's own
//!   `Display` text (never its `Debug`, which for `BadEncoding` holds the raw bytes),
//!   and never contains a secret value.
//!
//! Deadlines: a store can hang forever (a stopped Secret Service provider; zbus has no
//! reply timeout), so nothing here waits on a store without a limit. Building the
//! Secret Service and the `auto` probe get [`SECRET_SERVICE_DEADLINE`]; every later
//! call (save, read, delete, list) runs on a helper thread and gets
//! [`STORE_CALL_DEADLINE`]. A call that misses its deadline is reported as
//! [`StoreError`] in plain words and leaves its helper thread blocked behind (there is
//! no way to cancel a blocked D-Bus call); if the store wakes up later, that call may
//! still complete, which `wfm-wizard status`/`prune` then show as an orphan entry.
//!
//! Kernel keyring (keyutils) and threads: a session keyring belongs to a thread's
//! credentials, not to the process. A process started outside a PAM login (a container
//! shell, some CI runners, `su`/`sudo` paths) has no session keyring of its own and
//! falls back to the per-user `_uid_ses.<uid>` keyring, where writes fail with
//! `AccessDenied` and leave a stray key behind. The fix is to ask the kernel for the
//! per-user persistent keyring linked into the session keyring, which gives the
//! *calling thread* a fresh session keyring of its own. The adapter does this in
//! [`open`] (so threads and child processes started afterwards inherit it: open the
//! store on the main thread before spawning threads when children such as `keyctl`
//! must see the same `@s`) and again before every call (so a call from any thread is
//! safe; it is one cheap, idempotent system call).

// Where there is no Secret Service (macOS, Windows), its probe and deadline helpers
// go unused; they stay compiled so their unit tests run everywhere.
#![cfg_attr(
    not(all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    )),
    allow(dead_code)
)]

#[cfg(target_os = "linux")]
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use crate::secret::StoreKind;
pub use crate::secret::{StoreProblem, StoreReason};

mod adapter;
mod auto;
mod backends;
mod bulk;
mod deadline;
mod explain;
mod proc_keys;

use adapter::KeyringStore;
use auto::auto;
#[cfg(target_os = "linux")]
pub use auto::systemd_creds_not_used;
use backends::{
    keychain_store, keyutils_store, secret_service_in_time, systemd_creds_store, windows_store,
};
pub use bulk::BULK_READ_ENV;
#[cfg(test)]
use {
    auto::session_bus_hint,
    deadline::{within, within_while_answering},
    explain::explain,
    keyring_core::{Entry, Error, api::CredentialStoreApi},
    proc_keys::users_in_proc_keys,
    std::sync::atomic::Ordering,
};

/// A failure talking to a store. The message never contains a secret value; what
/// kind of failure it is (for advice) is `problem`, never the message's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError {
    pub store: StoreKind,
    pub problem: StoreProblem,
    pub message: String,
}

impl StoreError {
    /// A failure of no kind the program gives special advice for.
    pub fn other(store: StoreKind, message: impl Into<String>) -> Self {
        Self {
            store,
            problem: StoreProblem::Other,
            message: message.into(),
        }
    }

    /// `reason`'s kind, with its words after `context`.
    fn from_reason(store: StoreKind, context: &str, reason: &StoreReason) -> Self {
        Self {
            store,
            problem: reason.problem,
            message: format!("{context}{}", reason.text),
        }
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.store, self.message)
    }
}

impl std::error::Error for StoreError {}

/// One credential store, addressed by keyring user name under a fixed service.
pub trait SecretStore: Send + Sync {
    fn kind(&self) -> StoreKind;
    fn service(&self) -> &str;
    fn set(&self, user: &str, value: &SecretString) -> Result<(), StoreError>;
    /// `Ok(None)` when there is no such entry.
    fn get(&self, user: &str) -> Result<Option<SecretString>, StoreError>;
    /// Removing an entry that does not exist is not an error.
    fn delete(&self, user: &str) -> Result<(), StoreError>;
    /// The user names of every entry under [`SecretStore::service`] that this store
    /// can reach, sorted.
    fn list(&self) -> Result<Vec<String>, StoreError>;
    /// The values of many entries at once (`None`: no such entry), for `validate` and
    /// `status` over thousands of secrets. A store that can read in bulk overrides it.
    fn get_many(
        &self,
        users: &[&str],
    ) -> Result<std::collections::HashMap<String, Option<SecretString>>, StoreError> {
        users
            .iter()
            .map(|user| Ok(((*user).to_owned(), self.get(user)?)))
            .collect()
    }
}

/// Which store to use, as given on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreChoice {
    Auto,
    Named(StoreKind),
}

/// The keyring user name of the throw-away entry written and deleted to probe a store.
pub const PROBE_USER: &str = "__wfm-wizard_probe__";

/// How long the Secret Service gets to connect (and, for `auto`, to pass the probe).
pub const SECRET_SERVICE_DEADLINE: Duration = Duration::from_secs(3);

/// How long any single store call (save, read, delete, list) may take.
pub const STORE_CALL_DEADLINE: Duration = Duration::from_secs(5);

/// The store [`resolve`] chose.
pub struct Resolved {
    pub store: Arc<dyn SecretStore>,
    /// `Some(reason)` when `auto` passed over the Secret Service (Linux only): its kind,
    /// and plain English starting in lower case, to show as e.g.
    /// `Secret Service not used: {reason}`.
    /// The operator must see it before typing a secret: the fallback store (keyutils)
    /// forgets everything at reboot.
    pub secret_service_skipped: Option<StoreReason>,
    /// `Some(reason)` when `auto`, run by root, passed over systemd credentials.
    pub systemd_creds_skipped: Option<String>,
}

impl std::fmt::Debug for Resolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolved")
            .field("store", &self.store.kind())
            .field("service", &self.store.service())
            .field("secret_service_skipped", &self.secret_service_skipped)
            .field("systemd_creds_skipped", &self.systemd_creds_skipped)
            .finish()
    }
}

/// Opens the named store for entries under `service`.
///
/// The Secret Service connects here (within [`SECRET_SERVICE_DEADLINE`]); the other
/// stores report problems only at first use. A kind this operating system does not
/// have is an error that says so.
pub fn open(kind: StoreKind, service: &str) -> Result<Arc<dyn SecretStore>, StoreError> {
    let inner = match kind {
        StoreKind::SecretService => secret_service_in_time()?,
        StoreKind::Keyutils => keyutils_store()?,
        StoreKind::Keychain => keychain_store()?,
        StoreKind::Windows => windows_store()?,
        StoreKind::SystemdCreds => systemd_creds_store()?,
    };
    Ok(Arc::new(KeyringStore::new(kind, service, inner)))
}

/// The stores this operating system has, in the order `auto` prefers them.
pub fn native_kinds() -> Vec<StoreKind> {
    if cfg!(target_os = "macos") {
        vec![StoreKind::Keychain]
    } else if cfg!(target_os = "windows") {
        vec![StoreKind::Windows]
    } else if cfg!(target_os = "linux") {
        vec![
            StoreKind::SecretService,
            StoreKind::Keyutils,
            StoreKind::SystemdCreds,
        ]
    } else if cfg!(unix) {
        vec![StoreKind::SecretService]
    } else {
        Vec::new()
    }
}

/// The value a reference in the YAML points at, read from the store the reference
/// names (never another), as `wfm-wizard secret get` does. For programs that use this
/// crate as a library; the value stays in a [`SecretString`]. Only wfm-wizard's own
/// entries are read ([`crate::secret::check_user`]): take references from a document
/// loaded with `config::parse_document`, which also holds them to its namespace.
/// Inside a systemd unit that loads the credential, a `systemd-creds` reference is
/// read from `$CREDENTIALS_DIRECTORY` (see [`from_credentials_directory`]).
pub fn read_secret(reference: &crate::secret::SecretRef) -> Result<SecretString, StoreError> {
    let own = if reference.service == crate::secret::SERVICE {
        crate::secret::check_user(&reference.user)
    } else {
        Err(crate::secret::ReferenceProblem::OtherService)
    };
    if let Err(problem) = own {
        return Err(StoreError::other(
            reference.store,
            format!("not read: the reference {problem}"),
        ));
    }
    if let Some(loaded) = from_credentials_directory(reference) {
        return loaded;
    }
    match open(reference.store, &reference.service)?.get(&reference.user)? {
        Some(value) => Ok(value),
        None => Err(StoreError::other(
            reference.store,
            format!(
                "there is no entry `{}` under service `{}`{}",
                reference.user,
                reference.service,
                if reference.store.survives_reboot() {
                    ""
                } else {
                    " (the kernel keyring forgets its keys at reboot and after 3 idle days)"
                }
            ),
        )),
    }
}

/// A `systemd-creds` reference's value from `$CREDENTIALS_DIRECTORY/<ID>`, where
/// systemd puts the decrypted credentials of the unit that runs this process; `None`
/// for other stores, outside such a unit, or when the unit did not load this one.
#[cfg(target_os = "linux")]
pub fn from_credentials_directory(
    reference: &crate::secret::SecretRef,
) -> Option<Result<SecretString, StoreError>> {
    if reference.store != StoreKind::SystemdCreds {
        return None;
    }
    let dir = std::env::var_os("CREDENTIALS_DIRECTORY").filter(|d| !d.is_empty())?;
    crate::io::systemd_creds::loaded(Path::new(&dir), &reference.service, &reference.user)
        .map(|loaded| loaded.map_err(|e| StoreError::other(StoreKind::SystemdCreds, e.to_string())))
}

#[cfg(not(target_os = "linux"))]
pub fn from_credentials_directory(
    _reference: &crate::secret::SecretRef,
) -> Option<Result<SecretString, StoreError>> {
    None
}

/// Call first thing in `main`, before any thread starts: gives the process its own
/// session keyring with the per-user persistent keyring linked in (see the module
/// docs), so the kernel keyring works from cron-like, `sudo` and container shells and
/// threads and children (such as `keyctl`) share it. Does nothing elsewhere.
pub fn prepare_process() {
    #[cfg(target_os = "linux")]
    {
        // A kernel without persistent keyrings, or keyctl blocked by seccomp: the
        // kernel keyring's own calls report the real problem later.
        let _ = linux_keyutils::KeyRing::get_persistent(linux_keyutils::KeyRingIdentifier::Session);
    }
}

/// Turns the `--secret-store` choice into a store.
///
/// `Named` opens that store, no questions asked. `Auto`: macOS → keychain, Windows →
/// windows. On Linux: the Secret Service when a session bus is there
/// (`DBUS_SESSION_BUS_ADDRESS` set, or `$XDG_RUNTIME_DIR/bus` exists) and connecting
/// plus a set-and-delete probe of [`PROBE_USER`] succeed within
/// [`SECRET_SERVICE_DEADLINE`]; otherwise the kernel keyring (probed the same way),
/// with the reason in [`Resolved::secret_service_skipped`].
pub fn resolve(choice: StoreChoice, service: &str) -> Result<Resolved, StoreError> {
    match choice {
        StoreChoice::Named(kind) => Ok(Resolved {
            store: open(kind, service)?,
            secret_service_skipped: None,
            systemd_creds_skipped: None,
        }),
        StoreChoice::Auto => auto(service),
    }
}

#[cfg(test)]
mod tests;
