//! What the views measured, kept while the wizard's content generation, the width and
//! the theme stay the same: Review's blocks and heights are measured once per change and
//! reused by the draw and by the scroll measurement, and by every key that only
//! scrolls. The wizard stays the only place state changes: this is a memo of a pure
//! function of (wizard content, width, theme), owned by the loop that draws.

use std::rc::Rc;

use super::Theme;
use super::review::Measured;
use crate::wizard::Wizard;

#[derive(Default)]
pub struct ViewCache {
    review: Option<(Key, Rc<Measured>)>,
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
                let measured = Rc::new(super::review::measure(wizard, width, theme));
                self.review = Some((key, Rc::clone(&measured)));
                measured
            }
        }
    }
}

#[cfg(test)]
#[path = "view_cache_tests.rs"]
mod tests;
