//! The OS keyring, through keyring-core and its store crates. The only file that imports them.
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

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::Duration;

use keyring_core::api::CredentialStoreApi;
use keyring_core::{CredentialStore, Entry, Error};
use secrecy::{ExposeSecret, SecretString};

use crate::secret::StoreKind;
pub use crate::secret::{StoreProblem, StoreReason};

mod explain;
use explain::explain;

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

// ---------------------------------------------------------------------------------
// The adapter

/// Any keyring-core store, seen through [`SecretStore`]. Cheap to clone: the
/// connection is shared.
#[derive(Clone)]
struct KeyringStore {
    kind: StoreKind,
    service: String,
    inner: Arc<CredentialStore>,
    deadline: Duration,
    /// Calls that missed their deadline and are still blocked in the store. While
    /// there is one, the store is not answering: new calls fail at once instead of
    /// each waiting out its own deadline (a save's rollback, `status` over many
    /// secrets).
    stuck: Arc<AtomicUsize>,
}

const RUNNING: u8 = 0;
const DONE: u8 = 1;
const TIMED_OUT: u8 = 2;

/// Marks a call finished when dropped (also when its job panics, or never starts).
struct CallDone {
    state: Arc<AtomicU8>,
    stuck: Arc<AtomicUsize>,
}

