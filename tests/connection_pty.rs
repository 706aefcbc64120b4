//! Issue 13 point 3, the operator's side, on the release binary in a real
//! pseudo-terminal over the kernel keyring, against the faithful local RingCentral +
//! RingCX (`tests/support/mock_ringcentral.rs`, HTTPS with a throwaway CA named by
//! `SSL_CERT_FILE`):
//!
//! - a typed form, Ctrl-T, the stages pass on screen, the sub-account is picked from
//!   the list the test read, Review shows the verdict, Ctrl-S saves; the file holds the
//!   picked ID and no secret, and no secret or token ever reached the screen;
//! - a wrong client secret: the verdict names the client secret and what to do, and
//!   marks the field; a stage that hangs is cancelled with Esc, the form stays;
//! - plain mode: `!` tests, the stages are said, and Ctrl-C still ends the session
//!   at once while a stage hangs (the wait for the test is not a read).
#![cfg(target_os = "linux")]

#[path = "support/mock_ringcentral.rs"]
mod mock_ringcentral;
#[path = "support/pty_session.rs"]
mod pty_session;
#[path = "support/release_binary.rs"]
mod release_binary;
#[path = "support/skip.rs"]
mod skip;

use std::path::Path;

use mock_ringcentral::{
    Answer, CLIENT_ID, CLIENT_SECRET, Cert, Creds, Mock, RC_TOKEN, RINGCX_TOKEN, planted_jwt as jwt,
};
use secrecy::SecretString;
use wfm_wizard::io::secrets;
use wfm_wizard::secret::StoreKind;

use pty_session::{CTRL_S, ENTER, PtySession};

const GATE: &str = "Press Enter to continue with this store";
const FORM: &str = "Historical settings · new integration";
const CTRL_T: &str = "\x14";
const CTRL_C: &str = "\x03";
const ESC: &str = "\x1b";
const END: &str = "\x1b[F";

/// Every value no screen or file may show.
fn planted() -> Vec<String> {
    let jwt = jwt();
    vec![
        CLIENT_SECRET.into(),
        jwt.split('.').nth(1).unwrap().to_owned(),
        jwt.rsplit('.').next().unwrap()[..40].to_owned(),
        RC_TOKEN.into(),
        RINGCX_TOKEN.into(),
        "PLANTED".into(),
    ]
}

/// Whether the kernel keyring takes a key here (else the test is skipped, loudly).
fn kernel_keyring_works() -> bool {
    let probe = format!("connection-pty-probe-{}", std::process::id());
    let works = secrets::open(StoreKind::Keyutils, "wfm-wizard").is_ok_and(|store| {
        let ok = store.set(&probe, &SecretString::from("probe")).is_ok();
        let _ = store.delete(&probe);
        ok
    });
    if !works {
        skip::skip("the kernel keyring (keyutils) does not take a key in this session");
    }
    works
}

fn wizard(config: &Path, mock: &Mock, ca: &Path) -> PtySession {
    launch(config, mock, ca, &[])
}

fn launch(config: &Path, mock: &Mock, ca: &Path, extra: &[&str]) -> PtySession {
    let mut command = release_binary::keyutils_wizard(config);
    command.args(extra);
    command.env("WFM_WIZARD_RINGCENTRAL_SERVER", mock.url());
    command.env("WFM_WIZARD_RINGCX_SERVER", mock.url());
    command.env("WFM_WIZARD_HTTP_TIMEOUT", "30");
    command.env("SSL_CERT_FILE", ca);
    for name in [
        "SSL_CERT_DIR",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
        "ACCESSIBLE",
    ] {
        command.env_remove(name);
    }
    PtySession::spawn(command)
}

/// Removes the keyring entries a saved file names, whatever happened.
struct Cleanup<'a>(&'a Path);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let Ok(text) = std::fs::read_to_string(self.0) else {
            return;
        };
        let Ok(store) = secrets::open(StoreKind::Keyutils, "wfm-wizard") else {
            return;
        };
        for user in text
            .lines()
            .filter_map(|l| l.split("user: ").nth(1))
            .map(|u| u.trim_end_matches(['}', ' ']))
        {
            let _ = store.delete(user);
        }
    }
}

