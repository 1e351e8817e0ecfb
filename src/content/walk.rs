//! Finding the inputs: walk `content/` in a fixed order and sort what is there into articles
//! (`*.md` files), assets (every other file) and problems. Hidden names are skipped.
//!
//! Symbolic links are followed only when their target stays inside the site (or inside
//! `content/` itself, when `content` is a link to a shared folder): a newsroom may link a shared
//! photo or an article from another folder of the site, but a link must never pull in
//! `/etc/passwd` or a home folder. Links that point outside, loop back on a folder above them,
//! or point nowhere are reported as warnings and skipped.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use walkdir::{DirEntry, WalkDir};

use crate::error::Diagnostic;

/// What is under `content/`.
#[derive(Debug, Default)]
pub struct Found {
    /// Markdown files, absolute, in walk order (sorted by name within each folder). A file
    /// reached through a link keeps the link's path.
    pub articles: Vec<PathBuf>,
    /// Other regular files, absolute and sorted by name, keyed by their folder.
    pub assets: HashMap<PathBuf, Vec<PathBuf>>,
    /// Entries that cannot be used (folders named `*.md`, unreadable folders, odd file types).
    pub problems: Vec<Diagnostic>,
    /// Links that were skipped (outside the site, loops, broken).
    pub warnings: Vec<Diagnostic>,
}

/// Walks `root/content`, following links that stay inside the site. Paths in problems and
/// warnings are relative to `root`.
pub fn walk(root: &Path) -> Found {
    let content = root.join("content");
    // Where links may lead. If the site root cannot be resolved, no link is trusted.
    let allowed: Vec<PathBuf> = [root, content.as_path()]
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let skipped = RefCell::new(Vec::new());
    let mut found = Found::default();
    let entries = WalkDir::new(&content)
        .follow_links(true)
        // By name: the entries of one folder share its path, so their whole paths compare as
        // their names do, without finding each name again at every comparison
        // (`sort_by_file_name` did: 3% of a publish into 100,000 articles).
        .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()))
        .into_iter()
        .filter_entry(|e| {
            if e.depth() > 0 && (is_hidden(e.file_name()) || is_editor_leftover(e.file_name())) {
                return false;
            }
            match link_outside(e, &allowed) {
                Some(target) => {
                    skipped.borrow_mut().push(Diagnostic::new(
                        relative(root, e.path()),
                        format!(
                            "link to {} points outside the site; skipped (put the file itself \
                             in the site)",
                            target.display()
                        ),
                    ));
                    false
                }
                None => true,
            }
        });
    for entry in entries {
        match entry {
            Ok(entry) => sort_entry(root, &entry, &mut found),
            Err(e) => {
                let path = e.path().unwrap_or(&content);
                let shown = relative(root, path);
                if let Some(ancestor) = e.loop_ancestor() {
                    found.warnings.push(Diagnostic::new(
                        shown,
                        format!(
                            "link loops back to {}; skipped",
                            relative(root, ancestor).display()
                        ),
                    ));
                } else if is_link(path) {
                    found.warnings.push(Diagnostic::new(
                        shown,
                        "link points to nothing (broken link); skipped",
                    ));
                } else {
                    let reason = match e.io_error() {
                        Some(io) => io.to_string(),
                        None => e.to_string(),
                    };
                    found
                        .problems
                        .push(Diagnostic::new(shown, format!("cannot read: {reason}")));
                }
            }
        }
    }
    found.warnings.append(&mut skipped.into_inner());
    found.warnings.extend(shared_folders(root, &found));
    found
        .warnings
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    for files in found.assets.values_mut() {
        files.sort();
    }
    found
}

/// One warning per folder whose files lie beside several articles: each article page gets its
/// own copy of every one of them, which is rarely what the writer meant.
fn shared_folders(root: &Path, found: &Found) -> Vec<Diagnostic> {
    // Most sites have no files beside their articles: no article's folder is looked up.
    if found.assets.is_empty() {
        return Vec::new();
    }
    let mut articles_in: HashMap<&Path, Vec<&Path>> = HashMap::new();
    for article in &found.articles {
        if let Some(dir) = article.parent() {
            articles_in.entry(dir).or_default().push(article);
        }
    }
    let mut warnings = Vec::new();
    for (dir, files) in &found.assets {
        let Some(articles) = articles_in.get(dir.as_path()).filter(|a| a.len() > 1) else {
            continue;
        };
        let names = |paths: &[&Path]| {
            let shown: Vec<String> = paths
                .iter()
                .take(3)
                .filter_map(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .collect();
            let more = paths.len().saturating_sub(3);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!("{}{more}", shown.join(", "))
        };
        let files: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        warnings.push(Diagnostic::new(
            relative(root, dir),
            format!(
                "{} ({}) beside {} ({}) {} copied next to each of their pages; give each file \
                 the folder of the one article that uses it (story/index.md beside it), or put \
                 it in static/ to publish it once",
                crate::counted(files.len(), "file"),
                names(&files),
                crate::counted(articles.len(), "article"),
                names(articles),
                if files.len() == 1 { "is" } else { "are" },
            ),
        ));
    }
    warnings
}

/// Files one entry as an article, an asset or a problem. Links have already been checked, so
/// the entry's type is its target's.
fn sort_entry(root: &Path, entry: &DirEntry, found: &mut Found) {
    let path = entry.path();
    let kind = entry.file_type();
    let markdown = is_markdown(path);
    let problem = |message: &str| Diagnostic::new(relative(root, path), message);
    if kind.is_dir() {
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

/// For a link below the walk's root whose target lies outside every `allowed` folder, the
/// target. Broken links and loops are left to the walk, whose errors become warnings.
fn link_outside(entry: &DirEntry, allowed: &[PathBuf]) -> Option<PathBuf> {
    if entry.depth() == 0 || !entry.path_is_symlink() {
        return None;
    }
    let target = std::fs::canonicalize(entry.path()).ok()?;
    let inside = allowed.iter().any(|dir| target.starts_with(dir));
    (!inside).then_some(target)
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// `path` relative to the site root, for messages.
pub fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

fn is_hidden(name: &OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// What editors leave beside the files they save: backups (`story.md~`), autosaves
/// (`#story.md#`), lock and swap files (`.#story.md`, `.story.md.swp`) and Finder's
/// `.DS_Store`. Never content, never published.
pub fn is_editor_leftover(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    name.ends_with('~')
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || name.starts_with(".#")
        || name == ".DS_Store"
        || [".swp", ".swo", ".swx"]
            .iter()
            .any(|ext| name.starts_with('.') && name.ends_with(ext))
}

/// The extensions of article files, as other generators name Markdown (any case).
pub const ARTICLE_EXTENSIONS: &[&str] = &["md", "markdown", "mkd", "mkdn"];

/// True for an article's extension (see [`ARTICLE_EXTENSIONS`]).
pub fn is_article_extension(ext: &str) -> bool {
    ARTICLE_EXTENSIONS
        .iter()
        .any(|known| ext.eq_ignore_ascii_case(known))
}

/// Articles are the Markdown files (see [`ARTICLE_EXTENSIONS`]).
pub fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(is_article_extension)
}
