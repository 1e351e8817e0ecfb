//! `site.toml` -> [`Config`]: raw serde types with defaults, then validation into the values the
//! rest of the build trusts. Unknown keys are errors that suggest the closest valid key.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, TimeZone, Utc};
use serde::Deserialize;

use crate::error::{Diagnostic, Error, Result};

/// First path segments the build uses itself, so a taxonomy cannot take them.
const RESERVED_SEGMENTS: &[&str] = &["page", "archive", "static", "search"];

/// The default article permalink pattern.
pub const DEFAULT_PERMALINK: &str = "/{year}/{month}/{day}/{slug}/";

/// Keys `site.toml` accepts at the top level; anything else is reported with a suggestion.
const KNOWN_KEYS: &[&str] = &[
    "title",
    "base_url",
    "description",
    "language",
    "theme",
    "paginate",
    "timezone",
    "author",
    "output_dir",
    "permalink",
    "feed_limit",
    "feed_content",
    "taxonomies",
    "raw_html",
    "minify",
    "organizations",
    "slug_from",
    "title_from_filename",
];

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct RawConfig {
    title: Option<String>,
    base_url: Option<String>,
    description: Option<String>,
    language: Option<String>,
    theme: Option<String>,
    paginate: Option<i64>,
    timezone: Option<String>,
    author: Option<String>,
    output_dir: Option<String>,
    permalink: Option<String>,
    feed_limit: Option<i64>,
    feed_content: Option<String>,
    taxonomies: Option<Vec<RawTaxonomy>>,
    raw_html: Option<bool>,
    minify: Option<bool>,
    organizations: Option<Vec<String>>,
    slug_from: Option<String>,
    title_from_filename: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxonomy {
    name: String,
    field: Option<String>,
    paginate: Option<i64>,
}

/// The site's validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Site title.
    pub title: String,
    /// Absolute base URL with a trailing slash, e.g. `https://example.org/news/`.
    pub base_url: String,
    /// One-line description for feeds and meta tags.
    pub description: String,
    /// Language tag for `<html lang>` and feeds.
    pub language: String,
    /// Theme folder name under `themes/`.
    pub theme: String,
    /// Articles per list page.
    pub paginate: usize,
    /// Timezone that places articles on days.
    pub timezone: SiteTz,
    /// Default author for articles that name none.
    pub author: Option<String>,
    /// Output folder, relative to the site root unless absolute.
    pub output_dir: PathBuf,
    /// Article permalink pattern with `{year}`, `{month}`, `{day}` and `{slug}`.
    pub permalink: String,
    /// How many articles the feeds hold.
    pub feed_limit: usize,
    /// Feeds carry the full article body (`true`) or only the summary.
    pub feed_full_content: bool,
    /// Taxonomies: `tags` first, then those declared in `[[taxonomies]]`.
    pub taxonomies: Vec<TaxonomyConfig>,
    /// Raw HTML in Markdown bodies is passed through (`true`, the default) or shown as text.
    pub raw_html: bool,
    /// Minify HTML, CSS and JS output (`minify = true`).
    pub minify: bool,
    /// Bylines that are a desk, an agency or a newsroom rather than a person: typed
    /// `Organization` instead of `Person` in an article's JSON-LD.
    pub organizations: Vec<String>,
    /// Where an article without a `slug:` gets its slug: its title (the default) or its file
    /// name, kept as written, as Jekyll does (`slug_from = "filename"`).
    pub slug_from_filename: bool,
    /// An article without a `title:` gets one from its file name instead of an error
    /// (`title_from_filename = true`).
    pub title_from_filename: bool,
}

/// One taxonomy: a front-matter field whose values group articles into term pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxonomyConfig {
    /// URL segment and template name (`tags`, `authors`).
    pub name: String,
    /// Front-matter field holding the terms (`tags`, `author`, `source`, or any extra field).
    pub field: String,
    /// Articles per term page; `None` means the site's `paginate`.
    pub paginate: Option<usize>,
}

impl TaxonomyConfig {
    /// The built-in `tags` taxonomy.
    pub fn tags() -> TaxonomyConfig {
        TaxonomyConfig {
            name: "tags".into(),
            field: "tags".into(),
            paginate: None,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Gazette".into(),
            base_url: "http://localhost/".into(),
            description: String::new(),
            language: "en".into(),
            theme: "default".into(),
            paginate: 20,
            timezone: SiteTz::Fixed(FixedOffset::east_opt(0).expect("zero offset")),
            author: None,
            output_dir: PathBuf::from("public"),
            permalink: DEFAULT_PERMALINK.into(),
            feed_limit: 20,
            feed_full_content: true,
            taxonomies: vec![TaxonomyConfig::tags()],
            raw_html: true,
            minify: false,
            organizations: Vec::new(),
            slug_from_filename: false,
            title_from_filename: false,
        }
    }
}

