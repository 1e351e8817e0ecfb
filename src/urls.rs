//! The one door for URLs and output paths. Internally every page has a *site path* (`/tags/pti/`,
//! `/atom.xml`: starts with `/`, not percent-encoded, no base path). [`Urls`] turns site paths into
//! links that carry `base_url`; [`output_file`] turns them into files inside the output root.

use chrono::{DateTime, Datelike, FixedOffset};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::slug::is_safe_segment;

/// Characters escaped in a path segment: everything but unreserved and sub-delims that are safe in
/// HTML attributes. Non-ASCII is always encoded (as UTF-8 bytes), so links are plain ASCII.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\'')
    .add(b'\\')
    .add(b'^')
    .add(b'|')
    .add(b'[')
    .add(b']');

/// Placeholders a permalink pattern may use.
const PLACEHOLDERS: &[&str] = &["{year}", "{month}", "{day}", "{slug}"];

/// Builds links from site paths for one `base_url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urls {
    /// `https://example.org/news/` (always a trailing slash).
    base_url: String,
    /// `/news/` (always leading and trailing slashes).
    base_path: String,
}

impl Urls {
    /// `base_url` is absolute with a trailing slash (as [`crate::config::Config`] guarantees).
    pub fn new(base_url: &str) -> Urls {
        let mut base_url = base_url.to_string();
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        let after_scheme = base_url.split_once("://").map(|(_, r)| r).unwrap_or("");
        let base_path = match after_scheme.find('/') {
            Some(i) => after_scheme[i..].to_string(),
            None => "/".to_string(),
        };
        Urls {
            base_url,
            base_path,
        }
    }

    /// The absolute base URL, with a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The path part of the base URL (`/` or `/news/`).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// A root-relative link for a site path: `/tags/pti/` -> `/news/tags/pti/`, percent-encoded.
    /// A `#fragment` or `?query` is kept as written.
    pub fn path(&self, site_path: &str) -> String {
        let (path, rest) = split_suffix(site_path);
        let mut out = String::with_capacity(self.base_path.len() + site_path.len());
        out.push_str(&self.base_path);
        encode_path(&mut out, path.trim_start_matches('/'));
        out.push_str(rest);
        out
    }

    /// An absolute link for a site path: `/tags/pti/` -> `https://example.org/news/tags/pti/`.
    pub fn absolute(&self, site_path: &str) -> String {
        let (path, rest) = split_suffix(site_path);
        let mut out = String::with_capacity(self.base_url.len() + site_path.len());
        out.push_str(&self.base_url);
        encode_path(&mut out, path.trim_start_matches('/'));
        out.push_str(rest);
        out
    }
}

fn split_suffix(site_path: &str) -> (&str, &str) {
    // By bytes: both marks are ASCII, so the first one's byte is where the suffix begins; a
    // search by characters decoded every character of every link made.
    match site_path.bytes().position(|b| b == b'#' || b == b'?') {
        Some(i) => site_path.split_at(i),
        None => (site_path, ""),
    }
}

/// Appends `path` with each segment percent-encoded. Written straight into `out`: every card
/// on every list page links through here, and a string per segment showed in profiles. `/` is
/// not in [`SEGMENT`], so the whole path is encoded in one pass (a path needing no escape, as
/// most do, is one chunk).
fn encode_path(out: &mut String, path: &str) {
    out.extend(utf8_percent_encode(path, SEGMENT));
}

// The site's layout: every path the build publishes is made here, so a new page kind or a
// change of layout is one edit, and nothing else formats a site path.

/// The home page: page 1 of the digest.
pub const HOME: &str = "/";
/// The 404 page hosts serve for a missing path.
pub const NOT_FOUND: &str = "/404.html";
/// The search page.
pub const SEARCH: &str = "/search/";
/// The index the search page loads.
pub const SEARCH_INDEX: &str = "/search-index.json";
/// The sitemap.
pub const SITEMAP: &str = "/sitemap.xml";
/// robots.txt.
pub const ROBOTS: &str = "/robots.txt";
/// The list of years and months.
pub const ARCHIVE: &str = "/archive/";

/// The site path of a file of the output (`style.css`, `img/x.png`), `/`-separated.
pub fn file(output_path: &str) -> String {
    format!("/{output_path}")
}

/// Page `n` of a list at `dir` (a folder path): page 1 is `dir` itself, page n `dir/page/n/`.
pub fn list_page(dir: &str, n: usize) -> String {
    if n <= 1 {
        dir.to_string()
    } else {
        format!("{dir}page/{n}/")
    }
}

