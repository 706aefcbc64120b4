//! Every secret a document refers to, read from its store and held to its field's
//! rules, for `validate` and `status` alike: the same reading gives both commands the
//! same answer and the same exit status. No value ever leaves this module: callers get
//! a fingerprint and the rule's words.

use std::collections::{BTreeMap, HashMap};

use secrecy::{ExposeSecret, SecretString};

use super::inventory::{Presence, fingerprint, references};
use super::{EXIT_INVALID, EXIT_OK, EXIT_STORE_UNAVAILABLE};
use crate::catalog::Catalog;
use crate::config::Document;
use crate::io::effects::StoreProvider;
use crate::io::secrets::StoreError;
use crate::secret::{SecretRef, StoreKind};
use crate::validate::{Value, check_field};

/// One secret field of one integration and what its store holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSecret {
    pub index: usize,
    pub key: String,
    pub reference: SecretRef,
    pub presence: Presence,
}

/// Reads each referenced secret once, store by store, and checks each value present
/// against its field's rules at `now`.
pub fn read_and_check(
    document: &Document,
    catalog: &Catalog,
    stores: &dyn StoreProvider,
    now: i64,
) -> Vec<StoredSecret> {
    let refs = references(document);
    let mut by_store: BTreeMap<StoreKind, Vec<&str>> = BTreeMap::new();
    for (_, _, reference) in &refs {
        by_store
            .entry(reference.store)
            .or_default()
            .push(&reference.user);
    }
    let mut values: HashMap<StoreKind, Values> = HashMap::new();
    for (kind, users) in by_store {
        values.insert(kind, read_store(stores, kind, &users));
    }
    refs.into_iter()
        .map(|(index, key, reference)| {
            let read = values
                .get(&reference.store)
                .map_or(Ok(None), |v| v.get(&reference.user));
            let presence = match read {
                Ok(Some(value)) => {
                    let print = fingerprint(&reference.service, &reference.user, value);
                    match rule_error(catalog, document, index, &key, value, now) {
                        None => Presence::Present { fingerprint: print },
                        Some(why) => Presence::Invalid {
                            fingerprint: print,
                            why,
                        },
                    }
                }
                Ok(None) => Presence::Missing,
                Err(e) => Presence::Unreadable(e.to_string()),
            };
            StoredSecret {
                index,
                key,
                reference,
                presence,
            }
        })
        .collect()
}

/// What one store answered: the values found, or why it could not be read.
enum Values {
    Read(HashMap<String, Option<SecretString>>),
    Failed(StoreError),
}

impl Values {
    fn get(&self, user: &str) -> Result<Option<&SecretString>, StoreError> {
        match self {
            Values::Read(found) => Ok(found.get(user).and_then(Option::as_ref)),
            Values::Failed(e) => Err(e.clone()),
        }
    }
}

fn read_store(stores: &dyn StoreProvider, kind: StoreKind, users: &[&str]) -> Values {
    match stores.open(kind).and_then(|store| store.get_many(users)) {
        Ok(found) => Values::Read(found),
        Err(e) => Values::Failed(e),
    }
}

/// The field rule a stored value breaks, in the rule's own words (which never quote it).
fn rule_error(
    catalog: &Catalog,
    document: &Document,
    index: usize,
    key: &str,
    value: &SecretString,
    now: i64,
) -> Option<String> {
    let integration = document.integrations.get(index)?;
    let def = catalog.platform(&integration.platform)?.field(key)?;
    let typed = value.expose_secret();
    let check = check_field(
        def,
        Value::Secret {
            typed: Some(typed),
            stored: true,
        },
        now,
    );
    check.error
}

/// The exit status both commands give: 3 when the file or a stored secret is
/// invalid or missing, else 4 when a store could not be read, else 0.
pub fn exit_status(document_errors: usize, secrets: &[StoredSecret]) -> u8 {
    let invalid = document_errors > 0
        || secrets
            .iter()
            .any(|s| matches!(s.presence, Presence::Missing | Presence::Invalid { .. }));
    if invalid {
        EXIT_INVALID
    } else if secrets
        .iter()
        .any(|s| matches!(s.presence, Presence::Unreadable(_)))
    {
        EXIT_STORE_UNAVAILABLE
    } else {
        EXIT_OK
    }
}
