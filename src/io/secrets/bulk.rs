//! `get_many`: the Secret Service's bulk read (`io::secret_service_bulk`) where it
//! can, one deadline-bound read per user elsewhere.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use secrecy::SecretString;

use super::adapter::KeyringStore;
use super::{SecretStore, StoreError};

/// Set to `0` to read Secret Service entries one by one, as before bulk reads (to
/// compare the two, or to step around a Secret Service provider the bulk read upsets).
pub const BULK_READ_ENV: &str = "WFM_WIZARD_SECRET_SERVICE_BULK";

pub(super) fn bulk_reads_allowed() -> bool {
    std::env::var_os(BULK_READ_ENV).is_none_or(|v| v != "0")
}

/// The trait's default `get_many`: one deadline-bound read per user.
pub(super) fn one_by_one(
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
    pub(super) fn get_many_in_bulk(
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
