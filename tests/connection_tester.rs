//! `HttpTester` as the wizard will call it from an effect thread: the progress it
//! reports (stages ticking, a countdown while waiting), a cancel flag that stops a
//! wait, tokens reused by a repeated test, and the 5-a-minute auth limit, against the
//! local RingCentral + RingCX (`tests/support/mock_ringcentral.rs`).
//!
//! The trust store is read from `SSL_CERT_FILE`, which a test cannot set in its own
//! process (no `unsafe`), so the parent starts the server and runs the checks in a
//! child: this same test binary, with the CA file and the server's URL in its
//! environment.

#[path = "support/mock_ringcentral.rs"]
mod mock_ringcentral;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mock_ringcentral::{Answer, Cert, Creds, Mock};
use secrecy::SecretString;
use wfm_wizard::connection_verdict::{Cause, Outcome, Progress, Stage, WaitReason};
use wfm_wizard::io::connection::{ConnectionTester, HttpTester, Overrides, Settings, TestRequest};

const CHILD: &str = "WFM_WIZARD_CONNECTION_CHILD";
const CLIENT_ID: &str = "AbCdEfGhIjKlMnOpQrStUv";
const SECRET: &str = "Zz0Yy1Xx2Ww3Vv4Uu5Tt6Ss7Rr8Qq9Pp0Oo1Nn2Mm3Ll";

fn jwt() -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64.encode(r#"{"typ":"JWT","alg":"RS256"}"#),
        b64.encode(r#"{"iss":"https://platform.ringcentral.com","aud":"https://platform.ringcentral.com/restapi/oauth/token","exp":3897483647,"iat":1750000000}"#)
    )
}

fn request(secret: &str) -> TestRequest {
    TestRequest {
        client_id: CLIENT_ID.into(),
        client_secret: SecretString::from(secret.to_owned()),
        jwt: SecretString::from(jwt()),
        sub_account_id: "15910001".into(),
    }
}

/// Starts the server in a given state and runs `child_checks_<name>` in a child.
fn in_child(name: &str, setup: impl FnOnce(&Mock)) -> Mock {
    let mock = Mock::start(
        Creds {
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.into(),
            jwt: jwt(),
        },
        Cert::Good,
    );
    setup(&mock);
    let dir = tempfile::tempdir().unwrap();
    let ca = mock.ca_file(dir.path());
    let test = format!("child_checks_{name}");
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", &test, "--nocapture", "--test-threads", "1"])
        .env(CHILD, mock.url())
        .env("SSL_CERT_FILE", &ca)
        .env_remove("SSL_CERT_DIR")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{test} failed:\n{said}");
    assert!(said.contains("1 passed"), "{test} did not run:\n{said}");
    assert!(mock.problems().is_empty(), "{:?}", mock.problems());
    mock
}

/// The tester pointed at the server, when running as the child.
fn child_tester() -> Option<HttpTester> {
    let url = std::env::var(CHILD).ok()?;
    Some(HttpTester::new(Settings {
        overrides: Overrides::new(Some(url.clone()), Some(url)).unwrap(),
        connect_timeout: Duration::from_secs(5),
        timeout: Duration::from_secs(10),
        max_wait: Duration::from_secs(60),
    }))
}

#[test]
fn stages_tick_in_order_and_a_repeated_test_reuses_the_tokens() {
    let mock = in_child("reuse", |_| {});
    let requests = mock.requests();
    let tokens = requests
        .iter()
        .filter(|r| r.ends_with("/oauth/token"))
        .count();
    let logins = requests
        .iter()
        .filter(|r| r.contains("/accesstoken"))
        .count();
    assert_eq!((tokens, logins), (1, 1), "{requests:?}");
}

