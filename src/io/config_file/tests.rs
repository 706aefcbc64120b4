use super::*;
#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;

#[test]
fn a_new_file_is_private_and_an_existing_mode_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/integrations.yaml");
    write_atomic(&path, "version: 1\n").unwrap();
    assert_eq!(read(&path).unwrap().as_deref(), Some("version: 1\n"));
    #[cfg(unix)]
    {
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, "version: 1\nintegrations: []\n").unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }
}

#[test]
fn a_missing_file_reads_as_none_and_an_oversized_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(read(&dir.path().join("nope.yaml")).unwrap(), None);
    let big = dir.path().join("big.yaml");
    std::fs::write(&big, "#".repeat(MAX_FILE_BYTES + 1)).unwrap();
    assert!(read(&big).unwrap_err().contains("larger than"));
    assert!(read(dir.path()).unwrap_err().contains("directory"));
}

#[test]
fn a_write_that_cannot_happen_fails_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "x").unwrap();
    assert!(write_atomic(&blocker.join("integrations.yaml"), "version: 1\n").is_err());
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "x");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[cfg(unix)]
mod unix {
    use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
    use std::path::Path;

    use super::super::*;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_symlinked_config_is_written_through_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real/integrations.yaml");
        std::fs::create_dir(dir.path().join("real")).unwrap();
        std::fs::write(&target, "old\n").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
        let first = dir.path().join("first.yaml");
        let second = dir.path().join("second.yaml");
        symlink("real/integrations.yaml", &first).unwrap();
        symlink(&first, &second).unwrap();
        write_atomic(&second, "new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
        assert_eq!(std::fs::read_link(&second).unwrap(), first, "still a link");
        assert_eq!(
            std::fs::read_link(&first).unwrap(),
            Path::new("real/integrations.yaml")
        );
        assert_eq!(std::fs::metadata(&target).unwrap().mode() & 0o7777, 0o640);
        assert_eq!(names_in(&dir.path().join("real")), ["integrations.yaml"]);
        assert_eq!(
            real_path(&second).unwrap(),
            std::fs::canonicalize(&target).unwrap()
        );
    }

    #[test]
    fn a_hard_linked_config_is_rewritten_in_place_for_every_name() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let other = dir.path().join("other-name.yaml");
        std::fs::write(&config, "a much longer old text than the new one\n").unwrap();
        std::fs::hard_link(&config, &other).unwrap();
        let inode = std::fs::metadata(&config).unwrap().ino();
        write_atomic(&config, "new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "new\n");
        let meta = std::fs::metadata(&config).unwrap();
        assert_eq!((meta.ino(), meta.nlink()), (inode, 2));
        assert_eq!(
            names_in(dir.path()),
            ["integrations.yaml", "other-name.yaml"]
        );
    }

    #[test]
    fn recover_finishes_a_torn_in_place_write_from_the_staged_copy() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        let other = dir.path().join("other-name.yaml");
        std::fs::write(&config, "old old old old old\n").unwrap();
        std::fs::hard_link(&config, &other).unwrap();
        // Died after staging and half-way through the overwrite.
        std::fs::write(
            dir.path().join(".integrations.yaml.wfm-staged"),
            "new text\n",
        )
        .unwrap();
        std::fs::write(&other, "new told old old old\n").unwrap();
        let done = recover(&config).unwrap();
        assert_eq!(done.finished.as_deref(), Some(config.as_path()));
        assert!(
            done.to_string().contains("finished an interrupted save"),
            "{done}"
        );
        assert_eq!(std::fs::read_to_string(&config).unwrap(), "new text\n");
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "new text\n");
        assert_eq!(
            names_in(dir.path()),
            ["integrations.yaml", "other-name.yaml"]
        );
        assert!(recover(&config).unwrap().is_nothing());
    }

    /// A pid that belonged to a process that has exited.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[test]
    fn recover_removes_leftover_temps_of_dead_processes_only() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("integrations.yaml");
        std::fs::write(&config, "kept\n").unwrap();
        let random = "00112233445566aa";
        let dead = dead_pid();
        let leftovers = [
            format!(".integrations.yaml.wfm-tmp-{dead}-{random}"),
            format!(".integrations.yaml.draft.wfm-tmp-{dead}-{random}"),
        ];
        let kept = [
            // A live writer (this process) is mid-save.
            format!(".integrations.yaml.wfm-tmp-{}-{random}", std::process::id()),
            // Another config's temp, and a file that only looks alike.
            format!(".integrations.yaml2.wfm-tmp-{dead}-{random}"),
            ".integrations.yaml.wfm-tmp-notes".to_owned(),
        ];
        for name in leftovers.iter().chain(&kept) {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        // A directory with a temp's name is not a regular file: left alone.
        let odd = format!(".integrations.yaml.journal.wfm-tmp-{dead}-{random}");
        std::fs::create_dir(dir.path().join(&odd)).unwrap();
        let done = recover(&config).unwrap();
        let mut removed: Vec<String> = done
            .removed
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        removed.sort();
        let mut expected = leftovers.to_vec();
        expected.sort();
        assert_eq!(removed, expected);
        let mut left = kept.to_vec();
        left.extend([odd, "integrations.yaml".to_owned()]);
        left.sort();
        assert_eq!(names_in(dir.path()), left);
        assert_eq!(std::fs::read_to_string(&config).unwrap(), "kept\n");
    }

    #[test]
    fn read_no_follow_refuses_a_link_and_reads_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "text").unwrap();
        assert_eq!(read_no_follow(&file).unwrap().as_deref(), Some("text"));
        assert_eq!(read_no_follow(&dir.path().join("none")).unwrap(), None);
        let link = dir.path().join("link");
        symlink(&file, &link).unwrap();
        assert!(matches!(
            read_no_follow(&link),
            Err(FileError::Unsafe(UnsafePlace::Symlink { .. }))
        ));
        assert!(matches!(
            read_no_follow(dir.path()),
            Err(FileError::Unsafe(UnsafePlace::NotAFile { .. }))
        ));
    }
}
