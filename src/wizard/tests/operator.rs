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

fn typed_secret(w: &Wizard, field: usize) -> String {
    let Step::Form { form: draft, .. } = w.step else {
        panic!("not on a form: {:?}", w.step);
    };
    match w.forms()[draft].value(field) {
        crate::validate::Value::Secret { typed, .. } => typed.unwrap_or_default().to_owned(),
        other => panic!("not a secret: {other:?}"),
    }
}

fn edit(w: &mut Wizard, request: InputRequest) {
    w.update(Msg::Edit(request));
}

/// Point 10: a typo mid-value is fixed with Left/Right/Home/End, Backspace and
/// Delete at the caret, masked or revealed.
#[test]
fn a_secret_is_edited_at_the_caret_masked_or_revealed() {
    const SECRET: usize = 3;
    let mut w = new_form();
    for _ in 0..SECRET {
        act(&mut w, Action::Next);
    }
    type_text(&mut w, "hunetr2");
    for _ in 0..4 {
        edit(&mut w, InputRequest::GoToPrevChar);
    }
    edit(&mut w, InputRequest::DeleteNextChar); // the stray 'e'
    edit(&mut w, InputRequest::GoToNextChar);
    type_text(&mut w, "e");
    assert_eq!(typed_secret(&w, SECRET), "hunter2", "masked");

    edit(&mut w, InputRequest::GoToStart);
    type_text(&mut w, "x");
    edit(&mut w, InputRequest::GoToEnd);
    edit(&mut w, InputRequest::DeletePrevChar);
    assert_eq!(typed_secret(&w, SECRET), "xhunter");

    act(&mut w, Action::Reveal);
    edit(&mut w, InputRequest::GoToStart);
    edit(&mut w, InputRequest::DeleteNextChar);
    edit(&mut w, InputRequest::GoToEnd);
    type_text(&mut w, "2");
    edit(&mut w, InputRequest::GoToPrevChar);
    edit(&mut w, InputRequest::GoToPrevChar);
    edit(&mut w, InputRequest::DeletePrevChar);
    type_text(&mut w, "E");
    assert_eq!(typed_secret(&w, SECRET), "huntEr2", "revealed");
    assert!(
        matches!(w.step, Step::Form { revealed: true, .. }),
        "editing keeps it revealed"
    );

    // A paste goes in at the caret too.
    edit(&mut w, InputRequest::GoToStart);
    paste(&mut w, "++");
    assert_eq!(typed_secret(&w, SECRET), "++huntEr2");
}

/// Point 11: every field of the built-in catalog has details beyond the product's
/// one-liner, and F1 shows them.
#[test]
fn every_field_has_help_beyond_the_product_one_liner() {
    let catalog = crate::catalog::Catalog::builtin();
    for platform in &catalog.platforms {
        for def in &platform.fields {
            let details = def.details.as_deref().unwrap_or("");
            assert!(details.len() > 80, "{}: {details:?}", def.key);
            assert!(def.full_help().starts_with(&def.help), "{}", def.key);
        }
    }
    let mut w = new_form();
    act(&mut w, Action::Help);
    let Some(Overlay::Help { text, .. }) = &w.overlay else {
        panic!("no help: {:?}", w.overlay);
    };
    assert!(text.contains("At most 64 characters"), "{text}");
}

/// Point 11: the help scrolls within what the screen measured, and opens at the top.
#[test]
fn help_scrolls_within_its_measured_limit_and_reopens_at_the_top() {
    let mut w = new_form();
    act(&mut w, Action::Help);
    w.update(Msg::HelpLimit(3));
    act(&mut w, Action::Next);
    assert_eq!(w.help_scroll(), 1);
    act(&mut w, Action::PageDown);
    assert_eq!(w.help_scroll(), 3, "stops at the limit");
    act(&mut w, Action::Prev);
    assert_eq!(w.help_scroll(), 2, "moves at once from there");
    act(&mut w, Action::Last);
    assert_eq!(w.help_scroll(), 3);
    act(&mut w, Action::Back);
    assert!(w.overlay.is_none());
    act(&mut w, Action::Help);
    assert_eq!(w.help_scroll(), 0);
}
