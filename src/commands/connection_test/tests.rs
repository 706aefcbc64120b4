use std::sync::Arc;

use secrecy::SecretString;

use super::*;
use crate::connection_verdict::{Cause, Outcome, Stage, Verdict};
use crate::io::connection::FixedTester;
use crate::io::memory_store::MemoryStores;
use crate::io::secrets::SecretStore;
use crate::secret::StoreKind;
use crate::test_support::{CLIENT_SECRET, jwt_never_expires};

const NAMESPACE: &str = "0123456789ab";

fn config(dir: &Path) -> std::path::PathBuf {
    let reference = |field: &str| {
        format!(
            "{{keyring: {{store: keyutils, service: wfm-wizard, user: {NAMESPACE}/ringcentral-v1/historical/default/{field}}}}}"
        )
    };
    let path = dir.join("integrations.yaml");
    std::fs::write(
        &path,
        format!(
            "version: 2\nnamespace: {NAMESPACE}\npath: {}\nintegrations:\n- platform: ringcentral-v1\n  operation: historical\n  enabled: true\n  settings:\n    client_id: AbCdEfGhIjKlMnOpQrStUv\n    client_secret: {}\n    jwt: {}\n    sub_account_id: '15910001'\n",
            path.display(),
            reference("client_secret"),
            reference("jwt")
        ),
    )
    .unwrap();
    path
}

fn stores_with_secrets() -> MemoryStores {
    let stores = MemoryStores::new(StoreKind::Keyutils);
    let store = stores.store(StoreKind::Keyutils);
    for (field, value) in [
        ("client_secret", CLIENT_SECRET.to_owned()),
        ("jwt", jwt_never_expires()),
    ] {
        store
            .set(
                &format!("{NAMESPACE}/ringcentral-v1/historical/default/{field}"),
                &SecretString::from(value),
            )
            .unwrap();
    }
    stores
}

fn passing() -> Verdict {
    let mut verdict = Verdict::new();
    for stage in Stage::ALL {
        verdict.set(stage, Outcome::Passed { reused: false });
    }
    verdict
}

fn run(
    path: &Path,
    stores: &MemoryStores,
    verdict: Verdict,
    request: &Request<'_>,
) -> (u8, String, String) {
    let catalog = Catalog::builtin();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = test(
        path,
        &catalog,
        stores,
        &FixedTester(verdict),
        request,
        &mut out,
        &mut err,
    );
    (
        status,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

const ALL_TEXT: Request<'static> = Request {
    target: None,
    json: false,
};
const ALL_JSON: Request<'static> = Request {
    target: None,
    json: true,
};

#[test]
fn all_passing_exits_0_and_a_failure_exits_5_with_cause_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path());
    let stores = stores_with_secrets();
    let (status, out, _) = run(&path, &stores, passing(), &ALL_TEXT);
    assert_eq!(status, 0, "{out}");
    assert!(
        out.starts_with("ringcentral-v1/historical/default: passed\n  ok    "),
        "{out}"
    );
    let mut failed = passing();
    failed.set(
        Stage::RingCxLogin,
        Outcome::Failed {
            cause: Cause::NotLinkedToRingCx,
        },
    );
    failed.set(Stage::SubAccount, Outcome::NotRun);
    let (status, out, _) = run(&path, &stores, failed.clone(), &ALL_TEXT);
    assert_eq!(status, EXIT_TEST_FAILED, "{out}");
    assert!(
        out.contains(
            "FAIL  The RingCentral user can sign in to RingCX: RingCX refused the login (401)"
        ),
        "{out}"
    );
    assert!(out.contains("(not run)"), "{out}");
    let (status, out, _) = run(&path, &stores, failed, &ALL_JSON);
    assert_eq!(status, EXIT_TEST_FAILED);
    let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(line["integration"], "ringcentral-v1/historical/default");
    assert_eq!(line["passed"], false);
    assert_eq!(line["stages"][1]["cause"], "not-linked-to-ringcx");
    assert!(
        line["stages"][1]["what_to_do"]
            .as_str()
            .unwrap()
            .contains("RingCX")
    );
    assert_eq!(line["stages"][2]["outcome"], "not-run");
}

#[test]
fn a_missing_secret_exits_3_and_an_unreadable_store_exits_4() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path());
    let (status, out, _) = run(
        &path,
        &MemoryStores::new(StoreKind::Keyutils),
        passing(),
        &ALL_JSON,
    );
    assert_eq!(status, EXIT_INVALID, "{out}");
    assert!(out.contains(r#""error":"secret-missing""#), "{out}");
    let catalog = Catalog::builtin();
    let mut out = Vec::new();
    let status = test(
        &path,
        &catalog,
        &Unreachable,
        &FixedTester(passing()),
        &ALL_JSON,
        &mut out,
        &mut Vec::new(),
    );
    let out = String::from_utf8(out).unwrap();
    assert_eq!(status, EXIT_STORE_UNAVAILABLE, "{out}");
    assert!(out.contains(r#""error":"secret-unreadable""#), "{out}");
}

#[test]
fn one_integration_is_chosen_by_name_and_an_unknown_name_is_bad_usage() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path());
    let stores = stores_with_secrets();
    let one = Request {
        target: Some("ringcentral-v1/historical/default"),
        json: false,
    };
    assert_eq!(run(&path, &stores, passing(), &one).0, 0);
    let none = Request {
        target: Some("ringcentral-v1/historical/east"),
        json: false,
    };
    let (status, _, err) = run(&path, &stores, passing(), &none);
    assert_eq!(status, EXIT_USAGE);
    assert!(
        err.contains("no integration ringcentral-v1/historical/east"),
        "{err}"
    );
    let (status, _, err) = run(
        &dir.path().join("absent.yaml"),
        &stores,
        passing(),
        &ALL_TEXT,
    );
    assert_eq!(status, EXIT_INVALID);
    assert!(err.contains("no such file"), "{err}");
}

/// Stores that cannot be reached (a locked keyring, no session bus).
struct Unreachable;

impl StoreProvider for Unreachable {
    fn resolve(&self) -> Result<crate::wizard::StoreInfo, String> {
        Err("unreachable".into())
    }
    fn open(
        &self,
        kind: StoreKind,
    ) -> Result<Arc<dyn SecretStore>, crate::io::secrets::StoreError> {
        Err(crate::io::secrets::StoreError::other(
            kind,
            "no session bus",
        ))
    }
}
