//! Whether the entries a loaded file refers to are still in their stores: one listing
//! per store (each within the store-call deadline), and a read only for an entry the
//! listing did not show, so a store whose listing misses entries cannot make one look
//! gone. Values read that way are dropped at once (zeroized); none leaves this file.

use std::collections::{BTreeSet, HashSet};

use super::StoreProvider;
use crate::secret::{SecretRef, StoreKind};
use crate::wizard::StoredCheck;

pub fn check(references: &[SecretRef], stores: &dyn StoreProvider) -> StoredCheck {
    let mut check = StoredCheck::default();
    let kinds: BTreeSet<StoreKind> = references.iter().map(|r| r.store).collect();
    for kind in kinds {
        let store = match stores.open(kind) {
            Ok(store) => store,
            Err(e) => {
                check.unchecked.push(e.to_string());
                continue;
            }
        };
        let listed: HashSet<String> = match store.list() {
            Ok(users) => users.into_iter().collect(),
            Err(e) => {
                check.unchecked.push(e.to_string());
                continue;
            }
        };
        for reference in references.iter().filter(|r| r.store == kind) {
            if listed.contains(&reference.user) {
                continue;
            }
            match store.get(&reference.user) {
                Ok(None) => check.missing.push(reference.clone()),
                Ok(Some(_)) => {}
                Err(e) => {
                    // The store stopped answering: what is left stays unchecked.
                    check.unchecked.push(e.to_string());
                    break;
                }
            }
        }
    }
    check
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;
    use crate::io::memory_store::MemoryStores;
    use crate::io::secrets::SecretStore;
    use crate::secret::SERVICE;

    fn reference(store: StoreKind, user: &str) -> SecretRef {
        SecretRef {
            store,
            service: SERVICE.to_owned(),
            user: user.to_owned(),
        }
    }

    #[test]
    fn an_entry_gone_from_its_store_is_reported_and_present_ones_are_not() {
        let stores = MemoryStores::new(StoreKind::Keyutils);
        let store = stores.store(StoreKind::Keyutils);
        store
            .set("ns/p/o/default/jwt", &SecretString::from("v"))
            .unwrap();
        let present = reference(StoreKind::Keyutils, "ns/p/o/default/jwt");
        let gone = reference(StoreKind::Keyutils, "ns/p/o/default/client_secret");
        let found = check(&[present, gone.clone()], &stores);
        assert_eq!(found.missing, vec![gone]);
        assert!(found.unchecked.is_empty(), "{:?}", found.unchecked);
    }
}
