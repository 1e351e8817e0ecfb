//! Hugo's layout: `hugo.toml` (or `config.toml`, `config.yaml`, `hugo.yaml`), `content/` with
//! sections (`content/<section>/x.md`) and leaf bundles (`x/index.md` with its resources), TOML
//! (`+++`) or YAML (`---`) front matter, `static/`. A page's URL is its `url`, else its section's
//! `[permalinks]` pattern, else `/<section>/<slug or file name>/`.

use std::path::Path;

use chrono::{DateTime, Datelike, FixedOffset};
use serde_yaml::{Mapping, Value};

use super::read;
use super::{CopiedFile, Post, Problems, SiteSettings, Source};
use crate::config::SiteTz;
use crate::error::{Diagnostic, Result};

/// Configuration files Hugo reads, in its order of preference.
const CONFIG_FILES: &[&str] = &[
    "hugo.toml",
    "hugo.yaml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.json",
    "config/_default/hugo.toml",
    "config/_default/hugo.yaml",
    "config/_default/config.toml",
    "config/_default/config.yaml",
];

/// How Hugo makes a page's URLs, from its configuration.
#[derive(Debug, Clone, Default)]
pub struct Urls {
    /// Section name -> permalink pattern (`posts = "/:year/:month/:slug/"`).
    pub permalinks: Mapping,
    /// `uglyURLs`: `/posts/x.html` instead of `/posts/x/`.
    pub ugly: bool,
    /// `disablePathToLower`: URLs keep the case of titles and file names.
    pub keep_case: bool,
}

/// Reads a Hugo site.
pub fn read(src: &Path) -> Result<Source> {
    let mut problems = Problems::default();
    let mut source = Source::default();
    let config_name = CONFIG_FILES
        .iter()
        .copied()
        .find(|name| src.join(name).is_file())
        .unwrap_or("hugo.toml");
    let config = problems
        .keep(read::config_file(src, config_name))
        .unwrap_or_default();
    // Hugo's configuration keys are case-insensitive.
    let get = |key: &str| {
        config
            .iter()
            .find(|(k, _)| read::key_text(k).eq_ignore_ascii_case(key))
            .map(|(_, v)| v.clone())
    };
    let params = match get("params") {
        Some(Value::Mapping(m)) => m,
        _ => Mapping::new(),
    };
    let (tz, timezone) = super::site_tz(
        get("timezone").and_then(|v| read::text(&v)),
        &mut source.attention,
        Path::new(config_name),
    );
    let author = get("author")
        .or_else(|| params.get("author").cloned())
        .and_then(|a| match a {
            Value::Mapping(m) => m.get("name").and_then(read::text),
            other => read::text(&other),
        });
    source.site = SiteSettings {
        title: get("title").and_then(|v| read::text(&v)),
        base_url: get("baseurl").and_then(|v| read::text(&v)),
        description: params
            .get("description")
            .and_then(read::text)
            .or_else(|| get("description").and_then(|v| read::text(&v))),
        author,
        timezone,
    };
    let mut permalinks = match get("permalinks") {
        Some(Value::Mapping(m)) => m,
        _ => Mapping::new(),
    };
    // Hugo 0.120 nests the page patterns under `page`.
    if let Some(Value::Mapping(page)) = permalinks.get("page").cloned() {
        permalinks = page;
    }
    let urls = Urls {
        permalinks,
        ugly: get("uglyurls").is_some_and(|v| v == Value::Bool(true)),
        keep_case: get("disablepathtolower").is_some_and(|v| v == Value::Bool(true)),
    };

    let content = src.join("content");
    let files = super::files_under(&content, &|_| false);
    let bundles: Vec<&Path> = files
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "index.md"))
        .filter_map(|p| p.parent())
        .collect();
    for path in &files {
        let rel = super::rel(&content, path);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if !super::is_markdown(path) {
            // Hugo publishes a file outside any page bundle at its own path, as static does.
            if read::has_front_matter(path) {
                // A page in another format (HTML, Org...): the import reads Markdown only.
                source.attention.push(Diagnostic::new(
                    Path::new("content").join(&rel),
                    "is a page in a format other than Markdown; not imported: convert it by hand",
                ));
            } else if !bundles.iter().any(|b| path.starts_with(b)) {
                source.statics.push(CopiedFile {
                    from: path.clone(),
                    to: rel,
                });
            }
            continue;
        }
        if name.starts_with("_index.") {
            // Its list page is named below with the other sections.
            continue;
        }
        let mut post = match read_post(src, path, &rel, &urls, &tz) {
            Ok(Some(post)) => post,
            Ok(None) => {
                source.attention.push(Diagnostic::new(
                    Path::new("content").join(&rel),
                    "has no date: a page, not a post; not imported",
                ));
                continue;
            }
            Err(problem) => {
                problems.0.push(problem);
                continue;
            }
        };
        if name.starts_with("index.")
            && let Some(dir) = path.parent()
        {
            for asset in super::files_under(dir, &|_| false) {
                if asset != *path && !super::is_markdown(&asset) {
                    post.assets.push(CopiedFile {
                        to: super::rel(dir, &asset),
                        from: asset,
                    });
                }
            }
        }
        source.posts.push(post);
    }
    source.statics.extend(statics(src, "static"));
    source.attention.extend(lost_lists(&source.posts));
    problems.into_result()?;
    Ok(source)
}

