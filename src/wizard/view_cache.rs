//! The content generation: a number that changes whenever anything Review (or the
//! help over it) shows may have changed, and stays when a message only scrolls. The
//! views keep what they measured under it (`ui::ViewCache`), so a key that scrolls
//! Review at 10,000 integrations redraws only what is on screen instead of rebuilding
//! every row and problem.
//!
//! The rule is conservative: every message bumps it except the few known to change
//! nothing but a scroll position, an overlay of help, or the notice (which the views
//! never cache).

use super::{Action, Msg, Overlay, Step, Wizard};

/// Unique across wizards, so a cache kept for one never answers for another (a
/// wizard that lands its file replaces itself): the same counter as the forms' stamps.
pub(super) use super::forms::fresh_stamp as fresh_generation;

impl Wizard {
    /// Changes whenever the content of Review (and of the help over it) may have; the
    /// same number means the same content.
    pub fn content_generation(&self) -> u64 {
        self.content_generation
    }

    /// Called by `update` before `msg` is handled.
    pub(super) fn before_update(&mut self, msg: &Msg) {
        if !self.only_moves_the_view(msg) {
            self.content_generation = fresh_generation();
        }
    }

    /// Whether `msg` changes nothing but where Review or its help is scrolled, whether
    /// help is open over Review, or the notice.
    fn only_moves_the_view(&self, msg: &Msg) -> bool {
        use Action::{First, Last, Next, PageDown, PageUp, Prev};
        match msg {
            Msg::ReviewLimit(_) | Msg::HelpLimit(_) => true,
            Msg::Act(action) if self.recovery.offer.is_none() && self.outcome.is_none() => {
                match (&self.overlay, &self.step) {
                    (None, Step::Review { .. }) => matches!(
                        action,
                        Next | Prev | PageDown | PageUp | First | Last | Action::Help
                    ),
                    (Some(Overlay::Help { .. }), Step::Review { .. }) => matches!(
                        action,
                        Next | Prev
                            | PageDown
                            | PageUp
                            | First
                            | Last
                            | Action::Back
                            | Action::Help
                            | Action::Enter
                    ),
                    _ => false,
                }
            }
            _ => false,
        }
    }
}
