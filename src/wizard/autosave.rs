//! When a draft of unsaved work is written: after each step, at a checkpoint, once the
//! store is ready for secrets left out, and on an interrupt. Pure: writing is an effect.

use super::{Effect, Interrupt, Level, Notice, Outcome, Step, StoreStatus, Wizard};
use crate::config::draft::Position;

/// Where the session is, coarse enough that moving between fields is not a new step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Checkpoint {
    step: Position,
    integrations: usize,
    removed: usize,
    confirmed: usize,
}

impl Wizard {
    pub(super) fn position(&self) -> Position {
        match &self.step {
            Step::Platform { .. } => Position::Platform,
            Step::Operation { op, .. } => Position::Operation {
                operation: self.operation(*op).id.clone(),
            },
            Step::StoreGate { form: draft } => Position::Operation {
                operation: self.forms[*draft].operation.clone(),
            },
            Step::Form {
                form: draft, focus, ..
            } => Position::Form {
                integration: *draft,
                focus: *focus,
            },
            Step::Review { .. } | Step::Saving | Step::SaveFailed { .. } | Step::Done(_) => {
                Position::Review
            }
        }
    }

    pub(super) fn checkpoint(&self) -> Checkpoint {
        let step = match self.position() {
            Position::Form { integration, .. } => Position::Form {
                integration,
                focus: 0,
            },
            other => other,
        };
        Checkpoint {
            step,
            integrations: self.forms.len(),
            removed: self.removed.len(),
            confirmed: self.confirmed.len(),
        }
    }

    /// After a message: a draft when the session moved to another step with unsaved
    /// work, nothing otherwise.
    pub(super) fn draft_after(&mut self, before: &Checkpoint) -> Option<Effect> {
        if !self.wants_draft() || self.checkpoint() == *before {
            return None;
        }
        Some(self.draft_effect())
    }

    /// Unsaved work, no save under way, and the earlier draft neither waiting for a
    /// decision nor still being read back (a new draft would drop its secrets).
    fn wants_draft(&self) -> bool {
        let saving = matches!(self.step, Step::Saving | Step::Done(_));
        self.dirty
            && !saving
            && self.outcome.is_none()
            && self.recovery.offer.is_none()
            && self.recovery.restoring.is_empty()
    }

    /// Once the store is resolved: a draft with the secrets the last one left out.
    pub(super) fn draft_secrets_now(&mut self) -> Vec<Effect> {
        let ready = matches!(self.store, StoreStatus::Ready(_));
        if ready && self.recovery.secrets_left_out && self.wants_draft() {
            vec![self.draft_effect()]
        } else {
            Vec::new()
        }
    }

    /// A draft of the session as it is now, when there is unsaved work (`Msg::Checkpoint`).
    pub(super) fn draft_now(&mut self) -> Vec<Effect> {
        if self.wants_draft() {
            vec![self.draft_effect()]
        } else {
            Vec::new()
        }
    }

    fn draft_effect(&mut self) -> Effect {
        let plan = self.draft_plan();
        self.recovery.secrets_left_out = plan.snapshot.secrets_left_out > 0;
        // While the store is still being resolved (a moment at start) the next draft
        // catches up; a store that is unavailable will not, so say so.
        if plan.snapshot.secrets_left_out > 0
            && self.notice.is_none()
            && let StoreStatus::Unavailable(reason) = &self.store
        {
            self.notice = Some(Notice {
                level: Level::Info,
                text: format!(
                    "Typed secrets are not kept in the draft: no secret store ({reason}). \
                     The other answers are."
                ),
            });
        }
        Effect::SaveDraft(plan)
    }

    /// Removes the draft file and every draft entry this session knows of.
    pub(super) fn discard_draft(&mut self) -> Effect {
        self.recovery.generation += 1;
        Effect::DiscardDraft {
            generation: self.recovery.generation,
            entries: std::mem::take(&mut self.recovery.entries),
        }
    }

    /// What the loop does on SIGHUP/SIGTERM/SIGINT: keep the draft, then end.
    pub(super) fn interrupted(&mut self, how: Interrupt) -> Vec<Effect> {
        let effect = self.wants_draft().then(|| self.draft_effect());
        self.outcome = Some(Outcome::Interrupted(how));
        effect.into_iter().collect()
    }
}
