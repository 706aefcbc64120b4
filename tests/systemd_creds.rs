//! systemd credentials through the binary, with the real `systemd-creds`, the real
//! kernel keyring and `systemd-analyze`: `migrate-secrets` from the kernel keyring,
//! the files read back by `systemd-creds decrypt`, no secret in any argv, `status` and
//! `validate` after the machine's key is replaced, `secret get` inside a unit
//! (`$CREDENTIALS_DIRECTORY`), and the `systemd-unit` drop-in checked by
//! `systemd-analyze verify`. A throwaway host key and credential directory: the
//! machine's own are never touched.

#[path = "support/skip.rs"]
mod skip;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use secrecy::SecretString;
use wfm_wizard::io::secrets;
use wfm_wizard::secret::{SERVICE, StoreKind};

const BIN: &str = env!("CARGO_BIN_EXE_wfm-wizard");

struct Machine {
    dir: tempfile::TempDir,
    namespace: String,
}

impl Machine {
    fn key(&self) -> PathBuf {
        self.dir.path().join("credential.secret")
    }

    fn credstore(&self) -> PathBuf {
        self.dir.path().join("credstore.encrypted")
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("integrations.yaml")
    }

    fn user(&self, field: &str) -> String {
        format!(
            "{}/ringcentral-v1/historical/東京 east/{field}",
            self.namespace
        )
    }

    fn id(&self, field: &str) -> String {
        wfm_wizard::io::systemd_creds::name::credential_id(SERVICE, &self.user(field)).unwrap()
    }

    fn wfm(&self, args: &[&str]) -> Output {
        self.wfm_with(args, &[])
    }

    fn wfm_with(&self, args: &[&str], env: &[(&str, &Path)]) -> Output {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .env("WFM_WIZARD_CONFIG", self.config())
            .env("WFM_WIZARD_SYSTEMD_CREDS", "systemd-creds")
            .env("SYSTEMD_CREDENTIAL_SECRET", self.key())
            .env("WFM_WIZARD_CREDSTORE_DIR", self.credstore())
            .env_remove("WFM_WIZARD_SECRET_STORE")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("CREDENTIALS_DIRECTORY")
            .stdin(Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        command.output().unwrap()
    }

    /// What `systemd-creds decrypt` (not this program) reads from the credential `id`.
    fn decrypt(&self, id: &str) -> Output {
        Command::new("systemd-creds")
            .env("SYSTEMD_CREDENTIAL_SECRET", self.key())
            .args(["decrypt", &format!("--name={id}")])
            .arg(self.credstore().join(id))
            .arg("-")
            .output()
            .unwrap()
    }

    fn write_config(&self, store: StoreKind) {
        let secret = |field: &str| {
            format!(
                "{{keyring: {{store: {store}, service: {SERVICE}, user: '{}'}}}}",
                self.user(field)
            )
        };
        let text = format!(
            "version: 2\nrevision: 1\nnamespace: {}\npath: '{}'\nintegrations:\n- platform: ringcentral-v1\n  operation: historical\n  group: 東京 east\n  enabled: true\n  settings:\n    client_id: AbCdEfGhIjKlMnOpQrStUv\n    client_secret: {}\n    jwt: {}\n    sub_account_id: '15910001'\n",
            self.namespace,
            self.config().display(),
            secret("client_secret"),
            secret("jwt")
        );
        std::fs::write(self.config(), text).unwrap();
    }
}

/// A machine sandbox (under the target directory: a host key must be on a disk), or
/// `None` after a loud SKIPPED where the real tools cannot run.
fn machine(test: &str) -> Option<Machine> {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let probe = Command::new("systemd-creds")
        .env("SYSTEMD_CREDENTIAL_SECRET", dir.path().join("probe.secret"))
        .args(["encrypt", "--name=probe", "-", "-"])
        .stdin(Stdio::null())
        .output();
    let keyctl = Command::new("keyctl").arg("--version").output();
    let why = match (probe, keyctl) {
        (Ok(out), Ok(_)) if out.status.success() => None,
        (Ok(out), Ok(_)) => Some(String::from_utf8_lossy(&out.stderr).trim().to_owned()),
        (Err(e), _) => Some(format!("systemd-creds could not be run: {e}")),
        (_, Err(e)) => Some(format!("keyctl could not be run: {e}")),
    };
    if let Some(why) = why {
        skip::skip(&format!(
            "needs root, systemd-creds (systemd >= 250) and keyctl: {why}"
        ));
        return None;
    }
    let namespace = wfm_wizard::secret::to_hex(&std::process::id().to_be_bytes())
        + &wfm_wizard::secret::to_hex(&[test.len() as u8, 0x5c]);
    Some(Machine { dir, namespace })
}

fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn kernel_keyring_secrets_migrate_and_systemd_creds_reads_them_back() {
    let Some(m) = machine("migrate") else { return };
    secrets::prepare_process();
    let kernel = secrets::open(StoreKind::Keyutils, SERVICE).unwrap();
    // A JWT of the right shape (status and validate hold stored values to the rules),
    // padded to about 2,000 characters.
    let jwt = {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.{}",
            b64.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
            b64.encode(format!(
                r#"{{"iss":"https://platform.ringcentral.com","iat":1750000000,"exp":3897483647,"pad":"{}"}}"#,
                "x".repeat(1400)
            )),
            "s".repeat(342)
        )
    };
    kernel
        .set(&m.user("jwt"), &SecretString::from(jwt.clone()))
        .unwrap();
    kernel
        .set(
            &m.user("client_secret"),
            &SecretString::from("cs-migrate-1"),
        )
        .unwrap();
    m.write_config(StoreKind::Keyutils);

