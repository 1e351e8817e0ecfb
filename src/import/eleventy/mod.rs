//! Eleventy's layout: Markdown anywhere under the input folder (the project, or `dir.input` of
//! its config file); a post is a file with a date (front matter or a `YYYY-MM-DD-` name) or in
//! the `posts`/`post` collection. `_data/metadata.json` or `_data/site.json` hold the site's
//! title and URL; folder data files (`posts/posts.json`) add tags and permalinks. A post's URL is
//! its `permalink`, else `/<path without extension>/`.

mod config;

use std::path::{Path, PathBuf};

use config::{input_dir, passthrough};

use serde_yaml::{Mapping, Value};

use super::read;
use super::{CopiedFile, Post, Problems, SiteSettings, Source};
use crate::config::SiteTz;
use crate::error::{Diagnostic, Result};

/// Folders whose files are usually passed through to the output as they are.
const STATIC_DIRS: &[&str] = &["img", "images", "assets", "css", "static", "fonts", "js"];
/// Collection tags that only put a file in the posts list.
const COLLECTION_TAGS: &[&str] = &["posts", "post"];

/// Reads an Eleventy site.
pub fn read(src: &Path) -> Result<Source> {
    let mut problems = Problems::default();
    let mut source = Source::default();
    let input = src.join(input_dir(src));
    let data = ["metadata.json", "site.json"]
        .iter()
        // `_data` is under the input folder unless the config moves it, often to the project.
        .find_map(|name| {
            json_file(&input.join("_data").join(name))
                .or_else(|| json_file(&src.join("_data").join(name)))
        })
        .unwrap_or_default();
    let get = |key: &str| data.get(key).and_then(read::text);
    let author = data.get("author").and_then(|a| match a {
        Value::Mapping(m) => m.get("name").and_then(read::text),
        other => read::text(other),
    });
    source.site = SiteSettings {
        title: get("title"),
        base_url: get("url"),
        description: get("description"),
        author,
        timezone: None,
    };
    let (tz, _) = super::site_tz(None, &mut source.attention, Path::new("_data"));
    let skip = |dir: &Path| {
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        name.starts_with('_') || name == "node_modules" || name == "_site"
    };
    for path in super::files_under(&input, &skip) {
        let rel = super::rel(&input, &path);
        if !super::is_markdown(&path) {
            continue;
        }
        let shown = super::rel(src, &path);
        let folder = folder_data(&input, &rel);
        match read_post(&path, &rel, &shown, &folder, &tz) {
            Ok(Found::Post(mut post, attention)) => {
                source.attention.extend(attention);
                post.assets = beside(&path);
                source.posts.push(*post);
            }
            Ok(Found::Page(note)) => source.attention.push(note),
            Err(problem) => problems.0.push(problem),
        }
    }
    // What the config passes through, then the usual folders when it names none of them.
    let mut copies = passthrough(src);
    for base in [src, input.as_path()] {
        for dir in STATIC_DIRS {
            let from = super::rel(src, &base.join(dir));
            copies.push((from.to_string_lossy().into_owned(), dir.to_string()));
        }
    }
    for (from, to) in copies {
        let path = src.join(&from);
        let files = if path.is_file() {
            vec![CopiedFile {
                from: path,
                to: PathBuf::from(to.trim_matches('/')),
            }]
        } else {
            super::hugo::statics(src, &from)
                .into_iter()
                .map(|f| CopiedFile {
                    to: Path::new(to.trim_matches('/')).join(&f.to),
                    from: f.from,
                })
                .collect()
        };
        for file in files {
            if !source.statics.iter().any(|s| s.to == file.to) {
                source.statics.push(file);
            }
        }
    }
    problems.into_result()?;
    Ok(source)
}

fn json_file(path: &Path) -> Option<Mapping> {
    let text = std::fs::read_to_string(path).ok()?;
    match read::json_to_yaml(serde_json::from_str(&text).ok()?) {
        Value::Mapping(m) => Some(m),
        _ => None,
    }
}

