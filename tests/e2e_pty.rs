//! End to end: the release binary in a real pseudo-terminal (80x24, xterm-256color),
//! driven key by key as an operator would, against a private Secret Service; then the
//! file, the keyring and `wfm-wizard validate` are checked from the outside.
//!
//! The screen is emulated with vt100 and every step waits for what the operator would
//! wait for on it; nothing sleeps for a fixed time.
#![cfg(target_os = "linux")]

#[path = "support/private_secret_service.rs"]
mod private_secret_service;
#[path = "support/pty_session.rs"]
mod pty_session;
#[path = "support/release_binary.rs"]
mod release_binary;

use std::collections::HashSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portable_pty::CommandBuilder;
use wfm_wizard::config::{Integration, Setting, Settings, parse_document};
use wfm_wizard::secret::{SecretRef, StoreKind};

use private_secret_service::{KeyringState, PrivateSecretService, signal, tools_present};
use pty_session::{ALTERNATE_SCREEN_OFF, BRACKETED_PASTE_OFF, CTRL_S, ENTER, PtySession, find};
use release_binary::{on_path, output_within, release_binary};

const CLIENT_ID: &str = "AbCdEfGhIjKlMnOpQrStUv";
const SUB_ACCOUNT_ID: &str = "15910001";
const GROUP: &str = "east";
const PLATFORM: &str = "ringcentral-v1";
const SERVICE: &str = "wfm-wizard";

/// A secret counts as shown if any this many consecutive characters of it are.
const PIECE: usize = 12;

/// The secrets the operator enters; test values, never real credentials.
struct Answers {
    historical_secret: String,
    user_import_secret: String,
    jwt: String,
}

impl Answers {
    fn new() -> Self {
        Answers {
            historical_secret: random_base64url(44, 1),
            user_import_secret: random_base64url(44, 2),
            // Longer than crossterm's 1,024-byte read buffer: the paste arrives in pieces.
            jwt: never_expiring_jwt(1100),
        }
    }

