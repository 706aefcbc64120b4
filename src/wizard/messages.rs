//! What goes into the state machine (`Msg`, `Action`) and what comes out (`Effect`),
//! with the values they carry across the io boundary.

use secrecy::SecretString;
use tui_input::InputRequest;

use super::{DraftPlan, LoadedSecrets, SavePlan, StoredCheck};
use crate::config::Document;
use crate::config::draft::Snapshot;
use crate::secret::{SecretRef, StoreKind, StoreReason};

/// What the operator asked for, independent of which key said it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Next,
    Prev,
    Enter,
    Back,
    Toggle,
    Reveal,
    /// Empty the focused field.
    Clear,
    Help,
    Save,
    Quit,
    Yes,
    /// Quit without saving but keep the draft for the next start.
    Keep,
    No,
    Delete,
    PageUp,
    PageDown,
    First,
    Last,
    /// Check the secret store again (after the operator fixed it).
    Retry,
    /// On Done: write this session's answers file beside the config.
    WriteAnswers,
    /// On a new integration's form: fill it from an existing one of its platform.
    FillFrom,
    /// Test the connection: the form's integration, or on Review every one.
    TestConnection,
    /// Stop the form's running connection test.
    CancelTest,
    /// The sub-account picker: move, take the highlighted one, close it.
    PickNext,
    PickPrev,
    Pick,
    ClosePicker,
}

/// Everything that can change the wizard.
#[derive(Debug)]
pub enum Msg {
    Act(Action),
    Edit(InputRequest),
    /// Selects row `n` (from 0) of the list on screen (Platform, an operation's
    /// list), as a click or a typed number does; past the end, the last row.
    SelectRow(usize),
    /// A bracketed paste, whole, as the terminal delivered it.
    Paste(SecretString),
    StoreResolved(Result<StoreInfo, String>),
    SaveDone(Result<SaveReport, SaveFailure>),
    /// A signal ends the session: keep a draft of unsaved work, then stop.
    Interrupted(Interrupt),
    /// A draft was written (or discarded); `Ok` lists the typed secrets it could not
    /// keep (the rest of the draft is saved).
    DraftSaved(Result<Vec<NotKept>, String>),
    /// The background check of the secrets the loaded file refers to.
    StoredSecretsChecked(StoredCheck),
    DraftSecretsLoaded(Result<LoadedSecrets, String>),
    Reloaded(Result<Reloaded, String>),
    /// How many orphan draft entries were removed at start.
    DraftEntriesCleaned(Result<usize, String>),
    /// What the program found before the first frame (one message per fact).
    Startup(Startup),
    /// A moment worth a draft (plain mode sends it after every answered field: a
    /// hangup ends it at once, with no last draft): drafts unsaved work, if any.
    Checkpoint,
    /// How far Review can scroll on the screen as drawn (the loop measures it), so
    /// End and Page Down stop at the last line and Up moves at once from there.
    ReviewLimit(usize),
    /// The same for the help overlay: how far its text can scroll as drawn.
    HelpLimit(usize),
    /// The answers file was written (where, which env vars) or why not.
    AnswersWritten(Result<super::AnswersWritten, String>),
    /// A connection test moved on (a stage started, passed, or a second of a wait).
    TestProgress {
        id: super::connection_test::TestId,
        progress: crate::connection_verdict::Progress,
    },
    /// A connection test ended: its verdict, or why it could not run.
    TestDone {
        id: super::connection_test::TestId,
        result: Result<crate::connection_verdict::Verdict, super::connection_test::NotTested>,
    },
    /// The file read after the first frame (`Effect::LoadConfig`), or why it cannot be
    /// edited (the refusal an inline load prints).
    ConfigLoaded(Result<Box<super::LoadedConfig>, String>),
}

/// What the program learnt about the session before it started.
#[derive(Debug)]
pub enum Startup {
    /// Over SSH and outside tmux/screen (see `link_can_drop`): a dropped link ends the
    /// wizard, worth saying on the first screen.
    LinkCanDrop,
    /// Another wizard edits the file (who, in words): this one only looks.
    ReadOnly(String),
    /// How many secrets of the file sit in the kernel keyring where systemd
    /// credentials would keep them across reboots (0: nothing to offer).
    KernelSecretsToKeep(usize),
    /// A draft from an earlier session: the first screen offers to resume or discard it.
    DraftFound(Snapshot),
    /// A draft file that cannot be read (why): say so, and leave it alone.
    DraftUnreadable(String),
}

