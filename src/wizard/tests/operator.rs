//! Issue 12's operator-facing points, on the state machine.

use super::*;

/// Point 16: finishing the edit of an integration from the file says "Updated".
#[test]
fn finishing_an_existing_integration_says_updated_and_a_new_one_added() {
    let document = loaded_document(crate::secret::StoreKind::Keyutils, true);
    let mut w = rename_first_group(&document, "east");
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter);
    let notice = w.notice.as_ref().map_or("", |n| n.text.as_str());
    assert!(notice.starts_with("Updated. "), "{notice}");

    let mut w = ready(crate::secret::StoreKind::SecretService);
    act(&mut w, Action::Enter);
    add_integration(&mut w, "", &jwt_never_expires());
    let notice = w.notice.as_ref().map_or("", |n| n.text.as_str());
    assert!(notice.starts_with("Added to the list. "), "{notice}");
}

/// Point 16: Review says "(1 char)" for a one-character secret.
#[test]
fn review_counts_one_character_in_the_singular() {
    let catalog = crate::catalog::Catalog::builtin();
    let platform = &catalog.platforms[0];
    let operation = &platform.operations[0];
    let def = platform
        .form_fields(operation)
        .find(|d| d.kind == crate::catalog::FieldKind::Secret)
        .unwrap();
    let mut secret = SecretField::default();
    secret.typed.push('x');
    let shown = review_text::field_value(
        def,
        &FieldState::Secret(secret),
        Some(crate::secret::StoreKind::SecretService),
        "hidden",
        "to",
    );
    assert_eq!(shown, "hidden (1 char) to secret-service, new");
}
