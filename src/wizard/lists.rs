//! The Platform step and the per-operation integration lists.

use std::fmt::Write;
use std::rc::Rc;

use super::{Action, IntegrationForm, Level, Notice, Overlay, Step, Wizard};
use crate::catalog::{FieldDef, Operation, Prerequisite, Requirement};
use crate::validate::operation_rules::{self, Broken};

/// What stops a save and what Review only warns about, one shared line each.
#[derive(Debug, Default)]
pub struct ReviewNotes {
    pub problems: Vec<Rc<str>>,
    pub warnings: Vec<Rc<str>>,
}

/// One row of an operation's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListItem {
    Integration(usize),
    Add,
    Continue,
}

impl Wizard {
    /// Indices of the drafts of the current platform and operation `op`.
    pub fn drafts_of(&self, op: usize) -> Vec<usize> {
        let platform = &self.current_platform().id;
        let operation = &self.operation(op).id;
        (0..self.forms.len())
            .filter(|&i| {
                self.forms[i].platform == *platform && self.forms[i].operation == *operation
            })
            .collect()
    }

    pub fn list_items(&self, op: usize) -> Vec<ListItem> {
        let mut items: Vec<ListItem> = self
            .drafts_of(op)
            .into_iter()
            .map(ListItem::Integration)
            .collect();
        items.push(ListItem::Add);
        items.push(ListItem::Continue);
        items
    }

