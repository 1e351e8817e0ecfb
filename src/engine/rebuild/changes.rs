//! Turning a burst of changed paths into what to rebuild: a full build for `site.toml` and
//! article assets; the theme reloaded and every page rendered for templates, themes and static
//! files; just the Markdown files otherwise. Editor scratch files and hidden files are ignored.
//! Anything reached through a symbolic link in `content/` is a full rebuild: the content walk
//! alone decides which links are followed.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use walkdir::WalkDir;

use crate::content::{Article, is_markdown};

/// What a burst of file-system events asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Reload everything.
    pub full: bool,
    /// Reload the theme and static files and render every page (the articles stay loaded).
    pub theme: bool,
    /// Markdown files (absolute) to reload or, when gone, to drop.
    pub articles: BTreeSet<PathBuf>,
    /// The relevant paths, relative to the site root, for the terminal line.
    pub paths: BTreeSet<PathBuf>,
}

impl Changes {
    /// Nothing relevant changed.
    pub fn is_empty(&self) -> bool {
        !self.full && !self.theme && self.articles.is_empty()
    }

    /// A full rebuild whatever the paths (the watcher lost events, a linked file changed);
    /// `reason` is what [`Changes::describe`] names.
    pub fn everything(reason: &str) -> Changes {
        Changes {
            full: true,
            theme: false,
            articles: BTreeSet::new(),
            paths: BTreeSet::from([PathBuf::from(reason)]),
        }
    }

    /// `content/x.md changed`, `site.toml and 2 more changed`.
    pub fn describe(&self) -> String {
        let mut paths = self.paths.iter();
        match (paths.next(), self.paths.len()) {
            (None, _) => "nothing changed".to_string(),
            (Some(one), 1) => format!("{} changed", one.display()),
            (Some(first), n) => format!("{} and {} more changed", first.display(), n - 1),
        }
    }
}

/// Sorts `paths` (absolute, under `root`) into [`Changes`]. `known` are the articles loaded so
/// far, `None` when nothing is loaded (then any content change is a full rebuild).
pub fn classify(root: &Path, paths: &[PathBuf], known: Option<&[&Article]>) -> Changes {
    let mut changes = Changes::default();
    for path in paths {
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        if rel.components().any(|c| match c {
            Component::Normal(name) => ignored(name),
            _ => true,
        }) {
            continue;
        }
        let top = rel.components().next().and_then(|c| c.as_os_str().to_str());
        let touch = match (top, rel.components().count()) {
            (Some("site.toml"), 1) => Touch::Full,
            (Some("templates" | "themes" | "static"), _) => Touch::Theme,
            (Some("content"), 1) => Touch::Full,
            // The content walk decides which links to follow (those that stay in the site): a
            // file reached through one is never read here.
            (Some("content"), _) if through_link(root, rel) => Touch::Full,
            (Some("content"), _) => match known {
                Some(articles) => content_touch(path, rel, articles),
                None => Touch::Full,
            },
            _ => Touch::Ignore,
        };
        match touch {
            Touch::Ignore => continue,
            Touch::Full => changes.full = true,
            Touch::Theme => changes.theme = true,
            Touch::Articles(found) => changes.articles.extend(found),
        }
        changes.paths.insert(rel.to_path_buf());
    }
    changes
}

enum Touch {
    Full,
    Theme,
    Articles(Vec<PathBuf>),
    Ignore,
}

/// A change under `content/`.
fn content_touch(path: &Path, rel: &Path, articles: &[&Article]) -> Touch {
    let meta = std::fs::symlink_metadata(path);
    let known_file = || articles.iter().any(|a| a.file == rel);
    let known_dir = || articles.iter().any(|a| a.file.starts_with(rel));
    if is_markdown(path) {
        return match meta {
            Ok(m) if m.is_file() => Touch::Articles(vec![path.to_path_buf()]),
            // A removed article; a Markdown name never loaded (created and gone) is noise.
            Err(_) if known_file() => Touch::Articles(vec![path.to_path_buf()]),
            Err(_) => Touch::Ignore,
            // Folders and links named *.md: the full load reports or follows them.
            Ok(_) => Touch::Full,
        };
    }
    match meta {
        // A folder or asset that went away: assets and whole folders change several pages.
        Err(_) if known_dir() || articles.iter().any(|a| a.assets.iter().any(|x| x == path)) => {
            Touch::Full
        }
        Err(_) => Touch::Ignore,
        Ok(m) if m.is_dir() && known_dir() => Touch::Ignore,
        Ok(m) if m.is_dir() => new_folder(path),
        // A new or changed asset (or a link): copied next to the pages, listed by articles.
        Ok(_) => Touch::Full,
    }
}

