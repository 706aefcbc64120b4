//! Test connection from the form and from Review (issue 13): the state of each test,
//! the effects that start and cancel one, and what each face shows of it.
//!
//! A test belongs to one form and to the credentials it was run with: its result is
//! kept while the operator moves between the form and Review, and is dropped as stale
//! once the client ID, client secret or JWT changes. A changed Sub account ID is
//! checked again against the sub-account list the test read, without the network.

mod picker;
mod view;

use std::hash::{DefaultHasher, Hash, Hasher};

use secrecy::SecretString;

pub use view::{StageMark, TestReport};

use super::{Effect, FieldState, Level, Notice, Wizard};
use crate::connection_verdict::{Progress, Stage, Verdict, WaitReason};
use crate::secret::SecretRef;

/// The catalog keys a connection test reads; a form with all four can be tested.
pub const CLIENT_ID: &str = "client_id";
pub const CLIENT_SECRET: &str = "client_secret";
pub const JWT: &str = "jwt";
pub const SUB_ACCOUNT_ID: &str = "sub_account_id";
const TESTED_FIELDS: [&str; 4] = [CLIENT_ID, CLIENT_SECRET, JWT, SUB_ACCOUNT_ID];

/// One test run; a late answer for a run that is no longer current is ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TestId(pub u64);

/// A secret for a test: typed in this session, or a stored entry the runner reads.
#[derive(Debug)]
pub enum SecretSource {
    Typed(SecretString),
    Stored(SecretRef),
}

/// What the runner needs for one test.
#[derive(Debug)]
pub struct TestInputs {
    pub client_id: String,
    pub client_secret: SecretSource,
    pub jwt: SecretSource,
    pub sub_account_id: String,
}

/// Why a test could not run at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotTested {
    /// A setting from the environment is unusable (says which variable to fix).
    Settings(String),
    /// The stored secret of `field` (a catalog key) is not in its store.
    SecretMissing { field: String },
    /// The store holding `field` could not be read.
    SecretUnreadable { field: String, why: String },
}

impl NotTested {
    /// The field to point at, by catalog key.
    pub fn field(&self) -> Option<&str> {
        match self {
            NotTested::Settings(_) => None,
            NotTested::SecretMissing { field } | NotTested::SecretUnreadable { field, .. } => {
                Some(field)
            }
        }
    }
}

impl std::fmt::Display for NotTested {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotTested::Settings(why) => write!(f, "not tested: {why}; fix it and start again"),
            NotTested::SecretMissing { .. } => {
                f.write_str("not tested: the stored secret is gone from its store; type it again")
            }
            NotTested::SecretUnreadable { why, .. } => {
                write!(f, "not tested: the stored secret cannot be read: {why}")
            }
        }
    }
}

/// Where a test is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TestState {
    Running {
        passed: Vec<(Stage, bool)>,
        current: Option<Stage>,
        /// Seconds left of a wait, and why.
        waiting: Option<(u64, WaitReason)>,
    },
    Done(Verdict),
    NotTested(NotTested),
    Cancelled,
}

#[derive(Clone, Debug)]
struct Run {
    id: TestId,
    form: usize,
    /// A hash of the client ID, secret and JWT (or their stored entries) tested.
    credentials: u64,
    /// The Sub account ID tested: another one is checked against the list read.
    sub_account: String,
    state: TestState,
}

/// Every test of the session, and Review's queue.
#[derive(Debug, Default)]
pub struct ConnectionTests {
    runs: Vec<Run>,
    next_id: u64,
    /// Forms Review's test-all has still to start, in order.
    queue: Vec<usize>,
    /// The picker's highlighted row, and whether the operator closed it.
    picker_row: usize,
    picker_closed: bool,
    /// Review's "failed its connection test: save anyway?" was asked.
    save_asked: bool,
}

impl Wizard {
    /// Whether the form at `draft` has the fields a connection test reads.
    pub fn testable(&self, draft: usize) -> bool {
        let defs = self.form_fields(draft);
        TESTED_FIELDS
            .iter()
            .all(|key| defs.iter().any(|d| d.key == *key))
    }

