//! `wfm-wizard apply --answers`: the binary against the real kernel keyring, read back
//! with `keyctl`. Idempotence, --check/--diff/--json, removal, and every refusal with
//! its exit status; no secret value in any output.
#![cfg(target_os = "linux")]

#[path = "support/apply_fixtures.rs"]
mod apply_fixtures;
#[path = "support/private_secret_service.rs"]
mod private_secret_service;
#[path = "support/pty_session.rs"]
mod pty_session;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use apply_fixtures::{CLIENT_ID, Cleanup, SYSTEMD_CREDS_OFF, jwt, keyctl_value, namespace_of};

const BIN: &str = env!("CARGO_BIN_EXE_wfm-wizard");

fn keyctl_ready() -> bool {
    match private_secret_service::tools_present(&["keyctl"]) {
        Ok(present) => present,
        Err(e) => panic!("{e}"),
    }
}

/// Runs the binary on `config` with `envs` and `stdin`, on the kernel keyring.
fn run(config: &Path, args: &[&str], envs: &[(&str, &str)], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .env(SYSTEMD_CREDS_OFF.0, SYSTEMD_CREDS_OFF.1)
        .env("WFM_WIZARD_CONFIG", config)
        .env("WFM_WIZARD_SECRET_STORE", "keyutils")
        .envs(envs.iter().copied())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run wfm-wizard");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait for wfm-wizard")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(output)))
}

fn answers_file(dir: &Path, name: &str, body: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, body).expect("write answers");
    path
}

fn historical(group: &str, secret_source: &str, jwt_source: &str) -> String {
    format!(
        "- platform: ringcentral-v1\n  operation: historical\n  group: {group}\n  settings:\n    client_id: {CLIENT_ID}\n    client_secret: {secret_source}\n    jwt: {jwt_source}\n    sub_account_id: '15910001'\n"
    )
}

fn assert_no_secret(output: &Output, secrets: &[&str]) {
    let all = text(output);
    for secret in secrets {
        assert!(!all.contains(secret), "a secret value was printed:\n{all}");
    }
}