/// Why the session is ending from outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interrupt {
    /// SIGHUP, or the terminal stopped delivering input: nothing more can be shown.
    HangUp,
    /// SIGTERM, SIGINT or SIGQUIT, with the signal number.
    Signal(u8),
}

/// Work for the outside world; the loop carries it out and answers with a `Msg`.
#[derive(Debug)]
pub enum Effect {
    /// Reads and checks the config file (against `catalog`, JWT expiry at `now`), with
    /// its namespace and any draft beside it: answered by `Msg::ConfigLoaded`.
    LoadConfig {
        catalog: std::sync::Arc<crate::catalog::Catalog>,
        now: i64,
        /// Another wizard holds the file: no draft or migration is looked up.
        read_only: bool,
    },
    ResolveStore,
    Save(SavePlan),
    SaveDraft(DraftPlan),
    /// Removes the draft file and these draft entries.
    DiscardDraft {
        generation: u64,
        entries: Vec<SecretRef>,
    },
    /// Reads back the secrets a resumed draft parked in draft entries.
    LoadDraftSecrets(Vec<SecretRef>),
    /// Looks up each entry the loaded file refers to (never reading a value into the
    /// wizard): a gone one must be typed again before saving.
    CheckStoredSecrets(Vec<SecretRef>),
    /// Reads the config file again (it was changed on disk by someone else).
    Reload,
    /// Removes draft entries of these namespaces in the store that no draft file names
    /// (left by a session that died).
    CleanDraftEntries {
        namespaces: Vec<String>,
        kind: StoreKind,
    },
    /// Writes an answers file (mode 0600; its secrets are `{env: ...}` names only).
    WriteAnswers {
        path: String,
        answers: crate::answers::Answers,
    },
    /// Tests a connection; answers with `Msg::TestProgress`es, then one `Msg::TestDone`.
    TestConnection {
        id: super::connection_test::TestId,
        inputs: super::connection_test::TestInputs,
    },
    /// Stops a running test (its `TestDone` still comes, and is ignored).
    CancelTest {
        id: super::connection_test::TestId,
    },
}

/// Carries out effects (the loop gives it each one `update` returns). `None`: the
/// answer arrives later as a message; `Some`: here it is. Implemented under `io/`.
pub trait EffectRunner {
    fn run(&mut self, effect: Effect) -> Option<Msg>;
}

/// The config file as read again: its document (`None`: it is gone) and text hash.
#[derive(Clone, Debug, PartialEq)]
pub struct Reloaded {
    pub document: Option<Document>,
    pub text: Option<String>,
    pub hash: Option<String>,
}

/// The secret store the session will write to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreInfo {
    pub kind: StoreKind,
    /// Why the Secret Service was not used, when `auto` fell back.
    pub note: Option<StoreReason>,
    /// Why systemd credentials were not used, when `auto` ran as root and fell back.
    pub systemd_creds_skipped: Option<String>,
}

/// A typed secret a draft could not park in its draft entry, and why (in words).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotKept {
    pub entry: SecretRef,
    pub why: String,
}

/// Why a save did not happen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveFailure {
    /// The file on disk is not the one this session loaded (an editor, Ansible, a
    /// restore changed it): nothing was written.
    FileChanged,
    /// Anything else, in the operator's words.
    Failed(String),
}

impl std::fmt::Display for SaveFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SaveFailure::FileChanged => {
                f.write_str("the file was changed on disk since it was loaded; nothing was written")
            }
            SaveFailure::Failed(why) => f.write_str(why),
        }
    }
}

impl From<&str> for SaveFailure {
    fn from(text: &str) -> SaveFailure {
        SaveFailure::Failed(text.to_owned())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaveReport {
    pub integrations: usize,
    pub secrets_written: usize,
    /// Things that went wrong after the file was written (e.g. an old entry not removed).
    pub warnings: Vec<String>,
}
