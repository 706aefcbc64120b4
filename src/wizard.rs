//! The pure state machine: `update(Msg) -> Vec<Effect>`. No I/O happens here.

mod changes;
mod draft;
mod form;
pub mod lists;
mod migration_offer;
mod resume;
pub mod review_text;
mod save_plan;
mod saving;
mod secret_limits;
mod secret_text;
mod store_gate;
mod stored_check;

use std::sync::Arc;

use secrecy::SecretString;
pub use tui_input::InputRequest;

pub use changes::Loaded;
pub use draft::{Draft, FieldState, SecretField};
pub use resume::{
    DRAFT_VERSION, DraftField, DraftIntegration, DraftPlan, LoadedSecrets, Position, SSH_HINT,
    Snapshot, link_can_drop,
};
pub use save_plan::{SavePlan, SecretCopy, SecretWrite};
pub use secret_limits::too_long_for;
pub use secret_text::SecretText;
pub use store_gate::{StoreExplanation, explain_store};
pub use stored_check::StoredCheck;

use crate::catalog::{Catalog, FieldDef, Operation, Platform};
use crate::config::{Document, Integration};
use crate::identity::Identity;
use crate::secret::{SecretRef, StoreKind, StoreReason};
use crate::validate::document::GroupIndex;

/// The namespace of a wizard built without an identity (tests, views): the binary
/// always gives one (`Wizard::with_identity`).
pub const UNASSIGNED_NAMESPACE: &str = "000000000000";

/// What the operator asked for, independent of which key said it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Next,
    Prev,
    Enter,
    Back,
    Toggle,
    Reveal,
    Help,
    Save,
    Quit,
    Yes,
    No,
    Delete,
    PageUp,
    PageDown,
    First,
    Last,
    /// Check the secret store again (after the operator fixed it).
    Retry,
}