/// Opens a new Historical form (through the kernel keyring's warning) and types
/// everything up to the Sub account ID, which is left holding `sub_account`.
fn type_form(session: &mut PtySession, client_secret: &str, sub_account: &str) {
    session.wait_for("Choose the contact-center platform to configure.");
    session.send(ENTER);
    session.wait_for("+ Add an integration");
    session.send(ENTER);
    session.wait_until("the store's warning or the form", |o| {
        o.shows(GATE) || o.shows(FORM)
    });
    if session.output().shows(GATE) {
        session.send(ENTER);
    }
    session.wait_for(FORM);
    session.send("east");
    session.wait_for("› Group east");
    session.send(ENTER);
    session.wait_for("› Status [x] enabled");
    session.send(ENTER);
    session.send(CLIENT_ID);
    session.wait_for(&format!("› RingCentral CX client ID {CLIENT_ID}"));
    session.send(ENTER);
    session.wait_for("› RingCentral CX client secret");
    session.send(client_secret);
    session.send(ENTER);
    session.wait_for("› RingCentral CX JWT");
    session.paste(&jwt());
    session.wait_for("Issuer https://platform.ringcentral.com; never expires");
    session.send(ENTER);
    session.wait_for("› Sub account ID");
    session.send(sub_account);
    session.wait_for(&format!("› Sub account ID {sub_account}"));
    session.wait_for("Ctrl-T test");
}

fn assert_nothing_secret(raw: &[u8], what: &str) {
    let text = String::from_utf8_lossy(raw);
    for secret in planted() {
        assert!(!text.contains(&secret), "{what} showed {secret}");
    }
}

fn creds() -> Creds {
    Creds {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        jwt: jwt(),
    }
}

#[test]
fn a_typed_form_passes_its_test_the_sub_account_is_picked_and_saved() {
    if !kernel_keyring_works() {
        return;
    }
    let mock = Mock::start(creds(), Cert::Good);
    let dir = tempfile::tempdir().unwrap();
    let ca = mock.ca_file(dir.path());
    let config = dir.path().join("integrations.yaml");
    let _cleanup = Cleanup(&config);
    let mut session = wizard(&config, &mock, &ca);
    // The inactive one: the test says so, and offers the list.
    type_form(&mut session, CLIENT_SECRET, "15910006");
    session.send(CTRL_T);
    session.wait_for("✓ RingCentral accepts the client ID, secret and JWT");
    session.wait_for("✓ The RingCentral user can sign in to RingCX");
    session.wait_for("Sub-account 15910006 exists but is not active");
    session.wait_for("2 sub-account(s): pick one, or type");
    session.wait_for("15910006 Old Espresso (inactive)");
    session.wait_for("› 15910001 Cappuccino Engage Development");
    session.wait_for("↑↓ sub-accounts");
    session.send(ENTER); // picks the highlighted one
    session.wait_for("› Sub account ID 15910001");
    session.wait_for("Connection test passed");
    session.wait_for("✓ The Sub account ID is there and active");
    session.send(ENTER); // finishes the integration
    session.wait_for("east enabled");
    session.send(END);
    session.send(ENTER); // Continue to User import
    session.wait_for("User import settings");
    session.send(END);
    session.send(ENTER); // Continue to Review
    session.wait_for("Review: this is what Ctrl-S writes.");
    session.wait_for("Connection test ✓ passed");
    session.wait_for("Ctrl-T test all");
    session.send(CTRL_S);
    session.wait_for("written to");
    session.send(ENTER);
    let status = session.wait_exit();
    assert!(status.success(), "{status:?}");
    let saved = std::fs::read_to_string(&config).unwrap();
    assert!(saved.contains("sub_account_id: \"15910001\""), "{saved}");
    assert_nothing_secret(saved.as_bytes(), "the saved file");
    assert_nothing_secret(session.output().raw(), "the screen");
    assert_eq!(mock.problems(), Vec::<String>::new());
}

