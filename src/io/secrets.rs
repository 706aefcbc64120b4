//! The OS keyring, through keyring-core and its store crates. The only file that imports them.

use std::sync::Arc;

use secrecy::SecretString;

use crate::secret::StoreKind;

/// A failure talking to a store. The message never contains a secret value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError {
    pub store: StoreKind,
    pub message: String,
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
}

/// Which store to use, as given on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreChoice {
    Auto,
    Named(StoreKind),
}

// TODO(helper): open(), auto_select() and the keyring-core adapter.
