//! The only module that knows YAML: split a Markdown file into front matter and body, and turn the
//! front matter into [`FrontMatter`] with every problem reported by line.
//!
//! Lines in messages are lines of the Markdown file: the front matter's first line is line 2,
//! after the opening `---`.

mod budget;
mod fields;
mod guard;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, FixedOffset};

pub use budget::MAX_VALUES;
pub use guard::{MAX_ALIASES, MAX_BYTES, MAX_DEPTH};

use crate::config::SiteTz;
use crate::error::Diagnostic;

/// Message for a file with nothing in it.
const EMPTY: &str = "empty file: an article starts with front matter between --- lines, with at least title and date";

/// A Markdown file cut in two. Text is expected with `\n` line ends and no byte-order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the `---` lines (without them).
    pub front_matter: &'a str,
    /// File line of the front matter's first line (always 2: after the opening `---`).
    pub front_matter_line: usize,
    /// Everything after the closing `---` line.
    pub body: &'a str,
    /// File line where the body starts.
    pub body_line: usize,
}

/// Checked front matter: what the rest of the build may trust.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    /// `title`: required, non-empty, trimmed.
    pub title: String,
    /// `date`: required, in the site's timezone.
    pub date: DateTime<FixedOffset>,
    /// `updated`, in the site's timezone.
    pub updated: Option<DateTime<FixedOffset>>,
    /// `tags`: a list, or one comma-separated string (`tags: "a, b"` gives `a` and `b`); numbers
    /// and booleans become their text; items trimmed, empty ones dropped, order kept.
    pub tags: Vec<String>,
    /// `summary`, trimmed (blank means none).
    pub summary: Option<String>,
    /// `author`: one name or a list; empty if none.
    pub authors: Vec<String>,
    /// `source`: the outlet a digest item comes from.
    pub source: Option<String>,
    /// `source_url`: an http(s) URL or a site path starting with `/`.
    pub source_url: Option<String>,
    /// `image`: never a `javascript:` (or `vbscript:`) URL.
    pub image: Option<String>,
    /// `image_caption`.
    pub image_caption: Option<String>,
    /// `image_alt`.
    pub image_alt: Option<String>,
    /// `slug` as written (not yet made safe: the loader slugifies it).
    pub slug: Option<String>,
    /// `aliases` and `redirect_from`: old site paths of the article, made by
    /// [`crate::urls::alias_path`], in order, without repeats.
    pub aliases: Vec<String>,
    /// `draft` (default false).
    pub draft: bool,
    /// `featured` (default false).
    pub featured: bool,
    /// Every other top-level field, as JSON. Tags are dropped; non-string keys become text.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Text as [`split`] wants it: no byte-order mark, `\n` line ends (CRLF and lone CR both
/// become `\n`), so every later line count agrees with what an editor shows, and no character
/// a page cannot show ([`super::printable`]).
pub fn normalise(text: &str) -> Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    };
    match super::printable::printable(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(clean) => Cow::Owned(clean),
    }
}

/// Cuts `text` (see [`normalise`]) into front matter and body. The file must start with a `---` line (trailing
/// spaces allowed); the front matter ends at the next `---` (or `...`) line. `path` is for
/// messages only.
pub fn split<'a>(text: &'a str, path: &Path) -> Result<Split<'a>, Diagnostic> {
    if text.trim().is_empty() {
        return Err(Diagnostic::new(path, EMPTY));
    }
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    if !is_fence(first, "---") {
        return Err(Diagnostic::at(
            path,
            1,
            "no front matter: an article starts with a --- line, then at least title and date, \
             then another --- line",
        ));
    }
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        let content = line.strip_suffix('\n').unwrap_or(line);
        if is_fence(content, "---") || is_fence(content, "...") {
            return Ok(Split {
                front_matter: rest.get(..offset).unwrap_or(""),
                front_matter_line: 2,
                body: rest.get(offset + line.len()..).unwrap_or(""),
                body_line: i + 3,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::at(
        path,
        1,
        "front matter opened here is never closed by a --- line",
    ))
}

/// A fence line: the marker, then nothing but spaces or tabs.
fn is_fence(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.trim_end_matches([' ', '\t']).is_empty())
}

/// Parses and checks the front matter of `split`. Every problem is returned, each at the file
/// line of the key it is about; dates are read in, and converted to, `tz`. With
/// `title_from_file`, a missing title is made from the file name ([`title_from_name`]).
pub fn parse(
    split: &Split,
    path: &Path,
    tz: &SiteTz,
    title_from_file: bool,
) -> Result<FrontMatter, Vec<Diagnostic>> {
    let yaml = split.front_matter;
    let first = split.front_matter_line;
    let opening = first.saturating_sub(1);
    let at = |line: usize, message: String| Diagnostic::at(path, line, message);

    guard::check(yaml, first).map_err(|(line, message)| vec![at(line, message)])?;
    if budget::exceeds(yaml) {
        return Err(vec![at(
            opening,
            format!(
                "front matter expands to more than {MAX_VALUES} values through its aliases \
                 (*name); write the values out instead"
            ),
        )]);
    }
    let value: serde_yaml::Value = if yaml.trim().is_empty() {
        serde_yaml::Value::Null
    } else {
        serde_yaml::from_str(yaml).map_err(|e| {
            let line = error_line(&e, yaml, first);
            match tab_indented(yaml, first, line) {
                Some(tab) => vec![at(
                    tab,
                    "this line is indented with a tab, and YAML cannot be indented with tabs: \
                     indent it with spaces"
                        .into(),
                )],
                None => vec![at(line, yaml_message(&e.to_string(), opening))],
            }
        })?
    };
    let mut value = value;
    super::printable::printable_yaml(&mut value);
    let mapping = match value {
        serde_yaml::Value::Mapping(mapping) => mapping,
        serde_yaml::Value::Null => serde_yaml::Mapping::new(),
        _ => {
            return Err(vec![at(
                first,
                "front matter must be `key: value` lines, such as `title: ...`".into(),
            )]);
        }
    };
    let lines = key_lines(yaml, first);
    let from_name = fields::FromName {
        date: file_date(path, tz),
        title: title_from_file.then(|| title_from_name(path)).flatten(),
    };
    fields::validate(mapping, &lines, opening, tz, from_name)
        .map_err(|problems| problems.into_iter().map(|(l, m)| at(l, m)).collect())
}

