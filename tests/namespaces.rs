//! Each config owns its keyring entries. Configs are made and edited by the real app
//! loop (scripted keys, real kernel keyring), then looked at from the outside: the
//! release binary's `validate`, `status`, `prune` and `secret get`, and `keyctl`.
//!
//! Each case here lost data before namespaces: a second config with the same group
//! overwrote the first one's secret; `prune` on one config removed the others' live
//! entries; a copy made with `cp` shared (and its prune stole) the original's entries.
#![cfg(target_os = "linux")]

#[path = "support/private_secret_service.rs"]
mod private_secret_service;
#[path = "support/release_binary.rs"]
mod release_binary;
#[path = "support/script.rs"]
mod script;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wfm_wizard::catalog::Catalog;
use wfm_wizard::config::{Document, Setting, parse_document};
use wfm_wizard::io::config_file;
use wfm_wizard::io::effects::InlineRunner;
use wfm_wizard::io::keyring_stores::KeyringStores;
use wfm_wizard::io::namespace;
use wfm_wizard::io::secrets::StoreChoice;
use wfm_wizard::secret::StoreKind;
use wfm_wizard::ui::Theme;
use wfm_wizard::wizard::{Outcome, Wizard};

use release_binary::release_binary;
use script::Script;

const CLIENT_ID: &str = "AbCdEfGhIjKlMnOpQrStUv";

/// A JWT that never expires, told apart by `tag`.
fn jwt(tag: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.{}",
        b64.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
        b64.encode(format!(
            r#"{{"iss":"https://platform.ringcentral.com","iat":1750000000,"exp":3897483647,"jti":"{tag}"}}"#
        )),
        "s".repeat(40)
    )
}

fn keyctl_ready() -> bool {
    match private_secret_service::tools_present(&["keyctl"]) {
        Ok(present) => present,
        Err(e) => panic!("{e}"),
    }
}

/// Runs the real app loop over `config` with `keys`, the way `wfm-wizard` opens a
/// session (identity and hash of the file as loaded), on the kernel keyring.
fn run_wizard(config: &Path, keys: &mut Script) -> Outcome {
    let real = config_file::real_path_or_given(config);
    let text = config_file::read(&real).expect("read the config");
    let document = text
        .as_deref()
        .map(|t| parse_document(t).expect("parse the config"));
    let mut wizard = Wizard::new(
        Catalog::builtin(),
        document.as_ref(),
        &config.display().to_string(),
        wfm_wizard::commands::now(),
    )
    .with_identity(namespace::identify(&real, document.as_ref()))
    .with_loaded_text(text);
    let mut runner = InlineRunner {
        stores: Arc::new(KeyringStores::new(StoreChoice::Named(StoreKind::Keyutils))),
        path: real,
    };
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test terminal");
    wfm_wizard::app::run(
        &mut terminal,
        &mut wizard,
        keys,
        &mut runner,
        Theme::default(),
    )
    .expect("the loop runs")
}

/// A new config with one Historical integration in `group`.
fn create(config: &Path, group: &str, secret: &str, jwt: &str) {
    let mut keys = Script::new();
    keys.enter() // platform
        .enter() // + Add
        .enter() // the kernel keyring's warning: accepted
        .integration(group, secret, jwt)
        .enter() // continue to User import
        .key(KeyCode::End)
        .enter() // continue to Review
        .ctrl('s')
        .enter();
    let outcome = run_wizard(config, &mut keys);
    assert!(matches!(outcome, Outcome::Saved(_)), "{outcome:?}");
}

/// Opens `config` and saves it unchanged.
fn resave(config: &Path) {
    let mut keys = Script::new();
    keys.enter() // platform
        .key(KeyCode::End)
        .enter() // continue to User import
        .key(KeyCode::End)
        .enter() // continue to Review
        .ctrl('s')
        .enter();
    let outcome = run_wizard(config, &mut keys);
    assert!(matches!(outcome, Outcome::Saved(_)), "{outcome:?}");
}

fn document(config: &Path) -> Document {
    parse_document(&std::fs::read_to_string(config).expect("read")).expect("parse")
}

/// The keyring users a config's secrets are under.
fn entries(config: &Path) -> Vec<String> {
    document(config)
        .integrations
        .iter()
        .flat_map(|i| i.settings.0.iter())
        .filter_map(|(_, s)| match s {
            Setting::Secret(r) => Some(r.user.clone()),
            Setting::Text(_) => None,
        })
        .collect()
}

