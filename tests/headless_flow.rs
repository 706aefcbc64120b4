//! The real loop on a `TestBackend`: scripted key and paste events in, a YAML file out,
//! secrets in an in-memory store.

#[path = "support/script.rs"]
mod script;

use std::collections::VecDeque;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wfm_wizard::app;
use wfm_wizard::catalog::Catalog;
use wfm_wizard::config::{Setting, parse_document};
use wfm_wizard::io::effects::InlineRunner;
use wfm_wizard::io::memory_store::MemoryStores;
use wfm_wizard::secret::StoreKind;
use wfm_wizard::ui::Theme;
use wfm_wizard::wizard::{Outcome, Wizard};

use script::Script;

/// A JWT that never expires, padded to about 1,000 characters.
fn long_jwt() -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = format!(
        r#"{{"iss":"https://platform.ringcentral.com","iat":1750000000,"exp":3897483647,"pad":"{}"}}"#,
        "p".repeat(560)
    );
    format!(
        "{}.{}.{}",
        b64.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
        b64.encode(payload),
        "s".repeat(180)
    )
}

#[test]
fn an_operator_configures_historical_and_user_import_and_the_file_and_store_hold_exactly_that() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wfm-wizard/integrations.yaml");
    let jwt = long_jwt();
    assert!(jwt.len() > 1000);
    let mut script = Script(VecDeque::new());
    script.enter(); // platform
    script
        .enter()
        .integration("east", "historical-secret-0123456789", &jwt);
    script.enter(); // continue to user import
    script
        .text("y")
        .enter()
        .integration("", "import-secret-0123456789", &jwt);
    script.enter(); // continue to review
    script.with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    script.enter(); // finish on Done

    let stores = Arc::new(MemoryStores::new(StoreKind::SecretService));
    let mut runner = InlineRunner {
        stores: stores.clone(),
        path: path.clone(),
    };
    let mut wizard = Wizard::new(
        Catalog::builtin(),
        None,
        &path.display().to_string(),
        1_800_000_000,
    );
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let outcome = app::run(
        &mut terminal,
        &mut wizard,
        &mut script,
        &mut runner,
        Theme::default(),
    )
    .unwrap();

    let Outcome::Saved(report) = outcome else {
        panic!("not saved: {outcome:?}")
    };
    assert_eq!((report.integrations, report.secrets_written), (2, 4));
    let text = std::fs::read_to_string(&path).unwrap();
    for secret in [
        "historical-secret-0123456789",
        "import-secret-0123456789",
        &jwt[..60],
    ] {
        assert!(!text.contains(secret), "a secret reached the YAML");
    }
    let document = parse_document(&text).unwrap();
    assert_eq!(
        document.confirmed,
        ["ringcentral-v1/user-import/set-employee-defaults"]
    );
    let [historical, import] = document.integrations.as_slice() else {
        panic!("two integrations")
    };
    assert_eq!(
        (historical.operation.as_str(), historical.group.as_deref()),
        ("historical", Some("east"))
    );
    assert_eq!(
        (import.operation.as_str(), import.group.as_deref()),
        ("user-import", None)
    );
    assert!(historical.enabled && import.enabled);
    let Some(Setting::Secret(reference)) = historical.settings.get("jwt") else {
        panic!("jwt reference")
    };
    assert_eq!(
        reference.user,
        "000000000000/ringcentral-v1/historical/east/jwt"
    );
    assert_eq!(reference.service, "wfm-wizard");
    assert_eq!(reference.store, StoreKind::SecretService);

    let store = stores.store(StoreKind::SecretService);
    assert_eq!(
        store.users(),
        [
            "000000000000/ringcentral-v1/historical/east/client_secret",
            "000000000000/ringcentral-v1/historical/east/jwt",
            "000000000000/ringcentral-v1/user-import/default/client_secret",
            "000000000000/ringcentral-v1/user-import/default/jwt",
        ]
    );
    assert_eq!(
        store
            .value("000000000000/ringcentral-v1/historical/east/jwt")
            .as_deref(),
        Some(jwt.as_str()),
        "the pasted JWT is whole, newline dropped"
    );
    assert_eq!(
        store
            .value("000000000000/ringcentral-v1/user-import/default/client_secret")
            .as_deref(),
        Some("import-secret-0123456789")
    );
}

#[test]
fn running_out_of_input_cancels_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("integrations.yaml");
    let mut script = Script(VecDeque::new());
    script.enter().enter().text("half-typed");
    let stores = Arc::new(MemoryStores::new(StoreKind::Keyutils));
    let mut runner = InlineRunner {
        stores,
        path: path.clone(),
    };
    let mut wizard = Wizard::new(Catalog::builtin(), None, "x", 1_800_000_000);
    let mut terminal = Terminal::new(TestBackend::new(60, 20)).unwrap();
    let outcome = app::run(
        &mut terminal,
        &mut wizard,
        &mut script,
        &mut runner,
        Theme::default(),
    )
    .unwrap();
    assert_eq!(outcome, Outcome::Cancelled);
    assert!(!path.exists());
}
