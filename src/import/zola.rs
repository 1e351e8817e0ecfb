//! Zola's layout: `config.toml`, `content/` whose folders are sections (`_index.md`, not
//! imported) holding pages `x.md` or `x/index.md` with colocated assets, TOML (`+++`) front
//! matter with `[taxonomies]` and `[extra]`, `static/`. A page's URL is its `path`, else
//! `/<section>/<slug>/` with the slug from `slug` or the file name (less a date prefix).

use std::path::Path;

use serde_yaml::Value;

use super::read;
use super::{CopiedFile, Post, Problems, SiteSettings, Source};
use crate::config::SiteTz;
use crate::error::{Diagnostic, Result};

/// Reads a Zola site.
pub fn read(src: &Path) -> Result<Source> {
    let mut problems = Problems::default();
    let mut source = Source::default();
    let config = problems
        .keep(read::config_file(src, "config.toml"))
        .unwrap_or_default();
    let get = |key: &str| config.get(key).and_then(read::text);
    let author = get("author").or_else(|| match config.get("extra") {
        Some(Value::Mapping(extra)) => extra.get("author").and_then(read::text),
        _ => None,
    });
    source.site = SiteSettings {
        title: get("title"),
        base_url: get("base_url"),
        description: get("description"),
        author,
        timezone: None,
    };
    let (tz, _) = super::site_tz(None, &mut source.attention, Path::new("config.toml"));
    let paths = Paths::from_config(&config);

    let content = src.join("content");
    let files = super::files_under(&content, &|_| false);
    let bundles: Vec<&Path> = files
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "index.md"))
        .filter_map(|p| p.parent())
        .filter(|dir| *dir != content)
        .collect();
    for path in &files {
        let path = path.clone();
        let rel = super::rel(&content, &path);
        let shown = Path::new("content").join(&rel);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if !super::is_markdown(&path) {
            // Assets beside a section are published at the section's path.
            if read::has_front_matter(&path) {
                // A page in another format (HTML, Org...): the import reads Markdown only.
                source.attention.push(Diagnostic::new(
                    Path::new("content").join(&rel),
                    "is a page in a format other than Markdown; not imported: convert it by hand",
                ));
            } else if !bundles.iter().any(|b| path.starts_with(b)) {
                source.statics.push(CopiedFile {
                    from: path,
                    to: rel,
                });
            }
            continue;
        }
        if name.starts_with("_index.") {
            if let Some(dir) = rel.parent().filter(|d| !d.as_os_str().is_empty()) {
                let dirs: Vec<String> = dir
                    .iter()
                    .map(|s| s.to_string_lossy().into_owned())
                    .collect();
                let url = page_url(&dirs[..dirs.len() - 1], &dirs[dirs.len() - 1], None, paths);
                source.attention.push(Diagnostic::new(
                    &shown,
                    format!(
                        "is a section, listed at {url}; Gazette makes no such page, so a \
                         server redirect (to / or a tag page) has to keep that URL"
                    ),
                ));
            }
            continue;
        }
        let mut post = match read_post(&path, &rel, &shown, paths, &tz) {
            Ok(Some(post)) => post,
            Ok(None) => {
                source.attention.push(Diagnostic::new(
                    &shown,
                    "has no date: a page, not a post; not imported",
                ));
                continue;
            }
            Err(problem) => {
                problems.0.push(problem);
                continue;
            }
        };
        // Only a page that is a folder's index.md has colocated assets.
        if name.starts_with("index.")
            && let Some(dir) = path.parent()
            && dir != content
        {
            for asset in super::files_under(dir, &|_| false) {
                if !super::is_markdown(&asset) {
                    post.assets.push(CopiedFile {
                        to: super::rel(dir, &asset),
                        from: asset,
                    });
                }
            }
        }
        source.posts.push(post);
    }
    source.statics.extend(super::hugo::statics(src, "static"));
    problems.into_result()?;
    Ok(source)
}

