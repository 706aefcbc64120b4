use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::mpsc::channel;

use secrecy::SecretString;

use super::answer::Answer;
use super::*;
use crate::config::Document;
use crate::config::parse_document;
use crate::io::effects::InlineRunner;
use crate::io::memory_store::{MemoryStore, MemoryStores};
use crate::secret::StoreKind;
use crate::test_support::{CLIENT_ID, CLIENT_SECRET, NOW, jwt_never_expires};
use crate::wizard::Startup;

mod connection;
mod operator;

#[test]
fn plain_mode_is_chosen_by_the_flag_accessible_or_a_dumb_terminal() {
    assert_eq!(reason(true, None, Some("xterm")), Some(Reason::Flag));
    assert_eq!(
        reason(false, Some("1"), Some("xterm")),
        Some(Reason::Accessible)
    );
    assert_eq!(reason(false, Some("yes"), None), Some(Reason::Accessible));
    assert_eq!(
        reason(false, None, Some("dumb")),
        Some(Reason::DumbTerminal)
    );
    assert_eq!(reason(true, Some("1"), Some("dumb")), Some(Reason::Flag));
}

#[test]
fn plain_mode_is_not_chosen_otherwise() {
    for accessible in [None, Some(""), Some("0"), Some("false"), Some("No")] {
        for term in [None, Some("xterm-256color"), Some("linux"), Some("vt100")] {
            assert_eq!(
                reason(false, accessible, term),
                None,
                "{accessible:?} {term:?}"
            );
        }
    }
}

/// Answers in order; records everything said and every prompt.
struct Script {
    answers: VecDeque<Answer>,
    transcript: String,
    /// A draft file to copy aside when a prompt starting with `draft_at` is asked.
    draft_probe: Option<(String, std::path::PathBuf, std::path::PathBuf)>,
}

impl Script {
    fn new(answers: Vec<Answer>) -> Self {
        Script {
            answers: answers.into(),
            transcript: String::new(),
            draft_probe: None,
        }
    }
}

fn line(text: &str) -> Answer {
    Answer::Text(text.to_owned())
}

fn hidden(text: &str) -> Answer {
    Answer::Secret(SecretString::from(text))
}

impl LineIo for Script {
    fn say(&mut self, line: &str) {
        self.transcript.push_str(line);
        self.transcript.push('\n');
    }
    fn ask(&mut self, prompt: &str) -> Answer {
        self.transcript.push_str(prompt);
        if let Some((at, from, to)) = &self.draft_probe
            && prompt.starts_with(at.as_str())
        {
            std::fs::copy(from, to).expect("the draft exists when this prompt is asked");
        }
        match self.answers.pop_front() {
            Some(Answer::Secret(_)) => panic!("a secret answer to a visible prompt: {prompt}"),
            Some(answer) => {
                self.transcript.push_str("<answer>\n");
                answer
            }
            None => Answer::End,
        }
    }
    fn ask_secret(&mut self, prompt: &str) -> Answer {
        self.transcript.push_str(prompt);
        self.transcript.push_str("<hidden>\n");
        match self.answers.pop_front() {
            Some(Answer::Text(t)) => panic!("a visible answer {t:?} to a hidden prompt: {prompt}"),
            Some(answer) => answer,
            None => Answer::End,
        }
    }
}

fn run_script(answers: Vec<Answer>) -> (Outcome, Script, Arc<MemoryStores>, tempfile::TempDir) {
    run_on(None, answers)
}

fn run_on(
    document: Option<&Document>,
    answers: Vec<Answer>,
) -> (Outcome, Script, Arc<MemoryStores>, tempfile::TempDir) {
    run_with(
        MemoryStores::new(StoreKind::SecretService),
        document,
        answers,
    )
}

