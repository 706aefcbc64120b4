//! For each form, how many others share its platform and operation, and how many of
//! those its group: what the Group's check needs. Kept across updates that change no
//! form's group (typing a secret at 10,000 integrations rebuilt it on every key).

use std::cell::RefCell;
use std::rc::Rc;

use super::Wizard;
use crate::validate::document::GroupIndex;

#[derive(Default)]
pub(super) struct Kept(RefCell<Option<Counts>>);

struct Counts {
    /// The forms' generation and structure, and each form's stamp and group key, as
    /// they were when `counts` was worked out.
    generation: u64,
    structure: u64,
    stamps: Vec<u64>,
    keys: Vec<String>,
    per_form: Rc<[(usize, usize)]>,
}

impl Wizard {
    /// Each form's (others, same): see the module.
    pub(super) fn group_counts(&self) -> Rc<[(usize, usize)]> {
        // Taken out while checked: the check works forms' facts out, which must not
        // find this borrowed.
        let taken = self.group_counts.0.borrow_mut().take();
        if let Some(mut counts) = taken
            && self.same_groups(&mut counts)
        {
            let shared = Rc::clone(&counts.per_form);
            *self.group_counts.0.borrow_mut() = Some(counts);
            return shared;
        }
        let keys: Vec<String> = (0..self.forms.len())
            .map(|i| self.derived(i).group_key.clone())
            .collect();
        let mut index = GroupIndex::default();
        for (form, key) in self.forms.iter().zip(&keys) {
            index.add_key(&form.platform, &form.operation, key.clone());
        }
        let counts: Rc<[(usize, usize)]> = self
            .forms
            .iter()
            .zip(&keys)
            .map(|(form, key)| index.counts_of_key(&form.platform, &form.operation, key))
            .collect();
        *self.group_counts.0.borrow_mut() = Some(Counts {
            generation: self.forms.generation(),
            structure: self.forms.structure(),
            stamps: (0..self.forms.len()).map(|i| self.forms.stamp(i)).collect(),
            keys,
            per_form: Rc::clone(&counts),
        });
        counts
    }

    /// Whether `counts` still holds: no form came or went, and every form that changed
    /// kept its group (a form's platform and operation never change). Brought up to
    /// date when it does.
    fn same_groups(&self, counts: &mut Counts) -> bool {
        if counts.generation == self.forms.generation() {
            return true;
        }
        if counts.structure != self.forms.structure() {
            return false;
        }
        for index in 0..self.forms.len() {
            let stamp = self.forms.stamp(index);
            if stamp != counts.stamps[index] {
                if self.derived(index).group_key != counts.keys[index] {
                    return false;
                }
                counts.stamps[index] = stamp;
            }
        }
        counts.generation = self.forms.generation();
        true
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use crate::test_support::{act, first_row_of, historical_in, type_text};
    use crate::wizard::{Action, InputRequest, Msg};

    #[test]
    fn counts_follow_a_group_typed_and_are_kept_while_other_fields_change() {
        let document = historical_in(&["west", "north", "south"]);
        let mut w = first_row_of(&document);
        assert_eq!(&*w.group_counts(), [(2, 0); 3]);
        act(&mut w, Action::Next);
        act(&mut w, Action::Enter); // north's form, on its Group
        for _ in 0.."north".len() {
            w.update(Msg::Edit(InputRequest::DeletePrevChar));
        }
        type_text(&mut w, "WEST");
        assert_eq!(
            &*w.group_counts(),
            [(2, 1), (2, 1), (2, 0)],
            "case does not matter"
        );
        let before = w.group_counts();
        act(&mut w, Action::Next); // Status
        act(&mut w, Action::Next); // client ID
        type_text(&mut w, "x");
        assert!(
            Rc::ptr_eq(&before, &w.group_counts()),
            "kept: no group changed"
        );
        act(&mut w, Action::Back); // the list
        act(&mut w, Action::First);
        act(&mut w, Action::Delete); // west
        act(&mut w, Action::Yes);
        assert_eq!(&*w.group_counts(), [(1, 0), (1, 0)]);
    }
}