    /// The rules of operation `op` this session breaks (see `validate::operation_rules`).
    fn broken_rules(&self, op: usize) -> Vec<Broken<'_>> {
        self.rules_broken_by(&self.current_platform().id, self.operation(op))
    }

    fn rules_broken_by<'a>(&self, platform: &str, operation: &'a Operation) -> Vec<Broken<'a>> {
        let has = |other: &str| {
            self.forms
                .iter()
                .any(|d| d.platform == platform && d.operation == other)
        };
        operation_rules::broken(platform, operation, has, &self.confirmed)
    }

    /// Prerequisites of `op` the operator has not confirmed yet.
    pub fn unconfirmed(&self, op: usize) -> Vec<&Prerequisite> {
        self.broken_rules(op)
            .into_iter()
            .filter_map(|rule| match rule {
                Broken::Unconfirmed(p) => Some(p),
                Broken::Requires(_) => None,
            })
            .collect()
    }

    /// The first operation `op` requires that has no integration yet.
    pub fn missing_requirement(&self, op: usize) -> Option<&Requirement> {
        self.broken_rules(op)
            .into_iter()
            .find_map(|rule| match rule {
                Broken::Requires(r) => Some(r),
                Broken::Unconfirmed(_) => None,
            })
    }

    /// The label of what comes after operation `op`.
    pub fn next_label(&self, op: usize) -> String {
        let ops = &self.current_platform().operations;
        ops.get(op + 1)
            .map_or_else(|| "Review".to_owned(), |o| o.label.clone())
    }

    pub(super) fn enter_operation(&mut self, op: usize) {
        let items = self.list_items(op);
        let selected = if items.len() == 2 { 0 } else { items.len() - 1 };
        self.step = Step::Operation { op, selected };
    }

    pub(super) fn select_row(&mut self, row: usize) {
        match self.step {
            Step::Platform { .. } => {
                let last = self.catalog.platforms.len().saturating_sub(1);
                self.step = Step::Platform {
                    selected: row.min(last),
                };
            }
            Step::Operation { op, .. } => {
                let last = self.list_items(op).len().saturating_sub(1);
                self.step = Step::Operation {
                    op,
                    selected: row.min(last),
                };
            }
            _ => {}
        }
    }

    pub(super) fn platform_action(&mut self, selected: usize, action: Action) {
        let count = self.catalog.platforms.len();
        let selected = match action {
            Action::Enter => {
                self.platform = selected;
                self.enter_operation(0);
                return;
            }
            Action::Back => {
                self.request_quit();
                return;
            }
            Action::Help => {
                self.overlay = Some(Overlay::Help {
                    title: "Platform".into(),
                    text: "Pick the contact-center platform to configure. The next steps ask for the \
                           settings of each operation it offers; nothing is written until you save on \
                           Review."
                        .into(),
                });
                selected
            }
            other => move_selection(selected, count, other),
        };
        self.step = Step::Platform { selected };
    }

    pub(super) fn operation_action(&mut self, op: usize, selected: usize, action: Action) {
        let items = self.list_items(op);
        match action {
            Action::Enter => match items[selected.min(items.len() - 1)] {
                ListItem::Integration(draft) => self.open_form_through_gate(draft),
                ListItem::Add => self.add(op),
                ListItem::Continue => {
                    if op + 1 < self.current_platform().operations.len() {
                        self.enter_operation(op + 1);
                    } else {
                        self.step = Step::Review { scroll: 0 };
                    }
                }
            },
            Action::Delete => {
                if let ListItem::Integration(draft) = items[selected.min(items.len() - 1)] {
                    self.overlay = Some(Overlay::ConfirmDelete { draft });
                }
            }
            Action::Yes => self.confirm_prerequisites(op),
            Action::Back => {
                if op == 0 {
                    self.step = Step::Platform {
                        selected: self.platform,
                    };
                } else {
                    self.enter_operation(op - 1);
                }
            }
            Action::Help => {
                let operation = self.operation(op);
                let mut text = format!(
                    "{}: each integration here is one set of credentials for {}. Enter opens the \
                     selected one; \"Add\" creates another; d deletes the selected one.",
                    operation.label,
                    self.current_platform().label
                );
                for p in &operation.prerequisites {
                    text.push_str("\n\n");
                    text.push_str(&p.text);
                }
                for r in &operation.requires {
                    let _ = write!(
                        text,
                        "\n\nNeeds a {} integration first: {}",
                        r.operation, r.why
                    );
                }
                self.overlay = Some(Overlay::Help {
                    title: operation.label.clone(),
                    text,
                });
            }
            other => {
                let selected = move_selection(selected, items.len(), other);
                self.step = Step::Operation { op, selected };
            }
        }
    }

    fn add(&mut self, op: usize) {
        if let Some(requirement) = self.missing_requirement(op) {
            let label = self
                .current_platform()
                .operation(&requirement.operation)
                .map_or(requirement.operation.as_str(), |o| o.label.as_str());
            self.notice = Some(Notice {
                level: Level::Error,
                text: format!("Configure {label} first: {}", requirement.why),
            });
            return;
        }
        if let Some(prerequisite) = self.unconfirmed(op).first() {
            self.notice = Some(Notice {
                level: Level::Error,
                text: format!("{} Press y once it is configured.", prerequisite.question),
            });
            return;
        }
        let draft = IntegrationForm::new(self.current_platform(), self.operation(op));
        self.forms.push(draft);
        self.open_form_through_gate(self.forms.len() - 1);
    }

    fn confirm_prerequisites(&mut self, op: usize) {
        let platform = self.current_platform().id.clone();
        let operation = self.operation(op).id.clone();
        let ids: Vec<String> = self
            .unconfirmed(op)
            .iter()
            .map(|p| prerequisite_id(&platform, &operation, &p.id))
            .collect();
        if ids.is_empty() {
            return;
        }
        self.confirmed.extend(ids);
        self.confirmed.sort();
        self.dirty = true;
        self.notice = Some(Notice {
            level: Level::Info,
            text: "Confirmed; this is recorded in the file and not asked again.".into(),
        });
    }

    pub(super) fn delete_draft(&mut self, draft: usize) {
        let removed = self.forms.remove(draft);
        if let Some(original) = removed.original {
            self.removed.push(original);
        }
        self.dirty = true;
        if let Step::Operation { op, selected } = self.step {
            let last = self.list_items(op).len() - 1;
            self.step = Step::Operation {
                op,
                selected: selected.min(last),
            };
        }
        self.notice = Some(Notice {
            level: Level::Info,
            text: "Deleted. Its keyring entries are removed when you save.".into(),
        });
    }

    /// Everything that stops a save, one line each.
    pub fn problems(&self) -> Vec<String> {
        self.problems_and_warnings().0
    }

    /// What stops a save (problems) and what Review only warns about (a client ID that
    /// is not 22 characters, a sub account ID with letters), one line each, as "name:
    /// field: text".
    pub fn problems_and_warnings(&self) -> (Vec<String>, Vec<String>) {
        let notes = self.review_notes();
        let owned = |notes: &[Rc<str>]| notes.iter().map(ToString::to_string).collect();
        (owned(&notes.problems), owned(&notes.warnings))
    }

    /// [`Self::problems_and_warnings`] as shared texts, kept until an integration, the
    /// store or the confirmations change: a form's field problems are the same
    /// allocation from one update to the next until the form changes, so a view can
    /// keep what it measured of each (at 10,000 integrations this is what Review shows).
    pub fn review_notes(&self) -> Rc<ReviewNotes> {
        let now = (
            self.forms.generation(),
            self.ready_store(),
            self.confirmed.len(),
        );
        if let Some((kept, notes)) = &*self.notes.borrow()
            && *kept == now
        {
            return Rc::clone(notes);
        }
        let notes = Rc::new(self.work_out_notes());
        *self.notes.borrow_mut() = Some((now, Rc::clone(&notes)));
        notes
    }

    fn work_out_notes(&self) -> ReviewNotes {
        let mut out = Vec::new();
        let mut warnings = Vec::new();
        // The rules each operation breaks, under its place in the catalog.
        let mut rules: Vec<((usize, usize), Vec<Broken>)> = Vec::new();
        let group_counts = self.group_counts();
        for index in 0..self.forms.len() {
            let derived = self.derived(index);
            let (others, same) = group_counts[index];
            let mut group_error = derived.group_error(others, same);
            for (field, error) in &derived.errors {
                if let Some((_, group)) = group_error.take_if(|(g, _)| *g < *field) {
                    out.push(group);
                }
                out.push(Rc::clone(error));
            }
            if let Some((_, group)) = group_error {
                out.push(group);
            }
            warnings.extend(derived.warnings.iter().cloned());
            let Some(place) = derived.operation else {
                continue;
            };
            let at = rules
                .iter()
                .position(|(p, _)| *p == place)
                .unwrap_or_else(|| {
                    let platform = &self.catalog.platforms[place.0];
                    let operation = &platform.operations[place.1];
                    rules.push((place, self.rules_broken_by(&platform.id, operation)));
                    rules.len() - 1
                });
            // Every broken rule stops a save (`operation_rules::SEVERITY`).
            for rule in &rules[at].1 {
                let name = &derived.name;
                out.push(Rc::from(match rule {
                    Broken::Requires(r) => {
                        format!(
                            "{name}: needs a {} integration first: {}",
                            r.operation, r.why
                        )
                    }
                    Broken::Unconfirmed(p) => format!("{name}: {}", p.question),
                }));
            }
        }
        ReviewNotes {
            problems: out,
            warnings,
        }
    }

    /// "Historical settings (east)" or "Historical settings (no group)".
    pub fn draft_name(&self, index: usize) -> String {
        self.derived(index).name.clone()
    }

    /// [`Self::draft_name`], its form fields (`defs`) already looked up.
    pub(super) fn draft_name_of(&self, index: usize, defs: &[&FieldDef]) -> String {
        let draft = &self.forms[index];
        let label = self
            .catalog
            .platform(&draft.platform)
            .and_then(|p| p.operation(&draft.operation))
            .map_or(draft.operation.as_str(), |o| o.label.as_str());
        let group = draft.group(defs);
        if group.is_empty() {
            format!("{label} (no group)")
        } else {
            format!("{label} ({group})")
        }
    }
}

pub use crate::validate::operation_rules::prerequisite_id;

fn move_selection(selected: usize, count: usize, action: Action) -> usize {
    let last = count.saturating_sub(1);
    match action {
        Action::Next => (selected + 1).min(last),
        Action::Prev => selected.saturating_sub(1),
        Action::First | Action::PageUp => 0,
        Action::Last | Action::PageDown => last,
        _ => selected,
    }
}
