use std::os::unix::fs::{MetadataExt, PermissionsExt};

use super::*;

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_private_file_is_0600_replaced_whole_and_leaves_no_temp() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("integrations.yaml.draft");
    write_private_atomic(&path, b"one").unwrap();
    chmod(&path, 0o644);
    write_private_atomic(&path, b"two").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"two");
    assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o7777, 0o600);
    assert_eq!(names_in(dir.path()), ["integrations.yaml.draft"]);
}

#[test]
fn a_private_file_that_is_a_link_is_refused_and_its_target_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::write(&elsewhere, "theirs").unwrap();
    let path = dir.path().join("integrations.yaml.draft");
    std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
    let err = write_private_atomic(&path, b"mine").unwrap_err();
    assert!(
        matches!(&err, FileError::Unsafe(UnsafePlace::Symlink { path: p }) if *p == path),
        "{err}"
    );
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "theirs");
    assert!(std::fs::symlink_metadata(&path).unwrap().is_symlink());
}

#[test]
fn a_directory_others_can_write_without_the_sticky_bit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for mode in [0o777, 0o770, 0o722] {
        chmod(dir.path(), mode);
        let err = check_dir(dir.path()).unwrap_err();
        assert_eq!(
            err,
            UnsafePlace::SharedDirectory {
                dir: dir.path().to_path_buf()
            }
        );
        assert!(err.to_string().contains("chmod go-w"), "{err}");
        assert!(write_private_atomic(&dir.path().join("f"), b"x").is_err());
    }
    assert_eq!(names_in(dir.path()), Vec::<String>::new());
    chmod(dir.path(), 0o1777);
    check_dir(dir.path()).unwrap();
    write_private_atomic(&dir.path().join("f"), b"x").unwrap();
    chmod(dir.path(), 0o755);
    check_target(&dir.path().join("f")).unwrap();
}

#[test]
fn a_new_private_directory_is_0700_and_a_file_in_its_place_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("a/b");
    create_private_dir(&sub).unwrap();
    assert_eq!(std::fs::metadata(&sub).unwrap().mode() & 0o7777, 0o700);
    create_private_dir(&sub).unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    assert!(matches!(
        create_private_dir(&file),
        Err(FileError::Unsafe(UnsafePlace::NotAFile { .. }))
    ));
    chmod(&sub, 0o777);
    assert!(matches!(
        create_private_dir(&sub),
        Err(FileError::Unsafe(UnsafePlace::SharedDirectory { .. }))
    ));
}

#[test]
fn temp_names_are_recognised_only_for_their_file_and_its_sidecars() {
    let base = std::ffi::OsStr::new("integrations.yaml");
    let ours = |name: &str| temp_owner_pid(std::ffi::OsStr::new(name), base);
    let random = "0123456789abcdef";
    assert_eq!(
        ours(&format!(".integrations.yaml.wfm-tmp-42-{random}")),
        Some(42)
    );
    assert_eq!(
        ours(&format!(".integrations.yaml.draft.wfm-tmp-7-{random}")),
        Some(7)
    );
    for other in [
        format!(".integrations.yaml2.wfm-tmp-42-{random}"),
        format!(".other.yaml.wfm-tmp-42-{random}"),
        format!(".integrations.yaml.a.b.wfm-tmp-42-{random}"),
        ".integrations.yaml.wfm-tmp-42-0123".to_owned(),
        format!(".integrations.yaml.wfm-tmp-x-{random}"),
        "integrations.yaml".to_owned(),
        ".integrations.yaml.wfm-staged".to_owned(),
    ] {
        assert_eq!(ours(&other), None, "{other}");
    }
}

#[test]
fn a_temp_file_that_is_not_placed_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let fd = open_dir(dir.path()).unwrap();
    let base = std::ffi::OsStr::new("integrations.yaml");
    let mut temp = Temp::create(&fd, dir.path(), base).unwrap();
    temp.write_and_sync(b"x").unwrap();
    let temp_path = temp.path();
    assert_eq!(std::fs::metadata(&temp_path).unwrap().mode() & 0o777, 0o600);
    assert!(temp_owner_pid(temp_path.file_name().unwrap(), base).is_some());
    // A rename that fails (onto a non-empty directory) must not leave the temp.
    std::fs::create_dir(dir.path().join("busy")).unwrap();
    std::fs::write(dir.path().join("busy/inside"), "x").unwrap();
    assert!(temp.rename_over(std::ffi::OsStr::new("busy")).is_err());
    assert_eq!(names_in(dir.path()), ["busy"]);
}