impl Drop for CallDone {
    fn drop(&mut self) {
        if self.state.swap(DONE, Ordering::SeqCst) == TIMED_OUT {
            self.stuck.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl KeyringStore {
    fn new(kind: StoreKind, service: &str, inner: Arc<CredentialStore>) -> Self {
        let store = KeyringStore {
            kind,
            service: service.to_owned(),
            inner,
            deadline: STORE_CALL_DEADLINE,
            stuck: Arc::new(AtomicUsize::new(0)),
        };
        store.prepare_thread();
        store
    }

    /// See the module docs: keyutils needs a session keyring owned by this thread.
    fn prepare_thread(&self) {
        #[cfg(target_os = "linux")]
        if self.kind == StoreKind::Keyutils {
            // An error here (a kernel without persistent keyrings, keyctl blocked by
            // seccomp) is not fatal by itself; the store's own calls report the real one.
            let _ =
                linux_keyutils::KeyRing::get_persistent(linux_keyutils::KeyRingIdentifier::Session);
        }
    }

    fn entry(&self, user: &str) -> keyring_core::Result<Entry> {
        self.prepare_thread();
        self.inner.build(&self.service, user, None)
    }

    fn failed(&self, verb: &str, user: &str, err: &Error) -> StoreError {
        StoreError::from_reason(
            self.kind,
            &format!("could not {verb} `{user}`: "),
            &explain(self.kind, err),
        )
    }

    /// Writes and deletes [`PROBE_USER`]; `Err` is why not. A write that fails
    /// half-way may still have left the entry: it is removed either way.
    fn probe(&self) -> Result<(), StoreReason> {
        let entry = self.entry(PROBE_USER).map_err(|e| explain(self.kind, &e))?;
        if let Err(e) = entry.set_password("wfm-wizard store probe") {
            let _ = entry.delete_credential();
            return Err(explain(self.kind, &e));
        }
        entry
            .delete_credential()
            .map_err(|e| explain(self.kind, &e))
    }

    /// Runs `job` on a helper thread within the store's deadline
    /// ([`STORE_CALL_DEADLINE`]); fails at once while an earlier call is still stuck.
    fn timed<T: Send + 'static>(
        &self,
        verb: &str,
        user: &str,
        job: impl FnOnce(&KeyringStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.timed_while_answering(verb, user, &Arc::new(AtomicUsize::new(0)), job)
    }

    /// [`KeyringStore::timed`] for a job of many calls that counts each answer on
    /// `answered`: it is waited for as long as answers keep coming, and the deadline
    /// is the longest silence allowed.
    fn timed_while_answering<T: Send + 'static>(
        &self,
        verb: &str,
        user: &str,
        answered: &Arc<AtomicUsize>,
        job: impl FnOnce(&KeyringStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let name = store_name(self.kind);
        if self.stuck.load(Ordering::SeqCst) > 0 {
            return Err(StoreError {
                store: self.kind,
                problem: StoreProblem::NoAnswer,
                message: format!(
                    "could not {verb} `{user}`: the {name} has still not answered an earlier \
                     call, so nothing was asked of it. Check that its daemon is running and not \
                     stopped or hung"
                ),
            });
        }
        let state = Arc::new(AtomicU8::new(RUNNING));
        let done = CallDone {
            state: Arc::clone(&state),
            stuck: Arc::clone(&self.stuck),
        };
        let store = self.clone();
        let result = within_while_answering(self.deadline, self.kind, answered, move || {
            let _done = done;
            job(&store)
        });
        if result.is_err() {
            // Counted before the swap, so the job's own decrement can never come first.
            self.stuck.fetch_add(1, Ordering::SeqCst);
            if state.swap(TIMED_OUT, Ordering::SeqCst) != RUNNING {
                self.stuck.fetch_sub(1, Ordering::SeqCst);
            }
        }
        result
            .map_err(|why| StoreError {
                store: self.kind,
                problem: why.problem,
                message: format!(
                    "could not {verb} `{user}`: {why}; nothing waits for it any longer. If the \
                     store wakes up later the entry may still change: `wfm-wizard status` shows it"
                ),
            })
            .and_then(|done| done)
    }

    fn set_now(&self, user: &str, value: &SecretString) -> Result<(), StoreError> {
        self.entry(user)
            .and_then(|entry| entry.set_password(value.expose_secret()))
            .map_err(|e| self.failed("save", user, &e))
    }

    fn get_now(&self, user: &str) -> Result<Option<SecretString>, StoreError> {
        match self.entry(user).and_then(|entry| entry.get_password()) {
            Ok(value) => Ok(Some(SecretString::from(value))),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(self.failed("read", user, &e)),
        }
    }

    fn delete_now(&self, user: &str) -> Result<(), StoreError> {
        match self.entry(user).and_then(|entry| entry.delete_credential()) {
            Ok(()) | Err(Error::NoEntry) => Ok(()),
            Err(e) => Err(self.failed("delete", user, &e)),
        }
    }

    fn list_now(&self) -> Result<Vec<String>, StoreError> {
        let listing_failed = |e: &Error| {
            StoreError::from_reason(
                self.kind,
                &format!("could not list the entries of service `{}`: ", self.service),
                &explain(self.kind, e),
            )
        };
        let mut users = if self.kind == StoreKind::Keyutils {
            // The kernel keyring has no search by service: take the candidates the
            // kernel lists for this user, and keep those this process can really read.
            let mut users = Vec::new();
            for user in kernel_key_users(&self.service) {
                if self.get_now(&user)?.is_some() {
                    users.push(user);
                }
            }
            users
        } else {
            let spec = std::collections::HashMap::from([("service", self.service.as_str())]);
            let mut users = Vec::new();
            for entry in self.inner.search(&spec).map_err(|e| listing_failed(&e))? {
                let attributes = entry.get_attributes().map_err(|e| listing_failed(&e))?;
                users.extend(attributes.get("username").cloned());
            }
            users
        };
        users.sort();
        users.dedup();
        Ok(users)
    }
}

/// The users of kernel keys described `keyring:<user>@<service>` in `/proc/keys`,
/// which lists every key this user may view, wherever it is linked.
fn kernel_key_users(service: &str) -> Vec<String> {
    std::fs::read_to_string("/proc/keys")
        .map(|listing| users_in_proc_keys(&listing, service))
        .unwrap_or_default()
}

/// Parses `/proc/keys` lines: `ID FLAGS USAGE TIMEOUT PERM UID GID TYPE DESCRIPTION: INFO`.
fn users_in_proc_keys(listing: &str, service: &str) -> Vec<String> {
    let suffix = format!("@{service}");
    listing
        .lines()
        .filter_map(|line| {
            if line.split_whitespace().nth(7) != Some("user") {
                return None;
            }
            let rest = line.split_once(" keyring:")?.1;
            let description = rest.rsplit_once(": ").map_or(rest, |(d, _)| d);
            description.strip_suffix(&suffix).map(str::to_owned)
        })
        .collect()
}

impl SecretStore for KeyringStore {
    fn kind(&self) -> StoreKind {
        self.kind
    }

    fn service(&self) -> &str {
        &self.service
    }

    fn set(&self, user: &str, value: &SecretString) -> Result<(), StoreError> {
        let (owned, value) = (user.to_owned(), value.clone());
        self.timed("save", user, move |s| s.set_now(&owned, &value))
    }

    fn get(&self, user: &str) -> Result<Option<SecretString>, StoreError> {
        let owned = user.to_owned();
        self.timed("read", user, move |s| s.get_now(&owned))
    }

    fn delete(&self, user: &str) -> Result<(), StoreError> {
        let owned = user.to_owned();
        self.timed("delete", user, move |s| s.delete_now(&owned))
    }

    fn list(&self) -> Result<Vec<String>, StoreError> {
        self.timed("list", "the entries", KeyringStore::list_now)
    }

    fn get_many(
        &self,
        users: &[&str],
    ) -> Result<std::collections::HashMap<String, Option<SecretString>>, StoreError> {
        #[cfg(all(
            unix,
            not(any(target_os = "macos", target_os = "ios", target_os = "android"))
        ))]
        if self.kind == StoreKind::SecretService
            && bulk_reads_allowed()
            && let Some(found) = self.get_many_in_bulk(users)?
        {
            return Ok(found);
        }
        one_by_one(self, users)
    }
}

