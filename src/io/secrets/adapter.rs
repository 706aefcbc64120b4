//! The one adapter every keyring-core store is seen through: [`SecretStore`] with a
//! deadline on every call (see the module docs of `io::secrets`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::Duration;

use keyring_core::{CredentialStore, Entry, Error};
use secrecy::{ExposeSecret, SecretString};

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
use super::bulk::bulk_reads_allowed;
use super::bulk::one_by_one;
use super::deadline::{store_name, within_while_answering};
use super::explain::explain;
use super::proc_keys::kernel_key_users;
use super::{PROBE_USER, STORE_CALL_DEADLINE, SecretStore, StoreError, StoreProblem, StoreReason};
use crate::secret::StoreKind;

/// Any keyring-core store, seen through [`SecretStore`]. Cheap to clone: the
/// connection is shared.
#[derive(Clone)]
pub(super) struct KeyringStore {
    pub(super) kind: StoreKind,
    pub(super) service: String,
    pub(super) inner: Arc<CredentialStore>,
    pub(super) deadline: Duration,
    /// Calls that missed their deadline and are still blocked in the store. While
    /// there is one, the store is not answering: new calls fail at once instead of
    /// each waiting out its own deadline (a save's rollback, `status` over many
    /// secrets).
    pub(super) stuck: Arc<AtomicUsize>,
}

pub(super) const RUNNING: u8 = 0;
pub(super) const DONE: u8 = 1;
pub(super) const TIMED_OUT: u8 = 2;

/// Marks a call finished when dropped (also when its job panics, or never starts).
pub(super) struct CallDone {
    state: Arc<AtomicU8>,
    pub(super) stuck: Arc<AtomicUsize>,
}

impl Drop for CallDone {
    fn drop(&mut self) {
        if self.state.swap(DONE, Ordering::SeqCst) == TIMED_OUT {
            self.stuck.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl KeyringStore {
    pub(super) fn new(kind: StoreKind, service: &str, inner: Arc<CredentialStore>) -> Self {
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
    pub(super) fn prepare_thread(&self) {
        #[cfg(target_os = "linux")]
        if self.kind == StoreKind::Keyutils {
            // An error here (a kernel without persistent keyrings, keyctl blocked by
            // seccomp) is not fatal by itself; the store's own calls report the real one.
            let _ =
                linux_keyutils::KeyRing::get_persistent(linux_keyutils::KeyRingIdentifier::Session);
        }
    }

    pub(super) fn entry(&self, user: &str) -> keyring_core::Result<Entry> {
        self.prepare_thread();
        self.inner.build(&self.service, user, None)
    }

    pub(super) fn failed(&self, verb: &str, user: &str, err: &Error) -> StoreError {
        StoreError::from_reason(
            self.kind,
            &format!("could not {verb} `{user}`: "),
            &explain(self.kind, err),
        )
    }

    /// Writes and deletes [`PROBE_USER`]; `Err` is why not. A write that fails
    /// half-way may still have left the entry: it is removed either way.
    pub(super) fn probe(&self) -> Result<(), StoreReason> {
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
    pub(super) fn timed<T: Send + 'static>(
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
    pub(super) fn timed_while_answering<T: Send + 'static>(
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

    pub(super) fn set_now(&self, user: &str, value: &SecretString) -> Result<(), StoreError> {
        self.entry(user)
            .and_then(|entry| entry.set_password(value.expose_secret()))
            .map_err(|e| self.failed("save", user, &e))
    }

    pub(super) fn get_now(&self, user: &str) -> Result<Option<SecretString>, StoreError> {
        match self.entry(user).and_then(|entry| entry.get_password()) {
            Ok(value) => Ok(Some(SecretString::from(value))),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(self.failed("read", user, &e)),
        }
    }

    pub(super) fn delete_now(&self, user: &str) -> Result<(), StoreError> {
        match self.entry(user).and_then(|entry| entry.delete_credential()) {
            Ok(()) | Err(Error::NoEntry) => Ok(()),
            Err(e) => Err(self.failed("delete", user, &e)),
        }
    }

    pub(super) fn list_now(&self) -> Result<Vec<String>, StoreError> {
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