/// Data from the folder data files of every folder above `rel` (`posts/posts.json`,
/// `posts/posts.11tydata.json`), outermost first: tags add up, a nearer permalink wins.
fn folder_data(input: &Path, rel: &Path) -> Mapping {
    let mut merged = Mapping::new();
    let mut dir = PathBuf::new();
    let mut tags = Vec::new();
    for part in rel.parent().into_iter().flat_map(|p| p.iter()) {
        dir.push(part);
        let name = part.to_string_lossy();
        for file in [format!("{name}.json"), format!("{name}.11tydata.json")] {
            if let Some(data) = json_file(&input.join(&dir).join(file)) {
                for (k, v) in data {
                    if k == "tags" {
                        tags.extend(read::list(&v, false));
                    } else {
                        merged.insert(k, v);
                    }
                }
            }
        }
    }
    if !tags.is_empty() {
        merged.insert("tags".into(), tags.into_iter().map(Value::from).collect());
    }
    merged
}

/// Files beside a post that is a folder's `index.md`, or the only Markdown file of its folder.
fn beside(path: &Path) -> Vec<CopiedFile> {
    let Some(dir) = path.parent() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    let markdown = files.iter().filter(|p| super::is_markdown(p)).count();
    let is_index = path.file_stem().is_some_and(|s| s == "index");
    if markdown != 1 && !is_index {
        return Vec::new();
    }
    files
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            // Data files feed the templates; they are not published.
            !super::is_markdown(p) && !name.ends_with(".json") && !name.contains(".11tydata.")
        })
        .map(|from| CopiedFile {
            to: PathBuf::from(from.file_name().unwrap_or_default()),
            from,
        })
        .collect()
}

enum Found {
    Post(Box<Post>, Vec<Diagnostic>),
    Page(Diagnostic),
}

fn read_post(
    path: &Path,
    rel: &Path,
    shown: &Path,
    folder: &Mapping,
    tz: &SiteTz,
) -> std::result::Result<Found, Diagnostic> {
    let mut doc = read::read_doc(path, shown)?;
    let mut tags = read::list(folder.get("tags").unwrap_or(&Value::Null), false);
    tags.extend(doc.take_list("tags", false));
    let in_posts = tags.iter().any(|t| COLLECTION_TAGS.contains(&t.as_str()));
    tags.retain(|t| !COLLECTION_TAGS.contains(&t.as_str()));
    let stem = read::stem(path);
    let named = read::dated_name(&stem);
    let file_slug = if stem == "index" {
        rel.parent()
            .and_then(|p| p.file_name())
            .map_or(stem.clone(), |n| n.to_string_lossy().into_owned())
    } else {
        named.map_or(stem.clone(), |(_, s)| s.to_string())
    };
    let url_default = default_url(rel);
    let date = match doc.fields.get("date").and_then(read::text) {
        // Eleventy's named dates: the file's own times.
        Some(d) if d.contains("Modified") || d.contains("Created") => {
            doc.take("date");
            read::modified(path, tz)
        }
        _ => doc.take_date("date", tz)?,
    };
    let date = date.or_else(|| named.and_then(|(day, _)| read::midnight(day, tz)));
    let excluded = doc
        .take_flag("eleventyExcludeFromCollections")
        .unwrap_or(false);
    let date = match date {
        Some(date) if !excluded => date,
        None if in_posts && !excluded => match read::modified(path, tz) {
            Some(date) => date,
            None => {
                return Ok(Found::Page(Diagnostic::new(
                    shown,
                    "has no date; not imported",
                )));
            }
        },
        _ => {
            let why = if excluded {
                "is excluded from collections"
            } else {
                "has no date and is in no posts collection"
            };
            return Ok(Found::Page(Diagnostic::new(
                shown,
                format!("{why}: a page, not a post; not imported (its URL was {url_default})"),
            )));
        }
    };
    let title = doc
        .take_string("title")
        .unwrap_or_else(|| read::title_from_slug(&file_slug));
    let mut attention = Vec::new();
    let permalink = doc
        .take("permalink")
        .or_else(|| folder.get("permalink").cloned());
    let mut draft = doc.take_flag("draft").unwrap_or(false);
    let url = match permalink {
        Some(Value::Bool(false)) => {
            // Not written to the output: never published.
            draft = true;
            None
        }
        Some(value) => read::text(&value).and_then(|p| {
            let filled = fill(&p, rel, &file_slug, &title);
            if filled.contains("{{") || filled.contains("{%") {
                attention.push(doc.problem(
                    "permalink",
                    format!("`{p}` is a template gazette cannot work out; add the old URL to `aliases` by hand"),
                ));
                None
            } else {
                Some(read::squeeze(&read::rooted(&filled)))
            }
        }),
        None => Some(url_default),
    };
    let mut authors = doc.take_list("author", false);
    authors.extend(doc.take_list("authors", false));
    let summary = doc
        .take_string("description")
        .or_else(|| doc.take_string("excerpt"))
        .or_else(|| doc.take_string("summary"));
    let updated = doc.take_date("updated", tz)?;
    let post = Post {
        file: shown.to_path_buf(),
        body_line: doc.body_line,
        title,
        date,
        updated,
        slug: doc.take_string("slug").unwrap_or(file_slug),
        urls: if draft {
            Vec::new()
        } else {
            url.into_iter().collect()
        },
        aliases: ["aliases", "redirect_from", "redirectFrom"]
            .iter()
            .flat_map(|key| doc.take_list(key, false))
            .collect(),
        draft,
        tags,
        categories: doc.take_list("categories", false),
        summary,
        authors,
        image: doc.take_string("image"),
        extra: doc.rest(),
        body: std::mem::take(&mut doc.body),
        assets: Vec::new(),
    };
    Ok(Found::Post(Box::new(post), attention))
}

