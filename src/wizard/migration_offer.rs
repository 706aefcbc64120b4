//! A loaded file whose secrets are in the kernel keyring, on a machine that can keep
//! them as systemd credentials: the first screen says they will be lost at the next
//! reboot and how to keep them (`migrate-secrets`, atomic like a save).

use super::{Level, Notice, Wizard};

/// The command that moves them.
pub const MIGRATE_COMMAND: &str = "wfm-wizard migrate-secrets --to systemd-creds";

impl Wizard {
    /// `in_kernel_keyring`: how many secrets of the loaded file the kernel keyring holds.
    pub(super) fn offer_migration(&mut self, in_kernel_keyring: usize) {
        if in_kernel_keyring == 0 || self.read_only.is_some() {
            return;
        }
        self.notice = Some(Notice {
            level: Level::Error,
            text: format!(
                "{in_kernel_keyring} secret(s) of this file are in the kernel keyring and will be \
                 lost at the next reboot. This machine can keep them as systemd credentials \
                 (encrypted with its key, surviving reboots): quit (⟦Quit⟧) and run \
                 `{MIGRATE_COMMAND}`."
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::secret::StoreKind;
    use crate::test_support::{NOW, loaded_document};
    use crate::wizard::{Msg, Startup, Wizard};

    #[test]
    fn the_offer_names_the_command_and_the_count() {
        let document = loaded_document(StoreKind::Keyutils, true);
        let mut w = Wizard::new(
            crate::catalog::Catalog::builtin(),
            Some(&document),
            "x",
            NOW,
        );
        w.update(Msg::Startup(Startup::KernelSecretsToKeep(2)));
        let text = &w.notice.as_ref().unwrap().text;
        assert!(text.starts_with("2 secret(s)"), "{text}");
        assert!(text.contains(super::MIGRATE_COMMAND), "{text}");
        let mut quiet = Wizard::new(
            crate::catalog::Catalog::builtin(),
            Some(&document),
            "x",
            NOW,
        );
        quiet.update(Msg::Startup(Startup::KernelSecretsToKeep(0)));
        assert!(quiet.notice.is_none());
    }
}
