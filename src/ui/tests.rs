use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};

use super::*;
use crate::catalog::Catalog;
use crate::secret::StoreKind;
use crate::test_support::*;
use crate::wizard::{Action, Msg, Overlay, SaveReport, StoreInfo, Wizard};

mod operator;

const SIZES: [(u16, u16); 2] = [(80, 24), (60, 20)];

fn render(w: &Wizard, width: u16, height: u16) -> Terminal<TestBackend> {
    render_with(w, width, height, Theme::default())
}

fn render_with(w: &Wizard, width: u16, height: u16, theme: Theme) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| draw(frame, w, theme)).unwrap();
    terminal
}

const ASCII: Theme = Theme {
    ascii: true,
    colour: false,
};

fn snapshot(name: &str, w: &Wizard) {
    for (width, height) in SIZES {
        let terminal = render(w, width, height);
        insta::assert_snapshot!(format!("{name}_{width}x{height}"), terminal.backend());
    }
}

fn ready_wizard(w: Wizard) -> Wizard {
    // Past the store gate; its views have their own tests.
    let mut w = w.past_store_gate();
    w.update(Msg::StoreResolved(Ok(StoreInfo {
        kind: StoreKind::SecretService,
        note: None,
        systemd_creds_skipped: None,
    })));
    w
}

fn filled_form() -> Wizard {
    let mut w = ready(StoreKind::SecretService);
    act(&mut w, Action::Enter);
    act(&mut w, Action::Enter);
    type_text(&mut w, "east");
    act(&mut w, Action::Next);
    act(&mut w, Action::Next);
    type_text(&mut w, CLIENT_ID);
    act(&mut w, Action::Next);
    paste(&mut w, CLIENT_SECRET);
    act(&mut w, Action::Next);
    paste(&mut w, &jwt_never_expires());
    act(&mut w, Action::Next);
    type_text(&mut w, "15910001");
    w
}

fn review() -> Wizard {
    let mut w = ready(StoreKind::SecretService);
    act(&mut w, Action::Enter);
    add_integration(&mut w, "", &jwt_never_expires());
    act(&mut w, Action::Enter);
    act(&mut w, Action::Yes);
    add_integration(&mut w, "", &jwt_never_expires());
    act(&mut w, Action::Enter);
    w
}

fn loaded() -> Wizard {
    let document = loaded_document(StoreKind::Keyutils, false);
    ready_wizard(Wizard::new(
        Catalog::builtin(),
        Some(&document),
        "/home/op/.config/wfm-wizard/integrations.yaml",
        NOW,
    ))
}

#[test]
fn platform_step() {
    snapshot("platform", &wizard());
}

#[test]
fn operation_steps() {
    let mut w = wizard();
    act(&mut w, Action::Enter);
    snapshot("operation_empty", &w);
    add_integration(&mut w, "", &jwt_never_expires());
    snapshot("operation_one_added", &w);
    act(&mut w, Action::Enter);
    snapshot("operation_prerequisite", &w);
    let mut w = Wizard::new(
        catalog_with_real_time(),
        None,
        "/etc/wfm-wizard/integrations.yaml",
        NOW,
    );
    act(&mut w, Action::Enter);
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter);
    snapshot("operation_requirement_missing", &w);
}

