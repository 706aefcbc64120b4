//! The real stores of a session: the one chosen for new secrets, and any other a
//! reference names, each opened once. A store that could not be opened is not tried
//! again for [`OPEN_FAILURE_MEMORY`], so a command over many references to a hung
//! Secret Service waits out the connection deadline once, not once per reference.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::effects::StoreProvider;
use super::secrets::{self, SecretStore, StoreChoice, StoreError};
use crate::secret::{SERVICE, StoreKind};
use crate::wizard::StoreInfo;

/// How long a failure to open a store is given as the answer without trying again.
pub const OPEN_FAILURE_MEMORY: Duration = Duration::from_secs(30);

pub struct KeyringStores {
    choice: StoreChoice,
    opened: Mutex<BTreeMap<StoreKind, Opened>>,
}

enum Opened {
    Store(Arc<dyn SecretStore>),
    Failed(Instant, StoreError),
}

impl KeyringStores {
    pub fn new(choice: StoreChoice) -> Self {
        KeyringStores {
            choice,
            opened: Mutex::new(BTreeMap::new()),
        }
    }
}

impl StoreProvider for KeyringStores {
    fn resolve(&self) -> Result<StoreInfo, String> {
        let resolved = secrets::resolve(self.choice, SERVICE).map_err(|e| e.to_string())?;
        let kind = resolved.store.kind();
        self.opened
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(kind, Opened::Store(resolved.store));
        Ok(StoreInfo {
            kind,
            note: resolved.secret_service_skipped,
            systemd_creds_skipped: resolved.systemd_creds_skipped,
        })
    }

    fn open(&self, kind: StoreKind) -> Result<Arc<dyn SecretStore>, StoreError> {
        let mut opened = self.opened.lock().unwrap_or_else(PoisonError::into_inner);
        match opened.get(&kind) {
            Some(Opened::Store(store)) => return Ok(Arc::clone(store)),
            Some(Opened::Failed(when, error)) if when.elapsed() < OPEN_FAILURE_MEMORY => {
                return Err(error.clone());
            }
            _ => {}
        }
        match secrets::open(kind, SERVICE) {
            Ok(store) => {
                opened.insert(kind, Opened::Store(Arc::clone(&store)));
                Ok(store)
            }
            Err(error) => {
                opened.insert(kind, Opened::Failed(Instant::now(), error.clone()));
                Err(error)
            }
        }
    }
}
