//! Carrying out the draft effects: typed secrets into draft keyring entries, the
//! non-secret answers into the draft file, and removing both.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::StoreProvider;
use crate::config::draft::{DraftField, Snapshot};
use crate::io::draft_file;
use crate::secret::{SecretRef, StoreKind, is_draft_entry, namespace_of};
use crate::wizard::{DraftPlan, LoadedSecrets, NotKept};

/// The newest generation carried out per config path. Draft effects run on their own
/// threads; holding this lock while writing keeps them in order, and an older plan
/// that arrives late is skipped instead of overwriting a newer draft.
static CARRIED_OUT: Mutex<BTreeMap<PathBuf, u64>> = Mutex::new(BTreeMap::new());

/// Runs `work` unless a newer generation already ran for `path`.
fn in_order(
    path: &Path,
    generation: u64,
    work: impl FnOnce() -> Result<(), String>,
) -> Result<(), String> {
    let mut done = CARRIED_OUT.lock().unwrap_or_else(PoisonError::into_inner);
    let last = done.entry(path.to_owned()).or_insert(0);
    if *last >= generation {
        return Ok(());
    }
    *last = generation;
    work()
}

/// Secrets first, so the file never names an entry that is not there; then the file;
/// then entries no longer named. A secret the store refuses (too long, over quota, the
/// store gone) is left out of the file and listed in the answer: the rest is kept.
pub fn save(
    plan: &DraftPlan,
    stores: &dyn StoreProvider,
    config: &Path,
) -> Result<Vec<NotKept>, String> {
    let mut not_kept = Vec::new();
    in_order(config, plan.generation, || {
        for write in &plan.writes {
            if let Err(e) = stores
                .open(write.target.store)
                .and_then(|store| store.set(&write.target.user, &write.value))
            {
                not_kept.push(NotKept {
                    entry: write.target.clone(),
                    why: e.to_string(),
                });
            }
        }
        let mut snapshot = plan.snapshot.clone();
        if !not_kept.is_empty() {
            forget_entries(&mut snapshot, &not_kept);
        }
        draft_file::write(config, &snapshot).map_err(|e| {
            format!(
                "cannot write {}: {e}",
                draft_file::path_for(config).display()
            )
        })?;
        delete_entries(&plan.deletes, stores)
    })?;
    Ok(not_kept)
}

/// The draft file must not name an entry that was not written.
fn forget_entries(snapshot: &mut Snapshot, not_kept: &[NotKept]) {
    for field in snapshot
        .integrations
        .iter_mut()
        .flat_map(|i| i.fields.iter_mut())
    {
        if let DraftField::Secret { typed, .. } = field
            && typed
                .as_ref()
                .is_some_and(|t| not_kept.iter().any(|n| n.entry == *t))
        {
            *typed = None;
        }
    }
}

/// Removes the draft file, then its entries.
pub fn discard(
    generation: u64,
    entries: &[SecretRef],
    stores: &dyn StoreProvider,
    config: &Path,
) -> Result<(), String> {
    in_order(config, generation, || {
        draft_file::remove(config).map_err(|e| {
            format!(
                "cannot remove {}: {e}",
                draft_file::path_for(config).display()
            )
        })?;
        delete_entries(entries, stores)
    })
}

fn delete_entries(entries: &[SecretRef], stores: &dyn StoreProvider) -> Result<(), String> {
    let failed: Vec<String> = entries
        .iter()
        .filter_map(|entry| {
            stores
                .open(entry.store)
                .and_then(|store| store.delete(&entry.user))
                .err()
                .map(|e| format!("{} ({e})", entry.user))
        })
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "these draft keyring entries could not be removed: {}",
            failed.join("; ")
        ))
    }
}

/// Removes the draft entries of `namespaces` in `kind` that the draft file does not
/// name: left by a session that died between writing its entries and its draft file,
/// or between removing them. Holds the same lock as draft saves, which write their
/// entries and the file that names them in one go, so this session's own entries are
/// always named when it looks. Returns how many went.
pub fn clean_orphans(
    namespaces: &[String],
    kind: StoreKind,
    stores: &dyn StoreProvider,
    config: &Path,
) -> Result<usize, String> {
    let done = CARRIED_OUT.lock().unwrap_or_else(PoisonError::into_inner);
    let named: Vec<SecretRef> = match draft_file::read(config) {
        Ok(snapshot) => snapshot.map(|s| s.typed_entries()).unwrap_or_default(),
        Err(_) => return Ok(0), // an unreadable draft: the operator decides about it
    };
    let mut removed = 0;
    let mut failed = Vec::new();
    // A store that cannot be reached here holds nothing this start can tidy.
    let Ok(store) = stores.open(kind) else {
        return Ok(0);
    };
    let Ok(users) = store.list() else {
        return Ok(0);
    };
    {
        for user in users {
            let ours = namespace_of(&user).is_some_and(|n| namespaces.iter().any(|m| m == n));
            let is_named = named.iter().any(|r| r.store == kind && r.user == user);
            if ours && is_draft_entry(&user) && !is_named {
                match store.delete(&user) {
                    Ok(()) => removed += 1,
                    Err(e) => failed.push(format!("{user} ({e})")),
                }
            }
        }
    }
    drop(done);
    if failed.is_empty() {
        Ok(removed)
    } else {
        Err(format!(
            "draft keyring entries no draft names could not be removed: {}",
            failed.join("; ")
        ))
    }
}

