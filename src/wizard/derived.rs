//! What Review shows of each integration that depends on that integration alone: its
//! name, its fields' problems and warnings (all but the Group's, which depends on the
//! others), its group key, and what a save changes in it. Worked out once per stamp
//! (`forms.rs`) and kept, so that at 10,000 integrations an update touching one of them
//! works out one, not all; `update` leaves every form's worked out, so the key that
//! enters Review only reads.
//!
//! A memo of pure functions of the wizard's state: it changes nothing anyone sees.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;

use super::{StampMap, Wizard};
use crate::catalog::FieldKind;
use crate::config::diff::{Change, integration_changes};
use crate::secret::StoreKind;
use crate::validate::{check_group_counts, group_key};

pub(super) struct Derived {
    /// What it was worked out for: the store new secrets go to, and the namespace.
    store: Option<StoreKind>,
    namespace: String,
    /// "Historical settings (east)".
    pub name: String,
    /// Its platform's and operation's places in the catalog (`None`: not in it).
    pub operation: Option<(usize, usize)>,
    pub group_key: String,
    /// The Group field's index, its text and label, and the operation's label: what
    /// its check needs besides who else uses the group.
    group: Option<GroupField>,
    /// The Group's problem line for the counts it was last worked out for: the same
    /// text (the same allocation) while they stay.
    group_error: RefCell<Option<GroupErrorFor>>,
    /// (field, "name: label: error") for every field but the Group, in field order.
    pub errors: Vec<(usize, Rc<str>)>,
    /// "name: label: warning", in field order.
    pub warnings: Vec<Rc<str>>,
    /// What a save changes in it: against the integration it was loaded from, or as
    /// added when it was not loaded (see [`Wizard::changes_of`]).
    pub changes: Rc<[Change]>,
}

/// Who else uses the group (others, same), and the problem line that makes.
type GroupErrorFor = ((usize, usize), Option<Rc<str>>);

/// Which form became which integration of the file, under the structure it was for.
type SuccessorFor = (u64, Rc<Vec<Option<usize>>>);

struct GroupField {
    index: usize,
    text: String,
    label: String,
    operation: String,
}

impl Derived {
    /// The Group's problem line ("name: Group: error") when `others` integrations share
    /// its platform and operation and `same` of them its group; with its field index.
    pub fn group_error(&self, others: usize, same: usize) -> Option<(usize, Rc<str>)> {
        let group = self.group.as_ref()?;
        let mut kept = self.group_error.borrow_mut();
        let line = match &*kept {
            Some((counts, line)) if *counts == (others, same) => line.clone(),
            _ => {
                let line = check_group_counts(&group.text, others, same, &group.operation)
                    .map(|error| Rc::from(format!("{}: {}: {error}", self.name, group.label)));
                *kept = Some(((others, same), line.clone()));
                line
            }
        };
        line.map(|line| (group.index, line))
    }
}

#[derive(Default)]
pub(super) struct Memo {
    by_stamp: RefCell<StampMap<u64, Rc<Derived>>>,
    /// The forms' generation and the store at the last refresh: the same, nothing to do.
    refreshed: Cell<Option<(u64, Option<StoreKind>)>>,
    /// Which form became which integration of the file, under `Forms::structure`.
    successor: RefCell<Option<SuccessorFor>>,
}

impl Memo {
    /// Forgets every form's facts: the namespace they were worked out under changed.
    pub(super) fn forget(&self) {
        self.by_stamp.borrow_mut().clear();
        self.refreshed.set(None);
    }
}

impl Wizard {
    /// Form `index`'s derived facts, worked out when its stamp or the store changed.
    pub(super) fn derived(&self, index: usize) -> Rc<Derived> {
        let stamp = self.forms.stamp(index);
        let store = self.ready_store();
        if let Some(kept) = self.memo.by_stamp.borrow().get(&stamp)
            && kept.store == store
        {
            // A change of namespace forgets them all (`Memo::forget`).
            debug_assert_eq!(kept.namespace, self.identity.namespace);
            return Rc::clone(kept);
        }
        let derived = Rc::new(self.work_out(index, store));
        self.memo
            .by_stamp
            .borrow_mut()
            .insert(stamp, Rc::clone(&derived));
        derived
    }