#[test]
fn child_checks_reuse() {
    let Some(tester) = child_tester() else { return };
    let never = AtomicBool::new(false);
    let mut seen = Vec::new();
    let verdict = tester.test(&request(SECRET), &never, &mut |p| seen.push(p));
    assert!(verdict.passed(), "{verdict:?}");
    let fresh = |stage| {
        [
            Progress::Started(stage),
            Progress::Passed {
                stage,
                reused: false,
            },
        ]
    };
    let expected: Vec<Progress> = Stage::ALL.into_iter().flat_map(fresh).collect();
    assert_eq!(seen, expected);
    let mut again = Vec::new();
    let verdict = tester.test(&request(SECRET), &never, &mut |p| again.push(p));
    assert!(verdict.passed(), "{verdict:?}");
    assert_eq!(
        again,
        vec![
            Progress::Passed {
                stage: Stage::RingCentralToken,
                reused: true
            },
            Progress::Passed {
                stage: Stage::RingCxLogin,
                reused: true
            },
            Progress::Started(Stage::SubAccount),
            Progress::Passed {
                stage: Stage::SubAccount,
                reused: false
            },
        ]
    );
}

#[test]
fn a_429_counts_down_and_cancel_stops_the_wait() {
    in_child("countdown", |mock| {
        mock.scenario(|s| {
            s.token = Answer::TooMany {
                times: 1,
                retry_after: "2".into(),
            };
            s.login = Answer::TooMany {
                times: 1,
                retry_after: "45".into(),
            };
        });
    });
}

#[test]
fn child_checks_countdown() {
    let Some(tester) = child_tester() else { return };
    let cancel = Arc::new(AtomicBool::new(false));
    let mut waits = Vec::new();
    let started = Instant::now();
    let flag = Arc::clone(&cancel);
    let verdict = tester.test(&request(SECRET), &cancel, &mut |p| {
        if let Progress::Waiting {
            stage,
            seconds_remaining,
            why,
        } = p
        {
            assert_eq!(why, WaitReason::RateLimited);
            waits.push((stage, seconds_remaining));
            // The second wait (45 s, at the login) is cancelled as soon as it starts.
            if stage == Stage::RingCxLogin {
                flag.store(true, Ordering::SeqCst);
            }
        }
    });
    assert_eq!(
        waits,
        vec![
            (Stage::RingCentralToken, 2),
            (Stage::RingCentralToken, 1),
            (Stage::RingCxLogin, 45)
        ]
    );
    assert_eq!(
        verdict.outcome(Stage::RingCentralToken),
        &Outcome::Passed { reused: false }
    );
    assert_eq!(
        verdict.outcome(Stage::RingCxLogin),
        &Outcome::Failed {
            cause: Cause::Cancelled
        }
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_sixth_sign_in_within_a_minute_waits_for_the_auth_limit() {
    let mock = in_child("auth_limit", |_| {});
    let tokens = mock
        .requests()
        .iter()
        .filter(|r| r.ends_with("/oauth/token"))
        .count();
    assert_eq!(
        tokens,
        5,
        "the sixth request was sent: {:?}",
        mock.requests()
    );
}

#[test]
fn child_checks_auth_limit() {
    let Some(tester) = child_tester() else { return };
    let never = AtomicBool::new(false);
    // Five sign-ins with wrong secrets (each a real request, refused).
    for n in 0..5 {
        let verdict = tester.test(&request(&format!("wrong-{n}")), &never, &mut |_| {});
        assert!(
            matches!(
                verdict.failure(),
                Some((Stage::RingCentralToken, Cause::InvalidClient { .. }))
            ),
            "{verdict:?}"
        );
    }
    let cancel = AtomicBool::new(false);
    let mut waited = None;
    let verdict = tester.test(&request(SECRET), &cancel, &mut |p| {
        if let Progress::Waiting {
            why,
            seconds_remaining,
            ..
        } = p
        {
            waited = Some((why, seconds_remaining));
            cancel.store(true, Ordering::SeqCst);
        }
    });
    let (why, seconds) = waited.expect("the sixth sign-in did not wait");
    assert_eq!(why, WaitReason::AuthLimit);
    assert!((50..=60).contains(&seconds), "{seconds}");
    assert_eq!(
        verdict.outcome(Stage::RingCentralToken),
        &Outcome::Failed {
            cause: Cause::Cancelled
        }
    );
}
