use super::*;

fn platform(text: &str) -> Error {
    Error::PlatformFailure(Box::new(std::io::Error::other(text.to_owned())))
}

#[test]
fn secret_service_failures_read_as_plain_english_with_their_kind() {
    let no_bus = platform(
        "zbus error: Failed to connect to address `unix:path=/run/user/0/bus`: No such file or directory (os error 2)",
    );
    let reason = explain(StoreKind::SecretService, &no_bus);
    assert_eq!(reason.problem, StoreProblem::NoBus);
    let message = reason.text;
    assert!(
        message.starts_with("cannot connect to the D-Bus session bus ("),
        "{message}"
    );
    assert!(
        message.contains("/run/user/0/bus"),
        "keeps the library text: {message}"
    );

    let unavailable = explain(
        StoreKind::SecretService,
        &platform("no secret service provider or dbus session found"),
    );
    assert_eq!(unavailable.problem, StoreProblem::NoBus);
    assert!(
        unavailable
            .text
            .starts_with("there is no D-Bus session bus, or no Secret Service provider")
    );

    let no_provider = explain(
        StoreKind::SecretService,
        &platform(
            "zbus error: org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files",
        ),
    );
    assert_eq!(no_provider.problem, StoreProblem::NoProvider);
    assert!(
        no_provider
            .text
            .starts_with("no Secret Service provider (such as gnome-keyring)")
    );

    let locked = Error::NoStorageAccess(Box::new(std::io::Error::other(
        "SS error: prompt dismissed",
    )));
    let reason = explain(StoreKind::SecretService, &locked);
    assert_eq!(reason.problem, StoreProblem::Locked);
    let message = reason.text;
    assert!(message.starts_with("the keyring is locked"), "{message}");
    assert!(
        message
            .contains("gnome-keyring-daemon --replace --components=secrets --daemonize --unlock"),
        "{message}"
    );
    assert!(message.ends_with("(Couldn't access platform storage: SS error: prompt dismissed)"));

    let other = explain(StoreKind::SecretService, &platform("zbus error: weird"));
    assert_eq!(other.problem, StoreProblem::Other);
    // A locked kernel keyring is not the Secret Service's locked keyring.
    let keyutils = explain(StoreKind::Keyutils, &locked);
    assert_eq!(keyutils.problem, StoreProblem::Other);
}

#[cfg(target_os = "linux")]
#[test]
fn kernel_keyring_failures_name_the_cause() {
    use linux_keyutils::KeyError;
    let denied = Error::NoStorageAccess(Box::new(KeyError::AccessDenied));
    assert!(
        explain(StoreKind::Keyutils, &denied)
            .text
            .contains("no session keyring of its own")
    );
    let quota = Error::PlatformFailure(Box::new(KeyError::QuotaExceeded));
    assert!(explain(StoreKind::Keyutils, &quota).text.contains("quota"));
    let blocked = Error::PlatformFailure(Box::new(KeyError::PermissionDenied));
    assert!(
        explain(StoreKind::Keyutils, &blocked)
            .text
            .contains("seccomp")
    );
}

#[test]
fn no_message_carries_stored_bytes() {
    let secret = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXZhbHVl.sig";
    let cases = [
        Error::BadEncoding(secret.as_bytes().to_vec()),
        Error::BadDataFormat(
            secret.as_bytes().to_vec(),
            Box::new(std::io::Error::other("bad padding")),
        ),
    ];
    for err in &cases {
        for kind in StoreKind::ALL {
            let message = explain(kind, err).text;
            assert!(!message.contains(secret), "{message}");
            assert!(!message.contains("c2VjcmV0"), "{message}");
        }
    }
}

#[test]
fn other_errors_are_explained_too() {
    let too_long = Error::TooLong("password".to_owned(), 2560);
    assert_eq!(
        explain(StoreKind::Windows, &too_long).text,
        "the value is longer than this store allows (2560) \
         (Value of 'password' is longer than the platform limit of 2560 chars)"
    );
    let empty = Error::Invalid("secret".to_owned(), "cannot be empty".to_owned());
    assert!(
        explain(StoreKind::Keyutils, &empty)
            .text
            .starts_with("the store does not accept this secret: cannot be empty")
    );
}

#[test]
fn stores_of_other_systems_are_refused_in_plain_words() {
    #[cfg(not(target_os = "macos"))]
    {
        let Err(err) = open(StoreKind::Keychain, "svc") else {
            panic!("keychain opened on {}", std::env::consts::OS);
        };
        assert_eq!(err.store, StoreKind::Keychain);
        assert!(err.message.contains("exists only on macOS"), "{err}");
    }
    #[cfg(not(target_os = "windows"))]
    {
        let Err(err) = open(StoreKind::Windows, "svc") else {
            panic!("windows store opened on {}", std::env::consts::OS);
        };
        assert!(err.message.contains("exists only on Windows"), "{err}");
    }
}

#[test]
fn bus_hint_needs_an_address_or_a_bus_socket() {
    let dir = tempfile::tempdir().unwrap();
    assert!(!session_bus_hint(None, None));
    assert!(!session_bus_hint(Some("".as_ref()), Some(dir.path())));
    assert!(session_bus_hint(Some("unix:path=/nowhere".as_ref()), None));
    std::fs::write(dir.path().join("bus"), b"").unwrap();
    assert!(session_bus_hint(None, Some(dir.path())));
    assert!(!session_bus_hint(None, Some(Path::new(""))));
}

