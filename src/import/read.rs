//! Reading another generator's files: front matter in YAML (`---`) or TOML (`+++`) into one
//! ordered mapping, with the line of every top-level key, and the few value shapes the four
//! generators share (a string, a list written as a list or as words, a date).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_yaml::{Mapping, Value};

use crate::config::SiteTz;
use crate::content::dates;
use crate::error::Diagnostic;

/// One source file cut into its front matter and its body.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    /// Top-level keys in file order. TOML values are turned into YAML ones (datetimes into
    /// their text), so every generator is read the same way.
    pub fields: Mapping,
    /// 1-based file line of each top-level key, for messages.
    pub lines: HashMap<String, usize>,
    /// Everything after the closing fence, untouched.
    pub body: String,
    /// File line of the body's first line.
    pub body_line: usize,
    /// The file, as messages show it (relative to the source site).
    pub shown: PathBuf,
}

impl Doc {
    /// Removes and returns a top-level field.
    pub fn take(&mut self, key: &str) -> Option<Value> {
        self.fields.remove(key).filter(|v| !v.is_null())
    }

    /// A problem at the line of `key` (or the first line).
    pub fn problem(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        let line = self.lines.get(key).copied().unwrap_or(1);
        Diagnostic::at(&self.shown, line, format!("{key}: {}", message.into()))
    }

    /// Removes `key` and reads it as a date; a value that is no date is an error at its line.
    pub fn take_date(
        &mut self,
        key: &str,
        tz: &SiteTz,
    ) -> Result<Option<DateTime<FixedOffset>>, Diagnostic> {
        match self.take(key) {
            None => Ok(None),
            Some(value) => match text(&value) {
                Some(t) => dates::parse(&t, tz)
                    .map(Some)
                    .map_err(|m| self.problem(key, m)),
                None => Err(self.problem(key, "expected a date such as 2024-11-27")),
            },
        }
    }

    /// Removes `key` as a true/false flag (`"true"` as text counts; anything else is false).
    pub fn take_flag(&mut self, key: &str) -> Option<bool> {
        self.take(key).map(|v| match v {
            Value::Bool(b) => b,
            Value::String(s) => s.trim().eq_ignore_ascii_case("true"),
            _ => false,
        })
    }

    /// Removes `key` as one string (numbers are written out); blank is absent.
    pub fn take_string(&mut self, key: &str) -> Option<String> {
        self.take(key).and_then(|v| text(&v))
    }

    /// Removes `key` as a list of strings: a YAML/TOML list, or words split on spaces (Jekyll
    /// writes `tags: a b c`) or commas when `words`; else one item.
    pub fn take_list(&mut self, key: &str, words: bool) -> Vec<String> {
        self.take(key).map(|v| list(&v, words)).unwrap_or_default()
    }

    /// Every field left, in file order, for the `extra` of the new front matter.
    pub fn rest(&mut self) -> Vec<(String, Value)> {
        std::mem::take(&mut self.fields)
            .into_iter()
            .map(|(k, v)| (key_text(&k), v))
            .collect()
    }
}

