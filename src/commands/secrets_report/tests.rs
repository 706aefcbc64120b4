use super::*;
use crate::io::memory_store::MemoryStores;
use crate::test_support::loaded_document;
use secrecy::SecretString;

const JWT_USER: &str = "000000000000/ringcentral-v1/historical/default/jwt";
const ORPHAN: &str = "000000000000/ringcentral-v1/historical/old/jwt";
const DRAFTED: &str = "000000000000/draft/ringcentral-v1/historical/east/jwt";
/// Another config's entry, and a version-1 name: never this file's to list or remove.
const OTHERS: [&str; 2] = [
    "ba9876543210/ringcentral-v1/historical/default/jwt",
    "ringcentral-v1/historical/default/jwt",
];

/// A draft file beside `path` that names the entry `DRAFTED`.
fn write_draft(path: &Path) {
    use crate::config::draft::{DraftField, DraftIntegration};
    let mut snapshot = crate::test_support::wizard().snapshot();
    snapshot.integrations.push(DraftIntegration {
        platform: "ringcentral-v1".into(),
        operation: "historical".into(),
        original: None,
        touched: true,
        fields: vec![DraftField::Secret {
            key: "jwt".into(),
            typed: Some(SecretRef {
                store: StoreKind::Keyutils,
                service: SERVICE.into(),
                user: DRAFTED.into(),
            }),
            stored: None,
        }],
    });
    crate::io::draft_file::write(path, &snapshot).unwrap();
}

fn setup() -> (tempfile::TempDir, PathBuf, MemoryStores) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("integrations.yaml");
    let text = crate::config::render_document(&loaded_document(StoreKind::Keyutils, true)).unwrap();
    std::fs::write(&path, text).unwrap();
    let stores = MemoryStores::new(StoreKind::Keyutils);
    let keyutils = stores.store(StoreKind::Keyutils);
    for user in [ORPHAN, DRAFTED, OTHERS[0], OTHERS[1]] {
        keyutils
            .set(user, &SecretString::from(format!("value of {user}")))
            .unwrap();
    }
    keyutils
        .set(
            JWT_USER,
            &SecretString::from(crate::test_support::jwt_never_expires()),
        )
        .unwrap();
    (dir, path, stores)
}

use crate::io::secrets::SecretStore;

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn status_shows_each_secret_its_store_presence_fingerprint_and_the_orphans() {
    let (_dir, path, stores) = setup();
    let mut out = Vec::new();
    // The client secret is missing: `validate` exits 3 for that, and so does `status`.
    assert_eq!(status(&path, &stores, &mut out), EXIT_INVALID);
    let out = text(&out);
    assert!(
        out.contains("integrations[0] (ringcentral-v1/historical/default)  enabled"),
        "{out}"
    );
    let jwt = out
        .lines()
        .find(|l| l.trim_start().starts_with("jwt "))
        .unwrap();
    assert!(
        jwt.contains("keyutils") && jwt.contains("present  fingerprint "),
        "{jwt}"
    );
    let secret = out.lines().find(|l| l.contains("client_secret")).unwrap();
    assert!(
        secret.contains("MISSING") && secret.contains("reboot"),
        "{secret}"
    );
    assert!(out.contains(ORPHAN), "{out}");
    assert!(out.contains(DRAFTED), "no draft file: an orphan\n{out}");
    assert!(
        out.contains("2 entries under service wfm-wizard belong to other configs"),
        "{out}"
    );
    for other in OTHERS {
        assert!(
            !out.lines().any(|l| l.trim_end().ends_with(other)),
            "{other} listed:\n{out}"
        );
    }
    assert!(!out.contains("value of"), "never a value: {out}");
}

#[test]
fn prune_asks_refuses_without_a_terminal_and_spares_draft_entries() {
    let (_dir, path, stores) = setup();
    write_draft(&path);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(
        prune(&path, &stores, Confirm::NoTerminal, &mut out, &mut err),
        EXIT_USAGE
    );
    assert!(text(&err).contains("--yes"), "{}", text(&err));
    let mut no: &[u8] = b"n\n";
    assert_eq!(
        prune(&path, &stores, Confirm::Ask(&mut no), &mut out, &mut err),
        EXIT_CANCELLED
    );
    assert!(
        text(&err).contains("Remove this entry? [y/N] "),
        "one orphan, in the singular: {}",
        text(&err)
    );
    assert_eq!(stores.store(StoreKind::Keyutils).users().len(), 5);
    let mut yes: &[u8] = b"y\n";
    assert_eq!(
        prune(&path, &stores, Confirm::Ask(&mut yes), &mut out, &mut err),
        EXIT_OK
    );
    let mut left = vec![DRAFTED, JWT_USER, OTHERS[0], OTHERS[1]];
    left.sort_unstable();
    assert_eq!(
        stores.store(StoreKind::Keyutils).users(),
        left,
        "the orphan went; the referenced entry, the live draft's and other configs' stayed"
    );
}