#[test]
fn a_wrong_client_secret_is_named_and_esc_cancels_a_hanging_stage() {
    if !kernel_keyring_works() {
        return;
    }
    let mock = Mock::start(creds(), Cert::Good);
    let dir = tempfile::tempdir().unwrap();
    let ca = mock.ca_file(dir.path());
    let config = dir.path().join("integrations.yaml");
    let _cleanup = Cleanup(&config);
    let mut session = wizard(&config, &mock, &ca);
    type_form(
        &mut session,
        "Wrong0Secret1ForTheTest2PLANTEDxx",
        "15910001",
    );
    session.send(CTRL_T);
    session.wait_for("Connection test failed");
    session.wait_for("RingCentral rejected the client ID or client secret");
    session.wait_for("Check the client ID and client secret");
    session.wait_for("The connection test failed here");
    // Now the token request hangs: Esc cancels the test and keeps the form.
    mock.scenario(|s| s.token = Answer::Hang);
    session.send(CTRL_T);
    session.wait_for("Testing the connection (Esc cancels)");
    session.wait_for("Esc cancel test");
    session.send(ESC);
    session.wait_for("Connection test cancelled");
    session.wait_for("› Sub account ID 15910001");
    session.wait_for("Esc back");
    assert_nothing_secret(session.output().raw(), "the screen");
    session.send(CTRL_C);
    session.wait_for("Quit without saving?");
    session.send("y");
    let status = session.wait_exit();
    assert!(!status.success());
    assert!(!config.exists());
}

#[test]
fn plain_mode_tests_with_bang_and_ctrl_c_ends_it_while_a_stage_hangs() {
    if !kernel_keyring_works() {
        return;
    }
    let mock = Mock::start(creds(), Cert::Good);
    mock.scenario(|s| s.login = Answer::Hang);
    let dir = tempfile::tempdir().unwrap();
    let ca = mock.ca_file(dir.path());
    let config = dir.path().join("integrations.yaml");
    let _cleanup = Cleanup(&config);
    let mut plain = launch(&config, &mock, &ca, &["--plain"]);
    plain.wait_for("Platform [1]: ");
    plain.send(ENTER);
    plain.wait_for("Choose [1]: ");
    plain.send(ENTER);
    plain.wait_for("Enter continues with this store");
    plain.send(ENTER);
    plain.wait_for("Group: ");
    plain.send("east\r");
    plain.wait_for("Status [enabled]");
    plain.send(ENTER);
    plain.wait_for("RingCentral CX client ID: ");
    plain.send(&format!("{CLIENT_ID}\r"));
    plain.wait_for("RingCentral CX client secret (typing is hidden): ");
    plain.send(&format!("{CLIENT_SECRET}\r"));
    plain.wait_for("RingCentral CX JWT (typing is hidden): ");
    plain.send(&format!("{}\r", jwt()));
    plain.wait_for("Type ! to test the connection with these credentials first.");
    plain.wait_for("Sub account ID: ");
    plain.send("!\r");
    plain.wait_for("ok: RingCentral accepts the client ID, secret and JWT");
    plain.wait_for("Testing: The RingCentral user can sign in to RingCX...");
    plain.send(CTRL_C);
    // The request would wait 30 s for its timeout: Ctrl-C must not.
    let status = plain.wait_exit_within(std::time::Duration::from_secs(10));
    assert_eq!(status.exit_code(), 130, "{status:?}");
    // Ended by the loop (draft kept, reason said), not by the signal watchdog's
    // forced exit, which says nothing.
    assert!(
        plain.output().shows("Stopped by signal 2"),
        "{}",
        plain.output().framed()
    );
    assert_nothing_secret(plain.output().raw(), "plain mode");
    assert!(!config.exists());
}
