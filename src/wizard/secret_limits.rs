//! What a secret field cannot be: longer than the session's store holds (known up
//! front, `StoreKind::max_value_bytes`), or a reference to an entry that is gone.

use super::{FieldState, Level, NotKept, Notice, StoreStatus, Wizard};
use crate::secret::StoreKind;

/// The error for a value `kind` cannot keep, saying what to do instead; `None` when it fits.
pub fn too_long_for(kind: StoreKind, value: &str) -> Option<String> {
    if kind.holds(value) {
        return None;
    }
    let instead = match kind {
        StoreKind::SecretService | StoreKind::Keychain | StoreKind::SystemdCreds => {
            "No store here keeps a secret that long: check that this is the right value".to_owned()
        }
        _ => "Keep it in another store: start wfm-wizard again with --secret-store \
              secret-service (the desktop keyring) or --secret-store systemd-creds \
              (systemd credentials); a draft keeps your other answers"
            .to_owned(),
    };
    Some(format!(
        "Too long for {kind}: this value is {} bytes and {kind} holds at most {} bytes per \
         secret, so it cannot be saved there. {instead}.",
        group_digits(kind.stored_bytes(value)),
        group_digits(kind.max_value_bytes()),
    ))
}

/// 100000 as "100,000".
fn group_digits(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Wizard {
    /// The store new secrets go to, once known.
    pub(super) fn ready_store(&self) -> Option<StoreKind> {
        match &self.store {
            StoreStatus::Ready(info) => Some(info.kind),
            _ => None,
        }
    }

    /// A secret field's problem that no catalog rule knows of: a typed value the store
    /// cannot hold, or (nothing typed) a stored entry that is gone.
    pub(super) fn secret_problem(&self, draft: usize, field: usize) -> Option<String> {
        let FieldState::Secret(secret) = self.forms.get(draft)?.fields.get(field)? else {
            return None;
        };
        if !secret.typed.is_empty() {
            return too_long_for(self.ready_store()?, secret.typed.expose());
        }
        let reference = secret.stored.as_ref().filter(|_| secret.vanished)?;
        Some(format!(
            "The stored value is gone: {} has no entry `{}` any more{}. Paste or type it \
             again; it cannot be saved without it.",
            reference.store,
            crate::safe_text::escape(&reference.user),
            if reference.store.survives_reboot() {
                ""
            } else {
                " (the kernel keyring forgets at reboot and after 3 idle days)"
            }
        ))
    }

    /// After typing or pasting into a secret: a value the store cannot hold is shown at
    /// once, not when the operator leaves the field.
    pub(super) fn show_limit_at_once(&mut self, draft: usize, field: usize) {
        let too_long = matches!(
            &self.forms[draft].fields[field],
            FieldState::Secret(secret) if !secret.typed.is_empty()
        ) && self.secret_problem(draft, field).is_some();
        if too_long {
            self.forms[draft].visited[field] = true;
        }
    }

    /// Once the store is known: secrets typed before that it cannot hold show their error.
    pub(super) fn show_limits_now(&mut self) {
        for draft in 0..self.forms.len() {
            for field in 0..self.forms[draft].fields.len() {
                self.show_limit_at_once(draft, field);
            }
        }
    }

    /// A draft was written without some typed secrets: drop their entries and say which.
    pub(super) fn draft_kept_all_but(&mut self, not_kept: &[NotKept]) {
        let mut told = Vec::new();
        for gone in not_kept {
            self.recovery.entries.retain(|e| *e != gone.entry);
            let what = self
                .recovery
                .parked
                .iter()
                .find(|(entry, _)| *entry == gone.entry)
                .map_or("a secret", |(_, what)| what.as_str());
            told.push(format!("{what}: {}", gone.why));
        }
        self.tell_not_kept(&told);
    }

    /// Says which typed secrets the draft does not keep (the other answers it does).
    pub(super) fn tell_not_kept(&mut self, which: &[String]) {
        if which.is_empty() {
            return;
        }
        let text = format!(
            "The draft keeps your answers except these secrets, which are not kept anywhere: \
             {}.",
            which.join("; ")
        );
        match &mut self.notice {
            Some(notice) if !notice.text.contains(&text) => {
                notice.level = Level::Error;
                notice.text.push(' ');
                notice.text.push_str(&text);
            }
            Some(_) => {}
            None => {
                self.notice = Some(Notice {
                    level: Level::Error,
                    text,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests;
