use std::sync::Arc;

use secrecy::SecretString;

use super::rollback::{SecretState, check_secrets, rollback};
use super::*;
use crate::commands::inventory::fingerprint;
use crate::commands::secrets_report::Confirm;
use crate::commands::{EXIT_CANCELLED, EXIT_USAGE};
use crate::config::diff::Change;
use crate::config::render_document;
use crate::io::effects::StoreProvider;
use crate::io::history_file::{AuditSecret, append_audit_once, history_dir, keep_backup, records};
use crate::io::memory_store::MemoryStores;
use crate::io::secrets::{SecretStore, StoreError};
use crate::secret::{SERVICE, StoreKind};
use crate::test_support::{document_of, integration_in};
use crate::wizard::StoreInfo;

const SS: StoreKind = StoreKind::SecretService;

/// Memory stores, except that the kernel keyring cannot be reached.
struct NoKernelKeyring(MemoryStores);

impl StoreProvider for NoKernelKeyring {
    fn resolve(&self) -> Result<StoreInfo, String> {
        self.0.resolve()
    }
    fn open(&self, kind: StoreKind) -> Result<Arc<dyn SecretStore>, StoreError> {
        if kind == StoreKind::Keyutils {
            return Err(StoreError::other(kind, "no kernel keyring here"));
        }
        self.0.open(kind)
    }
}

fn user(group: &str, field: &str) -> String {
    format!("000000000000/ringcentral-v1/historical/{group}/{field}")
}

fn fp(user: &str, value: &str) -> String {
    fingerprint(SERVICE, user, &SecretString::from(value.to_owned()))
}

fn secret(user: &str, value: &str) -> AuditSecret {
    AuditSecret {
        entry: user.to_owned(),
        store: SS.as_str().to_owned(),
        fingerprint: fp(user, value),
    }
}

fn record(revision: u64, who: &str, secrets: Vec<AuditSecret>) -> AuditRecord {
    AuditRecord::new(
        revision,
        1_800_000_000 + i64::try_from(revision).unwrap() * 60,
        (who.to_owned(), 1000),
        &[Change::IntegrationAdded {
            label: "historical/east".into(),
        }],
        secrets,
    )
}

/// Revision 1 had east, west and a user import (kernel keyring); revision 2, the
/// file now, has east only, with a new JWT.
struct Fixture {
    _dir: tempfile::TempDir,
    config: std::path::PathBuf,
    old_text: String,
    new_text: String,
    stores: NoKernelKeyring,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("integrations.yaml");
    let old = document_of(vec![
        integration_in("historical", Some("east"), SS),
        integration_in("historical", Some("west"), SS),
        integration_in("user-import", None, StoreKind::Keyutils),
    ]);
    let new = document_of(vec![integration_in("historical", Some("east"), SS)]);
    let (old_text, new_text) = (
        render_document(&old).unwrap(),
        render_document(&new).unwrap(),
    );
    std::fs::write(&config, &new_text).unwrap();
    let config = crate::io::config_file::real_path_or_given(&config);
    keep_backup(&config, 1, &old_text).unwrap();
    let first = vec![
        secret(&user("east", "client_secret"), "east secret"),
        secret(&user("east", "jwt"), "east jwt 1"),
    ];
    append_audit_once(&config, &record(1, "alice", first)).unwrap();
    let second = vec![secret(&user("east", "jwt"), "east jwt 2")];
    append_audit_once(&config, &record(2, "bob", second)).unwrap();
    let stores = MemoryStores::new(SS);
    let store = stores.store(SS);
    for (entry, value) in [
        (user("east", "client_secret"), "east secret"),
        (user("east", "jwt"), "east jwt 2"),
        (user("west", "jwt"), "west jwt"),
    ] {
        store
            .set(&entry, &SecretString::from(value.to_owned()))
            .unwrap();
    }
    Fixture {
        _dir: dir,
        config,
        old_text,
        new_text,
        stores: NoKernelKeyring(stores),
    }
}

#[test]
fn each_secret_of_the_old_revision_is_classified_against_the_audit_trail() {
    let f = fixture();
    let old = parse_document(&f.old_text).unwrap();
    let checks = check_secrets(&old, 1, &records(&f.config).unwrap(), &f.stores);
    let states: Vec<(String, &SecretState)> = checks
        .iter()
        .map(|c| (c.reference.user.clone(), &c.state))
        .collect();
    let unreachable = SecretState::Unreachable("keyutils: no kernel keyring here".into());
    assert_eq!(
        states,
        [
            (user("east", "client_secret"), &SecretState::StillThere),
            (user("east", "jwt"), &SecretState::ReplacedSince),
            (user("west", "client_secret"), &SecretState::Missing),
            (user("west", "jwt"), &SecretState::CannotTell),
            (
                "000000000000/ringcentral-v1/user-import/default/client_secret".into(),
                &unreachable
            ),
            (
                "000000000000/ringcentral-v1/user-import/default/jwt".into(),
                &unreachable
            ),
        ]
    );
    // Measured against revision 2's record, the current JWT is the one it wrote.
    let checks = check_secrets(&old, 2, &records(&f.config).unwrap(), &f.stores);
    assert_eq!(checks[1].state, SecretState::StillThere);
}