/// Set to `0` to read Secret Service entries one by one, as before bulk reads (to
/// compare the two, or to step around a Secret Service provider the bulk read upsets).
pub const BULK_READ_ENV: &str = "WFM_WIZARD_SECRET_SERVICE_BULK";

fn bulk_reads_allowed() -> bool {
    std::env::var_os(BULK_READ_ENV).is_none_or(|v| v != "0")
}

/// The trait's default `get_many`: one deadline-bound read per user.
fn one_by_one(
    store: &dyn SecretStore,
    users: &[&str],
) -> Result<std::collections::HashMap<String, Option<SecretString>>, StoreError> {
    users
        .iter()
        .map(|user| Ok(((*user).to_owned(), store.get(user)?)))
        .collect()
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
impl KeyringStore {
    /// The Secret Service's entries in one bulk read (`io::secret_service_bulk`). It is
    /// waited for while the Secret Service keeps answering (gnome-keyring's cost per
    /// item grows with the items it holds), and given up like any store call after
    /// [`STORE_CALL_DEADLINE`] without an answer. `Ok(None)`: the bulk read gave up
    /// (locked items, an unexpected answer), so read one by one as before.
    fn get_many_in_bulk(
        &self,
        users: &[&str],
    ) -> Result<Option<std::collections::HashMap<String, Option<SecretString>>>, StoreError> {
        let service = self.service.clone();
        let owned: Vec<String> = users.iter().map(|u| (*u).to_owned()).collect();
        let answered = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&answered);
        let read =
            self.timed_while_answering("read", "the entries in bulk", &answered, move |_| {
                let users: Vec<&str> = owned.iter().map(String::as_str).collect();
                Ok(crate::io::secret_service_bulk::read(
                    &service, &users, &counter,
                ))
            })?;
        let Ok(bulk) = read else {
            return Ok(None);
        };
        let mut found = std::collections::HashMap::with_capacity(users.len());
        for user in bulk.absent {
            found.insert(user, None);
        }
        for (user, value) in bulk.values {
            found.insert(user, Some(value));
        }
        for user in bulk.read_one_by_one {
            let value = self.get(&user)?;
            found.insert(user, value);
        }
        Ok(Some(found))
    }
}

