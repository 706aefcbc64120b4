//! The pure state machine: `update(Msg) -> Vec<Effect>`. No I/O happens here.

mod answers_offer;
mod autosave;
mod changes;
mod claims;
pub mod connection_test;
mod control_characters;
mod derived;
mod draft_plan;
mod fill_from;
mod form;
mod forms;
mod group_counts;
pub use forms::StampMap;
mod integration_form;
pub mod lists;
mod loading;
mod messages;
mod migration_offer;
mod recovery;
mod resume;
pub mod review_text;
mod save_plan;
mod saving;
mod secret_limits;
mod secret_text;
mod ssh_hint;
mod store_gate;
mod stored_check;
pub mod view;
mod view_cache;

use std::sync::Arc;

pub use tui_input::InputRequest;

use crate::config::draft::Snapshot;
pub use answers_offer::{AnswersWritten, env_names};
pub use changes::Loaded;
pub use control_characters::refuse_control_characters;
pub use integration_form::{FieldState, IntegrationForm, SecretField};
pub use loading::LoadedConfig;
pub use messages::{
    Action, Effect, EffectRunner, Interrupt, Msg, NotKept, Reloaded, SaveFailure, SaveReport,
    Startup, StoreInfo,
};
use recovery::Recovery;
pub use recovery::{DraftPlan, LoadedSecrets};
pub use save_plan::{SavePlan, SecretCopy, SecretWrite, deletable};
pub use secret_limits::too_long_for;
pub use secret_text::SecretText;
pub use ssh_hint::{SSH_HINT, link_can_drop};
pub use store_gate::{StoreExplanation, explain_store};
pub use stored_check::StoredCheck;
pub use view::Layer;

use crate::catalog::{Catalog, FieldDef, Operation, Platform};
use crate::config::{Document, Integration};
use crate::identity::Identity;
use crate::secret::SecretRef;

/// The namespace of a wizard built without an identity (tests, views): the binary
/// always gives one (`Wizard::with_identity`).
pub const UNASSIGNED_NAMESPACE: &str = "000000000000";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreStatus {
    Resolving,
    Ready(StoreInfo),
    Unavailable(String),
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
        /// Which integration's form (an index into `forms`).
        form: usize,
        focus: usize,
        revealed: bool,
    },
    /// Where secrets will go, shown before the form of `form` (see `store_gate`).
    StoreGate {
        form: usize,
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
    /// The file, read after the first frame, cannot be edited (why, in words): the
    /// same refusal an inline load prints, said once the terminal is restored.
    Refused(String),
}

/// Review's notes, under the forms' generation, the store and the number of
/// confirmations they were worked out for.
type NotesFor = (
    (u64, Option<crate::secret::StoreKind>, usize),
    std::rc::Rc<lists::ReviewNotes>,
);