/// A timezone given as an IANA name (`Asia/Karachi`) or a fixed offset (`+05:00`, `UTC`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SiteTz {
    /// IANA zone, with daylight-saving rules.
    Named(chrono_tz::Tz),
    /// Fixed offset from UTC.
    Fixed(FixedOffset),
}

impl SiteTz {
    /// Parses `UTC`, `Z`, `+05:00`, `-0330` or an IANA name.
    pub fn parse(text: &str) -> std::result::Result<SiteTz, String> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("utc") || t == "Z" {
            return Ok(SiteTz::Fixed(
                FixedOffset::east_opt(0).expect("zero offset"),
            ));
        }
        if let Some(offset) = parse_offset(t) {
            return Ok(SiteTz::Fixed(offset));
        }
        chrono_tz::Tz::from_str(t).map(SiteTz::Named).map_err(|_| {
            format!(
                "timezone: `{t}` is neither an IANA name (e.g. `Asia/Karachi`) nor an offset (e.g. `+05:00`)"
            )
        })
    }

    /// The instant `dt` as seen in this timezone.
    pub fn to_local(&self, dt: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        let utc = dt.with_timezone(&Utc);
        match self {
            SiteTz::Named(tz) => utc.with_timezone(tz).fixed_offset(),
            SiteTz::Fixed(off) => utc.with_timezone(off),
        }
    }

    /// A wall-clock time in this timezone; for a time skipped by a DST change, the later offset.
    pub fn from_local(&self, naive: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
        match self {
            SiteTz::Named(tz) => {
                let r = tz.from_local_datetime(&naive);
                r.earliest()
                    .or_else(|| {
                        // A DST gap: read it with the offset in force an hour later.
                        let later = naive + chrono::Duration::hours(1);
                        tz.from_local_datetime(&later)
                            .earliest()
                            .map(|d| d - chrono::Duration::hours(1))
                    })
                    .map(|d| d.fixed_offset())
            }
            SiteTz::Fixed(off) => off.from_local_datetime(&naive).single(),
        }
    }

    /// The offset in force at the given instant.
    pub fn offset_at(&self, utc: DateTime<Utc>) -> FixedOffset {
        match self {
            SiteTz::Named(tz) => utc.with_timezone(tz).offset().fix(),
            SiteTz::Fixed(off) => *off,
        }
    }
}

fn parse_offset(t: &str) -> Option<FixedOffset> {
    let (sign, rest) = match t.as_bytes().first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

impl Config {
    /// Reads and validates `site.toml` at `path`. A missing file is an error: every site has one.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Config::parse(&text, path)
    }

    /// Validates `site.toml` text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            let message = format!("invalid TOML: {}", e.message());
            Error::problem(Diagnostic {
                path: path.to_path_buf(),
                line,
                message,
            })
        })?;

        let mut problems = Vec::new();
        for key in table.keys() {
            if !KNOWN_KEYS.contains(&key.as_str()) {
                let line = find_key_line(text, key);
                let message = match closest(key, KNOWN_KEYS) {
                    Some(best) => format!("unknown key `{key}`; did you mean `{best}`?"),
                    None => format!(
                        "unknown key `{key}`; valid keys are: {}",
                        KNOWN_KEYS.join(", ")
                    ),
                };
                problems.push(Diagnostic {
                    path: path.to_path_buf(),
                    line,
                    message,
                });
            }
        }
        if !problems.is_empty() {
            return Err(Error::Problems(problems));
        }

        // Read again from the text (not the table) so a wrong type is located at its line.
        let raw: RawConfig = toml::from_str(text).map_err(|e: toml::de::Error| {
            Error::problem(Diagnostic {
                path: path.to_path_buf(),
                line: e.span().map(|s| line_of(text, s.start)),
                message: e.message().to_string(),
            })
        })?;
        validate(raw, text, path)
    }

    /// Replaces `base_url` (from `--base-url`), normalised like the one in `site.toml`.
    pub fn set_base_url(&mut self, url: &str) -> std::result::Result<(), String> {
        self.base_url = normalise_base_url(url)?;
        Ok(())
    }
}

/// A string pages show, without the characters no page can (see
/// [`crate::content::printable`]): TOML escapes such as `"\u0007"` can write them.
fn shown(text: String) -> String {
    match crate::content::printable::printable(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(clean) => clean,
    }
}