    /// Whether the test key acts on the form at `draft`: it has a connection test, its
    /// client ID, secret and JWT are there, and no test of it runs.
    pub fn test_ready(&self, draft: usize) -> bool {
        self.testable(draft)
            && !self.text_of(draft, CLIENT_ID).is_empty()
            && self.secret_of(draft, CLIENT_SECRET).is_some()
            && self.secret_of(draft, JWT).is_some()
            && !self.test_running(draft)
    }

    fn field_index(&self, draft: usize, key: &str) -> Option<usize> {
        self.form_fields(draft).iter().position(|d| d.key == key)
    }

    fn text_of(&self, draft: usize, key: &str) -> String {
        match self
            .field_index(draft, key)
            .map(|i| &self.forms[draft].fields[i])
        {
            Some(FieldState::Text(input)) => input.value().trim().to_owned(),
            _ => String::new(),
        }
    }

    fn secret_of(&self, draft: usize, key: &str) -> Option<SecretSource> {
        match self
            .field_index(draft, key)
            .map(|i| &self.forms[draft].fields[i])
        {
            Some(FieldState::Secret(secret)) if !secret.typed.is_empty() => {
                Some(SecretSource::Typed(secret.typed.to_secret()))
            }
            Some(FieldState::Secret(secret)) if !secret.vanished => {
                secret.stored.clone().map(SecretSource::Stored)
            }
            _ => None,
        }
    }

