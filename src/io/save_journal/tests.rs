use std::panic::{AssertUnwindSafe, catch_unwind};

use secrecy::ExposeSecret;

use super::*;
use crate::io::memory_store::MemoryStores;
use crate::io::secrets::SecretStore;
use crate::secret::{SERVICE, StoreKind};

const KIND: StoreKind = StoreKind::Keyutils;
const A: &str = "0123456789ab/p/o/default/client_secret";
const B: &str = "0123456789ab/p/o/default/jwt";
/// A new entry (a group renamed to `east`): it had no earlier value.
const C: &str = "0123456789ab/p/o/east/jwt";

fn reference(user: &str) -> SecretRef {
    SecretRef {
        store: KIND,
        service: SERVICE.into(),
        user: user.into(),
    }
}

/// The old world: a file at revision 1 whose secrets A and B hold "old-…".
fn old_world() -> (tempfile::TempDir, PathBuf, MemoryStores) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("integrations.yaml");
    std::fs::write(&config, "revision: 1\n").unwrap();
    let stores = MemoryStores::new(KIND);
    let store = stores.store(KIND);
    store.set(A, &SecretString::from("old-a")).unwrap();
    store.set(B, &SecretString::from("old-b")).unwrap();
    (dir, config, stores)
}

/// Saves "revision: 2": each of `values` (entry, new value) is written, `deletes` go
/// afterwards, and `write_file` switches the file.
fn save_with(
    config: &Path,
    stores: &MemoryStores,
    values: &[(&str, &str)],
    deletes: &[&str],
    write_file: &dyn Fn(&str) -> Result<(), String>,
) -> Result<Vec<String>, JournalError> {
    let targets: Vec<SecretRef> = values.iter().map(|(user, _)| reference(user)).collect();
    let deletes: Vec<SecretRef> = deletes.iter().map(|user| reference(user)).collect();
    let work = SaveWork {
        config,
        expected: Some(&text_hash("revision: 1\n")),
        text: "revision: 2\n",
        values: targets
            .iter()
            .zip(values)
            .map(|(target, (_, value))| NewValue {
                target,
                value: SecretString::from(*value),
            })
            .collect(),
        deletes: &deletes,
        write_file,
        before_commit: &|_| Ok(()),
        audit: None,
    };
    save(&work, stores)
}

/// Revision 2: A and B get new values, C is new, and old entry B is to go afterwards
/// (as when a group is renamed, B moves to C).
fn save_revision_2(config: &Path, stores: &MemoryStores) -> Result<Vec<String>, JournalError> {
    save_with(
        config,
        stores,
        &[(A, "new-a"), (B, "new-b"), (C, "new-c")],
        &[B],
        &|text| std::fs::write(config, text).map_err(|e| e.to_string()),
    )
}

