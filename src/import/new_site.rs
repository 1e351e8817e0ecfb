//! The Gazette side of an import: a post's new front matter and the new `site.toml`, written
//! as Gazette reads them.

use chrono::SecondsFormat;
use serde_yaml::{Mapping, Value};

use super::{ImportReport, Post, Source};
use crate::config::{DEFAULT_PERMALINK, SiteTz};
use crate::error::Diagnostic;

/// Front-matter fields Gazette reads itself; any other key lands in its `extra`.
const GAZETTE_FIELDS: &[&str] = &[
    "title",
    "date",
    "updated",
    "tags",
    "summary",
    "author",
    "authors",
    "source",
    "source_url",
    "image",
    "image_caption",
    "image_alt",
    "slug",
    "draft",
    "featured",
    "excerpt",
    "description",
    "published",
    "aliases",
    "redirect_from",
];

/// Gazette front matter for one post, and the keys kept as they were (outside Gazette's own).
pub fn front_matter(
    post: &Post,
    slug: &str,
    aliases: &[String],
    tz: &SiteTz,
) -> (String, Vec<String>) {
    let mut m = Mapping::new();
    let mut put = |key: &str, value: Value| {
        m.insert(Value::from(key), value);
    };
    let date = |d| tz.to_local(d).to_rfc3339_opts(SecondsFormat::AutoSi, true);
    let list =
        |items: &[String]| Value::Sequence(items.iter().map(|s| Value::from(s.as_str())).collect());
    put("title", Value::from(post.title.as_str()));
    put("date", Value::from(date(post.date)));
    if let Some(updated) = post.updated {
        put("updated", Value::from(date(updated)));
    }
    put("slug", Value::from(slug));
    match post.authors.as_slice() {
        [] => {}
        [one] => put("author", Value::from(one.as_str())),
        many => put("author", list(many)),
    }
    if !post.tags.is_empty() {
        put("tags", list(&post.tags));
    }
    if !post.categories.is_empty() {
        put("categories", list(&post.categories));
    }
    if let Some(summary) = &post.summary {
        put("summary", Value::from(summary.as_str()));
    }
    if let Some(image) = &post.image {
        put("image", Value::from(image.as_str()));
    }
    if post.draft {
        put("draft", Value::Bool(true));
    }
    if !aliases.is_empty() {
        put("aliases", list(aliases));
    }
    let mut kept = Vec::new();
    for (key, value) in &post.extra {
        let k = Value::from(key.as_str());
        if m.contains_key(&k) {
            continue;
        }
        if !GAZETTE_FIELDS.contains(&key.as_str()) {
            kept.push(key.clone());
        }
        m.insert(k, value.clone());
    }
    (serde_yaml::to_string(&m).unwrap_or_default(), kept)
}

/// The new `site.toml`.
pub fn site_toml(source: &Source, categories: bool, report: &mut ImportReport) -> String {
    let permalink = report.permalink.clone();
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let site = &source.site;
    let mut out = String::from("# Written by `gazette import`; the README lists every key.\n");
    if let Some(title) = &site.title {
        out += &format!("title = {}\n", quote(title));
    }
    match &site.base_url {
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            out += &format!("base_url = {}\n", quote(url));
        }
        Some(url) => report.attention.push(Diagnostic::new(
            "site.toml",
            format!(
                "the old base URL `{url}` is not an absolute http(s) URL; set base_url by hand"
            ),
        )),
        None => {}
    }
    if let Some(description) = &site.description {
        out += &format!("description = {}\n", quote(description));
    }
    if let Some(author) = &site.author {
        out += &format!("author = {}\n", quote(author));
    }
    if let Some(timezone) = &site.timezone {
        out += &format!("timezone = {}\n", quote(timezone));
    }
    if permalink != DEFAULT_PERMALINK {
        out += "# Every old post URL had this shape, so they all stay as they were.\n";
        out += &format!("permalink = {}\n", quote(&permalink));
    }
    if categories {
        out += "\n[[taxonomies]]\nname = \"categories\"\nfield = \"categories\"\n";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{Post, SiteSettings};

    fn post() -> Post {
        Post {
            file: "_posts/2015-05-15-x.md".into(),
            body_line: 4,
            title: "X: a story".into(),
            date: chrono::DateTime::parse_from_rfc3339("2015-05-15T10:00:00+05:00").unwrap(),
            updated: None,
            slug: "x".into(),
            urls: vec!["/2015/05/15/x.html".into()],
            aliases: Vec::new(),
            draft: true,
            tags: vec!["a".into()],
            categories: vec!["news".into()],
            summary: Some("S".into()),
            authors: vec!["Ann".into(), "Bo".into()],
            image: None,
            extra: vec![
                ("layout".into(), Value::from("post")),
                ("title".into(), Value::from("ignored: written already")),
                ("source".into(), Value::from("Reuters")),
            ],
            body: String::new(),
            assets: Vec::new(),
        }
    }

    #[test]
    fn front_matter_reads_back_with_unknown_keys_kept() {
        let tz = SiteTz::parse("UTC").unwrap();
        let (text, kept) = front_matter(&post(), "x", &["/old/".into()], &tz);
        let m: Mapping = serde_yaml::from_str(&text).unwrap();
        let keys: Vec<&str> = m.keys().filter_map(Value::as_str).collect();
        assert_eq!(
            keys,
            [
                "title",
                "date",
                "slug",
                "author",
                "tags",
                "categories",
                "summary",
                "draft",
                "aliases",
                "layout",
                "source"
            ]
        );
        assert_eq!(m["title"], "X: a story");
        assert_eq!(m["date"], "2015-05-15T05:00:00Z");
        assert_eq!(m["author"][1], "Bo");
        // Only keys Gazette does not read count as kept in `extra`.
        assert_eq!(kept, ["layout"]);
    }

    #[test]
    fn site_toml_names_only_what_is_known_and_loads() {
        let mut source = Source {
            site: SiteSettings {
                title: Some("Old \"Blog\"".into()),
                base_url: Some("/".into()),
                ..SiteSettings::default()
            },
            ..Source::default()
        };
        source.posts.push(post());
        let mut report = ImportReport {
            permalink: "/{year}/{month}/{day}/{slug}.html".into(),
            ..ImportReport::default()
        };
        let text = site_toml(&source, true, &mut report);
        assert!(!text.contains("base_url"), "{text}");
        assert!(report.attention[0].message.contains("set base_url by hand"));
        let config = crate::config::Config::parse(&text, std::path::Path::new("site.toml"))
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(config.title, "Old \"Blog\"");
        assert_eq!(config.permalink, "/{year}/{month}/{day}/{slug}.html");
        assert!(config.taxonomies.iter().any(|t| t.name == "categories"));
    }
}
