//! What Ctrl-S changes in the file on disk: the document the wizard loaded against
//! the one its save plan writes, worked out again only when an integration, the store
//! or the namespace changed (Review draws it each frame).

use std::cell::RefCell;
use std::rc::Rc;

use super::Wizard;
use super::claims::Claims;
use crate::config::Document;
use crate::config::diff::Change;

/// The file as loaded at start (read only), and the changes made to it so far.
#[derive(Debug, Default)]
pub struct Loaded {
    pub document: Option<Document>,
    /// The file's text as loaded: its comments are carried into what a save writes.
    pub text: Option<String>,
    changes: RefCell<Option<(ChangesFor, Rc<PendingChanges>)>>,
}

/// What a save would change, as each form's changes (shared with what the form keeps)
/// then the file's integrations no form became: at 10,000 integrations a version-1
/// file has 20,000 changes (every entry moves), and copying them on each update cost
/// more than the rest of Review.
#[derive(Debug, Default)]
pub struct PendingChanges {
    parts: Vec<Rc<[Change]>>,
}

impl PendingChanges {
    pub fn iter(&self) -> impl Clone + Iterator<Item = &Change> {
        self.parts.iter().flat_map(|part| part.iter())
    }

    pub fn is_empty(&self) -> bool {
        self.parts.iter().all(|part| part.is_empty())
    }

    pub fn to_vec(&self) -> Vec<Change> {
        self.iter().cloned().collect()
    }
}

/// What the changes were worked out for: the forms' generation, the store new secrets
/// go to, and the namespace.
type ChangesFor = (u64, Option<crate::secret::StoreKind>, String);

impl Loaded {
    pub fn new(document: Option<&Document>) -> Loaded {
        Loaded {
            document: document.cloned(),
            text: None,
            changes: RefCell::new(None),
        }
    }
}

impl Wizard {
    /// The changes a save would make now, secrets redacted.
    pub fn pending_changes(&self) -> Rc<PendingChanges> {
        let now: ChangesFor = (
            self.forms.generation(),
            self.ready_store(),
            self.identity.namespace.clone(),
        );
        if let Some((kept, changes)) = &*self.loaded.changes.borrow()
            && *kept == now
        {
            return Rc::clone(changes);
        }
        let changes = Rc::new(self.work_out_changes());
        *self.loaded.changes.borrow_mut() = Some((now, Rc::clone(&changes)));
        changes
    }

    /// Form by form, from what each form's facts keep (`derived.rs`), then the
    /// integrations of the file no form became: the same as a diff of the loaded
    /// document against the save plan's, without planning 10,000 integrations again.
    fn work_out_changes(&self) -> PendingChanges {
        let successor = self.successor_kept();
        let mut matched = vec![false; self.forms.len()];
        for &index in successor.iter().flatten() {
            matched[index] = true;
        }
        let mut parts: Vec<Rc<[Change]>> = (0..self.forms.len())
            .map(|index| self.changes_of(index, matched[index]))
            .filter(|part| !part.is_empty())
            .collect();
        let loaded = self
            .loaded
            .document
            .as_ref()
            .map_or(&[][..], |d| d.integrations.as_slice());
        let removed: Vec<Change> = loaded
            .iter()
            .zip(successor.iter())
            .filter(|(_, next)| next.is_none())
            .map(|(integration, _)| Change::IntegrationRemoved {
                label: crate::config::diff::label(integration),
            })
            .collect();
        parts.push(removed.into());
        PendingChanges { parts }
    }

    /// For each integration of the loaded file, the index of the draft (so of the
    /// integration a save writes) it became; `None`: deleted.
    pub fn successor(&self) -> Vec<Option<usize>> {
        let loaded = self
            .loaded
            .document
            .as_ref()
            .map_or(&[][..], |d| d.integrations.as_slice());
        // Each draft is one integration of the plan, in order; a draft from the file
        // remembers the integration it was loaded from, matched to the first alike.
        let mut claims = Claims::new(loaded.iter().map(Some));
        let mut successor = vec![None; loaded.len()];
        for (index, draft) in self.forms.iter().enumerate() {
            if let Some(at) = draft.original.as_ref().and_then(|o| claims.claim(o)) {
                successor[at] = Some(index);
            }
        }
        successor
    }
}

#[cfg(test)]
mod tests {
    use crate::config::diff::Change;
    use crate::secret::StoreKind;
    use crate::test_support::{
        CLIENT_SECRET, act, loaded_document, paste, ready, rename_first_group,
    };
    use crate::wizard::review_text::change_lines;
    use crate::wizard::{Action, Msg, StoreInfo};

    fn resolved(w: &mut crate::wizard::Wizard) {
        w.update(Msg::StoreResolved(Ok(StoreInfo {
            kind: StoreKind::SecretService,
            note: None,
            systemd_creds_skipped: None,
        })));
    }

    #[test]
    fn an_untouched_file_has_no_changes() {
        let document = loaded_document(StoreKind::Keyutils, true);
        let mut w = crate::test_support::first_row_of(&document);
        resolved(&mut w);
        assert!(w.pending_changes().is_empty());
        assert_eq!(change_lines(w.pending_changes().iter()), ["No changes."]);
    }

