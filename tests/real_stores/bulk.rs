//! Issue 10 item 10 against a real gnome-keyring: the Secret Service's bulk read
//! (`get_many`) answers exactly what reads one by one answer, and `validate` prints the
//! same either way (`WFM_WIZARD_SECRET_SERVICE_BULK=0` turns the bulk read off).

use std::fmt::Write as _;
use std::process::Command;

use secrecy::{ExposeSecret, SecretString};
use wfm_wizard::io::secrets::{self, BULK_READ_ENV, SecretStore};
use wfm_wizard::secret::StoreKind;

use crate::linux::{Ctx, jwt_like};

const BIN: &str = env!("CARGO_BIN_EXE_wfm-wizard");
/// The service the program itself uses: `validate` reads only its own entries.
const PRODUCT_SERVICE: &str = "wfm-wizard";
const NAMESPACE: &str = "b0b0b0b0b0b0";
const INTEGRATIONS: usize = 150;

/// Deletes the entries, whatever happened.
struct Cleanup<'a>(&'a dyn SecretStore, &'a [String]);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        for user in self.1 {
            let _ = self.0.delete(user);
        }
    }
}

fn users() -> Vec<String> {
    (0..INTEGRATIONS)
        .flat_map(|i| {
            let group = format!("{NAMESPACE}/ringcentral-v1/historical/g{i}");
            [format!("{group}/client_secret"), format!("{group}/jwt")]
        })
        .collect()
}

/// Every sixth entry is missing; some values are not ASCII; the rest vary in length.
fn value(index: usize) -> Option<String> {
    match index % 6 {
        0 => None,
        3 => Some(format!("pässwörd-✓-日本-{index}")),
        _ => Some(jwt_like(40 + index % 900, index as u64)),
    }
}

fn config(dir: &std::path::Path) -> std::path::PathBuf {
    let mut yaml = format!("version: 2\nnamespace: '{NAMESPACE}'\nrevision: 1\nintegrations:\n");
    for i in 0..INTEGRATIONS {
        let group = format!("{NAMESPACE}/ringcentral-v1/historical/g{i}");
        let _ = write!(
            yaml,
            "- platform: ringcentral-v1\n  operation: historical\n  group: g{i}\n  enabled: true\n  settings:\n    client_id: AbCdEfGhIjKlMnOpQrStUv\n    client_secret:\n      keyring: {{store: secret-service, service: {PRODUCT_SERVICE}, user: {group}/client_secret}}\n    jwt:\n      keyring: {{store: secret-service, service: {PRODUCT_SERVICE}, user: {group}/jwt}}\n    sub_account_id: \"15910001\"\n"
        );
    }
    let path = dir.join("integrations.yaml");
    std::fs::write(&path, yaml).expect("write the config");
    path
}

fn validate(config: &std::path::Path, bulk: &str) -> String {
    let out = Command::new(BIN)
        .arg("validate")
        .env("WFM_WIZARD_CONFIG", config)
        .env(BULK_READ_ENV, bulk)
        .output()
        .expect("run wfm-wizard validate");
    format!(
        "exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn bulk_read_matches_one_by_one(_ctx: &Ctx) {
    let store =
        secrets::open(StoreKind::SecretService, PRODUCT_SERVICE).expect("open the Secret Service");
    let users = users();
    let _cleanup = Cleanup(&*store, &users);
    for (index, user) in users.iter().enumerate() {
        if let Some(value) = value(index) {
            store
                .set(user, &SecretString::from(value))
                .expect("store a secret");
        }
    }
    let asked: Vec<&str> = users.iter().map(String::as_str).collect();
    let bulk = store.get_many(&asked).expect("bulk read");
    assert_eq!(bulk.len(), users.len(), "one answer per user");
    for (index, user) in users.iter().enumerate() {
        let one = store
            .get(user)
            .expect("read one")
            .map(|v| v.expose_secret().to_owned());
        let many = bulk[user].as_ref().map(|v| v.expose_secret().to_owned());
        assert_eq!(many, one, "entry {index}");
        assert_eq!(one, value(index), "entry {index} as stored");
    }

    let dir = tempfile::tempdir().expect("temporary directory");
    let config = config(dir.path());
    let in_bulk = validate(&config, "1");
    let one_by_one = validate(&config, "0");
    assert_eq!(in_bulk, one_by_one);
    assert!(in_bulk.starts_with("exit Some(3)"), "{in_bulk}");
}