/// The date a Jekyll-style file name starts with (`2015-05-15-rust-1.0.md`), for an article
/// whose front matter gives none.
fn file_date(path: &Path, tz: &SiteTz) -> Option<DateTime<FixedOffset>> {
    let (date, _) = dated_name(file_name(path)?);
    super::dates::parse(date?, tz).ok()
}

/// The name an article file goes by: its stem, or for `index.md` (a page bundle, as Hugo and
/// Zola write them) its folder's name.
pub fn file_name(path: &Path) -> Option<&str> {
    let stem = path.file_stem()?.to_str()?;
    if stem.eq_ignore_ascii_case("index") {
        path.parent()?.file_name()?.to_str()
    } else {
        Some(stem)
    }
}

/// A dated file name cut into its date and the rest: `2015-05-15-rust-1.0` gives
/// `(Some("2015-05-15"), "rust-1.0")`, as Jekyll names posts (Zola also writes
/// `2015-05-15_rust`; one-digit months and days are read too). A name without a date, or with
/// nothing after it, is all rest.
pub fn dated_name(name: &str) -> (Option<&str>, &str) {
    let bytes = name.as_bytes();
    // Four digits, then two groups of one or two digits, each after a `-`.
    let mut end = 4;
    let mut fits = bytes.len() > 4 && bytes[..4].iter().all(u8::is_ascii_digit);
    for _ in 0..2 {
        let digits = bytes.get(end + 1..).map_or(0, |rest| {
            rest.iter()
                .take(2)
                .take_while(|b| b.is_ascii_digit())
                .count()
        });
        fits &= bytes.get(end) == Some(&b'-') && digits > 0;
        end += 1 + digits;
    }
    match name.get(end + 1..) {
        Some(rest) if fits && matches!(bytes.get(end), Some(b'-' | b'_')) && !rest.is_empty() => {
            (Some(&name[..end]), rest)
        }
        _ => (None, name),
    }
}

/// A title made from a file name as Jekyll makes one: the date dropped, `-` and `_` read as
/// spaces, each word capitalised (`2015-05-15-rust-1.0` gives `Rust 1.0`).
pub fn title_from_name(path: &Path) -> Option<String> {
    title_from_words(dated_name(file_name(path)?).1)
}

/// `-` and `_` read as spaces, each word capitalised (`no_title` gives `No Title`); `None`
/// when no word is left.
pub fn title_from_words(slug: &str) -> Option<String> {
    let words: Vec<String> = slug
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        })
        .collect();
    Some(words.join(" ")).filter(|t| !t.is_empty())
}

/// `text` as a YAML double-quoted scalar that reads back as exactly `text`, whatever it holds
/// (quotes, colons, `#`, newlines, control characters), for front matter Gazette writes.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if c.is_control() || c == '\u{feff}' => {
                out.push_str(&format!("\\u{:04X}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// File lines of the top-level keys (first occurrence).
fn key_lines(yaml: &str, first_line: usize) -> HashMap<String, usize> {
    let mut lines = HashMap::new();
    for (key, line) in top_level_keys(yaml, first_line) {
        lines.entry(key).or_insert(line);
    }
    lines
}

/// Every top-level `key:` line with its file line. Top-level keys are the lines at the
/// indentation of the first key; quoted keys are understood.
fn top_level_keys(yaml: &str, first_line: usize) -> Vec<(String, usize)> {
    let mut keys = Vec::new();
    let mut top = None;
    for (i, line) in yaml.lines().enumerate() {
        let content = line.trim_start_matches(' ');
        if content.trim().is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = line.len() - content.len();
        if *top.get_or_insert(indent) != indent {
            continue;
        }
        if let Some(key) = key_of(content) {
            keys.push((key, first_line + i));
        }
    }
    keys
}

/// Where the parser's error is: its own location, except for a repeated top-level key, which
/// the parser places at the start of the mapping but the reader wants at the repeat.
fn error_line(error: &serde_yaml::Error, yaml: &str, first_line: usize) -> usize {
    let opening = first_line.saturating_sub(1);
    let located = error.location().map_or(opening, |l| l.line() + opening);
    let message = error.to_string();
    let repeated = message
        .strip_prefix("duplicate entry with key ")
        .and_then(|key| serde_json::from_str::<String>(key).ok());
    if let Some(key) = repeated {
        let mut lines = top_level_keys(yaml, first_line)
            .into_iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, line)| line);
        if let (Some(_), Some(second)) = (lines.next(), lines.next()) {
            return second;
        }
    }
    located
}