pub struct Wizard {
    catalog: Arc<Catalog>,
    /// Seconds since the epoch, fixed at start (for JWT expiry).
    now: i64,
    config_path: String,
    /// The namespace this session's entries go under, and the path recorded at save.
    identity: Identity,
    /// The save counter of the file as loaded (0: no file, or a version-1 file).
    loaded_revision: u64,
    /// SHA-256 of the file's text as loaded (`None`: there was none): a save finds out
    /// whether someone else changed the file meanwhile.
    loaded_hash: Option<String>,
    /// Another wizard edits the file (who, in words): this one only looks.
    read_only: Option<String>,
    /// Comments the operator was told the save drops (a second save confirms).
    comments_to_drop: Vec<crate::config::comments::LostComment>,
    platform: usize,
    forms: forms::Forms,
    /// Integrations loaded from the file and deleted in this session.
    removed: Vec<Integration>,
    confirmed: Vec<String>,
    step: Step,
    overlay: Option<Overlay>,
    store: StoreStatus,
    /// The operator has seen (and, for a store lost at reboot, accepted) where secrets go.
    store_acknowledged: bool,
    notice: Option<Notice>,
    dirty: bool,
    outcome: Option<Outcome>,
    /// Crash recovery: the draft offered, its keyring entries, what is read back.
    recovery: Recovery,
    /// Who uses each form's group, under `Forms::generation`: the views check every
    /// visible row's group, Review every draft's, and comparing each with all the
    /// others made 1,000 integrations cost 40 ms a frame.
    group_counts: group_counts::Kept,
    /// Review's problems and warnings, under what they were worked out for.
    notes: std::cell::RefCell<Option<NotesFor>>,
    /// Each form's facts for Review, kept under its stamp (`derived.rs`).
    memo: derived::Memo,
    /// The furthest Review can scroll, as last measured on screen (unbounded until then).
    review_limit: usize,
    /// How far the open help is scrolled, and how far it can be (as last measured).
    help_scroll: usize,
    help_limit: usize,
    /// The file as it was loaded, for Review's changes (read only).
    loaded: Loaded,
    /// Stored references whose entry the background check found gone.
    vanished: Vec<SecretRef>,
    /// The answers file offered on Done, once written (or why not).
    answers_written: Option<Result<AnswersWritten, String>>,
    /// Connection tests of this session (issue 13).
    tests: connection_test::ConnectionTests,
    /// The file is still being read (see `loading.rs`).
    loading: bool,
    /// Changes whenever what Review shows may have (see `view_cache.rs`).
    content_generation: u64,
}

