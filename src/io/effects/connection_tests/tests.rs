use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::channel;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::*;
use crate::connection_verdict::{Cause, Outcome, Stage};
use crate::io::connection::TestRequest;
use crate::io::effects::{EffectRunner, ThreadRunner};
use crate::io::memory_store::MemoryStores;
use crate::io::secrets::{SecretStore, StoreError};
use crate::secret::{SecretRef, StoreKind};
use crate::wizard::connection_test::{SecretSource, TestId, TestInputs};
use crate::wizard::{Effect, Msg, StoreInfo};

/// Reports a stage, then waits until cancelled (as a hanging stage does), and says
/// what secret it was given.
struct Hanging {
    seen_secret: Mutex<Option<String>>,
}

impl ConnectionTester for Hanging {
    fn test(
        &self,
        request: &TestRequest,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(Progress),
    ) -> Verdict {
        *self.seen_secret.lock().unwrap() = Some(request.client_secret.expose_secret().to_owned());
        progress(Progress::Started(Stage::RingCentralToken));
        while !cancel.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(5));
        }
        let mut verdict = Verdict::new();
        verdict.set(
            Stage::RingCentralToken,
            Outcome::Failed {
                cause: Cause::Cancelled,
            },
        );
        verdict
    }
}

fn inputs(client_secret: SecretSource) -> TestInputs {
    TestInputs {
        client_id: "id".into(),
        client_secret,
        jwt: SecretSource::Typed(SecretString::from("jwt")),
        sub_account_id: "1".into(),
    }
}

fn stored(user: &str) -> SecretSource {
    SecretSource::Stored(SecretRef {
        store: StoreKind::Keyutils,
        service: crate::secret::SERVICE.into(),
        user: user.into(),
    })
}

#[test]
fn a_test_runs_on_its_own_thread_sends_progress_and_stops_when_cancelled() {
    let (send, receive) = channel();
    let tester = Arc::new(Hanging {
        seen_secret: Mutex::new(None),
    });
    let stores = Arc::new(MemoryStores::new(StoreKind::Keyutils));
    stores
        .store(StoreKind::Keyutils)
        .set("ns/secret", &SecretString::from("from the store"))
        .unwrap();
    let mut runner = ThreadRunner {
        stores,
        path: std::path::PathBuf::from("/nonexistent/integrations.yaml"),
        reply: Arc::new(move |msg| {
            let _ = send.send(msg);
        }),
        tests: ConnectionTests::new(Ok(tester.clone())),
    };
    let id = TestId(7);
    assert!(
        runner
            .run(Effect::TestConnection {
                id,
                inputs: inputs(stored("ns/secret")),
            })
            .is_none()
    );
    let first = receive.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(
        matches!(first, Msg::TestProgress { id: got, .. } if got == id),
        "{first:?}"
    );
    assert!(
        runner.run(Effect::CancelTest { id }).is_none(),
        "a cancel has no answer of its own"
    );
    let done = receive.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(
        matches!(&done, Msg::TestDone { id: got, result: Ok(v) } if *got == id
            && v.failure().is_some_and(|(_, c)| *c == Cause::Cancelled)),
        "{done:?}"
    );
    assert_eq!(
        tester.seen_secret.lock().unwrap().as_deref(),
        Some("from the store"),
        "a stored secret is read through the store provider"
    );
}

#[test]
fn an_unusable_setting_is_every_tests_answer_naming_the_variable() {
    let tests = ConnectionTests::new(Err(
        "WFM_WIZARD_HTTP_TIMEOUT must be a whole number of seconds between 1 and 600".into(),
    ));
    let stores = MemoryStores::new(StoreKind::Keyutils);
    let result = tests.run(
        &inputs(SecretSource::Typed(SecretString::from("s"))),
        &stores,
        &AtomicBool::new(false),
        &mut |_| {},
    );
    let Err(NotTested::Settings(why)) = result else {
        panic!("{result:?}")
    };
    assert!(why.contains("WFM_WIZARD_HTTP_TIMEOUT"));
}

/// A provider whose stores cannot be opened.
struct Unreachable;

impl StoreProvider for Unreachable {
    fn resolve(&self) -> Result<StoreInfo, String> {
        Err("no store".into())
    }

    fn open(&self, kind: StoreKind) -> Result<Arc<dyn SecretStore>, StoreError> {
        Err(StoreError::other(kind, "the keyring is locked"))
    }
}

#[test]
fn a_stored_secret_gone_or_unreadable_is_an_answer_on_its_field() {
    let tests = ConnectionTests::new(Ok(Arc::new(crate::io::connection::FixedTester(
        Verdict::new(),
    ))));
    let never = AtomicBool::new(false);
    let gone = tests.run(
        &inputs(stored("ns/none")),
        &MemoryStores::new(StoreKind::Keyutils),
        &never,
        &mut |_| {},
    );
    assert_eq!(
        gone,
        Err(NotTested::SecretMissing {
            field: "client_secret".into()
        })
    );
    let locked = tests.run(&inputs(stored("ns/x")), &Unreachable, &never, &mut |_| {});
    assert!(
        matches!(&locked, Err(NotTested::SecretUnreadable { field, why })
            if field == "client_secret" && why.contains("locked")),
        "{locked:?}"
    );
}
