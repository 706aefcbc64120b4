//! A wizard whose file is still being read: the first frame goes out at once, the
//! read and check run as an effect (`Effect::LoadConfig`), and the wizard it lands in
//! (`Msg::ConfigLoaded`) becomes interactive. Meanwhile only quitting acts.

use std::sync::Arc;

use super::{Effect, Msg, Outcome, Startup, Wizard};
use crate::catalog::Catalog;
use crate::config::Document;
use crate::config::draft::Snapshot;
use crate::identity::Identity;

/// The file as read and checked on an effect thread, with what the session learnt
/// beside it (its namespace, a draft left by an earlier session).
#[derive(Debug)]
pub struct LoadedConfig {
    pub document: Option<Document>,
    pub text: Option<String>,
    pub identity: Identity,
    /// How many secrets of the file sit in the kernel keyring where systemd
    /// credentials could keep them (0: nothing to offer).
    pub kernel_secrets_to_keep: usize,
    /// The draft an earlier session left (`Err`: unreadable, why).
    pub draft: Result<Option<Snapshot>, String>,
}

impl LoadedConfig {
    /// What the session found beside the file, as startup facts, in the order the
    /// wizard built from an inline load is told them.
    pub fn startup_facts(&mut self) -> Vec<Startup> {
        let mut facts = vec![Startup::KernelSecretsToKeep(self.kernel_secrets_to_keep)];
        match std::mem::replace(&mut self.draft, Ok(None)) {
            Ok(Some(snapshot)) => facts.push(Startup::DraftFound(snapshot)),
            Ok(None) => {}
            Err(why) => facts.push(Startup::DraftUnreadable(why)),
        }
        facts
    }
}

impl Wizard {
    /// A wizard over the file at `config_path`, not read yet: its first frame says so,
    /// and `start` asks for the read.
    pub fn loading(catalog: Arc<Catalog>, config_path: &str, now: i64) -> Wizard {
        let mut wizard = Wizard::new(catalog, None, config_path, now);
        wizard.loading = true;
        wizard
    }

    /// The file is still being read: nothing but quitting acts yet.
    pub fn is_loading(&self) -> bool {
        self.loading
    }

    /// `update` while the file is read: the load lands, or the session ends.
    pub(super) fn while_loading(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::ConfigLoaded(Ok(loaded)) => self.land(*loaded),
            Msg::ConfigLoaded(Err(why)) => {
                self.outcome = Some(Outcome::Refused(why));
                Vec::new()
            }
            // Nothing typed yet, nothing to keep: quitting is immediate.
            Msg::Act(super::Action::Quit) => {
                self.outcome = Some(Outcome::Cancelled);
                Vec::new()
            }
            Msg::Interrupted(how) => {
                self.outcome = Some(Outcome::Interrupted(how));
                Vec::new()
            }
            Msg::Startup(fact @ (Startup::LinkCanDrop | Startup::ReadOnly(_))) => {
                self.started(fact);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Becomes the wizard an inline load would have built, keeping what was learnt
    /// before (read-only, the notice), and starts what a first frame starts.
    fn land(&mut self, mut loaded: LoadedConfig) -> Vec<Effect> {
        let facts = loaded.startup_facts();
        let mut next = Wizard::new(
            Arc::clone(&self.catalog),
            loaded.document.as_ref(),
            &self.config_path,
            self.now,
        )
        .with_identity(loaded.identity)
        .with_loaded_text(loaded.text);
        next.read_only = self.read_only.take();
        next.notice = self.notice.take();
        *self = next;
        for fact in facts {
            self.started(fact);
        }
        self.start()
    }
}