/// Reads `path` (shown as `shown` in messages): front matter between `---` lines (YAML) or
/// `+++` lines (TOML); a file without either is all body.
pub fn read_doc(path: &Path, shown: &Path) -> Result<Doc, Diagnostic> {
    let bytes =
        std::fs::read(path).map_err(|e| Diagnostic::new(shown, format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Diagnostic::new(
            shown,
            format!(
                "is not UTF-8 text (byte {}); save it as UTF-8 and run the import again",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    parse_doc(&text, shown)
}

/// [`read_doc`] on text already read.
pub fn parse_doc(text: &str, shown: &Path) -> Result<Doc, Diagnostic> {
    let original = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = original.replace("\r\n", "\n");
    let first = text.lines().next().unwrap_or("").trim_end();
    let fence = match first {
        "---" => "---",
        "+++" => "+++",
        _ => {
            return Ok(Doc {
                body: original.to_string(),
                body_line: 1,
                shown: shown.to_path_buf(),
                ..Doc::default()
            });
        }
    };
    let after_open = text.find('\n').map_or(text.len(), |n| n + 1);
    let rest = text.get(after_open..).unwrap_or("");
    let mut offset = 0;
    let mut close = None;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        let bare = line.trim_end();
        if bare == fence || (fence == "---" && bare == "...") {
            close = Some((offset, offset + line.len(), i));
            break;
        }
        offset += line.len();
    }
    let Some((end, _, closing_index)) = close else {
        return Err(Diagnostic::at(
            shown,
            1,
            format!("front matter opened here is never closed by a {fence} line; add one"),
        ));
    };
    let block = &rest[..end];
    let fields = if fence == "---" {
        yaml_mapping(block, shown, BLOCK_LINE, "front matter")?
    } else {
        toml_mapping(block, shown, BLOCK_LINE, "front matter")?
    };
    Ok(Doc {
        fields,
        lines: key_lines(block, fence == "+++"),
        // The body exactly as written (line ends included), from the line after the fence.
        body: original
            .split_inclusive('\n')
            .skip(closing_index + 2)
            .collect(),
        body_line: closing_index + 3,
        shown: shown.to_path_buf(),
    })
}

/// The front-matter block starts on file line 2.
const BLOCK_LINE: usize = 2;

/// Reads a generator's configuration file `src/name` (YAML, or TOML for `.toml`); a missing
/// file is an empty configuration.
pub fn config_file(src: &Path, name: &str) -> Result<Mapping, Diagnostic> {
    let Ok(text) = std::fs::read_to_string(src.join(name)) else {
        return Ok(Mapping::new());
    };
    let shown = Path::new(name);
    if name.ends_with(".toml") {
        toml_mapping(&text, shown, 1, "the configuration")
    } else {
        yaml_mapping(&text, shown, 1, "the configuration")
    }
}

/// `block` parsed as a YAML mapping; `first_line` is its first line in the file and `what`
/// names it in messages.
fn yaml_mapping(
    block: &str,
    shown: &Path,
    first_line: usize,
    what: &str,
) -> Result<Mapping, Diagnostic> {
    if block.trim().is_empty() {
        return Ok(Mapping::new());
    }
    match serde_yaml::from_str::<Value>(block) {
        Ok(Value::Mapping(m)) => Ok(m),
        Ok(Value::Null) => Ok(Mapping::new()),
        Ok(_) => Err(Diagnostic::at(
            shown,
            first_line,
            format!("{what} is not a list of `key: value` lines; fix it and run the import again"),
        )),
        Err(e) => {
            let line = e.location().map_or(0, |l| l.line().saturating_sub(1)) + first_line;
            let message = e.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message);
            Err(Diagnostic::at(
                shown,
                line,
                format!("{what} is not valid YAML ({message}); fix it and run the import again"),
            ))
        }
    }
}

/// `block` parsed as a TOML table, as [`yaml_mapping`].
fn toml_mapping(
    block: &str,
    shown: &Path,
    first_line: usize,
    what: &str,
) -> Result<Mapping, Diagnostic> {
    match toml::from_str::<toml::Table>(block) {
        Ok(table) => match toml_to_yaml(toml::Value::Table(table)) {
            Value::Mapping(m) => Ok(m),
            _ => Ok(Mapping::new()),
        },
        Err(e) => {
            let line = e.span().map_or(0, |s| {
                block[..s.start.min(block.len())].matches('\n').count()
            }) + first_line;
            let message = e.message().to_string();
            Err(Diagnostic::at(
                shown,
                line,
                format!("{what} is not valid TOML ({message}); fix it and run the import again"),
            ))
        }
    }
}

/// TOML value -> YAML value; datetimes become their RFC 3339 text.
pub fn toml_to_yaml(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::Number(i.into()),
        toml::Value::Float(f) => Value::Number(f.into()),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Sequence(items.into_iter().map(toml_to_yaml).collect()),
        toml::Value::Table(t) => Value::Mapping(
            t.into_iter()
                .map(|(k, v)| (Value::String(k), toml_to_yaml(v)))
                .collect(),
        ),
    }
}

/// JSON value -> YAML value (Eleventy's data files).
pub fn json_to_yaml(value: serde_json::Value) -> Value {
    serde_yaml::to_value(value).unwrap_or(Value::Null)
}

/// Line of each top-level key: YAML keys start at column 0; TOML keys before the first
/// `[table]` (later ones belong to a table, whose header line is used for its name).
fn key_lines(block: &str, toml: bool) -> HashMap<String, usize> {
    let mut lines = HashMap::new();
    let mut in_table = false;
    for (i, line) in block.lines().enumerate() {
        let line_no = i + BLOCK_LINE;
        if line.starts_with([' ', '\t', '#', '-']) || line.is_empty() {
            continue;
        }
        if toml {
            if let Some(header) = line.trim().strip_prefix('[') {
                in_table = true;
                let name = header.trim_matches(['[', ']', ' ']);
                let top = name.split('.').next().unwrap_or(name).trim_matches('"');
                lines.entry(top.to_string()).or_insert(line_no);
            } else if !in_table && let Some((key, _)) = line.split_once('=') {
                lines.insert(key.trim().trim_matches('"').to_string(), line_no);
            }
        } else if let Some((key, _)) = line.split_once(':') {
            lines.insert(key.trim().trim_matches(['"', '\'']).to_string(), line_no);
        }
    }
    lines
}

/// True when the file starts with a front-matter fence: a page for the generator to render,
/// not a file to copy.
pub fn has_front_matter(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let head = &head[..n];
    [b"---", b"+++"]
        .iter()
        .any(|fence| head.starts_with(*fence) && matches!(head.get(3), Some(b'\n' | b'\r')))
}

/// A scalar as text; blank is `None`.
pub fn text(value: &Value) -> Option<String> {
    let s = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Tagged(t) => return text(&t.value),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// A list of strings from a list, or from one string split into words when `words`.
pub fn list(value: &Value, words: bool) -> Vec<String> {
    match value {
        Value::Sequence(items) => items.iter().filter_map(text).collect(),
        other => match text(other) {
            Some(s) if words => s
                .split([' ', ','])
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect(),
            Some(s) => vec![s],
            None => Vec::new(),
        },
    }
}

/// A mapping key as text.
pub fn key_text(key: &Value) -> String {
    text(key).unwrap_or_else(|| {
        serde_yaml::to_string(key)
            .unwrap_or_default()
            .trim()
            .to_string()
    })
}

/// `2015-05-15-rust.md` -> (2015-05-15, "rust"); `_` also separates (Zola). The same cut as
/// the build's own ([`crate::content::front_matter::dated_name`]), with the date read.
pub fn dated_name(stem: &str) -> Option<(NaiveDate, &str)> {
    let (date, rest) = crate::content::front_matter::dated_name(stem);
    let date = NaiveDate::parse_from_str(date?, "%Y-%m-%d").ok()?;
    Some((date, rest))
}

/// Midnight of `date` in `tz`.
pub fn midnight(date: NaiveDate, tz: &SiteTz) -> Option<DateTime<FixedOffset>> {
    tz.from_local(date.and_hms_opt(0, 0, 0)?)
        .map(|d| tz.to_local(d))
}

/// The modification time of `path`, in `tz` (for posts with no date anywhere).
pub fn modified(path: &Path, tz: &SiteTz) -> Option<DateTime<FixedOffset>> {
    let time = std::fs::metadata(path).ok()?.modified().ok()?;
    let utc: DateTime<chrono::Utc> = time.into();
    Some(tz.to_local(utc.fixed_offset()))
}

/// A file's name without its extension (`index` for `index.md`), as text.
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// `value` with a leading `/`, for a site path written without one.
pub fn rooted(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

/// Collapses `//` runs: URL patterns with an empty placeholder (`/:categories/` with none)
/// leave them, and generators collapse them the same way.
pub fn squeeze(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
    }
    out
}

/// The title a post without one gets: its slug in words, as Jekyll and the build's
/// `title_from_filename` make it (`my-first-post` -> `My First Post`).
pub fn title_from_slug(slug: &str) -> String {
    crate::content::front_matter::title_from_words(slug).unwrap_or_else(|| "Untitled".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_toml_front_matter_read_with_key_lines() {
        let doc = parse_doc(
            "---\ntitle: A\ntags: [x, y]\n---\nBody {{ x }}\n",
            Path::new("a.md"),
        )
        .unwrap();
        assert_eq!(doc.lines["tags"], 3);
        assert_eq!(doc.body, "Body {{ x }}\n");
        assert_eq!(doc.body_line, 5);
        let mut doc = parse_doc(
            "+++\ntitle = \"B\"\ndate = 2020-01-02T03:04:05Z\n[taxonomies]\ntags = [\"t\"]\n+++\nx\n",
            Path::new("b.md"),
        )
        .unwrap();
        assert_eq!(doc.take_string("date").unwrap(), "2020-01-02T03:04:05Z");
        assert_eq!(doc.lines["taxonomies"], 4);
        assert_eq!(doc.body_line, 7);
    }

    #[test]
    fn the_body_is_kept_byte_for_byte() {
        let doc = parse_doc("--- \r\ntitle: A\r\n---\r\nOne\r\nTwo\n", Path::new("a.md")).unwrap();
        assert_eq!(doc.body, "One\r\nTwo\n");
        assert_eq!(doc.body_line, 4);
        assert_eq!(doc.lines["title"], 2);
        let plain = parse_doc("\u{feff}No front matter\r\n", Path::new("b.md")).unwrap();
        assert_eq!(plain.body, "No front matter\r\n");
    }

    proptest::proptest! {
        /// Whatever a file holds, reading it returns a document or a message; never a panic.
        #[test]
        fn any_text_reads_without_panicking(text in "(---|\\+\\+\\+)?\\PC{0,12}(\n[-+:a-z \\[\\]\"'=\r]{0,10}){0,6}") {
            let _ = parse_doc(&text, Path::new("x.md"));
        }
    }

    #[test]
    fn bad_front_matter_names_the_file_line() {
        let e = parse_doc("---\ntitle: A\ntags: [x\nz: 1\n---\n", Path::new("p.md")).unwrap_err();
        assert_eq!(e.path, Path::new("p.md"));
        assert!(e.line.unwrap() >= 3, "{e}");
        let e = parse_doc("+++\ntitle = \"B\"\ndate = \n+++\n", Path::new("q.md")).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("TOML"), "{e}");
    }

    #[test]
    fn names_dates_and_lists() {
        let (d, slug) = dated_name("2015-05-15-rust-is-here").unwrap();
        assert_eq!(
            (d.to_string().as_str(), slug),
            ("2015-05-15", "rust-is-here")
        );
        assert!(dated_name("about").is_none());
        assert_eq!(list(&Value::String("a b,c".into()), true), ["a", "b", "c"]);
        assert_eq!(squeeze("//a//b/"), "/a/b/");
        assert_eq!(title_from_slug("my-first-post"), "My First Post");
    }
}