/// Reads each entry back; a missing one is `None`, an unreachable store an error.
pub fn load_secrets(
    entries: &[SecretRef],
    stores: &dyn StoreProvider,
) -> Result<LoadedSecrets, String> {
    entries
        .iter()
        .map(|entry| {
            stores
                .open(entry.store)
                .and_then(|store| store.get(&entry.user))
                .map(|value| (entry.clone(), value))
                .map_err(|e| e.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::memory_store::MemoryStores;
    use crate::secret::StoreKind;
    use crate::test_support::*;
    use crate::wizard::{Action, Msg, StoreInfo, Wizard};

    const ENTRY: &str = "000000000000/draft/ringcentral-v1/historical/default/client_secret";

    fn session() -> Wizard {
        let mut w = wizard();
        w.update(Msg::StoreResolved(Ok(StoreInfo {
            kind: StoreKind::Keyutils,
            note: None,
            systemd_creds_skipped: None,
        })));
        act(&mut w, Action::Enter);
        add_integration(&mut w, "", &jwt_never_expires());
        w
    }

    #[test]
    fn saving_parks_secrets_in_draft_entries_and_discarding_removes_everything() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let stores = MemoryStores::new(StoreKind::Keyutils);
        let mut w = session();
        save(&draft_plan(&mut w), &stores, &config).unwrap();
        let store = stores.store(StoreKind::Keyutils);
        assert_eq!(store.value(ENTRY).as_deref(), Some(CLIENT_SECRET));
        let text = std::fs::read_to_string(draft_file::path_for(&config)).unwrap();
        assert!(
            text.contains(ENTRY) && !text.contains(CLIENT_SECRET),
            "{text}"
        );

        let entries = w.draft_entries().to_vec();
        let loaded = load_secrets(&entries, &stores).unwrap();
        assert!(loaded.iter().all(|(_, v)| v.is_some()));

        discard(99, &entries, &stores, &config).unwrap();
        assert!(store.users().is_empty(), "{:?}", store.users());
        assert!(!draft_file::path_for(&config).exists());
        assert!(
            load_secrets(&entries, &stores)
                .unwrap()
                .iter()
                .all(|(_, v)| v.is_none())
        );
    }

    #[test]
    fn draft_entries_no_draft_names_are_removed_before_the_session_writes_any() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let stores = MemoryStores::new(StoreKind::Keyutils);
        let store = stores.store(StoreKind::Keyutils);
        let value = secrecy::SecretString::from("v");
        let other_config = "ba9876543210/draft/ringcentral-v1/historical/default/jwt";
        let legacy = "draft/ringcentral-v1/historical/default/jwt";
        let saved = "000000000000/ringcentral-v1/historical/default/jwt";
        for user in [ENTRY, other_config, legacy, saved] {
            crate::io::secrets::SecretStore::set(store.as_ref(), user, &value).unwrap();
        }
        let ours = ["000000000000".to_owned()];
        let clean = || clean_orphans(&ours, StoreKind::Keyutils, &stores, &config);
        assert_eq!(clean(), Ok(1));
        let mut left = vec![other_config, saved, legacy];
        left.sort_unstable();
        assert_eq!(
            store.users(),
            left,
            "only this config's unnamed draft entry went"
        );
        // Entries the draft file names are kept; once it is gone, they are orphans.
        let mut w = session();
        save(&draft_plan(&mut w), &stores, &config).unwrap();
        assert_eq!(clean(), Ok(0));
        assert_eq!(store.value(ENTRY).as_deref(), Some(CLIENT_SECRET));
        draft_file::remove(&config).unwrap();
        assert_eq!(clean(), Ok(2), "the client secret's and the JWT's entries");
    }

    #[test]
    fn a_secret_the_store_refuses_is_left_out_and_the_rest_of_the_draft_is_saved() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let stores = MemoryStores::new(StoreKind::Keyutils);
        let mut w = session();
        let mut plan = draft_plan(&mut w);
        assert_eq!(plan.writes.len(), 2, "the client secret and the JWT");
        let refused = plan.writes[1].target.clone();
        plan.writes[1].value = secrecy::SecretString::from("a".repeat(100_000));
        let not_kept = save(&plan, &stores, &config).expect("the draft is saved");
        assert_eq!(not_kept.len(), 1, "{not_kept:?}");
        assert_eq!(not_kept[0].entry, refused);
        assert!(not_kept[0].why.contains("too long"), "{:?}", not_kept[0]);
        let snapshot = draft_file::read(&config).unwrap().expect("a draft file");
        assert_eq!(
            snapshot.typed_entries(),
            vec![plan.writes[0].target.clone()]
        );
        assert_eq!(
            stores.store(StoreKind::Keyutils).users(),
            vec![plan.writes[0].target.user.clone()]
        );
    }

    #[test]
    fn a_plan_older_than_one_carried_out_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let stores = MemoryStores::new(StoreKind::Keyutils);
        let mut w = session();
        let older = draft_plan(&mut w);
        let newer = draft_plan(&mut w);
        save(&newer, &stores, &config).unwrap();
        discard(newer.generation + 1, &[], &stores, &config).unwrap();
        save(&older, &stores, &config).unwrap();
        assert!(
            !draft_file::path_for(&config).exists(),
            "a late, older draft does not bring back a discarded one"
        );
    }
}
