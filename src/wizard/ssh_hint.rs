//! The first screen's word to an operator over SSH that a dropped link loses nothing.

use super::{Level, Notice, Wizard};

/// Over SSH (`SSH_CONNECTION` set) and not inside tmux (`TMUX`) or screen (`STY`),
/// a dropped link ends the wizard: worth saying on the first screen.
pub fn link_can_drop(ssh_connection: bool, in_tmux: bool, in_screen: bool) -> bool {
    ssh_connection && !in_tmux && !in_screen
}

pub const SSH_HINT: &str = "Over SSH: if the link drops, what you typed is kept in a draft \
                            and offered when you start wfm-wizard again. Running it inside \
                            tmux keeps the whole session alive.";

impl Wizard {
    /// Says on the first screen that a dropped link loses nothing (see [`link_can_drop`]).
    pub(super) fn show_ssh_hint(&mut self) {
        self.notice = Some(Notice {
            level: Level::Info,
            text: SSH_HINT.into(),
        });
    }
}
