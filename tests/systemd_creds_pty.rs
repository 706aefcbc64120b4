//! As a new user would on a server: root over SSH, no desktop session, no
//! `--secret-store`. The release binary in a real pseudo-terminal chooses systemd
//! credentials by itself, says they survive a reboot, and saves; then `systemd-creds
//! decrypt` (a tool we did not write) reads the secrets back. A throwaway host key
//! and credential directory: the machine's own are never touched.
#![cfg(target_os = "linux")]

#[path = "support/pty_session.rs"]
mod pty_session;
#[path = "support/release_binary.rs"]
mod release_binary;
#[path = "support/skip.rs"]
mod skip;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use portable_pty::CommandBuilder;
use pty_session::{CTRL_S, ENTER, PtySession};
use release_binary::release_binary;
use wfm_wizard::config::{Setting, parse_document};
use wfm_wizard::secret::StoreKind;

const CLIENT_ID: &str = "AbCdEfGhIjKlMnOpQrStUv";
const CLIENT_SECRET: &str = "pty-systemd-creds-client-secret-0123456789";

/// A JWT that never expires.
fn jwt() -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.{}",
        b64.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
        b64.encode(
            r#"{"iss":"https://platform.ringcentral.com","iat":1750000000,"exp":3897483647,"jti":"pty"}"#
        ),
        "s".repeat(40)
    )
}

fn usable_or_skip(key: &Path) -> bool {
    let probe = Command::new("systemd-creds")
        .env("SYSTEMD_CREDENTIAL_SECRET", key)
        .args(["encrypt", "--name=probe", "-", "-"])
        .stdin(Stdio::null())
        .output();
    let why = match probe {
        Ok(out) if out.status.success() => return true,
        Ok(out) => String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        Err(e) => format!("systemd-creds could not be run: {e}"),
    };
    skip::skip(&format!("needs root and systemd-creds: {why}"));
    false
}

#[test]
fn as_root_over_ssh_auto_keeps_secrets_as_systemd_credentials() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let key = dir.path().join("credential.secret");
    if !usable_or_skip(&key) {
        return;
    }
    let credstore = dir.path().join("credstore.encrypted");
    let config = dir.path().join("integrations.yaml");
    let jwt = jwt();

    let mut command = CommandBuilder::new(release_binary());
    command.env("WFM_WIZARD_CONFIG", &config);
    command.env("WFM_WIZARD_SYSTEMD_CREDS", "systemd-creds");
    command.env("SYSTEMD_CREDENTIAL_SECRET", &key);
    command.env("WFM_WIZARD_CREDSTORE_DIR", &credstore);
    command.env("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22");
    command.env("TERM", "xterm-256color");
    command.env("LANG", "C.UTF-8");
    for gone in [
        "WFM_WIZARD_SECRET_STORE",
        "DBUS_SESSION_BUS_ADDRESS",
        "XDG_RUNTIME_DIR",
        "DISPLAY",
        "NO_COLOR",
    ] {
        command.env_remove(gone);
    }
    command.cwd(dir.path());
    command.umask(Some(0o022));
    let mut wizard = PtySession::spawn(command);

    wizard.wait_for("› RingCentral v1");
    wizard.send(ENTER);
    wizard.wait_for("› + Add an integration");
    wizard.send(ENTER);
    // No question about the store: it keeps secrets across reboots.
    wizard.wait_for("Secrets will be stored as systemd credentials");
    wizard.wait_for("› Group");
    wizard.send("east");
    wizard.send(ENTER);
    wizard.wait_for("› Status [x] enabled");
    wizard.send(ENTER);
    wizard.wait_for("› RingCentral CX client ID");
    wizard.send(CLIENT_ID);
    wizard.send(ENTER);
    wizard.wait_for("› RingCentral CX client secret");
    wizard.send(CLIENT_SECRET);
    wizard.send(ENTER);
    wizard.wait_for("› RingCentral CX JWT");
    wizard.paste(&jwt);
    wizard.wait_for("never expires");
    wizard.send(ENTER);
    wizard.wait_for("› Sub account ID");
    wizard.send("15910001");
    wizard.send(ENTER);
    wizard.wait_for("east enabled · new");
    wizard.wait_for("› → Continue to User import settings");
    wizard.send(ENTER);
    wizard.wait_for("User import settings · RingCentral v1");
    wizard.send("\x1b[F"); // End
    wizard.wait_for("› → Continue to Review");
    wizard.send(ENTER);
    wizard.wait_for("Review: this is what Ctrl-S writes.");
    wizard.wait_for("systemd-creds (encrypted with this machine's key;");
    wizard.wait_for("survive reboots");
    wizard.send(CTRL_S);
    wizard.wait_for("Press Enter to finish.");
    wizard.send(ENTER);
    let status = wizard.wait_exit();
    assert!(status.success(), "{}", wizard.output().framed());
    check_credentials(&config, &credstore, &key, &jwt);
}

