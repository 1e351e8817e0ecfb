//! Puts the finished staging folder in place of the output folder in one step where the kernel
//! allows it, then removes the previous tree.

use std::fs;
use std::io;
use std::path::Path;

use super::guard::{Places, has_marker};
use crate::error::{Error, Result};

/// Makes `places.staging` the output. On error the output folder is as it was and the staging
/// folder still exists (the caller removes it).
pub(super) fn swap(places: &Places) -> Result<()> {
    if !places.out_exists {
        return fs::rename(&places.staging, &places.out).map_err(|e| Error::io(&places.out, e));
    }
    match exchange(&places.staging, &places.out) {
        Ok(()) => {
            // The previous tree is now at the staging path.
            remove_previous(&places.staging);
            Ok(())
        }
        Err(e) if unsupported(&e) => swap_by_renames(places),
        Err(e) => Err(Error::io(&places.out, e)),
    }
}

/// Swaps two folders (or two files) atomically (Linux `renameat2` with `RENAME_EXCHANGE`).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(super) fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(super) fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// True when the error means "this kernel or file system cannot exchange", not a real failure.
pub(super) fn unsupported(e: &io::Error) -> bool {
    use rustix::io::Errno;
    if e.kind() == io::ErrorKind::Unsupported {
        return true;
    }
    let code = e.raw_os_error();
    [Errno::INVAL, Errno::NOSYS, Errno::OPNOTSUPP]
        .iter()
        .any(|errno| Some(errno.raw_os_error()) == code)
}

/// The fallback: two renames, with a short moment in which the output folder does not exist.
pub(super) fn swap_by_renames(places: &Places) -> Result<()> {
    fs::rename(&places.out, &places.old).map_err(|e| Error::io(&places.out, e))?;
    if let Err(e) = fs::rename(&places.staging, &places.out) {
        // Put the previous output back; if even that fails, it is still whole at `old`.
        return Err(match fs::rename(&places.old, &places.out) {
            Ok(()) => Error::io(&places.out, e),
            Err(_) => Error::Output {
                path: places.out.clone(),
                message: format!(
                    "could not put the new output in place ({e}); the previous output is in {}",
                    places.old.display()
                ),
            },
        });
    }
    remove_previous(&places.old);
    Ok(())
}

/// Removes the previous output tree. It carries our marker or was empty when checked; anything
/// else is left alone. A failure is not reported: the new output is already in place, and the
/// next build removes the leftover because it carries the marker.
fn remove_previous(dir: &Path) {
    let _ = if has_marker(dir) {
        fs::remove_dir_all(dir)
    } else {
        fs::remove_dir(dir)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exchange_swaps_two_folders_or_says_unsupported() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(a.join("in-a"), "").unwrap();
        fs::write(b.join("in-b"), "").unwrap();
        match exchange(&a, &b) {
            Ok(()) => {
                assert!(a.join("in-b").is_file());
                assert!(b.join("in-a").is_file());
                assert!(!a.join("in-a").exists());
            }
            Err(e) => assert!(unsupported(&e), "{e}"),
        }
    }

    #[test]
    fn only_unsupported_errors_fall_back() {
        let code = |errno: rustix::io::Errno| io::Error::from_raw_os_error(errno.raw_os_error());
        assert!(unsupported(&code(rustix::io::Errno::INVAL)));
        assert!(unsupported(&code(rustix::io::Errno::NOSYS)));
        assert!(!unsupported(&code(rustix::io::Errno::XDEV)));
        assert!(!unsupported(&code(rustix::io::Errno::ACCESS)));
    }
}