#[test]
fn form_states() {
    let w = new_form();
    snapshot("form_empty", &w);
    snapshot("form_filled", &filled_form());
    let mut revealed = filled_form();
    act(&mut revealed, Action::Prev);
    act(&mut revealed, Action::Reveal);
    snapshot("form_jwt_revealed", &revealed);
    let mut long = filled_form();
    act(&mut long, Action::Prev);
    long.update(Msg::Edit(crate::wizard::InputRequest::DeleteLine));
    let jwt_1100 = jwt(&format!(
        r#"{{"iss":"https://platform.ringcentral.com","iat":1750000000,"exp":3897483647,"pad":"{}"}}"#,
        "p".repeat(660)
    ));
    paste(&mut long, &jwt_1100);
    act(&mut long, Action::Reveal);
    snapshot("form_long_jwt_revealed", &long);
    for (width, height) in SIZES {
        let screen = format!("{}", render(&long, width, height).backend());
        let tail = &jwt_1100[jwt_1100.len() - 20..];
        assert!(
            screen.contains(tail),
            "the end of a revealed JWT is on screen at {width}x{height}"
        );
        assert!(
            screen.contains("more characters")
                && screen.contains(&format!("({} chars)", jwt_1100.len()))
        );
    }
    let mut errors = new_form();
    type_text(&mut errors, "x");
    act(&mut errors, Action::Next);
    act(&mut errors, Action::Next);
    type_text(&mut errors, "short");
    act(&mut errors, Action::Next);
    act(&mut errors, Action::Next);
    paste(
        &mut errors,
        &jwt(r#"{"iss":"https://platform.ringcentral.com","exp":1700000000,"iat":1600000000}"#),
    );
    act(&mut errors, Action::Last);
    act(&mut errors, Action::Enter);
    snapshot("form_errors", &errors);
    let mut editing = loaded();
    act(&mut editing, Action::Enter);
    act(&mut editing, Action::First);
    act(&mut editing, Action::Enter);
    snapshot("form_stored_secrets", &editing);
}

#[test]
fn overlays() {
    let mut w = filled_form();
    act(&mut w, Action::Help);
    snapshot("help_sub_account", &w);
    let mut w = filled_form();
    act(&mut w, Action::Quit);
    snapshot("confirm_quit", &w);
    let mut w = loaded();
    act(&mut w, Action::Enter);
    act(&mut w, Action::First);
    act(&mut w, Action::Delete);
    snapshot("confirm_delete", &w);
}

#[test]
fn review_and_outcomes() {
    let mut w = review();
    snapshot("review", &w);
    act(&mut w, Action::Last);
    snapshot("review_scrolled_to_end", &w);
    let mut problems = ready(StoreKind::SecretService);
    act(&mut problems, Action::Enter);
    act(&mut problems, Action::Enter);
    type_text(&mut problems, "x");
    act(&mut problems, Action::Back);
    act(&mut problems, Action::Last);
    act(&mut problems, Action::Enter);
    act(&mut problems, Action::Last);
    act(&mut problems, Action::Enter);
    act(&mut problems, Action::Save);
    snapshot("review_with_problems", &problems);
    let mut w = review();
    act(&mut w, Action::Save);
    snapshot("saving", &w);
    w.update(Msg::SaveDone(Err("Could not write /etc/wfm-wizard/integrations.yaml: Read-only file system (os error 30). Nothing was written, and the keyring is as it was before this save.".into())));
    snapshot("save_failed", &w);
    act(&mut w, Action::Enter);
    w.update(Msg::SaveDone(Ok(SaveReport {
        integrations: 2,
        secrets_written: 4,
        warnings: vec![],
    })));
    snapshot("done", &w);
    w.update(Msg::AnswersWritten(Ok(crate::wizard::AnswersWritten {
        path: "/etc/wfm-wizard/integrations.yaml.answers.yaml".into(),
        env: vec![
            "WFM_RINGCENTRAL_V1_HISTORICAL_DEFAULT_CLIENT_SECRET".into(),
            "WFM_RINGCENTRAL_V1_HISTORICAL_DEFAULT_JWT".into(),
        ],
    })));
    snapshot("done_answers_written", &w);
}

#[test]
fn review_of_an_edited_file_shows_its_changes_first() {
    let document = loaded_document(StoreKind::Keyutils, true);
    let mut w = ready_wizard(rename_first_group(&document, "east"));
    act(&mut w, Action::Next); // Status
    act(&mut w, Action::Toggle);
    act(&mut w, Action::Back);
    to_review(&mut w);
    snapshot("review_of_changes", &w);
}

#[test]
fn a_terminal_below_the_minimum_says_so_instead_of_clipping() {
    for (width, height) in [(43, 24), (80, 11), (20, 5), (1, 1)] {
        let terminal = render(&filled_form(), width, height);
        let text = format!("{}", terminal.backend());
        let flat: String = text
            .split('"')
            .filter(|s| !s.trim().is_empty() && *s != "\n")
            .collect();
        if width >= 20 {
            assert!(flat.contains("too small"), "{width}x{height}: {text}");
        }
    }
    insta::assert_snapshot!("too_small_40x10", render(&filled_form(), 40, 10).backend());
}

#[test]
fn a_new_integration_offers_to_fill_from_an_existing_one() {
    let mut w = wizard();
    act(&mut w, Action::Enter);
    add_integration(&mut w, "east", &jwt_never_expires());
    act(&mut w, Action::Enter); // Continue to User import
    act(&mut w, Action::Yes);
    act(&mut w, Action::Enter); // Add
    insta::assert_snapshot!("fill_from_offered_80x24", render(&w, 80, 24).backend());
    act(&mut w, Action::FillFrom);
    insta::assert_snapshot!("fill_from_filled_80x24", render(&w, 80, 24).backend());
}

#[test]
fn the_too_small_screen_says_what_quitting_does_with_the_draft() {
    let mut quit = filled_form();
    act(&mut quit, Action::Quit);
    insta::assert_snapshot!(
        "too_small_quit_asked_40x10",
        render(&quit, 40, 10).backend()
    );
    let text: String = format!("{}", render(&quit, 40, 10).backend())
        .lines()
        .map(|l| l.trim_matches('"').trim_end())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("Ctrl-C again to quit and delete this session's draft"),
        "{text}"
    );
    assert!(
        text.contains("or k to quit and keep the draft for the next start"),
        "{text}"
    );
}