/// Where a list's page 1 is also asked for by number; it redirects to the list.
pub fn list_page_one(dir: &str) -> String {
    format!("{dir}page/1/")
}

/// The Atom, RSS and JSON feeds of a list at `dir`, in that order.
pub fn feeds_of(dir: &str) -> [String; 3] {
    [
        format!("{dir}atom.xml"),
        format!("{dir}rss.xml"),
        format!("{dir}feed.json"),
    ]
}

/// A taxonomy's term list (`/tags/`).
pub fn taxonomy(name: &str) -> String {
    format!("/{name}/")
}

/// A term's page (`/tags/pti/`) under its taxonomy's path.
pub fn term(taxonomy_path: &str, slug: &str) -> String {
    format!("{taxonomy_path}{slug}/")
}

/// A year's archive (`/2024/`).
pub fn year(year: i32) -> String {
    format!("/{year:04}/")
}

/// A month's archive (`/2024/11/`).
pub fn month(year: i32, month: u32) -> String {
    format!("/{year:04}/{month:02}/")
}

/// A day's archive, the digest of that day (`/2024/11/27/`).
pub fn day(date: chrono::NaiveDate) -> String {
    format!("/{:04}/{:02}/{:02}/", date.year(), date.month(), date.day())
}

/// Checks a permalink pattern: starts with `/`, ends with `/` (a folder with `index.html`) or
/// `.html` (a file, as Jekyll writes them), has `{slug}`, uses only known placeholders, and
/// every literal segment is safe.
pub fn validate_permalink(pattern: &str) -> Result<(), String> {
    let ends_well = pattern.ends_with('/') || pattern.ends_with(".html") && pattern.len() > 6;
    if !pattern.starts_with('/') || !ends_well {
        return Err(format!(
            "`{pattern}` must start with `/` and end with `/` or `.html`, e.g. `{}` or \
             `/{{year}}/{{month}}/{{day}}/{{slug}}.html`",
            crate::config::DEFAULT_PERMALINK
        ));
    }
    if !pattern.contains("{slug}") {
        return Err(format!(
            "`{pattern}` must contain `{{slug}}` so that articles get different URLs"
        ));
    }
    for segment in pattern.trim_matches('/').split('/') {
        let mut literal = segment.to_string();
        for p in PLACEHOLDERS {
            literal = literal.replace(p, "x");
        }
        if literal.contains(['{', '}']) {
            return Err(format!(
                "`{pattern}` has an unknown placeholder in `{segment}`; use {}",
                PLACEHOLDERS.join(", ")
            ));
        }
        if !is_safe_segment(&literal) || literal.contains(['?', '#', '%']) {
            return Err(format!("`{pattern}` has an unsafe segment `{segment}`"));
        }
    }
    Ok(())
}

/// Fills a (validated) permalink pattern for an article dated `date` (already in site time).
pub fn permalink(pattern: &str, date: &DateTime<FixedOffset>, slug: &str) -> String {
    pattern
        .replace("{year}", &format!("{:04}", date.year()))
        .replace("{month}", &format!("{:02}", date.month()))
        .replace("{day}", &format!("{:02}", date.day()))
        .replace("{slug}", slug)
}

