use std::os::unix::fs::{MetadataExt, PermissionsExt};

use super::*;

fn config_in(dir: &tempfile::TempDir) -> PathBuf {
    let path = dir.path().join("integrations.yaml");
    std::fs::write(&path, "version: 1\n").unwrap();
    path
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

fn record(revision: u64) -> AuditRecord {
    AuditRecord::new(
        revision,
        1_800_000_000 + i64::try_from(revision).unwrap(),
        ("op".into(), 1000),
        &[Change::RolledBack { revision: 1 }],
        vec![AuditSecret {
            entry: "ringcentral-v1/historical/default/jwt".into(),
            store: "keyutils".into(),
            fingerprint: "0a1b2c3d".into(),
        }],
    )
}

#[test]
fn backups_are_private_and_only_the_newest_ten_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(&dir);
    for revision in 1..=13 {
        keep_backup(&config, revision, &format!("version: 1\n# r{revision}\n")).unwrap();
    }
    let history = history_dir(&config);
    assert_eq!(mode(&history), 0o700);
    assert_eq!(kept_backups(&config).unwrap(), (4..=13).collect::<Vec<_>>());
    assert_eq!(mode(&history.join("13.yaml")), 0o600);
    assert_eq!(
        backup_text(&config, 13).unwrap().as_deref(),
        Some("version: 1\n# r13\n")
    );
    assert_eq!(backup_text(&config, 3).unwrap(), None, "pruned");
    assert_eq!(
        std::fs::read_dir(&history).unwrap().count(),
        10,
        "no temporary file is left behind"
    );
    // Writing a revision again replaces it.
    keep_backup(&config, 13, "version: 1\n# again\n").unwrap();
    assert_eq!(
        backup_text(&config, 13).unwrap().as_deref(),
        Some("version: 1\n# again\n")
    );
}

#[test]
fn nothing_kept_yet_reads_as_empty_without_creating_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(&dir);
    assert_eq!(records(&config).unwrap(), []);
    assert_eq!(kept_backups(&config).unwrap(), Vec::<u64>::new());
    assert_eq!(backup_text(&config, 1).unwrap(), None);
    assert!(!history_dir(&config).exists());
}

#[test]
fn the_audit_is_appended_once_per_revision_and_private() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(&dir);
    append_audit_once(&config, &record(1)).unwrap();
    append_audit_once(&config, &record(2)).unwrap();
    let mut again = record(2);
    again.user = "someone else".into();
    append_audit_once(&config, &again).unwrap();
    assert_eq!(records(&config).unwrap(), [record(1), record(2)]);
    let audit = history_dir(&config).join(AUDIT_FILE);
    assert_eq!(mode(&audit), 0o600);
    let text = std::fs::read_to_string(&audit).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("\"fingerprint\":\"0a1b2c3d\""), "{text}");
}

#[test]
fn a_torn_last_line_is_skipped_and_the_next_record_starts_a_new_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(&dir);
    append_audit_once(&config, &record(1)).unwrap();
    let audit = history_dir(&config).join(AUDIT_FILE);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&audit)
        .unwrap();
    file.write_all(br#"{"revision":2,"at":18000"#).unwrap();
    drop(file);
    assert_eq!(records(&config).unwrap(), [record(1)]);
    append_audit_once(&config, &record(2)).unwrap();
    assert_eq!(records(&config).unwrap(), [record(1), record(2)]);
}

#[test]
fn an_oversized_audit_file_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(&dir);
    append_audit_once(&config, &record(1)).unwrap();
    let audit = history_dir(&config).join(AUDIT_FILE);
    std::fs::OpenOptions::new()
        .append(true)
        .open(&audit)
        .unwrap()
        .set_len(MAX_AUDIT_BYTES + 1)
        .unwrap();
    let error = records(&config).unwrap_err();
    assert!(matches!(error, HistoryError::TooLarge { .. }), "{error}");
    assert!(error.to_string().contains("move it aside"), "{error}");
    assert!(append_audit_once(&config, &record(2)).is_err());
}

#[test]
fn a_symlinked_history_directory_is_refused_and_its_target_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(&dir);
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, history_dir(&config)).unwrap();
    let error = keep_backup(&config, 1, "version: 1\n").unwrap_err();
    assert!(
        matches!(error, HistoryError::NotADirectory { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("symlink"), "{error}");
    assert!(append_audit_once(&config, &record(1)).is_err());
    assert!(records(&config).is_err());
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}

#[test]
fn a_symlinked_backup_or_audit_file_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(&dir);
    keep_backup(&config, 1, "version: 1\n").unwrap();
    let target = dir.path().join("target");
    std::fs::write(&target, "precious").unwrap();
    let history = history_dir(&config);
    std::os::unix::fs::symlink(&target, history.join(AUDIT_FILE)).unwrap();
    std::os::unix::fs::symlink(&target, history.join("2.yaml")).unwrap();
    assert!(append_audit_once(&config, &record(1)).is_err());
    assert!(backup_text(&config, 2).is_err());
    keep_backup(&config, 2, "version: 1\n# two\n").unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
    assert!(
        !std::fs::symlink_metadata(history.join("2.yaml"))
            .unwrap()
            .is_symlink()
    );
}

#[test]
fn a_history_directory_owned_by_someone_else_is_refused() {
    if rustix::process::geteuid().as_raw() != 0 {
        crate::test_support::skip::skip("making a directory owned by another user needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(&dir);
    let history = history_dir(&config);
    std::fs::create_dir(&history).unwrap();
    std::os::unix::fs::chown(&history, Some(4242), Some(4242)).unwrap();
    let error = keep_backup(&config, 1, "version: 1\n").unwrap_err();
    assert!(
        matches!(error, HistoryError::NotOwned { owner: 4242, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("chown"), "{error}");
    assert_eq!(std::fs::metadata(&history).unwrap().uid(), 4242);
    assert_eq!(std::fs::read_dir(&history).unwrap().count(), 0);
}

#[test]
fn a_loose_history_directory_is_made_private() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(&dir);
    let history = history_dir(&config);
    std::fs::create_dir(&history).unwrap();
    std::fs::set_permissions(&history, std::fs::Permissions::from_mode(0o777)).unwrap();
    keep_backup(&config, 1, "version: 1\n").unwrap();
    assert_eq!(mode(&history), 0o700);
}

#[test]
fn the_actor_is_the_sudo_user_only_when_running_as_root() {
    assert_eq!(
        actor_from(0, 0, Some("alice"), Some("root"), Some("root")),
        ("alice".to_owned(), 0)
    );
    assert_eq!(
        actor_from(1000, 1000, Some("alice"), Some("bob"), None),
        ("bob".to_owned(), 1000),
        "SUDO_USER is only trusted under root"
    );
    assert_eq!(
        actor_from(1000, 1000, None, Some(" "), Some("carol")),
        ("carol".to_owned(), 1000)
    );
    assert_eq!(
        actor_from(1000, 1000, None, None, None),
        ("uid 1000".to_owned(), 1000)
    );
}