/// `/<path without extension>/`; an `index` file is its folder.
pub fn default_url(rel: &Path) -> String {
    let stem = rel.with_extension("");
    let mut url = format!("/{}/", stem.to_string_lossy().replace('\\', "/"));
    if let Some(folder) = url.strip_suffix("index/") {
        url = folder.to_string();
    }
    url
}

/// The simple templates a permalink often holds (`/blog/{{ page.fileSlug }}/`,
/// `{{ title | slugify }}`); anything else is left for the caller to notice.
pub fn fill(permalink: &str, rel: &Path, file_slug: &str, title: &str) -> String {
    let stem = rel.with_extension("").to_string_lossy().replace('\\', "/");
    let mut out = String::new();
    let mut rest = permalink;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        let Some(end) = rest[at..].find("}}") else {
            break;
        };
        let inner: String = rest[at + 2..at + end].split_whitespace().collect();
        let value = match inner.as_str() {
            "page.fileSlug" => Some(file_slug.to_string()),
            "page.filePathStem" => Some(format!("/{stem}")),
            "title|slugify" | "title|slug" | "title|slugify()" => Some(slugify(title)),
            "page.fileSlug|slugify" | "page.fileSlug|slug" => Some(slugify(file_slug)),
            _ => None,
        };
        match value {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[at..at + end + 2]),
        }
        rest = &rest[at + end + 2..];
    }
    out.push_str(rest);
    out
}

/// Eleventy's `slugify` filter: lowercase, letters and digits kept, other runs one `-`.
fn slugify(text: &str) -> String {
    super::zola::slugify(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn any_permalink_template_fills(permalink in "[{}%/a-zA-Z. |é]{0,40}", title in "\\PC{0,10}") {
            let _ = fill(&permalink, Path::new("posts/x.md"), "x", &title);
        }
    }

    #[test]
    fn default_and_templated_permalinks() {
        assert_eq!(default_url(Path::new("posts/first.md")), "/posts/first/");
        assert_eq!(
            default_url(Path::new("posts/trip/index.md")),
            "/posts/trip/"
        );
        assert_eq!(default_url(Path::new("2020-01-02-x.md")), "/2020-01-02-x/");
        let rel = Path::new("posts/2020-01-02-hello.md");
        assert_eq!(
            fill("/blog/{{ page.fileSlug }}/", rel, "hello", "Hi There"),
            "/blog/hello/"
        );
        assert_eq!(
            fill("/{{ title | slugify }}/", rel, "hello", "Hi There!"),
            "/hi-there/"
        );
        assert_eq!(
            fill("{{ page.filePathStem }}.html", rel, "hello", "x"),
            "/posts/2020-01-02-hello.html"
        );
        assert_eq!(
            fill("/{{ page.date | date: '%Y' }}/x/", rel, "hello", "x"),
            "/{{ page.date | date: '%Y' }}/x/"
        );
    }
}