/// The pages Hugo made that Gazette does not: the main feed and each section's list and feed.
fn lost_lists(posts: &[Post]) -> Vec<Diagnostic> {
    let mut notes = vec![Diagnostic::new(
        "content",
        "Hugo's feed /index.xml is now /rss.xml (and /atom.xml): feed readers follow only a \
         server redirect, e.g. `/index.xml /rss.xml 301` in a _redirects file",
    )];
    let mut sections: Vec<String> = posts
        .iter()
        .filter_map(|p| {
            let mut parts = p.file.iter().skip(1);
            let section = parts.next()?.to_string_lossy().into_owned();
            parts.next().map(|_| section)
        })
        .collect();
    sections.sort();
    sections.dedup();
    for section in sections {
        notes.push(Diagnostic::new(
            Path::new("content").join(&section),
            format!(
                "Hugo listed this section at /{s}/ (feed /{s}/index.xml); Gazette makes no such \
                 page, so a server redirect (to / or a tag page) has to keep those URLs",
                s = urlize(&section).to_lowercase()
            ),
        ));
    }
    notes
}

/// Every file under `src/<dir>`, to be copied into `static/` at the same place.
pub fn statics(src: &Path, dir: &str) -> Vec<CopiedFile> {
    let root = src.join(dir);
    super::files_under(&root, &|_| false)
        .into_iter()
        .map(|from| CopiedFile {
            to: super::rel(&root, &from),
            from,
        })
        .collect()
}