/// The first line up to the error's `line` (file lines; the front matter's first is `first`)
/// whose indentation holds a tab: YAML's own message for one ("found character that cannot
/// start any token") does not say what is wrong.
fn tab_indented(yaml: &str, first: usize, line: usize) -> Option<usize> {
    yaml.lines()
        .zip(first..=line)
        .find(|(text, _)| {
            let content = text.trim_start_matches([' ', '\t']);
            !content.is_empty() && text[..text.len() - content.len()].contains('\t')
        })
        .map(|(_, n)| n)
}

/// The key of a `key: value` line, if it is one.
fn key_of(content: &str) -> Option<String> {
    let (key, after) = match content.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let inner = content.get(1..)?;
            let end = inner.find(q)?;
            (inner.get(..end)?, inner.get(end + 1..)?)
        }
        _ => {
            let colon = content
                .match_indices(':')
                .map(|(i, _)| i)
                .find(|i| matches!(content.as_bytes().get(i + 1), None | Some(b' ' | b'\t')))?;
            (content.get(..colon)?.trim_end(), content.get(colon..)?)
        }
    };
    let after = after.trim_start_matches([' ', '\t']).strip_prefix(':')?;
    (after.is_empty() || after.starts_with([' ', '\t'])).then(|| key.to_string())
}