#[test]
fn the_second_apply_of_the_same_answers_changes_nothing() {
    if !keyctl_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let _cleanup = Cleanup(vec![config.clone()]);
    let (east_jwt, west_jwt) = (jwt("apply-east"), jwt("apply-west"));
    let secret_file = dir.path().join("west-secret");
    std::fs::write(&secret_file, "west-client-secret\n").expect("write the secret file");
    std::fs::set_permissions(&secret_file, std::fs::Permissions::from_mode(0o600))
        .expect("chmod 600");
    let answers = answers_file(
        dir.path(),
        "answers.yaml",
        &format!(
            "version: 1\nintegrations:\n{}{}",
            historical("east", "{env: EAST_SECRET}", "{stdin: true}"),
            historical(
                "west",
                &format!("{{file: {}}}", secret_file.display()),
                "{stdin: true}"
            )
        ),
    );
    let stdin = format!(
        "ringcentral-v1/historical/east/jwt: {east_jwt}\nringcentral-v1/historical/west/jwt: {west_jwt}\n"
    );
    let envs = [("EAST_SECRET", "east-client-secret")];
    let secrets = [
        east_jwt.as_str(),
        west_jwt.as_str(),
        "east-client-secret",
        "west-client-secret",
    ];
    let args = [
        "apply",
        "--answers",
        answers.to_str().expect("UTF-8"),
        "--json",
    ];

    let first = run(&config, &args, &envs, &stdin);
    assert!(first.status.success(), "{}", text(&first));
    assert_no_secret(&first, &secrets);
    let report = json(&first);
    assert_eq!(report["changed"], true);
    assert_eq!(report["integrations"][0]["action"], "added");
    assert_eq!(report["integrations"][1]["action"], "added");
    let written: Vec<&str> = report["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .map(|s| s["action"].as_str().expect("action"))
        .collect();
    assert_eq!(written, ["written"; 4]);
    let namespace = namespace_of(&config).expect("a namespace is recorded");
    let user =
        |group: &str, field: &str| format!("{namespace}/ringcentral-v1/historical/{group}/{field}");
    assert_eq!(
        keyctl_value(&user("east", "jwt")).as_deref(),
        Some(east_jwt.as_str())
    );
    assert_eq!(
        keyctl_value(&user("east", "client_secret")).as_deref(),
        Some("east-client-secret")
    );
    assert_eq!(
        keyctl_value(&user("west", "client_secret")).as_deref(),
        Some("west-client-secret"),
        "one trailing line break of a secret file is dropped"
    );
    let saved = std::fs::read(&config).expect("read the config");
    let saved_text = String::from_utf8_lossy(&saved);
    for secret in &secrets {
        assert!(!saved_text.contains(secret), "a secret reached the file");
    }

    let second = run(&config, &args, &envs, &stdin);
    assert!(second.status.success(), "{}", text(&second));
    let report = json(&second);
    assert_eq!(report["changed"], false, "{}", text(&second));
    assert!(
        report["secrets"]
            .as_array()
            .expect("secrets")
            .iter()
            .all(|s| s["action"] == "unchanged" && s["fingerprint"].is_string())
    );
    assert_eq!(std::fs::read(&config).expect("read again"), saved);

    let validate = run(&config, &["validate"], &[], "");
    assert!(validate.status.success(), "{}", text(&validate));
}

#[test]
fn check_writes_nothing_and_diff_shows_fingerprints_never_values() {
    if !keyctl_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let _cleanup = Cleanup(vec![config.clone()]);
    let token = jwt("apply-check");
    let answers = answers_file(
        dir.path(),
        "answers.yaml",
        &format!(
            "version: 1\nintegrations:\n{}",
            historical("east", "{env: S}", "{env: J}")
        ),
    );
    let path = answers.to_str().expect("UTF-8");
    let check = run(
        &config,
        &["apply", "--answers", path, "--check", "--diff"],
        &[("S", "first-secret"), ("J", &token)],
        "",
    );
    assert!(check.status.success(), "{}", text(&check));
    assert!(text(&check).contains("would change"), "{}", text(&check));
    assert!(!config.exists(), "--check wrote the config");
    assert_no_secret(&check, &["first-secret", &token]);

    let first = run(
        &config,
        &["apply", "--answers", path],
        &[("S", "first-secret"), ("J", &token)],
        "",
    );
    assert!(first.status.success(), "{}", text(&first));
    let before = std::fs::read(&config).expect("read");
    let diff = run(
        &config,
        &["apply", "--answers", path, "--diff", "--json"],
        &[("S", "second-secret"), ("J", &token)],
        "",
    );
    assert!(diff.status.success(), "{}", text(&diff));
    assert_no_secret(&diff, &["first-secret", "second-secret", &token]);
    let report = json(&diff);
    assert_eq!(report["changed"], true);
    assert_eq!(report["integrations"][0]["action"], "changed");
    let changes = report["changes"].to_string();
    assert!(
        changes.contains("client_secret new value (fingerprint"),
        "{changes}"
    );
    assert!(
        !changes.contains("jwt"),
        "an unchanged JWT is not rewritten: {changes}"
    );
    assert!(report["diff"]["before"].is_string() && report["diff"]["after"].is_string());
    let after = std::fs::read(&config).expect("read");
    assert_ne!(before, after, "the revision counts the save");
    let namespace = namespace_of(&config).expect("namespace");
    assert_eq!(
        keyctl_value(&format!(
            "{namespace}/ringcentral-v1/historical/east/client_secret"
        ))
        .as_deref(),
        Some("second-secret")
    );
}

#[test]
fn answers_name_only_their_integrations_and_state_absent_removes_one() {
    if !keyctl_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let _cleanup = Cleanup(vec![config.clone()]);
    let both = answers_file(
        dir.path(),
        "both.yaml",
        &format!(
            "version: 1\nintegrations:\n{}{}",
            historical("east", "{env: S}", "{env: J}"),
            historical("west", "{env: S}", "{env: J}")
        ),
    );
    let token = jwt("apply-remove");
    let envs = [("S", "a-secret"), ("J", token.as_str())];
    let out = run(
        &config,
        &["apply", "--answers", both.to_str().unwrap()],
        &envs,
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    let namespace = namespace_of(&config).expect("namespace");

    // Only west named, with a new Status: east is kept as it is.
    let west_off = answers_file(
        dir.path(),
        "west-off.yaml",
        "version: 1\nintegrations:\n- platform: ringcentral-v1\n  operation: historical\n  group: west\n  enabled: false\n",
    );
    let out = run(
        &config,
        &["apply", "--answers", west_off.to_str().unwrap(), "--json"],
        &[],
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    let report = json(&out);
    assert_eq!(report["integrations"][0]["action"], "unchanged");
    assert_eq!(report["integrations"][1]["action"], "changed");
    let document = wfm_wizard::config::parse_document(&std::fs::read_to_string(&config).unwrap())
        .expect("parse");
    assert_eq!(document.integrations.len(), 2);
    assert!(document.integrations[0].enabled && !document.integrations[1].enabled);

    let remove = answers_file(
        dir.path(),
        "remove.yaml",
        "version: 1\nintegrations:\n- platform: ringcentral-v1\n  operation: historical\n  group: east\n  state: absent\n",
    );
    let out = run(
        &config,
        &["apply", "--answers", remove.to_str().unwrap(), "--json"],
        &[],
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(json(&out)["integrations"][0]["action"], "removed");
    let east = format!("{namespace}/ringcentral-v1/historical/east/jwt");
    assert_eq!(
        keyctl_value(&east),
        None,
        "the removed integration's entry is gone"
    );
    assert_eq!(
        keyctl_value(&format!("{namespace}/ringcentral-v1/historical/west/jwt")).as_deref(),
        Some(token.as_str())
    );
    let again = run(
        &config,
        &["apply", "--answers", remove.to_str().unwrap(), "--json"],
        &[],
        "",
    );
    assert_eq!(
        json(&again)["changed"],
        false,
        "removing twice changes nothing"
    );
}

/// Each bad answers file: exit 3, the problem's path, and never the value.
#[test]
fn bad_answers_exit_3_with_the_path_of_each_problem_and_no_value() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let loose = dir.path().join("loose-secret");
    std::fs::write(&loose, "LOOSE-SECRET-VALUE").unwrap();
    std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).unwrap();
    let head = "version: 1\nintegrations:\n";
    let cases: Vec<(String, &str)> = vec![
        (
            format!(
                "{head}{}",
                historical("e", "PASTED-SECRET-VALUE", "{env: J}")
            ),
            "integrations[0].settings.client_secret",
        ),
        (
            format!(
                "{head}{}",
                historical("e", "{env: NOT_SET_ANYWHERE}", "{env: J}")
            ),
            "`NOT_SET_ANYWHERE` is not set",
        ),
        (
            format!(
                "{head}{}",
                historical("e", &format!("{{file: {}}}", loose.display()), "{env: J}")
            ),
            "can be read by others",
        ),
        (
            format!(
                "{head}{}",
                historical("e", "{env: S, file: /x}", "{env: J}")
            ),
            "exactly one source",
        ),
        (
            format!(
                "{head}- platform: ringcentral-v1\n  operation: user-import\n  settings:\n    client_id: {CLIENT_ID}\n    client_secret: {{env: S}}\n    jwt: {{env: J}}\n    sub_account_id: '1'\n"
            ),
            "integrations[0]: needs the prerequisite confirmed",
        ),
        (
            format!("{head}- platform: PASTED-SECRET-VALUE\n  operation: historical\n"),
            "integrations[0].platform: is not a platform",
        ),
        (
            format!(
                "{head}- platform: ringcentral-v1\n  operation: historical\n  password: PASTED-SECRET-VALUE\n"
            ),
            "`integrations[0]` has an unknown key",
        ),
        (
            format!(
                "{head}- platform: ringcentral-v1\n  operation: historical\n  settings:\n    PASTED-SECRET-VALUE: x\n"
            ),
            "integrations[0].settings.<setting 1>",
        ),
        (
            "version: 1\nconfirmed: [&a PASTED-SECRET-VALUE]\n".to_owned(),
            "`confirmed[0]` has a YAML anchor",
        ),
        (
            format!("{head}- platform: !!str PASTED-SECRET-VALUE\n"),
            "YAML tag",
        ),
        (
            format!("{head}- platform: \"PASTED-SECRET-VALUE\\u001b[2J\"\n"),
            "control character",
        ),
        ("version: 2\n".to_owned(), "answers version 2"),
    ];
    for (body, expected) in cases {
        let answers = answers_file(dir.path(), "bad.yaml", &body);
        let out = run(
            &config,
            &["apply", "--answers", answers.to_str().unwrap()],
            &[("S", "s"), ("J", &jwt("bad"))],
            "",
        );
        let all = text(&out);
        assert_eq!(out.status.code(), Some(3), "{body}\n{all}");
        assert!(
            all.contains(expected),
            "{body}\nexpected `{expected}` in:\n{all}"
        );
        assert!(all.contains("bad.yaml"), "names the answers file: {all}");
        assert!(
            !all.contains("PASTED-SECRET-VALUE"),
            "echoed a value:\n{all}"
        );
        assert!(
            !all.contains("LOOSE-SECRET-VALUE"),
            "echoed a value:\n{all}"
        );
        assert!(!config.exists(), "a refused apply wrote the config");
    }
}

#[test]
fn usage_errors_exit_2_and_stdin_names_nobody_asked_for_exit_3() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let out = run(&config, &["apply"], &[], "");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = run(
        &config,
        &["apply", "--answers", "x", "--client-secret", "v"],
        &[],
        "",
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "no secret on the command line: {}",
        text(&out)
    );
    let answers = answers_file(
        dir.path(),
        "a.yaml",
        &format!(
            "version: 1\nintegrations:\n{}",
            historical("e", "{stdin: true}", "{stdin: true}")
        ),
    );
    let stdin = format!(
        "ringcentral-v1/historical/e/client_secret: s\nringcentral-v1/historical/e/jwt: {}\nSTRAY-SECRET-NAME: x\n",
        jwt("stray")
    );
    let out = run(
        &config,
        &["apply", "--answers", answers.to_str().unwrap()],
        &[],
        &stdin,
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("<stdin>: holds 1 name(s)"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("STRAY-SECRET-NAME"));
    let out = run(
        &config,
        &[
            "apply",
            "--answers",
            dir.path().join("none.yaml").to_str().unwrap(),
        ],
        &[],
        "",
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("no such file"), "{}", text(&out));
}

/// `export` of a config, applied back with its placeholders set to the same values,
/// changes nothing: one server set up by hand is the template for the next.
#[test]
fn export_then_apply_with_the_same_values_changes_nothing() {
    if !keyctl_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let _cleanup = Cleanup(vec![config.clone()]);
    let out = run(&config, &["export"], &[], "");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("no such file"), "{}", text(&out));

    let token = jwt("export");
    let answers = answers_file(
        dir.path(),
        "answers.yaml",
        &format!(
            "version: 1\nintegrations:\n{}",
            historical("Süd 1", "{env: S}", "{env: J}")
        ),
    );
    let envs = [("S", "export-secret"), ("J", token.as_str())];
    let out = run(
        &config,
        &["apply", "--answers", answers.to_str().unwrap()],
        &envs,
        "",
    );
    assert!(out.status.success(), "{}", text(&out));

    let exported = run(&config, &["export"], &[], "");
    assert!(exported.status.success(), "{}", text(&exported));
    let template = String::from_utf8(exported.stdout.clone()).expect("UTF-8");
    assert_no_secret(&exported, &["export-secret", &token]);
    let secret_var = "WFM_RINGCENTRAL_V1_HISTORICAL_S_D_1_CLIENT_SECRET";
    let jwt_var = "WFM_RINGCENTRAL_V1_HISTORICAL_S_D_1_JWT";
    assert!(
        template.contains(secret_var) && template.contains(jwt_var),
        "{template}"
    );
    let exported_file = answers_file(dir.path(), "exported.yaml", &template);
    let again = run(
        &config,
        &[
            "apply",
            "--answers",
            exported_file.to_str().unwrap(),
            "--json",
        ],
        &[(secret_var, "export-secret"), (jwt_var, token.as_str())],
        "",
    );
    assert!(again.status.success(), "{}", text(&again));
    assert_eq!(json(&again)["changed"], false, "{}", text(&again));
}

/// The operator's comments survive an apply, as they survive a wizard save.
#[test]
fn comments_in_the_config_are_kept_across_an_apply() {
    if !keyctl_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let _cleanup = Cleanup(vec![config.clone()]);
    let token = jwt("comments");
    let envs = [("S", "comment-secret"), ("J", token.as_str())];
    let on = answers_file(
        dir.path(),
        "on.yaml",
        &format!(
            "version: 1\nintegrations:\n{}",
            historical("east", "{env: S}", "{env: J}")
        ),
    );
    let out = run(
        &config,
        &["apply", "--answers", on.to_str().unwrap()],
        &envs,
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    let text_before = std::fs::read_to_string(&config).expect("read");
    let commented = text_before.replacen(
        "- platform: ringcentral-v1",
        "# east: the call center in Boston\n- platform: ringcentral-v1",
        1,
    );
    std::fs::write(&config, &commented).expect("write comment");
    let off = answers_file(
        dir.path(),
        "off.yaml",
        "version: 1\nintegrations:\n- platform: ringcentral-v1\n  operation: historical\n  group: east\n  enabled: false\n",
    );
    let out = run(
        &config,
        &["apply", "--answers", off.to_str().unwrap()],
        &[],
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    let after = std::fs::read_to_string(&config).expect("read");
    assert!(
        after.contains("# east: the call center in Boston"),
        "{after}"
    );
    assert!(after.contains("enabled: false"), "{after}");
}

#[test]
fn secrets_asked_of_stdin_are_refused_when_stdin_is_a_terminal_instead_of_waited_for() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let answers = dir.path().join("answers.yaml");
    std::fs::write(
        &answers,
        format!(
            "version: 1\nintegrations:\n{}",
            historical("e", "{stdin: true}", "{stdin: true}")
        ),
    )
    .expect("write the answers");
    let mut command = portable_pty::CommandBuilder::new(BIN);
    command.env(SYSTEMD_CREDS_OFF.0, SYSTEMD_CREDS_OFF.1);
    command.env("WFM_WIZARD_CONFIG", &config);
    command.env("WFM_WIZARD_SECRET_STORE", "keyutils");
    command.args(["apply", "--answers"]);
    command.arg(&answers);
    let mut apply = pty_session::PtySession::spawn(command);
    let status = apply.wait_exit();
    apply.wait_until("the terminal closes", pty_session::Output::closed);
    let said = apply.output().text();
    assert_eq!(status.exit_code(), 2, "{said}");
    assert!(apply.output().shows("stdin is a terminal"), "{said}");
    assert!(!config.exists(), "nothing written");
}