/// One page; a page without a date comes back with an empty title, to be reported.
fn read_post(
    src: &Path,
    path: &Path,
    rel: &Path,
    urls: &Urls,
    tz: &SiteTz,
) -> std::result::Result<Option<Post>, Diagnostic> {
    let shown = super::rel(src, path);
    let mut doc = read::read_doc(path, &shown)?;
    let date = match doc.take_date("date", tz)? {
        Some(d) => Some(d),
        None => doc.take_date("publishDate", tz)?,
    };
    let Some(date) = date else {
        return Ok(None);
    };
    let dirs: Vec<String> = rel
        .parent()
        .map(|p| p.iter().map(|s| s.to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    let stem = read::stem(path);
    let (file_name, dirs) = if stem == "index" && !dirs.is_empty() {
        (
            dirs[dirs.len() - 1].clone(),
            dirs[..dirs.len() - 1].to_vec(),
        )
    } else {
        (stem, dirs)
    };
    let title = doc.take_string("title").unwrap_or_default();
    let slug = doc.take_string("slug");
    let url = doc.take_string("url");
    let draft = doc.take_flag("draft").unwrap_or(false);
    let page = Page {
        dirs: &dirs,
        file_name: &file_name,
        slug: slug.as_deref(),
        title: &title,
        date: &date,
    };
    let main_url = match &url {
        Some(url) => read::rooted(url),
        None => page.url(urls),
    };
    let section_dir = format!("/{}/", dirs.join("/"));
    let aliases = doc
        .take_list("aliases", false)
        .into_iter()
        .map(|a| {
            if a.starts_with('/') {
                a
            } else {
                read::squeeze(&format!("{section_dir}{a}"))
            }
        })
        .collect();
    let mut authors = doc.take_list("author", false);
    authors.extend(doc.take_list("authors", false));
    let summary = doc
        .take_string("summary")
        .or_else(|| doc.take_string("description"));
    let title = if title.is_empty() {
        read::title_from_slug(&file_name)
    } else {
        title
    };
    Ok(Some(Post {
        file: shown,
        body_line: doc.body_line,
        title,
        date,
        updated: doc.take_date("lastmod", tz)?,
        // As Hugo put it in URLs, so a `/:filename/` pattern and the new URL agree on case.
        slug: {
            let slug = urlize(slug.as_deref().unwrap_or(&file_name));
            if urls.keep_case {
                slug
            } else {
                slug.to_lowercase()
            }
        },
        urls: if draft { Vec::new() } else { vec![main_url] },
        aliases,
        draft,
        tags: doc.take_list("tags", false),
        categories: doc.take_list("categories", false),
        summary,
        authors,
        image: doc.take_string("image"),
        extra: doc.rest(),
        body: std::mem::take(&mut doc.body),
        assets: Vec::new(),
    }))
}

/// What Hugo's URL rules look at for one page.
pub struct Page<'a> {
    /// Folders under `content/` (the first is the section); a bundle's own folder is not one.
    pub dirs: &'a [String],
    /// File name without extension, or the bundle's folder name.
    pub file_name: &'a str,
    /// Front-matter `slug`.
    pub slug: Option<&'a str>,
    /// Front-matter `title`.
    pub title: &'a str,
    /// The page date.
    pub date: &'a DateTime<FixedOffset>,
}

impl Page<'_> {
    /// The page's URL by its section's pattern or Hugo's default, lowercased as Hugo does
    /// unless told not to.
    pub fn url(&self, urls: &Urls) -> String {
        let section = self.dirs.first().map(String::as_str).unwrap_or("");
        let pattern = urls.permalinks.get(section).and_then(read::text);
        let url = match pattern {
            Some(pattern) => self.fill(&pattern),
            None => {
                let mut path = String::from("/");
                for d in self.dirs {
                    path.push_str(&urlize(d));
                    path.push('/');
                }
                path.push_str(&urlize(self.slug.unwrap_or(self.file_name)));
                path.push('/');
                path
            }
        };
        let mut url = read::squeeze(&read::rooted(&url));
        if !urls.keep_case {
            url = url.to_lowercase();
        }
        if urls.ugly && url.len() > 1 && url.ends_with('/') {
            format!("{}.html", url.trim_end_matches('/'))
        } else {
            url
        }
    }

    /// Fills a `[permalinks]` pattern.
    pub fn fill(&self, pattern: &str) -> String {
        let d = self.date;
        let title = urlize(self.title);
        let value = |name: &str| -> Option<String> {
            Some(match name {
                "year" => format!("{:04}", d.year()),
                "month" => format!("{:02}", d.month()),
                "monthname" => d.format("%B").to_string().to_lowercase(),
                "day" => format!("{:02}", d.day()),
                "weekday" => d.weekday().num_days_from_sunday().to_string(),
                "weekdayname" => d.format("%A").to_string().to_lowercase(),
                "yearday" => d.ordinal().to_string(),
                "section" => self.dirs.first().cloned().unwrap_or_default(),
                "sections" => self.dirs.join("/"),
                "title" => title.clone(),
                "slug" => self.slug.map_or_else(|| title.clone(), urlize),
                "filename" | "contentbasename" => urlize(self.file_name),
                "slugorfilename" | "slugorcontentbasename" => {
                    urlize(self.slug.unwrap_or(self.file_name))
                }
                _ => return None,
            })
        };
        let mut out = String::new();
        let mut rest = pattern;
        while let Some(at) = rest.find(':') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let len = after
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(after.len());
            match value(&after[..len]) {
                Some(v) => out.push_str(&v),
                None => {
                    out.push(':');
                    out.push_str(&after[..len]);
                }
            }
            rest = &after[len..];
        }
        out.push_str(rest);
        out
    }
}

