use std::cell::RefCell;

use secrecy::SecretString;

use super::*;
use crate::io::memory_store::{MemoryStore, MemoryStores};
use crate::test_support::*;
use crate::wizard::Action;

fn plan_for_one_integration(store: StoreKind) -> SavePlan {
    let mut w = wizard();
    act(&mut w, Action::Enter);
    add_integration(&mut w, "", &jwt_never_expires());
    w.save_plan(store)
}

const JWT_USER: &str = "000000000000/ringcentral-v1/historical/default/jwt";
const SECRET_USER: &str = "000000000000/ringcentral-v1/historical/default/client_secret";

/// A config path in a fresh directory (the journal goes beside it).
fn config() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("integrations.yaml");
    (dir, path)
}

#[test]
fn secrets_are_stored_before_the_file_is_written() {
    let stores = MemoryStores::new(StoreKind::SecretService);
    let seen_at_write = RefCell::new(Vec::new());
    let report = execute_save(
        &plan_for_one_integration(StoreKind::SecretService),
        &stores,
        &config().1,
        &|text| {
            seen_at_write
                .borrow_mut()
                .extend(stores.store(StoreKind::SecretService).users());
            assert!(!text.contains(CLIENT_SECRET));
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(*seen_at_write.borrow(), [SECRET_USER, JWT_USER]);
    assert_eq!(report.secrets_written, 2);
    assert_eq!(
        stores
            .store(StoreKind::SecretService)
            .value(SECRET_USER)
            .as_deref(),
        Some(CLIENT_SECRET)
    );
}

#[test]
fn a_failed_file_write_removes_the_secrets_stored_for_new_entries() {
    let stores = MemoryStores::new(StoreKind::Keyutils);
    let (_dir, path) = config();
    let error = execute_save(
        &plan_for_one_integration(StoreKind::Keyutils),
        &stores,
        &path,
        &|_| Err("read-only file system".into()),
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains(&format!(
            "Could not write {}: read-only file system",
            path.display()
        )),
        "{error}"
    );
    assert!(error.contains("the keyring is as it was"), "{error}");
    assert!(stores.store(StoreKind::Keyutils).users().is_empty());
}

#[test]
fn a_failed_file_write_restores_a_replaced_secret() {
    let stores = MemoryStores::new(StoreKind::Keyutils);
    let old = SecretString::from("old-value".to_owned());
    stores
        .store(StoreKind::Keyutils)
        .set(SECRET_USER, &old)
        .unwrap();
    let result = execute_save(
        &plan_for_one_integration(StoreKind::Keyutils),
        &stores,
        &config().1,
        &|_| Err("disk full".into()),
    );
    assert!(result.is_err());
    let store = stores.store(StoreKind::Keyutils);
    assert_eq!(store.value(SECRET_USER).as_deref(), Some("old-value"));
    assert_eq!(store.value(JWT_USER), None);
}

#[test]
fn a_store_that_fails_on_the_second_write_leaves_nothing_and_writes_no_file() {
    let stores = MemoryStores::new(StoreKind::SecretService)
        .with(MemoryStore::new(StoreKind::SecretService).failing_on_set(2));
    let wrote = RefCell::new(false);
    let error = execute_save(
        &plan_for_one_integration(StoreKind::SecretService),
        &stores,
        &config().1,
        &|_| {
            *wrote.borrow_mut() = true;
            Ok(())
        },
    )
    .unwrap_err()
    .to_string();
    assert!(!*wrote.borrow());
    assert!(
        error.contains(&format!(
            "Could not store {JWT_USER} in secret-service: injected failure"
        )),
        "{error}"
    );
    assert!(stores.store(StoreKind::SecretService).users().is_empty());
}

/// The save's advice follows the store's kind of failure, not its words.
#[test]
fn the_advice_after_a_failed_save_follows_the_problem_not_the_words() {
    let advice = |problem, words: &str| {
        let stores = MemoryStores::new(StoreKind::SecretService).with(
            MemoryStore::new(StoreKind::SecretService)
                .failing_on_set(2)
                .failing_with(problem, words),
        );
        execute_save(
            &plan_for_one_integration(StoreKind::SecretService),
            &stores,
            &config().1,
            &|_| Ok(()),
        )
        .unwrap_err()
        .to_string()
    };
    let reworded = advice(StoreProblem::NoAnswer, "the keyring daemon went quiet");
    assert!(reworded.contains("wfm-wizard prune"), "{reworded}");
    assert!(!reworded.contains("as it was before"), "{reworded}");
    let other = advice(StoreProblem::Other, "it did not answer within 5 s, it says");
    assert!(other.contains("as it was before"), "{other}");
    assert!(!other.contains("wfm-wizard prune"), "{other}");
}

#[test]
fn a_store_that_timed_out_is_not_promised_to_be_as_it_was() {
    let stores = MemoryStores::new(StoreKind::SecretService).with(
        MemoryStore::new(StoreKind::SecretService)
            .failing_on_set(2)
            .failing_with(
                StoreProblem::NoAnswer,
                "could not save: the Secret Service did not answer within 5 s",
            ),
    );
    let error = execute_save(
        &plan_for_one_integration(StoreKind::SecretService),
        &stores,
        &config().1,
        &|_| Ok(()),
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("did not answer within 5 s"), "{error}");
    assert!(
        error.contains("Nothing was written to the file."),
        "{error}"
    );
    assert!(!error.contains("as it was before"), "{error}");
    assert!(error.contains("wfm-wizard prune"), "{error}");
    assert!(
        stores.store(StoreKind::SecretService).users().is_empty(),
        "the first write was still undone"
    );
}

#[test]
fn removed_and_moved_entries_are_deleted_only_after_the_file_is_written() {
    let stores = MemoryStores::new(StoreKind::SecretService);
    let plan = plan_for_one_integration(StoreKind::SecretService);
    execute_save(&plan, &stores, &config().1, &|_| Ok(())).unwrap();
    let document = {
        let mut w = wizard();
        act(&mut w, Action::Enter);
        add_integration(&mut w, "", &jwt_never_expires());
        w.save_plan(StoreKind::SecretService).document
    };
    // Rename the group: secrets move to ".../east/..." and the old entries go.
    let w = rename_first_group(&document, "east");
    let plan = w.save_plan(StoreKind::SecretService);
    let store = stores.store(StoreKind::SecretService);
    let during = RefCell::new(Vec::new());
    execute_save(&plan, &stores, &config().1, &|_| {
        during.borrow_mut().extend(store.users());
        Ok(())
    })
    .unwrap();
    assert_eq!(
        during.borrow().len(),
        4,
        "old and new both exist while the file is written"
    );
    assert_eq!(
        store.users(),
        [
            "000000000000/ringcentral-v1/historical/east/client_secret",
            "000000000000/ringcentral-v1/historical/east/jwt"
        ]
    );
    assert_eq!(
        store
            .value("000000000000/ringcentral-v1/historical/east/client_secret")
            .as_deref(),
        Some(CLIENT_SECRET)
    );
}

#[test]
fn a_kept_secret_that_vanished_from_its_store_is_reported_not_invented() {
    let stores = MemoryStores::new(StoreKind::Keyutils);
    let document = plan_for_one_integration(StoreKind::Keyutils).document; // never stored
    let w = rename_first_group(&document, "east");
    let error = execute_save(
        &w.save_plan(StoreKind::Keyutils),
        &stores,
        &config().1,
        &|_| Ok(()),
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("is no longer in keyutils") && error.contains("Type it again"),
        "{error}"
    );
}

#[test]
fn the_real_file_writer_is_used_by_perform() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("integrations.yaml");
    let stores = MemoryStores::new(StoreKind::Keyutils);
    let msg = perform(
        Effect::Save(plan_for_one_integration(StoreKind::Keyutils)),
        &stores,
        &path,
    );
    assert!(matches!(msg, Some(Msg::SaveDone(Ok(_)))), "{msg:?}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("user: 000000000000/ringcentral-v1/historical/default/jwt"));
    assert!(!text.contains(CLIENT_SECRET));
    assert!(matches!(
        perform(Effect::ResolveStore, &stores, &path),
        Some(Msg::StoreResolved(Ok(_)))
    ));
}
