//! Driving the release binary in plain mode (`--plain`) in a real pseudo-terminal: a
//! first save of one integration, and an edit of both secrets and the sub account ID
//! that stops on Review, one key away from saving. Nothing here sleeps for a fixed
//! time: every answer waits for its prompt.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portable_pty::CommandBuilder;
use rustix::fd::OwnedFd;
use rustix::process::{Pid, PidfdFlags, Signal, pidfd_open, pidfd_send_signal};

use crate::outside_store::OutsideStore;
use crate::pty_session::{ENTER, PtySession, Seen};
use crate::release_binary::{output_within, release_binary};

const CLIENT_ID: &str = "AbCdEfGhIjKlMnOpQrStUv";
/// The answer that saves on Review in plain mode.
const SAVE_KEY: &str = "s\r";

/// What one save writes: both secrets and a text field, all unique to it, so the old
/// and the new version of the file (and of each secret) are told apart. Holds test
/// secrets: no `Debug`, and nothing prints them.
pub struct Values {
    pub client_secret: String,
    pub jwt: String,
    pub sub_account_id: String,
}

impl Values {
    /// The values of save number `serial` of a run; `nonce` keeps runs apart.
    pub fn unique(nonce: u64, serial: u64) -> Self {
        Values {
            client_secret: format!("crash-client-secret-{nonce:016x}-{serial}"),
            jwt: never_expiring_jwt(&format!("{nonce:016x}-{serial}")),
            sub_account_id: (20_000_000 + serial).to_string(),
        }
    }

    /// The value this save gives a secret field of the catalog.
    pub fn secret(&self, field: &str) -> Option<&str> {
        match field {
            "client_secret" => Some(&self.client_secret),
            "jwt" => Some(&self.jwt),
            _ => None,
        }
    }
}

/// The secret fields a save changes.
pub const SECRET_FIELDS: [&str; 2] = ["client_secret", "jwt"];

/// A wizard on Review with the save key not yet pressed.
pub struct OnReview {
    session: PtySession,
    /// Taken while the program surely runs, so the kill can never reach a process that
    /// reused its id.
    pidfd: OwnedFd,
    seen: Seen,
}

/// How a save that was given the chance to be killed ended.
pub struct SaveEnd {
    /// The program finished on its own before the kill (exit status 0).
    pub finished: bool,
}

impl OnReview {
    /// Presses the save key, then kills the program with SIGKILL `delay` later (unless
    /// it already ended) and waits for it to be gone.
    pub fn save_and_kill_after(mut self, delay: Duration) -> SaveEnd {
        self.session.send(SAVE_KEY);
        let pressed = Instant::now();
        std::thread::sleep(delay.saturating_sub(pressed.elapsed()));
        // ESRCH (it already exited) is the "finished first" case, told by its status.
        let _ = pidfd_send_signal(&self.pidfd, Signal::KILL);
        let status = self.session.wait_exit();
        SaveEnd {
            finished: status.success(),
        }
    }

    /// Presses the save key and lets the save finish; returns how long it took, from
    /// the key to the program's exit.
    pub fn save_uninterrupted(mut self) -> Duration {
        self.session.send(SAVE_KEY);
        let pressed = Instant::now();
        // After "Saved." plain mode offers the answers file: Enter declines it.
        self.seen
            .answer(&mut self.session, "Write the answers file? [y/N]: ", "\r");
        self.seen.wait(&self.session, "Saved 1 integration(s) to");
        let status = self.session.wait_exit();
        let took = pressed.elapsed();
        assert!(
            status.success(),
            "an uninterrupted save ended with {status:?}:\n{}",
            self.session.output().framed()
        );
        took
    }
}

/// A first save of one integration in a config that does not exist yet.
pub fn first_save(config: &Path, store: &OutsideStore, group: &str, values: &Values) {
    let mut wizard = spawn(config, store);
    let seen = &mut wizard.seen;
    let session = &mut wizard.session;
    seen.answer(session, "Platform [1]: ", ENTER);
    seen.answer(session, "Choose [1]: ", ENTER);
    if store.asks_to_confirm() {
        seen.answer(session, "Enter continues with this store", ENTER);
    }
    seen.answer(session, "Group: ", &format!("{group}\r"));
    seen.answer(session, "Status [enabled]", ENTER);
    seen.answer(session, "client ID: ", &format!("{CLIENT_ID}\r"));
    type_secrets(seen, session, values);
    seen.answer(
        session,
        "Sub account ID: ",
        &format!("{}\r", values.sub_account_id),
    );
    seen.answer(session, "Choose [3]: ", ENTER);
    seen.wait(session, "Press y once it is configured.");
    seen.answer(session, "Choose [1]: ", "y\r");
    seen.wait(session, "Confirmed");
    seen.answer(session, "Choose [1]: ", "2\r");
    seen.wait(session, "Type s to save");
    wizard.save_uninterrupted();
}