/// The scheme of `scheme:rest` (`https`, `mailto`), when the text before the first `:` is one
/// (RFC 3986: a letter, then letters, digits, `+-.`); `None` for a path such as `a/b:c`.
pub fn scheme(text: &str) -> Option<&str> {
    let (scheme, _) = text.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

/// True for `https://x`, `mailto:x`, `//host/x`: anything that must not get the base path.
pub fn is_absolute_url(text: &str) -> bool {
    text.starts_with("//") || scheme(text).is_some()
}

/// The folder of a site path, with its trailing slash: `/a/b/` for `/a/b/` and for
/// `/a/b/x.html`. Relative links and images of a page resolve against it, and an article's files
/// are copied into it.
pub fn folder_of(site_path: &str) -> &str {
    match site_path.rfind('/') {
        Some(i) => &site_path[..=i],
        None => "/",
    }
}

/// An old address an article answers at (front matter `aliases` or `redirect_from`), as the
/// site path its redirect page is written at. Hosts serve files by decoded path, so `%20` is
/// decoded; `/x/index.html` and `/x` (no `.html` or `.htm` ending) both mean the folder `/x/`,
/// as other generators write them. Errors say what to write instead.
pub fn alias_path(written: &str) -> Result<String, String> {
    let written = written.trim();
    if is_absolute_url(written) {
        return Err(format!(
            "`{written}` is a URL; an alias is a path on this site, such as \
             `/2015/05/15/old-story.html` (drop the scheme and host)"
        ));
    }
    if !written.starts_with('/') {
        return Err(format!(
            "`{written}` must start with `/`: an alias is a path from the site's root, such as \
             `/blog/old-story/`"
        ));
    }
    if written.contains(['?', '#']) {
        return Err(format!(
            "`{written}` has a `?` or `#` part, which never reaches the server; write the path alone"
        ));
    }
    let decoded = percent_encoding::percent_decode_str(written)
        .decode_utf8()
        .map_err(|_| format!("`{written}` has %-escapes that are not UTF-8 text"))?;
    let mut path = decoded
        .strip_suffix("index.html")
        .unwrap_or(&decoded)
        .to_string();
    let last = path.rsplit('/').next().unwrap_or("");
    let is_file = [".html", ".htm"]
        .iter()
        .any(|ext| last.len() > ext.len() && last.to_ascii_lowercase().ends_with(ext));
    if !path.ends_with('/') && !is_file {
        path.push('/');
    }
    output_file(&path).map(|_| path)
}

/// The file (relative, `/`-separated) a site path is written to: `/x/` -> `x/index.html`,
/// `/atom.xml` -> `atom.xml`, `/` -> `index.html`. Errors for any path that is not a chain of
/// safe segments, so nothing built from content can leave the output folder.
pub fn output_file(site_path: &str) -> Result<String, String> {
    let Some(rest) = site_path.strip_prefix('/') else {
        return Err(format!(
            "`{site_path}` is not a site path (must start with /)"
        ));
    };
    let mut segments: Vec<&str> = Vec::new();
    let trimmed = rest.strip_suffix('/').unwrap_or(rest);
    if !trimmed.is_empty() {
        for segment in trimmed.split('/') {
            if !is_safe_segment(segment) {
                return Err(format!(
                    "`{site_path}` has an unsafe path segment `{}`",
                    segment.escape_debug()
                ));
            }
            segments.push(segment);
        }
    }
    let mut file = segments.join("/");
    if rest.is_empty() || rest.ends_with('/') {
        if !file.is_empty() {
            file.push('/');
        }
        file.push_str("index.html");
    }
    Ok(file)
}

/// The site path whose [output file](output_file) is `file`: `x/index.html` -> `/x/`,
/// `atom.xml` -> `/atom.xml`, `index.html` -> `/`. Not checked: it names a page only if the
/// plan has one there.
pub fn site_path_of(file: &str) -> String {
    match file.strip_suffix("index.html") {
        Some("") => "/".to_string(),
        Some(folder) if folder.ends_with('/') => format!("/{folder}"),
        _ => format!("/{file}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// A path copied whole is the path encoded segment by segment.
        #[test]
        fn a_path_needing_no_escape_is_encoded_as_it_is(path in "[a-z0-9/%?# é\\-_.~\\x00\\x7f]{0,24}") {
            let mut fast = String::new();
            encode_path(&mut fast, &path);
            let slow: Vec<String> = path
                .split('/')
                .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
                .collect();
            proptest::prop_assert_eq!(fast, slow.join("/"));
        }
    }

    #[test]
    fn site_path_of_undoes_output_file() {
        for path in ["/", "/x/", "/tags/café/", "/atom.xml", "/2024/page/2/"] {
            assert_eq!(site_path_of(&output_file(path).unwrap()), path);
        }
    }

    #[test]
    fn links_carry_the_base_path() {
        let urls = Urls::new("https://example.org/news/");
        assert_eq!(urls.base_path(), "/news/");
        assert_eq!(urls.path("/tags/pti/"), "/news/tags/pti/");
        assert_eq!(urls.path("/"), "/news/");
        assert_eq!(
            urls.absolute("/atom.xml"),
            "https://example.org/news/atom.xml"
        );
        let root = Urls::new("https://example.org");
        assert_eq!(root.path("/a/"), "/a/");
        assert_eq!(root.absolute("/"), "https://example.org/");
    }

    #[test]
    fn unicode_and_reserved_characters_are_encoded() {
        let urls = Urls::new("https://example.org/");
        assert_eq!(
            urls.path("/tags/عمران/"),
            "/tags/%D8%B9%D9%85%D8%B1%D8%A7%D9%86/"
        );
        assert_eq!(urls.path("/a b/\"x\"/"), "/a%20b/%22x%22/");
        assert_eq!(urls.path("/a/#top"), "/a/#top");
        // The suffix begins at the first mark, after any non-ASCII part of the path.
        assert_eq!(urls.path("/é/?q=é#x"), "/%C3%A9/?q=é#x");
        assert_eq!(urls.path("/ü/#a?b"), "/%C3%BC/#a?b");
    }

    #[test]
    fn absolute_urls_are_recognised() {
        assert!(is_absolute_url("https://example.org/x.jpg"));
        assert!(is_absolute_url("//cdn.example.org/x.jpg"));
        assert!(is_absolute_url("mailto:a@b.c"));
        assert!(!is_absolute_url("/x.jpg"));
        assert!(!is_absolute_url("photo.jpg"));
        assert!(!is_absolute_url("a/b:c.jpg"));
        assert!(!is_absolute_url(":x"));
    }

    #[test]
    fn aliases_become_site_paths_or_say_what_is_wrong() {
        let ok = |s: &str| alias_path(s).unwrap();
        assert_eq!(ok("/2015/05/15/rust-1.0.html"), "/2015/05/15/rust-1.0.html");
        assert_eq!(ok("/blog/old"), "/blog/old/");
        assert_eq!(ok("/blog/old/"), "/blog/old/");
        assert_eq!(ok("/blog/old/index.html"), "/blog/old/");
        assert_eq!(ok(" /caf%C3%A9%20noir/ "), "/café noir/");
        assert_eq!(ok("/A.HTM"), "/A.HTM");
        for bad in [
            "blog/old/",
            "https://old.example.org/x/",
            "//cdn/x",
            "/x/?p=1",
            "/a/../../etc/passwd",
            "/a/%2e%2e/b/",
            "/a/%FF/",
            "/a//b/",
        ] {
            assert!(alias_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_layout_agrees_with_the_output_files() {
        assert_eq!(output_file(SEARCH_INDEX).unwrap(), crate::SEARCH_INDEX_FILE);
        assert_eq!(output_file(NOT_FOUND).unwrap(), "404.html");
        assert_eq!(list_page("/tags/x/", 1), "/tags/x/");
        assert_eq!(list_page("/tags/x/", 3), "/tags/x/page/3/");
        assert_eq!(list_page_one("/"), "/page/1/");
        assert_eq!(term(&taxonomy("tags"), "pti"), "/tags/pti/");
        let date = chrono::NaiveDate::from_ymd_opt(2024, 3, 7).unwrap();
        assert_eq!(
            (year(2024), month(2024, 3), day(date)),
            ("/2024/".into(), "/2024/03/".into(), "/2024/03/07/".into())
        );
        assert_eq!(feeds_of("/"), ["/atom.xml", "/rss.xml", "/feed.json"]);
        assert_eq!(file("img/x.png"), "/img/x.png");
    }

    #[test]
    fn folders_of_pages() {
        assert_eq!(folder_of("/a/b/"), "/a/b/");
        assert_eq!(folder_of("/a/b/x.html"), "/a/b/");
        assert_eq!(folder_of("/x.html"), "/");
        assert_eq!(folder_of(""), "/");
    }

    #[test]
    fn permalink_patterns() {
        assert!(validate_permalink("/{year}/{month}/{day}/{slug}/").is_ok());
        assert!(validate_permalink("/news/{slug}/").is_ok());
        assert!(validate_permalink("/{year}/{slug}").is_err());
        assert!(validate_permalink("/{year}/").is_err());
        assert!(validate_permalink("/{yr}/{slug}/").is_err());
        assert!(validate_permalink("/../{slug}/").is_err());
        assert!(validate_permalink("/{year}/{month}/{day}/{slug}.html").is_ok());
        assert!(validate_permalink("/{slug}.htm").is_err());
        assert!(validate_permalink(".html").is_err());
        let date = DateTime::parse_from_rfc3339("2024-11-07T21:30:00+05:00").unwrap();
        assert_eq!(
            permalink("/{year}/{month}/{day}/{slug}/", &date, "x"),
            "/2024/11/07/x/"
        );
    }

    #[test]
    fn output_files_stay_inside() {
        assert_eq!(output_file("/").unwrap(), "index.html");
        assert_eq!(output_file("/a/b/").unwrap(), "a/b/index.html");
        assert_eq!(output_file("/atom.xml").unwrap(), "atom.xml");
        assert_eq!(output_file("/tags/x/atom.xml").unwrap(), "tags/x/atom.xml");
        for bad in [
            "a/",
            "/../x/",
            "/a/../../x",
            "/a//b/",
            "/a\\b/",
            "/a\0/",
            "//etc/",
        ] {
            assert!(output_file(bad).is_err(), "{bad:?} must be refused");
        }
    }
}