    /// A hash of what the test of `draft` depends on besides the Sub account ID. Only
    /// compared in memory, never shown or kept.
    fn credentials_hash(&self, draft: usize) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.forms[draft].platform.hash(&mut hasher);
        self.text_of(draft, CLIENT_ID).hash(&mut hasher);
        for key in [CLIENT_SECRET, JWT] {
            match self
                .field_index(draft, key)
                .map(|i| &self.forms[draft].fields[i])
            {
                Some(FieldState::Secret(secret)) if !secret.typed.is_empty() => {
                    secret.typed.expose().hash(&mut hasher);
                }
                Some(FieldState::Secret(secret)) => {
                    secret.stored.as_ref().map(|r| &r.user).hash(&mut hasher);
                }
                _ => {}
            }
        }
        hasher.finish()
    }

    /// The test of `draft` that still applies to its credentials, if any.
    pub fn connection_test(&self, draft: usize) -> Option<&TestState> {
        self.current_run(draft).map(|r| &r.state)
    }

    fn current_run(&self, draft: usize) -> Option<&Run> {
        // Hashing the credentials is the cost: Review asks for each of 10,000 forms,
        // most never tested.
        if !self.tests.runs.iter().any(|r| r.form == draft) {
            return None;
        }
        let credentials = self.credentials_hash(draft);
        self.tests
            .runs
            .iter()
            .find(|r| r.form == draft && r.credentials == credentials)
    }

    /// The form test `id` belongs to, while it is that form's latest.
    pub fn test_form(&self, id: TestId) -> Option<usize> {
        self.tests.runs.iter().find(|r| r.id == id).map(|r| r.form)
    }

    /// Whether a test of `draft` runs now.
    pub fn test_running(&self, draft: usize) -> bool {
        matches!(self.connection_test(draft), Some(TestState::Running { .. }))
    }

    /// Starts a test of `draft` (replacing any earlier one).
    pub(super) fn start_test(&mut self, draft: usize) -> Vec<Effect> {
        if !self.testable(draft) {
            return Vec::new();
        }
        let mut effects = self.cancel_test(draft);
        let missing: Vec<String> = [CLIENT_ID, CLIENT_SECRET, JWT]
            .into_iter()
            .filter(|key| match *key {
                CLIENT_ID => self.text_of(draft, key).is_empty(),
                _ => self.secret_of(draft, key).is_none(),
            })
            .filter_map(|key| {
                self.field_index(draft, key)
                    .map(|i| self.form_fields(draft)[i].label.clone())
            })
            .collect();
        if let (false, Some(client_secret), Some(jwt)) = (
            !missing.is_empty(),
            self.secret_of(draft, CLIENT_SECRET),
            self.secret_of(draft, JWT),
        ) {
            let id = TestId(self.tests.next_id);
            self.tests.next_id += 1;
            let credentials = self.credentials_hash(draft);
            self.tests.runs.retain(|r| r.form != draft);
            self.tests.runs.push(Run {
                id,
                form: draft,
                credentials,
                sub_account: self.text_of(draft, SUB_ACCOUNT_ID),
                state: TestState::Running {
                    passed: Vec::new(),
                    current: None,
                    waiting: None,
                },
            });
            self.tests.picker_closed = false;
            self.tests.picker_row = 0;
            self.tests.save_asked = false;
            effects.push(Effect::TestConnection {
                id,
                inputs: TestInputs {
                    client_id: self.text_of(draft, CLIENT_ID),
                    client_secret,
                    jwt,
                    sub_account_id: self.text_of(draft, SUB_ACCOUNT_ID),
                },
            });
        } else {
            self.notice = Some(Notice {
                level: Level::Error,
                text: format!(
                    "Not tested: {} of {} is empty.",
                    missing.join(", "),
                    self.draft_name(draft)
                ),
            });
        }
        effects
    }

    /// Cancels the running test of `draft`, if any.
    pub(super) fn cancel_test(&mut self, draft: usize) -> Vec<Effect> {
        let mut effects = Vec::new();
        for run in self.tests.runs.iter_mut().filter(|r| r.form == draft) {
            if matches!(run.state, TestState::Running { .. }) {
                run.state = TestState::Cancelled;
                effects.push(Effect::CancelTest { id: run.id });
            }
        }
        if !effects.is_empty() {
            self.tests.queue.clear();
        }
        effects
    }

    /// A connection test's progress or end.
    pub(super) fn test_message(&mut self, msg: super::Msg) -> Vec<Effect> {
        match msg {
            super::Msg::TestProgress { id, progress } => {
                self.test_progress(id, progress);
                Vec::new()
            }
            super::Msg::TestDone { id, result } => self.test_done(id, result),
            _ => Vec::new(),
        }
    }

    #[allow(clippy::needless_pass_by_value)] // moved from the message that carried it
    fn test_progress(&mut self, id: TestId, progress: Progress) {
        let Some(run) = self.tests.runs.iter_mut().find(|r| r.id == id) else {
            return; // a superseded run
        };
        let TestState::Running {
            passed,
            current,
            waiting,
        } = &mut run.state
        else {
            return; // cancelled meanwhile
        };
        match progress {
            Progress::Started(stage) => {
                *current = Some(stage);
                *waiting = None;
            }
            Progress::Passed { stage, reused } => {
                passed.push((stage, reused));
                *current = None;
                *waiting = None;
            }
            Progress::Waiting {
                stage,
                seconds_remaining,
                why,
            } => {
                *current = Some(stage);
                *waiting = Some((seconds_remaining, why));
            }
        }
    }

    fn test_done(&mut self, id: TestId, result: Result<Verdict, NotTested>) -> Vec<Effect> {
        let Some(run) = self.tests.runs.iter_mut().find(|r| r.id == id) else {
            return Vec::new();
        };
        if !matches!(run.state, TestState::Running { .. }) {
            return Vec::new(); // cancelled: its late answer is not shown
        }
        run.state = match result {
            Ok(verdict) => TestState::Done(verdict),
            Err(why) => TestState::NotTested(why),
        };
        self.tests.picker_closed = false;
        self.tests.picker_row = 0;
        self.next_queued_test()
    }

    /// Review's test-all: one integration at a time (RingCentral allows 5 sign-ins a
    /// minute; the tester waits when a test would go past that).
    ///
    /// Integrations whose client ID, secret or JWT is empty or gone are not queued;
    /// one notice says how many (at 10,000 integrations whose secrets the store lost,
    /// trying each in turn cost the key ~100 ms).
    pub(super) fn test_all(&mut self) -> Vec<Effect> {
        // Where each operation's form keeps the tested fields, looked up once per
        // operation rather than once per integration.
        let mut positions: Vec<(&str, &str, Option<[usize; 4]>)> = Vec::new();
        let mut ready = Vec::new();
        let mut lacking = Vec::new();
        for (index, form) in self.forms.iter().enumerate() {
            let at = positions
                .iter()
                .position(|(p, o, _)| *p == form.platform && *o == form.operation)
                .unwrap_or_else(|| {
                    let defs = self.form_fields(index);
                    let found = TESTED_FIELDS.map(|key| defs.iter().position(|d| d.key == key));
                    let all = found
                        .iter()
                        .all(Option::is_some)
                        .then(|| found.map(Option::unwrap_or_default));
                    positions.push((&form.platform, &form.operation, all));
                    positions.len() - 1
                });
            let Some(fields) = positions[at].2 else {
                continue; // no connection test for this operation
            };
            if credentials_present(form, fields) {
                ready.push(index);
            } else {
                lacking.push(index);
            }
        }
        if ready.is_empty() && lacking.is_empty() {
            self.notice = Some(Notice {
                level: Level::Info,
                text: "No integration here has a connection test.".into(),
            });
            return Vec::new();
        }
        self.tests.queue = ready.into_iter().rev().collect();
        let effects = self.next_queued_test();
        if let Some(&first) = lacking.first() {
            self.notice = Some(Notice {
                level: Level::Error,
                text: format!(
                    "{} integration(s) not tested: a client ID, client secret or JWT is \
                     empty or gone from its store (the first: {}).",
                    lacking.len(),
                    self.draft_name(first)
                ),
            });
        }
        effects
    }

    fn next_queued_test(&mut self) -> Vec<Effect> {
        while let Some(draft) = self.tests.queue.pop() {
            if draft < self.forms.len() {
                let effects = self.start_test(draft);
                if self.test_running(draft) {
                    return effects;
                }
            }
        }
        Vec::new()
    }

    /// The forms whose latest test failed (or could not run), for Save's question.
    pub fn failed_tests(&self) -> Vec<usize> {
        (0..self.forms.len())
            .filter(|&i| match self.connection_test(i) {
                Some(TestState::NotTested(_)) => true,
                Some(TestState::Done(_)) => {
                    self.test_report(i).is_some_and(|r| r.failure.is_some())
                }
                _ => false,
            })
            .collect()
    }

    /// Ctrl-S on Review: `true` when saving may go on; else asks once.
    pub(super) fn save_despite_failed_tests(&mut self) -> bool {
        let failed = self.failed_tests();
        if failed.is_empty() || self.tests.save_asked {
            return true;
        }
        self.tests.save_asked = true;
        let names: Vec<String> = failed.iter().map(|&i| self.draft_name(i)).collect();
        self.notice = Some(Notice {
            level: Level::Error,
            text: format!(
                "{} failed its connection test: save anyway? ⟦Save⟧ again saves.",
                names.join(", ")
            ),
        });
        false
    }

    /// The form's own test keys, and Esc while a test runs (it cancels the test and
    /// stays in the form). `None`: the form handles the action.
    pub(super) fn form_test_action(
        &mut self,
        draft: usize,
        action: super::Action,
    ) -> Option<Vec<Effect>> {
        use super::Action;
        match action {
            Action::TestConnection => Some(self.start_test(draft)),
            Action::CancelTest => Some(self.cancel_test(draft)),
            Action::Back if self.test_running(draft) => Some(self.cancel_test(draft)),
            Action::PickNext | Action::PickPrev | Action::Pick | Action::ClosePicker => {
                self.picker_action(action);
                Some(Vec::new())
            }
            Action::Next
            | Action::Prev
            | Action::First
            | Action::Last
            | Action::PageUp
            | Action::PageDown
            | Action::Enter => {
                // A picker closed with Esc opens again on the next visit.
                self.tests.picker_closed = false;
                None
            }
            _ => None,
        }
    }
}

/// Whether the client ID, secret and JWT of `form` are there to test with; `fields`:
/// where its form keeps [`TESTED_FIELDS`].
fn credentials_present(form: &super::IntegrationForm, fields: [usize; 4]) -> bool {
    TESTED_FIELDS
        .iter()
        .zip(fields)
        .all(|(key, index)| match &form.fields[index] {
            FieldState::Text(input) => *key == SUB_ACCOUNT_ID || !input.value().trim().is_empty(),
            FieldState::Secret(secret) => {
                !secret.typed.is_empty() || (secret.stored.is_some() && !secret.vanished)
            }
            FieldState::Toggle(_) => true,
        })
}

#[cfg(test)]
pub(crate) mod tests;
