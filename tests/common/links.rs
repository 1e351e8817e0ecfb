//! A link checker over a built site: every `href`/`src` (and meta-refresh target) of every HTML
//! page that points inside the site must name a generated file, and a `#fragment` must name an
//! element of that page. External URLs are not followed.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use percent_encoding::percent_decode_str;

/// One parsed HTML page: the link targets it holds and the ids it offers.
struct Scanned {
    /// (what, value): `href`, `src` or `refresh`, and the attribute as written (decoded HTML).
    links: Vec<(&'static str, String)>,
    /// `id` attributes and `<a name>` anchors.
    ids: HashSet<String>,
}

/// Every broken internal link under `dir`, for a site published at `base_url` (absolute, e.g.
/// `https://example.org/news/`). Each entry reads `page: attr="value" -> problem`.
pub fn broken_links_in(dir: &Path, base_url: &str) -> Vec<String> {
    let base_url = if base_url.ends_with('/') {
        base_url.to_string()
    } else {
        format!("{base_url}/")
    };
    let base_path = base_path(&base_url);
    let files = files(dir);
    let pages: BTreeMap<&String, Scanned> = files
        .iter()
        .filter(|f| f.ends_with(".html"))
        .map(|f| {
            let text = std::fs::read_to_string(dir.join(f)).expect("read page");
            (f, scan(&text))
        })
        .collect();

    let mut broken = Vec::new();
    for (page, scanned) in &pages {
        for (attr, value) in &scanned.links {
            let target = match resolve(page, value, &base_url, &base_path) {
                Resolved::External => continue,
                Resolved::Outside(why) => {
                    broken.push(format!("{page}: {attr}=\"{value}\" -> {why}"));
                    continue;
                }
                Resolved::Internal { file, fragment } => (file, fragment),
            };
            let (file, fragment) = target;
            if !files.contains(&file) {
                broken.push(format!(
                    "{page}: {attr}=\"{value}\" -> {file} is not generated"
                ));
                continue;
            }
            if let (Some(fragment), Some(target)) = (fragment, pages.get(&file))
                && !fragment.is_empty()
                && !target.ids.contains(&fragment)
            {
                broken.push(format!(
                    "{page}: {attr}=\"{value}\" -> {file} has no element with id `{fragment}`"
                ));
            }
        }
    }
    broken
}

/// `/news/` for `https://example.org/news/`.
fn base_path(base_url: &str) -> String {
    let after_scheme = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    match after_scheme.find('/') {
        Some(i) => after_scheme[i..].to_string(),
        None => "/".to_string(),
    }
}

/// Every file under `dir`, relative and `/`-separated.
fn files(dir: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk output"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

fn scan(html: &str) -> Scanned {
    let doc = scraper::Html::parse_document(html);
    let mut links = Vec::new();
    let mut ids = HashSet::new();
    for element in doc
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        let e = element.value();
        for attr in ["href", "src"] {
            if let Some(value) = e.attr(attr) {
                links.push((
                    if attr == "href" { "href" } else { "src" },
                    value.to_string(),
                ));
            }
        }
        if e.name() == "meta"
            && e.attr("http-equiv")
                .is_some_and(|h| h.eq_ignore_ascii_case("refresh"))
            && let Some(content) = e.attr("content")
            && let Some(i) = content.to_ascii_lowercase().find("url=")
        {
            links.push(("refresh", content[i + 4..].trim().to_string()));
        }
        if let Some(id) = e.attr("id") {
            ids.insert(id.to_string());
        }
        if e.name() == "a"
            && let Some(name) = e.attr("name")
        {
            ids.insert(name.to_string());
        }
    }
    Scanned { links, ids }
}

enum Resolved {
    /// Another site, `mailto:` and the like: not checked.
    External,
    /// Inside the host but outside the site (a root-relative link missing the base path).
    Outside(String),
    /// A file of the output, with the decoded fragment if any.
    Internal {
        file: String,
        fragment: Option<String>,
    },
}

/// Where `value`, found on `page` (a file of the output), points.
fn resolve(page: &str, value: &str, base_url: &str, base_path: &str) -> Resolved {
    let value = value.trim();
    let (before_fragment, fragment) = match value.split_once('#') {
        Some((p, f)) => (p, Some(decode(f))),
        None => (value, None),
    };
    let path = before_fragment.split('?').next().unwrap_or("");

    // The path below the base, before dot segments are resolved.
    let below: String = if let Some(rest) = path.strip_prefix("//") {
        let host_and_base = base_url.split_once("://").map_or("", |(_, r)| r);
        match rest.strip_prefix(host_and_base) {
            Some(below) => below.to_string(),
            None => return Resolved::External,
        }
    } else if has_scheme(path) {
        match path.strip_prefix(base_url) {
            Some(below) => below.to_string(),
            None if format!("{path}/") == base_url => String::new(),
            None => return Resolved::External,
        }
    } else if path.starts_with('/') {
        match path.strip_prefix(base_path) {
            Some(below) => below.to_string(),
            None if format!("{path}/") == base_path => String::new(),
            None => {
                return Resolved::Outside(format!("outside the site's base path {base_path}"));
            }
        }
    } else if path.is_empty() {
        // `#x` or `?q`: this very page.
        return Resolved::Internal {
            file: page.to_string(),
            fragment,
        };
    } else {
        let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
        if dir.is_empty() {
            path.to_string()
        } else {
            format!("{dir}/{path}")
        }
    };

    let mut segments: Vec<String> = Vec::new();
    let parts: Vec<&str> = below.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        match *part {
            "." => {}
            ".." => {
                if segments.pop().is_none() {
                    return Resolved::Outside("climbs above the site's base".into());
                }
            }
            other => segments.push(decode(other)),
        }
        if i + 1 == parts.len() && matches!(*part, "." | "..") {
            segments.push(String::new());
        }
    }
    let joined = segments.join("/");
    let file = if joined.is_empty() || joined.ends_with('/') {
        format!("{joined}index.html")
    } else {
        joined
    };
    Resolved::Internal { file, fragment }
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// `scheme:` before any `/` (RFC 3986).
fn has_scheme(reference: &str) -> bool {
    let Some((scheme, _)) = reference.split_once(':') else {
        return false;
    };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}
