//! An in-memory secret store for fast unit tests. Never used where operators meet it.

use std::collections::BTreeMap;
use std::sync::Mutex;

use secrecy::{ExposeSecret, SecretString};

use super::secrets::{SecretStore, StoreError, StoreProblem, StoreReason};
use crate::secret::StoreKind;

/// Holds secrets in a map and reports itself as `kind`. `fail_on_set` makes the
/// n-th `set` call (1-based) fail, for fault-injection tests; writes of draft entries
/// (`draft/…`, made as the operator types) are not counted, so a test can aim at a save.
pub struct MemoryStore {
    kind: StoreKind,
    service: String,
    entries: Mutex<BTreeMap<String, SecretString>>,
    sets: Mutex<u32>,
    fail_on_set: Option<u32>,
    /// What kind of failure the injected one is and what it says, when not the default.
    failure: Option<StoreReason>,
    /// Calls (get, set, delete) left before the process "dies": the call panics, so
    /// nothing after it runs, as with kill -9 (crash tests of the save journal).
    calls_before_death: Mutex<Option<u32>>,
}

impl MemoryStore {
    pub fn new(kind: StoreKind) -> Self {
        MemoryStore {
            kind,
            service: crate::secret::SERVICE.to_owned(),
            entries: Mutex::new(BTreeMap::new()),
            sets: Mutex::new(0),
            fail_on_set: None,
            failure: None,
            calls_before_death: Mutex::new(None),
        }
    }

    /// The next `calls` calls work; the one after panics ("the process died").
    pub fn die_after(&self, calls: u32) {
        *self
            .calls_before_death
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(calls);
    }

    /// Calls work again (the next process).
    pub fn revive(&self) {
        *self
            .calls_before_death
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    fn maybe_die(&self) {
        let mut left = self
            .calls_before_death
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match left.as_mut() {
            Some(0) => {
                *left = None;
                drop(left);
                panic!("simulated death of the process");
            }
            Some(n) => *n -= 1,
            None => {}
        }
    }

    #[must_use]
    pub fn failing_on_set(mut self, nth: u32) -> Self {
        self.fail_on_set = Some(nth);
        self
    }

    /// The injected failure is a `problem` that says `text` (e.g. a store that timed out).
    #[must_use]
    pub fn failing_with(mut self, problem: StoreProblem, text: &str) -> Self {
        self.failure = Some(StoreReason::new(problem, text));
        self
    }

    /// The user names currently stored, in order.
    pub fn users(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// The stored value, exposed: for test assertions only.
    pub fn value(&self, user: &str) -> Option<String> {
        self.lock().get(user).map(|s| s.expose_secret().to_owned())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, SecretString>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl SecretStore for MemoryStore {
    fn kind(&self) -> StoreKind {
        self.kind
    }

    fn service(&self) -> &str {
        &self.service
    }

    fn set(&self, user: &str, value: &SecretString) -> Result<(), StoreError> {
        self.maybe_die();
        let mut sets = self
            .sets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !crate::secret::is_draft_entry(user) {
            *sets += 1;
        }
        if self.fail_on_set == Some(*sets) && !crate::secret::is_draft_entry(user) {
            let failure = self.failure.clone().unwrap_or_else(|| {
                StoreReason::new(
                    StoreProblem::Other,
                    format!("injected failure on write {}", *sets),
                )
            });
            return Err(StoreError {
                store: self.kind,
                problem: failure.problem,
                message: failure.text,
            });
        }
        // As the real stores do (the kernel refuses a key of 32,768 bytes).
        if !self.kind.holds(value.expose_secret()) {
            return Err(StoreError::other(
                self.kind,
                format!("could not save `{user}`: the value is too long for this store"),
            ));
        }
        self.lock().insert(
            user.to_owned(),
            SecretString::from(value.expose_secret().to_owned()),
        );
        Ok(())
    }

    fn get(&self, user: &str) -> Result<Option<SecretString>, StoreError> {
        self.maybe_die();
        Ok(self
            .lock()
            .get(user)
            .map(|s| SecretString::from(s.expose_secret().to_owned())))
    }

    fn delete(&self, user: &str) -> Result<(), StoreError> {
        self.maybe_die();
        self.lock().remove(user);
        Ok(())
    }

    fn list(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.users())
    }
}

/// A provider of in-memory stores, one per kind, with `chosen` as the store for new secrets.
pub struct MemoryStores {
    pub chosen: StoreKind,
    stores: Mutex<BTreeMap<StoreKind, std::sync::Arc<MemoryStore>>>,
}

impl MemoryStores {
    pub fn new(chosen: StoreKind) -> Self {
        MemoryStores {
            chosen,
            stores: Mutex::new(BTreeMap::new()),
        }
    }

    /// Uses `store` for its kind (e.g. one that fails on purpose).
    #[must_use]
    pub fn with(self, store: MemoryStore) -> Self {
        self.stores
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(store.kind, std::sync::Arc::new(store));
        self
    }

    pub fn store(&self, kind: StoreKind) -> std::sync::Arc<MemoryStore> {
        let mut stores = self
            .stores
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        std::sync::Arc::clone(
            stores
                .entry(kind)
                .or_insert_with(|| std::sync::Arc::new(MemoryStore::new(kind))),
        )
    }
}

impl super::effects::StoreProvider for MemoryStores {
    fn resolve(&self) -> Result<crate::wizard::StoreInfo, String> {
        Ok(crate::wizard::StoreInfo {
            kind: self.chosen,
            note: None,
            systemd_creds_skipped: None,
        })
    }

    fn open(&self, kind: StoreKind) -> Result<std::sync::Arc<dyn SecretStore>, StoreError> {
        Ok(self.store(kind))
    }
}