    // A spy in front of systemd-creds records every argv the program passes.
    let spy = m.dir.path().join("spy");
    let argv_log = m.dir.path().join("argv.log");
    std::fs::write(
        &spy,
        format!(
            "#!/bin/sh\ntr '\\0' ' ' </proc/$$/cmdline >>'{0}'; echo >>'{0}'\n\
             tr '\\0' ' ' </proc/$PPID/cmdline >>'{0}'; echo >>'{0}'\nexec systemd-creds \"$@\"\n",
            argv_log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&spy, std::fs::Permissions::from_mode(0o755)).unwrap();

    let out = m.wfm_with(
        &["migrate-secrets", "--to", "systemd-creds"],
        &[("WFM_WIZARD_SYSTEMD_CREDS", &spy)],
    );
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        said(&out).contains("moved 2 secret(s) to systemd-creds"),
        "{}",
        said(&out)
    );
    let argvs = std::fs::read_to_string(&argv_log).unwrap();
    assert!(argvs.contains("encrypt"), "{argvs}");
    assert!(
        !argvs.contains("sig-migrate") && !argvs.contains("cs-migrate-1"),
        "{argvs}"
    );

    let text = std::fs::read_to_string(m.config()).unwrap();
    assert!(
        text.contains("store: systemd-creds") && !text.contains("keyutils"),
        "{text}"
    );
    assert_eq!(
        kernel.get(&m.user("jwt")).unwrap().map(|_| ()),
        None,
        "moved, not copied"
    );
    assert_eq!(mode(&m.credstore()), 0o700);
    for (field, value) in [("jwt", jwt.as_str()), ("client_secret", "cs-migrate-1")] {
        let file = m.credstore().join(m.id(field));
        assert_eq!(mode(&file), 0o600, "{}", file.display());
        let read = m.decrypt(&m.id(field));
        assert!(read.status.success(), "{}", said(&read));
        assert_eq!(read.stdout, value.as_bytes());
    }

    let status = m.wfm(&["status"]);
    assert!(status.status.success(), "{}", said(&status));
    let validate = m.wfm(&["validate"]);
    assert!(validate.status.success(), "{}", said(&validate));
    let got = m.wfm(&["secret", "get", "ringcentral-v1/historical/東京 east/jwt"]);
    assert!(got.status.success(), "{}", said(&got));
    assert_eq!(got.stdout, jwt.as_bytes());