impl Wizard {
    /// A wizard over `catalog`, editing `document` when a file exists.
    pub fn new(
        catalog: Arc<Catalog>,
        document: Option<&Document>,
        config_path: &str,
        now: i64,
    ) -> Wizard {
        let mut forms = Vec::new();
        let mut platform = 0;
        if let Some(document) = document {
            for integration in &document.integrations {
                let Some((p, o)) = catalog
                    .platform(&integration.platform)
                    .and_then(|p| p.operation(&integration.operation).map(|o| (p, o)))
                else {
                    continue; // loading refuses such files; nothing to edit here
                };
                forms.push(IntegrationForm::from_integration(p, o, integration));
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
            forms: forms::Forms::new(forms),
            removed: Vec::new(),
            confirmed: document.map(|d| d.confirmed.clone()).unwrap_or_default(),
            step: Step::Platform { selected: platform },
            overlay: None,
            store: StoreStatus::Resolving,
            store_acknowledged: false,
            notice: None,
            dirty: false,
            outcome: None,
            recovery: Recovery::default(),
            group_counts: group_counts::Kept::default(),
            notes: std::cell::RefCell::new(None),
            memo: derived::Memo::default(),
            review_limit: usize::MAX,
            help_scroll: 0,
            help_limit: usize::MAX,
            loaded: Loaded::new(document),
            vanished: Vec::new(),
            answers_written: None,
            tests: connection_test::ConnectionTests::default(),
            loading: false,
            content_generation: view_cache::fresh_generation(),
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
    fn become_read_only(&mut self, who: &str) {
        self.read_only = Some(who.to_owned());
        self.notice = Some(Notice {
            level: Level::Info,
            text: format!("Read-only: {who}. Nothing you change here can be saved."),
        });
    }

    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// Seconds since the epoch, fixed at start (for JWT expiry).
    pub fn now(&self) -> i64 {
        self.now
    }

    pub fn config_path(&self) -> &str {
        &self.config_path
    }

    /// The namespace this session's entries go under, and the path recorded at save.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The save counter of the file as loaded (0: no file, or a version-1 file).
    pub fn loaded_revision(&self) -> u64 {
        self.loaded_revision
    }

    /// SHA-256 of the file's text as loaded (`None`: there was none).
    pub fn loaded_hash(&self) -> Option<&str> {
        self.loaded_hash.as_deref()
    }

    /// Who else edits the file, when this wizard only looks.
    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    /// The index of the platform being configured.
    pub fn platform(&self) -> usize {
        self.platform
    }

    /// The integrations being edited, in the order they were added.
    pub fn forms(&self) -> &[IntegrationForm] {
        &self.forms
    }

    /// The same number means no integration changed, came or went.
    pub fn forms_generation(&self) -> u64 {
        self.forms.generation()
    }

    /// Form `index`'s stamp: the same stamp means the same content (see `forms.rs`).
    pub fn form_stamp(&self, index: usize) -> u64 {
        self.forms.stamp(index)
    }

    /// Integrations loaded from the file and deleted in this session.
    pub fn removed(&self) -> &[Integration] {
        &self.removed
    }

    /// The prerequisites the operator confirmed (`platform/operation/id`).
    pub fn confirmed(&self) -> &[String] {
        &self.confirmed
    }

    pub fn step(&self) -> &Step {
        &self.step
    }

    pub fn overlay(&self) -> Option<&Overlay> {
        self.overlay.as_ref()
    }

    pub fn store(&self) -> &StoreStatus {
        &self.store
    }

    /// The operator has seen (and, for a store lost at reboot, accepted) where secrets go.
    pub fn store_acknowledged(&self) -> bool {
        self.store_acknowledged
    }

    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }

    /// Unsaved work.
    pub fn dirty(&self) -> bool {
        self.dirty
    }

    /// How the session ended, once it has.
    pub fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    /// A draft from an earlier session, until the operator resumes or discards it.
    pub fn resume_offer(&self) -> Option<&Snapshot> {
        self.recovery.offer.as_ref()
    }

    /// Draft keyring entries that hold typed secrets now.
    pub fn draft_entries(&self) -> &[SecretRef] {
        &self.recovery.entries
    }

    /// The furthest Review can scroll, as last measured on screen.
    pub fn review_limit(&self) -> usize {
        self.review_limit
    }

    /// The file as it was loaded, for Review's changes.
    pub fn loaded(&self) -> &Loaded {
        &self.loaded
    }

    /// The same wizard with the store gate behind it, for tests of what comes after
    /// (the gate's own tests go through it with messages).
    #[cfg(test)]
    #[must_use]
    pub(crate) fn past_store_gate(mut self) -> Wizard {
        self.store_acknowledged = true;
        self
    }

    /// The last save found the file changed on disk: Enter reloads instead of retrying.
    pub fn file_changed(&self) -> bool {
        matches!(self.step, Step::SaveFailed { reload: true, .. })
    }

    /// Effects to run once the first frame is on screen.
    pub fn start(&self) -> Vec<Effect> {
        if self.loading {
            return vec![Effect::LoadConfig {
                catalog: Arc::clone(&self.catalog),
                now: self.now,
                read_only: self.read_only.is_some(),
            }];
        }
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
            self.recovery
                .offer
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
    pub fn form_fields(&self, draft: usize) -> Vec<&FieldDef> {
        let d = &self.forms[draft];
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
        let effects = self.change(msg);
        // Done here, not on the key that first needs them: entering Review at 10,000
        // integrations then only reads (`derived.rs`).
        self.refresh_derived();
        effects
    }

    fn change(&mut self, msg: Msg) -> Vec<Effect> {
        self.before_update(&msg);
        if self.loading {
            return self.while_loading(msg);
        }
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
            Msg::Startup(fact) => {
                self.started(fact);
                Vec::new()
            }
            Msg::Checkpoint => self.draft_now(),
            Msg::AnswersWritten(result) => self.answers_done(result),
            // Only a wizard still loading waits for its file (see `loading.rs`).
            Msg::ConfigLoaded(_) => Vec::new(),
            Msg::SaveDone(result) => self.finish_save(result),
            Msg::Interrupted(how) => self.interrupted(how),
            Msg::DraftSaved(result) => {
                self.draft_saved(result);
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
            msg @ (Msg::TestProgress { .. } | Msg::TestDone { .. }) => self.test_message(msg),
            Msg::Act(action) if self.recovery.offer.is_some() => self.resume_action(action),
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
            Msg::SelectRow(row) => {
                if self.overlay.is_none() && self.recovery.offer.is_none() {
                    self.notice = None; // as the arrow keys do
                    self.select_row(row);
                }
                Vec::new()
            }
            Msg::Edit(request) => {
                if self.overlay.is_none() && self.recovery.offer.is_none() {
                    self.form_edit(request);
                }
                Vec::new()
            }
            Msg::Paste(text) => {
                if self.overlay.is_none() && self.recovery.offer.is_none() {
                    self.form_paste(&text);
                }
                Vec::new()
            }
        }
    }

    fn draft_saved(&mut self, result: Result<Vec<NotKept>, String>) {
        match result {
            Ok(not_kept) => self.draft_kept_all_but(&not_kept),
            Err(why) => {
                self.notice = Some(Notice {
                    level: Level::Error,
                    text: format!("The draft could not be saved: {why}"),
                });
            }
        }
    }

    fn started(&mut self, fact: Startup) {
        match fact {
            Startup::LinkCanDrop => self.show_ssh_hint(),
            Startup::ReadOnly(who) => self.become_read_only(&who),
            // A read-only session neither offers another's draft nor a migration.
            Startup::KernelSecretsToKeep(n) if self.read_only.is_none() => {
                self.offer_migration(n);
            }
            Startup::DraftFound(snapshot) if self.read_only.is_none() => {
                self.offer_resume(snapshot);
            }
            Startup::DraftUnreadable(why) if self.read_only.is_none() => {
                self.draft_unreadable(&why);
            }
            Startup::KernelSecretsToKeep(_)
            | Startup::DraftFound(_)
            | Startup::DraftUnreadable(_) => {}
        }
    }

    fn step_action(&mut self, action: Action) -> Vec<Effect> {
        match self.step.clone() {
            Step::Platform { selected } => self.platform_action(selected, action),
            Step::Operation { op, selected } => self.operation_action(op, selected, action),
            Step::Form { form: draft, .. } if action == Action::FillFrom => {
                return self.fill_from_existing(draft);
            }
            Step::Form { form: draft, .. } => {
                if let Some(effects) = self.form_test_action(draft, action) {
                    return effects;
                }
                let Step::Form {
                    form: draft,
                    focus,
                    revealed,
                } = self.step
                else {
                    return Vec::new();
                };
                self.form_action(draft, focus, revealed, action);
            }
            Step::StoreGate { form: draft } => return self.gate_action(draft, action),
            Step::Review { scroll } => return self.review_action(scroll, action),
            Step::Saving => {}
            Step::SaveFailed { reload, .. } => match action {
                Action::Save | Action::Enter if reload => return vec![Effect::Reload],
                Action::Save | Action::Enter => return self.save(),
                Action::Back => self.step = Step::Review { scroll: 0 },
                _ => {}
            },
            Step::Done(report) => {
                if matches!(action, Action::WriteAnswers | Action::Yes) {
                    return self.write_answers();
                }
                if matches!(action, Action::Enter | Action::Back | Action::No) {
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
            (Some(Overlay::ConfirmQuit), Action::Keep) => {
                self.overlay = None;
                // The draft as it is now (focus included), for the next start to offer.
                let effect = self.draft_now();
                self.outcome = Some(Outcome::Cancelled);
                return effect;
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
            Action::Save if !self.save_despite_failed_tests() => scroll,
            Action::Save => return self.save(),
            Action::TestConnection => return self.test_all(),
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
                    text: "Everything below is what ⟦Save⟧ writes: the YAML file, and each secret into the \
                           store named beside it. Secrets never go into the file. ⟦Back⟧ goes back to change \
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