/// Hugo's `urlize`: spaces become `-`, letters, digits and `._-#+~` are kept, the rest
/// dropped (the whole URL is lowercased later, unless `disablePathToLower`).
pub fn urlize(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || "._-#+~".contains(c) => Some(c),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn any_permalink_pattern_fills(pattern in "[:/a-zA-Z_.é-]{0,30}", name in "\\PC{0,12}") {
            let date = DateTime::parse_from_rfc3339("2021-03-04T05:06:07Z").unwrap();
            let dirs = vec![name.clone()];
            let page = Page { dirs: &dirs, file_name: &name, slug: None, title: &name, date: &date };
            let url = page.url(&Urls {
                permalinks: [(Value::from(name.as_str()), Value::from(pattern.as_str()))]
                    .into_iter()
                    .collect(),
                ugly: true,
                keep_case: false,
            });
            proptest::prop_assert!(url.starts_with('/'));
        }
    }

    fn urls(pairs: &[(&str, &str)], ugly: bool) -> Urls {
        Urls {
            permalinks: pairs
                .iter()
                .map(|(k, v)| (Value::from(*k), Value::from(*v)))
                .collect(),
            ugly,
            keep_case: false,
        }
    }

    #[test]
    fn default_and_configured_urls() {
        let date = DateTime::parse_from_rfc3339("2021-03-04T05:06:07Z").unwrap();
        let dirs = vec!["posts".to_string()];
        let page = Page {
            dirs: &dirs,
            file_name: "My First Post",
            slug: None,
            title: "Hello, World!",
            date: &date,
        };
        assert_eq!(page.url(&urls(&[], false)), "/posts/my-first-post/");
        assert_eq!(page.url(&urls(&[], true)), "/posts/my-first-post.html");
        let u = urls(&[("posts", "/:year/:month/:title/")], false);
        assert_eq!(page.url(&u), "/2021/03/hello-world/");
        let u = urls(&[("posts", "/:section/:yearday/:slugorfilename")], false);
        assert_eq!(page.url(&u), "/posts/63/my-first-post");
        let with_slug = Page {
            slug: Some("Custom"),
            ..page
        };
        assert_eq!(with_slug.url(&urls(&[], false)), "/posts/custom/");
        let u = urls(&[("posts", ":year/:slug/")], false);
        assert_eq!(with_slug.url(&u), "/2021/custom/");
        let nested = vec!["blog".to_string(), "2021".to_string()];
        let root_page = Page {
            dirs: &nested,
            ..with_slug
        };
        assert_eq!(root_page.url(&urls(&[], false)), "/blog/2021/custom/");
        let keep = Urls {
            keep_case: true,
            ..urls(&[("posts", "/:year/:title/")], false)
        };
        assert_eq!(page.url(&keep), "/2021/Hello-World/");
        assert_eq!(page.url(&urls(&[], false)), "/posts/my-first-post/");
    }
}
