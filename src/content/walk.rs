//! Finding the inputs: walk `content/` in a fixed order and sort what is there into articles
//! (`*.md` files), assets (every other file) and problems. Hidden names are skipped.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::Diagnostic;

/// What is under `content/`.
#[derive(Debug, Default)]
pub struct Found {
    /// Markdown files, absolute, in walk order (sorted by name within each folder).
    pub articles: Vec<PathBuf>,
    /// Other regular files, absolute and sorted by name, keyed by their folder.
    pub assets: HashMap<PathBuf, Vec<PathBuf>>,
    /// Entries that cannot be used (symlinks, folders named `*.md`, unreadable folders).
    pub problems: Vec<Diagnostic>,
}

/// Walks `root/content` without following symlinks. Paths in problems are relative to `root`.
pub fn walk(root: &Path) -> Found {
    let content = root.join("content");
    let mut found = Found::default();
    let entries = WalkDir::new(&content)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().unwrap_or(&content);
                let reason = match e.io_error() {
                    Some(io) => io.to_string(),
                    None => e.to_string(),
                };
                found.problems.push(Diagnostic::new(
                    relative(root, path),
                    format!("cannot read: {reason}"),
                ));
                continue;
            }
        };
        let path = entry.path();
        let kind = entry.file_type();
        let markdown = is_markdown(path);
        let problem = |message: &str| Diagnostic::new(relative(root, path), message);
        if kind.is_symlink() {
            if markdown {
                found.problems.push(problem(
                    "symlinks in content/ are not followed yet; put the file itself here",
                ));
            }
        } else if kind.is_dir() {
            if markdown && entry.depth() > 0 {
                found.problems.push(problem(
                    "is a folder, but names ending in .md are for articles; rename the folder",
                ));
            }
        } else if !kind.is_file() {
            if markdown {
                found.problems.push(problem("is not a regular file"));
            }
        } else if markdown {
            found.articles.push(path.to_path_buf());
        } else if let Some(dir) = path.parent() {
            found
                .assets
                .entry(dir.to_path_buf())
                .or_default()
                .push(path.to_path_buf());
        }
    }
    for files in found.assets.values_mut() {
        files.sort();
    }
    found
}

/// `path` relative to the site root, for messages.
pub fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

fn is_hidden(name: &OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// Articles are `*.md` (any case).
fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("md"))
}
