//! Jekyll's layout: `_config.yml`, `_posts/YYYY-MM-DD-slug.md` (also under category folders,
//! `blog/_posts/`), `_drafts/`, and every other file without front matter copied as it is.
//! Post URLs follow `permalink` (a named style or a pattern of `:placeholders`), per post or
//! for the site.

mod urls;

use std::path::{Component, Path};

use urls::{fill, post_urls, site_permalink, site_permalink_or, slugify};

use serde_yaml::{Mapping, Value};

use super::read;
use super::{CopiedFile, Post, Problems, SiteSettings, Source};
use crate::error::{Diagnostic, Result};

/// What Jekyll leaves out of a site unless told otherwise (Jekyll 4's defaults).
const DEFAULT_EXCLUDE: &[&str] = &[
    "Gemfile",
    "Gemfile.lock",
    "gemfiles",
    "node_modules",
    "vendor/bundle",
    "vendor/cache",
    "vendor/gems",
    "vendor/ruby",
];

/// Reads a Jekyll site.
pub fn read(src: &Path) -> Result<Source> {
    let mut problems = Problems::default();
    let mut source = Source::default();
    let config_path = src.join("_config.yml");
    let config = problems
        .keep(read::config_file(src, "_config.yml"))
        .unwrap_or_default();
    let get = |key: &str| config.get(key).and_then(read::text);
    let base_url = get("url").map(|url| {
        let base = get("baseurl").unwrap_or_default();
        format!("{}/{}", url.trim_end_matches('/'), base.trim_matches('/'))
    });
    let author = config.get("author").and_then(|a| match a {
        Value::Mapping(m) => m.get("name").and_then(read::text),
        other => read::text(other),
    });
    let (tz, timezone) = super::site_tz(get("timezone"), &mut source.attention, &config_path);
    source.site = SiteSettings {
        title: get("title"),
        base_url,
        description: get("description"),
        author,
        timezone,
    };
    let plugins = ["plugins", "gems"]
        .iter()
        .filter_map(|key| config.get(*key))
        .flat_map(|list| read::list(list, false));
    if plugins.into_iter().any(|p| p == "jekyll-feed") {
        source.attention.push(Diagnostic::new(
            "_config.yml",
            "jekyll-feed's /feed.xml is now /atom.xml: feed readers follow only a server \
             redirect, e.g. `/feed.xml /atom.xml 301` in a _redirects file",
        ));
    }
    // Jekyll 4 lets the posts collection have a permalink of its own.
    let collection_permalink = match config.get("collections") {
        Some(Value::Mapping(c)) => match c.get("posts") {
            Some(Value::Mapping(posts)) => posts.get("permalink").and_then(read::text),
            _ => None,
        },
        _ => None,
    };
    let permalink = site_permalink(collection_permalink.or_else(|| get("permalink")).as_deref());
    let defaults = post_defaults(&config);
    let mut exclude: Vec<String> = DEFAULT_EXCLUDE.iter().map(|s| s.to_string()).collect();
    if let Some(list) = config.get("exclude") {
        exclude.extend(read::list(list, false));
    }
    let excluded = |rel: &Path| {
        let rel = rel.to_string_lossy();
        exclude.iter().any(|e| {
            rel == e.trim_end_matches('/')
                || rel.starts_with(&format!("{}/", e.trim_end_matches('/')))
        })
    };

    let skip_dir = |dir: &Path| {
        let rel = super::rel(src, dir);
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        excluded(&rel) || (name.starts_with('_') && name != "_posts" && name != "_drafts")
    };
    for path in super::files_under(src, &skip_dir) {
        let rel = super::rel(src, &path);
        if excluded(&rel) {
            continue;
        }
        let parts: Vec<String> = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        let posts_at = parts.iter().position(|p| p == "_posts");
        let drafts_at = parts.iter().position(|p| p == "_drafts");
        if let Some(at) = posts_at.or(drafts_at) {
            let draft = posts_at.is_none();
            if super::is_markdown(&path) {
                let folder_cats = parts[..at].to_vec();
                if let Some(post) = problems
                    .keep(read_post(
                        src,
                        &path,
                        draft,
                        folder_cats,
                        &permalink,
                        &defaults,
                        &tz,
                    ))
                    .flatten()
                {
                    source.posts.push(post);
                }
            } else if parts.len() > at + 2 {
                // jekyll-postfiles: a post's own folder inside _posts holds its images.
            } else {
                source.attention.push(Diagnostic::new(
                    &rel,
                    "is not a Markdown post; not imported (convert it to Markdown by hand)",
                ));
            }
            continue;
        }
        if parts.iter().any(|p| p.starts_with('_')) || rel == Path::new("_config.yml") {
            continue;
        }
        if read::has_front_matter(&path) {
            source.attention.push(Diagnostic::new(
                &rel,
                "is a page (it has front matter), not a post; not imported: make it a Gazette \
                 template or static file by hand",
            ));
        } else {
            source.statics.push(CopiedFile {
                from: path.clone(),
                to: rel,
            });
        }
    }
    attach_post_files(src, &mut source);
    problems.into_result()?;
    Ok(source)
}