/// Everything that can change the wizard.
#[derive(Debug)]
pub enum Msg {
    Act(Action),
    Edit(InputRequest),
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
    /// How far Review can scroll on the screen as drawn (the loop measures it), so
    /// End and Page Down stop at the last line and Up moves at once from there.
    ReviewLimit(usize),
    /// The same for the help overlay: how far its text can scroll as drawn.
    HelpLimit(usize),
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreStatus {
    Resolving,
    Ready(StoreInfo),
    Unavailable(String),
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Platform {
        selected: usize,
    },
    Operation {
        op: usize,
        selected: usize,
    },
    Form {
        draft: usize,
        focus: usize,
        revealed: bool,
    },
    /// Where secrets will go, shown before the form of `draft` (see `store_gate`).
    StoreGate {
        draft: usize,
    },
    Review {
        scroll: usize,
    },
    Saving,
    SaveFailed {
        reason: String,
        /// The file changed on disk: Enter reloads it instead of trying again.
        reload: bool,
    },
    Done(SaveReport),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    Help { title: String, text: String },
    ConfirmQuit,
    ConfirmDelete { draft: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub level: Level,
    pub text: String,
}

/// How the session ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Saved(SaveReport),
    Cancelled,
    Interrupted(Interrupt),
}

pub struct Wizard {
    pub catalog: Arc<Catalog>,
    /// Seconds since the epoch, fixed at start (for JWT expiry).
    pub now: i64,
    pub config_path: String,
    /// The namespace this session's entries go under, and the path recorded at save.
    pub identity: Identity,
    /// The save counter of the file as loaded (0: no file, or a version-1 file).
    pub loaded_revision: u64,
    /// SHA-256 of the file's text as loaded (`None`: there was none): a save finds out
    /// whether someone else changed the file meanwhile.
    pub loaded_hash: Option<String>,
    /// Another wizard edits the file (who, in words): this one only looks.
    pub read_only: Option<String>,
    /// Comments the operator was told the save drops (a second save confirms).
    comments_to_drop: Vec<crate::config::comments::LostComment>,
    pub platform: usize,
    pub drafts: Vec<Draft>,
    /// Integrations loaded from the file and deleted in this session.
    pub removed: Vec<Integration>,
    pub confirmed: Vec<String>,
    pub step: Step,
    pub overlay: Option<Overlay>,
    pub store: StoreStatus,
    /// The operator has seen (and, for a store lost at reboot, accepted) where secrets go.
    pub store_acknowledged: bool,
    pub notice: Option<Notice>,
    pub dirty: bool,
    pub outcome: Option<Outcome>,
    /// A draft from an earlier session, until the operator resumes or discards it.
    pub resume_offer: Option<Snapshot>,
    /// Draft keyring entries that hold typed secrets now (deleted on save or discard).
    pub draft_entries: Vec<SecretRef>,
    pub draft_generation: u64,
    /// The last draft left typed secrets out (no store yet): the next one catches up.
    secrets_left_out: bool,
    /// (integration, field, draft entry) of secrets being read back after a resume.
    restoring: Vec<(usize, usize, SecretRef)>,
    /// Who uses which group, built on first need after each update: the views check
    /// every visible row's group, Review every draft's, and comparing each with all
    /// the others made 1,000 integrations cost 40 ms a frame.
    group_index: std::cell::OnceCell<GroupIndex>,
    /// The furthest Review can scroll, as last measured on screen (unbounded until then).
    pub review_limit: usize,
    /// How far the open help is scrolled, and how far it can be (as last measured).
    help_scroll: usize,
    help_limit: usize,
    /// The file as it was loaded, for Review's changes (read only).
    pub loaded: Loaded,
    /// Stored references whose entry the background check found gone.
    vanished: Vec<SecretRef>,
    /// The field each draft entry of the last draft parks, in words (to say which
    /// secret a draft could not keep).
    parked: Vec<(SecretRef, String)>,
}

impl Wizard {
    /// A wizard over `catalog`, editing `document` when a file exists.
    pub fn new(
        catalog: Arc<Catalog>,
        document: Option<&Document>,
        config_path: &str,
        now: i64,
    ) -> Wizard {
        let mut drafts = Vec::new();
        let mut platform = 0;
        if let Some(document) = document {
            for integration in &document.integrations {
                let Some((p, o)) = catalog
                    .platform(&integration.platform)
                    .and_then(|p| p.operation(&integration.operation).map(|o| (p, o)))
                else {
                    continue; // loading refuses such files; nothing to edit here
                };
                drafts.push(Draft::from_integration(p, o, integration));
            }
            if let Some(first) = document.integrations.first() {
                platform = catalog
                    .platforms
                    .iter()
                    .position(|p| p.id == first.platform)
                    .unwrap_or(0);
            }
        }
        let identity = Identity::fixed(
            document
                .and_then(|d| d.namespace.as_deref())
                .unwrap_or(UNASSIGNED_NAMESPACE),
            config_path,
        );
        Wizard {
            catalog,
            now,
            config_path: config_path.to_owned(),
            identity,
            loaded_revision: document.map_or(0, |d| d.revision),
            loaded_hash: None,
            read_only: None,
            comments_to_drop: Vec::new(),
            platform,
            drafts,
            removed: Vec::new(),
            confirmed: document.map(|d| d.confirmed.clone()).unwrap_or_default(),
            step: Step::Platform { selected: platform },
            overlay: None,
            store: StoreStatus::Resolving,
            store_acknowledged: false,
            notice: None,
            dirty: false,
            outcome: None,
            resume_offer: None,
            draft_entries: Vec::new(),
            draft_generation: 0,
            secrets_left_out: false,
            restoring: Vec::new(),
            group_index: std::cell::OnceCell::new(),
            review_limit: usize::MAX,
            help_scroll: 0,
            help_limit: usize::MAX,
            loaded: Loaded::new(document),
            vanished: Vec::new(),
            parked: Vec::new(),
        }
    }

    /// The same wizard writing under `identity` (decided by the caller, who looked at
    /// the disk: see `io::namespace::identify`).
    #[must_use]
    pub fn with_identity(mut self, identity: Identity) -> Wizard {
        self.identity = identity;
        self
    }

    /// The same wizard, told the file text it was built from (`None`: no file): a save
    /// refuses to overwrite another text and keeps this one's comments.
    #[must_use]
    pub fn with_loaded_text(mut self, text: Option<String>) -> Wizard {
        self.loaded_hash = text.as_deref().map(crate::config::text_hash);
        self.loaded.text = text;
        self
    }

    /// Look, never write: another wizard holds the file (`who` says who). No draft is
    /// written or offered (the draft is the other session's), and Ctrl-S refuses.
    pub fn read_only(&mut self, who: &str) {
        self.read_only = Some(who.to_owned());
        self.notice = Some(Notice {
            level: Level::Info,
            text: format!("Read-only: {who}. Nothing you change here can be saved."),
        });
    }