fn validate(raw: RawConfig, text: &str, path: &Path) -> Result<Config> {
    let defaults = Config::default();
    let mut problems = Vec::new();
    let mut report = |key: &str, message: String| {
        problems.push(Diagnostic {
            path: path.to_path_buf(),
            line: find_key_line(text, key),
            message: format!("{key}: {message}"),
        });
    };

    let base_url = match raw.base_url.as_deref() {
        Some(url) => normalise_base_url(url).unwrap_or_else(|m| {
            report("base_url", m);
            defaults.base_url.clone()
        }),
        None => defaults.base_url.clone(),
    };
    let paginate = match raw.paginate {
        Some(n) if n >= 1 => n as usize,
        Some(n) => {
            report("paginate", format!("must be 1 or more, found {n}"));
            defaults.paginate
        }
        None => defaults.paginate,
    };
    let feed_limit = match raw.feed_limit {
        Some(n) if n >= 1 => n as usize,
        Some(n) => {
            report("feed_limit", format!("must be 1 or more, found {n}"));
            defaults.feed_limit
        }
        None => defaults.feed_limit,
    };
    let timezone = match raw.timezone.as_deref() {
        Some(tz) => SiteTz::parse(tz).unwrap_or_else(|m| {
            report("timezone", m.trim_start_matches("timezone: ").to_string());
            defaults.timezone
        }),
        None => defaults.timezone,
    };
    let feed_full_content = match raw.feed_content.as_deref() {
        None | Some("full") => true,
        Some("summary") => false,
        Some(other) => {
            report(
                "feed_content",
                format!("`{other}` must be \"full\" or \"summary\""),
            );
            true
        }
    };
    let slug_from_filename = match raw.slug_from.as_deref() {
        None | Some("title") => false,
        Some("filename") => true,
        Some(other) => {
            report(
                "slug_from",
                format!("`{other}` must be \"title\" or \"filename\""),
            );
            false
        }
    };
    let mut taxonomies = vec![TaxonomyConfig::tags()];
    for raw_tax in raw.taxonomies.unwrap_or_default() {
        let paginate = match raw_tax.paginate {
            Some(n) if n >= 1 => Some(n as usize),
            Some(n) => {
                report("paginate", format!("must be 1 or more, found {n}"));
                None
            }
            None => None,
        };
        let name = raw_tax.name;
        // A name of digits only would take the URL of a year archive (`/2024/`).
        if !crate::slug::is_safe_segment(&name)
            || crate::slug::slugify(&name) != name
            || RESERVED_SEGMENTS.contains(&name.as_str())
            || name.chars().all(|c| c.is_ascii_digit())
        {
            report(
                "taxonomies",
                format!(
                    "name `{name}` must be a lowercase URL segment (like `authors`), not only digits (those are date archives), and not one of {}",
                    RESERVED_SEGMENTS.join(", ")
                ),
            );
            continue;
        }
        let entry = TaxonomyConfig {
            field: raw_tax.field.unwrap_or_else(|| name.clone()),
            name,
            paginate,
        };
        match taxonomies.iter_mut().find(|t| t.name == entry.name) {
            Some(existing) => *existing = entry,
            None => taxonomies.push(entry),
        }
    }
    let theme = raw.theme.unwrap_or(defaults.theme);
    if theme.is_empty() || !crate::slug::is_safe_segment(&theme) {
        report(
            "theme",
            format!("`{theme}` must be a plain folder name under themes/"),
        );
    }
    let permalink = raw.permalink.unwrap_or(defaults.permalink);
    if let Err(m) = crate::urls::validate_permalink(&permalink) {
        report("permalink", m);
    }
    let language = raw.language.unwrap_or(defaults.language);
    if language.is_empty()
        || !language
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        report(
            "language",
            format!("`{language}` is not a language tag like `en` or `ur-PK`"),
        );
    }
    if problems.is_empty() {
        Ok(Config {
            title: raw.title.map_or(defaults.title, shown),
            base_url,
            description: raw.description.map(shown).unwrap_or_default(),
            language,
            theme,
            paginate,
            timezone,
            author: raw.author.map(shown).filter(|a| !a.trim().is_empty()),
            output_dir: raw
                .output_dir
                .map(PathBuf::from)
                .unwrap_or(defaults.output_dir),
            permalink,
            feed_limit,
            feed_full_content,
            taxonomies,
            raw_html: raw.raw_html.unwrap_or(defaults.raw_html),
            minify: raw.minify.unwrap_or(defaults.minify),
            organizations: raw
                .organizations
                .unwrap_or_default()
                .into_iter()
                .map(|name| shown(name).trim().to_string())
                .collect(),
            slug_from_filename,
            title_from_filename: raw.title_from_filename.unwrap_or(false),
        })
    } else {
        Err(Error::Problems(problems))
    }
}