    // The machine's key is replaced (lost, then made anew by the next encrypt).
    std::fs::remove_file(m.key()).unwrap();
    let fresh = Command::new("systemd-creds")
        .env("SYSTEMD_CREDENTIAL_SECRET", m.key())
        .args(["encrypt", "--name=other", "-", "-"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(fresh.status.success(), "{}", said(&fresh));
    for command in ["status", "validate"] {
        let out = m.wfm(&[command]);
        let text = said(&out);
        assert!(!out.status.success(), "{command}: {text}");
        assert!(
            text.contains("this machine's credential key changed"),
            "{command}: {text}"
        );
        assert!(text.contains("type the secrets again"), "{command}: {text}");
        assert!(!text.contains("sig-migrate"), "{command}: {text}");
    }
}

#[test]
fn inside_a_unit_secret_get_reads_the_credentials_directory() {
    let Some(m) = machine("credentials_directory") else {
        return;
    };
    m.write_config(StoreKind::SystemdCreds);
    let loaded = m.dir.path().join("run-credentials");
    std::fs::create_dir(&loaded).unwrap();
    std::fs::write(loaded.join(m.id("jwt")), "decrypted-by-systemd").unwrap();
    // No tool at all: the value can only come from the directory.
    let nowhere = m.dir.path().join("no-systemd-creds");
    let out = m.wfm_with(
        &["secret", "get", "ringcentral-v1/historical/東京 east/jwt"],
        &[
            ("CREDENTIALS_DIRECTORY", &loaded),
            ("WFM_WIZARD_SYSTEMD_CREDS", &nowhere),
        ],
    );
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(out.stdout, b"decrypted-by-systemd");
    // Outside the unit the same command decrypts, and here there is nothing to decrypt.
    let outside = m.wfm(&["secret", "get", "ringcentral-v1/historical/東京 east/jwt"]);
    assert!(!outside.status.success(), "{}", said(&outside));
}

#[test]
fn the_unit_drop_in_passes_systemd_analyze_verify() {
    let Some(m) = machine("unit_drop_in") else {
        return;
    };
    m.write_config(StoreKind::SystemdCreds);
    let printed = m.wfm(&["systemd-unit"]);
    assert!(printed.status.success(), "{}", said(&printed));
    let text = String::from_utf8_lossy(&printed.stdout).into_owned();
    for field in ["jwt", "client_secret"] {
        let line = format!(
            "LoadCredentialEncrypted={}:{}\n",
            m.id(field),
            m.credstore().join(m.id(field)).display()
        );
        assert!(text.contains(&line), "{text}");
    }

    let units = m.dir.path().join("units");
    let written = m.wfm(&[
        "systemd-unit",
        "wfm-test-agent",
        "--write",
        "--unit-dir",
        units.to_str().unwrap(),
    ]);
    assert!(written.status.success(), "{}", said(&written));
    let drop_in = units.join("wfm-test-agent.service.d/wfm-wizard-credentials.conf");
    assert_eq!(std::fs::read_to_string(&drop_in).unwrap(), text);

    let verify = |unit: &str| {
        std::fs::write(
            units.join(unit),
            "[Unit]\nDescription=wfm test agent\n[Service]\nExecStart=/bin/true\n",
        )
        .unwrap();
        let out = Command::new("systemd-analyze")
            .arg("verify")
            .arg(units.join(unit))
            .output();
        match out {
            Ok(out) => Some(out),
            Err(e) => {
                skip::skip(&format!("systemd-analyze could not be run: {e}"));
                None
            }
        }
    };
    let Some(ours) = verify("wfm-test-agent.service") else {
        return;
    };
    assert!(ours.status.success(), "{}", said(&ours));
    assert!(
        !said(&ours).contains("wfm-wizard-credentials.conf"),
        "{}",
        said(&ours)
    );

    // The same check finds a broken drop-in: it really reads ours.
    let broken = units.join("wfm-broken-agent.service.d");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(
        broken.join("wfm-wizard-credentials.conf"),
        text.replace("LoadCredentialEncrypted=", "LoadCredentialEncrypted=%z"),
    )
    .unwrap();
    let theirs = verify("wfm-broken-agent.service").unwrap();
    assert!(
        said(&theirs).contains("wfm-wizard-credentials.conf"),
        "{}",
        said(&theirs)
    );
}