fn read_post(
    path: &Path,
    rel: &Path,
    shown: &Path,
    paths: Paths,
    tz: &SiteTz,
) -> std::result::Result<Option<Post>, Diagnostic> {
    let mut doc = read::read_doc(path, shown)?;
    let mut dirs: Vec<String> = rel
        .parent()
        .map(|p| p.iter().map(|s| s.to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    let stem = read::stem(path);
    let file_name = if stem == "index" {
        match dirs.pop() {
            Some(dir) => dir,
            None => return Ok(None),
        }
    } else {
        stem
    };
    let named = read::dated_name(&file_name);
    let date = match doc.take_date("date", tz)? {
        Some(date) => date,
        None => match named.and_then(|(day, _)| read::midnight(day, tz)) {
            Some(date) => date,
            None => return Ok(None),
        },
    };
    let name_slug = named.map_or(file_name.as_str(), |(_, s)| s).to_string();
    let slug = doc.take_string("slug");
    let path_field = doc.take_string("path");
    let draft = doc.take_flag("draft").unwrap_or(false);
    let url = page_url(
        &dirs,
        slug.as_deref().unwrap_or(&name_slug),
        path_field.as_deref(),
        paths,
    );
    let aliases = doc
        .take_list("aliases", false)
        .iter()
        .map(|a| read::rooted(a))
        .collect();
    let mut tags = Vec::new();
    let mut categories = Vec::new();
    let mut authors = doc.take_list("authors", false);
    let mut extra = Vec::new();
    if let Some(Value::Mapping(taxonomies)) = doc.take("taxonomies") {
        for (key, value) in taxonomies {
            match read::key_text(&key).as_str() {
                "tags" => tags = read::list(&value, false),
                "categories" => categories = read::list(&value, false),
                "authors" | "author" => authors.extend(read::list(&value, false)),
                other => extra.push((other.to_string(), value)),
            }
        }
    }
    let mut image = None;
    // `[extra]` is the page's own data: its keys become top-level fields, which Gazette
    // keeps in `extra` the same way, except a byline and an image it can use.
    if let Some(Value::Mapping(fields)) = doc.take("extra") {
        for (key, value) in fields {
            match read::key_text(&key).as_str() {
                "author" if authors.is_empty() => authors = read::list(&value, false),
                "image" if read::text(&value).is_some() => image = read::text(&value),
                other => extra.push((other.to_string(), value)),
            }
        }
    }
    let title = doc
        .take_string("title")
        .unwrap_or_else(|| read::title_from_slug(&name_slug));
    let summary = doc.take_string("description");
    let updated = doc.take_date("updated", tz)?;
    let mut rest = doc.rest();
    rest.extend(extra);
    Ok(Some(Post {
        file: shown.to_path_buf(),
        body_line: doc.body_line,
        title,
        date,
        updated,
        slug: paths.segment(slug.as_deref().unwrap_or(&name_slug)),
        urls: if draft { Vec::new() } else { vec![url] },
        aliases,
        draft,
        tags,
        categories,
        summary,
        authors,
        image,
        extra: rest,
        body: std::mem::take(&mut doc.body),
        assets: Vec::new(),
    }))
}

/// A page's URL: `path` as given (rooted, with a trailing `/` unless it names a file), else
/// `/<section folders>/<slugified slug>/`.
pub fn page_url(dirs: &[String], slug: &str, path: Option<&str>, paths: Paths) -> String {
    if let Some(path) = path {
        let path = read::rooted(path.trim());
        let last = path.rsplit('/').next().unwrap_or("");
        return if path.ends_with('/') || last.contains('.') {
            path
        } else {
            format!("{path}/")
        };
    }
    let mut url = String::from("/");
    for dir in dirs {
        url.push_str(&paths.segment(dir));
        url.push('/');
    }
    url.push_str(&paths.segment(slug));
    url.push('/');
    read::squeeze(&url)
}

/// How Zola makes path segments (`[slugify] paths`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paths {
    /// `"on"` (the default): [`slugify`].
    #[default]
    On,
    /// `"safe"`: only characters no file system takes are removed, case kept.
    Safe,
    /// `"off"`: as written.
    Off,
}

impl Paths {
    fn from_config(config: &serde_yaml::Mapping) -> Paths {
        let strategy = match config.get("slugify") {
            Some(Value::Mapping(s)) => s.get("paths").and_then(read::text),
            _ => None,
        };
        match strategy.as_deref() {
            Some("safe") => Paths::Safe,
            Some("off") => Paths::Off,
            _ => Paths::On,
        }
    }

    /// One path segment made the way Zola makes it.
    pub fn segment(self, text: &str) -> String {
        match self {
            Paths::On => slugify(text),
            Paths::Safe => text
                .trim_end_matches([' ', '.'])
                .chars()
                .filter(|c| !"<>:\"/\\|?*".contains(*c))
                .collect(),
            Paths::Off => text.to_string(),
        }
    }
}

/// Zola's default path slugs (`slugify.paths = "on"`, the `slug` crate): accents dropped,
/// lowercase, ASCII letters and digits kept, every other run of characters one `-`. (That
/// crate also transliterates other scripts to ASCII; they are kept as they are here, and such
/// URLs need a check.)
pub fn slugify(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let chars = text
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase);
    crate::slug::join_kept(chars, char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_slugs() {
        let blog = vec!["blog".to_string()];
        assert_eq!(
            page_url(&blog, "Hello World", None, Paths::On),
            "/blog/hello-world/"
        );
        assert_eq!(page_url(&blog, "x", Some("about"), Paths::On), "/about/");
        assert_eq!(
            page_url(&blog, "x", Some("/old/page.html"), Paths::On),
            "/old/page.html"
        );
        assert_eq!(page_url(&[], "Top_Level", None, Paths::On), "/top-level/");
        let nested = vec!["Blog".to_string(), "Rust Notes".to_string()];
        assert_eq!(
            page_url(&nested, "a.b", None, Paths::On),
            "/blog/rust-notes/a-b/"
        );
        assert_eq!(
            page_url(&blog, "Café Olé", None, Paths::On),
            "/blog/cafe-ole/"
        );
        assert_eq!(
            page_url(&blog, "Why? Because.", None, Paths::Safe),
            "/blog/Why Because/"
        );
        assert_eq!(page_url(&blog, "As Is", None, Paths::Off), "/blog/As Is/");
    }
}