    /// The last save found the file changed on disk: Enter reloads instead of retrying.
    pub fn file_changed(&self) -> bool {
        matches!(self.step, Step::SaveFailed { reload: true, .. })
    }

    /// Effects to run once the first frame is on screen.
    pub fn start(&self) -> Vec<Effect> {
        let mut effects = vec![Effect::ResolveStore];
        effects.extend(self.check_stored_secrets());
        effects
    }

    /// Once the store is known: tidy the draft entries a dead session left there.
    fn clean_draft_entries(&self) -> Option<Effect> {
        let StoreStatus::Ready(info) = &self.store else {
            return None;
        };
        if self.read_only.is_some() {
            return None;
        }
        let mut namespaces = vec![self.identity.namespace.clone()];
        namespaces.extend(
            self.resume_offer
                .as_ref()
                .and_then(|s| s.namespace.clone())
                .filter(|n| *n != self.identity.namespace),
        );
        Some(Effect::CleanDraftEntries {
            namespaces,
            kind: info.kind,
        })
    }

    pub fn current_platform(&self) -> &Platform {
        &self.catalog.platforms[self.platform]
    }

    pub fn operation(&self, op: usize) -> &Operation {
        &self.current_platform().operations[op]
    }

    /// The form fields of a draft, in order.
    pub fn draft_fields(&self, draft: usize) -> Vec<&FieldDef> {
        let d = &self.drafts[draft];
        self.catalog
            .platform(&d.platform)
            .and_then(|p| {
                p.operation(&d.operation)
                    .map(|o| p.form_fields(o).collect())
            })
            .unwrap_or_default()
    }

    /// The one place state changes.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        self.group_index.take();
        self.loaded.forget_changes();
        let before = self.checkpoint();
        let mut effects = self.handle(msg);
        effects.extend(self.draft_after(&before));
        if self.read_only.is_some() {
            effects.retain(|e| {
                !matches!(
                    e,
                    Effect::Save(_) | Effect::SaveDraft(_) | Effect::DiscardDraft { .. }
                )
            });
        }
        effects
    }

