//! `cargo bench --bench wire -- bulk`: `wfm-wizard validate` over 1,000 integrations
//! whose 2,000 secrets are in a private gnome-keyring, read one by one
//! (`WFM_WIZARD_SECRET_SERVICE_BULK=0`) and in bulk (issue 10 item 10).
//!
//! The bench cannot point its own process at the private bus (`set_var` is unsafe), so
//! it runs itself again with the bus's environment and `bulk-fill N` to fill the
//! keyring over D-Bus (see [`fill`]).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use wfm_wizard::io::secrets::BULK_READ_ENV;

use crate::private_secret_service::start_or_skip;

/// How many integrations: `WFM_BULK_INTEGRATIONS`, 1,000 unless set (gnome-keyring
/// creates items in quadratic time: 3,000 integrations take minutes to fill).
fn integrations() -> usize {
    std::env::var("WFM_BULK_INTEGRATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000)
}

/// The user names `scale::document(n)` refers to.
fn users(n: usize) -> Vec<String> {
    (0..n)
        .flat_map(|i| {
            let operation = if i % 2 == 0 {
                "historical"
            } else {
                "user-import"
            };
            let group = format!("000000000000/ringcentral-v1/{operation}/g{i}");
            [format!("{group}/client_secret"), format!("{group}/jwt")]
        })
        .collect()
}

/// Values that pass the fields' rules: a client secret and a never-expiring JWT.
fn value(user: &str) -> SecretString {
    use base64::Engine;
    if user.ends_with("/jwt") {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        SecretString::from(format!(
            "{}.{}.{}",
            b64.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
            b64.encode(
                r#"{"iss":"https://platform.ringcentral.com","iat":1750000000,"exp":3897483647}"#
            ),
            b64.encode([0x5a_u8; 64])
        ))
    } else {
        SecretString::from("Zm9vYmFyYmF6cXV4cXV1eENsaWVudFNlY3JldA")
    }
}

/// The child's part: fill the Secret Service its environment names. Straight over
/// D-Bus into gnome-keyring's in-memory `session` collection, with the attributes the
/// store's own `set` writes: `set` into the login collection rewrites the keyring file
/// on every item, which for 20,000 items takes the best part of an hour.
pub fn fill(n: usize) {
    use std::collections::HashMap;
    use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};
    let bus = zbus::blocking::Connection::session().expect("session bus");
    let (_, session): (OwnedValue, OwnedObjectPath) = bus
        .call_method(
            Some("org.freedesktop.secrets"),
            "/org/freedesktop/secrets",
            Some("org.freedesktop.Secret.Service"),
            "OpenSession",
            &("plain", Value::from("")),
        )
        .expect("OpenSession")
        .body()
        .deserialize()
        .expect("OpenSession reply");
    for user in users(n) {
        let attributes = HashMap::from([("service", "wfm-wizard"), ("username", user.as_str())]);
        let label = format!("keyring:{user}@wfm-wizard");
        let properties: HashMap<&str, Value<'_>> = HashMap::from([
            (
                "org.freedesktop.Secret.Item.Label",
                Value::from(label.as_str()),
            ),
            (
                "org.freedesktop.Secret.Item.Attributes",
                Value::from(attributes),
            ),
        ]);
        let secret = value(&user);
        let secret = (
            &session,
            Vec::<u8>::new(),
            secret.expose_secret().as_bytes().to_vec(),
            "text/plain",
        );
        bus.call_method(
            Some("org.freedesktop.secrets"),
            "/org/freedesktop/secrets/collection/session",
            Some("org.freedesktop.Secret.Collection"),
            "CreateItem",
            &(properties, secret, true),
        )
        .expect("CreateItem");
    }
}

fn run_validate(
    binary: &Path,
    config: &Path,
    envs: &[(String, String)],
    bulk: bool,
) -> (Duration, String) {
    let started = Instant::now();
    let output = Command::new(binary)
        .arg("validate")
        .env("WFM_WIZARD_CONFIG", config)
        .env(BULK_READ_ENV, if bulk { "1" } else { "0" })
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("run wfm-wizard validate");
    let elapsed = started.elapsed();
    let text = format!(
        "exit {:?}\n{}{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (elapsed, text)
}

pub fn measure(binary: &Path) {
    let integrations = integrations();
    let Some(keyring) = start_or_skip() else {
        return;
    };
    let envs = keyring.envs();
    let started = Instant::now();
    let status = Command::new(std::env::current_exe().expect("this bench"))
        .args(["bulk-fill", &integrations.to_string()])
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .status()
        .expect("fill the keyring");
    assert!(status.success(), "filling the keyring failed");
    let filled = started.elapsed();
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let yaml =
        crate::scale::document(integrations).replace("store: keyutils", "store: secret-service");
    std::fs::write(&config, yaml).expect("write the config");
    println!("\n## validate with the Secret Service (release binary, private gnome-keyring)\n");
    println!(
        "{integrations} integrations, {} secrets stored in {:.1} s.\n",
        integrations * 2,
        filled.as_secs_f64()
    );
    println!("| read | run 1 | run 2 |");
    println!("|---|---|---|");
    let mut outputs = Vec::new();
    for (name, bulk) in [("one by one", false), ("bulk", true)] {
        let mut cells = Vec::new();
        for _ in 0..2 {
            let (elapsed, text) = run_validate(binary, &config, &envs, bulk);
            cells.push(format!("{:.2} s", elapsed.as_secs_f64()));
            outputs.push(text);
        }
        println!("| {name} | {} |", cells.join(" | "));
    }
    assert!(
        outputs.windows(2).all(|w| w[0] == w[1]),
        "validate answered differently:\n{}\n---\n{}",
        outputs[0],
        outputs[outputs.len() - 1]
    );
    println!(
        "\nBoth ways give the same output: {}",
        outputs[0].lines().next().unwrap_or("")
    );
}
