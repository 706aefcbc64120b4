//! 10,000 integrations: the file is accepted, the group rules still find the one
//! duplicate and the one missing group, and the operation list shows the right rows
//! around a selection deep in it. (How long this takes is measured in the benchmark.)

use std::fmt::Write as _;

use crossterm::event::{Event, KeyCode};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wfm_wizard::catalog::Catalog;
use wfm_wizard::config::parse_document;
use wfm_wizard::keymap;
use wfm_wizard::ui::{self, Theme};
use wfm_wizard::validate::{Severity, check_document};
use wfm_wizard::wizard::Wizard;

const N: usize = 10_000;

/// `n` historical integrations, the i-th in group `g{i}` (`group(i)` may change that).
fn yaml(n: usize, group: impl Fn(usize) -> Option<String>) -> String {
    // A version-2 file in the namespace a wizard built without an identity writes
    // under, so opening and saving it changes nothing.
    let mut out =
        String::from("version: 2\nnamespace: '000000000000'\nrevision: 1\nintegrations:\n");
    for i in 0..n {
        let user = format!("000000000000/ringcentral-v1/historical/g{i}");
        let group = group(i).map_or(String::new(), |g| format!("  group: {g}\n"));
        let _ = write!(
            out,
            "- platform: ringcentral-v1\n  operation: historical\n{group}  enabled: true\n  settings:\n    client_id: AbCdEfGhIjKlMnOpQrStUv\n    client_secret:\n      keyring: {{store: keyutils, service: wfm-wizard, user: {user}/client_secret}}\n    jwt:\n      keyring: {{store: keyutils, service: wfm-wizard, user: {user}/jwt}}\n    sub_account_id: \"15910001\"\n"
        );
    }
    out
}

fn key(wizard: &mut Wizard, code: KeyCode) {
    if let Some(msg) = keymap::to_msg(wizard, Event::Key(code.into())) {
        wizard.update(msg);
    }
}

/// From the first screen to Review as an operator goes: Enter, then Continue (End,
/// Enter) on each operation's list.
fn to_review(wizard: &mut Wizard) {
    key(wizard, KeyCode::Enter);
    while matches!(wizard.step(), wfm_wizard::wizard::Step::Operation { .. }) {
        key(wizard, KeyCode::End);
        key(wizard, KeyCode::Enter);
    }
    assert!(matches!(
        wizard.step(),
        wfm_wizard::wizard::Step::Review { .. }
    ));
}

#[test]
fn ten_thousand_integrations_load_and_the_group_rules_still_hold() {
    let text = yaml(N, |i| Some(format!("g{i}")));
    assert!(text.len() > 3_500_000, "{} bytes", text.len());
    let document = parse_document(&text).expect("a 10,000-integration file is accepted");
    assert_eq!(document.integrations.len(), N);
    let errors: Vec<_> = check_document(&document, &Catalog::builtin(), 0)
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    let text = yaml(N, |i| match i {
        17 => Some("G9000 ".to_owned()), // the same as g9000, ignoring case and blanks
        4242 => None,
        i => Some(format!("g{i}")),
    });
    let document = parse_document(&text).expect("parsed");
    let errors: Vec<String> = check_document(&document, &Catalog::builtin(), 0)
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| p.to_string())
        .collect();
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(
        errors[0].contains("integrations[17]")
            && errors[0].contains("already uses the Group \"G9000\"")
    );
    assert!(
        errors[1].contains("integrations[4242]")
            && errors[1].contains("there are 10000 Historical settings integrations")
    );
    assert!(
        errors[2].contains("integrations[9000]")
            && errors[2].contains("already uses the Group \"g9000\"")
    );
}