/// Files beside a post in a folder of its own under `_posts` (jekyll-postfiles) go with it.
fn attach_post_files(src: &Path, source: &mut Source) {
    for post in &mut source.posts {
        let Some(dir) = src.join(&post.file).parent().map(Path::to_path_buf) else {
            continue;
        };
        if dir
            .file_name()
            .is_some_and(|n| n == "_posts" || n == "_drafts")
        {
            continue;
        }
        for path in super::files_under(&dir, &|_| false) {
            if !super::is_markdown(&path) {
                post.assets.push(CopiedFile {
                    to: super::rel(&dir, &path),
                    from: path,
                });
            }
        }
    }
}

/// Reads one post; `None` for a file Jekyll would not publish as a post.
fn read_post(
    src: &Path,
    path: &Path,
    draft: bool,
    folder_categories: Vec<String>,
    site_permalink: &str,
    defaults: &[(String, Mapping)],
    tz: &crate::config::SiteTz,
) -> std::result::Result<Option<Post>, Diagnostic> {
    let rel = super::rel(src, path);
    let mut doc = read::read_doc(path, &rel)?;
    let shown = rel.to_string_lossy().replace('\\', "/");
    for (scope, values) in defaults {
        if shown.starts_with(scope.as_str()) {
            for (key, value) in values {
                if !doc.fields.contains_key(key) {
                    doc.fields.insert(key.clone(), value.clone());
                }
            }
        }
    }
    let stem = read::stem(path);
    let named = read::dated_name(&stem);
    if named.is_none() && !draft {
        return Err(Diagnostic::new(
            &rel,
            "a post's file name must start with its date (YYYY-MM-DD-title.md); Jekyll skips \
             it, so rename it and run the import again",
        ));
    }
    let file_slug = named.map_or(stem.as_str(), |(_, s)| s).to_string();
    let date = match doc.take_date("date", tz)? {
        Some(date) => date,
        None => match named {
            Some((day, _)) => read::midnight(day, tz)
                .ok_or_else(|| doc.problem("date", "does not exist in the site's timezone"))?,
            None => read::modified(path, tz).ok_or_else(|| doc.problem("date", "missing"))?,
        },
    };
    let slug = doc.take_string("slug").unwrap_or(file_slug);
    let title = doc
        .take_string("title")
        .unwrap_or_else(|| read::title_from_slug(&slug));
    let mut categories = folder_categories;
    categories.extend(doc.take_list("categories", true));
    categories.extend(doc.take_list("category", false));
    let published = doc.take_flag("published").unwrap_or(true);
    let permalink = doc.take_string("permalink");
    let draft = draft || !published;
    let urls = if draft {
        Vec::new()
    } else {
        let pattern = permalink
            .as_deref()
            .map_or_else(|| site_permalink.to_string(), site_permalink_or);
        post_urls(&fill(&pattern, &date, &slug, &categories))
    };
    let mut authors = doc.take_list("author", false);
    authors.extend(doc.take_list("authors", false));
    let summary = doc
        .take_string("excerpt")
        .or_else(|| doc.take_string("description"));
    // jekyll-seo-tag allows `image: {path: ..., alt: ...}`.
    let image = match doc.take("image") {
        Some(Value::Mapping(m)) => {
            if let Some(alt) = m.get("alt") {
                doc.fields.insert("image_alt".into(), alt.clone());
            }
            m.get("path").and_then(read::text)
        }
        Some(other) => read::text(&other),
        None => None,
    };
    Ok(Some(Post {
        file: rel,
        body_line: doc.body_line,
        title,
        updated: doc.take_date("last_modified_at", tz)?,
        date,
        // The slug as the URL showed it (`:title`), which Gazette then keeps.
        slug: slugify(&slug, true),
        urls,
        aliases: doc.take_list("redirect_from", false),
        draft,
        tags: doc.take_list("tags", true),
        categories,
        summary,
        authors,
        image,
        extra: doc.rest(),
        body: std::mem::take(&mut doc.body),
        assets: Vec::new(),
    }))
}

/// The `defaults:` entries that apply to posts, as (path prefix, values), most specific
/// first: a post takes each value its own front matter lacks, from the first entry that has it.
fn post_defaults(config: &Mapping) -> Vec<(String, Mapping)> {
    let Some(Value::Sequence(entries)) = config.get("defaults") else {
        return Vec::new();
    };
    let mut found: Vec<(String, Mapping)> = entries
        .iter()
        .filter_map(|entry| {
            let scope = entry.get("scope");
            let kind = scope.and_then(|s| s.get("type")).and_then(read::text);
            if kind.is_some_and(|k| k != "posts") {
                return None;
            }
            let path = scope
                .and_then(|s| s.get("path"))
                .and_then(read::text)
                .unwrap_or_default();
            match entry.get("values") {
                Some(Value::Mapping(values)) => {
                    Some((path.trim_matches('/').to_string(), values.clone()))
                }
                _ => None,
            }
        })
        .collect();
    // Later entries win over earlier ones of the same scope, longer paths over shorter.
    found.reverse();
    found.sort_by_key(|(path, _)| std::cmp::Reverse(path.len()));
    found
}
