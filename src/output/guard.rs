//! The checks that keep the writer from destroying anything it does not own: which output folders
//! are refused, which relative paths may be written, and when a leftover folder may be deleted.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{MARKER, OutputFile};
use crate::error::{Error, Result};
use crate::slug::is_safe_segment;

/// Where one write happens: the resolved output folder and its two sibling work folders.
#[derive(Debug, Clone)]
pub(super) struct Places {
    /// The output folder with symlinks resolved (absolute).
    pub out: PathBuf,
    /// `<parent>/.<name>.gazette-staging`: the new tree is built here.
    pub staging: PathBuf,
    /// `<parent>/.<name>.gazette-old`: used only when the kernel cannot exchange two folders.
    pub old: PathBuf,
    /// `<parent>/.<name>.gazette-spare`: the files an incremental build writes over.
    pub spare: PathBuf,
    /// Whether `out` already exists (as a folder).
    pub out_exists: bool,
}

pub(super) fn refuse(path: &Path, message: impl Into<String>) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Resolves `out_dir` and refuses folders Gazette must never replace.
///
/// `shown` is the path as the user gave it, used in messages.
pub(super) fn places(shown: &Path) -> Result<Places> {
    let out = resolve(shown)?;
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
        return Err(refuse(
            shown,
            "refusing to replace the root folder; choose another --output",
        ));
    };
    if is_home(&out, std::env::var_os("HOME").as_deref()) {
        return Err(refuse(
            shown,
            "refusing to replace your home folder; choose another --output",
        ));
    }
    let out_exists = match fs::metadata(&out) {
        Ok(meta) if meta.is_dir() => true,
        Ok(_) => {
            return Err(refuse(
                shown,
                "is a file, not a folder; remove it or choose another --output",
            ));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(Error::io(shown, e)),
    };
    if out_exists {
        if out.join("site.toml").exists() {
            return Err(refuse(
                shown,
                "holds a site.toml: this is a site folder, not an output folder; \
                 choose an output folder such as public/",
            ));
        }
        if !has_marker(&out) && !is_empty_dir(&out).map_err(|e| Error::io(shown, e))? {
            return Err(refuse(
                shown,
                "is not empty and was not created by Gazette; refusing to replace it. \
                 Move its files away or choose another --output",
            ));
        }
    }
    let name = name.to_string_lossy();
    Ok(Places {
        staging: parent.join(format!(".{name}.gazette-staging")),
        old: parent.join(format!(".{name}.gazette-old")),
        spare: parent.join(format!(".{name}.gazette-spare")),
        out,
        out_exists,
    })
}

/// An absolute path for `out_dir` with symlinks resolved; creates missing parents, because the
/// staging folder must be created beside the output.
fn resolve(out_dir: &Path) -> Result<PathBuf> {
    match fs::symlink_metadata(out_dir) {
        Ok(_) => fs::canonicalize(out_dir).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                refuse(
                    out_dir,
                    "is a link to a missing folder; fix the link or choose another --output",
                )
            } else {
                Error::io(out_dir, e)
            }
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let Some(name) = out_dir.file_name() else {
                return Err(refuse(
                    out_dir,
                    "does not name a folder; choose another --output",
                ));
            };
            let parent = match out_dir.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            let parent = fs::canonicalize(parent).map_err(|e| Error::io(parent, e))?;
            Ok(parent.join(name))
        }
        Err(e) => Err(Error::io(out_dir, e)),
    }
}

/// True when the resolved output `out` is the home folder `home` (`$HOME`).
fn is_home(out: &Path, home: Option<&std::ffi::OsStr>) -> bool {
    home.filter(|h| !h.is_empty())
        .is_some_and(|home| fs::canonicalize(home).is_ok_and(|home| home == out))
}

/// True when `dir` holds Gazette's marker as a regular file (a link does not count).
pub(super) fn has_marker(dir: &Path) -> bool {
    fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file())
}

