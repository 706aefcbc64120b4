//! The operator's file stays theirs: saves write through links and keep owner, group,
//! mode, ACLs and xattrs (read back with getfacl/getfattr, not with our code), and in
//! shared directories another user's pre-placed link or file is refused, not written.
//!
//! Needs root (to chown, and to play a second user with `setpriv`) and the `acl` and
//! `attr` tools. Without them each test prints `SKIPPED:` and passes, unless
//! `WFM_WIZARD_REQUIRE_REAL_STORES=1`, which makes that a failure.
#![cfg(unix)]

#[path = "support/skip.rs"]
mod skip;

use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;

use wfm_wizard::io::{config_file, draft_file};

/// The second user: `nobody` on Debian.
const OTHER: u32 = 65534;

/// `true` when the test can run; otherwise reports the skip loudly (or fails).
fn root_with_tools() -> bool {
    let mut missing = Vec::new();
    if std::fs::metadata("/proc/self").map_or(true, |m| m.uid() != 0) {
        missing.push("root (to chown and to act as a second user)".to_owned());
    }
    for tool in ["setfacl", "getfacl", "setfattr", "getfattr", "setpriv"] {
        if Command::new(tool).arg("--version").output().is_err() {
            missing.push(format!("{tool} (Debian packages acl, attr, util-linux)"));
        }
    }
    if missing.is_empty() {
        return true;
    }
    skip::skip(&format!("needs {}", missing.join(", ")));
    false
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a shell script as the second user, with no supplementary groups.
fn as_other(script: &str) {
    let uid = OTHER.to_string();
    run(
        "setpriv",
        &[
            &format!("--reuid={uid}"),
            &format!("--regid={uid}"),
            "--clear-groups",
            "sh",
            "-c",
            script,
        ],
    );
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn chown(path: &Path, uid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(uid)).unwrap();
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// A temporary directory the second user can pass through, and a place in it.
fn workspace(sub: &str, mode: u32) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o755);
    let place = dir.path().join(sub);
    std::fs::create_dir(&place).unwrap();
    chmod(&place, mode);
    (dir, place)
}

#[test]
fn a_symlinked_config_is_written_through_and_its_target_keeps_mode_and_owner() {
    if !root_with_tools() {
        return;
    }
    let (_dir, place) = workspace("etc", 0o755);
    let target = place.join("real.yaml");
    std::fs::write(&target, "old: 1\n").unwrap();
    chown(&target, OTHER);
    chmod(&target, 0o640);
    let link = place.join("integrations.yaml");
    symlink("real.yaml", &link).unwrap();
    let chained = place.join("chained.yaml");
    symlink(&link, &chained).unwrap();

    config_file::write_atomic(&link, "new: 1\n").unwrap();
    config_file::write_atomic(&chained, "new: 2\n").unwrap();

    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("real.yaml"));
    assert_eq!(std::fs::read_link(&chained).unwrap(), link);
    assert_eq!(text(&target), "new: 2\n");
    let meta = std::fs::metadata(&target).unwrap();
    assert_eq!(
        (meta.mode() & 0o7777, meta.uid(), meta.gid()),
        (0o640, OTHER, OTHER)
    );
}

#[test]
fn owner_group_mode_acl_and_user_xattr_are_kept() {
    if !root_with_tools() {
        return;
    }
    let (_dir, place) = workspace("etc", 0o755);
    let config = place.join("integrations.yaml");
    std::fs::write(&config, "old: 1\n").unwrap();
    chown(&config, OTHER);
    chmod(&config, 0o640);
    let path = config.to_str().unwrap();
    run("setfacl", &["-m", &format!("u:{OTHER}:r"), path]);
    run("setfattr", &["-n", "user.wfm-test", "-v", "kept", path]);
    let acl_before = run("getfacl", &["-n", "--omit-header", path]);
    assert!(
        acl_before.contains(&format!("user:{OTHER}:r--")),
        "{acl_before}"
    );

    config_file::write_atomic(&config, "new: 1\n").unwrap();

    assert_eq!(text(&config), "new: 1\n");
    assert_eq!(run("getfacl", &["-n", "--omit-header", path]), acl_before);
    assert_eq!(
        run("getfattr", &["-n", "user.wfm-test", "--only-values", path]),
        "kept"
    );
    let meta = std::fs::metadata(&config).unwrap();
    assert_eq!(
        (meta.mode() & 0o7777, meta.uid(), meta.gid()),
        (0o640, OTHER, OTHER)
    );
}

