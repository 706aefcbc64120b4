//! Over a real SSH link: the release binary behind a loopback sshd, reached by
//! `ssh -tt` in tmux, against a private Secret Service. The link is cut by killing
//! the ssh client, as when an operator's laptop sleeps or the VPN drops.
#![cfg(target_os = "linux")]

#[path = "support/private_secret_service.rs"]
mod private_secret_service;
#[path = "support/release_binary.rs"]
mod release_binary;
#[path = "support/sgr.rs"]
mod sgr;
#[path = "support/ssh_loopback.rs"]
mod ssh_loopback;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use private_secret_service::PrivateSecretService;
use release_binary::release_binary;
use ssh_loopback::{Pane, Session, Sshd, quote, wait_until};

const FIRST_SCREEN: &str = "Choose the contact-center platform to configure.";
const GROUP: &str = "east";
const CLIENT_ID: &str = "AbCdEfGhIjKlMnOpQrStUv";
const SUB_ACCOUNT_ID: &str = "15910001";
/// The end of the JWT's draft entry name (it starts with the config's namespace).
const JWT_ENTRY: &str = "/draft/ringcentral-v1/historical/east/jwt";
/// Test values, never real credentials.
const CLIENT_SECRET: &str = "Ssh-Test-0123456789abcdefghijklmnopqrstuvwx";

/// A RingCentral-shaped JWT that never expires, with a fake signature.
fn jwt() -> String {
    let header = r#"{"kid":"0123456789abcdef0123456789abcdef","typ":"JWT","alg":"RS256"}"#;
    let payload = r#"{"aud":"https://platform.ringcentral.com/restapi/oauth/token","sub":"62000000016","iss":"https://platform.ringcentral.com","exp":3897483647,"iat":1750000000,"jti":"AAAAAAAAAAAAAAAAAAAAAA"}"#;
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload),
        "c2lnbmF0dXJl".repeat(28)
    )
}

/// The remote command: the wizard with the test's config and Secret Service.
fn remote_wizard(config: &Path, secrets: &PrivateSecretService) -> String {
    let mut words = vec!["exec".to_owned(), "env".into()];
    words.push(quote(&format!("WFM_WIZARD_CONFIG={}", config.display())));
    for (key, value) in secrets.envs() {
        words.push(quote(&format!("{key}={value}")));
    }
    words.push(quote(&release_binary().display().to_string()));
    words.extend(["--secret-store".into(), "secret-service".into()]);
    words.join(" ")
}

#[test]
fn a_dropped_link_ends_the_wizard_and_a_restart_offers_everything_typed() {
    let Some(secrets) = private_secret_service::start_or_skip() else {
        return;
    };
    let Some(sshd) = Sshd::start().unwrap_or_else(|e| panic!("cannot start sshd: {e}")) else {
        return;
    };
    let dir = tempfile::Builder::new()
        .prefix("wfm-over-ssh-")
        .tempdir()
        .expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let session = Session::new(&remote_wizard(&config, &secrets));
    type_then_lose_the_link(&sshd, &session, dir.path());
    resume_and_save(&sshd, &session, &secrets, dir.path());
}

/// A Linux console, or a Latin-1 client: `LANG=C` travels with the session, and not
/// one byte above 0x7F comes back over the link through a visit with every kind of
/// screen (lists, the form with a masked secret and an error, help, the quit question).
#[test]
fn lang_c_gets_not_one_byte_above_0x7f_over_the_link() {
    let Some((secrets, sshd, dir)) = setting_up() else {
        return;
    };
    let config = dir.path().join("integrations.yaml");
    let pane = sshd.run(&Session::new(&remote_wizard(&config, &secrets)).lang("C"));
    pane.wait_for("> RingCentral v1");
    visit_every_kind_of_screen(&pane, "> ");
    let raw = pane.raw();
    let high: Vec<(usize, u8)> = raw
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, b)| *b > 0x7f)
        .collect();
    assert!(
        high.is_empty(),
        "{} byte(s) above 0x7F of {}, first at {:?}",
        high.len(),
        raw.len(),
        high.first()
    );
    assert!(
        raw.len() > 1000,
        "the visit drew screens: {} bytes",
        raw.len()
    );
}

