//! The wizard and `apply` write the same file for the same answers, byte for byte: the
//! release binary driven in a pseudo-terminal as an operator would (kernel keyring),
//! then the same answers applied to the same path from scratch. The wizard's file also
//! passes `check-jsonschema` against `wfm-wizard schema` when the validator is there.
#![cfg(target_os = "linux")]

#[path = "support/apply_fixtures.rs"]
mod apply_fixtures;
#[path = "support/private_secret_service.rs"]
mod private_secret_service;
#[path = "support/pty_session.rs"]
mod pty_session;
#[path = "support/release_binary.rs"]
mod release_binary;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use portable_pty::CommandBuilder;

use apply_fixtures::{CLIENT_ID, Cleanup, SYSTEMD_CREDS_OFF, jwt, keyctl_value, namespace_of};
use pty_session::{CTRL_S, ENTER, PtySession};
use release_binary::release_binary;

const SUB_ACCOUNT_ID: &str = "15910001";

struct Secrets {
    east: String,
    import: String,
    jwt: String,
}

fn wizard(binary: &Path, config: &Path) -> PtySession {
    let mut command = CommandBuilder::new(binary);
    command.env(SYSTEMD_CREDS_OFF.0, SYSTEMD_CREDS_OFF.1);
    command.args(["--secret-store", "keyutils"]);
    command.env("WFM_WIZARD_CONFIG", config);
    command.env("TERM", "xterm-256color");
    command.env("LANG", "C.UTF-8");
    command.env_remove("WFM_WIZARD_SECRET_STORE");
    command.cwd(config.parent().expect("a directory"));
    PtySession::spawn(command)
}

fn fill(session: &mut PtySession, group: Option<&str>, client_secret: &str, token: &str) {
    session.wait_for("› Group");
    if let Some(group) = group {
        session.send(group);
        session.wait_for(&format!("› Group {group}"));
    }
    session.send(ENTER);
    session.wait_for("› Status [x] enabled");
    session.send(ENTER);
    session.wait_for("› RingCentral CX client ID");
    session.send(CLIENT_ID);
    session.wait_for(&format!("› RingCentral CX client ID {CLIENT_ID}"));
    session.send(ENTER);
    session.wait_for("› RingCentral CX client secret");
    session.send(client_secret);
    session.send(ENTER);
    session.wait_for("› RingCentral CX JWT");
    session.paste(token);
    session.wait_for("never expires");
    session.send(ENTER);
    session.wait_for("› Sub account ID");
    session.send(SUB_ACCOUNT_ID);
    session.wait_for(&format!("› Sub account ID {SUB_ACCOUNT_ID}"));
    session.send(ENTER);
}

fn run_wizard(binary: &Path, config: &Path, secrets: &Secrets) {
    let mut session = wizard(binary, config);
    session.wait_for("Choose the contact-center platform to configure.");
    session.send(ENTER);
    session.wait_for("Historical settings · RingCentral v1");
    session.wait_for("› + Add an integration");
    session.send(ENTER);
    session.wait_for("Press Enter to continue with this store");
    session.send(ENTER);
    fill(&mut session, Some("east"), &secrets.east, &secrets.jwt);
    session.wait_for("east enabled · new");
    session.wait_for("› → Continue to User import settings");
    session.send(ENTER);
    session.wait_for("Press y once it is configured.");
    session.send("y");
    session.wait_for("› + Add an integration");
    session.send(ENTER);
    fill(&mut session, None, &secrets.import, &secrets.jwt);
    session.wait_for("(no group) enabled · new");
    session.wait_for("› → Continue to Review");
    session.send(ENTER);
    session.wait_for("Review: this is what Ctrl-S writes.");
    session.send(CTRL_S);
    session.wait_for("Saved.");
    session.wait_for("Press Enter to finish.");
    session.send(ENTER);
    let status = session.wait_exit();
    assert!(status.success(), "{}", session.output().framed());
}