    fn handle(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::StoreResolved(result) => {
                let first = matches!(self.store, StoreStatus::Resolving);
                self.store = match result {
                    Ok(info) => StoreStatus::Ready(info),
                    Err(reason) => StoreStatus::Unavailable(reason),
                };
                self.pass_gate_if_settled();
                self.show_limits_now();
                let mut effects = self.draft_secrets_now();
                if first {
                    effects.extend(self.clean_draft_entries());
                }
                effects
            }
            Msg::SaveDone(result) => self.finish_save(result),
            Msg::Interrupted(how) => self.interrupted(how),
            Msg::DraftSaved(result) => {
                match result {
                    Ok(not_kept) => self.draft_kept_all_but(&not_kept),
                    Err(why) => {
                        self.notice = Some(Notice {
                            level: Level::Error,
                            text: format!("The draft could not be saved: {why}"),
                        });
                    }
                }
                Vec::new()
            }
            Msg::StoredSecretsChecked(check) => {
                self.stored_checked(check);
                Vec::new()
            }
            Msg::ReviewLimit(limit) => {
                self.review_limit = limit;
                if let Step::Review { scroll } = &mut self.step {
                    *scroll = (*scroll).min(limit);
                }
                Vec::new()
            }
            Msg::HelpLimit(limit) => {
                self.help_limit = limit;
                self.help_scroll = self.help_scroll.min(limit);
                Vec::new()
            }
            Msg::Reloaded(result) => self.reloaded(result),
            Msg::DraftEntriesCleaned(result) => {
                if let Err(why) = result {
                    self.notice = Some(Notice {
                        level: Level::Error,
                        text: why,
                    });
                }
                Vec::new()
            }
            Msg::DraftSecretsLoaded(result) => {
                self.restore_secrets(result);
                Vec::new()
            }
            Msg::Act(action) if self.resume_offer.is_some() => self.resume_action(action),
            Msg::Act(action) => {
                if self.overlay.is_some() {
                    return self.overlay_action(action);
                }
                if action == Action::Quit {
                    self.request_quit();
                    return Vec::new();
                }
                if action != Action::Help {
                    self.notice = None;
                }
                self.step_action(action)
            }
            Msg::Edit(request) => {
                if self.overlay.is_none() && self.resume_offer.is_none() {
                    self.form_edit(request);
                }
                Vec::new()
            }
            Msg::Paste(text) => {
                if self.overlay.is_none() && self.resume_offer.is_none() {
                    self.form_paste(&text);
                }
                Vec::new()
            }
        }
    }

    fn step_action(&mut self, action: Action) -> Vec<Effect> {
        match self.step.clone() {
            Step::Platform { selected } => self.platform_action(selected, action),
            Step::Operation { op, selected } => self.operation_action(op, selected, action),
            Step::Form {
                draft,
                focus,
                revealed,
            } => self.form_action(draft, focus, revealed, action),
            Step::StoreGate { draft } => return self.gate_action(draft, action),
            Step::Review { scroll } => return self.review_action(scroll, action),
            Step::Saving => {}
            Step::SaveFailed { reload, .. } => match action {
                Action::Save | Action::Enter if reload => return vec![Effect::Reload],
                Action::Save | Action::Enter => return self.save(),
                Action::Back => self.step = Step::Review { scroll: 0 },
                _ => {}
            },
            Step::Done(report) => {
                if matches!(action, Action::Enter | Action::Back) {
                    self.outcome = Some(Outcome::Saved(report));
                }
            }
        }
        Vec::new()
    }

    fn overlay_action(&mut self, action: Action) -> Vec<Effect> {
        match (self.overlay.clone(), action) {
            (Some(Overlay::ConfirmQuit), Action::Yes | Action::Quit) => {
                self.overlay = None;
                self.outcome = Some(Outcome::Cancelled);
                // The operator chose to drop the unsaved work: its draft goes too.
                return vec![self.discard_draft()];
            }
            (Some(Overlay::ConfirmDelete { draft }), Action::Yes) => {
                self.overlay = None;
                self.delete_draft(draft);
            }
            (Some(Overlay::Help { .. }), Action::Back | Action::Help | Action::Enter)
            | (Some(_), Action::No | Action::Back) => {
                self.overlay = None;
                self.help_scroll = 0;
                self.help_limit = usize::MAX;
            }
            (Some(Overlay::Help { .. }), scroll) => self.scroll_help(scroll),
            _ => {}
        }
        Vec::new()
    }

    /// How far the open help is scrolled (lines from its top).
    pub fn help_scroll(&self) -> usize {
        self.help_scroll
    }

    /// How far the open help can scroll, as last measured (unbounded until then).
    pub fn help_limit(&self) -> usize {
        self.help_limit
    }

    fn scroll_help(&mut self, action: Action) {
        let at = self.help_scroll;
        self.help_scroll = match action {
            Action::Next => at.saturating_add(1),
            Action::Prev => at.saturating_sub(1),
            Action::PageDown => at.saturating_add(10),
            Action::PageUp => at.saturating_sub(10),
            Action::First => 0,
            Action::Last => usize::MAX,
            _ => at,
        }
        .min(self.help_limit);
    }

    fn request_quit(&mut self) {
        if let Step::Done(report) = &self.step {
            self.outcome = Some(Outcome::Saved(report.clone()));
        } else if self.dirty {
            self.overlay = Some(Overlay::ConfirmQuit);
        } else {
            self.outcome = Some(Outcome::Cancelled);
        }
    }

    fn review_action(&mut self, scroll: usize, action: Action) -> Vec<Effect> {
        let scroll = match action {
            Action::Save => return self.save(),
            Action::Back => {
                let last = self.current_platform().operations.len() - 1;
                self.enter_operation(last);
                return Vec::new();
            }
            Action::Next => scroll.saturating_add(1).min(self.review_limit),
            Action::Prev => scroll.saturating_sub(1),
            Action::PageDown => scroll.saturating_add(10).min(self.review_limit),
            Action::PageUp => scroll.saturating_sub(10),
            Action::First => 0,
            Action::Last => self.review_limit,
            Action::Help => {
                self.overlay = Some(Overlay::Help {
                    title: "Review".into(),
                    text: "Everything below is what Ctrl-S writes: the YAML file, and each secret into the \
                           store named beside it. Secrets never go into the file. Esc goes back to change \
                           something."
                        .into(),
                });
                scroll
            }
            _ => scroll,
        };
        self.step = Step::Review { scroll };
        Vec::new()
    }
}

#[cfg(test)]
mod tests;
