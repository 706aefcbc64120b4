//! `wfm-wizard schema` checked by a validator we did not write (`check-jsonschema`,
//! installed by .ci/run in a Python virtual environment): the schemas are valid 2020-12,
//! the example, every good fixture and a file `apply` writes pass, every bad fixture
//! fails, and the fixtures mean the same to wfm-wizard's own loader and rules.
#![cfg(target_os = "linux")]

#[path = "support/apply_fixtures.rs"]
mod apply_fixtures;
#[path = "support/private_secret_service.rs"]
mod private_secret_service;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use apply_fixtures::{CLIENT_ID, Cleanup, SYSTEMD_CREDS_OFF, jwt};
use wfm_wizard::catalog::Catalog;
use wfm_wizard::validate::{Severity, check_document};

const BIN: &str = env!("CARGO_BIN_EXE_wfm-wizard");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema");
const ASSETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets");

/// `check-jsonschema` from `$WFM_CI_VENV`, `/opt/wfm-ci-venv` or `PATH`; `None` (after a loud
/// SKIPPED, or a failure when real tools are required) when there is none.
fn validator() -> Option<PathBuf> {
    let venv = std::env::var_os("WFM_CI_VENV")
        .map_or_else(|| PathBuf::from("/opt/wfm-ci-venv"), PathBuf::from);
    let candidate = venv.join("bin/check-jsonschema");
    if candidate.is_file() {
        return Some(candidate);
    }
    match private_secret_service::tools_present(&["check-jsonschema"]) {
        Ok(true) => Some(PathBuf::from("check-jsonschema")),
        Ok(false) => None,
        Err(e) => panic!("{e}"),
    }
}

fn check(validator: &Path, schema: &str, files: &[PathBuf]) -> Output {
    Command::new(validator)
        .arg("--schemafile")
        .arg(Path::new(ASSETS).join(schema))
        .args(files)
        .stdin(Stdio::null())
        .output()
        .expect("run check-jsonschema")
}

fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(Path::new(FIXTURES).join(dir))
        .expect("list fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {dir}");
    files
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Whether wfm-wizard's own loader and rules accept the file (warnings allowed).
fn loader_accepts(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).expect("read fixture");
    wfm_wizard::config::parse_document(&text).is_ok_and(|d| {
        check_document(&d, &Catalog::builtin(), wfm_wizard::commands::now())
            .iter()
            .all(|p| p.severity != Severity::Error)
    })
}

#[test]
fn the_binary_prints_the_shipped_schemas() {
    for (args, file) in [
        (&["schema"][..], "config.schema.json"),
        (&["schema", "--answers"][..], "answers.schema.json"),
    ] {
        let out = Command::new(BIN).args(args).output().expect("run schema");
        assert!(out.status.success(), "{}", text(&out));
        let shipped = std::fs::read(Path::new(ASSETS).join(file)).expect("read shipped");
        assert_eq!(
            out.stdout, shipped,
            "{file} differs from `wfm-wizard {args:?}`"
        );
    }
}

#[test]
fn check_jsonschema_accepts_the_good_files_and_refuses_each_bad_one() {
    let Some(validator) = validator() else {
        return;
    };
    let meta = Command::new(&validator)
        .arg("--check-metaschema")
        .arg(Path::new(ASSETS).join("config.schema.json"))
        .arg(Path::new(ASSETS).join("answers.schema.json"))
        .output()
        .expect("run check-jsonschema");
    assert!(meta.status.success(), "not valid 2020-12:\n{}", text(&meta));

    let mut good = yaml_files("good");
    good.push(Path::new(ASSETS).join("example.yaml"));
    for file in &good {
        assert!(
            loader_accepts(file),
            "wfm-wizard refuses good fixture {}",
            file.display()
        );
    }
    let out = check(&validator, "config.schema.json", &good);
    assert!(out.status.success(), "{}", text(&out));
    for file in yaml_files("bad") {
        assert!(
            !loader_accepts(&file),
            "wfm-wizard accepts bad fixture {}",
            file.display()
        );
        let out = check(
            &validator,
            "config.schema.json",
            std::slice::from_ref(&file),
        );
        assert!(
            !out.status.success(),
            "the schema accepts {}",
            file.display()
        );
    }

    let out = check(
        &validator,
        "answers.schema.json",
        &yaml_files("answers-good"),
    );
    assert!(out.status.success(), "{}", text(&out));
    for file in yaml_files("answers-bad") {
        let out = check(
            &validator,
            "answers.schema.json",
            std::slice::from_ref(&file),
        );
        assert!(
            !out.status.success(),
            "the answers schema accepts {}",
            file.display()
        );
    }
}

#[test]
fn files_apply_and_export_write_pass_the_schemas() {
    let Some(validator) = validator() else {
        return;
    };
    if !private_secret_service::tools_present(&["keyctl"]).unwrap_or_else(|e| panic!("{e}")) {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let _cleanup = Cleanup(vec![config.clone()]);
    let answers = dir.path().join("answers.yaml");
    std::fs::write(
        &answers,
        format!(
            "version: 1\nconfirmed: [ringcentral-v1/user-import/set-employee-defaults]\nintegrations:\n- platform: ringcentral-v1\n  operation: user-import\n  group: north\n  settings:\n    client_id: {CLIENT_ID}\n    client_secret: {{env: S}}\n    jwt: {{env: J}}\n    sub_account_id: '15910001'\n"
        ),
    )
    .expect("write answers");
    let run = |args: &[&str]| {
        Command::new(BIN)
            .env(SYSTEMD_CREDS_OFF.0, SYSTEMD_CREDS_OFF.1)
            .env("WFM_WIZARD_CONFIG", &config)
            .env("WFM_WIZARD_SECRET_STORE", "keyutils")
            .env("S", "schema-secret")
            .env("J", jwt("schema"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run wfm-wizard")
    };
    let out = run(&["apply", "--answers", answers.to_str().expect("UTF-8")]);
    assert!(out.status.success(), "{}", text(&out));
    let out = check(
        &validator,
        "config.schema.json",
        std::slice::from_ref(&config),
    );
    assert!(out.status.success(), "{}", text(&out));

    let exported = run(&["export"]);
    assert!(exported.status.success(), "{}", text(&exported));
    let export_file = dir.path().join("exported.yaml");
    std::fs::write(&export_file, &exported.stdout).expect("write export");
    let out = check(&validator, "answers.schema.json", &[export_file, answers]);
    assert!(out.status.success(), "{}", text(&out));
}
