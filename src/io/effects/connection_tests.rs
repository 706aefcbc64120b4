//! Connection tests for the wizard: one tester per process, each test on its own
//! thread with a cancel flag kept by test id, progress sent back as messages.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use secrecy::SecretString;

use super::StoreProvider;
use crate::connection_verdict::{Progress, Verdict};
use crate::io::connection::{ConnectionTester, HttpTester, Settings, TestRequest};
use crate::wizard::connection_test::{
    CLIENT_SECRET, JWT, NotTested, SecretSource, TestId, TestInputs,
};

/// The process's tester, or why none could be built (a setting to fix, in words).
pub type Tester = Result<Arc<dyn ConnectionTester>, String>;

/// The real tester from the environment (`Settings::from_env`); an unusable setting
/// becomes every test's answer, saying which variable to fix.
pub fn tester_from_env() -> Tester {
    Settings::from_env()
        .map(|settings| Arc::new(HttpTester::new(settings)) as Arc<dyn ConnectionTester>)
        .map_err(|e| e.to_string())
}

/// What a runner needs for connection tests: the tester and the running tests' flags.
#[derive(Clone)]
pub struct ConnectionTests {
    tester: Tester,
    cancels: Arc<Mutex<HashMap<TestId, Arc<AtomicBool>>>>,
}

impl ConnectionTests {
    pub fn new(tester: Tester) -> ConnectionTests {
        ConnectionTests {
            tester,
            cancels: Arc::default(),
        }
    }

    /// Starts test `id` on its own thread; `reply` hears its progress and its end.
    pub fn start(
        &self,
        id: TestId,
        inputs: TestInputs,
        stores: Arc<dyn StoreProvider>,
        reply: Arc<dyn Fn(crate::wizard::Msg) + Send + Sync>,
    ) {
        let flag = Arc::new(AtomicBool::new(false));
        self.cancels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, Arc::clone(&flag));
        let tests = self.clone();
        std::thread::spawn(move || {
            let progress_reply = Arc::clone(&reply);
            let result = tests.run(&inputs, stores.as_ref(), &flag, &mut |progress| {
                progress_reply(crate::wizard::Msg::TestProgress { id, progress });
            });
            tests
                .cancels
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&id);
            reply(crate::wizard::Msg::TestDone { id, result });
        });
    }

    /// Asks test `id` to stop (it answers soon after, and the wizard ignores that).
    pub fn cancel(&self, id: TestId) {
        if let Some(flag) = self
            .cancels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
        {
            flag.store(true, Ordering::Relaxed);
        }
    }

    /// Runs one test where it is called (blocking).
    pub fn run(
        &self,
        inputs: &TestInputs,
        stores: &dyn StoreProvider,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Verdict, NotTested> {
        let tester = self
            .tester
            .as_ref()
            .map_err(|why| NotTested::Settings(why.clone()))?;
        let request = TestRequest {
            client_id: inputs.client_id.clone(),
            client_secret: read(&inputs.client_secret, CLIENT_SECRET, stores)?,
            jwt: read(&inputs.jwt, JWT, stores)?,
            sub_account_id: inputs.sub_account_id.clone(),
        };
        Ok(tester.test(&request, cancel, progress))
    }
}

/// A secret for the test: typed, or read from its store the way `wfm-wizard test`
/// reads it; a store that cannot answer is the test's answer on that field.
fn read(
    source: &SecretSource,
    field: &str,
    stores: &dyn StoreProvider,
) -> Result<SecretString, NotTested> {
    let reference = match source {
        SecretSource::Typed(value) => return Ok(value.clone()),
        SecretSource::Stored(reference) => reference,
    };
    match stores
        .open(reference.store)
        .and_then(|store| store.get(&reference.user))
    {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Err(NotTested::SecretMissing {
            field: field.to_owned(),
        }),
        Err(e) => Err(NotTested::SecretUnreadable {
            field: field.to_owned(),
            why: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests;