fn values(stores: &MemoryStores) -> Vec<(String, String)> {
    let store = stores.store(KIND);
    store
        .users()
        .into_iter()
        .map(|u| {
            let v = store.value(&u).unwrap();
            (u, v)
        })
        .collect()
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(u, v)| ((*u).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn a_save_switches_file_and_secrets_and_leaves_nothing_behind() {
    let (_dir, config, stores) = old_world();
    let warnings = save_revision_2(&config, &stores).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "revision: 2\n");
    assert_eq!(values(&stores), owned(&[(A, "new-a"), (C, "new-c")]));
    assert!(!journal_path(&config).exists());
}

/// Kills the save at every store call in turn (and right after the file is switched),
/// then lets the next start recover: always the whole old world or the whole new one,
/// never a journal or a parked value left.
#[test]
fn whatever_instant_the_process_dies_the_next_start_finds_all_old_or_all_new() {
    let old = owned(&[(A, "old-a"), (B, "old-b")]);
    let new = owned(&[(A, "new-a"), (C, "new-c")]);
    let (mut saw_old, mut saw_new) = (0, 0);
    for calls in 0..40 {
        let (_dir, config, stores) = old_world();
        stores.store(KIND).die_after(calls);
        let died = catch_unwind(AssertUnwindSafe(|| save_revision_2(&config, &stores))).is_err();
        stores.store(KIND).revive();
        let recovered = recover(&config, &stores).unwrap();
        let text = std::fs::read_to_string(&config).unwrap();
        let now = values(&stores);
        assert!(
            !journal_path(&config).exists(),
            "journal left after death at call {calls}"
        );
        if text == "revision: 1\n" {
            assert_eq!(
                now, old,
                "old file with other secrets after death at call {calls}"
            );
            saw_old += 1;
        } else {
            assert_eq!(text, "revision: 2\n");
            assert_eq!(
                now, new,
                "new file with other secrets after death at call {calls}"
            );
            saw_new += 1;
        }
        if !died {
            assert_eq!(recovered, Recovered::Nothing);
            break;
        }
    }
    assert!(saw_old > 3 && saw_new > 0, "old {saw_old}, new {saw_new}");
}

#[test]
fn death_right_after_the_file_is_switched_is_rolled_forward() {
    let (_dir, config, stores) = old_world();
    let dies_after_the_rename = |text: &str| -> Result<(), String> {
        std::fs::write(&config, text).unwrap();
        panic!("simulated death after the rename")
    };
    let save = || {
        save_with(
            &config,
            &stores,
            &[(A, "new-a"), (B, "new-b")],
            &[B],
            &dies_after_the_rename,
        )
    };
    assert!(catch_unwind(AssertUnwindSafe(save)).is_err());
    assert!(journal_path(&config).exists());
    assert!(
        values(&stores).iter().any(|(u, _)| is_parked(u)),
        "parked values wait"
    );
    assert_eq!(recover(&config, &stores).unwrap(), Recovered::RolledForward);
    assert_eq!(values(&stores), owned(&[(A, "new-a")]));
}

#[test]
fn a_file_changed_on_disk_since_it_was_loaded_is_not_overwritten() {
    let (_dir, config, stores) = old_world();
    std::fs::write(&config, "revision: 1\n# edited in vi\n").unwrap();
    assert!(matches!(
        save_revision_2(&config, &stores),
        Err(JournalError::FileChanged)
    ));
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        "revision: 1\n# edited in vi\n"
    );
    assert_eq!(values(&stores), owned(&[(A, "old-a"), (B, "old-b")]));
}

#[test]
fn a_failed_file_write_puts_every_entry_back() {
    let (_dir, config, stores) = old_world();
    let error = save_with(
        &config,
        &stores,
        &[(A, "new-a"), (C, "new-c")],
        &[],
        &|_| Err("disk full".into()),
    )
    .unwrap_err();
    assert!(error.to_string().contains("disk full"), "{error}");
    assert_eq!(values(&stores), owned(&[(A, "old-a"), (B, "old-b")]));
    assert!(!journal_path(&config).exists());
}

#[test]
fn a_reader_waits_for_a_live_save_and_then_finds_no_journal() {
    let (_dir, config, stores) = old_world();
    let journal = Journal {
        version: JOURNAL_VERSION,
        old_hash: None,
        new_hash: text_hash("x"),
        entries: Vec::new(),
        deletes: Vec::new(),
        audit: None,
    };
    let held = Held::create(&config, &journal).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            tx.send(recover(&config, &stores).map_err(|e| e.to_string()))
                .unwrap();
        });
        // The reader is blocked on the lock while the save holds it.
        assert!(
            rx.recv_timeout(std::time::Duration::from_millis(200))
                .is_err()
        );
        held.finish().unwrap();
        assert_eq!(rx.recv().unwrap(), Ok(Recovered::Nothing));
    });
}

#[test]
fn parked_names_stay_in_the_namespace() {
    assert_eq!(
        parked_name(A),
        "0123456789ab/undo/p/o/default/client_secret"
    );
    assert!(is_parked(&parked_name(A)));
    assert!(!is_parked(A));
    let value = SecretString::from("v");
    assert_eq!(value.expose_secret(), "v");
}
