//! Issue 12's operator-facing points, as plain mode says them.

use crate::test_support::*;
use crate::wizard::Action;

/// Point 16: "1 char entered, Enter keeps it", not "1 chars ... them".
#[test]
fn one_typed_character_is_singular() {
    let mut w = new_form();
    for _ in 0..3 {
        act(&mut w, Action::Next);
    }
    type_text(&mut w, "x");
    let prompt = super::super::prompt::question(&w).prompt;
    assert!(
        prompt.contains("; 1 char entered, Enter keeps it)"),
        "{prompt}"
    );
    type_text(&mut w, "y");
    let prompt = super::super::prompt::question(&w).prompt;
    assert!(
        prompt.contains("; 2 chars entered, Enter keeps them)"),
        "{prompt}"
    );
}

/// Point 13: plain mode's Review says the warnings too.
#[test]
fn review_says_the_warnings() {
    let w = review_with_warnings();
    let lines = super::super::text::review(&w);
    for field in ["RingCentral CX client ID", "Sub account ID"] {
        assert!(
            lines.iter().any(|l| l.starts_with(&format!(
                "  Warning: Historical settings (no group): {field}: "
            ))),
            "{lines:#?}"
        );
    }
}

/// Point 11: plain mode's `?` shows the same help text as F1.
#[test]
fn question_mark_shows_the_field_help_with_its_details() {
    let mut w = new_form();
    for _ in 0..4 {
        act(&mut w, Action::Next);
    }
    act(&mut w, Action::Help);
    let question = super::super::prompt::question(&w);
    let said = question.intro.join("\n");
    let Some(crate::wizard::Overlay::Help { text, .. }) = w.overlay() else {
        panic!("no help");
    };
    assert!(said.contains(text.as_str()), "{said}");
    assert!(
        said.contains("Credentials") && said.contains("expire"),
        "{said}"
    );
}