/// `NO_COLOR` travels with the session: no colour code comes back, while bold (focus,
/// titles) still does.
#[test]
fn no_color_gets_no_colour_code_over_the_link_but_keeps_bold() {
    let Some((secrets, sshd, dir)) = setting_up() else {
        return;
    };
    let config = dir.path().join("integrations.yaml");
    let session = Session::new(&remote_wizard(&config, &secrets)).env("NO_COLOR", "1");
    let pane = sshd.run(&session);
    pane.wait_for("› RingCentral v1");
    visit_every_kind_of_screen(&pane, "› ");
    let raw = pane.raw();
    let coloured: Vec<Vec<u16>> = sgr::sequences(&raw)
        .into_iter()
        .filter(|codes| !sgr::colour_codes(codes).is_empty())
        .collect();
    assert!(coloured.is_empty(), "colour codes sent: {coloured:?}");
    assert!(sgr::sets(&raw, 1), "bold is still sent");
}

/// `TERM=dumb` (a serial console, an editor's shell buffer): the same questions line by
/// line, with no escape sequence at all.
#[test]
fn term_dumb_over_the_link_asks_line_by_line_without_escape_codes() {
    let Some((secrets, sshd, dir)) = setting_up() else {
        return;
    };
    let config = dir.path().join("integrations.yaml");
    let pane = sshd.run(&Session::new(&remote_wizard(&config, &secrets)).term("dumb"));
    pane.wait_for("(plain mode: TERM=dumb)");
    pane.wait_for("Platform [1]:");
    pane.keys(&["Enter"]);
    pane.wait_for("Choose [1]:");
    pane.keys(&["Enter"]);
    pane.wait_for("Group:");
    pane.type_text(GROUP);
    pane.keys(&["Enter"]);
    pane.wait_for("Status [enabled]");
    pane.keys(&["C-d"]);
    pane.wait_for("Quit without saving?");
    pane.keys(&["C-d"]);
    assert_eq!(pane.wait_client_exit(), 130, "cancelled by the operator");
    let raw = pane.raw();
    assert!(
        !raw.contains(&0x1b),
        "an escape byte in plain mode: {:?}",
        String::from_utf8_lossy(&raw)
    );
    assert!(
        !config.exists(),
        "nothing was saved, so no file was written"
    );
}

/// A private Secret Service, a loopback sshd and a directory for the config, or `None`
/// (after a loud skip) when the tools are missing.
fn setting_up() -> Option<(PrivateSecretService, Sshd, tempfile::TempDir)> {
    let secrets = private_secret_service::start_or_skip()?;
    let sshd = Sshd::start().unwrap_or_else(|e| panic!("cannot start sshd: {e}"))?;
    let dir = tempfile::Builder::new()
        .prefix("wfm-over-ssh-")
        .tempdir()
        .expect("temporary directory");
    Some((secrets, sshd, dir))
}

/// Lists, the store notice, the form with a required-field error and a masked secret,
/// field help, and the quit question; then quits. `marker` is the focus marker.
fn visit_every_kind_of_screen(pane: &Pane, marker: &str) {
    pane.keys(&["Enter"]);
    pane.wait_for(&format!("{marker}+ Add an integration"));
    pane.keys(&["Enter"]);
    pane.wait_for(&format!("{marker}Group"));
    type_field(pane, GROUP, GROUP);
    pane.keys(&["Enter"]); // Status stays on
    pane.wait_for(&format!("{marker}RingCentral CX client ID"));
    pane.keys(&["Tab"]); // left empty: the form marks it
    pane.wait_for("Required: enter the RingCentral CX client ID.");
    type_secret(pane, CLIENT_SECRET);
    pane.keys(&["F1"]);
    pane.wait_for("Esc closes");
    pane.keys(&["Escape"]);
    // An ESC and a Ctrl-C read together are one key (Alt-Ctrl-C): wait for the help
    // to close first, as an operator would see it go.
    assert!(
        wait_until(ssh_loopback::DEADLINE, || !pane
            .screen()
            .contains("Esc closes"))
        .is_ok(),
        "the help did not close; the screen:\n{}",
        pane.screen()
    );
    pane.keys(&["C-c"]);
    pane.wait_for("Quit without saving?");
    pane.type_text("y");
    assert_eq!(pane.wait_client_exit(), 130, "cancelled by the operator");
}

