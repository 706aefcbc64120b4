//! The store with the real `systemd-creds`, a throwaway host key and a temporary
//! credential directory: the machine's own key and /etc/credstore.encrypted are never
//! touched.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use super::*;
use keyring_core::api::CredentialStoreApi;
use keyring_core::{Entry, Error};
use std::sync::Arc;

const SERVICE: &str = "wfm-wizard";
const USER: &str = "0123456789ab/ringcentral-v1/historical/default/jwt";

struct Sandbox {
    dir: tempfile::TempDir,
    store: Arc<Store>,
}

impl Sandbox {
    fn settings(&self) -> Settings {
        Settings {
            dir: self.dir.path().join("credstore.encrypted"),
            tool: PathBuf::from("systemd-creds"),
            host_key: Some(self.key()),
        }
    }

    fn key(&self) -> PathBuf {
        self.dir.path().join("credential.secret")
    }

    fn entry(&self, user: &str) -> Entry {
        self.store.build(SERVICE, user, None).unwrap()
    }

    fn file(&self, user: &str) -> PathBuf {
        self.settings()
            .path_of(&name::credential_id(SERVICE, user).unwrap())
    }

    fn error(&self, user: &str) -> CredsError {
        let err = self.entry(user).get_password().unwrap_err();
        creds_error(&err)
            .cloned()
            .unwrap_or_else(|| panic!("{err:?}"))
    }

    /// What `systemd-creds decrypt` (not this crate) reads from `file` sealed as `id`.
    fn decrypt_with_the_tool(&self, id: &str, file: &Path) -> Vec<u8> {
        let out = Command::new("systemd-creds")
            .env("SYSTEMD_CREDENTIAL_SECRET", self.key())
            .args(["decrypt", &format!("--name={id}")])
            .arg(file)
            .arg("-")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }
}

/// A sandbox, or `None` (after a loud SKIPPED) where systemd-creds cannot run.
fn sandbox(test: &str) -> Option<Sandbox> {
    let dir = tempfile::tempdir().unwrap();
    let probe = Command::new("systemd-creds")
        .env(
            "SYSTEMD_CREDENTIAL_SECRET",
            dir.path().join("credential.secret"),
        )
        .args(["encrypt", "--name=probe", "-", "-"])
        .stdin(std::process::Stdio::null())
        .output();
    let why = match probe {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(String::from_utf8_lossy(&out.stderr).trim().to_owned()),
        Err(e) => Some(format!("systemd-creds could not be run: {e}")),
    };
    if let Some(why) = why {
        crate::test_support::skip::skip(&format!(
            "{test}: systemd-creds unusable (needs root and systemd >= 250): {why}"
        ));
        return None;
    }
    let _ = std::fs::remove_file(dir.path().join("credential.secret"));
    let mut sandbox = Sandbox {
        dir,
        store: Store::new(Settings {
            dir: PathBuf::new(),
            tool: PathBuf::new(),
            host_key: None,
        }),
    };
    sandbox.store = Store::new(sandbox.settings());
    Some(sandbox)
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn a_secret_round_trips_through_a_0600_file_that_systemd_creds_itself_decrypts() {
    let Some(s) = sandbox("round_trip") else {
        return;
    };
    let entry = s.entry(USER);
    assert!(matches!(entry.get_password(), Err(Error::NoEntry)));
    entry.set_password("hunter2 ✓").unwrap();
    assert_eq!(entry.get_password().unwrap(), "hunter2 ✓");

    let file = s.file(USER);
    let id = "wfm-wizard.0123456789ab.ringcentral-v1.historical.default.jwt";
    assert_eq!(file.file_name().unwrap(), id);
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&s.settings().dir), 0o700);
    assert_eq!(s.decrypt_with_the_tool(id, &file), "hunter2 ✓".as_bytes());
    let on_disk = std::fs::read(&file).unwrap();
    assert!(!on_disk.windows(7).any(|w| w == b"hunter2"));

    entry.set_password("second").unwrap();
    assert_eq!(entry.get_password().unwrap(), "second");
    let listed = s.settings().users(SERVICE).unwrap();
    assert_eq!(listed, vec![USER.to_owned()], "no temp file, no key check");

    entry.delete_credential().unwrap();
    assert!(!file.exists());
    assert!(matches!(entry.delete_credential(), Err(Error::NoEntry)));
    assert!(s.settings().users(SERVICE).unwrap().is_empty());
}

#[test]
fn any_unicode_group_and_a_100_kb_jwt_work() {
    let Some(s) = sandbox("unicode") else { return };
    let user = "0123456789ab/p-v1/op/東京 / α.β_%:\\/jwt";
    let jwt = format!("eyJhbGciOiJSUzI1NiJ9.{}.sig", "QUJD".repeat(25_000));
    assert!(jwt.len() > 100_000);
    s.entry(user).set_password(&jwt).unwrap();
    assert_eq!(s.entry(user).get_password().unwrap(), jwt);
    assert_eq!(s.settings().users(SERVICE).unwrap(), vec![user.to_owned()]);
    let id = name::credential_id(SERVICE, user).unwrap();
    assert_eq!(s.decrypt_with_the_tool(&id, &s.file(user)), jwt.as_bytes());
}

