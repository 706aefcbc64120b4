//! Issue 12's operator-facing points, as the full-screen views show them.

use super::*;

fn screen(w: &Wizard, width: u16, height: u16) -> String {
    format!("{}", render(w, width, height).backend())
}

/// Point 16: one character is "1 char", and a revealed secret's length sits at the
/// value's column, not one space right of it.
#[test]
fn a_secret_length_is_singular_for_one_and_aligned_when_revealed() {
    let mut w = new_form();
    act(&mut w, Action::Next);
    act(&mut w, Action::Next);
    act(&mut w, Action::Next); // client secret
    type_text(&mut w, "x");
    act(&mut w, Action::Next);
    let shown = screen(&w, 80, 24);
    assert!(shown.contains("(1 char)"), "{shown}");
    assert!(!shown.contains("(1 chars)"), "{shown}");

    let mut revealed = filled_form();
    act(&mut revealed, Action::Prev);
    act(&mut revealed, Action::Prev);
    act(&mut revealed, Action::Reveal);
    let shown = screen(&revealed, 80, 24);
    let length = format!("({} chars)", CLIENT_SECRET.len());
    let row = shown
        .lines()
        .find(|l| l.contains(&length))
        .unwrap_or_else(|| panic!("{shown}"));
    // Values start at column 32 (the view's margin, then 31 of marker and label);
    // the row is quoted.
    assert_eq!(
        row.find(&length),
        Some(1 + 32),
        "no stray space before the length:\n{shown}"
    );
}

/// Point 16: a 500-character group is cut with an ellipsis; its status stays on screen.
#[test]
fn a_long_group_is_cut_with_an_ellipsis_and_keeps_its_status_visible() {
    // Over the Group's limit, so the row also says "incomplete": the part that matters.
    let mut w = new_form();
    type_text(&mut w, &"g".repeat(500));
    act(&mut w, Action::Back);
    for (width, height) in SIZES {
        let shown = screen(&w, width, height);
        let row = shown
            .lines()
            .find(|l| l.contains("gggg"))
            .unwrap_or_else(|| panic!("{shown}"));
        assert!(row.contains("g…  enabled"), "{row}");
        assert!(row.contains("enabled"), "{width}x{height}: {row}");
        assert!(row.contains("incomplete · new"), "{width}x{height}: {row}");
    }
    let ascii = format!("{}", render_with(&w, 80, 24, ASCII).backend());
    let row = ascii.lines().find(|l| l.contains("gggg")).unwrap();
    assert!(row.contains("g...  enabled - incomplete - new"), "{row}");
}

/// Point 13: Review shows the warnings with their mark, not only the errors.
#[test]
fn review_shows_warnings_with_their_mark() {
    let w = review_with_warnings();
    let shown = screen(&w, 80, 24);
    assert!(
        shown.contains("! Historical settings (no group): RingCentral CX client ID:"),
        "{shown}"
    );
    assert!(
        shown.contains("! Historical settings (no group): Sub account ID:"),
        "{shown}"
    );
    snapshot("review_with_warnings", &w);
}

/// Point 10: the caret shows where an edit goes, among the mask characters or in the
/// revealed value.
#[test]
fn the_caret_of_a_secret_follows_left_and_home() {
    use crate::wizard::InputRequest;
    let mut w = new_form();
    for _ in 0..3 {
        act(&mut w, Action::Next);
    }
    type_text(&mut w, "abcdef");
    let caret = |w: &Wizard| {
        let position = render(w, 80, 24).get_cursor_position().unwrap();
        (position.x, position.y)
    };
    let (end, row) = caret(&w);
    assert_eq!(end, 32 + 6);
    w.update(Msg::Edit(InputRequest::GoToPrevChar));
    w.update(Msg::Edit(InputRequest::GoToPrevChar));
    assert_eq!(caret(&w), (32 + 4, row), "masked");
    act(&mut w, Action::Reveal);
    assert_eq!(caret(&w), (32 + 4, row), "revealed");
    w.update(Msg::Edit(InputRequest::GoToStart));
    assert_eq!(caret(&w), (32, row));
    w.update(Msg::Edit(InputRequest::GoToEnd));
    assert_eq!(caret(&w), (32 + 6, row));
}

/// Point 15: on an ASCII terminal, what the operator typed is shown in ASCII too
/// (the value itself keeps its letters), with the caret where it was.
#[test]
fn a_typed_group_shows_in_ascii_on_an_ascii_terminal() {
    let mut w = new_form();
    type_text(&mut w, "Öst");
    let mut terminal = render_with(&w, 80, 24, ASCII);
    let shown = format!("{}", terminal.backend());
    assert!(shown.is_ascii(), "{shown}");
    assert!(
        shown.contains("> Group                        Ost "),
        "{shown}"
    );
    let caret = terminal.get_cursor_position().unwrap();
    assert_eq!(caret.x, 32 + 3, "the caret after three columns");
    let mut revealed = new_form();
    for _ in 0..3 {
        act(&mut revealed, Action::Next);
    }
    type_text(&mut revealed, "pässwörd");
    act(&mut revealed, Action::Reveal);
    let shown = format!("{}", render_with(&revealed, 80, 24, ASCII).backend());
    assert!(shown.is_ascii() && shown.contains("password"), "{shown}");
    act(&mut w, Action::Back);
    let shown = format!("{}", render_with(&w, 80, 24, ASCII).backend());
    assert!(
        shown.is_ascii() && shown.contains("Ost  enabled"),
        "{shown}"
    );
    assert_eq!(
        w.forms()[0].group(&w.form_fields(0)),
        "Öst",
        "only the picture changed"
    );
}

/// Point 11: F1 on the JWT says where it comes from, its format and expiry, and the
/// keys that act there; at 80x24 it does not fit, so it scrolls and says where it is.
#[test]
fn jwt_help_says_where_it_comes_from_and_scrolls_at_80x24() {
    let mut w = new_form();
    for _ in 0..4 {
        act(&mut w, Action::Next);
    }
    act(&mut w, Action::Help);
    let top = screen(&w, 80, 24);
    assert!(top.contains("JSON Web Token"), "{top}");
    assert!(top.contains("Credentials"), "{top}");
    assert!(top.contains("lines 1-"), "it says there is more: {top}");
    act(&mut w, Action::Last);
    let bottom = screen(&w, 80, 24);
    assert!(
        bottom.contains("Ctrl-R reveal") && bottom.contains("Home End"),
        "the keys of a secret field close it: {bottom}"
    );
    assert!(!bottom.contains("lines 1-"), "{bottom}");
    snapshot("help_jwt_scrolled_to_the_end", &w);
    act(&mut w, Action::First);
    assert_eq!(screen(&w, 80, 24), top, "Home goes back to the top");
}

/// Point 11: the Group's help states its rules; a toggle's keys are Space, and no
/// Ctrl-R is offered where it does nothing.
#[test]
fn group_and_status_help_state_the_rules_and_their_own_keys() {
    let mut w = new_form();
    act(&mut w, Action::Help);
    let group = screen(&w, 80, 24);
    for rule in ["64", "\"/\"", "\"default\"", "ignoring case"] {
        assert!(group.contains(rule), "{rule}: {group}");
    }
    assert!(!group.contains("Ctrl-R"), "{group}");
    act(&mut w, Action::Back);
    act(&mut w, Action::Next);
    act(&mut w, Action::Help);
    let status = screen(&w, 80, 24);
    assert!(status.contains("Space switch"), "{status}");
}