fn wfm(config: &Path, args: &[&str]) -> Output {
    Command::new(release_binary())
        .env(
            "WFM_WIZARD_SYSTEMD_CREDS",
            "/nonexistent/systemd-creds-is-off-in-tests",
        )
        .args(args)
        .arg("--config")
        .arg(config)
        .args(["--secret-store", "keyutils"])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .output()
        .expect("run wfm-wizard")
}

fn says(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The value of a kernel key, read with `keyctl` (the per-user persistent keyring
/// linked into a session of its own, as the program does).
fn keyctl_value(user: &str) -> Option<String> {
    let script = format!(
        "keyctl get_persistent @s >/dev/null && id=$(keyctl search @s user 'keyring:{user}@wfm-wizard') && keyctl pipe $id"
    );
    let out = Command::new("keyctl")
        .args(["session", "-", "sh", "-c", &script])
        .stderr(Stdio::null())
        .output()
        .expect("run keyctl");
    out.status
        .success()
        .then(|| String::from_utf8(out.stdout).expect("UTF-8"))
}

/// Removes every kernel key of the namespaces the test made, whatever happened.
struct Cleanup(Vec<PathBuf>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let mut namespaces: Vec<String> = Vec::new();
        for config in &self.0 {
            if let Ok(text) = std::fs::read_to_string(config)
                && let Ok(document) = parse_document(&text)
            {
                namespaces.extend(document.namespace);
            }
        }
        let Ok(listing) = std::fs::read_to_string("/proc/keys") else {
            return;
        };
        for line in listing.lines() {
            if !namespaces
                .iter()
                .any(|n| line.contains(&format!("keyring:{n}/")))
            {
                continue;
            }
            if let Some(hex) = line.split_whitespace().next()
                && let Ok(id) = u32::from_str_radix(hex, 16)
            {
                let _ = Command::new("keyctl")
                    .args(["session", "-", "sh", "-c"])
                    .arg(format!(
                        "keyctl get_persistent @s >/dev/null && keyctl invalidate {id}"
                    ))
                    .stderr(Stdio::null())
                    .status();
            }
        }
    }
}

#[test]
fn two_configs_with_the_same_group_keep_their_own_secrets_and_prune_spares_the_other() {
    if !keyctl_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let (a, b) = (dir.path().join("a.yaml"), dir.path().join("b.yaml"));
    let _cleanup = Cleanup(vec![a.clone(), b.clone()]);
    let (jwt_a, jwt_b) = (jwt("site-a"), jwt("site-b"));
    create(&a, "east", "secret-of-site-a-0123456789", &jwt_a);
    create(&b, "east", "secret-of-site-b-0123456789", &jwt_b);

    let (ns_a, ns_b) = (document(&a).namespace, document(&b).namespace);
    assert_ne!(ns_a, ns_b, "each config draws its own namespace");
    let (entries_a, entries_b) = (entries(&a), entries(&b));
    assert!(
        entries_a.iter().all(|e| !entries_b.contains(e)),
        "{entries_a:?} {entries_b:?}"
    );
    assert_eq!(keyctl_value(&entries_a[1]).as_deref(), Some(jwt_a.as_str()));
    assert_eq!(keyctl_value(&entries_b[1]).as_deref(), Some(jwt_b.as_str()));

    let status = wfm(&b, &["status"]);
    let text = says(&status);
    assert!(status.status.success(), "{text}");
    assert!(text.contains("No orphan entries of this config"), "{text}");
    assert!(
        !text.contains(&entries_a[0]),
        "a's entry listed in b's status:\n{text}"
    );

    let prune = wfm(&b, &["prune", "--yes"]);
    assert!(prune.status.success(), "{}", says(&prune));
    for entry in entries_a.iter().chain(&entries_b) {
        assert!(keyctl_value(entry).is_some(), "prune of b removed {entry}");
    }
    for config in [&a, &b] {
        let validate = wfm(config, &["validate"]);
        assert!(validate.status.success(), "{}", says(&validate));
    }
    let got = wfm(&a, &["secret", "get", "ringcentral-v1/historical/east/jwt"]);
    assert_eq!(
        String::from_utf8_lossy(&got.stdout),
        jwt_a,
        "a still pairs with its own JWT"
    );
}

#[test]
fn a_copied_config_never_takes_the_originals_entries_and_gets_its_own_at_its_first_save() {
    if !keyctl_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let (a, b) = (dir.path().join("a.yaml"), dir.path().join("b.yaml"));
    let _cleanup = Cleanup(vec![a.clone(), b.clone()]);
    let jwt_a = jwt("original");
    create(&a, "west", "secret-of-the-original-0123", &jwt_a);
    std::fs::copy(&a, &b).expect("cp a.yaml b.yaml");

    // Before b is saved it still names a's entries: prune on it must not touch a's.
    let prune = wfm(&b, &["prune", "--yes"]);
    let text = says(&prune);
    assert!(prune.status.success(), "{text}");
    assert!(text.contains("is a copy of"), "{text}");
    let status = says(&wfm(&b, &["status"]));
    assert!(status.contains("is a copy of"), "{status}");

    resave(&b);
    let (doc_a, doc_b) = (document(&a), document(&b));
    assert_ne!(
        doc_a.namespace, doc_b.namespace,
        "the copy has its own namespace now"
    );
    assert_eq!(doc_b.path.as_deref(), Some(b.to_str().unwrap()));
    let (entries_a, entries_b) = (entries(&a), entries(&b));
    assert!(entries_a.iter().all(|e| !entries_b.contains(e)));
    for (entry_a, entry_b) in entries_a.iter().zip(&entries_b) {
        assert!(
            keyctl_value(entry_a).is_some(),
            "the original lost {entry_a}"
        );
        assert_eq!(
            keyctl_value(entry_a),
            keyctl_value(entry_b),
            "copied, not moved"
        );
    }
    let prune = wfm(&b, &["prune", "--yes"]);
    assert!(prune.status.success(), "{}", says(&prune));
    for entry in &entries_a {
        assert!(
            keyctl_value(entry).is_some(),
            "prune of the copy removed {entry}"
        );
    }
    assert!(wfm(&a, &["validate"]).status.success());
    assert!(wfm(&b, &["validate"]).status.success());
}

#[test]
fn a_version_1_file_loads_and_moves_to_its_own_names_at_its_next_save() {
    if !keyctl_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let _cleanup = Cleanup(vec![config.clone()]);
    let group = format!("v1-{}", std::process::id());
    let legacy = |field: &str| format!("ringcentral-v1/historical/{group}/{field}");
    let value = jwt("version-1");
    let store = wfm_wizard::io::secrets::open(StoreKind::Keyutils, "wfm-wizard").expect("keyutils");
    for (field, v) in [
        ("client_secret", "v1-secret-0123456789"),
        ("jwt", value.as_str()),
    ] {
        store
            .set(&legacy(field), &secrecy::SecretString::from(v.to_owned()))
            .expect("a version-1 entry");
    }
    let reference = |field: &str| {
        format!(
            "{{keyring: {{store: keyutils, service: wfm-wizard, user: {}}}}}",
            legacy(field)
        )
    };
    std::fs::write(
        &config,
        format!(
            "version: 1\nintegrations:\n- platform: ringcentral-v1\n  operation: historical\n  group: {group}\n  enabled: true\n  settings:\n    client_id: {CLIENT_ID}\n    client_secret: {}\n    jwt: {}\n    sub_account_id: '15910001'\n",
            reference("client_secret"),
            reference("jwt")
        ),
    )
    .expect("a version-1 file");
    assert!(
        wfm(&config, &["validate"]).status.success(),
        "version 1 still loads"
    );

    resave(&config);
    let saved = document(&config);
    assert_eq!(saved.version, 2);
    let namespace = saved.namespace.clone().expect("a namespace");
    let moved = entries(&config);
    assert!(
        moved
            .iter()
            .all(|e| e.starts_with(&format!("{namespace}/"))),
        "{moved:?}"
    );
    assert_eq!(keyctl_value(&moved[1]).as_deref(), Some(value.as_str()));
    assert!(wfm(&config, &["validate"]).status.success());
    // Another version-1 file may share the old names: they are left for it.
    assert_eq!(
        keyctl_value(&legacy("jwt")).as_deref(),
        Some(value.as_str())
    );
    for field in ["client_secret", "jwt"] {
        store.delete(&legacy(field)).expect("clean up");
    }
}
