//! One editor at a time, and never over someone else's change: two release binaries in
//! real pseudo-terminals on one config, and a file changed on disk under a wizard.
//!
//! Before the edit lock, two wizards on one file both printed "Saved" and one update
//! was lost; the second offered (and could delete) the first one's live draft; and a
//! file changed by an editor meanwhile was overwritten without a word.
#![cfg(target_os = "linux")]

#[path = "support/pty_session.rs"]
mod pty_session;
#[path = "support/release_binary.rs"]
mod release_binary;

use std::path::Path;

use pty_session::{CTRL_S, ENTER, PtySession, wait_for_condition};

const FIRST_SCREEN: &str = "Choose the contact-center platform to configure.";
const CTRL_C: &str = "\x03";
const ESC: &str = "\x1b";
const END: &str = "\x1b[F";

fn wizard(config: &Path) -> PtySession {
    PtySession::spawn(release_binary::keyutils_wizard(config))
}

/// Kernel keyring entries a file names, removed again whatever happens.
struct StoredEntries(Vec<String>);

impl StoredEntries {
    fn new(users: &[String]) -> Self {
        let store = wfm_wizard::io::secrets::open(
            wfm_wizard::secret::StoreKind::Keyutils,
            wfm_wizard::secret::SERVICE,
        )
        .expect("the kernel keyring");
        for user in users {
            store
                .set(user, &secrecy::SecretString::from("stored-value"))
                .expect("store an entry");
        }
        StoredEntries(users.to_vec())
    }
}

impl Drop for StoredEntries {
    fn drop(&mut self) {
        if let Ok(store) = wfm_wizard::io::secrets::open(
            wfm_wizard::secret::StoreKind::Keyutils,
            wfm_wizard::secret::SERVICE,
        ) {
            for user in &self.0 {
                let _ = store.delete(user);
            }
        }
    }
}

#[test]
fn a_second_wizard_is_told_who_edits_and_never_touches_the_first_ones_draft() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    let draft = dir.path().join("integrations.yaml.draft");

    let mut first = wizard(&config);
    first.wait_for(FIRST_SCREEN);
    first.send(ENTER); // Historical list
    first.wait_for("+ Add an integration");
    first.send(ENTER); // + Add: the kernel keyring's warning first
    first.wait_for("Press Enter to continue with this store");
    first.send(ENTER);
    first.wait_for("Group");
    first.send("east");
    first.send(ESC); // back to the list: a step, so a draft
    wait_for_condition("the first wizard's draft", || {
        std::fs::read_to_string(&draft).is_ok_and(|t| t.contains("east"))
    });
    let draft_before = std::fs::read(&draft).expect("the draft");

    let mut refused = wizard(&config);
    refused.wait_for("[y/N]");
    let said = refused.output().text();
    assert!(said.contains("is being edited by"), "{said}");
    assert!(
        said.contains(&format!("pid {}", first.pid())),
        "names the holder: {said}"
    );
    refused.send("n");
    refused.send(ENTER);
    refused.wait_for("Not opened; nothing was changed.");
    assert_eq!(refused.wait_exit().exit_code(), 1);

    let mut looking = wizard(&config);
    looking.wait_for("[y/N]");
    looking.send("y");
    looking.send(ENTER);
    looking.wait_for("Read-only:");
    looking.wait_for("READ-ONLY");
    looking.send(ENTER); // a step further: the notice goes, the header keeps saying it
    looking.wait_for("+ Add an integration");
    assert!(
        looking.output().shows("READ-ONLY"),
        "{}",
        looking.output().framed()
    );
    assert!(
        !looking.output().shows("Resume"),
        "the read-only wizard offered the other's draft:\n{}",
        looking.output().framed()
    );
    looking.send(CTRL_C);
    assert_eq!(looking.wait_exit().exit_code(), 130);
    assert_eq!(
        std::fs::read(&draft).expect("the draft is still there"),
        draft_before,
        "the first wizard's draft is untouched"
    );

    first.send(CTRL_C);
    first.wait_for("Quit without saving?"); // unsaved work: asks
    first.send("y");
    assert_eq!(first.wait_exit().exit_code(), 130);

    let mut after = wizard(&config);
    after.wait_for(FIRST_SCREEN);
    assert!(
        !after.output().shows("being edited"),
        "the lock died with its holder"
    );
    after.send(CTRL_C);
    assert_eq!(after.wait_exit().exit_code(), 130);
}

#[test]
fn a_file_changed_on_disk_under_a_wizard_is_not_overwritten_and_can_be_reloaded() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("integrations.yaml");
    // The entries the file names exist: the wizard checks them after loading, and a
    // gone one would refuse the save before the file's change is found.
    let group = format!("one-editor-{}", std::process::id());
    let user = |field: &str| format!("ringcentral-v1/historical/{group}/{field}");
    let _entries = StoredEntries::new(&[user("client_secret"), user("jwt")]);
    let reference = |field: &str| {
        format!(
            "{{keyring: {{store: keyutils, service: wfm-wizard, user: {}}}}}",
            user(field)
        )
    };
    std::fs::write(
        &config,
        format!(
            "version: 1\nintegrations:\n- platform: ringcentral-v1\n  operation: historical\n  group: {group}\n  enabled: true\n  settings:\n    client_id: AbCdEfGhIjKlMnOpQrStUv\n    client_secret: {}\n    jwt: {}\n    sub_account_id: '15910001'\n",
            reference("client_secret"),
            reference("jwt")
        ),
    )
    .expect("write the config");

    let mut session = wizard(&config);
    session.wait_for(FIRST_SCREEN);
    session.send(ENTER);
    session.wait_for("Continue to User import settings");
    session.send(END);
    session.send(ENTER); // continue to User import
    session.wait_for("User import settings");
    session.send(END);
    session.send(ENTER); // continue to Review
    session.wait_for("Ctrl-S");

    // Meanwhile, someone edits the file by hand.
    let edited = format!(
        "# edited in vi while the wizard was open\n{}",
        std::fs::read_to_string(&config).expect("read")
    );
    std::fs::write(&config, &edited).expect("edit the file");

    session.send(CTRL_S);
    session.wait_for("was changed on disk");
    assert_eq!(
        std::fs::read_to_string(&config).expect("read"),
        edited,
        "the hand edit was not overwritten"
    );
    session.send(ENTER); // reload
    session.wait_for("Reloaded");
    session.send(CTRL_C);
    assert_eq!(session.wait_exit().exit_code(), 130);
    assert_eq!(std::fs::read_to_string(&config).expect("read"), edited);
}
