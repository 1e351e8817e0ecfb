//! Parsed YAML values -> the checked fields of [`FrontMatter`]. Every problem is collected, each
//! at the line of its key, so one run reports all that is wrong with a file.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use serde_yaml::{Mapping, Value};

use super::FrontMatter;
use crate::config::SiteTz;
use crate::content::dates;

/// A problem found in front matter: file line and message (`title: ...`).
pub type Problem = (usize, String);

/// What the file's name offers for fields the front matter leaves out.
#[derive(Debug, Default)]
pub struct FromName {
    /// The date a Jekyll-style name starts with.
    pub date: Option<DateTime<FixedOffset>>,
    /// A title, when the site asks for titles from file names.
    pub title: Option<String>,
}

/// Validates the top-level mapping. `lines` maps top-level keys to their file line; keys not
/// found there (and missing keys) are reported at `fallback_line`, the opening `---`.
pub fn validate(
    mapping: Mapping,
    lines: &HashMap<String, usize>,
    fallback_line: usize,
    tz: &SiteTz,
    from_name: FromName,
) -> Result<FrontMatter, Vec<Problem>> {
    let mut c = Checker {
        lines,
        fallback_line,
        problems: Vec::new(),
    };
    let mut title = None;
    let mut date = None;
    let (mut seen_title, mut seen_date) = (false, false);
    let mut published = true;
    let (mut other_authors, mut excerpt, mut description) = (Vec::new(), None, None);
    let mut fm = FrontMatter::default();
    for (key, value) in mapping {
        let key = key_string(key);
        let value = untag(value);
        seen_title |= key == "title";
        seen_date |= key == "date";
        match key.as_str() {
            "title" => title = c.required_string("title", value),
            "date" => date = c.date("date", value, tz),
            "updated" => fm.updated = c.date("updated", value, tz),
            "tags" => fm.tags = c.tags(value),
            "author" => fm.authors = c.authors("author", value),
            // Other generators' names for the same things (Jekyll, Eleventy, Hugo): used when
            // Gazette's own field is not there.
            "authors" => other_authors = c.authors("authors", value),
            "excerpt" => excerpt = c.string("excerpt", value),
            "description" => description = c.string("description", value),
            "summary" => fm.summary = c.string("summary", value),
            "source" => fm.source = c.string("source", value),
            "source_url" => fm.source_url = c.source_url(value),
            "image" => fm.image = c.image(value),
            "image_caption" => fm.image_caption = c.string("image_caption", value),
            "image_alt" => fm.image_alt = c.string("image_alt", value),
            "slug" => fm.slug = c.string("slug", value),
            // Hugo's and Zola's name, and the Jekyll plugin's.
            "aliases" | "redirect_from" => {
                for alias in c.aliases(&key, value) {
                    if !fm.aliases.contains(&alias) {
                        fm.aliases.push(alias);
                    }
                }
            }
            "draft" => fm.draft = c.flag("draft", value),
            "featured" => fm.featured = c.flag("featured", value),
            // Jekyll's and Eleventy's way to keep a post out.
            "published" => published = value.is_null() || c.flag("published", value),
            _ => {
                fm.extra.insert(key, to_json(value));
            }
        }
    }
    if !seen_title && let Some(from_name) = from_name.title {
        title = Some(from_name);
        seen_title = true;
    }
    if !seen_title {
        c.problems.push((
            fallback_line,
            "title: missing; every article needs a title".into(),
        ));
    }
    if !seen_date && let Some(from_name) = from_name.date {
        date = Some(from_name);
        seen_date = true;
    }
    if !seen_date {
        c.problems.push((
            fallback_line,
            "date: missing; every article needs a date, e.g. `date: 2024-11-27` (or a file \
             name that starts with it, as in `2024-11-27-story.md`)"
                .into(),
        ));
    }
    match (title, date) {
        (Some(title), Some(date)) if c.problems.is_empty() => {
            fm.title = title;
            fm.date = date;
            fm.draft |= !published;
            if fm.authors.is_empty() {
                fm.authors = other_authors;
            }
            fm.summary = fm.summary.or(excerpt).or(description);
            Ok(fm)
        }
        _ => Err(c.problems),
    }
}

