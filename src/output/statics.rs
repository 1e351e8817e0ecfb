//! Lists the files of static folders (theme assets, the site's own `static/`) as files to copy.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use walkdir::{DirEntry, WalkDir};

use super::{Contents, MARKER, OutputFile};
use crate::content::is_editor_leftover;
use crate::error::{Diagnostic, Error, Result};
use crate::slug::is_safe_segment;

/// Names never published: editor and VCS clutter. Other hidden files (`.nojekyll`,
/// `.well-known/`) are kept because static hosts want them.
fn is_clutter(entry: &DirEntry) -> bool {
    let name = entry.file_name();
    if entry.file_type().is_dir() {
        name == ".git"
    } else {
        is_editor_leftover(name) || (entry.depth() == 1 && name == MARKER)
    }
}

/// See [`super::static_files`].
pub(super) fn static_files(dirs: &[PathBuf]) -> Result<(Vec<OutputFile>, Vec<Diagnostic>)> {
    let mut found: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut skipped = Vec::new();
    for dir in dirs {
        if !dir.is_dir() {
            continue;
        }
        // Links are followed only when they stay inside the folder, so a theme cannot publish
        // files from elsewhere on the machine.
        let root = fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?;
        let walk = WalkDir::new(dir)
            .min_depth(1)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| !is_clutter(e));
        for entry in walk {
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(dir).to_path_buf();
                Error::io(path, io::Error::from(e))
            })?;
            let kind = entry.file_type();
            if kind.is_dir() {
                continue;
            }
            if !kind.is_file()
                && let Some(why) = not_published(entry.path(), &root)
            {
                skipped.push(Diagnostic::new(entry.path(), why));
                continue;
            }
            let rel = relative_path(entry.path(), dir)?;
            found.insert(rel, entry.into_path());
        }
    }
    let files = found
        .into_iter()
        .map(|(path, src)| OutputFile {
            path,
            contents: Contents::Copy(src),
        })
        .collect();
    Ok((files, skipped))
}

/// Why an entry that is not a regular file is left out, or `None` for a link to a file inside
/// `root` (which is published under the link's name).
fn not_published(path: &Path, root: &Path) -> Option<String> {
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Some("is not a regular file (a socket, pipe or device); skipped".into());
    }
    let Ok(target) = fs::canonicalize(path) else {
        return Some("link points to nothing (broken link); skipped".into());
    };
    if !target.starts_with(root) {
        Some(format!(
            "link to {} points outside its static folder; skipped (put the file itself in the \
             folder)",
            target.display()
        ))
    } else if !target.is_file() {
        Some(format!(
            "link to the folder {} is not followed; skipped (link each file, or move the \
             folder here)",
            target.display()
        ))
    } else {
        None
    }
}

/// `file` relative to `dir`, `/`-separated; an error when a segment cannot be published safely.
fn relative_path(file: &Path, dir: &Path) -> Result<String> {
    let bad = |why: &str| {
        Error::problem(Diagnostic::new(
            file,
            format!("{why}; rename it so it can be published"),
        ))
    };
    let rel = file
        .strip_prefix(dir)
        .map_err(|_| bad("this file is not inside its static folder"))?;
    let mut segments = Vec::new();
    for segment in rel.iter() {
        let segment = segment
            .to_str()
            .ok_or_else(|| bad("this file name is not valid UTF-8"))?;
        if !is_safe_segment(segment) {
            return Err(bad("this file name is not a safe path segment"));
        }
        segments.push(segment);
    }
    Ok(segments.join("/"))
}