    #[test]
    fn a_renamed_group_is_one_rename_whose_secrets_move_and_a_retyped_secret_is_new() {
        let document = loaded_document(StoreKind::Keyutils, true);
        let mut w = rename_first_group(&document, "east");
        resolved(&mut w);
        act(&mut w, Action::Next); // Status
        act(&mut w, Action::Toggle);
        act(&mut w, Action::Next); // client ID
        act(&mut w, Action::Next); // client secret
        paste(&mut w, CLIENT_SECRET);
        let lines = change_lines(w.pending_changes().iter());
        assert_eq!(
            lines,
            [
                "historical/default: group renamed to historical/east",
                "historical/east: Status on -> off",
                "historical/east: client_secret new value",
                "historical/east: jwt moved from keyutils \
                 000000000000/ringcentral-v1/historical/default/jwt to keyutils \
                 000000000000/ringcentral-v1/historical/east/jwt",
            ]
        );
        assert!(lines.iter().all(|l| !l.contains(CLIENT_SECRET)));
        // The changes follow every update, not only the first.
        act(&mut w, Action::Prev);
        act(&mut w, Action::Prev);
        act(&mut w, Action::Toggle);
        assert!(
            !w.pending_changes()
                .iter()
                .any(|c| matches!(c, Change::StatusChanged { .. })),
            "{:?}",
            w.pending_changes()
        );
    }

    #[test]
    fn a_new_file_lists_its_integrations_as_added_without_their_secrets() {
        let mut w = ready(StoreKind::SecretService);
        act(&mut w, Action::Enter);
        crate::test_support::add_integration(
            &mut w,
            "east",
            &crate::test_support::jwt_never_expires(),
        );
        let changes = w.pending_changes();
        assert_eq!(
            changes
                .iter()
                .filter(|c| matches!(c, Change::SecretNewValue { .. }))
                .count(),
            2,
            "the audit counts them: {changes:?}"
        );
        assert_eq!(change_lines(changes.iter()), ["historical/east: added"]);
    }

    /// What Review shows: the diff of the whole save plan against the loaded file,
    /// worked out again from scratch.
    fn full_diff(w: &crate::wizard::Wizard) -> Vec<Change> {
        let store = match w.store() {
            crate::wizard::StoreStatus::Ready(info) => info.kind,
            _ => StoreKind::SecretService,
        };
        let plan = w.save_plan(store);
        let rewritten: Vec<_> = plan.writes.iter().map(|w| w.target.clone()).collect();
        crate::config::diff::diff(
            w.loaded().document.as_ref(),
            &plan.document,
            Some(&w.successor()),
            &rewritten,
        )
    }

    /// The changes are kept form by form across updates; after every kind of edit they
    /// are what a diff of the whole plan says.
    #[test]
    fn the_changes_kept_per_form_are_the_whole_plans_diff_after_every_edit() {
        use crate::test_support::{historical_in, integration_in, type_text};
        let mut document = historical_in(&["west", "north", "south"]);
        document.integrations.push(integration_in(
            "user-import",
            Some("west"),
            StoreKind::Keyutils,
        ));
        let mut w = crate::test_support::first_row_of(&document);
        resolved(&mut w);
        let mut seen = vec![full_diff(&w)];
        assert_eq!(w.pending_changes().to_vec(), full_diff(&w));
        act(&mut w, Action::Enter); // west's form: Group
        type_text(&mut w, "x");
        act(&mut w, Action::Next); // Status
        act(&mut w, Action::Toggle);
        act(&mut w, Action::Next); // client ID
        type_text(&mut w, "1");
        act(&mut w, Action::Next); // client secret
        paste(&mut w, CLIENT_SECRET);
        assert_eq!(w.pending_changes().to_vec(), full_diff(&w));
        seen.push(full_diff(&w));
        act(&mut w, Action::Back); // the list, west kept
        act(&mut w, Action::Next);
        act(&mut w, Action::Delete); // north
        act(&mut w, Action::Yes);
        assert_eq!(w.pending_changes().to_vec(), full_diff(&w));
        seen.push(full_diff(&w));
        crate::test_support::select_row(&mut w, 2); // Add, after west and south
        crate::test_support::add_integration(
            &mut w,
            "east",
            &crate::test_support::jwt_never_expires(),
        );
        assert_eq!(w.pending_changes().to_vec(), full_diff(&w));
        seen.push(full_diff(&w));
        w.update(Msg::StoreResolved(Ok(StoreInfo {
            kind: StoreKind::Keyutils,
            note: None,
            systemd_creds_skipped: None,
        })));
        assert_eq!(w.pending_changes().to_vec(), full_diff(&w));
        // Each step changed something, so none of the comparisons above was empty.
        assert!(seen.windows(2).all(|pair| pair[0] != pair[1]), "{seen:#?}");
        let last = w.pending_changes();
        assert!(
            last.iter()
                .any(|c| matches!(c, Change::IntegrationRemoved { .. }))
        );
        assert!(
            last.iter()
                .any(|c| matches!(c, Change::IntegrationAdded { .. }))
        );
    }
}