#[test]
fn secret_get_prints_only_into_a_pipe_and_names_what_exists() {
    let (_dir, path, stores) = setup();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let name = "ringcentral-v1/historical/default/jwt";
    assert_eq!(
        secret_get(&path, name, &stores, true, &mut out, &mut err),
        EXIT_USAGE
    );
    assert!(out.is_empty());
    assert!(text(&err).contains("pipe it"), "{}", text(&err));
    assert_eq!(
        secret_get(&path, name, &stores, false, &mut out, &mut err),
        EXIT_OK
    );
    assert_eq!(text(&out), crate::test_support::jwt_never_expires());
    let mut err = Vec::new();
    assert_eq!(
        secret_get(
            &path,
            "ringcentral-v1/historical/default/client_secret",
            &stores,
            false,
            &mut Vec::new(),
            &mut err
        ),
        EXIT_FAILURE
    );
    assert!(text(&err).contains("MISSING"), "{}", text(&err));
    let mut err = Vec::new();
    assert_eq!(
        secret_get(&path, "nope/x", &stores, false, &mut Vec::new(), &mut err),
        EXIT_USAGE
    );
    assert!(
        text(&err).contains(name),
        "lists the known names: {}",
        text(&err)
    );
}

/// `status` and `validate` over the same file and stores give the same exit status.
fn both(path: &Path, stores: &MemoryStores) -> (u8, u8, String) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let status = status(path, stores, &mut a);
    let catalog = crate::catalog::Catalog::builtin();
    let validate = super::super::validate(path, &catalog, stores, &mut b);
    (status, validate, format!("{}{}", text(&a), text(&b)))
}

#[test]
fn status_and_validate_agree_and_hold_stored_values_to_the_field_rules() {
    let (dir, path, stores) = setup();
    let keyutils = stores.store(StoreKind::Keyutils);
    let secret_user = JWT_USER.replace("/jwt", "/client_secret");
    keyutils
        .set(&secret_user, &SecretString::from("s3cr3t-value".to_owned()))
        .unwrap();
    assert_eq!(
        both(&path, &stores).0,
        EXIT_OK,
        "{}",
        both(&path, &stores).2
    );
    assert_eq!(
        both(&path, &stores).1,
        EXIT_OK,
        "{}",
        both(&path, &stores).2
    );
    for bad in [
        "garbage".to_owned(),
        // Expired in 2001.
        crate::test_support::jwt(r#"{"iss":"x","exp":1000000000,"iat":999999999}"#),
    ] {
        keyutils
            .set(JWT_USER, &SecretString::from(bad.clone()))
            .unwrap();
        let (status, validate, said) = both(&path, &stores);
        assert_eq!((status, validate), (EXIT_INVALID, EXIT_INVALID), "{said}");
        assert!(said.contains("INVALID  fingerprint"), "{said}");
        assert!(said.contains("breaks the field's rule"), "{said}");
        assert!(!said.contains(&bad), "never the value: {said}");
    }
    keyutils.delete(JWT_USER).unwrap();
    let (status, validate, said) = both(&path, &stores);
    assert_eq!((status, validate), (EXIT_INVALID, EXIT_INVALID), "{said}");
    assert!(!said.contains("apply"), "only commands that exist: {said}");
    // A plain-text secret, an unknown platform, a missing file.
    let text_secret = std::fs::read_to_string(&path).unwrap().replacen(
        "client_secret:\n",
        "client_secret: hunter2\n  x_client_secret:\n",
        1,
    );
    for (name, content) in [
        ("plain.yaml", Some(text_secret)),
        (
            "unknown.yaml",
            Some(
                std::fs::read_to_string(&path)
                    .unwrap()
                    .replace("ringcentral-v1\n", "genesys\n"),
            ),
        ),
        ("absent.yaml", None),
    ] {
        let other = dir.path().join(name);
        if let Some(content) = content {
            std::fs::write(&other, content).unwrap();
        }
        let (status, validate, said) = both(&other, &stores);
        assert_eq!(
            (status, validate),
            (EXIT_INVALID, EXIT_INVALID),
            "{name}: {said}"
        );
    }
}