    fn all(&self) -> [(&'static str, &str); 3] {
        [
            ("the historical client secret", &self.historical_secret),
            ("the user-import client secret", &self.user_import_secret),
            ("the JWT", &self.jwt),
        ]
    }
}

#[test]
fn operator_configures_two_integrations_in_a_real_terminal() {
    let Some(secrets) = private_secret_service::start_or_skip() else {
        return; // skipped, and said so loudly
    };
    let binary = release_binary();
    let dir = tempfile::Builder::new()
        .prefix("wfm-e2e-")
        .tempdir()
        .expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let answers = Answers::new();

    let started = Instant::now();
    let mut wizard = PtySession::spawn(wizard_command(
        binary,
        &config,
        dir.path(),
        &secrets,
        "secret-service",
    ));
    choose_platform(&mut wizard);
    historical_settings(&mut wizard, &answers);
    user_import_settings(&mut wizard, &answers);
    review_and_save(&mut wizard, &answers);
    eprintln!(
        "e2e_pty: the wizard session took {} ms",
        started.elapsed().as_millis()
    );

    let namespace = check_file(&config, &answers);
    check_no_secret_in_files(dir.path(), &answers);
    check_keyring(&secrets, &answers, &namespace);
    check_validate(binary, &config, &secrets);
    eprintln!(
        "e2e_pty: wizard and checks took {} ms",
        started.elapsed().as_millis()
    );
}

/// A Secret Service that never answers (gnome-keyring stopped with SIGSTOP) must not
/// freeze the screen: the wizard draws and answers keys while the store is checked,
/// and then tells the operator what happened and what it does instead.
#[test]
fn a_hung_secret_service_never_freezes_the_wizard() {
    const TOOLS: [&str; 2] = ["dbus-daemon", "gnome-keyring-daemon"];
    match tools_present(&TOOLS) {
        Ok(true) => {}
        Ok(false) => return, // skipped, and said so loudly
        Err(e) => panic!("{e}"),
    }
    let secrets = PrivateSecretService::start_in(KeyringState::Stopped)
        .unwrap_or_else(|e| panic!("cannot start a stopped Secret Service: {e}"))
        .expect("tools were checked above");
    let binary = release_binary();
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let command = wizard_command(binary, &config, dir.path(), &secrets, "auto");
    let started = Instant::now();
    let mut wizard = PtySession::spawn(command);
    wizard.wait_for("Choose the contact-center platform to configure.");
    eprintln!(
        "e2e_pty: first frame with a hung Secret Service after {} ms",
        started.elapsed().as_millis()
    );
    wizard.send(ENTER);
    wizard.wait_for("› + Add an integration");
    wizard.send(ENTER);
    // Still checking: the screen answered two keys while the store was being probed.
    wizard.wait_for("Checking which secret store to use");
    wizard
        .wait_for("The Secret Service was not used: the Secret Service did not answer within 3 s");
    wizard.wait_for("Secrets will be stored in the kernel keyring (keyutils).");
    wizard.wait_for("They do NOT survive a reboot");
    wizard.wait_for("The keyring daemon is hung or overloaded: restart it");
    eprintln!(
        "e2e_pty: the operator was told after {} ms",
        started.elapsed().as_millis()
    );
    wizard.send("\x03"); // Ctrl-C: nothing typed yet, so it quits at once
    let status = wizard.wait_exit();
    assert!(!status.success(), "cancelled is not success: {status:?}");
    assert!(!config.exists(), "nothing is written");
}

/// The keyring answers while the operator fills the forms, then stops (SIGSTOP) just
/// before Ctrl-S: the save comes back within the per-call deadline with a clear
/// message, the screen stays live, and no file is written.
#[test]
fn a_keyring_that_stops_answering_during_the_save_is_reported() {
    let Some(secrets) = private_secret_service::start_or_skip() else {
        return; // skipped, and said so loudly
    };
    let binary = release_binary();
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let answers = Answers::new();
    let mut wizard = PtySession::spawn(wizard_command(
        binary,
        &config,
        dir.path(),
        &secrets,
        "secret-service",
    ));
    choose_platform(&mut wizard);
    historical_settings(&mut wizard, &answers);
    user_import_settings(&mut wizard, &answers);
    wizard.wait_for("Review: this is what Ctrl-S writes.");
    signal(secrets.keyring_pid(), "STOP").expect("stop gnome-keyring");
    let started = Instant::now();
    wizard.send(CTRL_S);
    wizard.wait_for("the Secret Service did not answer within 5 s");
    eprintln!(
        "e2e_pty: the failed save was reported after {} ms",
        started.elapsed().as_millis()
    );
    wizard.wait_for("Nothing was written to the file.");
    wizard.wait_for("`wfm-wizard prune` removes it");
    assert_secrets_hidden(&wizard, &answers);
    wizard.send("\x03"); // Ctrl-C: unsaved work, so it asks
    wizard.wait_for("Quit without saving?");
    wizard.send("y");
    let status = wizard.wait_exit();
    assert!(!status.success(), "{status:?}");
    assert!(!config.exists(), "no file after a failed save");
    check_no_secret_in_files(dir.path(), &answers);
    signal(secrets.keyring_pid(), "CONT").expect("wake gnome-keyring");
}

#[test]
fn without_a_terminal_the_wizard_says_to_use_ssh_t() {
    let binary = release_binary();
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    for piped in [false, true] {
        let (what, stdin) = if piped {
            ("stdin from a pipe", Stdio::piped())
        } else {
            ("stdin from /dev/null", Stdio::null())
        };
        // Under setsid the program has no controlling terminal at all, as under cron or
        // `ssh host wfm-wizard`; without setsid, stdin and stdout are still not terminals.
        let mut command = if on_path("setsid") {
            let mut command = Command::new("setsid");
            command.arg("--wait").arg(binary);
            command
        } else {
            Command::new(binary)
        };
        command
            .env("WFM_WIZARD_CONFIG", &config)
            .env_remove("NO_COLOR")
            .current_dir(dir.path())
            .stdin(stdin);
        let out = output_within(command);
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        let shown = format!("{what}: {}\nstdout: {stdout}\nstderr: {stderr}", out.status);
        assert_eq!(out.status.code(), Some(2), "{shown}");
        assert!(stderr.contains("ssh -t"), "{shown}");
        assert!(
            !stderr.contains("panicked") && !stdout.contains("panicked"),
            "{shown}"
        );
        assert!(!config.exists(), "nothing is written: {shown}");
    }
}

// -------------------------------------------------------------------------------------
// The operator's walk through the wizard

fn choose_platform(wizard: &mut PtySession) {
    wizard.wait_for("Choose the contact-center platform to configure.");
    wizard.wait_for("› RingCentral v1");
    wizard.send(ENTER);
}

fn historical_settings(wizard: &mut PtySession, answers: &Answers) {
    wizard.wait_for("Historical settings · RingCentral v1");
    wizard.wait_for("› + Add an integration");
    wizard.send(ENTER);
    fill_integration(
        wizard,
        "Historical settings",
        Some(GROUP),
        &answers.historical_secret,
        answers,
    );
    wizard.wait_for(&format!("{GROUP} enabled · new"));
    wizard.wait_for("› → Continue to User import settings");
    wizard.send(ENTER);
}

fn user_import_settings(wizard: &mut PtySession, answers: &Answers) {
    wizard.wait_for("User import settings · RingCentral v1");
    wizard.wait_for(
        "IMPORTANT: You must configure Set employee defaults in WFM settings before \
         configuring the User import settings for the RingCX connector.",
    );
    wizard.wait_for("Press y once it is configured.");
    wizard.send("y");
    wizard.wait_for("Confirmed");
    wizard.wait_for("› + Add an integration");
    wizard.send(ENTER);
    fill_integration(
        wizard,
        "User import settings",
        None,
        &answers.user_import_secret,
        answers,
    );
    wizard.wait_for("(no group) enabled · new");
    wizard.wait_for("› → Continue to Review");
    wizard.send(ENTER);
}

/// Fills the form the list's Add opened, field by field, and finishes it with Enter on
/// the last field. The JWT is pasted; everything else is typed.
fn fill_integration(
    wizard: &mut PtySession,
    operation: &str,
    group: Option<&str>,
    client_secret: &str,
    answers: &Answers,
) {
    let jwt = &answers.jwt;
    wizard.wait_for(&format!("{operation} · new integration"));
    wizard.wait_for("› Group");
    if let Some(group) = group {
        wizard.send(group);
        wizard.wait_for(&format!("› Group {group}"));
    }
    wizard.send(ENTER);
    wizard.wait_for("› Status [x] enabled");
    wizard.send(ENTER); // Status stays on: Space would flip it
    wizard.wait_for("› RingCentral CX client ID");

    wizard.send(CLIENT_ID);
    wizard.wait_for(&format!("› RingCentral CX client ID {CLIENT_ID}"));
    wizard.send(ENTER);
    wizard.wait_for("› RingCentral CX client secret");

    // While the field has the focus only the mask grows; the count shows on leaving it.
    wizard.send(client_secret);
    wizard.wait_for(&format!(
        "› RingCentral CX client secret {}",
        "*".repeat(client_secret.chars().count())
    ));
    assert_secrets_hidden(wizard, answers);
    wizard.send(ENTER);
    wizard.wait_for("› RingCentral CX JWT");
    wizard.wait_for(&format!("({} chars)", client_secret.len()));

    wizard.paste(&format!("{jwt}\n")); // copied with its line break, as it often is
    wizard.wait_for("› RingCentral CX JWT *");
    wizard.wait_for("Issuer https://platform.ringcentral.com; never expires");
    assert_secrets_hidden(wizard, answers);
    wizard.send(ENTER);
    wizard.wait_for("› Sub account ID");
    wizard.wait_for(&format!("({} chars)", jwt.len()));

    wizard.send(SUB_ACCOUNT_ID);
    wizard.wait_for(&format!("› Sub account ID {SUB_ACCOUNT_ID}"));
    wizard.send(ENTER); // on the last field: finishes the integration
}

fn review_and_save(wizard: &mut PtySession, answers: &Answers) {
    wizard.wait_for("Review: this is what Ctrl-S writes.");
    wizard.wait_for("Secrets go to secret-service");
    wizard.wait_for("RingCentral v1 · Historical settings (east)");
    wizard.wait_for(&format!(
        "RingCentral CX JWT ******** ({} chars) → secret-service, new",
        answers.jwt.len()
    ));
    assert_secrets_hidden(wizard, answers);
    wizard.send(CTRL_S);
    wizard.wait_for("Saved.");
    wizard.wait_for("2 integration(s) written to");
    wizard.wait_for("4 secret(s) stored in the keyring.");
    wizard.wait_for("Press Enter to finish.");
    check_running_process(wizard, answers);

    let last_frame_end = wizard.output().raw().len();
    wizard.send(ENTER);
    let status = wizard.wait_exit();
    let output = wizard.output();
    assert!(
        status.success(),
        "the wizard exited with {status:?}. The screen:\n{}",
        output.framed()
    );
    assert!(
        output.shows("Saved 2 integration(s) to"),
        "{}",
        output.framed()
    );
    assert!(
        output.shows("4 secret(s) stored in the keyring."),
        "{}",
        output.framed()
    );

    // The terminal is given back as it was: paste mode off, main screen, cursor shown.
    let after = &output.raw()[last_frame_end..];
    let at = |what: &str| find(after, what.as_bytes());
    let shown = String::from_utf8_lossy(after).escape_debug().to_string();
    let paste_off = at(BRACKETED_PASTE_OFF)
        .unwrap_or_else(|| panic!("bracketed paste was not turned off; output: {shown}"));
    let screen_off = at(ALTERNATE_SCREEN_OFF)
        .unwrap_or_else(|| panic!("the alternate screen was not left; output: {shown}"));
    let saved = at("Saved 2 integration(s)")
        .unwrap_or_else(|| panic!("no \"Saved\" line; output: {shown}"));
    assert!(
        paste_off < saved && screen_off < saved,
        "the result was printed before the terminal was restored: {shown}"
    );
    for unwanted in ["warning:", "error", "panicked"] {
        assert!(
            at(unwanted).is_none(),
            "{unwanted:?} after the save: {shown}"
        );
    }
    let screen = output.screen();
    assert!(!screen.alternate_screen(), "still on the alternate screen");
    assert!(!screen.bracketed_paste(), "bracketed paste still on");
    assert!(!screen.hide_cursor(), "the cursor was left hidden");
    assert_secrets_never_written(output.raw(), answers);
}

// -------------------------------------------------------------------------------------
// Checks from the outside

/// Checks the file and returns the namespace it records.
fn check_file(config: &Path, answers: &Answers) -> String {
    let text = std::fs::read_to_string(config).expect("the wizard wrote the file");
    let mode = std::fs::metadata(config)
        .expect("file metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "file mode {mode:o}");
    for (what, secret) in answers.all() {
        assert!(
            piece_of(text.as_bytes(), secret).is_none(),
            "{what} is in the file:\n{text}"
        );
    }

    let document = parse_document(&text).unwrap_or_else(|e| panic!("{e}:\n{text}"));
    assert_eq!(document.version, 2, "{text}");
    let namespace = document.namespace.clone().expect("a namespace is recorded");
    assert!(wfm_wizard::secret::is_namespace(&namespace), "{text}");
    assert_eq!(
        document.path.as_deref(),
        Some(config.to_str().unwrap()),
        "{text}"
    );
    assert_eq!(document.revision, 1, "{text}");
    assert_eq!(
        document.confirmed,
        [format!("{PLATFORM}/user-import/set-employee-defaults")],
        "{text}"
    );
    assert_eq!(
        document.integrations,
        [
            expected_integration(&namespace, "historical", Some(GROUP)),
            expected_integration(&namespace, "user-import", None),
        ],
        "{text}"
    );
    namespace
}

fn expected_integration(namespace: &str, operation: &str, group: Option<&str>) -> Integration {
    let reference = |field: &str| {
        Setting::Secret(SecretRef {
            store: StoreKind::SecretService,
            service: SERVICE.to_owned(),
            user: keyring_user(namespace, operation, group, field),
        })
    };
    Integration {
        platform: PLATFORM.to_owned(),
        operation: operation.to_owned(),
        group: group.map(str::to_owned),
        enabled: true,
        settings: Settings(vec![
            ("client_id".to_owned(), Setting::Text(CLIENT_ID.to_owned())),
            ("client_secret".to_owned(), reference("client_secret")),
            ("jwt".to_owned(), reference("jwt")),
            (
                "sub_account_id".to_owned(),
                Setting::Text(SUB_ACCOUNT_ID.to_owned()),
            ),
        ]),
    }
}

fn keyring_user(namespace: &str, operation: &str, group: Option<&str>, field: &str) -> String {
    format!(
        "{namespace}/{PLATFORM}/{operation}/{}/{field}",
        group.unwrap_or("default")
    )
}

/// No file the wizard left in its directory holds a secret.
fn check_no_secret_in_files(dir: &Path, answers: &Answers) {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("list the directory")
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    for file in &files {
        let bytes = std::fs::read(file).unwrap_or_default();
        for (what, secret) in answers.all() {
            assert!(
                piece_of(&bytes, secret).is_none(),
                "{what} is in {} (files: {files:?})",
                file.display()
            );
        }
    }
}

fn check_keyring(secrets: &PrivateSecretService, answers: &Answers, namespace: &str) {
    let expected = [
        (
            keyring_user(namespace, "historical", Some(GROUP), "client_secret"),
            &answers.historical_secret,
        ),
        (
            keyring_user(namespace, "historical", Some(GROUP), "jwt"),
            &answers.jwt,
        ),
        (
            keyring_user(namespace, "user-import", None, "client_secret"),
            &answers.user_import_secret,
        ),
        (
            keyring_user(namespace, "user-import", None, "jwt"),
            &answers.jwt,
        ),
    ];
    for (user, want) in &expected {
        let mut lookup = Command::new("secret-tool");
        lookup
            .args(["lookup", "service", SERVICE, "username", user])
            .envs(secrets.envs())
            .stdin(Stdio::null());
        let out = output_within(lookup);
        assert!(
            out.status.success(),
            "secret-tool lookup {user}: {}; {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert_same_secret(user, &out.stdout, want);
    }

    // Exactly these four entries: no leftover probe, nothing under another name.
    let mut search = Command::new("secret-tool");
    search
        .args(["search", "--all", "service", SERVICE])
        .envs(secrets.envs())
        .stdin(Stdio::null());
    let out = output_within(search);
    let listing = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut users: Vec<&str> = listing
        .lines()
        .filter_map(|line| line.strip_prefix("attribute.username = "))
        .collect();
    users.sort_unstable();
    let mut want: Vec<&str> = expected.iter().map(|(user, _)| user.as_str()).collect();
    want.sort_unstable();
    assert_eq!(users, want, "entries under service {SERVICE}");
}

fn check_validate(binary: &Path, config: &Path, secrets: &PrivateSecretService) {
    let mut validate = Command::new(binary);
    validate.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        "/nonexistent/systemd-creds-is-off-in-tests",
    );
    validate
        .arg("validate")
        .env("WFM_WIZARD_CONFIG", config)
        .env_remove("NO_COLOR")
        .envs(secrets.envs())
        .stdin(Stdio::null());
    let out = output_within(validate);
    let shown = format!(
        "validate: {}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains("2 integration(s), 4 secret(s) present"),
        "{shown}"
    );
}

// -------------------------------------------------------------------------------------
// Secrets stay secret

/// No secret is on the screen now.
/// While the wizard still holds every secret: none is in its command line or
/// environment, and it cannot dump core.
fn check_running_process(wizard: &PtySession, answers: &Answers) {
    let pid = wizard.pid();
    for what in ["cmdline", "environ"] {
        let path = format!("/proc/{pid}/{what}");
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
        assert!(
            !bytes.is_empty(),
            "{path} is empty: read the wrong process?"
        );
        for (name, secret) in answers.all() {
            if let Some(at) = piece_of(&bytes, secret) {
                panic!("{name} appears in {path} at byte {at}");
            }
        }
    }
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).expect("read limits");
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .expect("a core size line");
    assert_eq!(
        core.split_whitespace().collect::<Vec<_>>()[4..6],
        ["0", "0"],
        "core dumps must be off: {core}"
    );
}

fn assert_secrets_hidden(wizard: &PtySession, answers: &Answers) {
    let output = wizard.output();
    for (what, secret) in answers.all() {
        assert!(
            piece_of(output.text().as_bytes(), secret).is_none(),
            "{what} is on the screen:\n{}",
            output.framed()
        );
    }
}

/// No secret was ever drawn, in any frame: nothing the program wrote holds a piece of one.
fn assert_secrets_never_written(raw: &[u8], answers: &Answers) {
    for (what, secret) in answers.all() {
        if let Some(at) = piece_of(raw, secret) {
            let start = at.saturating_sub(80);
            panic!(
                "a piece of {what} was written to the terminal: {}",
                String::from_utf8_lossy(&raw[start..(at + 80).min(raw.len())]).escape_debug()
            );
        }
    }
}

/// Where some [`PIECE`] consecutive characters of `secret` first occur in `haystack`.
fn piece_of(haystack: &[u8], secret: &str) -> Option<usize> {
    let pieces: HashSet<&[u8]> = secret.as_bytes().windows(PIECE).collect();
    haystack
        .windows(PIECE)
        .position(|window| pieces.contains(window))
}

/// Compares without printing a kilobyte of JWT on failure.
fn assert_same_secret(user: &str, got: &[u8], want: &str) {
    if got == want.as_bytes() {
        return;
    }
    let first_difference = got
        .iter()
        .zip(want.as_bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(want.len()));
    panic!(
        "keyring entry {user}: {} bytes, expected {} bytes; first difference at byte {first_difference}{}",
        got.len(),
        want.len(),
        if got.ends_with(b"\n") {
            " (it ends with a line break)"
        } else {
            ""
        }
    );
}

// -------------------------------------------------------------------------------------
// Test values

/// `len` characters of base64url, the same for the same `seed`.
fn random_base64url(len: usize, seed: u64) -> String {
    let bytes = random_bytes(len * 3 / 4 + 3, seed);
    let mut text = URL_SAFE_NO_PAD.encode(bytes);
    text.truncate(len);
    text
}

fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

/// An RS256 JWT of about `len` characters from `https://platform.ringcentral.com`,
/// created as "never expires" (`exp = iat + 2^31 - 1`), padded with a `jti` claim.
fn never_expiring_jwt(len: usize) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let signature = URL_SAFE_NO_PAD.encode(random_bytes(256, 7)); // an RSA-2048 signature's size
    let mut padding = String::new();
    loop {
        let payload = format!(
            r#"{{"iss":"https://platform.ringcentral.com","sub":"62000000016","iat":1750000000,"exp":3897483647,"jti":"{padding}"}}"#
        );
        let token = format!("{header}.{}.{signature}", URL_SAFE_NO_PAD.encode(payload));
        if token.len() >= len {
            return token;
        }
        padding.push(char::from(b'A' + (padding.len() % 26) as u8));
    }
}

// -------------------------------------------------------------------------------------
// Processes

fn wizard_command(
    binary: &Path,
    config: &Path,
    dir: &Path,
    secrets: &PrivateSecretService,
    store: &str,
) -> CommandBuilder {
    let mut command = CommandBuilder::new(binary);
    command.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        "/nonexistent/systemd-creds-is-off-in-tests",
    );
    command.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        "/nonexistent/systemd-creds-is-off-in-tests",
    );
    command.args(["--secret-store", store]);
    command.env("WFM_WIZARD_CONFIG", config);
    for (key, value) in secrets.envs() {
        command.env(key, value);
    }
    command.env("TERM", "xterm-256color");
    command.env("LANG", "C.UTF-8");
    command.env_remove("NO_COLOR");
    command.env_remove("WFM_WIZARD_SECRET_STORE");
    command.cwd(dir);
    // A umask that would leave a new file readable by all, so mode 0600 is the program's doing.
    command.umask(Some(0o022));
    command
}