#[test]
fn every_screen_draws_at_every_size_down_to_1x1_in_both_themes() {
    let mut help = filled_form();
    act(&mut help, Action::Help);
    let mut quit = filled_form();
    act(&mut quit, Action::Quit);
    let states = [wizard(), filled_form(), review(), loaded(), help, quit];
    for w in &states {
        for theme in [Theme::default(), ASCII] {
            for width in [1, 2, 5, 20, 43, 44, 45, 63, 64, 80, 200] {
                for height in [1, 2, 5, 11, 12, 13, 24, 60] {
                    render_with(w, width, height, theme);
                }
            }
        }
    }
}

#[test]
fn ascii_screens_hold_only_ascii() {
    let mut revealed = filled_form();
    act(&mut revealed, Action::Prev);
    act(&mut revealed, Action::Prev);
    act(&mut revealed, Action::Reveal);
    let mut help = filled_form();
    act(&mut help, Action::Help);
    let mut problems = ready(StoreKind::SecretService);
    act(&mut problems, Action::Enter);
    act(&mut problems, Action::Enter);
    type_text(&mut problems, "x");
    act(&mut problems, Action::Last);
    act(&mut problems, Action::Enter);
    let states = [
        wizard(),
        filled_form(),
        revealed,
        review(),
        loaded(),
        help,
        problems,
    ];
    for w in &states {
        for (width, height) in [(80, 24), (60, 20), (40, 10)] {
            let screen = format!("{}", render_with(w, width, height, ASCII).backend());
            assert!(screen.is_ascii(), "{screen}");
        }
    }
    insta::assert_snapshot!(
        "ascii_form_filled_80x24",
        render_with(&filled_form(), 80, 24, ASCII).backend()
    );
    insta::assert_snapshot!(
        "ascii_too_small_40x10",
        render_with(&filled_form(), 40, 10, ASCII).backend()
    );
}