/// What the second user placed, to check that none of it changed.
fn their_file(place: &Path) -> PathBuf {
    as_other(&format!("echo theirs > {}/theirs", place.display()));
    place.join("theirs")
}

fn assert_untouched(theirs: &Path) {
    assert_eq!(text(theirs), "theirs\n");
    let meta = std::fs::metadata(theirs).unwrap();
    assert_eq!((meta.uid(), meta.mode() & 0o777 & !0o022), (OTHER, 0o644));
}

fn assert_refused(what: &str, err: &dyn std::fmt::Display, path: &Path, words: &str) {
    let message = err.to_string();
    assert!(
        message.contains(&path.display().to_string()) && message.contains(words),
        "{what}: {message}"
    );
}

#[test]
fn in_a_sticky_shared_directory_another_users_link_at_the_config_is_refused() {
    if !root_with_tools() {
        return;
    }
    let (_dir, place) = workspace("shared", 0o1777);
    let theirs = their_file(&place);
    let config = place.join("integrations.yaml");
    as_other(&format!("ln -s {} {}", theirs.display(), config.display()));

    let err = config_file::write_atomic(&config, "root's: 1\n").expect_err("refused");
    assert_refused("link at the config", &err, &config, "user id 65534");
    assert_untouched(&theirs);
    assert_eq!(std::fs::read_link(&config).unwrap(), theirs);
    // The refusal is about their entry, not the directory: a new name is fine.
    config_file::write_atomic(&place.join("mine.yaml"), "mine: 1\n").unwrap();
}

#[test]
fn in_a_sticky_shared_directory_another_users_file_at_the_config_is_refused() {
    if !root_with_tools() {
        return;
    }
    let (_dir, place) = workspace("shared", 0o1777);
    let config = place.join("integrations.yaml");
    as_other(&format!("echo theirs > {}", config.display()));

    let err = config_file::write_atomic(&config, "root's: 1\n").expect_err("refused");
    assert_refused("file at the config", &err, &config, "user id 65534");
    assert_untouched(&config);
}

#[test]
fn in_a_sticky_shared_directory_another_users_link_at_the_draft_is_refused() {
    if !root_with_tools() {
        return;
    }
    let (_dir, place) = workspace("shared", 0o1777);
    let theirs = their_file(&place);
    let config = place.join("integrations.yaml");
    let draft = draft_file::path_for(&config);
    as_other(&format!("ln -s {} {}", theirs.display(), draft.display()));
    let snapshot =
        wfm_wizard::wizard::Wizard::new(wfm_wizard::catalog::Catalog::builtin(), None, "x", 0)
            .snapshot();

    let err = draft_file::write(&config, &snapshot).expect_err("refused");
    assert_refused("link at the draft", &err, &draft, "user id 65534");
    assert!(
        draft_file::read(&config).is_err(),
        "their draft is not read"
    );
    assert!(draft_file::remove(&config).is_err(), "nor removed");
    assert_untouched(&theirs);
    assert_eq!(std::fs::read_link(&draft).unwrap(), theirs);
}

#[test]
fn a_directory_others_can_write_without_the_sticky_bit_is_refused() {
    if !root_with_tools() {
        return;
    }
    for mode in [0o777, 0o775, 0o757] {
        let (_dir, place) = workspace("open", mode);
        let config = place.join("integrations.yaml");
        let err = config_file::write_atomic(&config, "x: 1\n").expect_err("refused");
        assert_refused(&format!("{mode:o}"), &err, &place, "chmod go-w");
        assert_eq!(std::fs::read_dir(&place).unwrap().count(), 0, "{mode:o}");
    }
}

#[test]
fn a_directory_of_another_user_is_refused() {
    if !root_with_tools() {
        return;
    }
    let (_dir, place) = workspace("theirs", 0o755);
    chown(&place, OTHER);
    let config = place.join("integrations.yaml");
    let err = config_file::write_atomic(&config, "x: 1\n").expect_err("refused");
    assert_refused("their directory", &err, &place, "belongs to user id 65534");
    assert_eq!(std::fs::read_dir(&place).unwrap().count(), 0);
}