#[test]
fn the_list_of_ten_thousand_shows_the_rows_around_the_selection() {
    let text = yaml(N, |i| Some(format!("g{i}")));
    let document = parse_document(&text).expect("parsed");
    let mut wizard = Wizard::new(Catalog::builtin(), Some(&document), "/tmp/x.yaml", 0);
    key(&mut wizard, KeyCode::Enter); // the Historical list
    key(&mut wizard, KeyCode::End);
    key(&mut wizard, KeyCode::Up); // "+ Add another integration"
    key(&mut wizard, KeyCode::Up); // the last integration
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| ui::draw(frame, &wizard, Theme::default()))
        .unwrap();
    let rows: Vec<String> = format!("{}", terminal.backend())
        .lines()
        .map(|l| l.trim_matches('"').trim_end().to_owned())
        .collect();
    let at = |needle: &str| rows.iter().position(|r| r.contains(needle));
    let selected = at("› g9999 ").unwrap_or_else(|| panic!("{rows:#?}"));
    assert_eq!(at("  g9998 "), Some(selected - 1), "{rows:#?}");
    assert_eq!(
        at("   g9981 "),
        Some(selected - 18),
        "the body is full: {rows:#?}"
    );
    assert_eq!(
        rows[selected + 1],
        "",
        "the selection is the body's last row"
    );
    assert!(at("g0 ").is_none(), "the top of the list is scrolled away");
}

/// 5,000: Review's scroll position is a u16 in the wizard, and 10,000 integrations
/// are ~80,000 lines.
#[test]
fn review_of_five_thousand_scrolls_to_the_last_integration_and_back() {
    let text = yaml(5_000, |i| Some(format!("g{i}")));
    let document = parse_document(&text).expect("parsed");
    let mut wizard = Wizard::new(Catalog::builtin(), Some(&document), "/tmp/x.yaml", 0);
    to_review(&mut wizard);
    let screen = |wizard: &Wizard| {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|frame| ui::draw(frame, wizard, Theme::default()))
            .unwrap();
        format!("{}", terminal.backend())
    };
    let top = screen(&wizard);
    assert!(top.contains("Review: this is what Ctrl-S writes."), "{top}");
    assert!(
        top.contains("RingCentral v1 · Historical settings (g0)"),
        "{top}"
    );
    key(&mut wizard, KeyCode::End);
    let end = screen(&wizard);
    let rows: Vec<&str> = end.lines().collect();
    assert!(
        rows[3..].iter().any(|r| r.contains("(g4999)")),
        "the last integration is on screen:\n{end}"
    );
    let last_body_row = rows[rows.len() - 3];
    assert!(
        last_body_row.contains("Sub account ID"),
        "and ends the body:\n{end}"
    );
    key(&mut wizard, KeyCode::Home);
    assert_eq!(screen(&wizard), top);
}

/// The background check of 20,000 stored secrets: one effect at start, and its answer
/// (every entry gone, the worst case) marks the fields without comparing each with all.
#[test]
fn twenty_thousand_stored_secrets_are_checked_in_one_effect_and_marked_quickly() {
    use wfm_wizard::wizard::{Effect, Msg, StoredCheck};
    let text = yaml(N, |i| Some(format!("g{i}")));
    let document = parse_document(&text).expect("parsed");
    let mut wizard = Wizard::new(Catalog::builtin(), Some(&document), "x", 0);
    let effects = wizard.start();
    let Some(Effect::CheckStoredSecrets(references)) = effects
        .into_iter()
        .find(|e| matches!(e, Effect::CheckStoredSecrets(_)))
    else {
        panic!("no check of the stored secrets at start");
    };
    assert_eq!(references.len(), 2 * N);
    let started = std::time::Instant::now();
    wizard.update(Msg::StoredSecretsChecked(StoredCheck {
        missing: references,
        unchecked: Vec::new(),
    }));
    let took = started.elapsed();
    assert!(took.as_secs_f64() < 1.0, "marking took {took:?}");
    assert!(
        wizard
            .notice()
            .as_ref()
            .is_some_and(|n| n.text.starts_with("20000 stored secret(s)")),
        "{:?}",
        wizard.notice()
    );
}
