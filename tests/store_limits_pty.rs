//! Issue 10, items 4 and 5, on the release binary in a real pseudo-terminal over the
//! real kernel keyring:
//!
//! - a 100 KB JWT pasted for the kernel keyring (a user key holds at most 32,767 bytes)
//!   is refused on the field at once, Ctrl-S refuses it, and the draft keeps the rest;
//! - an entry the file refers to that the kernel forgot (`keyctl invalidate`, as after
//!   a reboot) is an error on its field and in Review, never "stored", and Ctrl-S
//!   refuses until it is typed again.
#![cfg(target_os = "linux")]

#[path = "support/private_secret_service.rs"]
mod private_secret_service;
#[path = "support/pty_session.rs"]
mod pty_session;
#[path = "support/release_binary.rs"]
mod release_binary;

use std::path::Path;
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use wfm_wizard::io::secrets;
use wfm_wizard::secret::StoreKind;

use pty_session::{CTRL_S, ENTER, PtySession};

const SERVICE: &str = "wfm-wizard";
const FIRST_SCREEN: &str = "Choose the contact-center platform to configure.";
const GATE: &str = "Press Enter to continue with this store";
const CLIENT_ID: &str = "AbCdEfGhIjKlMnOpQrStUv";
const CLIENT_SECRET: &str = "Zz0Yy1Xx2Ww3Vv4Uu5Tt6Ss7Rr8Qq9Pp0Oo1Nn2Mm3Ll";
const CTRL_C: &str = "\x03";
const ESC: &str = "\x1b";
const END: &str = "\x1b[F";

fn keyctl_ready() -> bool {
    match private_secret_service::tools_present(&["keyctl"]) {
        Ok(present) => present,
        Err(e) => panic!("{e}"),
    }
}

fn wizard(config: &Path) -> PtySession {
    PtySession::spawn(release_binary::keyutils_wizard(config))
}

/// A never-expiring JWT of at least `len` bytes, as one paste delivers it.
fn jwt_of(len: usize) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let padding = "A".repeat(len);
    let payload = URL_SAFE_NO_PAD.encode(format!(
        r#"{{"iss":"https://platform.ringcentral.com","iat":1750000000,"exp":3897483647,"jti":"{padding}"}}"#
    ));
    let signature = URL_SAFE_NO_PAD.encode([7u8; 256]);
    format!("{header}.{payload}.{signature}")
}

/// The id of the kernel key described `keyring:<user>@wfm-wizard`, from /proc/keys
/// (which lists every key this user may view, wherever it is linked).
fn kernel_key_id(user: &str) -> Option<String> {
    let description = format!(" keyring:{user}@{SERVICE}: ");
    let listing = std::fs::read_to_string("/proc/keys").ok()?;
    listing
        .lines()
        .filter(|line| line.contains(&description))
        .find_map(|line| line.split_whitespace().next())
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .map(|id| id.to_string())
}

/// The draft file, once the wizard's thread has written it.
#[track_caller]
fn draft_of(config: &Path) -> wfm_wizard::config::draft::Snapshot {
    let mut found = None;
    pty_session::wait_for_condition("the draft file", || {
        found = wfm_wizard::io::draft_file::read(config).ok().flatten();
        found.is_some()
    });
    found.expect("the draft, just read")
}

/// Removes the test's kernel keys, whatever happened.
struct Cleanup(Vec<String>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for user in &self.0 {
            if let Some(id) = kernel_key_id(user) {
                let _ = Command::new("keyctl").args(["invalidate", &id]).status();
            }
        }
    }
}

/// After Enter on an integration or Add: the kernel keyring's warning comes first once.
fn through_the_gate(session: &mut PtySession, form: &str) {
    session.wait_until("the store's warning or the form", |o| {
        o.shows(GATE) || o.shows(form)
    });
    if session.output().shows(GATE) {
        session.send(ENTER);
    }
    session.wait_for(form);
}