// ---------------------------------------------------------------------------------
// Building the stores, one function per kind, each gated to the systems that have it

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
fn secret_service_store() -> Result<Arc<CredentialStore>, StoreReason> {
    match zbus_secret_service_keyring_store::Store::new() {
        Ok(store) => Ok(store),
        Err(e) => Err(explain(StoreKind::SecretService, &e)),
    }
}

/// [`secret_service_store`] on a helper thread, within [`SECRET_SERVICE_DEADLINE`].
#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
fn secret_service_in_time() -> Result<Arc<CredentialStore>, StoreError> {
    within(
        SECRET_SERVICE_DEADLINE,
        StoreKind::SecretService,
        secret_service_store,
    )
    .and_then(|built| built)
    .map_err(|reason| StoreError::from_reason(StoreKind::SecretService, "", &reason))
}

#[cfg(not(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
)))]
fn secret_service_in_time() -> Result<Arc<CredentialStore>, StoreError> {
    Err(not_here(StoreKind::SecretService))
}

#[cfg(target_os = "linux")]
fn keyutils_store() -> Result<Arc<CredentialStore>, StoreError> {
    built(
        StoreKind::Keyutils,
        linux_keyutils_keyring_store::Store::new(),
    )
}

#[cfg(not(target_os = "linux"))]
fn keyutils_store() -> Result<Arc<CredentialStore>, StoreError> {
    Err(not_here(StoreKind::Keyutils))
}

#[cfg(target_os = "linux")]
#[allow(clippy::unnecessary_wraps)] // The same shape as every store constructor.
fn systemd_creds_store() -> Result<Arc<CredentialStore>, StoreError> {
    use crate::io::systemd_creds::{Settings, Store};
    Ok(Store::new(Settings::from_env()))
}

#[cfg(not(target_os = "linux"))]
fn systemd_creds_store() -> Result<Arc<CredentialStore>, StoreError> {
    Err(not_here(StoreKind::SystemdCreds))
}

#[cfg(target_os = "macos")]
fn keychain_store() -> Result<Arc<CredentialStore>, StoreError> {
    built(
        StoreKind::Keychain,
        apple_native_keyring_store::keychain::Store::new(),
    )
}

#[cfg(not(target_os = "macos"))]
fn keychain_store() -> Result<Arc<CredentialStore>, StoreError> {
    Err(not_here(StoreKind::Keychain))
}

#[cfg(target_os = "windows")]
fn windows_store() -> Result<Arc<CredentialStore>, StoreError> {
    built(
        StoreKind::Windows,
        windows_native_keyring_store::Store::new(),
    )
}

#[cfg(not(target_os = "windows"))]
fn windows_store() -> Result<Arc<CredentialStore>, StoreError> {
    Err(not_here(StoreKind::Windows))
}

/// A store constructor's result, its error explained in plain words.
fn built<S: CredentialStoreApi + Send + Sync + 'static>(
    kind: StoreKind,
    result: keyring_core::Result<Arc<S>>,
) -> Result<Arc<CredentialStore>, StoreError> {
    match result {
        Ok(store) => Ok(store),
        Err(e) => Err(StoreError::from_reason(kind, "", &explain(kind, &e))),
    }
}

/// The error for a store this operating system does not have.
fn not_here(kind: StoreKind) -> StoreError {
    let home = match kind {
        StoreKind::SecretService => "Linux and other Unix desktops",
        StoreKind::Keyutils => "Linux",
        StoreKind::Keychain => "macOS",
        StoreKind::Windows => "Windows",
        StoreKind::SystemdCreds => "Linux with systemd 250 or later",
    };
    StoreError::other(
        kind,
        format!(
            "the {kind} store exists only on {home}, and this system is {}; choose another --secret-store",
            std::env::consts::OS
        ),
    )
}

// ---------------------------------------------------------------------------------
// `auto`

#[cfg(target_os = "macos")]
fn auto(service: &str) -> Result<Resolved, StoreError> {
    resolve(StoreChoice::Named(StoreKind::Keychain), service)
}