#[test]
fn a_renamed_file_says_so() {
    let Some(s) = sandbox("renamed") else { return };
    s.entry(USER).set_password("value").unwrap();
    let other = "0123456789ab/ringcentral-v1/historical/east/jwt";
    std::fs::rename(s.file(USER), s.file(other)).unwrap();
    let err = s.error(other);
    assert!(
        matches!(&err, CredsError::Renamed { sealed: Some(sealed), .. }
            if sealed == "wfm-wizard.0123456789ab.ringcentral-v1.historical.default.jwt"),
        "{err:?}"
    );
    assert!(err.to_string().contains("Rename it back"), "{err}");
}

#[test]
fn a_flipped_byte_is_tampering_not_a_changed_key() {
    let Some(s) = sandbox("tampered") else { return };
    s.entry(USER).set_password("value").unwrap();
    let file = s.file(USER);
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    // Another base64 letter, so the text still parses and decryption itself fails.
    bytes[middle] = if bytes[middle] == b'A' { b'B' } else { b'A' };
    std::fs::write(&file, &bytes).unwrap();
    let err = s.error(USER);
    assert!(matches!(err, CredsError::Tampered { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("changed or damaged"), "{text}");
    assert!(!text.contains("value"), "{text}");
}

#[test]
fn a_lost_or_replaced_host_key_is_reported_as_a_changed_key() {
    let Some(s) = sandbox("key_changed") else {
        return;
    };
    s.entry(USER).set_password("value").unwrap();
    std::fs::remove_file(s.key()).unwrap();
    let lost = s.error(USER);
    assert!(matches!(lost, CredsError::KeyChanged { .. }), "{lost:?}");
    assert!(
        lost.to_string().contains("type the secrets again"),
        "{lost}"
    );

    // The next encrypt silently makes a new key (as systemd does): old files stay unreadable.
    s.entry("0123456789ab/p/o/default/other")
        .set_password("new")
        .unwrap();
    let replaced = s.error(USER);
    assert!(
        matches!(replaced, CredsError::KeyChanged { .. }),
        "{replaced:?}"
    );
    assert_eq!(
        s.entry("0123456789ab/p/o/default/other")
            .get_password()
            .unwrap(),
        "new"
    );
}

#[test]
fn a_missing_tool_is_named() {
    let Some(s) = sandbox("missing_tool") else {
        return;
    };
    let store = Store::new(Settings {
        tool: s.dir.path().join("no-systemd-creds-here"),
        ..s.settings()
    });
    let err = store
        .build(SERVICE, USER, None)
        .unwrap()
        .set_password("value")
        .unwrap_err();
    let err = creds_error(&err).cloned().unwrap();
    assert!(matches!(err, CredsError::ToolMissing { .. }), "{err:?}");
    assert!(err.to_string().contains("apt install systemd"), "{err}");
}

#[test]
fn auto_refuses_a_host_key_kept_in_memory() {
    let Some(s) = sandbox("volatile_key") else {
        return;
    };
    if !Path::new("/dev/shm").is_dir() {
        crate::test_support::skip::skip("no /dev/shm here");
        return;
    }
    let volatile = Settings {
        host_key: Some(PathBuf::from("/dev/shm/wfm-wizard-test/credential.secret")),
        ..s.settings()
    };
    assert!(matches!(
        usable::check(&volatile, true),
        Err(usable::NotUsable::VolatileKey(_))
    ));
    assert_eq!(usable::check(&s.settings(), true), Ok(()));
    assert_eq!(
        usable::check(&s.settings(), false),
        Err(usable::NotUsable::NotRoot)
    );
}

#[test]
fn values_loaded_by_a_unit_are_read_from_the_credentials_directory() {
    let dir = tempfile::tempdir().unwrap();
    let id = name::credential_id(SERVICE, USER).unwrap();
    assert!(loaded(dir.path(), SERVICE, USER).is_none());
    std::fs::write(dir.path().join(id), "from systemd").unwrap();
    let value = loaded(dir.path(), SERVICE, USER).unwrap().unwrap();
    assert_eq!(secrecy::ExposeSecret::expose_secret(&value), "from systemd");
}

#[test]
fn the_longest_value_still_decrypts_and_a_longer_one_is_refused_up_front() {
    let Some(s) = sandbox("max_value") else {
        return;
    };
    let longest = "a".repeat(MAX_VALUE_BYTES);
    s.entry(USER).set_password(&longest).unwrap();
    assert_eq!(s.entry(USER).get_password().unwrap(), longest);
    let err = s
        .entry(USER)
        .set_password(&format!("{longest}a"))
        .unwrap_err();
    assert!(
        matches!(creds_error(&err), Some(CredsError::TooLong { .. })),
        "{err:?}"
    );
    assert_eq!(s.entry(USER).get_password().unwrap(), longest, "kept");
}

#[test]
fn the_store_and_the_form_agree_on_the_longest_value() {
    assert_eq!(
        MAX_VALUE_BYTES,
        crate::secret::StoreKind::SystemdCreds.max_value_bytes()
    );
}