fn answers(secrets_file: &Path) -> String {
    format!(
        "version: 1\nconfirmed:\n- ringcentral-v1/user-import/set-employee-defaults\nintegrations:\n\
         - platform: ringcentral-v1\n  operation: historical\n  group: east\n  settings:\n    client_id: {CLIENT_ID}\n    client_secret: {{env: EAST_SECRET}}\n    jwt: {{stdin: true}}\n    sub_account_id: '{SUB_ACCOUNT_ID}'\n\
         - platform: ringcentral-v1\n  operation: user-import\n  settings:\n    sub_account_id: '{SUB_ACCOUNT_ID}'\n    client_id: {CLIENT_ID}\n    jwt: {{stdin: true}}\n    client_secret: {{file: {}}}\n",
        secrets_file.display()
    )
}

fn apply(binary: &Path, config: &Path, answers: &Path, secrets: &Secrets) -> std::process::Output {
    let mut child = Command::new(binary)
        .env(SYSTEMD_CREDS_OFF.0, SYSTEMD_CREDS_OFF.1)
        .env("WFM_WIZARD_CONFIG", config)
        .env("WFM_WIZARD_SECRET_STORE", "keyutils")
        .env("EAST_SECRET", &secrets.east)
        .args(["apply", "--answers"])
        .arg(answers)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run apply");
    let stdin = format!(
        "ringcentral-v1/historical/east/jwt: {0}\nringcentral-v1/user-import/default/jwt: {0}\n",
        secrets.jwt
    );
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait for apply")
}

/// Everything the wizard left beside the config, so `apply` starts from nothing.
fn clear_beside(config: &Path) {
    let dir = config.parent().expect("a directory");
    for entry in std::fs::read_dir(dir).expect("list").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("integrations.yaml") {
            let path: PathBuf = entry.path();
            if path.is_dir() {
                std::fs::remove_dir_all(&path).expect("remove");
            } else {
                std::fs::remove_file(&path).expect("remove");
            }
        }
    }
}

#[test]
fn the_wizard_and_apply_write_the_same_bytes_for_the_same_answers() {
    if !private_secret_service::tools_present(&["keyctl"]).unwrap_or_else(|e| panic!("{e}")) {
        return;
    }
    let binary = release_binary();
    let dir = tempfile::tempdir().expect("temporary directory");
    let site = dir.path().join("site");
    std::fs::create_dir(&site).expect("site directory");
    let config = site.join("integrations.yaml");
    let _cleanup = Cleanup(vec![config.clone()]);
    let secrets = Secrets {
        east: "east-client-secret-typed".into(),
        import: "import-client-secret-typed".into(),
        jwt: jwt("wizard-and-apply"),
    };

    run_wizard(binary, &config, &secrets);
    let from_wizard = std::fs::read(&config).expect("the wizard wrote the config");
    let namespace = namespace_of(&config).expect("namespace");

    let secret_file = dir.path().join("import-secret");
    std::fs::write(&secret_file, format!("{}\n", secrets.import)).expect("write");
    std::fs::set_permissions(
        &secret_file,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .expect("chmod");
    let answers_file = dir.path().join("answers.yaml");
    std::fs::write(&answers_file, answers(&secret_file)).expect("write answers");
    clear_beside(&config);
    assert!(!config.exists());

    let out = apply(binary, &config, &answers_file, &secrets);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let from_apply = std::fs::read(&config).expect("apply wrote the config");
    assert_eq!(
        String::from_utf8_lossy(&from_apply),
        String::from_utf8_lossy(&from_wizard),
        "apply and the wizard wrote different files"
    );
    assert_eq!(
        keyctl_value(&format!(
            "{namespace}/ringcentral-v1/user-import/default/client_secret"
        ))
        .as_deref(),
        Some(secrets.import.as_str())
    );

    // The wizard's own file passes the schema, checked by a validator we did not write.
    let venv = std::env::var_os("WFM_CI_VENV")
        .map_or_else(|| PathBuf::from("/opt/wfm-ci-venv"), PathBuf::from);
    let validator = venv.join("bin/check-jsonschema");
    if validator.is_file() {
        let schema = dir.path().join("config.schema.json");
        let out = Command::new(binary).arg("schema").output().expect("schema");
        std::fs::write(&schema, &out.stdout).expect("write schema");
        let wizard_file = dir.path().join("from-wizard.yaml");
        std::fs::write(&wizard_file, &from_wizard).expect("write");
        let out = Command::new(&validator)
            .arg("--schemafile")
            .arg(&schema)
            .arg(&wizard_file)
            .output()
            .expect("run check-jsonschema");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