/// The parser's message with its line numbers turned into file lines (`at line 3` in the YAML
/// is line 4 of the file).
fn yaml_message(message: &str, offset: usize) -> String {
    let mut out = String::from("invalid YAML: ");
    let mut rest = message;
    while let Some(i) = rest.find("line ") {
        let (before, after) = rest.split_at(i + "line ".len());
        out.push_str(before);
        let len = after.bytes().take_while(u8::is_ascii_digit).count();
        let (number, tail) = after.split_at(len);
        match number.parse::<usize>() {
            Ok(n) if tail.starts_with(" column ") => out.push_str(&(n + offset).to_string()),
            _ => out.push_str(number),
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn dated_names_are_cut_at_their_date() {
        for (name, date, rest) in [
            ("2015-05-15-rust-1.0", Some("2015-05-15"), "rust-1.0"),
            ("2016-9-7-short", Some("2016-9-7"), "short"),
            ("2021-03-04_zola", Some("2021-03-04"), "zola"),
            ("2015-05-15", None, "2015-05-15"),
            ("2015-05-15-", None, "2015-05-15-"),
            ("20150-05-15-x", None, "20150-05-15-x"),
            ("2015-05-150-x", None, "2015-05-150-x"),
            ("3-stem", None, "3-stem"),
            ("rust", None, "rust"),
            ("2015-05-", None, "2015-05-"),
        ] {
            assert_eq!(dated_name(name), (date, rest), "{name}");
        }
        assert_eq!(
            title_from_words("no_title-at all").as_deref(),
            Some("No Title At All")
        );
        assert_eq!(title_from_words("-_-"), None);
    }

    #[test]
    fn quoted_text_reads_back_the_same() {
        let tz = SiteTz::parse("UTC").unwrap();
        for title in [
            "Plain",
            "Khan: \"we will return\" # not a comment",
            "'single' and \\ backslash",
            "- starts like a list",
            "@at & *star ! bang | pipe > fold %",
            "two\nlines\tand\r\u{0}\u{7}\u{85}\u{2028}\u{feff}",
            "yes",
            "2024-11-27",
            "عمران خان کی رہائی 巴基斯坦 🎉",
        ] {
            let text = format!("---\ntitle: {}\ndate: 2024-11-27\n---\n", quote(title));
            let split = split(&text, Path::new("x.md")).unwrap();
            let fm = parse(&split, Path::new("x.md"), &tz, false)
                .unwrap_or_else(|e| panic!("{title:?}: {e:?}"));
            // What no page can show is taken out (see `printable`); the rest reads back.
            let shown = crate::content::printable::printable(title);
            assert_eq!(fm.title, shown.trim(), "{text}");
        }
        assert_eq!(quote("a\"b"), "\"a\\\"b\"");
    }
    use std::time::{Duration, Instant};

    use super::*;

    fn utc() -> SiteTz {
        SiteTz::parse("UTC").unwrap()
    }

    /// Normalises, splits and parses a whole file; problems as `x.md:LINE: message` strings.
    fn load(text: &str) -> Result<FrontMatter, Vec<String>> {
        let path = Path::new("x.md");
        let text = normalise(text);
        let split = split(&text, path).map_err(|d| vec![d.to_string()])?;
        parse(&split, path, &utc(), false).map_err(|ds| ds.iter().map(|d| d.to_string()).collect())
    }

    fn problems(text: &str) -> Vec<String> {
        load(text).unwrap_err()
    }

    fn one_problem(text: &str) -> String {
        let mut all = problems(text);
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0)
    }

    #[test]
    fn a_tab_indented_line_is_named_as_the_cause() {
        let tab = "x.md:5: this line is indented with a tab, and YAML cannot be indented with \
                   tabs: indent it with spaces";
        assert_eq!(
            one_problem("---\ntitle: Tabs\ndate: 2024-11-27\ntags:\n\t- one\n---\nBody\n"),
            tab
        );
        assert_eq!(
            one_problem("---\ntitle: Tabs\ndate: 2024-11-27\ntags:\n \t- one\n---\n"),
            tab
        );
        // Tabs between a key and its value, or inside a quoted value, are fine.
        let fm = load("---\ntitle:\t\"Tab\there\"\ndate: 2024-11-27\n---\n").unwrap();
        assert_eq!(fm.title, "Tab\there");
        // A YAML error elsewhere, after no tab, keeps YAML's message.
        let other = one_problem("---\ntitle: [unclosed\ndate: 2024-11-27\n---\n");
        assert!(other.contains("invalid YAML"), "{other}");
    }

    #[test]
    fn split_cuts_at_the_fences() {
        let s = split(
            "--- \ntitle: a\ndate: b\n---\nBody\nmore\n",
            Path::new("x.md"),
        )
        .unwrap();
        assert_eq!(s.front_matter, "title: a\ndate: b\n");
        assert_eq!(s.front_matter_line, 2);
        assert_eq!(s.body, "Body\nmore\n");
        assert_eq!(s.body_line, 5);
    }

    #[test]
    fn split_accepts_dots_as_the_closing_fence_and_no_body() {
        let s = split("---\ntitle: a\n...", Path::new("x.md")).unwrap();
        assert_eq!(s.front_matter, "title: a\n");
        assert_eq!(s.body, "");
        let s = split("---\n---\n", Path::new("x.md")).unwrap();
        assert_eq!(s.front_matter, "");
        assert_eq!(s.body_line, 3);
    }

    #[test]
    fn split_needs_a_fence_line_not_a_prefix() {
        // `----` and `--- x` are not fences: the front matter stays open.
        let err = split("---\ntitle: a\n----\n--- x\n", Path::new("x.md")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.md:1: front matter opened here is never closed by a --- line"
        );
    }

    #[test]
    fn empty_file_is_an_error() {
        for text in ["", "\n\n  \n", "\u{feff}"] {
            assert_eq!(one_problem(text), format!("x.md: {EMPTY}"), "{text:?}");
        }
    }

    #[test]
    fn missing_opening_fence_is_an_error_at_line_1() {
        let err = one_problem("title: Hello\n---\n");
        assert!(err.starts_with("x.md:1: no front matter: "), "{err}");
        let err = one_problem("\n---\ntitle: x\n---\n");
        assert!(err.starts_with("x.md:1: no front matter: "), "{err}");
    }

    #[test]
    fn unclosed_front_matter_is_an_error_at_line_1() {
        assert_eq!(
            one_problem("---\ntitle: Hello\ndate: 2024-11-27\n\nBody\n"),
            "x.md:1: front matter opened here is never closed by a --- line"
        );
    }

    #[test]
    fn good_front_matter_gives_every_field() {
        let fm = load(
            "---\ntitle: '  Hello  '\ndate: 2024-11-27 21:30\nupdated: 2024-11-28T08:00:00+05:00\n\
             tags: [Politics, 2024, true, '', ' economy ']\nsummary: Short.\n\
             author: [Ann, Bob]\nsource: Dawn\nsource_url: https://dawn.com/x\n\
             image: lead.jpg\nimage_caption: Photo by Ann\nimage_alt: A crowd\n\
             slug: my-slug\naliases: /old/x.html\nredirect_from: [/old/y, /old/x.html]\n\
             draft: true\nfeatured: true\nmood: sunny\n---\n",
        )
        .unwrap();
        let date = |s| DateTime::parse_from_rfc3339(s).unwrap();
        assert_eq!(
            fm,
            FrontMatter {
                title: "Hello".into(),
                date: date("2024-11-27T21:30:00Z"),
                updated: Some(date("2024-11-28T03:00:00Z")),
                tags: vec![
                    "Politics".into(),
                    "2024".into(),
                    "true".into(),
                    "economy".into()
                ],
                summary: Some("Short.".into()),
                authors: vec!["Ann".into(), "Bob".into()],
                source: Some("Dawn".into()),
                source_url: Some("https://dawn.com/x".into()),
                image: Some("lead.jpg".into()),
                image_caption: Some("Photo by Ann".into()),
                image_alt: Some("A crowd".into()),
                slug: Some("my-slug".into()),
                aliases: vec!["/old/x.html".into(), "/old/y/".into()],
                draft: true,
                featured: true,
                extra: serde_json::json!({"mood": "sunny"})
                    .as_object()
                    .unwrap()
                    .clone(),
            }
        );
        assert_eq!(fm.date.offset().local_minus_utc(), 0);
    }

    #[test]
    fn dates_are_stored_in_the_site_timezone() {
        let text = normalise("---\ntitle: a\ndate: 2024-11-27T21:30:00Z\n---\n").into_owned();
        let s = split(&text, Path::new("x.md")).unwrap();
        let tz = SiteTz::parse("Asia/Karachi").unwrap();
        let fm = parse(&s, Path::new("x.md"), &tz, false).unwrap();
        assert_eq!(fm.date.to_rfc3339(), "2024-11-28T02:30:00+05:00");
        let text = "---\ntitle: a\ndate: 2024-11-27\n---\n";
        let fm = parse(
            &split(text, Path::new("x.md")).unwrap(),
            Path::new("x.md"),
            &tz,
            false,
        )
        .unwrap();
        assert_eq!(fm.date.to_rfc3339(), "2024-11-27T00:00:00+05:00");
    }

    #[test]
    fn missing_title_and_date_are_both_reported_at_the_opening_line() {
        assert_eq!(
            problems("---\nmood: x\n---\n"),
            vec![
                "x.md:1: title: missing; every article needs a title",
                "x.md:1: date: missing; every article needs a date, e.g. `date: 2024-11-27` \
                 (or a file name that starts with it, as in `2024-11-27-story.md`)",
            ]
        );
        assert_eq!(problems("---\n---\n").len(), 2);
        assert_eq!(problems("---\n# only a comment\n---\n").len(), 2);
    }

    #[test]
    fn other_generators_names_for_summary_and_authors_are_read() {
        let fm = |extra: &str| load(&format!("---\ntitle: t\ndate: 2024-11-27\n{extra}---\n"));
        let got =
            fm("excerpt: From Jekyll.\ndescription: From Hugo.\nauthors: [Ann, Bob]\n").unwrap();
        assert_eq!(got.summary.as_deref(), Some("From Jekyll."));
        assert_eq!(got.authors, ["Ann", "Bob"]);
        assert!(got.extra.is_empty(), "{:?}", got.extra);
        let got = fm("description: From Hugo.\n").unwrap();
        assert_eq!(got.summary.as_deref(), Some("From Hugo."));
        // Gazette's own fields win.
        let got = fm("summary: Own.\nexcerpt: Other.\nauthor: Cy\nauthors: [Ann]\n").unwrap();
        assert_eq!(got.summary.as_deref(), Some("Own."));
        assert_eq!(got.authors, ["Cy"]);
        assert_eq!(
            fm("authors: {a: 1}\n").unwrap_err(),
            ["x.md:4: authors: expected a string or a list of strings, found a mapping"]
        );
    }

    #[test]
    fn a_jekyll_file_name_gives_the_date_the_front_matter_leaves_out() {
        let tz = SiteTz::parse("+05:00").unwrap();
        let read = |name: &str, text: &str| {
            let split = split(text, Path::new(name)).unwrap();
            parse(&split, Path::new(name), &tz, false)
        };
        let fm = read("2015-05-15-rust-1.0.md", "---\ntitle: Rust 1.0\n---\n").unwrap();
        assert_eq!(fm.date.to_rfc3339(), "2015-05-15T00:00:00+05:00");
        let fm = read("2016-9-7-short.markdown", "---\ntitle: Short\n---\n").unwrap();
        assert_eq!(fm.date.to_rfc3339(), "2016-09-07T00:00:00+05:00");
        // The front matter's own date wins.
        let fm = read(
            "2015-05-15-x.md",
            "---\ntitle: X\ndate: 2020-01-02 10:00\n---\n",
        );
        assert_eq!(fm.unwrap().date.to_rfc3339(), "2020-01-02T10:00:00+05:00");
        // A name that only looks like one gives nothing.
        for name in ["2015-05-rust.md", "2015-13-40-x.md", "news-2015-05-15.md"] {
            assert!(read(name, "---\ntitle: X\n---\n").is_err(), "{name}");
        }
    }

    #[test]
    fn title_must_be_a_non_empty_string() {
        assert_eq!(
            one_problem("---\ndate: 2024-11-27\ntitle: 3\n---\n"),
            "x.md:3: title: expected a string, found a number"
        );
        assert_eq!(
            one_problem("---\ntitle: '  '\ndate: 2024-11-27\n---\n"),
            "x.md:2: title: must not be empty"
        );
        assert_eq!(
            one_problem("---\ntitle:\ndate: 2024-11-27\n---\n"),
            "x.md:2: title: must not be empty"
        );
        assert_eq!(
            one_problem("---\ntitle: [a]\ndate: 2024-11-27\n---\n"),
            "x.md:2: title: expected a string, found a list"
        );
    }

    #[test]
    fn bad_dates_name_the_formats_and_the_line() {
        assert_eq!(
            one_problem("---\ntitle: a\n\ndate: yesterday\n---\n"),
            "x.md:4: date: expected YYYY-MM-DD, YYYY-MM-DD HH:MM or RFC 3339 \
             (2024-11-27T21:30:00+05:00), found \"yesterday\""
        );
        assert_eq!(
            one_problem("---\ntitle: a\ndate: 2024\n---\n"),
            "x.md:3: date: expected YYYY-MM-DD, YYYY-MM-DD HH:MM or RFC 3339 \
             (2024-11-27T21:30:00+05:00), found a number (2024)"
        );
        assert_eq!(
            one_problem("---\ntitle: a\ndate: 2024-11-27\nupdated: soon\n---\n"),
            format!(
                "x.md:4: updated: {}, found \"soon\"",
                crate::content::dates::EXPECTED
            )
        );
    }

    #[test]
    fn tags_accept_lists_scalars_and_comma_separated_text() {
        let tags = |yaml: &str| {
            load(&format!("---\n{yaml}\ntitle: a\ndate: 2024-11-27\n---\n")).map(|f| f.tags)
        };
        assert_eq!(tags("tags: 'a, b ,, c'").unwrap(), vec!["a", "b", "c"]);
        assert_eq!(tags("tags: 2024").unwrap(), vec!["2024"]);
        assert_eq!(
            tags("tags:\n  - x\n  -\n  - false").unwrap(),
            vec!["x", "false"]
        );
        assert_eq!(tags("tags:").unwrap(), Vec::<String>::new());
        assert_eq!(
            tags("tags: [a, [b]]").unwrap_err(),
            vec!["x.md:2: tags: item 2: expected a string, found a list"]
        );
        assert_eq!(
            tags("tags: {a: 1}").unwrap_err(),
            vec!["x.md:2: tags: expected a list of strings, found a mapping"]
        );
    }

    #[test]
    fn author_is_a_name_or_a_list_of_names() {
        let authors = |yaml: &str| {
            load(&format!("---\ntitle: a\ndate: 2024-11-27\n{yaml}\n---\n")).map(|f| f.authors)
        };
        assert_eq!(authors("author: ' Ann '").unwrap(), vec!["Ann"]);
        assert_eq!(
            authors("author: [Ann, '', Bob]").unwrap(),
            vec!["Ann", "Bob"]
        );
        assert_eq!(authors("mood: x").unwrap(), Vec::<String>::new());
        assert_eq!(
            authors("author: 7").unwrap_err(),
            vec!["x.md:4: author: expected a string or a list of strings, found a number"]
        );
        assert_eq!(
            authors("author: [Ann, {b: 1}]").unwrap_err(),
            vec![
                "x.md:4: author: expected a string or a list of strings, found a list holding a mapping"
            ]
        );
    }

    #[test]
    fn source_url_must_be_http_or_a_site_path() {
        let url = |v: &str| {
            load(&format!(
                "---\ntitle: a\ndate: 2024-11-27\nsource_url: {v}\n---\n"
            ))
            .map(|f| f.source_url)
        };
        assert_eq!(
            url("https://example.org/a").unwrap().as_deref(),
            Some("https://example.org/a")
        );
        assert_eq!(
            url("HTTP://example.org").unwrap().as_deref(),
            Some("HTTP://example.org")
        );
        assert_eq!(url("/2024/x/").unwrap().as_deref(), Some("/2024/x/"));
        assert_eq!(
            url("'javascript:alert(1)'").unwrap_err(),
            vec![
                "x.md:4: source_url: expected an http(s) URL or a site path starting with /, found \"javascript:alert(1)\""
            ]
        );
        assert!(url("example.org").is_err());
        assert!(url("https://").is_err());
        assert!(url("ftp://example.org").is_err());
    }

    #[test]
    fn image_may_not_be_a_script() {
        let image = |v: &str| {
            load(&format!(
                "---\ntitle: a\ndate: 2024-11-27\nimage: {v}\n---\n"
            ))
            .map(|f| f.image)
        };
        assert_eq!(image("lead.jpg").unwrap().as_deref(), Some("lead.jpg"));
        assert_eq!(
            image("https://x.org/a.png").unwrap().as_deref(),
            Some("https://x.org/a.png")
        );
        for bad in [
            "'javascript:alert(1)'",
            "' JavaScript:x'",
            "\"java\\tscript:x\"",
            "'vbscript:x'",
        ] {
            let err = image(bad).unwrap_err();
            assert_eq!(err.len(), 1, "{bad}");
            assert!(err[0].starts_with("x.md:4: image: a "), "{bad}: {err:?}");
            assert!(
                err[0].contains("script: URL is not an image"),
                "{bad}: {err:?}"
            );
        }
    }

    #[test]
    fn draft_must_be_a_boolean() {
        let draft = |v: &str| {
            load(&format!(
                "---\ntitle: a\ndate: 2024-11-27\ndraft: {v}\n---\n"
            ))
            .map(|f| f.draft)
        };
        assert!(draft("true").unwrap());
        assert!(!draft("false").unwrap());
        assert!(!draft("").unwrap());
        assert_eq!(
            draft("yes").unwrap_err(),
            vec!["x.md:4: draft: expected true or false, found \"yes\""]
        );
        assert_eq!(
            draft("1").unwrap_err(),
            vec!["x.md:4: draft: expected true or false, found a number"]
        );
    }

    #[test]
    fn optional_strings_refuse_other_types() {
        for key in [
            "summary",
            "source",
            "image_caption",
            "image_alt",
            "slug",
            "image",
            "source_url",
        ] {
            let err = one_problem(&format!(
                "---\ntitle: a\ndate: 2024-11-27\n{key}: [1]\n---\n"
            ));
            assert_eq!(
                err,
                format!("x.md:4: {key}: expected a string, found a list")
            );
        }
    }

    #[test]
    fn unknown_fields_go_to_extra_as_json() {
        let fm = load(
            "---\ntitle: a\ndate: 2024-11-27\nrating: 4.5\nplaces:\n  1: one\n  true: yes\n  \
             ~: none\n  [a, b]: pair\nlist: [1, !custom x, null]\nnan: .nan\n---\n",
        )
        .unwrap();
        assert_eq!(
            serde_json::Value::Object(fm.extra),
            serde_json::json!({
                "rating": 4.5,
                "places": {"1": "one", "true": "yes", "null": "none", "[\"a\",\"b\"]": "pair"},
                "list": [1, "x", null],
                "nan": ".nan",
            })
        );
    }

    #[test]
    fn every_problem_of_a_file_is_reported_with_its_line() {
        assert_eq!(
            problems(
                "---\ntitle: 3\ndate: soon\ntags: [[x]]\nsource_url: javascript:x\ndraft: no\n---\n"
            ),
            vec![
                "x.md:2: title: expected a string, found a number",
                "x.md:3: date: expected YYYY-MM-DD, YYYY-MM-DD HH:MM or RFC 3339 \
                 (2024-11-27T21:30:00+05:00), found \"soon\"",
                "x.md:4: tags: item 1: expected a string, found a list",
                "x.md:5: source_url: expected an http(s) URL or a site path starting with /, \
                 found \"javascript:x\"",
                "x.md:6: draft: expected true or false, found \"no\"",
            ]
        );
    }

    #[test]
    fn quoted_keys_and_indented_mappings_are_located() {
        assert_eq!(
            one_problem("---\n\"title\": 3\ndate: 2024-11-27\n---\n"),
            "x.md:2: title: expected a string, found a number"
        );
        assert_eq!(
            one_problem("---\nextra:\n  title: 3\n'date': 5\ntitle: a\n---\n"),
            format!(
                "x.md:4: date: {}, found a number (5)",
                crate::content::dates::EXPECTED
            )
        );
    }

    #[test]
    fn crlf_and_bom_keep_lines_right() {
        let text = "\u{feff}---\r\ntitle: Hi\r\n\r\ndate: nope\r\n---\r\nBody\r\n";
        assert_eq!(
            one_problem(text),
            format!(
                "x.md:4: date: {}, found \"nope\"",
                crate::content::dates::EXPECTED
            )
        );
        let fm = load("\u{feff}---\r\ntitle: Hi\r\ndate: 2024-11-27\r\n---\r\n").unwrap();
        assert_eq!(fm.title, "Hi");
        let normal = normalise("\u{feff}---\r\na\rb\n");
        assert_eq!(normal, "---\na\nb\n");
    }

    #[test]
    fn tabs_in_yaml_are_an_error_at_their_line() {
        let err = one_problem("---\ntitle: a\n\tdate: 2024-11-27\n---\n");
        assert!(
            err.starts_with("x.md:3: this line is indented with a tab"),
            "{err}"
        );
    }

    #[test]
    fn unclosed_quote_is_an_error_naming_where_it_opened() {
        let err = one_problem("---\ntitle: \"Hello\ndate: 2024-11-27\n---\n");
        assert_eq!(
            err,
            "x.md:4: invalid YAML: found unexpected end of stream at line 4 column 1, \
             while scanning a quoted scalar at line 2 column 8"
        );
    }

    #[test]
    fn repeated_key_is_reported_at_the_repeat() {
        assert_eq!(
            one_problem("---\ntitle: a\ndate: 2024-11-27\ntitle: b\n---\n"),
            "x.md:4: invalid YAML: duplicate entry with key \"title\""
        );
    }

    #[test]
    fn front_matter_must_be_a_mapping() {
        assert_eq!(
            one_problem("---\n- a\n- b\n---\n"),
            "x.md:2: front matter must be `key: value` lines, such as `title: ...`"
        );
    }

    #[test]
    fn oversized_front_matter_is_refused() {
        let big = format!(
            "---\ntitle: a\ndate: 2024-11-27\nnote: {}\n---\n",
            "x".repeat(MAX_BYTES)
        );
        let err = one_problem(&big);
        assert!(err.starts_with("x.md:1: front matter is "), "{err}");
        assert!(err.contains("the limit of 64 KiB"), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let depth_error =
            format!("front matter nests more than {MAX_DEPTH} levels deep; flatten it");
        let flow = format!(
            "---\ntitle: a\ndate: 2024-11-27\ndeep: {}\n---\n",
            "[".repeat(40)
        );
        assert_eq!(one_problem(&flow), format!("x.md:4: {depth_error}"));
        let mut block = String::from("---\ntitle: a\ndate: 2024-11-27\n");
        for level in 0..40 {
            block.push_str(&format!("{}k{level}:\n", "  ".repeat(level)));
        }
        block.push_str("---\n");
        // Level 33 is the 33rd `k` line, file line 3 + 33.
        assert_eq!(one_problem(&block), format!("x.md:36: {depth_error}"));
        let dashes = format!(
            "---\ntitle: a\ndate: 2024-11-27\nx: \n{}x\n---\n",
            "- ".repeat(40)
        );
        assert_eq!(one_problem(&dashes), format!("x.md:5: {depth_error}"));
        // 32 levels are fine, and brackets inside quotes, comments and text do not count.
        let ok = format!(
            "---\ntitle: 'a [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['\ndate: 2024-11-27 # {{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\n\
             note: a{}\nsummary: |\n{}\nd: {}{}\n---\n",
            "[".repeat(40),
            (0..40)
                .map(|i| format!("{}x\n", " ".repeat(i + 2)))
                .collect::<String>(),
            "[".repeat(31),
            "]".repeat(31),
        );
        let fm = load(&ok).unwrap();
        assert_eq!(fm.title, "a [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
    }

    /// The classic "billion laughs": each level repeats the one before nine times.
    fn laughs(levels: usize) -> String {
        let mut yaml = String::from("---\ntitle: a\ndate: 2024-11-27\nl0: &l0 lol\n");
        for level in 1..=levels {
            let refs = vec![format!("*l{}", level - 1); 9].join(", ");
            yaml.push_str(&format!("l{level}: &l{level} [{refs}]\n"));
        }
        yaml.push_str("---\n");
        yaml
    }

    #[test]
    fn alias_bomb_is_refused_fast() {
        let started = Instant::now();
        let err = one_problem(&laughs(12));
        assert_eq!(
            err,
            format!(
                "x.md:16: front matter uses more than {MAX_ALIASES} aliases (*name); \
                 write the values out instead"
            )
        );
        // Under the alias limit, the expansion limit stops it.
        assert_eq!(one_problem(&laughs(9)), values_problem());
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        // Aliases inside quotes are text, not aliases.
        let quoted = format!(
            "---\ntitle: a\ndate: 2024-11-27\nnote: \"{}\"\n---\n",
            "*a ".repeat(200)
        );
        assert!(load(&quoted).is_ok());
        let few = "---\ntitle: a\ndate: 2024-11-27\nx: &x [1, 2]\ny: *x\n---\n";
        assert_eq!(load(few).unwrap().extra["y"], serde_json::json!([1, 2]));
    }

    /// The message for front matter whose aliases expand past the value budget.
    fn values_problem() -> String {
        format!(
            "x.md:1: front matter expands to more than {MAX_VALUES} values through its aliases \
             (*name); write the values out instead"
        )
    }

    #[test]
    fn multiplying_aliases_are_refused_quickly() {
        // The issue's case: a 20,000-item list, then three levels of 33 aliases each, about
        // 40 KB that would expand to 718 million values.
        let zeros = vec!["0"; 20_000].join(",");
        let mut text = format!("---\ntitle: a\ndate: 2024-11-27\na0: &a0 [{zeros}]\n");
        for level in 1..=3 {
            let refs = vec![format!("*a{}", level - 1); 33].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{refs}]\n"));
        }
        text.push_str("---\n");
        assert!(text.len() < 45_000, "{}", text.len());
        let started = Instant::now();
        assert_eq!(one_problem(&text), values_problem());
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_second_yaml_document_is_refused_before_parsing() {
        // A second document would be parsed in full, without the nesting limit.
        let deep = format!(
            "---\ntitle: a\ndate: 2024-11-27\n--- {}\n---\n",
            "[".repeat(50_000)
        );
        let started = Instant::now();
        let message = "a line starting with `---` or `...` inside front matter starts another \
                       YAML document; front matter is one block of `key: value` lines";
        assert_eq!(one_problem(&deep), format!("x.md:4: {message}"));
        assert_eq!(
            one_problem("---\ntitle: a\n... done\ndate: 2024-11-27\n---\n"),
            format!("x.md:3: {message}")
        );
        assert!(started.elapsed() < Duration::from_secs(2));
        // Inside indented text they are only text.
        let fm =
            load("---\ntitle: a\ndate: 2024-11-27\nsummary: |\n  --- x\n  ... y\n---\n").unwrap();
        assert_eq!(fm.summary.as_deref(), Some("--- x\n... y"));
    }

    #[test]
    fn bad_indentation_is_an_error_at_its_line() {
        assert_eq!(
            one_problem("---\ntitle: a\n  date: 2024-11-27\n---\n"),
            "x.md:3: invalid YAML: mapping values are not allowed in this context at line 3 \
             column 7"
        );
        assert_eq!(
            one_problem("---\ntags:\n  - a\n - b\ntitle: a\ndate: 2024-11-27\n---\n"),
            "x.md:4: invalid YAML: did not find expected key at line 4 column 2, while \
             parsing a block mapping"
        );
    }

    #[test]
    fn arbitrary_input_never_panics() {
        // A fixed pseudo-random walk over YAML's troublesome characters, multibyte text included.
        let alphabet = [
            "---\n",
            "...\n",
            "\n",
            " ",
            "\t",
            ":",
            ": ",
            "- ",
            "? ",
            "\"",
            "'",
            "\\",
            "[",
            "]",
            "{",
            "}",
            ",",
            "#",
            "&a ",
            "*a",
            "!t ",
            "|",
            ">",
            "title",
            "date",
            "2024-11-27",
            "é",
            "\u{1F4F0}",
            "\u{feff}",
            "\r",
            "line 9 column 1",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut reported = 0;
        for _ in 0..3000 {
            let mut text = String::from("---\n");
            for _ in 0..24 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let pick = usize::try_from(seed % alphabet.len() as u64).unwrap();
                text.push_str(alphabet[pick]);
            }
            let Err(problems) = load(&text) else { continue };
            let last_line = normalise(&text).lines().count() + 1;
            for p in problems {
                let line = p
                    .strip_prefix("x.md:")
                    .and_then(|r| r.split(':').next())
                    .and_then(|n| n.parse::<usize>().ok());
                if let Some(line) = line {
                    assert!((1..=last_line).contains(&line), "{p} in {text:?}");
                }
                reported += 1;
            }
        }
        assert!(reported > 1000, "{reported}");
    }
}
