//! Matching integrations to the ones they were loaded from: a resumed draft's to the
//! file's, the file's to the forms they became.

use std::collections::HashMap;

use crate::config::Integration;

/// Integrations to match others against by equality, each claimable once (a file may
/// hold two alike). Bucketed by platform, operation and group, since 10,000
/// integrations each compared with 10,000 would stall a resume or Review.
pub(super) struct Claims<'a> {
    /// Under a hash of platform, operation and group (alike hashes are compared in full).
    by_identity: HashMap<u64, Vec<(usize, &'a Integration)>>,
    pub(super) claimed: Vec<bool>,
}

impl<'a> Claims<'a> {
    pub(super) fn new(originals: impl Iterator<Item = Option<&'a Integration>>) -> Claims<'a> {
        let mut by_identity: HashMap<_, Vec<_>> = HashMap::new();
        let mut count = 0;
        for (at, original) in originals.enumerate() {
            count += 1;
            if let Some(original) = original {
                by_identity
                    .entry(identity(original))
                    .or_default()
                    .push((at, original));
            }
        }
        Claims {
            by_identity,
            claimed: vec![false; count],
        }
    }

    /// The first unclaimed entry equal to `integration`, now claimed.
    pub(super) fn claim(&mut self, integration: &Integration) -> Option<usize> {
        let candidates = self.by_identity.get_mut(&identity(integration))?;
        let found = candidates.iter().position(|(_, o)| *o == integration)?;
        let (at, _) = candidates.remove(found);
        self.claimed[at] = true;
        Some(at)
    }
}

fn identity(integration: &Integration) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (
        &integration.platform,
        &integration.operation,
        integration.group.as_deref(),
    )
        .hash(&mut hasher);
    hasher.finish()
}
