//! `completions`, `man`, and the `--json` of `validate` and `status`: real bash
//! completes the subcommands from the generated script, `man -l` renders the page
//! without a warning, and the JSON reports say what the line reports say.
#![cfg(target_os = "linux")]

#[path = "support/private_secret_service.rs"]
mod private_secret_service;

use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_wfm-wizard");

fn run(args: &[&str], config: &Path) -> Output {
    Command::new(BIN)
        .env(
            "WFM_WIZARD_SYSTEMD_CREDS",
            "/nonexistent/systemd-creds-is-off-in-tests",
        )
        .env("WFM_WIZARD_CONFIG", config)
        .env("WFM_WIZARD_SECRET_STORE", "keyutils")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run wfm-wizard")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// What bash's completion function offers for `line` (the word under the cursor last).
fn bash_completes(script: &Path, words: &[&str]) -> Vec<String> {
    let words_array: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'\n\
         function_name=$(complete -p wfm-wizard | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p')\n\
         COMP_WORDS=({})\n\
         COMP_CWORD={}\n\
         COMP_LINE=\"${{COMP_WORDS[*]}}\"\n\
         COMP_POINT=${{#COMP_LINE}}\n\
         \"$function_name\" wfm-wizard \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display(),
        words_array.join(" "),
        words.len() - 1
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .stdin(Stdio::null())
        .output()
        .expect("run bash");
    assert!(out.status.success(), "bash failed: {}", text(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn bash_completes_the_subcommands_and_their_arguments() {
    if !private_secret_service::tools_present(&["bash"]).unwrap_or_else(|e| panic!("{e}")) {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let out = run(&["completions", "bash"], &dir.path().join("c.yaml"));
    assert!(out.status.success(), "{}", text(&out));
    let script = dir.path().join("wfm-wizard.bash");
    std::fs::write(&script, &out.stdout).expect("write the script");

    let all = bash_completes(&script, &["wfm-wizard", ""]);
    for subcommand in [
        "validate",
        "status",
        "apply",
        "export",
        "schema",
        "completions",
        "man",
        "history",
    ] {
        assert!(
            all.iter().any(|w| w == subcommand),
            "{subcommand} not offered: {all:?}"
        );
    }
    assert_eq!(bash_completes(&script, &["wfm-wizard", "ap"]), ["apply"]);
    let shells = bash_completes(&script, &["wfm-wizard", "completions", ""]);
    for shell in ["bash", "zsh", "fish"] {
        assert!(shells.iter().any(|w| w == shell), "{shell}: {shells:?}");
    }
    let flags = bash_completes(&script, &["wfm-wizard", "apply", "--"]);
    for flag in ["--answers", "--check", "--diff", "--json"] {
        assert!(flags.iter().any(|w| w == flag), "{flag}: {flags:?}");
    }
}

#[test]
fn zsh_and_fish_scripts_name_every_subcommand_and_unknown_shells_are_usage_errors() {
    let config = Path::new("/nonexistent/c.yaml");
    for shell in ["zsh", "fish"] {
        let out = run(&["completions", shell], config);
        assert!(out.status.success(), "{}", text(&out));
        let script = String::from_utf8_lossy(&out.stdout);
        for subcommand in ["apply", "export", "schema", "man"] {
            assert!(script.contains(subcommand), "{shell}: no {subcommand}");
        }
    }
    let out = run(&["completions", "tcsh"], config);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn man_renders_the_page_without_warnings() {
    if !private_secret_service::tools_present(&["man", "groff"]).unwrap_or_else(|e| panic!("{e}")) {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let out = run(&["man"], &dir.path().join("c.yaml"));
    assert!(out.status.success(), "{}", text(&out));
    let page = dir.path().join("wfm-wizard.1");
    std::fs::write(&page, &out.stdout).expect("write the page");
    let rendered = Command::new("man")
        .args(["--warnings", "-l"])
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .stdin(Stdio::null())
        .output()
        .expect("run man");
    assert!(rendered.status.success(), "{}", text(&rendered));
    assert!(
        rendered.stderr.is_empty(),
        "man warned: {}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let shown = String::from_utf8_lossy(&rendered.stdout);
    assert!(shown.contains("wfm-wizard"), "{shown}");
    assert!(shown.contains("apply"), "{shown}");
    assert!(shown.contains("SUBCOMMANDS"), "{shown}");

    // Each page the main one lists is there too.
    let out = run(&["man", "apply"], &dir.path().join("c.yaml"));
    assert!(out.status.success(), "{}", text(&out));
    std::fs::write(&page, &out.stdout).expect("write the page");
    let rendered = Command::new("man")
        .args(["--warnings", "-l"])
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .stdin(Stdio::null())
        .output()
        .expect("run man");
    assert!(rendered.stderr.is_empty(), "{}", text(&rendered));
    let shown = String::from_utf8_lossy(&rendered.stdout);
    assert!(
        shown.contains("wfm-wizard-apply") && shown.contains("--answers"),
        "{shown}"
    );
    let out = run(&["man", "frobnicate"], &dir.path().join("c.yaml"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn validate_and_status_json_report_what_the_lines_report() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let missing = dir.path().join("none.yaml");
    let out = run(&["validate", "--json"], &missing);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["valid"], false);
    assert_eq!(report["exit"], 3);
    assert!(
        report["error"]
            .as_str()
            .expect("error")
            .contains("no such file")
    );

    // A secret that is in no store: missing, exit 3, never a value.
    let config = dir.path().join("integrations.yaml");
    std::fs::write(
        &config,
        "version: 1\nintegrations:\n- platform: ringcentral-v1\n  operation: historical\n  enabled: true\n  settings:\n    client_id: AbCdEfGhIjKlMnOpQrStUv\n    client_secret: {keyring: {store: keyutils, service: wfm-wizard, user: ringcentral-v1/historical/json-test-never-stored/client_secret}}\n    sub_account_id: '15910001'\n",
    )
    .expect("write config");
    let out = run(&["validate", "--json"], &config);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["integrations"], 1);
    assert_eq!(report["secrets"][0]["field"], "client_secret");
    assert_eq!(report["secrets"][0]["state"], "missing");
    assert_eq!(report["secrets"][0]["store"], "keyutils");
    let problems = report["problems"].as_array().expect("problems");
    assert!(
        problems.iter().any(
            |p| p["severity"] == "error" && p["message"].as_str().unwrap_or("").contains("JWT")
        ),
        "the missing JWT is an error: {problems:?}"
    );

    let out = run(&["status", "--json"], &config);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["exists"], true);
    let integration = &report["integrations"][0];
    assert_eq!(integration["platform"], "ringcentral-v1");
    assert_eq!(integration["enabled"], true);
    assert_eq!(integration["secrets"][0]["state"], "missing");
    assert!(
        report["orphans"].is_null(),
        "a version-1 file lists no orphans"
    );
    assert!(report["orphans_note"].is_string());
}