fn run_with(
    stores: MemoryStores,
    document: Option<&Document>,
    answers: Vec<Answer>,
) -> (Outcome, Script, Arc<MemoryStores>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("integrations.yaml");
    let stores = Arc::new(stores);
    let mut runner = InlineRunner {
        stores: stores.clone(),
        path: path.clone(),
    };
    let mut w = Wizard::new(
        crate::catalog::Catalog::builtin(),
        document,
        &path.display().to_string(),
        NOW,
    );
    let mut script = Script::new(answers);
    let (_replies, receiver) = channel();
    let outcome = run(&mut w, Reason::Flag, &mut script, &mut runner, &receiver);
    names_only_plain_keys(&script.transcript);
    (outcome, script, stores, dir)
}

/// Plain mode names its own keys (`s`, `<`, Ctrl-D), never the full-screen wizard's,
/// and never a key token the wizard left for a face to fill in.
fn names_only_plain_keys(transcript: &str) {
    // As a word: a temporary directory's random name may hold "Esc" or "F1".
    let says = |word: &str| {
        transcript.match_indices(word).any(|(at, _)| {
            let before = transcript[..at].chars().next_back();
            let after = transcript[at + word.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    };
    for foreign in ["Ctrl-S", "Esc", "Ctrl-R", "Ctrl-U", "F1"] {
        assert!(!says(foreign), "plain mode said {foreign}:\n{transcript}");
    }
    assert!(
        !transcript.contains('⟦'),
        "a key left unnamed:\n{transcript}"
    );
}

#[test]
fn a_scripted_session_saves_the_same_rules_and_secrets_as_the_full_screen_form() {
    let jwt = jwt_never_expires();
    let (outcome, script, stores, dir) = run_script(vec![
        line(""),     // platform 1
        line(""),     // + Add an integration
        line("east"), // Group
        line(""),     // Status kept on
        line(""),     // client ID: required, asked again
        line(CLIENT_ID),
        hidden(CLIENT_SECRET),
        hidden("not-a-jwt"), // refused by the JWT rule, asked again
        hidden("-"),         // forgotten: the field is empty (and required) again
        hidden(&jwt),
        line("15910001"),
        line(""),  // Continue to User import
        line("y"), // prerequisite
        line("2"), // Continue to Review
        line("s"),
    ]);
    let t = &script.transcript;
    assert!(matches!(outcome, Outcome::Saved(_)), "{outcome:?}\n{t}");
    assert!(
        t.contains("  Changes to the file on disk:\n    historical/east: added\n"),
        "Review says what the save changes: {t}"
    );
    assert!(
        t.contains("Error: Required: enter the RingCentral CX client ID.\n"),
        "{t}"
    );
    assert!(
        t.contains(
            "RingCentral CX JWT (typing is hidden): <hidden>\nReceived 9 characters.\nError: "
        ),
        "{t}"
    );
    assert!(
        t.contains("Issuer https://platform.ringcentral.com; never expires"),
        "{t}"
    );
    assert!(
        t.contains(
            "Enter keeps them): <hidden>\nError: Required: paste or type the RingCentral CX JWT."
        ),
        "{t}"
    );
    assert!(!t.contains(CLIENT_SECRET) && !t.contains(&jwt[..40]), "{t}");
    let text = std::fs::read_to_string(dir.path().join("integrations.yaml")).unwrap();
    let document = parse_document(&text).unwrap();
    assert_eq!(document.integrations.len(), 1, "{text}");
    assert_eq!(document.integrations[0].group.as_deref(), Some("east"));
    let store = stores.store(StoreKind::SecretService);
    assert_eq!(
        store
            .value("000000000000/ringcentral-v1/historical/east/jwt")
            .as_deref(),
        Some(jwt.as_str())
    );
    assert_eq!(
        store
            .value("000000000000/ringcentral-v1/historical/east/client_secret")
            .as_deref(),
        Some(CLIENT_SECRET)
    );
}

#[test]
fn back_keeps_the_answers_and_end_of_input_cancels_after_asking() {
    let (outcome, script, stores, dir) = run_script(vec![
        line(""),
        line(""),
        line("west"),
        line("<"), // Esc: back to the list, the typed Group kept
        line("1"), // open it again
        line(""),  // Group kept: [west]
    ]);
    let t = &script.transcript;
    assert_eq!(outcome, Outcome::Cancelled, "{t}");
    assert!(t.contains("  1) west  enabled, incomplete, new\n"), "{t}");
    assert!(t.contains("Group [west]: "), "{t}");
    assert!(t.contains("Quit without saving?"), "ends by asking: {t}");
    assert!(!dir.path().join("integrations.yaml").exists());
    assert!(stores.store(StoreKind::SecretService).users().is_empty());
}

#[test]
fn help_is_shown_and_closed_and_a_bad_choice_says_what_to_type() {
    let (outcome, script, _, _) = run_script(vec![line("?"), line("7"), line("<")]);
    let t = &script.transcript;
    assert_eq!(outcome, Outcome::Cancelled);
    assert!(
        t.contains("Help: Platform\nPick the contact-center platform"),
        "{t}"
    );
    assert!(
        t.contains("Type a number from 1 to 1, or < to go back."),
        "{t}"
    );
}

const EXISTING: &str = r#"version: 1
integrations:
  - platform: ringcentral-v1
    operation: historical
    group: east
    enabled: true
    settings:
      client_id: AbCdEfGhIjKlMnOpQrStUv
      sub_account_id: "15910001"
      client_secret:
        keyring: {store: secret-service, service: wfm-wizard, user: ringcentral-v1/historical/east/client_secret}
      jwt:
        keyring: {store: secret-service, service: wfm-wizard, user: ringcentral-v1/historical/east/jwt}
"#;

#[test]
fn editing_keeps_stored_secrets_on_enter_and_d_deletes_after_asking() {
    let document = parse_document(EXISTING).unwrap();
    // The entries are there: the background check finds them.
    let stores = MemoryStores::new(StoreKind::SecretService);
    for field in ["client_secret", "jwt"] {
        crate::io::secrets::SecretStore::set(
            stores.store(StoreKind::SecretService).as_ref(),
            &format!("ringcentral-v1/historical/east/{field}"),
            &SecretString::from("stored"),
        )
        .unwrap();
    }
    let (outcome, script, _, dir) = run_with(
        stores,
        Some(&document),
        vec![
            line(""),  // platform
            line("1"), // open east
            line(""),
            line(""),
            line(""),
            hidden(""), // client secret: kept
            hidden(""), // JWT: kept
            line(""),
            line("d 1"),
            line("y"),
        ],
    );
    let t = &script.transcript;
    assert_eq!(outcome, Outcome::Cancelled, "{t}");
    assert!(t.contains("Group [east]: "), "{t}");
    assert!(
        t.contains("RingCentral CX client secret (typing is hidden; stored in secret-service, Enter keeps it): "),
        "{t}"
    );
    assert!(!t.contains("Received"), "nothing was typed: {t}");
    assert!(t.contains("  1) east  enabled\n"), "{t}");
    assert!(
        t.contains("Delete Historical settings (east)? It disappears"),
        "{t}"
    );
    assert!(
        t.contains("Deleted. Its keyring entries are removed when you save."),
        "{t}"
    );
    assert!(t.contains("  1) + Add an integration\n"), "{t}");
    assert!(t.contains("Quit without saving?"), "{t}");
    assert!(!dir.path().join("integrations.yaml").exists());
}

/// Answers that fill one historical integration from the list's Add.
fn one_integration(jwt: &str) -> Vec<Answer> {
    vec![
        line(""),
        line(""),
        line("east"),
        line(""),
        line(CLIENT_ID),
        hidden(CLIENT_SECRET),
        hidden(jwt),
        line("15910001"),
    ]
}

#[test]
fn review_refuses_to_save_an_incomplete_integration_and_says_why() {
    let (outcome, script, _, dir) = run_script(vec![
        line(""),
        line(""),
        line("x"),
        line("<"), // back with the form half done
        line("3"), // Continue to User import
        line("y"),
        line("2"), // Continue to Review
        line("s"),
    ]);
    let t = &script.transcript;
    assert_eq!(outcome, Outcome::Cancelled, "{t}");
    let problem = "Historical settings (x): RingCentral CX client ID: Required: enter the \
                   RingCentral CX client ID.";
    assert!(t.contains(&format!("  Error: {problem}\n")), "{t}");
    assert!(t.contains(&format!("Error: Not saved: {problem}")), "{t}");
    assert!(!dir.path().join("integrations.yaml").exists());
}

#[test]
fn a_failed_save_is_explained_and_enter_tries_again() {
    let jwt = jwt_never_expires();
    let mut answers = one_integration(&jwt);
    answers.extend([line("3"), line("y"), line("2"), line("s"), line("")]);
    let stores = MemoryStores::new(StoreKind::SecretService)
        .with(MemoryStore::new(StoreKind::SecretService).failing_on_set(1));
    let (outcome, script, stores, dir) = run_with(stores, None, answers);
    let t = &script.transcript;
    assert!(matches!(outcome, Outcome::Saved(_)), "{outcome:?}\n{t}");
    assert!(t.contains("Not saved.\nCould not store"), "{t}");
    assert!(t.contains("injected failure on write 1"), "{t}");
    assert!(t.contains("Try again? [Enter]: "), "{t}");
    assert!(dir.path().join("integrations.yaml").exists());
    assert_eq!(stores.store(StoreKind::SecretService).users().len(), 2);
}

#[test]
fn the_kernel_keyring_is_explained_and_accepted_before_the_first_secret() {
    let (outcome, script, stores, _dir) = run_with(
        MemoryStores::new(StoreKind::Keyutils),
        None,
        vec![
            line(""),      // platform 1
            line(""),      // + Add an integration
            line("maybe"), // not an answer the gate takes: asked again
            line("r"),     // check the store again: still the kernel keyring
            line(""),      // accept it
            line("east"),  // Group: the form is open
        ],
    );
    let t = &script.transcript;
    assert_eq!(outcome, Outcome::Cancelled, "{t}");
    assert!(
        t.contains(
            "Secrets will be stored in the kernel keyring (keyutils).\nThey do NOT survive a reboot"
        ),
        "{t}"
    );
    assert!(
        t.contains(
            ": <answer>\nPress Enter to continue with this store, r to check again, or < to go back.\n"
        ),
        "{t}"
    );
    assert_eq!(
        t.matches("Enter continues with this store, r checks again, < goes back: ")
            .count(),
        3,
        "asked, refused, re-checked, accepted:\n{t}"
    );
    assert!(t.contains("Group"), "{t}");
    assert!(
        stores
            .store(StoreKind::Keyutils)
            .value("000000000000/ringcentral-v1/historical/east/jwt")
            .is_none()
    );
}

#[test]
fn each_answer_is_kept_in_the_draft_and_the_next_session_offers_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("integrations.yaml");
    let draft = crate::io::draft_file::path_for(&path);
    let aside = dir.path().join("aside.draft");
    let stores = Arc::new(MemoryStores::new(StoreKind::SecretService));
    let session = |wizard: &mut Wizard, script: &mut Script| {
        let mut runner = InlineRunner {
            stores: stores.clone(),
            path: path.clone(),
        };
        let (_replies, receiver) = channel();
        run(wizard, Reason::Flag, script, &mut runner, &receiver)
    };
    let new_wizard = || {
        Wizard::new(
            crate::catalog::Catalog::builtin(),
            None,
            &path.display().to_string(),
            NOW,
        )
    };

    // First visit: the link drops while Status is asked (the draft is copied aside
    // there, as a hangup would leave it; quitting afterwards discards the file).
    let mut script = Script::new(vec![line(""), line(""), line("east")]);
    script.draft_probe = Some(("Status".into(), draft.clone(), aside.clone()));
    let mut first = new_wizard();
    session(&mut first, &mut script);
    assert!(aside.exists(), "{}", script.transcript);
    std::fs::rename(&aside, &draft).unwrap();

    // Second visit: offered, resumed, every answer back.
    let mut second = new_wizard();
    let snapshot = crate::io::draft_file::read(&path)
        .unwrap()
        .expect("a draft");
    second.update(Msg::Startup(Startup::DraftFound(snapshot)));
    let mut script = Script::new(vec![line("maybe"), line("r")]);
    let outcome = session(&mut second, &mut script);
    let t = &script.transcript;
    assert_eq!(outcome, Outcome::Cancelled, "{t}");
    assert!(t.contains("Resume the unsaved draft?\n"), "{t}");
    assert!(
        t.contains("Type r to resume the draft or d to discard it.\n"),
        "{t}"
    );
    assert_eq!(second.forms().len(), 1, "{t}");
    assert!(
        t.contains("Historical settings (east)"),
        "resumed in the form, with the Group typed before the drop:\n{t}"
    );
}

#[test]
fn a_stored_secret_gone_from_its_store_is_never_offered_as_kept() {
    let document = parse_document(EXISTING).unwrap();
    // The store is empty: both entries the file names are gone.
    let (_, script, _, dir) = run_on(
        Some(&document),
        vec![line(""), line("1"), line(""), line(""), line("")],
    );
    let t = &script.transcript;
    assert!(
        t.contains("RingCentral CX client secret (typing is hidden; GONE from secret-service, type it again): "),
        "{t}"
    );
    assert!(!t.contains("Enter keeps it"), "{t}");
    assert!(!dir.path().join("integrations.yaml").exists());
}

#[test]
fn after_saving_y_writes_the_answers_file_private_and_without_a_secret() {
    use std::os::unix::fs::PermissionsExt;

    let jwt = jwt_never_expires();
    let mut answers = one_integration(&jwt);
    answers.extend([line("3"), line("y"), line("2"), line("s"), line("y")]);
    let (outcome, script, _, dir) = run_script(answers);
    let t = &script.transcript;
    assert!(matches!(outcome, Outcome::Saved(_)), "{outcome:?}\n{t}");
    assert!(t.contains("Write the answers file? [y/N]: "), "{t}");
    let path = dir.path().join("integrations.yaml.answers.yaml");
    assert!(
        t.contains(&format!("Answers written to {}.", path.display())),
        "{t}"
    );
    assert!(t.contains("WFM_RINGCENTRAL_V1_HISTORICAL_EAST_JWT"), "{t}");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains(CLIENT_SECRET) && !text.contains(&jwt[..40]),
        "{text}"
    );
    let parsed = crate::answers::parse_answers(&text).unwrap();
    let catalog = crate::catalog::Catalog::builtin();
    assert!(crate::commands::apply::check_answers(&parsed, &catalog).is_empty());
    assert_eq!(parsed.integrations.len(), 1);
}

#[test]
fn after_saving_enter_declines_the_answers_file() {
    let jwt = jwt_never_expires();
    let mut answers = one_integration(&jwt);
    answers.extend([line("3"), line("y"), line("2"), line("s"), line("")]);
    let (outcome, script, _, dir) = run_script(answers);
    assert!(
        matches!(outcome, Outcome::Saved(_)),
        "{}",
        script.transcript
    );
    assert!(!dir.path().join("integrations.yaml.answers.yaml").exists());
}

#[test]
fn equals_fills_a_new_integration_from_the_existing_one() {
    let jwt = jwt_never_expires();
    let mut answers = one_integration(&jwt);
    answers.extend([line("3"), line("y"), line(""), line("=")]);
    let (outcome, script, _, _) = run_script(answers);
    let t = &script.transcript;
    assert_eq!(outcome, Outcome::Cancelled, "{t}");
    assert!(
        t.contains("= fills this from Historical settings (east): the same values and secrets"),
        "{t}"
    );
    assert!(t.contains("Group [east]: "), "the values are copied: {t}");
}