/// `https://example.org/news` -> `https://example.org/news/`; only http(s) URLs with a host.
fn normalise_base_url(url: &str) -> std::result::Result<String, String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            format!("`{url}` must be an absolute http(s) URL such as `https://example.org/`")
        })?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || url.contains(['?', '#', ' ', '"', '<', '>', '\\']) {
        return Err(format!(
            "`{url}` must be an absolute http(s) URL with a host, and no query or fragment"
        ));
    }
    let mut normalised = url.to_string();
    if !normalised.ends_with('/') {
        normalised.push('/');
    }
    Ok(normalised)
}

fn closest<'a>(key: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(key, c), *c))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

/// Line of a top-level `key =` in TOML text, for messages about a key's value.
fn find_key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key)
                .or_else(|| l.strip_prefix(&format!("\"{key}\"")))
                .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, Path::new("site.toml"))
    }

    #[test]
    fn defaults_fill_missing_keys() {
        let c = parse("title = \"Daily\"\n").unwrap();
        assert_eq!(c.title, "Daily");
        assert_eq!(c.language, "en");
        assert_eq!(c.theme, "default");
        assert_eq!(c.paginate, 20);
        assert_eq!(c.output_dir, PathBuf::from("public"));
        assert_eq!(c.permalink, DEFAULT_PERMALINK);
    }

    #[test]
    fn unknown_key_names_line_and_suggestion() {
        let err = parse("title = \"x\"\npaginte = 3\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "site.toml:2: unknown key `paginte`; did you mean `paginate`?"
        );
    }

    #[test]
    fn base_url_gets_trailing_slash() {
        let c = parse("base_url = \"https://example.org/news\"").unwrap();
        assert_eq!(c.base_url, "https://example.org/news/");
        assert!(parse("base_url = \"example.org\"").is_err());
    }

    #[test]
    fn timezone_accepts_names_and_offsets() {
        let c = parse("timezone = \"Asia/Karachi\"").unwrap();
        assert_eq!(c.timezone, SiteTz::Named(chrono_tz::Asia::Karachi));
        let c = parse("timezone = \"+05:30\"").unwrap();
        assert_eq!(
            c.timezone,
            SiteTz::Fixed(FixedOffset::east_opt(5 * 3600 + 1800).unwrap())
        );
        let err = parse("timezone = \"Mars/Olympus\"")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("site.toml:1: timezone:"), "{err}");
    }

    #[test]
    fn every_bad_value_is_reported_at_once() {
        let err = parse("paginate = 0\ntimezone = \"nowhere\"\n").unwrap_err();
        match err {
            Error::Problems(p) => assert_eq!(p.len(), 2),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn taxonomies_add_to_tags() {
        let c = parse(
            "[[taxonomies]]\nname = \"authors\"\nfield = \"author\"\npaginate = 5\n\n[[taxonomies]]\nname = \"tags\"\npaginate = 3\n",
        )
        .unwrap();
        let names: Vec<_> = c
            .taxonomies
            .iter()
            .map(|t| (t.name.as_str(), t.field.as_str(), t.paginate))
            .collect();
        assert_eq!(
            names,
            vec![("tags", "tags", Some(3)), ("authors", "author", Some(5))]
        );
        assert!(parse("[[taxonomies]]\nname = \"../x\"\n").is_err());
        assert!(parse("[[taxonomies]]\nname = \"page\"\n").is_err());
        assert!(parse("[[taxonomies]]\nname = \"2024\"\n").is_err());
        assert!(parse("feed_content = \"some\"").is_err());
        assert!(
            !parse("feed_content = \"summary\"")
                .unwrap()
                .feed_full_content
        );
    }

    #[test]
    fn slugs_and_titles_from_file_names_are_opt_in() {
        let c = parse("").unwrap();
        assert!(!c.slug_from_filename && !c.title_from_filename);
        let c = parse("slug_from = \"filename\"\ntitle_from_filename = true").unwrap();
        assert!(c.slug_from_filename && c.title_from_filename);
        assert!(!parse("slug_from = \"title\"").unwrap().slug_from_filename);
        let err = parse("slug_from = \"name\"").unwrap_err().to_string();
        assert!(
            err.contains("slug_from: `name` must be \"title\" or \"filename\""),
            "{err}"
        );
    }

    #[test]
    fn raw_html_is_on_unless_switched_off() {
        assert!(parse("").unwrap().raw_html);
        assert!(!parse("raw_html = false").unwrap().raw_html);
        assert!(parse("raw_html = true").unwrap().raw_html);
        assert_eq!(
            parse("title = \"x\"\nraw_html = \"no\"")
                .unwrap_err()
                .to_string(),
            "site.toml:2: invalid type: string \"no\", expected a boolean"
        );
        assert_eq!(
            parse("raw_htm = false").unwrap_err().to_string(),
            "site.toml:1: unknown key `raw_htm`; did you mean `raw_html`?"
        );
    }

    #[test]
    fn wrong_type_is_an_error() {
        assert!(parse("paginate = \"ten\"").is_err());
    }
}
