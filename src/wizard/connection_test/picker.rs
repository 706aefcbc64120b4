//! The sub-account picker under the Sub account ID field: the sub-accounts the
//! latest test read, Up/Down to move, Enter to take one, Esc to close it.

use super::{SUB_ACCOUNT_ID, TestState};
use crate::connection_verdict::SubAccount;
use crate::wizard::{Action, InputRequest, Step, Wizard};

impl Wizard {
    /// The sub-accounts the form's latest test read, to pick from.
    pub fn sub_accounts(&self, draft: usize) -> Option<&[SubAccount]> {
        match self.connection_test(draft)? {
            TestState::Done(verdict) => verdict.sub_accounts.as_deref(),
            _ => None,
        }
    }

    /// The picker under the Sub account ID field: open while that field has focus and
    /// the latest test read sub-accounts (until Esc closes it). The highlighted row.
    pub fn sub_account_picker(&self) -> Option<(usize, usize)> {
        let Step::Form { form, focus, .. } = self.step else {
            return None;
        };
        if self.tests.picker_closed || self.field_index(form, SUB_ACCOUNT_ID) != Some(focus) {
            return None;
        }
        let accounts = self.sub_accounts(form)?;
        (!accounts.is_empty()).then(|| (form, self.tests.picker_row.min(accounts.len() - 1)))
    }

    /// Up/Down/Enter/Esc while the picker is open. `true`: the picker took the action.
    pub(in crate::wizard) fn picker_action(&mut self, action: Action) -> bool {
        let Some((form, row)) = self.sub_account_picker() else {
            return false;
        };
        let count = self.sub_accounts(form).map_or(0, <[SubAccount]>::len);
        match action {
            Action::PickPrev => self.tests.picker_row = row.saturating_sub(1),
            Action::PickNext => self.tests.picker_row = (row + 1).min(count - 1),
            Action::Pick => {
                let Some(id) = self.sub_accounts(form).map(|a| a[row].id.clone()) else {
                    return false;
                };
                if let Some(field) = self.field_index(form, SUB_ACCOUNT_ID) {
                    self.forms[form].edit(field, InputRequest::DeleteLine);
                    self.forms[form].insert(field, &id);
                    self.dirty = true;
                }
                self.tests.picker_closed = true;
            }
            Action::ClosePicker => self.tests.picker_closed = true,
            _ => return false,
        }
        true
    }
}