#[cfg(target_os = "windows")]
fn auto(service: &str) -> Result<Resolved, StoreError> {
    resolve(StoreChoice::Named(StoreKind::Windows), service)
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
fn auto(service: &str) -> Result<Resolved, StoreError> {
    #[cfg(target_os = "linux")]
    let creds_skipped = match usable_systemd_creds(service) {
        Ok(store) => {
            return Ok(Resolved {
                store,
                secret_service_skipped: None,
                systemd_creds_skipped: None,
            });
        }
        Err(why) => why,
    };
    #[cfg(not(target_os = "linux"))]
    let creds_skipped = None;
    let reason = match usable_secret_service(service) {
        Ok(store) => {
            return Ok(Resolved {
                store,
                secret_service_skipped: None,
                systemd_creds_skipped: creds_skipped,
            });
        }
        Err(reason) => reason,
    };
    kernel_keyring_instead(service, reason).map(|resolved| Resolved {
        systemd_creds_skipped: creds_skipped,
        ..resolved
    })
}

#[cfg(not(any(
    target_os = "macos",
    target_os = "windows",
    all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    )
)))]
fn auto(_service: &str) -> Result<Resolved, StoreError> {
    Err(StoreError::other(
        StoreKind::SecretService,
        format!(
            "wfm-wizard has no secret store for this system ({})",
            std::env::consts::OS
        ),
    ))
}

/// The Secret Service, connected and probed within the deadline, or why not.
#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
fn usable_secret_service(service: &str) -> Result<Arc<dyn SecretStore>, StoreReason> {
    let runtime_dir = std::env::var_os("XDG_RUNTIME_DIR");
    let bus_address = std::env::var_os("DBUS_SESSION_BUS_ADDRESS");
    if !session_bus_hint(
        bus_address.as_deref(),
        runtime_dir.as_deref().map(Path::new),
    ) {
        return Err(StoreReason::new(StoreProblem::NoBus, NO_BUS));
    }
    let service = service.to_owned();
    within(
        SECRET_SERVICE_DEADLINE,
        StoreKind::SecretService,
        move || {
            let store =
                KeyringStore::new(StoreKind::SecretService, &service, secret_service_store()?);
            store.probe()?;
            Ok(Arc::new(store) as Arc<dyn SecretStore>)
        },
    )?
}

/// systemd credentials when this is root on a machine that can keep them (see
/// `systemd_creds::usable`), probed like the other stores. Otherwise why not, for the
/// store gate (`None`: not root, where they are not expected), and `auto` goes on.
#[cfg(target_os = "linux")]
fn usable_systemd_creds(service: &str) -> Result<Arc<dyn SecretStore>, Option<String>> {
    use crate::io::systemd_creds::{Settings, Store, usable};
    let root = usable::is_root();
    let settings = Settings::from_env();
    let checked = settings.clone();
    let why = |reason: String| if root { Some(reason) } else { None };
    within(STORE_CALL_DEADLINE, StoreKind::SystemdCreds, move || {
        usable::check(&checked, root)
    })
    .map_err(|e| why(e.text))?
    .map_err(|e| why(e.to_string()))?;
    let store = KeyringStore::new(StoreKind::SystemdCreds, service, Store::new(settings));
    let probed = Arc::new(store.clone());
    store
        .timed("probe", PROBE_USER, move |s| {
            s.probe()
                .map_err(|reason| StoreError::from_reason(StoreKind::SystemdCreds, "", &reason))
        })
        .map_err(|e| why(e.message))?;
    Ok(probed)
}

/// Why `auto` did not choose systemd credentials here, for the store gate (Linux only).
#[cfg(target_os = "linux")]
pub fn systemd_creds_not_used() -> Option<String> {
    use crate::io::systemd_creds::{Settings, usable};
    let settings = Settings::from_env();
    match within(STORE_CALL_DEADLINE, StoreKind::SystemdCreds, move || {
        usable::check(&settings, usable::is_root())
    }) {
        Ok(Ok(())) => None,
        Ok(Err(why)) => Some(why.to_string()),
        Err(why) => Some(why.text),
    }
}