#[test]
fn rollback_restores_the_backup_keeps_the_replaced_file_and_records_it() {
    let f = fixture();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = rollback(&f.config, 1, &f.stores, Confirm::Yes, &mut out, &mut err);
    let (out, err) = (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    );
    assert_eq!(status, EXIT_OK, "{out}{err}");
    let restored = parse_document(&std::fs::read_to_string(&f.config).unwrap()).unwrap();
    let old = parse_document(&f.old_text).unwrap();
    assert_eq!(restored.revision, 3, "a rollback is a new save");
    assert_eq!(restored.path.as_deref(), Some(f.config.to_str().unwrap()));
    assert_eq!(
        crate::config::Document {
            revision: old.revision,
            path: old.path.clone(),
            ..restored
        },
        old,
        "otherwise the content of revision 1"
    );
    assert_eq!(
        history_file::backup_text(&f.config, 2).unwrap().as_deref(),
        Some(f.new_text.as_str()),
        "the replaced file is kept as revision 2"
    );
    let all = records(&f.config).unwrap();
    let last = all.last().unwrap();
    assert_eq!(last.revision, 3);
    assert_eq!(last.changes[0], "rolled back to revision 1");
    assert!(
        last.changes.iter().any(|c| c == "historical/west: added"),
        "{last:?}"
    );
    assert_eq!(last.counts.rolled_back_to, Some(1));
    assert_eq!(
        last.secrets,
        [secret(&user("east", "client_secret"), "east secret")],
        "only the secrets known to be the old ones are recorded"
    );
    for expected in [
        "Rolling back",
        "to revision 1 (saved 2027-01-15 08:01:00Z by alice)",
        "east/client_secret  still there",
        "east/jwt  replaced since (type it again)",
        "west/client_secret  missing (type it again)",
        "west/jwt  cannot tell",
        "store unreachable",
        "is now revision 3",
        "2 secret(s) must be typed again",
    ] {
        assert!(out.contains(expected), "{expected:?} not in:\n{out}");
    }
    for value in ["east secret", "east jwt", "west jwt"] {
        assert!(!out.contains(value) && !err.contains(value), "{out}{err}");
    }
}

#[test]
fn rollback_refuses_without_a_terminal_and_stops_when_the_answer_is_no() {
    let f = fixture();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = rollback(
        &f.config,
        1,
        &f.stores,
        Confirm::NoTerminal,
        &mut out,
        &mut err,
    );
    assert_eq!(status, EXIT_USAGE);
    assert!(String::from_utf8_lossy(&err).contains("--yes"));
    let mut no: &[u8] = b"n\n";
    let status = rollback(
        &f.config,
        1,
        &f.stores,
        Confirm::Ask(&mut no),
        &mut out,
        &mut err,
    );
    assert_eq!(status, EXIT_CANCELLED);
    assert_eq!(std::fs::read_to_string(&f.config).unwrap(), f.new_text);
    assert_eq!(records(&f.config).unwrap().len(), 2);
}

#[test]
fn rollback_to_a_revision_not_kept_says_which_are() {
    let f = fixture();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(
        rollback(&f.config, 7, &f.stores, Confirm::Yes, &mut out, &mut err),
        EXIT_USAGE
    );
    let text = String::from_utf8(err).unwrap();
    assert!(
        text.contains("only the last 10") && text.contains("kept: 1"),
        "{text}"
    );
    let mut err = Vec::new();
    assert_eq!(
        rollback(&f.config, 2, &f.stores, Confirm::Yes, &mut out, &mut err),
        EXIT_USAGE
    );
    assert!(String::from_utf8(err).unwrap().contains("current file"));
    assert_eq!(std::fs::read_to_string(&f.config).unwrap(), f.new_text);
}

#[test]
fn history_lists_each_save_newest_last_with_hostile_names_escaped() {
    let f = fixture();
    append_audit_once(&f.config, &record(3, "mallory\u{1b}]0;owned\u{7}", vec![])).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(history(&f.config, &mut out, &mut err), EXIT_OK);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("    1  2027-01-15 08:01:00Z  alice"),
        "{text}"
    );
    assert!(
        lines[0].contains("+1 integration") && lines[0].ends_with("[backup kept]"),
        "{text}"
    );
    assert!(
        lines[1].contains("bob") && lines[1].contains("[no backup"),
        "{text}"
    );
    assert!(lines[2].contains("mallory\\x1b]0;owned\\x07"), "{text}");
    assert!(lines[2].ends_with("[the current file]"), "{text}");
    assert!(!text.contains('\u{1b}'));
}

#[test]
fn history_of_a_file_without_saves_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let config = dir.path().join("integrations.yaml");
    assert_eq!(history(&config, &mut out, &mut err), EXIT_OK);
    assert!(
        String::from_utf8(out)
            .unwrap()
            .contains("No saves recorded")
    );
    assert!(!history_dir(&config).exists());
}

#[test]
fn utc_times_come_from_civil_arithmetic() {
    assert_eq!(utc(0), "1970-01-01 00:00:00Z");
    assert_eq!(utc(1_800_000_000), "2027-01-15 08:00:00Z");
    assert_eq!(utc(951_782_400), "2000-02-29 00:00:00Z");
    assert_eq!(utc(-1), "1969-12-31 23:59:59Z");
    assert_eq!(utc(4_102_444_800), "2100-01-01 00:00:00Z");
}