/// Opens the saved integration, types `values` into both secrets and the sub account
/// ID, and goes to Review.
pub fn edit_to_review(config: &Path, store: &OutsideStore, values: &Values) -> OnReview {
    let mut wizard = spawn(config, store);
    let seen = &mut wizard.seen;
    let session = &mut wizard.session;
    seen.answer(session, "Platform [1]: ", ENTER);
    seen.wait(session, "1) ");
    seen.answer(session, "Choose [3]: ", "1\r");
    if store.asks_to_confirm() {
        seen.answer(session, "Enter continues with this store", ENTER);
    }
    seen.answer(session, "Group [", ENTER);
    seen.answer(session, "Status [enabled]", ENTER);
    seen.answer(session, "client ID [", ENTER);
    type_secrets(seen, session, values);
    seen.answer(
        session,
        "Sub account ID [",
        &format!("{}\r", values.sub_account_id),
    );
    seen.answer(session, "Choose [3]: ", ENTER);
    seen.answer(session, "Choose [1]: ", "2\r");
    seen.wait(session, "Type s to save");
    wizard
}

/// Runs `wfm-wizard validate` on the config (with today's code it only reads; after the
/// redesign, any command's start recovers an interrupted save). Its exit code.
pub fn validate(config: &Path, store: &OutsideStore) -> Option<i32> {
    let mut command = Command::new(release_binary());
    command.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        "/nonexistent/systemd-creds-is-off-in-tests",
    );
    command
        .arg("validate")
        .arg("--config")
        .arg(config)
        .envs(store.envs())
        .env_remove("WFM_WIZARD_SECRET_STORE")
        .stdin(std::process::Stdio::null());
    output_within(command).status.code()
}

fn type_secrets(seen: &mut Seen, session: &mut PtySession, values: &Values) {
    seen.answer(
        session,
        "client secret (typing is hidden",
        &format!("{}\r", values.client_secret),
    );
    seen.wait(
        session,
        &format!("Received {} characters.", values.client_secret.len()),
    );
    seen.answer(
        session,
        "JWT (typing is hidden",
        &format!("{}\r", values.jwt),
    );
    seen.wait(
        session,
        &format!("Received {} characters.", values.jwt.len()),
    );
}

fn spawn(config: &Path, store: &OutsideStore) -> OnReview {
    let mut command = CommandBuilder::new(release_binary());
    command.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        "/nonexistent/systemd-creds-is-off-in-tests",
    );
    command.args(["--plain", "--secret-store", store.kind().as_str()]);
    command.env("WFM_WIZARD_CONFIG", config);
    for (key, value) in store.envs() {
        command.env(key, value);
    }
    command.env("TERM", "xterm-256color");
    command.env("LANG", "C.UTF-8");
    command.env_remove("NO_COLOR");
    command.env_remove("ACCESSIBLE");
    command.env_remove("WFM_WIZARD_SECRET_STORE");
    if let Some(dir) = config.parent() {
        command.cwd(dir);
    }
    let session = PtySession::spawn(command);
    let pid = i32::try_from(session.pid())
        .ok()
        .and_then(Pid::from_raw)
        .expect("a process id");
    // The program waits for its first answer, so it is alive (and its id its own) here.
    let pidfd = pidfd_open(pid, PidfdFlags::empty())
        .unwrap_or_else(|e| panic!("pidfd_open on the wizard: {e}"));
    OnReview {
        session,
        pidfd,
        seen: Seen::default(),
    }
}

/// An RS256 JWT from `https://platform.ringcentral.com` that never expires, its `jti`
/// made of `id`; a test value (as in `plain_mode.rs`).
fn never_expiring_jwt(id: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let signature = URL_SAFE_NO_PAD.encode([0x5a_u8; 256]);
    let payload = format!(
        r#"{{"iss":"https://platform.ringcentral.com","sub":"62000000016","iat":1750000000,"exp":3897483647,"jti":"crash-{id}"}}"#
    );
    format!("{header}.{}.{signature}", URL_SAFE_NO_PAD.encode(payload))
}
