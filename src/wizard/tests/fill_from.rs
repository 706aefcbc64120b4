//! A new integration filled from an existing one (issue 12 point 12).

use secrecy::{ExposeSecret, SecretString};

use super::*;

/// The loaded Historical (stored secrets), then a new User import's form.
fn new_user_import() -> Wizard {
    let document = loaded_document(StoreKind::SecretService, true);
    let mut w = Wizard::new(Catalog::builtin(), Some(&document), "x", NOW).past_store_gate();
    w.update(Msg::StoreResolved(Ok(StoreInfo {
        kind: StoreKind::SecretService,
        note: None,
        systemd_creds_skipped: None,
    })));
    act(&mut w, Action::Enter); // platform
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter); // Continue to User import
    act(&mut w, Action::Yes); // its prerequisite
    act(&mut w, Action::Enter); // Add
    assert!(matches!(w.step, Step::Form { form: 1, .. }), "{:?}", w.step);
    w
}

#[test]
fn a_new_integration_is_filled_from_the_existing_one_and_saved_under_its_own_entries() {
    let mut w = new_user_import();
    assert_eq!(w.fill_source(1), Some(0));
    let effects = act(&mut w, Action::FillFrom);
    let [Effect::LoadDraftSecrets(references)] = effects.as_slice() else {
        panic!("expected the stored secrets to be read, got {effects:?}")
    };
    let users: Vec<&str> = references.iter().map(|r| r.user.as_str()).collect();
    assert_eq!(
        users,
        [
            "000000000000/ringcentral-v1/historical/default/client_secret",
            "000000000000/ringcentral-v1/historical/default/jwt"
        ]
    );
    assert_eq!(
        w.fill_source(1),
        None,
        "offered once: the form is touched now"
    );
    let jwt = jwt_never_expires();
    let loaded = references
        .iter()
        .map(|r| {
            let value = if r.user.ends_with("jwt") {
                jwt.clone()
            } else {
                CLIENT_SECRET.to_owned()
            };
            (r.clone(), Some(SecretString::from(value)))
        })
        .collect();
    w.update(Msg::DraftSecretsLoaded(Ok(loaded)));
    let FieldState::Text(client_id) = &w.forms[1].fields[2] else {
        panic!("client ID is text")
    };
    assert_eq!(client_id.value(), CLIENT_ID);
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter); // finish
    act(&mut w, Action::Enter); // Continue to Review
    assert_eq!(w.step, Step::Review { scroll: 0 }, "{:?}", w.problems());
    let effects = act(&mut w, Action::Save);
    let [Effect::Save(plan)] = effects.as_slice() else {
        panic!("expected a save, got {effects:?}: {:?}", w.notice)
    };
    let writes: Vec<(&str, &str)> = plan
        .writes
        .iter()
        .map(|w| (w.target.user.as_str(), w.value.expose_secret()))
        .collect();
    assert_eq!(
        writes,
        [
            (
                "000000000000/ringcentral-v1/user-import/default/client_secret",
                CLIENT_SECRET
            ),
            (
                "000000000000/ringcentral-v1/user-import/default/jwt",
                jwt.as_str()
            ),
        ]
    );
}

#[test]
fn typed_secrets_are_copied_at_once_and_nothing_is_offered_without_a_source() {
    let mut w = new_form();
    assert_eq!(
        w.fill_source(0),
        None,
        "the first integration has no source"
    );
    assert!(act(&mut w, Action::FillFrom).is_empty());
    let mut w = wizard();
    act(&mut w, Action::Enter);
    add_integration(&mut w, "east", &jwt_never_expires());
    act(&mut w, Action::Enter); // Continue
    act(&mut w, Action::Yes);
    act(&mut w, Action::Enter); // Add
    assert!(act(&mut w, Action::FillFrom).is_empty(), "typed: no read");
    let FieldState::Secret(jwt) = &w.forms[1].fields[4] else {
        panic!("JWT is a secret")
    };
    assert_eq!(jwt.typed.expose(), jwt_never_expires());
    let FieldState::Text(group) = &w.forms[1].fields[0] else {
        panic!("group")
    };
    assert_eq!(
        group.value(),
        "east",
        "another operation: the group is copied"
    );
}