fn is_empty_dir(dir: &Path) -> io::Result<bool> {
    Ok(fs::read_dir(dir)?.next().is_none())
}

/// Removes a work folder left by an interrupted build, but only if Gazette made it: it must carry
/// the marker (or be empty, as when a build died between creating it and writing the marker).
pub(super) fn clear_leftover(dir: &Path) -> Result<()> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    if meta.is_dir() {
        if has_marker(dir) {
            return fs::remove_dir_all(dir).map_err(|e| Error::io(dir, e));
        }
        if fs::remove_dir(dir).is_ok() {
            return Ok(());
        }
    }
    Err(refuse(
        dir,
        "is in the way of Gazette's work folder and was not created by Gazette; \
         refusing to delete it. Move it away",
    ))
}

/// Refuses a path that is not relative with `/` between safe segments, or that is Gazette's
/// marker.
pub(super) fn check_path(out_dir: &Path, path: &str) -> Result<()> {
    if !path.split('/').all(is_safe_segment) {
        return Err(refuse(
            out_dir,
            format!(
                "refusing to write {path:?}: an output path must be relative, with `/` between \
                 plain names (no `..`, `\\`, NUL or leading `/`)"
            ),
        ));
    }
    if path == MARKER {
        return Err(refuse(
            &out_dir.join(path),
            "is the name of Gazette's marker file; rename this file",
        ));
    }
    Ok(())
}

/// Checks every output path ([`check_path`]), with no duplicates and no path that is both a
/// file and a folder of another file.
pub(super) fn check_paths(out_dir: &Path, files: &[OutputFile]) -> Result<()> {
    check_path_list(
        out_dir,
        &files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
    )
}

/// [`check_paths`] for the paths alone.
pub(super) fn check_path_list(out_dir: &Path, paths: &[&str]) -> Result<()> {
    use rayon::prelude::*;
    // Checked on every core, and hashed with Fx: 141,663 paths and their 560,000 folders, on
    // one thread, were most of the 40-90 ms a patch took to begin at 100,000 articles. The first problem in the
    // list's order is the one reported, as one pass in order would.
    let unsafe_at = paths
        .par_iter()
        .position_first(|path| check_path(out_dir, path).is_err());
    let mut seen: rustc_hash::FxHashSet<&str> =
        rustc_hash::FxHashSet::with_capacity_and_hasher(paths.len(), Default::default());
    for (i, &path) in paths.iter().enumerate() {
        if unsafe_at == Some(i) {
            return check_path(out_dir, path);
        }
        if !seen.insert(path) {
            return Err(refuse(
                &out_dir.join(path),
                "two files of the site want this path; rename one of them",
            ));
        }
    }
    let clash = paths
        .par_iter()
        .find_first(|path| folders_of(path).any(|folder| seen.contains(folder)));
    if let Some(path) = clash
        && let Some(folder) = folders_of(path).find(|f| seen.contains(f))
    {
        return Err(refuse(
            &out_dir.join(folder),
            format!("is both a file and the folder of {path:?}; rename one of them"),
        ));
    }
    Ok(())
}

/// The folders above `path` (`a/b/c` -> `a`, `a/b`).
fn folders_of(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(|(i, _)| &path[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_is_recognised_through_links() {
        let tmp = tempfile::tempdir().unwrap();
        let home = fs::canonicalize(tmp.path()).unwrap().join("me");
        fs::create_dir(&home).unwrap();
        let link = tmp.path().join("link-to-me");
        std::os::unix::fs::symlink(&home, &link).unwrap();
        assert!(is_home(&home, Some(link.as_os_str())));
        assert!(is_home(&home, Some(home.as_os_str())));
        assert!(!is_home(&home.join("public"), Some(home.as_os_str())));
        assert!(!is_home(&home, Some("".as_ref())));
        assert!(!is_home(&home, None));
    }
}