struct Checker<'a> {
    lines: &'a HashMap<String, usize>,
    fallback_line: usize,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn report(&mut self, key: &str, message: impl std::fmt::Display) {
        let line = self.lines.get(key).copied().unwrap_or(self.fallback_line);
        self.problems.push((line, format!("{key}: {message}")));
    }

    fn wrong_type(&mut self, key: &str, expected: &str, value: &Value) {
        self.report(key, format!("expected {expected}, found {}", kind(value)));
    }

    /// An optional string; blank means absent.
    fn string(&mut self, key: &str, value: Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Value::Null => None,
            other => {
                self.wrong_type(key, "a string", &other);
                None
            }
        }
    }

    fn required_string(&mut self, key: &str, value: Value) -> Option<String> {
        let blank = matches!(&value, Value::Null)
            || matches!(&value, Value::String(s) if s.trim().is_empty());
        if blank {
            self.report(key, "must not be empty");
            return None;
        }
        self.string(key, value)
    }

    fn date(
        &mut self,
        key: &str,
        value: Value,
        tz: &SiteTz,
    ) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        let found = match value {
            Value::String(s) => match dates::parse(&s, tz) {
                Ok(date) => return Some(date),
                Err(message) => {
                    self.report(key, message);
                    return None;
                }
            },
            Value::Null if key == "updated" => return None,
            Value::Number(n) => format!("a number ({n})"),
            Value::Bool(b) => format!("a boolean ({b})"),
            other => kind(&other).to_string(),
        };
        self.report(key, format!("{}, found {found}", dates::EXPECTED));
        None
    }

    /// Tags: a list of strings (numbers and booleans become their text), or one string of
    /// comma-separated tags (`tags: "politics, economy"`). Items are trimmed; empty ones dropped.
    fn tags(&mut self, value: Value) -> Vec<String> {
        let items = match value {
            Value::Null => return Vec::new(),
            Value::String(s) => return s.split(',').filter_map(clean).collect(),
            Value::Sequence(items) => items,
            scalar @ (Value::Number(_) | Value::Bool(_)) => vec![scalar],
            other => {
                self.wrong_type("tags", "a list of strings", &other);
                return Vec::new();
            }
        };
        let mut tags = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            match untag(item) {
                Value::String(s) => tags.extend(clean(&s)),
                Value::Number(n) => tags.push(n.to_string()),
                Value::Bool(b) => tags.push(b.to_string()),
                Value::Null => {}
                other => {
                    let message =
                        format!("item {}: expected a string, found {}", i + 1, kind(&other));
                    self.report("tags", message);
                }
            }
        }
        tags
    }

    /// `author`: one name or a list of names.
    fn authors(&mut self, key: &str, value: Value) -> Vec<String> {
        let expected = "a string or a list of strings";
        match value {
            Value::Null => Vec::new(),
            Value::String(s) => clean(&s).into_iter().collect(),
            Value::Sequence(items) => {
                let mut names = Vec::new();
                for item in items {
                    match untag(item) {
                        Value::String(s) => names.extend(clean(&s)),
                        Value::Null => {}
                        other => {
                            self.report(
                                key,
                                format!(
                                    "expected {expected}, found a list holding {}",
                                    kind(&other)
                                ),
                            );
                        }
                    }
                }
                names
            }
            other => {
                self.wrong_type(key, expected, &other);
                Vec::new()
            }
        }
    }

    /// Old addresses: one path or a list, each checked by [`crate::urls::alias_path`].
    fn aliases(&mut self, key: &str, value: Value) -> Vec<String> {
        let mut paths = Vec::new();
        for written in self.authors(key, value) {
            match crate::urls::alias_path(&written) {
                Ok(path) => paths.push(path),
                Err(message) => self.report(key, message),
            }
        }
        paths
    }

    /// Only links a reader can safely follow: http(s) URLs and site paths.
    fn source_url(&mut self, value: Value) -> Option<String> {
        let url = self.string("source_url", value)?;
        let lower = url.to_ascii_lowercase();
        let web = ["http://", "https://"]
            .iter()
            .any(|p| lower.strip_prefix(p).is_some_and(|rest| !rest.is_empty()));
        if web || url.starts_with('/') {
            Some(url)
        } else {
            self.report(
                "source_url",
                format!("expected an http(s) URL or a site path starting with /, found {url:?}"),
            );
            None
        }
    }

    /// A lead image; scripts are refused whatever else is allowed.
    fn image(&mut self, value: Value) -> Option<String> {
        let image = self.string("image", value)?;
        match script_scheme(&image) {
            Some(scheme) => {
                self.report(
                    "image",
                    format!("a {scheme}: URL is not an image; use a file name or an http(s) URL"),
                );
                None
            }
            None => Some(image),
        }
    }

    /// A `true`/`false` field (`draft`, `featured`); empty is false.
    fn flag(&mut self, key: &str, value: Value) -> bool {
        match value {
            Value::Bool(b) => b,
            Value::Null => false,
            Value::String(s) => {
                self.report(key, format!("expected true or false, found {s:?}"));
                false
            }
            other => {
                self.wrong_type(key, "true or false", &other);
                false
            }
        }
    }
}

/// The scheme of `url` if it runs script (`javascript:`, `vbscript:`). Browsers ignore
/// whitespace and control characters inside a scheme, so they are ignored here too.
fn script_scheme(url: &str) -> Option<&'static str> {
    let squeezed: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript", "vbscript"].into_iter().find(|scheme| {
        squeezed
            .strip_prefix(scheme)
            .is_some_and(|r| r.starts_with(':'))
    })
}

/// Trimmed, or `None` when blank.
fn clean(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// The value without its YAML tags (`!foo x` is read as `x`).
fn untag(mut value: Value) -> Value {
    while let Value::Tagged(tagged) = value {
        value = tagged.value;
    }
    value
}

/// Names a value's type for messages: `found a number`.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// A mapping key as text: strings as they are, other scalars as written, lists and mappings as
/// compact JSON.
pub fn key_string(key: Value) -> String {
    match untag(key) {
        Value::String(s) => s,
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => to_json(other).to_string(),
    }
}

/// YAML -> JSON for `extra`: tags are dropped, non-string keys become text, and numbers JSON
/// cannot hold (NaN, infinities) become their YAML text.
pub fn to_json(value: Value) -> serde_json::Value {
    use serde_json::Value as Json;
    match untag(value) {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Json::from(i)
            } else if let Some(u) = n.as_u64() {
                Json::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(|| Json::String(n.to_string()), Json::Number)
            }
        }
        Value::String(s) => Json::String(s),
        Value::Sequence(items) => Json::Array(items.into_iter().map(to_json).collect()),
        Value::Mapping(map) => Json::Object(
            map.into_iter()
                .map(|(k, v)| (key_string(k), to_json(v)))
                .collect(),
        ),
        // `untag` removed every tag.
        Value::Tagged(tagged) => to_json(tagged.value),
    }
}