/// An administrator stops the wizard on the server (SIGTERM): the operator's terminal,
/// at the other end of the link, is left usable, not stuck in the alternate screen.
#[test]
fn sigterm_on_the_server_gives_the_operator_their_terminal_back() {
    let Some(sshd) = Sshd::start().unwrap_or_else(|e| panic!("cannot start sshd: {e}")) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let command = format!(
        "exec env {} {} --secret-store keyutils",
        quote(&format!("WFM_WIZARD_CONFIG={}", config.display())),
        quote(&release_binary().display().to_string())
    );
    let pane = sshd.run(&Session::new(&command));
    pane.wait_for(FIRST_SCREEN);
    assert_eq!(pane.format("#{alternate_on}"), "1");
    let wizard = sshd
        .remote_processes()
        .into_iter()
        .find(|p| p.command.contains("wfm-wizard"))
        .expect("the wizard runs below sshd");
    let killed = Command::new("kill")
        .args(["-TERM", &wizard.pid.to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    assert_eq!(pane.wait_client_exit(), 143, "ssh passes on 128 + 15");
    pane.wait_for("Stopped by signal 15");
    // tmux reads the pane's last bytes on its own schedule: wait for the flag.
    let restored = wait_until(ssh_loopback::DEADLINE, || {
        pane.format("#{alternate_on}") == "0"
    });
    assert!(restored.is_ok(), "the alternate screen is left");
    // The cursor, from the bytes themselves (tmux 3.3a reports a dead pane's cursor
    // as hidden whatever it was sent): shown after the last hide and screen switch.
    let raw = String::from_utf8_lossy(&pane.raw()).into_owned();
    let last = |needle: &str| raw.rfind(needle);
    assert!(
        last("\x1b[?25h") > last("\x1b[?25l").max(last("\x1b[?1049l")),
        "the cursor is shown last; the final bytes: {:?}",
        &raw[raw.len().saturating_sub(200)..]
    );
    assert!(!wizard.alive());
}

/// After a hangup nothing may be written to the gone terminal: a failed write there
/// (e.g. `eprintln!`) would panic and turn the exit into an abort. The remote shell
/// ignores SIGHUP only to outlive the wizard and record its exit status.
#[test]
fn a_hangup_exits_129_and_writes_nothing_to_the_gone_terminal() {
    let Some(sshd) = Sshd::start().unwrap_or_else(|e| panic!("cannot start sshd: {e}")) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let status_file = dir.path().join("wizard-exit.txt");
    let command = format!(
        "trap '' HUP; env {} {} --secret-store keyutils 2>{}; echo $? >{}",
        quote(&format!("WFM_WIZARD_CONFIG={}", config.display())),
        quote(&release_binary().display().to_string()),
        quote(&dir.path().join("stderr.txt").display().to_string()),
        quote(&status_file.display().to_string()),
    );
    let pane = sshd.run(&Session::new(&command));
    pane.wait_for(FIRST_SCREEN);
    pane.keys(&["Enter"]);
    pane.wait_for("› + Add an integration");
    let remote = sshd.remote_processes(); // also: stopped at the end if the test fails
    pane.signal_client("KILL");
    let written = wait_until(ssh_loopback::DEADLINE, || {
        std::fs::read_to_string(&status_file).is_ok_and(|t| t.ends_with('\n'))
    });
    assert!(written.is_ok(), "the remote shell recorded no exit status");
    let stderr = std::fs::read_to_string(dir.path().join("stderr.txt")).unwrap_or_default();
    assert_eq!(
        std::fs::read_to_string(&status_file).unwrap().trim(),
        "129",
        "stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let gone = wait_until(ssh_loopback::DEADLINE, || remote.iter().all(|p| !p.alive()));
    assert!(gone.is_ok(), "left running: {remote:?}");
}

/// First session: type a whole integration, then lose the link in its form.
fn type_then_lose_the_link(sshd: &Sshd, session: &Session, dir: &Path) {
    let pane = sshd.run(session);
    pane.wait_for(FIRST_SCREEN);
    pane.wait_for("Over SSH: if the link drops, what you typed is kept in a draft");
    pane.keys(&["Enter"]);
    pane.wait_for("› + Add an integration");
    pane.keys(&["Enter"]);
    type_field(&pane, GROUP, GROUP);
    pane.keys(&["Enter"]); // Status stays on
    type_field(&pane, CLIENT_ID, CLIENT_ID);
    type_secret(&pane, CLIENT_SECRET);
    type_secret(&pane, &jwt());
    pane.type_text(SUB_ACCOUNT_ID);
    pane.wait_for(SUB_ACCOUNT_ID);
    // Esc ends the step: a draft is saved, the secrets in draft entries once the store
    // has been resolved (at start, in the background). Then back into the form.
    pane.keys(&["Escape"]);
    pane.wait_for("› east enabled · new");
    let draft = dir.join("integrations.yaml.draft");
    let named = wait_until(ssh_loopback::DEADLINE, || {
        std::fs::read_to_string(&draft).is_ok_and(|t| t.contains(JWT_ENTRY))
    });
    assert!(named.is_ok(), "the draft never named {JWT_ENTRY}");
    pane.keys(&["Enter"]);
    pane.wait_for("Group");
    let remote = sshd.remote_processes();
    assert!(
        remote.iter().any(|p| p.command.contains("wfm-wizard")),
        "the wizard runs below sshd: {remote:?}"
    );

    let cut = Instant::now();
    pane.signal_client("KILL");
    let ended = wait_until(Duration::from_secs(2), || remote.iter().all(|p| !p.alive()));
    eprintln!(
        "over_ssh: link cut to remote exit took {} ms",
        cut.elapsed().as_millis()
    );
    assert!(
        ended.is_ok(),
        "the remote wizard outlived the link by 2 s: {:?}\nsshd log:\n{}",
        remote.iter().filter(|p| p.alive()).collect::<Vec<_>>(),
        sshd.log()
    );
    assert_eq!(pane.wait_client_exit(), 137, "the client was killed");
    drop(pane);
    assert_eq!(
        files_in(dir),
        ["integrations.yaml.draft", "integrations.yaml.lock"],
        "only the draft (and the edit lock file): no config, no temporary file"
    );
}

/// Second session: the draft is offered, resuming brings every value back, and a save
/// puts the typed secrets where `secret-tool` can compare them.
fn resume_and_save(sshd: &Sshd, session: &Session, secrets: &PrivateSecretService, dir: &Path) {
    let pane = sshd.run(session);
    pane.wait_for("Resume the unsaved draft?");
    // (Within one row each: the box's borders sit between rows.)
    pane.wait_for("left a draft (1 new");
    pane.wait_for("integration(s)), stopped at Historical.");
    pane.wait_for("2 typed secret(s) wait in");
    pane.type_text("r");
    pane.wait_for("Resumed the draft: 1 integration(s).");
    for shown in [
        GROUP.to_owned(),
        CLIENT_ID.to_owned(),
        SUB_ACCOUNT_ID.to_owned(),
        format!("({} chars)", CLIENT_SECRET.len()),
        format!("({} chars)", jwt().len()),
    ] {
        pane.wait_for(&shown);
    }
    pane.keys(&["NPage", "Enter"]); // last field, then finish the integration
    pane.wait_for("› → Continue to User import settings");
    pane.keys(&["Enter"]);
    pane.wait_for("User import settings · RingCentral v1");
    pane.keys(&["End", "Enter"]); // Continue to Review, no user import
    pane.wait_for("Ctrl-S");
    pane.keys(&["C-s"]);
    pane.wait_for("Saved");
    pane.keys(&["Enter"]);
    assert_eq!(pane.wait_client_exit(), 0, "screen:\n{}", pane.screen());
    drop(pane);

    let namespace = release_binary::saved_namespace(&dir.join("integrations.yaml"));
    assert_eq!(
        lookup(
            secrets,
            &format!("{namespace}/ringcentral-v1/historical/east/client_secret")
        ),
        CLIENT_SECRET
    );
    assert_eq!(
        lookup(
            secrets,
            &format!("{namespace}/ringcentral-v1/historical/east/jwt")
        ),
        jwt()
    );
    assert_eq!(
        files_in(dir),
        release_binary::LEFT_AFTER_SAVE,
        "the draft is gone once saved"
    );
    let users = entry_users(secrets);
    assert!(
        users.iter().all(|u| !wfm_wizard::secret::is_draft_entry(u)),
        "the draft entries are gone once saved: {users:?}"
    );
}

/// Types `text` into the focused field, waits until `shown` is on screen, then Enter.
fn type_field(pane: &Pane, text: &str, shown: &str) {
    pane.type_text(text);
    pane.wait_for(shown);
    pane.keys(&["Enter"]);
}

/// Types a secret into the focused field and leaves it with Enter: the form shows a
/// secret's length once the focus has moved on.
fn type_secret(pane: &Pane, secret: &str) {
    pane.type_text(secret);
    pane.keys(&["Enter"]);
    pane.wait_for(&format!("({} chars)", secret.len()));
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list the directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn lookup(secrets: &PrivateSecretService, user: &str) -> String {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "wfm-wizard", "username", user])
        .envs(secrets.envs())
        .stdin(Stdio::null())
        .output()
        .expect("run secret-tool");
    String::from_utf8_lossy(&out.stdout).trim_end().to_owned()
}

fn entry_users(secrets: &PrivateSecretService) -> Vec<String> {
    let out = Command::new("secret-tool")
        .args(["search", "--all", "service", "wfm-wizard"])
        .envs(secrets.envs())
        .stdin(Stdio::null())
        .output()
        .expect("run secret-tool");
    let listing = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    listing
        .lines()
        .filter_map(|l| l.strip_prefix("attribute.username = "))
        .map(str::to_owned)
        .collect()
}
