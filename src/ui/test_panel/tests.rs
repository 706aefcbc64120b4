//! Snapshots of the connection test at 80x24: running, passed, every cause, the
//! picker, Review with verdicts; and no secret on any of those screens.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::connection_verdict::tests::every_cause;
use crate::connection_verdict::{Progress, Stage, WaitReason};
use crate::test_support::*;
use crate::ui::{Theme, draw};
use crate::wizard::connection_test::NotTested;
use crate::wizard::connection_test::tests::{failed_with, filled_form, passed, start, tested};
use crate::wizard::{Action, Msg, Wizard};

const ASCII: Theme = Theme {
    ascii: true,
    colour: false,
};

fn screen(w: &Wizard, theme: Theme) -> String {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|frame| draw(frame, w, theme)).unwrap();
    let text = format!("{}", terminal.backend());
    assert!(!text.contains(CLIENT_SECRET), "no client secret on screen");
    assert!(
        !text.contains(&jwt_never_expires()[..20]),
        "no JWT on screen"
    );
    text
}

fn snapshot(name: &str, w: &Wizard) {
    insta::assert_snapshot!(format!("{name}_80x24"), screen(w, Theme::default()));
}

/// The form's focus on the JWT: the panel without the picker.
fn on_jwt(mut w: Wizard) -> Wizard {
    act(&mut w, Action::Prev);
    w
}

#[test]
fn a_running_test_ticks_its_stages_and_counts_down_a_wait() {
    let mut w = filled_form();
    let id = start(&mut w);
    w.update(Msg::TestProgress {
        id,
        progress: Progress::Passed {
            stage: Stage::RingCentralToken,
            reused: false,
        },
    });
    w.update(Msg::TestProgress {
        id,
        progress: Progress::Waiting {
            stage: Stage::RingCxLogin,
            seconds_remaining: 12,
            why: WaitReason::RateLimited,
        },
    });
    let text = screen(&w, Theme::default());
    assert!(text.contains("Esc cancel test"), "{text}");
    assert!(!text.contains("Esc back"), "{text}");
    snapshot("form_test_running", &w);
}

#[test]
fn a_passed_test_and_its_picker() {
    snapshot("form_test_passed", &on_jwt(tested(passed())));
    let mut w = tested(passed());
    act(&mut w, Action::PickNext);
    act(&mut w, Action::PickNext);
    let text = screen(&w, Theme::default());
    assert!(
        text.contains("15910003  Closed office (inactive)"),
        "{text}"
    );
    snapshot("form_sub_account_picker", &w);
}

#[test]
fn every_cause_shows_what_failed_what_to_do_and_marks_its_field() {
    for (i, cause) in every_cause().into_iter().enumerate() {
        let fields = cause.fields();
        let what_to_do = cause.what_to_do();
        let kind = serde_json::to_value(&cause).unwrap()["cause"]
            .as_str()
            .unwrap_or("cause")
            .to_owned();
        let w = on_jwt(tested(failed_with(cause)));
        let text = screen(&w, Theme::default());
        let first_words: String = what_to_do.split(' ').take(3).collect::<Vec<_>>().join(" ");
        assert!(text.contains(&first_words), "{kind}: {text}");
        assert_eq!(
            text.matches("The connection test failed here").count(),
            fields.len(),
            "{kind}: {text}"
        );
        insta::assert_snapshot!(format!("form_cause_{i:02}_{kind}_80x24"), text);
    }
}

#[test]
fn a_test_that_could_not_run_names_what_to_fix() {
    let mut w = filled_form();
    let id = start(&mut w);
    w.update(Msg::TestDone {
        id,
        result: Err(NotTested::Settings(
            "WFM_WIZARD_HTTP_TIMEOUT must be a whole number of seconds between 1 and 600".into(),
        )),
    });
    snapshot("form_test_not_run", &on_jwt(w));
}

#[test]
fn ascii_terminals_get_ascii_marks() {
    let w = on_jwt(tested(failed_with(
        crate::connection_verdict::Cause::InvalidClient {
            code: Some("OAU-146".into()),
        },
    )));
    let text = screen(&w, ASCII);
    assert!(text.is_ascii(), "{text}");
    insta::assert_snapshot!("form_test_failed_ascii_80x24", text);
}

#[test]
fn review_shows_each_verdict_beside_its_integration() {
    let mut w = ready(crate::secret::StoreKind::SecretService);
    act(&mut w, Action::Enter);
    add_integration(&mut w, "east", &jwt_never_expires());
    select_row(&mut w, 1);
    add_integration(&mut w, "west", &jwt_never_expires());
    continue_to_review(&mut w);
    let effects = act(&mut w, Action::TestConnection);
    let id = |effects: &[crate::wizard::Effect]| {
        effects
            .iter()
            .find_map(|e| match e {
                crate::wizard::Effect::TestConnection { id, .. } => Some(*id),
                _ => None,
            })
            .unwrap()
    };
    let next = w.update(Msg::TestDone {
        id: id(&effects),
        result: Ok(passed()),
    });
    w.update(Msg::TestDone {
        id: id(&next),
        result: Ok(failed_with(
            crate::connection_verdict::Cause::InvalidClient {
                code: Some("OAU-146".into()),
            },
        )),
    });
    let text = screen(&w, Theme::default());
    assert!(text.contains("Ctrl-T test all"), "{text}");
    snapshot("review_with_verdicts", &w);
}
