//! Fixtures shared by the unit tests.

use std::sync::Arc;

/// The skip helper the integration tests use, shared so both say it the same way.
#[path = "../tests/support/skip.rs"]
pub mod skip;

use base64::Engine;
use secrecy::SecretString;

use crate::catalog::Catalog;
use crate::wizard::{Action, Effect, InputRequest, Wizard};
pub use crate::wizard::{Msg, Startup};

/// 2027-01-15, the "now" of every unit test.
pub const NOW: i64 = 1_800_000_000;

pub const CLIENT_ID: &str = "AbCdEfGhIjKlMnOpQrStUv";
pub const CLIENT_SECRET: &str = "Zz0Yy1Xx2Ww3Vv4Uu5Tt6Ss7Rr8Qq9Pp0Oo1Nn2Mm3Ll";

/// A JWT with the given payload JSON and a fake signature.
pub fn jwt(payload: &str) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = r#"{"kid":"0123456789abcdef0123456789abcdef","typ":"JWT","alg":"RS256"}"#;
    format!(
        "{}.{}.{}",
        b64.encode(header),
        b64.encode(payload),
        "c2lnbmF0dXJl".repeat(28)
    )
}

/// A RingCentral-shaped JWT that never expires (exp = iat + 2^31 - 1).
pub fn jwt_never_expires() -> String {
    jwt(
        r#"{"aud":"https://platform.ringcentral.com/restapi/oauth/token","sub":"62000000016","iss":"https://platform.ringcentral.com","exp":3897483647,"iat":1750000000,"jti":"AAAAAAAAAAAAAAAAAAAAAA"}"#,
    )
}

/// A new wizard whose operator has already passed the store gate, so forms open at
/// once; the gate's own tests start from [`gated_wizard`].
pub fn wizard() -> Wizard {
    gated_wizard().past_store_gate()
}

/// A new wizard as the program starts it: the store gate still ahead.
pub fn gated_wizard() -> Wizard {
    Wizard::new(
        Catalog::builtin(),
        None,
        "/etc/wfm-wizard/integrations.yaml",
        NOW,
    )
}

/// A catalog with a real-time operation that requires historical, for engine rules
/// `RingCentral` v1 does not exercise.
pub fn catalog_with_real_time() -> Arc<Catalog> {
    let text = include_str!("../assets/platforms.yaml").replace(
        "      - id: user-import\n",
        "      - id: real-time\n        label: Real-time settings\n        fields: [group, enabled, client_id]\n        requires:\n          - operation: historical\n            why: agent synchronization relies on historical data collection.\n      - id: user-import\n",
    );
    Arc::new(Catalog::from_yaml(&text).expect("test catalog"))
}

pub fn act(w: &mut Wizard, action: Action) -> Vec<Effect> {
    w.update(Msg::Act(action))
}

pub fn type_text(w: &mut Wizard, text: &str) {
    for c in text.chars() {
        w.update(Msg::Edit(InputRequest::InsertChar(c)));
    }
}

pub fn paste(w: &mut Wizard, text: &str) {
    w.update(Msg::Paste(SecretString::from(text.to_owned())));
}

/// From an operation list with "Add" selected: fills and finishes one integration.
pub fn add_integration(w: &mut Wizard, group: &str, jwt: &str) {
    act(w, Action::Enter); // Add
    type_text(w, group);
    act(w, Action::Enter);
    act(w, Action::Enter); // Status stays on
    type_text(w, CLIENT_ID);
    act(w, Action::Enter);
    paste(w, CLIENT_SECRET);
    act(w, Action::Enter);
    paste(w, jwt);
    act(w, Action::Enter);
    type_text(w, "15910001");
    act(w, Action::Enter); // finish
}

/// Selects the list row whose position is `index` in an operation list.
pub fn select_row(w: &mut Wizard, index: usize) {
    act(w, Action::First);
    for _ in 0..index {
        act(w, Action::Next);
    }
}

/// A wizard whose secret store has been resolved to `kind`.
pub fn ready(kind: crate::secret::StoreKind) -> Wizard {
    let mut w = wizard();
    w.update(Msg::StoreResolved(Ok(crate::wizard::StoreInfo {
        kind,
        note: None,
        systemd_creds_skipped: None,
    })));
    w
}

/// From wherever the lists are (Platform, or an operation's list) to Review: Continue
/// on each list.
pub fn to_review(w: &mut Wizard) {
    if matches!(w.step(), crate::wizard::Step::Platform { .. }) {
        act(w, Action::Enter);
    }
    for _ in 0..w.current_platform().operations.len() {
        if matches!(w.step(), crate::wizard::Step::Operation { .. }) {
            act(w, Action::Last);
            act(w, Action::Enter);
        }
    }
    assert!(
        matches!(w.step(), crate::wizard::Step::Review { .. }),
        "{:?}",
        w.step()
    );
}

/// From the Historical list with Continue selected: past User import to Review.
pub fn continue_to_review(w: &mut Wizard) {
    act(w, Action::Enter);
    act(w, Action::Last);
    act(w, Action::Enter);
}

