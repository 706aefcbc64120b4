//! The generic form over an operation's catalog fields.

use secrecy::{ExposeSecret, SecretString};

use super::{Action, InputRequest, Level, Notice, Overlay, Step, Wizard};
use crate::catalog::{FieldDef, FieldKind};
use crate::validate::{FieldCheck, Value, check_field, check_group_counts};

impl Wizard {
    pub(super) fn open_form(&mut self, draft: usize) {
        let focus = match self.recovery.focus.take() {
            Some((form, focus)) if form == draft => {
                focus.min(self.forms[draft].fields.len().saturating_sub(1))
            }
            _ => 0,
        };
        self.step = Step::Form {
            form: draft,
            focus,
            revealed: false,
        };
    }

    /// The check shown under a field: its own rules, plus the Group rules.
    pub fn field_check(&self, draft: usize, field: usize) -> FieldCheck {
        self.field_check_of(draft, field, &self.form_fields(draft))
    }

    /// [`Self::field_check`], the draft's form fields (`defs`) already looked up.
    pub(super) fn field_check_of(
        &self,
        draft: usize,
        field: usize,
        defs: &[&FieldDef],
    ) -> FieldCheck {
        let def = defs[field];
        let d = &self.forms[draft];
        if def.kind == FieldKind::Group {
            let group = d.group(defs);
            let (others, same) = self.group_counts()[draft];
            let label = self
                .catalog
                .platform(&d.platform)
                .and_then(|p| p.operation(&d.operation))
                .map_or("", |o| o.label.as_str());
            return FieldCheck {
                error: check_group_counts(&group, others, same, label),
                ..FieldCheck::default()
            };
        }
        if let Some(error) = self.secret_problem(draft, field) {
            return FieldCheck {
                error: Some(error),
                ..FieldCheck::default()
            };
        }
        check_field(def, d.value(field), self.now)
    }

    pub(super) fn form_action(
        &mut self,
        draft: usize,
        focus: usize,
        revealed: bool,
        action: Action,
    ) {
        let last = self.forms[draft].fields.len() - 1;
        let op = self.op_index(draft);
        match action {
            Action::Next
            | Action::Prev
            | Action::First
            | Action::Last
            | Action::PageDown
            | Action::PageUp => {
                self.forms[draft].visited[focus] = true;
                let focus = match action {
                    Action::Next => (focus + 1).min(last),
                    Action::Prev => focus.saturating_sub(1),
                    Action::First | Action::PageUp => 0,
                    _ => last,
                };
                self.step = Step::Form {
                    form: draft,
                    focus,
                    revealed: false,
                };
            }
            Action::Enter => {
                self.forms[draft].visited[focus] = true;
                if focus < last {
                    self.step = Step::Form {
                        form: draft,
                        focus: focus + 1,
                        revealed: false,
                    };
                } else {
                    self.complete(draft, op);
                }
            }
            Action::Clear => self.form_edit(InputRequest::DeleteLine),
            Action::Toggle if self.forms[draft].flip(focus) => {
                self.dirty = true;
            }
            Action::Reveal => match self.forms[draft].value(focus) {
                Value::Secret {
                    typed: None,
                    stored: true,
                } => {
                    self.notice = Some(Notice {
                        level: Level::Info,
                        text: "The stored value stays in the keyring; type or paste to replace it."
                            .into(),
                    });
                }
                Value::Secret { .. } => {
                    self.step = Step::Form {
                        form: draft,
                        focus,
                        revealed: !revealed,
                    }
                }
                _ => {}
            },
            Action::Back => {
                self.forms[draft].visited[focus] = true;
                let untouched = self.forms[draft].original.is_none() && !self.forms[draft].touched;
                if untouched {
                    self.forms.remove(draft);
                }
                let selected = self.list_position(op, (!untouched).then_some(draft));
                self.step = Step::Operation { op, selected };
            }
            Action::Help => {
                let def = self.form_fields(draft)[focus];
                self.overlay = Some(Overlay::Help {
                    title: def.label.clone(),
                    text: def.full_help(),
                });
            }
            _ => {}
        }
    }

    pub(super) fn form_edit(&mut self, request: InputRequest) {
        if let Step::Form {
            form: draft, focus, ..
        } = self.step
            && self.forms[draft].edit(focus, request)
        {
            self.dirty = true;
            self.show_limit_at_once(draft, focus);
        }
    }

    pub(super) fn form_paste(&mut self, pasted: &SecretString) {
        let Step::Form {
            form: draft, focus, ..
        } = self.step
        else {
            return;
        };
        if matches!(self.forms[draft].value(focus), Value::Toggle(_)) {
            self.notice = Some(Notice {
                level: Level::Info,
                text: "Status is a toggle: Space switches it.".into(),
            });
            return;
        }
        match clean_paste(pasted.expose_secret()) {
            Ok(text) => {
                self.forms[draft].insert(focus, text);
                self.dirty = true;
                self.notice = None;
                self.show_limit_at_once(draft, focus);
            }
            Err(message) => {
                self.notice = Some(Notice {
                    level: Level::Error,
                    text: message,
                });
            }
        }
    }

    fn complete(&mut self, draft: usize, op: usize) {
        self.forms[draft].visited.fill(true);
        let first_error = (0..self.forms[draft].fields.len())
            .find(|&i| self.field_check(draft, i).error.is_some());
        if let Some(focus) = first_error {
            self.step = Step::Form {
                form: draft,
                focus,
                revealed: false,
            };
            self.notice = Some(Notice {
                level: Level::Error,
                text: "Fix the marked fields to finish this integration (⟦Back⟧ goes back and keeps what you typed)."
                    .into(),
            });
            return;
        }
        let continue_at = self.list_items(op).len() - 1;
        self.step = Step::Operation {
            op,
            selected: continue_at,
        };
        let done = if self.forms[draft].original.is_some() {
            "Updated"
        } else {
            "Added to the list"
        };
        self.notice = Some(Notice {
            level: Level::Info,
            text: format!("{done}. Nothing is written until you save on Review (⟦Save⟧)."),
        });
    }

    /// Index of the draft's operation within its platform.
    fn op_index(&self, draft: usize) -> usize {
        let d = &self.forms[draft];
        self.current_platform()
            .operations
            .iter()
            .position(|o| o.id == d.operation)
            .unwrap_or(0)
    }

    fn list_position(&self, op: usize, draft: Option<usize>) -> usize {
        let items = self.list_items(op);
        draft
            .and_then(|d| {
                items
                    .iter()
                    .position(|i| *i == super::lists::ListItem::Integration(d))
            })
            .unwrap_or(items.len() - 2)
    }
}

/// Drops one trailing newline; refuses control and escape characters, saying which
/// (see `control_characters`).
pub fn clean_paste(raw: &str) -> Result<&str, String> {
    let text = raw
        .strip_suffix("\r\n")
        .or_else(|| raw.strip_suffix('\n'))
        .or_else(|| raw.strip_suffix('\r'))
        .unwrap_or(raw);
    super::control_characters::refuse_control_characters(text)?;
    Ok(text)
}
