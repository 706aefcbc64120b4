//! What the views measured, kept while the wizard's content generation, the width and
//! the theme stay the same: Review's blocks and heights are measured once per change and
//! reused by the draw and by the scroll measurement, and by every key that only
//! scrolls. The wizard stays the only place state changes: this is a memo of a pure
//! function of (wizard content, width, theme), owned by the loop that draws.

use std::rc::Rc;

use super::Theme;
use super::review::{Heights, Measured};
use crate::wizard::Wizard;

#[derive(Default)]
pub struct ViewCache {
    review: Option<(Key, Rc<Measured>)>,
    /// What each problem and integration measured, across changes of content.
    heights: Heights,
    /// What [`Self::review_ahead`] last measured: the forms' generation and the store.
    ahead: Option<(u64, Option<crate::secret::StoreKind>)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct Key {
    generation: u64,
    width: usize,
    theme: Theme,
}

impl ViewCache {
    /// Review measured at `width`: from the cache when nothing it shows has changed.
    pub(super) fn review(&mut self, wizard: &Wizard, width: usize, theme: Theme) -> Rc<Measured> {
        let key = Key {
            generation: wizard.content_generation(),
            width,
            theme,
        };
        match &self.review {
            Some((kept, measured)) if *kept == key => Rc::clone(measured),
            _ => {
                let measured = Rc::new(super::review::measure_with(
                    wizard,
                    width,
                    theme,
                    &mut self.heights,
                ));
                self.review = Some((key, Rc::clone(&measured)));
                measured
            }
        }
    }
}

impl ViewCache {
    /// Review measured at `width` now, unless the integrations and the store are as
    /// when it last was (then the heights it keeps are current, whatever the step).
    pub(super) fn review_ahead(&mut self, wizard: &Wizard, width: usize, theme: Theme) {
        let now = Some(super::review_inputs(wizard));
        if self.ahead != now || !self.heights.measured_at(width, theme) {
            self.review(wizard, width, theme);
            self.ahead = now;
        }
    }
}

#[cfg(test)]
#[path = "view_cache_tests.rs"]
mod tests;
