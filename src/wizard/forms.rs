//! The integrations being edited, each with a stamp that changes whenever it may have:
//! what Review derives from one integration (its problems, its changes, its rows) is
//! kept under its stamp, so at 10,000 integrations an update that touches one of them
//! works out one, not all. Reading is free; every way to write restamps.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::{Deref, Index, IndexMut};
use std::sync::atomic::{AtomicU64, Ordering};

use super::IntegrationForm;

/// Unique across every form of every wizard: a stamp never names two contents.
static NEXT_STAMP: AtomicU64 = AtomicU64::new(1);

pub(super) fn fresh_stamp() -> u64 {
    NEXT_STAMP.fetch_add(1, Ordering::Relaxed)
}

/// A map keyed by stamps (or other numbers unique by construction, such as the address
/// of a value the map keeps alive): a multiply spreads them, where `SipHash` cost a
/// fifth of a Review update at 10,000 integrations.
pub type StampMap<K, V> = HashMap<K, V, BuildHasherDefault<StampHasher>>;

#[derive(Default)]
pub struct StampHasher(u64);

impl Hasher for StampHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

#[derive(Debug, Default)]
pub struct Forms {
    items: Vec<IntegrationForm>,
    stamps: Vec<u64>,
    /// Changes with any write to any form, and when forms come or go.
    generation: u64,
    /// Changes only when forms come or go.
    structure: u64,
}

impl Forms {
    pub fn new(items: Vec<IntegrationForm>) -> Forms {
        let stamps = items.iter().map(|_| fresh_stamp()).collect();
        let generation = fresh_stamp();
        Forms {
            items,
            stamps,
            generation,
            structure: generation,
        }
    }

    /// Form `index`'s stamp: the same stamp means the same content.
    pub fn stamp(&self, index: usize) -> u64 {
        self.stamps[index]
    }

    /// The same number means no form changed, came or went.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The same number means the same forms in the same order (their contents may
    /// differ; a form's `original` is set once, when it is made).
    pub fn structure(&self) -> u64 {
        self.structure
    }

    fn restructured(&mut self) {
        self.generation = fresh_stamp();
        self.structure = self.generation;
    }

    pub fn push(&mut self, form: IntegrationForm) {
        self.items.push(form);
        self.stamps.push(fresh_stamp());
        self.restructured();
    }

    pub fn remove(&mut self, index: usize) -> IntegrationForm {
        self.stamps.remove(index);
        self.restructured();
        self.items.remove(index)
    }

    pub fn get_mut(&mut self, index: usize) -> Option<&mut IntegrationForm> {
        if index >= self.items.len() {
            return None;
        }
        Some(&mut self[index])
    }

    /// Form `read` to read and form `write` (another one, restamped) to write.
    pub fn read_and_write(
        &mut self,
        read: usize,
        write: usize,
    ) -> (&IntegrationForm, &mut IntegrationForm) {
        assert_ne!(read, write, "one form cannot be read and written at once");
        self.stamps[write] = fresh_stamp();
        self.generation = fresh_stamp();
        let (left, right) = self.items.split_at_mut(read.max(write));
        if read < write {
            (&left[read], &mut right[0])
        } else {
            (&right[0], &mut left[write])
        }
    }

    /// Every form, each restamped.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, IntegrationForm> {
        for stamp in &mut self.stamps {
            *stamp = fresh_stamp();
        }
        self.generation = fresh_stamp();
        self.items.iter_mut()
    }

    /// Every form, leaving none.
    pub fn take(&mut self) -> Vec<IntegrationForm> {
        self.stamps.clear();
        self.restructured();
        std::mem::take(&mut self.items)
    }

    pub fn extend(&mut self, forms: impl IntoIterator<Item = IntegrationForm>) {
        for form in forms {
            self.push(form);
        }
    }
}

impl Deref for Forms {
    type Target = [IntegrationForm];

    fn deref(&self) -> &[IntegrationForm] {
        &self.items
    }
}

impl Index<usize> for Forms {
    type Output = IntegrationForm;

    fn index(&self, index: usize) -> &IntegrationForm {
        &self.items[index]
    }
}

impl IndexMut<usize> for Forms {
    /// Restamps the form: whoever may write to it is taken to have.
    fn index_mut(&mut self, index: usize) -> &mut IntegrationForm {
        self.stamps[index] = fresh_stamp();
        self.generation = fresh_stamp();
        &mut self.items[index]
    }
}

impl<'a> IntoIterator for &'a Forms {
    type Item = &'a IntegrationForm;
    type IntoIter = std::slice::Iter<'a, IntegrationForm>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn form() -> IntegrationForm {
        let catalog = Catalog::builtin();
        let platform = &catalog.platforms[0];
        IntegrationForm::new(platform, &platform.operations[0])
    }

    #[test]
    fn every_write_restamps_and_reads_do_not() {
        let mut forms = Forms::new(vec![form(), form()]);
        let (first, second, generation) = (forms.stamp(0), forms.stamp(1), forms.generation());
        assert_ne!(first, second);
        let _ = forms[0].fields.len();
        let _ = forms.iter().count();
        assert_eq!((forms.stamp(0), forms.generation()), (first, generation));

        let structure = forms.structure();
        forms[1].touched = true;
        assert_eq!(forms.structure(), structure);
        assert_eq!(forms.stamp(0), first);
        assert_ne!(forms.stamp(1), second);
        assert_ne!(forms.generation(), generation);

        let generation = forms.generation();
        let second = forms.stamp(1);
        forms.get_mut(0).expect("form").touched = true;
        assert_ne!(forms.stamp(0), first);
        assert_eq!(forms.stamp(1), second);
        assert_ne!(forms.generation(), generation);

        let before: Vec<u64> = (0..2).map(|i| forms.stamp(i)).collect();
        for form in forms.iter_mut() {
            form.touched = false;
        }
        assert!((0..2).all(|i| !before.contains(&forms.stamp(i))));
    }

    #[test]
    fn forms_that_come_or_go_keep_the_others_stamps() {
        let mut forms = Forms::new(vec![form(), form(), form()]);
        let last = forms.stamp(2);
        let (generation, structure) = (forms.generation(), forms.structure());
        forms.remove(0);
        assert_eq!(forms.stamp(1), last);
        assert_ne!(forms.generation(), generation);
        assert_ne!(forms.structure(), structure);
        let generation = forms.generation();
        forms.push(form());
        assert_eq!(forms.len(), 3);
        assert_ne!(forms.stamp(2), last);
        assert_ne!(forms.generation(), generation);
        assert_eq!(forms.take().len(), 3);
        assert!(forms.is_empty());
    }
}