/// The file refers to systemd credentials only, and `systemd-creds decrypt` reads them.
fn check_credentials(config: &Path, credstore: &Path, key: &Path, jwt: &str) {
    let document = parse_document(&std::fs::read_to_string(config).unwrap()).unwrap();
    let refs: Vec<_> = document.integrations[0]
        .settings
        .0
        .iter()
        .filter_map(|(field, s)| match s {
            Setting::Secret(r) => Some((field.clone(), r.clone())),
            Setting::Text(_) => None,
        })
        .collect();
    assert_eq!(refs.len(), 2);
    assert_eq!(
        std::fs::metadata(credstore).unwrap().permissions().mode() & 0o777,
        0o700
    );
    for (field, reference) in refs {
        assert_eq!(reference.store, StoreKind::SystemdCreds, "{field}");
        let id =
            wfm_wizard::io::systemd_creds::name::credential_id(&reference.service, &reference.user)
                .unwrap();
        let file = credstore.join(&id);
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600,
            "{field}"
        );
        let out = Command::new("systemd-creds")
            .env("SYSTEMD_CREDENTIAL_SECRET", key)
            .args(["decrypt", &format!("--name={id}")])
            .arg(&file)
            .arg("-")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let want = if field == "jwt" { jwt } else { CLIENT_SECRET };
        assert_eq!(String::from_utf8_lossy(&out.stdout), want, "{field}");
    }
}

/// Root without usable systemd credentials (here: no `systemd-creds` program) is told
/// why, before the kernel keyring's warning, and nothing is encrypted.
#[test]
fn as_root_without_systemd_credentials_the_gate_says_why() {
    if !rustix::process::geteuid().is_root() {
        skip::skip("the store for root is only offered to root: run the tests as root");
        return;
    }
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let credstore = dir.path().join("credstore.encrypted");
    let mut command = CommandBuilder::new(release_binary());
    command.env("WFM_WIZARD_CONFIG", dir.path().join("integrations.yaml"));
    command.env(
        "WFM_WIZARD_SYSTEMD_CREDS",
        dir.path().join("no-such-systemd-creds"),
    );
    command.env("WFM_WIZARD_CREDSTORE_DIR", &credstore);
    command.env("TERM", "xterm-256color");
    command.env("LANG", "C.UTF-8");
    for gone in [
        "WFM_WIZARD_SECRET_STORE",
        "DBUS_SESSION_BUS_ADDRESS",
        "XDG_RUNTIME_DIR",
    ] {
        command.env_remove(gone);
    }
    let mut wizard = PtySession::spawn(command);
    wizard.wait_for("› RingCentral v1");
    wizard.send(ENTER);
    wizard.wait_for("› + Add an integration");
    wizard.send(ENTER);
    wizard.wait_for("Secrets will be stored in the kernel keyring");
    wizard.wait_for("systemd credentials (the store for root");
    wizard.send("\x03"); // Ctrl-C: nothing typed, nothing to ask
    let status = wizard.wait_exit();
    assert_eq!(status.exit_code(), 130, "{}", wizard.output().framed());
    assert!(!credstore.exists(), "nothing was encrypted");
}