#[cfg(target_os = "linux")]
fn kernel_keyring_instead(service: &str, skipped: StoreReason) -> Result<Resolved, StoreError> {
    let store = KeyringStore::new(StoreKind::Keyutils, service, keyutils_store()?);
    match store.probe() {
        Ok(()) => Ok(Resolved {
            store: Arc::new(store),
            secret_service_skipped: Some(skipped),
            systemd_creds_skipped: None,
        }),
        Err(reason) => Err(StoreError::from_reason(
            StoreKind::Keyutils,
            &format!(
                "no usable secret store. Secret Service not used: {skipped}. Kernel keyring: "
            ),
            &reason,
        )),
    }
}

#[cfg(all(
    unix,
    not(any(
        target_os = "linux",
        target_os = "macos",
        target_os = "ios",
        target_os = "android"
    ))
))]
fn kernel_keyring_instead(_service: &str, skipped: StoreReason) -> Result<Resolved, StoreError> {
    Err(StoreError::from_reason(
        StoreKind::SecretService,
        "no usable secret store. Secret Service not used: ",
        &skipped,
    ))
}

const NO_BUS: &str = "there is no D-Bus session bus here (DBUS_SESSION_BUS_ADDRESS is not set \
     and $XDG_RUNTIME_DIR/bus does not exist), as in a plain SSH, cron or container session";

/// Whether a D-Bus session bus is worth trying: an address is set, or the
/// conventional socket `$XDG_RUNTIME_DIR/bus` exists.
fn session_bus_hint(bus_address: Option<&std::ffi::OsStr>, runtime_dir: Option<&Path>) -> bool {
    bus_address.is_some_and(|a| !a.is_empty())
        || runtime_dir.is_some_and(|d| !d.as_os_str().is_empty() && d.join("bus").exists())
}

/// Runs `job` on a helper thread and waits at most `limit`. `Err` is why not
/// ([`StoreProblem::NoAnswer`] past the deadline), naming the store. A job that misses
/// the deadline keeps its thread until it returns (or forever).
fn within<T: Send + 'static>(
    limit: Duration,
    kind: StoreKind,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreReason> {
    within_while_answering(limit, kind, &AtomicUsize::new(0), job)
}

/// [`within`] for a job that counts answers on `answered`: waited for while the count
/// grows, at most `limit` after the last answer.
fn within_while_answering<T: Send + 'static>(
    limit: Duration,
    kind: StoreKind,
    answered: &AtomicUsize,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreReason> {
    let name = store_name(kind);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(format!("wfm-wizard-{kind}"))
        .spawn(move || {
            // The receiver is gone when the deadline has passed: nobody wants the result.
            let _ = tx.send(job());
        })
        .map_err(|e| {
            StoreReason::new(
                StoreProblem::Other,
                format!("could not start a thread to reach the {name} ({e})"),
            )
        })?;
    let mut seen = answered.load(Ordering::SeqCst);
    loop {
        match rx.recv_timeout(limit) {
            Ok(done) => return Ok(done),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                let now = answered.load(Ordering::SeqCst);
                if now == seen {
                    return Err(StoreReason::new(
                        StoreProblem::NoAnswer,
                        format!("the {name} did not answer within {} s", limit.as_secs_f32()),
                    ));
                }
                seen = now;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(StoreReason::new(
                    StoreProblem::Other,
                    format!("the call to the {name} stopped unexpectedly"),
                ));
            }
        }
    }
}

/// How a store is named in sentences.
fn store_name(kind: StoreKind) -> &'static str {
    match kind {
        StoreKind::SecretService => "Secret Service",
        StoreKind::Keyutils => "kernel keyring",
        StoreKind::Keychain => "macOS Keychain",
        StoreKind::Windows => "Windows Credential Manager",
        StoreKind::SystemdCreds => "systemd credential store",
    }
}

#[cfg(test)]
mod tests;