    /// After each update: every form's facts worked out, the facts of forms changed or
    /// gone dropped.
    pub(super) fn refresh_derived(&self) {
        let now = Some((self.forms.generation(), self.ready_store()));
        if self.memo.refreshed.get() == now {
            return;
        }
        self.memo.refreshed.set(now);
        for index in 0..self.forms.len() {
            self.derived(index);
        }
        let mut by_stamp = self.memo.by_stamp.borrow_mut();
        // Pruned now and then, not after every edit: each prune walks every form.
        if by_stamp.len() > 2 * self.forms.len() + 64 {
            let live: HashSet<u64> = (0..self.forms.len()).map(|i| self.forms.stamp(i)).collect();
            by_stamp.retain(|stamp, _| live.contains(stamp));
        }
    }

    fn work_out(&self, index: usize, store: Option<StoreKind>) -> Derived {
        let defs = self.form_fields(index);
        let draft = &self.forms[index];
        let name = self.draft_name_of(index, &defs);
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        for (field, def) in defs.iter().enumerate() {
            if def.kind == FieldKind::Group {
                continue;
            }
            let check = self.field_check_of(index, field, &defs);
            if let Some(error) = check.error {
                errors.push((field, Rc::from(format!("{name}: {}: {error}", def.label))));
            }
            if let Some(warning) = check.warning {
                warnings.push(Rc::from(format!("{name}: {}: {warning}", def.label)));
            }
        }
        let group_text = draft.group(&defs);
        let group = defs
            .iter()
            .position(|d| d.kind == FieldKind::Group)
            .map(|index| GroupField {
                index,
                text: group_text.clone(),
                label: defs[index].label.clone(),
                operation: self
                    .catalog
                    .platform(&draft.platform)
                    .and_then(|p| p.operation(&draft.operation))
                    .map_or(String::new(), |o| o.label.clone()),
            });
        let mut changes = Vec::new();
        // Any store stands in for one still being resolved: it changes no entry name.
        let (integration, rewritten) =
            self.planned_alone(index, store.unwrap_or(StoreKind::SecretService));
        integration_changes(
            draft.original.as_ref(),
            &integration,
            &rewritten,
            &mut changes,
        );
        let operation = self
            .catalog
            .platforms
            .iter()
            .position(|p| p.id == draft.platform)
            .and_then(|p| {
                self.catalog.platforms[p]
                    .operations
                    .iter()
                    .position(|o| o.id == draft.operation)
                    .map(|o| (p, o))
            });
        Derived {
            operation,
            store,
            namespace: self.identity.namespace.clone(),
            group_key: group_key(&group_text),
            group,
            group_error: RefCell::new(None),
            name,
            errors,
            warnings,
            changes: changes.into(),
        }
    }

    /// For each integration of the loaded file, the index of the form (so of the
    /// integration a save writes) it became; `None`: deleted. Worked out again only
    /// when forms come or go.
    pub(super) fn successor_kept(&self) -> Rc<Vec<Option<usize>>> {
        let structure = self.forms.structure();
        if let Some((kept, successor)) = &*self.memo.successor.borrow()
            && *kept == structure
        {
            return Rc::clone(successor);
        }
        let successor = Rc::new(self.successor());
        *self.memo.successor.borrow_mut() = Some((structure, Rc::clone(&successor)));
        successor
    }

    /// What a save changes in form `index`; `matched`: it became an integration of the
    /// loaded file (a form loaded from a file that has changed since is added).
    ///
    /// Only the form's own new values count as rewritten: two forms name the same entry
    /// only with the same Group, which stops a save.
    pub(super) fn changes_of(&self, index: usize, matched: bool) -> Rc<[Change]> {
        if matched || self.forms[index].original.is_none() {
            return Rc::clone(&self.derived(index).changes);
        }
        let store = self.ready_store().unwrap_or(StoreKind::SecretService);
        let (integration, rewritten) = self.planned_alone(index, store);
        let mut changes = Vec::new();
        integration_changes(None, &integration, &rewritten, &mut changes);
        changes.into()
    }
}
