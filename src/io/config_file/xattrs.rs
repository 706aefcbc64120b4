//! Copying extended attributes (POSIX ACLs are `system.posix_acl_access`) from the old
//! config to its replacement, and dropping any the replacement inherited that the old
//! file did not have (a directory's default ACL).

use std::fs::File;
use std::path::Path;

use crate::io::file_safety::FileError;

#[cfg(target_os = "linux")]
pub fn copy(from: &File, to: &File, to_path: &Path) -> Result<(), FileError> {
    use rustix::fs::XattrFlags;
    use rustix::io::Errno;

    let wanted = names(from).map_err(|e| FileError::io("list the attributes of", to_path)(e))?;
    for name in &wanted {
        let value = value(from, name).map_err(FileError::io("read the attributes of", to_path))?;
        match rustix::fs::fsetxattr(to, name.as_slice(), &value, XattrFlags::empty()) {
            Ok(()) => {}
            // Only a privileged process may set these; an ordinary one keeps the rest.
            Err(Errno::PERM | Errno::ACCESS | Errno::NOTSUP) if needs_privilege(name) => {}
            Err(e) => {
                return Err(FileError::io("copy the attributes (ACLs) to", to_path)(
                    e.into(),
                ));
            }
        }
    }
    for name in names(to).unwrap_or_default() {
        if !wanted.contains(&name) {
            let _ = rustix::fs::fremovexattr(to, name.as_slice());
        }
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
pub fn copy(_from: &File, _to: &File, _to_path: &Path) -> Result<(), FileError> {
    Ok(())
}

#[cfg(target_os = "linux")]
fn needs_privilege(name: &[u8]) -> bool {
    name.starts_with(b"security.") || name.starts_with(b"trusted.")
}

/// The attribute names, each without its terminating NUL. A file system without
/// extended attributes has none.
#[cfg(target_os = "linux")]
fn names(file: &File) -> std::io::Result<Vec<Vec<u8>>> {
    use rustix::io::Errno;
    for _ in 0..4 {
        let size = match rustix::fs::flistxattr_query(file) {
            Ok(size) => size,
            Err(Errno::NOTSUP) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        if size == 0 {
            return Ok(Vec::new());
        }
        let mut list = vec![0_u8; size];
        match rustix::fs::flistxattr(file, &mut list[..]) {
            Ok(len) => {
                list.truncate(len);
                return Ok(list
                    .split(|b| *b == 0)
                    .filter(|name| !name.is_empty())
                    .map(<[u8]>::to_vec)
                    .collect());
            }
            // Grew between the two calls: ask again.
            Err(Errno::RANGE) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(std::io::Error::other("the attribute list keeps changing"))
}

#[cfg(target_os = "linux")]
fn value(file: &File, name: &[u8]) -> std::io::Result<Vec<u8>> {
    use rustix::io::Errno;
    for _ in 0..4 {
        let size = rustix::fs::fgetxattr_query(file, name)?;
        if size == 0 {
            return Ok(Vec::new());
        }
        let mut value = vec![0_u8; size];
        match rustix::fs::fgetxattr(file, name, &mut value[..]) {
            Ok(len) => {
                value.truncate(len);
                return Ok(value);
            }
            Err(Errno::RANGE) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(std::io::Error::other("an attribute keeps changing"))
}