/// A wizard editing `document`, with the first integration's Group extended by `text`.
pub fn rename_first_group(document: &crate::config::Document, text: &str) -> Wizard {
    let mut w = first_row_of(document);
    act(&mut w, Action::Enter);
    type_text(&mut w, text);
    w
}

/// A file with one Historical integration, no group, its secrets stored in `store`.
pub fn loaded_document(store: crate::secret::StoreKind, enabled: bool) -> crate::config::Document {
    use crate::config::{Document, Integration, Setting, Settings};
    let stored = |field: &str| {
        Setting::Secret(crate::secret::SecretRef {
            store,
            service: "wfm-wizard".into(),
            user: format!("000000000000/ringcentral-v1/historical/default/{field}"),
        })
    };
    Document {
        version: 2,
        namespace: Some(crate::wizard::UNASSIGNED_NAMESPACE.into()),
        path: Some("x".into()),
        revision: 1,
        confirmed: vec![],
        integrations: vec![Integration {
            platform: "ringcentral-v1".into(),
            operation: "historical".into(),
            group: None,
            enabled,
            settings: Settings(vec![
                ("client_id".into(), Setting::Text(CLIENT_ID.into())),
                ("client_secret".into(), stored("client_secret")),
                ("jwt".into(), stored("jwt")),
                ("sub_account_id".into(), Setting::Text("15910001".into())),
            ]),
        }],
    }
}

/// A wizard editing `document`, on the Historical list with its first row selected.
pub fn first_row_of(document: &crate::config::Document) -> Wizard {
    let mut w = Wizard::new(Catalog::builtin(), Some(document), "x", NOW).past_store_gate();
    act(&mut w, Action::Enter);
    act(&mut w, Action::First);
    w
}

/// A wizard showing the form of a new Historical integration.
pub fn new_form() -> Wizard {
    let mut w = wizard();
    act(&mut w, Action::Enter); // platform
    act(&mut w, Action::Enter); // Add
    w
}

/// The one place tests build a `Document` from integrations, so a field added to it
/// is one edit here.
pub fn document_of(integrations: Vec<crate::config::Integration>) -> crate::config::Document {
    crate::config::Document {
        version: 2,
        namespace: Some(crate::wizard::UNASSIGNED_NAMESPACE.into()),
        path: Some("x".into()),
        revision: 1,
        confirmed: vec![],
        integrations,
    }
}

/// A file of Historical integrations, one per group, secrets in the kernel keyring.
pub fn historical_in(groups: &[&str]) -> crate::config::Document {
    document_of(
        groups
            .iter()
            .map(|g| integration_in("historical", Some(g), crate::secret::StoreKind::Keyutils))
            .collect(),
    )
}

/// A `RingCentral` integration of `operation` in `group`, secrets in `store`.
pub fn integration_in(
    operation: &str,
    group: Option<&str>,
    store: crate::secret::StoreKind,
) -> crate::config::Integration {
    use crate::config::{Integration, Setting, Settings};
    let stored = |field: &str| {
        Setting::Secret(crate::secret::SecretRef {
            store,
            service: "wfm-wizard".into(),
            user: crate::secret::entry_user(
                crate::wizard::UNASSIGNED_NAMESPACE,
                "ringcentral-v1",
                operation,
                group,
                field,
            ),
        })
    };
    Integration {
        platform: "ringcentral-v1".into(),
        operation: operation.into(),
        group: group.map(str::to_owned),
        enabled: true,
        settings: Settings(vec![
            ("client_id".into(), Setting::Text(CLIENT_ID.into())),
            ("client_secret".into(), stored("client_secret")),
            ("jwt".into(), stored("jwt")),
        ]),
    }
}

/// A Historical integration whose client ID is 21 characters and whose sub account
/// ID has a letter: both warnings, neither an error.
pub fn review_with_warnings() -> Wizard {
    let mut w = ready(crate::secret::StoreKind::SecretService);
    act(&mut w, Action::Enter);
    act(&mut w, Action::Enter); // Add
    act(&mut w, Action::Enter); // Group
    act(&mut w, Action::Enter); // Status
    type_text(&mut w, &CLIENT_ID[1..]);
    act(&mut w, Action::Enter);
    paste(&mut w, CLIENT_SECRET);
    act(&mut w, Action::Enter);
    paste(&mut w, &jwt_never_expires());
    act(&mut w, Action::Enter);
    type_text(&mut w, "1591000l");
    act(&mut w, Action::Enter); // finish: warnings do not block
    act(&mut w, Action::Enter); // Continue
    act(&mut w, Action::Yes);
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter); // Review
    assert!(
        matches!(w.step(), crate::wizard::Step::Review { .. }),
        "{:?}",
        w.step()
    );
    w
}

/// The draft a checkpoint of `w` writes now (`w` has unsaved work).
pub fn draft_plan(w: &mut Wizard) -> crate::wizard::DraftPlan {
    let effects = w.update(Msg::Checkpoint);
    match effects.into_iter().next() {
        Some(Effect::SaveDraft(plan)) => plan,
        other => panic!("a checkpoint with unsaved work drafts it: {other:?}"),
    }
}