#[test]
fn a_late_job_is_reported_as_a_timeout() {
    let (release, wait) = std::sync::mpsc::channel::<()>();
    let late = within(
        Duration::from_millis(20),
        StoreKind::SecretService,
        move || wait.recv().ok(),
    );
    assert_eq!(
        late.unwrap_err(),
        StoreReason::new(
            StoreProblem::NoAnswer,
            "the Secret Service did not answer within 0.02 s"
        )
    );
    drop(release);
    assert_eq!(
        within(Duration::from_secs(5), StoreKind::Keyutils, || 7),
        Ok(7)
    );
}

#[test]
fn a_job_that_keeps_answering_is_waited_for_and_one_that_falls_silent_is_not() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // 30 answers 10 ms apart: 300 ms in all, never 100 ms without an answer.
    let answered = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&answered);
    let steady = within_while_answering(
        Duration::from_millis(100),
        StoreKind::SecretService,
        &answered,
        move || {
            for _ in 0..30 {
                std::thread::sleep(Duration::from_millis(10)); // the store's work
                counter.fetch_add(1, Ordering::SeqCst);
            }
            "all read"
        },
    );
    assert_eq!(steady, Ok("all read"));
    // Two answers, then silence: given up one deadline after the last answer.
    let (release, wait) = std::sync::mpsc::channel::<()>();
    let answered = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&answered);
    let silent = within_while_answering(
        Duration::from_millis(50),
        StoreKind::SecretService,
        &answered,
        move || {
            counter.fetch_add(2, Ordering::SeqCst);
            wait.recv().ok()
        },
    );
    assert_eq!(
        silent.unwrap_err(),
        StoreReason::new(
            StoreProblem::NoAnswer,
            "the Secret Service did not answer within 0.05 s"
        )
    );
    drop(release);
}

/// A store whose every call blocks until `release` is dropped.
#[derive(Debug)]
struct Hanging(std::sync::Mutex<std::sync::mpsc::Receiver<()>>);

impl CredentialStoreApi for Hanging {
    fn vendor(&self) -> String {
        "test".into()
    }
    fn id(&self) -> String {
        "hanging".into()
    }
    fn build(
        &self,
        _service: &str,
        _user: &str,
        _modifiers: Option<&std::collections::HashMap<&str, &str>>,
    ) -> keyring_core::Result<Entry> {
        let _ = self.0.lock().unwrap().recv();
        Err(Error::NoEntry)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[test]
fn a_store_that_stops_answering_costs_one_deadline_then_fails_at_once() {
    let (release, wait) = std::sync::mpsc::channel::<()>();
    let mut store = KeyringStore::new(
        StoreKind::SecretService,
        "svc",
        Arc::new(Hanging(std::sync::Mutex::new(wait))),
    );
    store.deadline = Duration::from_millis(30);
    let first = store.get("p/o/default/jwt").unwrap_err();
    assert_eq!(first.problem, StoreProblem::NoAnswer);
    assert!(
        first
            .message
            .contains("the Secret Service did not answer within 0.03 s"),
        "{first}"
    );
    let second = store
        .set("p/o/default/jwt", &SecretString::from("v".to_owned()))
        .unwrap_err();
    assert!(
        second
            .message
            .contains("has still not answered an earlier call"),
        "{second}"
    );
    assert_eq!(second.problem, StoreProblem::NoAnswer);
    drop(release); // the provider wakes up: the stuck call returns
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while store.stuck.load(Ordering::SeqCst) > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5)); // poll interval
    }
    assert!(
        matches!(store.get("p/o/default/jwt"), Ok(None)),
        "answers again"
    );
}

#[test]
fn proc_keys_lines_give_the_users_of_one_service() {
    let listing = "\
1d3b0f8c I--Q---     1 perm 3f010000     0     0 user      keyring:ringcentral-v1/historical/default/jwt@wfm-wizard: 1015
0a4c9b21 I--Q---     2 perm 3f030000     0     0 keyring   _persistent.0: 2
11111111 I--Q---     1 perm 3f010000     0     0 user      keyring:other/x/default/jwt@other-service: 12
22222222 I--Q---     1 perm 3f010000     0     0 user      keyring:draft/abc/client_secret@wfm-wizard: 40
33333333 I--Q---     1 perm 3f010000     0     0 logon     keyring:looks/alike@wfm-wizard: 3
";
    assert_eq!(
        users_in_proc_keys(listing, "wfm-wizard"),
        [
            "ringcentral-v1/historical/default/jwt",
            "draft/abc/client_secret"
        ]
    );
}

#[test]
fn read_secret_refuses_another_applications_entry_before_asking_any_store() {
    use crate::secret::SecretRef;
    for (service, user) in [
        (
            "chrome",
            "0123456789ab/ringcentral-v1/historical/default/jwt",
        ),
        ("wfm-wizard", "login-password"),
        (
            "wfm-wizard",
            "0123456789ab/ringcentral-v1/historical/default/jwt\u{1b}[2J",
        ),
    ] {
        let reference = SecretRef {
            // A store that cannot be opened here: a refusal must come first.
            store: StoreKind::Windows,
            service: service.into(),
            user: user.into(),
        };
        let error = read_secret(&reference).expect_err("refused");
        assert!(
            error.message.starts_with("not read: the reference"),
            "{error}"
        );
        assert!(!error.message.contains(user), "{error}");
    }
}
