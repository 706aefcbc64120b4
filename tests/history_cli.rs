//! `history` and `rollback N` through the binary, on a file with a history made by
//! hand (as an earlier version of the program, or an operator, would have left it).

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};
use wfm_wizard::config::parse_document;

const BIN: &str = env!("CARGO_BIN_EXE_wfm-wizard");

fn run(args: &[&str], config: &Path) -> Output {
    Command::new(BIN)
        .env(
            "WFM_WIZARD_SYSTEMD_CREDS",
            "/nonexistent/systemd-creds-is-off-in-tests",
        )
        .args(args)
        .env("WFM_WIZARD_CONFIG", config)
        .env_remove("WFM_WIZARD_SECRET_STORE")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

const ENTRY: &str = "ringcentral-v1/historical/history-cli-never-stored/jwt";

fn file(group: &str, client_id: &str) -> String {
    let secret = |field: &str| {
        format!(
            "{{keyring: {{store: keyutils, service: wfm-wizard, user: ringcentral-v1/historical/{group}/{field}}}}}"
        )
    };
    format!(
        "version: 1\nintegrations:\n- platform: ringcentral-v1\n  operation: historical\n  group: {group}\n  enabled: true\n  settings:\n    client_id: {client_id}\n    client_secret: {}\n    jwt: {}\n    sub_account_id: '15910001'\n",
        secret("client_secret"),
        secret("jwt")
    )
}

/// Revision 1 (kept as a backup) and revision 2 (the file now), with their records.
fn hand_made_history(dir: &Path) -> (std::path::PathBuf, String, String) {
    let config = dir.join("integrations.yaml");
    let old = file("history-cli-never-stored", "OldClientIdOldClientId");
    let new = file("history-cli-never-stored", "NewClientIdNewClientId");
    std::fs::write(&config, &new).unwrap();
    let history = dir.join("integrations.yaml.history");
    std::fs::create_dir(&history).unwrap();
    std::fs::set_permissions(&history, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::write(history.join("1.yaml"), &old).unwrap();
    let audit = format!(
        "{}\n{}\n",
        format_args!(
            r#"{{"revision":1,"at":1800000000,"user":"alice","uid":1000,"changes":["historical/history-cli-never-stored: added"],"counts":{{"added":1,"new_secrets":2}},"secrets":[{{"entry":"{ENTRY}","store":"keyutils","fingerprint":"0a1b2c3d"}}]}}"#
        ),
        r#"{"revision":2,"at":1800003600,"user":"bob","uid":1001,"changes":["historical/history-cli-never-stored: client_id \"OldClientIdOldClientId\" -> \"NewClientIdNewClientId\""],"counts":{"fields":1}}"#
    );
    std::fs::write(history.join("audit.jsonl"), audit).unwrap();
    (config, old, new)
}

#[test]
fn history_lists_the_saves_and_rollback_yes_restores_revision_1() {
    let dir = tempfile::tempdir().unwrap();
    let (config, old, new) = hand_made_history(dir.path());

    let listed = run(&["history"], &config);
    let out = text(&listed);
    assert_eq!(listed.status.code(), Some(0), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("    1  2027-01-15 08:00:00Z  alice")
            && lines[0].contains("+1 integration, 2 new secrets")
            && lines[0].ends_with("[backup kept]"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("    2  2027-01-15 09:00:00Z  bob")
            && lines[1].contains("1 field changed")
            && lines[1].ends_with("[the current file]"),
        "{out}"
    );

    let refused = run(&["rollback", "1"], &config);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), new);

    let rolled = run(&["rollback", "1", "--yes"], &config);
    let out = text(&rolled);
    assert_eq!(rolled.status.code(), Some(0), "{out}");
    assert!(
        out.contains(r#"client_id "NewClientIdNewClientId" -> "OldClientIdOldClientId""#),
        "{out}"
    );
    // The entry was never stored: missing, or the kernel keyring is not reachable here.
    let jwt_line = out.lines().find(|l| l.contains(ENTRY)).unwrap_or_default();
    assert!(
        jwt_line.contains("missing (type it again)") || jwt_line.contains("store unreachable"),
        "{out}"
    );
    assert!(out.contains("is now revision 3"), "{out}");
    // Revision 1's content, written as a new save: revision 3.
    let now = parse_document(&std::fs::read_to_string(&config).unwrap()).unwrap();
    let was = parse_document(&old).unwrap();
    assert_eq!(now.revision, 3);
    assert_eq!(now.integrations, was.integrations);
    let history = dir.path().join("integrations.yaml.history");
    assert_eq!(
        std::fs::read_to_string(history.join("2.yaml")).unwrap(),
        new
    );
    let mode = std::fs::metadata(history.join("2.yaml"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    let again = run(&["history"], &config);
    let out = text(&again);
    let last = out.lines().nth(2).unwrap_or_default();
    assert!(
        last.starts_with("    3  ") && last.contains("rolled back to revision 1"),
        "{out}"
    );
    assert!(
        out.lines()
            .nth(1)
            .unwrap_or_default()
            .ends_with("[backup kept]"),
        "{out}"
    );
}

#[test]
fn rollback_to_a_revision_that_is_not_kept_exits_2_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _, new) = hand_made_history(dir.path());
    let output = run(&["rollback", "9", "--yes"], &config);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("only the last 10"),
        "{}",
        text(&output)
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), new);
}