/// A folder new to the site (created or moved in): its articles, unless it brings assets.
fn new_folder(dir: &Path) -> Touch {
    let mut found = Vec::new();
    let entries = WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !ignored(e.file_name()));
    for entry in entries {
        let Ok(entry) = entry else {
            return Touch::Full;
        };
        let kind = entry.file_type();
        if kind.is_dir() {
            continue;
        }
        if kind.is_file() && is_markdown(entry.path()) {
            found.push(entry.into_path());
        } else {
            return Touch::Full;
        }
    }
    Touch::Articles(found)
}

/// Whether `rel` (under `content/`) is, or is reached through, a symbolic link below `content`.
fn through_link(root: &Path, rel: &Path) -> bool {
    let mut path = root.to_path_buf();
    rel.components().enumerate().any(|(i, part)| {
        path.push(part);
        i > 0 && std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink())
    })
}

/// Hidden names and editor leftovers (as the content walk skips them), and the files editors
/// write only while saving (`x.tmp`, JetBrains' `x___jb_tmp___`, vim's `4913` probe).
fn ignored(name: &std::ffi::OsStr) -> bool {
    if crate::content::is_editor_leftover(name) {
        return true;
    }
    let Some(name) = name.to_str() else {
        return false;
    };
    name.starts_with('.') || name.ends_with(".tmp") || name.contains("___jb_") || name == "4913"
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn known(files: &[&str], assets: &[PathBuf]) -> Vec<Article> {
        files
            .iter()
            .map(|f| Article {
                file: PathBuf::from(f),
                assets: assets.to_vec(),
                ..crate::site::tests::article("x", "2024-01-01T00:00:00Z", &[])
            })
            .collect()
    }

    #[test]
    fn paths_sort_into_full_articles_and_noise() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let write = |rel: &str| {
            let p = root.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, "x").unwrap();
            p
        };
        let edited = write("content/2024/a.md");
        let photo = write("content/2024/photo.jpg");
        let scratch = write("content/2024/a.md~");
        let hidden = write("content/.drafts/b.md");
        let swap = write("content/2024/.a.md.swp");
        let new_dir_article = write("content/2025/01/new.md");
        let gone_known = root.join("content/2024/old.md");
        let gone_unknown = root.join("content/2024/never.md");
        let vim_probe = root.join("content/2024/4913");
        let outside = write("public/index.html");
        let articles = known(&["content/2024/a.md", "content/2024/old.md"], &[photo]);
        let articles: Vec<&Article> = articles.iter().collect();

        let batch = [
            edited.clone(),
            scratch,
            hidden,
            swap,
            gone_known.clone(),
            gone_unknown,
            vim_probe,
            outside,
            root.join("content/2025"),
        ];
        let changes = classify(root, &batch, Some(&articles));
        assert!(!changes.full);
        assert_eq!(
            changes.articles,
            BTreeSet::from([edited.clone(), gone_known, new_dir_article])
        );
        assert_eq!(changes.describe(), "content/2024/a.md and 2 more changed");

        let photo_edit = classify(
            root,
            &[root.join("content/2024/photo.jpg")],
            Some(&articles),
        );
        assert!(photo_edit.full);
        assert_eq!(photo_edit.describe(), "content/2024/photo.jpg changed");
        for theme in ["templates/base.html", "themes/x/a.css", "static/s.css"] {
            let changes = classify(root, &[root.join(theme)], Some(&articles));
            assert!(changes.theme && !changes.full, "{theme}");
        }
        assert!(classify(root, &[root.join("site.toml")], Some(&articles)).full);
        assert!(classify(root, &[edited], None).full);
        assert!(classify(root, &[root.join("README.md")], Some(&articles)).is_empty());
    }
}
