//! Plain mode's connection test: `!` on the Sub account ID, the verdict in words, the
//! sub-accounts numbered, `#N` picks one; `t` on Review tests every integration.

use std::sync::Arc;
use std::sync::mpsc::channel;

use super::{Script, hidden, line};
use crate::connection_verdict::{Cause, Verdict};
use crate::io::connection::FixedTester;
use crate::io::effects::{ConnectionTests, InlineRunner, InlineTestingRunner};
use crate::io::memory_store::MemoryStores;
use crate::plain::{Reason, run};
use crate::secret::StoreKind;
use crate::test_support::{CLIENT_ID, CLIENT_SECRET, NOW, jwt_never_expires};
use crate::wizard::connection_test::tests::{failed_with, passed};
use crate::wizard::{Outcome, Wizard};

fn run_testing(
    verdict: Verdict,
    answers: Vec<crate::line_io::Answer>,
) -> (Outcome, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("integrations.yaml");
    let stores = Arc::new(MemoryStores::new(StoreKind::SecretService));
    let mut runner = InlineTestingRunner {
        inline: InlineRunner {
            stores: stores.clone(),
            path: path.clone(),
        },
        tests: ConnectionTests::new(Ok(Arc::new(FixedTester(verdict)))),
    };
    let mut w = Wizard::new(
        crate::catalog::Catalog::builtin(),
        None,
        &path.display().to_string(),
        NOW,
    );
    let mut script = Script::new(answers);
    let (_replies, receiver) = channel();
    let outcome = run(&mut w, Reason::Flag, &mut script, &mut runner, &receiver);
    let saved = std::fs::read_to_string(&path).unwrap_or_default();
    (outcome, script.transcript, saved)
}

fn up_to_sub_account() -> Vec<crate::line_io::Answer> {
    vec![
        line(""),
        line(""),
        line("east"),
        line(""),
        line(CLIENT_ID),
        hidden(CLIENT_SECRET),
        hidden(&jwt_never_expires()),
    ]
}

#[test]
fn bang_tests_the_form_and_a_numbered_sub_account_is_picked_and_saved() {
    let mut answers = up_to_sub_account();
    answers.extend([
        line("!"),
        line("#2"),
        line("3"),
        line("y"),
        line("2"),
        line("s"),
    ]);
    let (outcome, t, saved) = run_testing(passed(), answers);
    assert!(matches!(outcome, Outcome::Saved(_)), "{outcome:?}\n{t}");
    assert!(t.contains("Type ! to test the connection"), "{t}");
    assert!(t.contains("Connection test passed"), "{t}");
    assert!(t.contains("  #2) 15910002  West coast\n"), "{t}");
    assert!(
        t.contains("  #3) 15910003  Closed office (inactive)\n"),
        "{t}"
    );
    assert!(saved.contains("sub_account_id: \"15910002\""), "{saved}");
    assert!(!t.contains(CLIENT_SECRET) && !saved.contains(CLIENT_SECRET));
}

#[test]
fn a_failed_test_says_which_credential_and_what_to_do() {
    let mut answers = up_to_sub_account();
    answers.extend([line("!")]);
    let (_, t, _) = run_testing(
        failed_with(Cause::InvalidClient {
            code: Some("OAU-146".into()),
        }),
        answers,
    );
    assert!(
        t.contains("  FAILED: RingCentral accepts the client ID, secret and JWT"),
        "{t}"
    );
    assert!(
        t.contains("  RingCentral rejected the client ID or client secret (OAU-146)"),
        "{t}"
    );
    assert!(
        t.contains("  What to do: Check the client ID and client secret"),
        "{t}"
    );
}

#[test]
fn review_tests_every_integration_with_t() {
    let mut answers = up_to_sub_account();
    answers.extend([line("15910001"), line("3"), line("y"), line("2"), line("t")]);
    let (_, t, _) = run_testing(passed(), answers);
    assert!(t.contains("Type t to test every connection first"), "{t}");
    assert!(
        t.contains("Historical settings (east): Connection test passed"),
        "{t}"
    );
}