#[test]
fn a_100_kb_jwt_for_the_kernel_keyring_is_refused_at_once_and_the_draft_keeps_the_rest() {
    if !keyctl_ready() {
        return; // skipped, and said so loudly
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let group = format!("limit-{}", std::process::id());
    let jwt = jwt_of(100_000);
    assert!(jwt.len() >= 100_000);

    let mut session = wizard(&config);
    session.wait_for(FIRST_SCREEN);
    session.send(ENTER);
    session.wait_for("+ Add an integration");
    session.send(ENTER);
    through_the_gate(&mut session, "› Group");
    session.send(&group);
    session.wait_for(&format!("› Group {group}"));
    session.send(ENTER);
    session.wait_for("› Status [x] enabled");
    session.send(ENTER);
    session.send(CLIENT_ID);
    session.wait_for(&format!("› RingCentral CX client ID {CLIENT_ID}"));
    session.send(ENTER);
    session.wait_for("› RingCentral CX client secret");
    session.send(CLIENT_SECRET);
    session.send(ENTER);
    session.wait_for("› RingCentral CX JWT");

    session.paste(&jwt);
    // At once, on the field, before leaving it: what, how long, and what to do.
    session.wait_for("Too long for keyutils");
    session.wait_for("at most 32,767 bytes");
    session.wait_for("--secret-store secret-service");
    assert!(
        session.output().shows("› RingCentral CX JWT *"),
        "still on the field:\n{}",
        session.output().framed()
    );

    // Leaving the form writes a draft: everything but the JWT, which is named.
    session.send(ESC);
    session.wait_for("which are not kept anywhere");
    session.wait_for("RingCentral CX JWT of Historical settings");
    let snapshot = draft_of(&config);
    let parked: Vec<String> = snapshot
        .typed_entries()
        .into_iter()
        .map(|r| r.user)
        .collect();
    let _cleanup = Cleanup(parked.clone());
    assert_eq!(
        parked.len(),
        1,
        "only the client secret is parked: {parked:?}"
    );
    assert!(parked[0].ends_with(&format!(
        "/draft/ringcentral-v1/historical/{group}/client_secret"
    )));
    let store = secrets::open(StoreKind::Keyutils, SERVICE).expect("the kernel keyring");
    let kept = store
        .get(&parked[0])
        .expect("read the draft entry")
        .expect("the client secret is in the kernel keyring");
    assert!(kept.expose_secret() == CLIENT_SECRET);
    let draft_text =
        std::fs::read_to_string(dir.path().join("integrations.yaml.draft")).expect("draft text");
    assert!(!draft_text.contains(&jwt[..200]) && !draft_text.contains(CLIENT_SECRET));

    // Review refuses to save it.
    session.wait_for(&group);
    session.send(END);
    session.send(ENTER); // Continue to User import
    session.wait_for("User import settings");
    session.send(END);
    session.send(ENTER); // Continue to Review
    session.wait_for("Review: this is what Ctrl-S writes.");
    session.send(CTRL_S);
    session.wait_for("Not saved");
    assert!(!config.exists(), "nothing was written");
    assert!(
        !pty_session::contains(session.output().raw(), &jwt.as_bytes()[..64]),
        "the JWT reached the screen"
    );

    session.send(CTRL_C);
    session.wait_for("Quit without saving?");
    session.send("y");
    assert_eq!(session.wait_exit().exit_code(), 130);
}

#[test]
fn an_entry_the_kernel_forgot_is_an_error_on_its_field_and_in_review_and_ctrl_s_refuses() {
    if !keyctl_ready() {
        return; // skipped, and said so loudly
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let group = format!("vanish-{}", std::process::id());
    let user = |field: &str| format!("ringcentral-v1/historical/{group}/{field}");
    let _cleanup = Cleanup(vec![user("client_secret"), user("jwt")]);
    let store = secrets::open(StoreKind::Keyutils, SERVICE).expect("the kernel keyring");
    for (field, value) in [
        ("client_secret", CLIENT_SECRET.to_owned()),
        ("jwt", jwt_of(900)),
    ] {
        store
            .set(&user(field), &SecretString::from(value))
            .expect("store an entry");
    }
    let reference = |field: &str| {
        format!(
            "{{keyring: {{store: keyutils, service: {SERVICE}, user: {}}}}}",
            user(field)
        )
    };
    let text = format!(
        "version: 1\nintegrations:\n- platform: ringcentral-v1\n  operation: historical\n  group: {group}\n  enabled: true\n  settings:\n    client_id: {CLIENT_ID}\n    client_secret: {}\n    jwt: {}\n    sub_account_id: '15910001'\n",
        reference("client_secret"),
        reference("jwt")
    );
    std::fs::write(&config, &text).expect("write the config");

    // The reboot, for the JWT only: the kernel forgets the key.
    let id = kernel_key_id(&user("jwt")).expect("the JWT's key before the reboot");
    assert!(
        Command::new("keyctl")
            .args(["invalidate", &id])
            .status()
            .expect("run keyctl")
            .success()
    );
    assert!(store.get(&user("jwt")).expect("read").is_none(), "gone");

    let mut session = wizard(&config);
    session.wait_for(FIRST_SCREEN);
    session.send(ENTER);
    session.wait_for(&format!("{group} enabled"));
    session.send("\x1b[H"); // Home: the integration's row
    session.send(ENTER);
    through_the_gate(&mut session, "› Group");
    session.wait_for("gone from keyutils · type it again");
    session.wait_for("The stored value is gone");
    let screen = session.output().text();
    assert_eq!(
        screen.matches("stored in keyutils").count(),
        1,
        "only the client secret, which is there, shows as stored:\n{screen}"
    );

    session.send(ESC);
    session.wait_for(&format!("{group} enabled"));
    session.send(END);
    session.send(ENTER); // Continue to User import
    session.wait_for("User import settings");
    session.send(END);
    session.send(ENTER); // Continue to Review
    session.wait_for("Review: this is what Ctrl-S writes.");
    session.wait_for("RingCentral CX JWT: The stored value is gone");
    session.send(END); // the integration's own lines, at the bottom
    session.wait_for("MISSING: gone from keyutils, type it again");
    session.send(CTRL_S);
    session.wait_for("Not saved");
    assert_eq!(
        std::fs::read_to_string(&config).expect("read"),
        text,
        "Ctrl-S wrote nothing"
    );

    session.send(CTRL_C); // nothing was changed: it quits at once
    assert_eq!(session.wait_exit().exit_code(), 130);
}
