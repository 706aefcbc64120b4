//! The systemd credential store seen through keyring-core's traits, so the rest of the
//! program uses it like the other stores (through `io::secrets`' adapter).

use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::api::{CredentialApi, CredentialPersistence, CredentialStoreApi};
use keyring_core::{Credential, Entry, Error};

use super::{CredsError, Settings, exists, name};

/// keyring-core's error for one of ours: the adapter shows [`CredsError`]'s words.
fn platform(error: CredsError) -> Error {
    match error {
        CredsError::NeedsRoot => Error::NoStorageAccess(Box::new(error)),
        other => Error::PlatformFailure(Box::new(other)),
    }
}

/// The typed error inside a keyring-core error from this store, if it is one.
pub fn creds_error(error: &Error) -> Option<&CredsError> {
    match error {
        Error::PlatformFailure(inner) | Error::NoStorageAccess(inner) => inner.downcast_ref(),
        _ => None,
    }
}

/// The store: builds entries and lists them.
#[derive(Debug)]
pub struct Store {
    settings: Arc<Settings>,
}

impl Store {
    pub fn new(settings: Settings) -> Arc<Store> {
        Arc::new(Store {
            settings: Arc::new(settings),
        })
    }

    fn entry(&self, service: &str, user: &str) -> keyring_core::Result<Entry> {
        let id = name::credential_id(service, user).ok_or_else(|| {
            platform(CredsError::NameTooLong {
                user: user.to_owned(),
            })
        })?;
        Ok(Entry::new_with_credential(Arc::new(Cred {
            settings: Arc::clone(&self.settings),
            service: service.to_owned(),
            user: user.to_owned(),
            id,
        })))
    }
}

impl CredentialStoreApi for Store {
    fn vendor(&self) -> String {
        "wfm-wizard systemd-creds store".to_owned()
    }

    fn id(&self) -> String {
        self.settings.dir.display().to_string()
    }

    fn build(
        &self,
        service: &str,
        user: &str,
        _modifiers: Option<&HashMap<&str, &str>>,
    ) -> keyring_core::Result<Entry> {
        self.entry(service, user)
    }

    /// Only `{"service": S}` is supported: every entry of service S with a file.
    fn search(&self, spec: &HashMap<&str, &str>) -> keyring_core::Result<Vec<Entry>> {
        let Some(service) = spec.get("service") else {
            return Err(Error::Invalid(
                "search".into(),
                "needs a service to search under".into(),
            ));
        };
        self.settings
            .users(service)
            .map_err(platform)?
            .iter()
            .map(|user| self.entry(service, user))
            .collect()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn persistence(&self) -> CredentialPersistence {
        CredentialPersistence::UntilDelete
    }
}

/// One credential: a file named by its ID.
#[derive(Debug)]
struct Cred {
    settings: Arc<Settings>,
    service: String,
    user: String,
    id: String,
}

impl CredentialApi for Cred {
    fn set_secret(&self, secret: &[u8]) -> keyring_core::Result<()> {
        self.settings.ensure_key_check().map_err(platform)?;
        self.settings.encrypt(&self.id, secret).map_err(platform)
    }

    fn get_secret(&self) -> keyring_core::Result<Vec<u8>> {
        match self.settings.decrypt(&self.id).map_err(platform)? {
            Some(secret) => Ok(secret.to_vec()),
            None => Err(Error::NoEntry),
        }
    }

    /// The entry's names, without decrypting (listing must not fail on one bad file).
    fn get_attributes(&self) -> keyring_core::Result<HashMap<String, String>> {
        if !exists(&self.settings.path_of(&self.id)).map_err(platform)? {
            return Err(Error::NoEntry);
        }
        Ok(HashMap::from([
            ("service".to_owned(), self.service.clone()),
            ("username".to_owned(), self.user.clone()),
        ]))
    }

    fn delete_credential(&self) -> keyring_core::Result<()> {
        if self.settings.remove(&self.id).map_err(platform)? {
            Ok(())
        } else {
            Err(Error::NoEntry)
        }
    }

    fn get_credential(&self) -> keyring_core::Result<Option<Arc<Credential>>> {
        if exists(&self.settings.path_of(&self.id)).map_err(platform)? {
            Ok(None)
        } else {
            Err(Error::NoEntry)
        }
    }

    fn get_specifiers(&self) -> Option<(String, String)> {
        Some((self.service.clone(), self.user.clone()))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
