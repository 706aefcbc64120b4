//! Carrying out the draft effects: typed secrets into draft keyring entries, the
//! non-secret answers into the draft file, and removing both.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::StoreProvider;
use crate::io::draft_file;
use crate::secret::SecretRef;
use crate::wizard::{DraftPlan, LoadedSecrets};

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
/// then entries no longer named.
pub fn save(plan: &DraftPlan, stores: &dyn StoreProvider, config: &Path) -> Result<(), String> {
    in_order(config, plan.generation, || {
        for write in &plan.writes {
            stores
                .open(write.target.store)
                .and_then(|store| store.set(&write.target.user, &write.value))
                .map_err(|e| format!("cannot keep a typed secret in {e}"))?;
        }
        draft_file::write(config, &plan.snapshot).map_err(|e| {
            format!(
                "cannot write {}: {e}",
                draft_file::path_for(config).display()
            )
        })?;
        delete_entries(&plan.deletes, stores)
    })
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
