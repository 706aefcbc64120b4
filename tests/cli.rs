//! The binary's outside contract: exit statuses and messages of `validate` and of
//! loading a file the wizard must refuse.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};

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

fn write(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("integrations.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

const REF: &str = "{keyring: {store: keyutils, service: wfm-wizard, user: ringcentral-v1/historical/cli-test-never-stored/x}}";

fn integration(secret: &str) -> String {
    format!(
        "version: 1\nintegrations:\n- platform: ringcentral-v1\n  operation: historical\n  enabled: true\n  settings:\n    client_id: AbCdEfGhIjKlMnOpQrStUv\n    client_secret: {secret}\n    jwt: {secret}\n    sub_account_id: '15910001'\n"
    )
}

#[test]
fn loading_a_hostile_or_wrong_file_exits_3_naming_the_file_and_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("#".repeat(8 * 1024 * 1024 + 10), "larger than"),
        (
            format!(
                "version: 1\nintegrations: {}{}\n",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
            "nesting",
        ),
        (
            "version: 1\nversion: 1\n".to_owned(),
            "`version` appears twice",
        ),
        ("version: 1\nintegrations: [\n".to_owned(), "line"),
        (
            "version: 9\nintegrations: []\n".to_owned(),
            "newer than this program knows",
        ),
        (
            integration(REF).replace("ringcentral-v1\n", "genesys\n"),
            "`platform` is not a known platform",
        ),
        (
            integration(REF).replace("historical\n", "real-time\n"),
            "`operation` is not an operation of ringcentral-v1",
        ),
        (
            integration("'hunter2-plain'"),
            "holds a secret in plain text",
        ),
        (
            format!(
                "{}{}",
                integration(REF),
                &integration(REF)["version: 1\nintegrations:\n".len()..]
            ),
            "each needs a Group name",
        ),
    ];
    for (content, expected) in cases {
        let path = write(dir.path(), &content);
        for args in [&[][..], &["validate"][..]] {
            let output = run(args, &path);
            let said = text(&output);
            assert_eq!(output.status.code(), Some(3), "{args:?} {expected}: {said}");
            assert!(
                said.contains(&path.display().to_string()),
                "{args:?} names the file: {said}"
            );
            assert!(
                said.contains(expected),
                "{args:?} expected {expected:?}: {said}"
            );
            assert!(!said.contains("hunter2"), "a secret was echoed: {said}");
            assert!(!said.contains("panicked"), "{said}");
        }
    }
}

#[test]
fn validate_reports_a_missing_secret_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &integration(REF));
    let output = run(&["validate"], &path);
    let said = text(&output);
    assert_eq!(output.status.code(), Some(3), "{said}");
    assert!(
        said.contains("is missing from keyutils")
            && said.contains("run wfm-wizard and enter the secret again"),
        "{said}"
    );
}

#[test]
fn validate_exits_4_when_a_referenced_store_cannot_be_reached() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        &integration(&REF.replace("keyutils", "windows")),
    );
    let output = run(&["validate"], &path);
    let said = text(&output);
    assert_eq!(output.status.code(), Some(4), "{said}");
    assert!(said.contains("cannot read the secret store"), "{said}");
}

#[test]
fn validate_without_a_file_says_how_to_create_one() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&["validate"], &dir.path().join("none.yaml"));
    assert_eq!(output.status.code(), Some(3));
    assert!(text(&output).contains("no such file; run wfm-wizard to create it"));
}

#[test]
fn bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&["--secret-store", "plaintext"], &dir.path().join("x.yaml"));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output).contains(
            "expected auto, secret-service, keyutils, keychain, windows or systemd-creds"
        )
    );
}

#[test]
fn the_wizard_without_a_terminal_exits_2_and_points_to_ssh_t() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&[], &dir.path().join("x.yaml"));
    let said = text(&output);
    assert_eq!(output.status.code(), Some(2), "{said}");
    assert!(
        said.contains("ssh -t") && !said.contains("panicked"),
        "{said}"
    );
}

/// Issue 10, items 7 and 9: every command refuses these files with exit 3, names the
/// node, and never quotes the marker planted in them.
#[test]
fn every_command_refuses_tags_odd_versions_controls_and_foreign_references_by_path() {
    const MARK: &str = "zqLEAKzq";
    let dir = tempfile::tempdir().unwrap();
    let base = integration(REF);
    let foreign = format!("{{keyring: {{store: keyutils, service: {MARK}, user: a/b/c/d}}}}");
    let cases = [
        (
            base.replace("version: 1", "version: !!python/object:os.system 1"),
            "`version` has a YAML tag",
        ),
        (
            base.replace("version: 1", "version: \"1\""),
            "`version` must be a plain whole number",
        ),
        (
            base.replace("version: 1", "version: 0x1"),
            "`version` must be",
        ),
        (
            base.replace("version: 1", "version: +1"),
            "`version` must be",
        ),
        (
            base.replace("enabled: true", "group: !!null east\n  enabled: true"),
            "`integrations[0].group` has a YAML tag",
        ),
        (
            base.replace("AbCdEfGhIjKlMnOpQrStUv", "\"Ab\\0Cd\""),
            "`integrations[0].settings.client_id` holds a control character",
        ),
        (
            base.replace(
                "enabled: true",
                &format!("group: {}\n  enabled: true", "g".repeat(1 << 20)),
            ),
            "`integrations[0].group` is longer than 64 characters",
        ),
        (
            base.replace(
                "keyring: {store: keyutils",
                &format!("keyring: {{store: {MARK}"),
            ),
            "unknown variant",
        ),
        (
            integration(&foreign),
            "`integrations[0].settings.client_secret.keyring.service` names another keyring service",
        ),
        (
            base.replace("client_id:", &format!("{MARK}:")),
            "its setting number 1 is not a setting",
        ),
        (
            base.replace("integrations:", &format!("{MARK}: 1\nintegrations:")),
            "`the document` has an unknown key (its 2nd)",
        ),
    ];
    for (content, expected) in cases {
        let path = write(dir.path(), &content);
        for args in [
            &[][..],
            &["validate"][..],
            &["status"][..],
            &["secret", "get", "ringcentral-v1/historical/default/jwt"][..],
        ] {
            let output = run(args, &path);
            let said = text(&output);
            assert_eq!(output.status.code(), Some(3), "{args:?} {expected}: {said}");
            assert!(
                said.contains(expected),
                "{args:?} expected {expected:?}: {said}"
            );
            assert!(!said.contains(MARK), "{args:?} quoted the file: {said}");
        }
    }
}

/// The classic billion-laughs file (342 bytes: 9 anchors, 72 aliases, 387 million
/// `lol`s once expanded) is refused at once by every command that loads a file,
/// exit 3, without echoing a value. (Time and memory: `cargo bench --bench wire`.)
#[test]
fn a_billion_laughs_file_is_refused_without_expanding_it() {
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (level, previous) in ('b'..='i').zip('a'..='h') {
        let aliases = vec![format!("*{previous}"); 9].join(",");
        let _ = writeln!(bomb, "{level}: &{level} [{aliases}]");
    }
    assert_eq!(bomb.len(), 342);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &bomb);
    for args in [&[][..], &["validate"][..], &["status"][..]] {
        let output = run(args, &path);
        let said = text(&output);
        assert_eq!(output.status.code(), Some(3), "{args:?}: {said}");
        assert!(said.contains(&path.display().to_string()), "{said}");
        assert!(!said.contains("lol"), "{args:?} echoed a value: {said}");
        assert!(!said.contains("panicked"), "{said}");
    }
}