#[test]
fn errors_are_red_and_bold_and_the_focus_is_a_bold_marker_without_recolouring_rows() {
    let mut w = new_form();
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter); // all errors shown, focus on client ID
    let terminal = render(&w, 80, 24);
    let buffer = terminal.backend().buffer();
    let row_of = |needle: &str| {
        (0..24)
            .find(|&y| {
                (0..80)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
                    .contains(needle)
            })
            .unwrap()
    };
    let error_row = row_of("Required: enter the RingCentral CX client ID.");
    let x = (0..80)
        .find(|&x| buffer[(x, error_row)].symbol() == "R")
        .unwrap();
    assert_eq!(buffer[(x, error_row)].fg, Color::Red);
    assert!(buffer[(x, error_row)].modifier.contains(Modifier::BOLD));
    let label_row = row_of("RingCentral CX client ID ");
    assert_eq!(buffer[(1, label_row)].symbol(), "›");
    assert!(
        buffer[(1, label_row)].modifier.contains(Modifier::BOLD),
        "the focus marker is bold"
    );
    assert!(
        !buffer[(3, label_row)].modifier.contains(Modifier::BOLD),
        "the label is left alone: restyling it costs bytes on every Tab"
    );
    assert_eq!(
        buffer[(3, label_row)].bg,
        Color::Reset,
        "focus is not a background colour"
    );
    let other_row = row_of("Sub account ID");
    assert_eq!(buffer[(1, other_row)].symbol(), " ");
    let under_no_color = render_with(&w, 80, 24, ASCII);
    let buffer = under_no_color.backend().buffer();
    let x = (0..80)
        .find(|&x| buffer[(x, error_row)].symbol() == "R")
        .unwrap();
    assert_eq!(buffer[(x, error_row)].fg, Color::Reset, "no colour");
    assert!(
        buffer[(x, error_row)].modifier.contains(Modifier::BOLD),
        "still bold"
    );
    assert_eq!(buffer[(x - 2, error_row)].symbol(), "x", "and marked");
}

#[test]
fn the_caret_sits_after_the_text_being_typed() {
    let mut w = new_form();
    type_text(&mut w, "east");
    let mut terminal = render(&w, 80, 24);
    let position = terminal.get_cursor_position().unwrap();
    assert_eq!((position.x, position.y), (1 + 31 + 4, 5));
}

#[test]
fn secrets_are_masked_with_their_length_until_revealed() {
    let w = filled_form();
    let screen = format!("{}", render(&w, 80, 24).backend());
    assert!(!screen.contains(CLIENT_SECRET) && !screen.contains(&jwt_never_expires()[..20]));
    assert!(screen.contains("(44 chars)"), "{screen}");
    let mut shown = filled_form();
    act(&mut shown, Action::Prev);
    act(&mut shown, Action::Prev);
    act(&mut shown, Action::Reveal);
    let screen = format!("{}", render(&shown, 80, 24).backend());
    assert!(screen.contains(CLIENT_SECRET), "{screen}");
}

#[test]
fn help_shows_the_product_page_description_of_the_focused_field() {
    let mut w = new_form();
    act(&mut w, Action::Help);
    assert!(matches!(&w.overlay(), Some(Overlay::Help { title, .. }) if title == "Group"));
    let screen = format!("{}", render(&w, 80, 24).backend());
    assert!(
        screen.contains("A unique name assigned to a collection of"),
        "{screen}"
    );
}

/// Issue 10: a stored secret the check found gone, on the form and in Review; and a
/// paste longer than the kernel keyring holds, its error shown at once.
#[test]
fn vanished_secrets_and_store_limits() {
    let mut gone = loaded();
    let effects = gone.start();
    let Some(crate::wizard::Effect::CheckStoredSecrets(references)) = effects
        .into_iter()
        .find(|e| matches!(e, crate::wizard::Effect::CheckStoredSecrets(_)))
    else {
        panic!("the stored secrets are checked after start");
    };
    let missing = references
        .into_iter()
        .filter(|r| r.user.ends_with("/jwt"))
        .collect();
    gone.update(Msg::StoredSecretsChecked(crate::wizard::StoredCheck {
        missing,
        unchecked: Vec::new(),
    }));
    act(&mut gone, Action::Enter);
    act(&mut gone, Action::First);
    act(&mut gone, Action::Enter);
    snapshot("form_vanished_secret", &gone);
    act(&mut gone, Action::Back);
    act(&mut gone, Action::Last);
    continue_to_review(&mut gone);
    act(&mut gone, Action::Save);
    snapshot("review_vanished_secret", &gone);

    let mut long = ready(StoreKind::Keyutils);
    act(&mut long, Action::Enter);
    act(&mut long, Action::Enter);
    for _ in 0..4 {
        act(&mut long, Action::Next);
    }
    paste(
        &mut long,
        &jwt(&format!(
            r#"{{"iss":"https://platform.ringcentral.com","exp":3897483647,"jti":"{}"}}"#,
            "A".repeat(100_000)
        )),
    );
    snapshot("form_secret_too_long_for_the_kernel_keyring", &long);
}
