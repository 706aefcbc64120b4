//! The real stores of a session: the one chosen for new secrets, and any other a
//! reference names, each opened once.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::effects::StoreProvider;
use super::secrets::{self, SecretStore, StoreChoice, StoreError};
use crate::secret::{SERVICE, StoreKind};
use crate::wizard::StoreInfo;

pub struct KeyringStores {
    choice: StoreChoice,
    opened: Mutex<BTreeMap<StoreKind, Arc<dyn SecretStore>>>,
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
            .insert(kind, resolved.store);
        Ok(StoreInfo {
            kind,
            note: resolved.secret_service_skipped,
        })
    }

    fn open(&self, kind: StoreKind) -> Result<Arc<dyn SecretStore>, StoreError> {
        let mut opened = self.opened.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(store) = opened.get(&kind) {
            return Ok(Arc::clone(store));
        }
        let store = secrets::open(kind, SERVICE)?;
        opened.insert(kind, Arc::clone(&store));
        Ok(store)
    }
}
