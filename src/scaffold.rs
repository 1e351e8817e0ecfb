//! Creating things: `init` lays out a new site that builds at once (configuration, a first
//! article, the default theme embedded in the binary); `new` writes an article file with its
//! front matter filled in. Neither ever overwrites a file.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Timelike, Utc};

use crate::config::Config;
use crate::content::{dates, front_matter};
use crate::error::{Diagnostic, Error, Result};
use crate::slug;

include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));

/// The `site.toml` that `init` writes.
const SITE_TOML: &str = r#"# Gazette site configuration. Every key is optional; the README lists them all.

# Site name, shown in page titles, the header and feeds.
title = "My Digest"

# Absolute URL the site will be published at; every link is built from it.
# `gazette build --base-url ...` replaces it for one build.
base_url = "https://example.org/"

# One line for feeds and meta tags.
description = "A news digest built with Gazette."

# Language tag for <html lang> and feeds.
language = "en"

# Theme folder under themes/.
theme = "default"

# Articles per list page.
paginate = 20

# Decides which day an article falls on: an IANA name ("Asia/Karachi") or an offset ("+05:00").
timezone = "UTC"
"#;

/// The `.gitignore` that `init` writes: the output is built, not kept.
const GITIGNORE: &str = "/public/\n/.public.gazette-*\n";

/// Title and body of the article `init` writes.
const FIRST_TITLE: &str = "Welcome to your digest";
const FIRST_BODY: &str = "This is the first article of your new site. Every Markdown file under \
`content/` is an article; its front matter (between the `---` lines) holds its title, date and tags.

## Next steps

- `gazette new \"Headline\"` writes a new article for today.
- `gazette check` finds mistakes in front matter, templates and links.
- `gazette build` writes the site into `public/`.

Link to another article by its file, such as `[earlier](../26/story.md)`: the link becomes
that article's address when the site is built.
";

/// What `init` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitReport {
    /// Files created, relative to the site folder.
    pub created: Vec<PathBuf>,
    /// Files that already existed and were left alone (only with `force`).
    pub skipped: Vec<PathBuf>,
}

/// Lays out a new site in `dir` (created if missing): `site.toml`, `.gitignore`, the default
/// theme in `themes/default/`, and a first article dated now. A folder that holds anything but
/// `.git` is refused unless `force`; even then no existing file is overwritten.
pub fn init(dir: &Path, force: bool) -> Result<InitReport> {
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            let mut entries = entries.flatten().filter(|e| e.file_name() != ".git");
            if !force && entries.next().is_some() {
                return Err(Error::problem(Diagnostic::new(
                    dir,
                    "is not empty: `gazette init` makes a new site in an empty folder; pass \
                     --force to add what is missing (existing files are never overwritten)",
                )));
            }
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(dir, e)),
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;

    let mut report = InitReport {
        created: Vec::new(),
        skipped: Vec::new(),
    };
    let mut place = |rel: PathBuf, bytes: &[u8]| -> Result<()> {
        if write_new(&dir.join(&rel), bytes)? {
            report.created.push(rel);
        } else {
            report.skipped.push(rel);
        }
        Ok(())
    };
    place(PathBuf::from("site.toml"), SITE_TOML.as_bytes())?;
    place(PathBuf::from(".gitignore"), GITIGNORE.as_bytes())?;
    for (rel, bytes) in DEFAULT_THEME {
        place(Path::new("themes/default").join(rel), bytes)?;
    }

    // The article is dated by the site's own configuration (an existing site.toml under
    // --force may have another timezone).
    let config = crate::load_config(dir, None)?;
    let date = now_in(&config);
    let (rel, text) = article_file(FIRST_TITLE, &[], date, false, FIRST_BODY)?;
    place(rel, text.as_bytes())?;
    Ok(report)
}

/// What `gazette new` was asked to write.
#[derive(Debug, Clone, Default)]
pub struct NewArticle {
    /// The site folder (holds `site.toml`).
    pub root: PathBuf,
    /// The headline.
    pub title: String,
    /// Tags, as given.
    pub tags: Vec<String>,
    /// The date as the user wrote it (front-matter formats); default: now.
    pub date: Option<String>,
    /// Mark it `draft: true`.
    pub draft: bool,
}

/// Writes `content/YYYY/MM/DD/<slug>.md` under `options.root` (the date in the site's timezone)
/// with title, date, tags and draft filled in, and returns its path relative to the root.
/// Refuses to overwrite an existing file.
pub fn new_article(options: &NewArticle) -> Result<PathBuf> {
    let config = crate::load_config(&options.root, None)?;
    let date = match &options.date {
        Some(text) => dates::parse(text, &config.timezone)
            .map_err(|message| Error::problem(Diagnostic::new("--date", message)))?,
        None => now_in(&config),
    };
    let tags: Vec<String> = options
        .tags
        .iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    let body = "Write the story here. The first paragraph is the summary on list pages.\n";
    let (rel, text) = article_file(&options.title, &tags, date, options.draft, body)?;
    if write_new(&options.root.join(&rel), text.as_bytes())? {
        Ok(rel)
    } else {
        Err(Error::problem(Diagnostic::new(
            &rel,
            "already exists; `gazette new` never overwrites a file: choose another title or \
             --date, or edit that file",
        )))
    }
}

/// Now, to the minute, in the site's timezone.
fn now_in(config: &Config) -> DateTime<FixedOffset> {
    let now = config.timezone.to_local(Utc::now().fixed_offset());
    now.with_nanosecond(0)
        .and_then(|d| d.with_second(0))
        .unwrap_or(now)
}

/// The path (relative to the site root) and text of an article file.
fn article_file(
    title: &str,
    tags: &[String],
    date: DateTime<FixedOffset>,
    draft: bool,
    body: &str,
) -> Result<(PathBuf, String)> {
    let title = title.trim();
    if title.is_empty() {
        return Err(Error::problem(Diagnostic::new(
            "title",
            "is empty: give the article a headline, e.g. gazette new \"Floods in the north\"",
        )));
    }
    let slug = slug::slugify(title);
    if slug.is_empty() || !slug::is_safe_segment(&slug) {
        return Err(Error::problem(Diagnostic::new(
            "title",
            format!(
                "`{title}` has no letters or digits to name the file after; use a headline \
                 with words"
            ),
        )));
    }
    let rel = PathBuf::from(format!("content/{}/{slug}.md", date.format("%Y/%m/%d")));
    let when = if date.second() == 0 {
        date.format("%Y-%m-%d %H:%M")
    } else {
        date.format("%Y-%m-%d %H:%M:%S")
    };
    let mut text = format!("---\ntitle: {}\ndate: {when}\n", front_matter::quote(title));
    if !tags.is_empty() {
        let quoted: Vec<String> = tags.iter().map(|t| front_matter::quote(t)).collect();
        text.push_str(&format!("tags: [{}]\n", quoted.join(", ")));
    }
    if draft {
        text.push_str("draft: true\n");
    }
    text.push_str("---\n\n");
    text.push_str(body);
    Ok((rel, text))
}

/// Creates `path` (and its folders) with `bytes`; `false` if it already existed, untouched.
fn write_new(path: &Path, bytes: &[u8]) -> Result<bool> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let mut file = match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(Error::io(path, e)),
    };
    file.write_all(bytes).map_err(|e| Error::io(path, e))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(root: &Path, rel: &Path) -> String {
        std::fs::read_to_string(root.join(rel)).unwrap()
    }

    fn problem(result: Result<impl std::fmt::Debug>) -> String {
        match result {
            Err(Error::Problems(p)) if p.len() == 1 => p[0].to_string(),
            other => panic!("expected one problem, got {other:?}"),
        }
    }

    #[test]
    fn the_embedded_theme_is_the_repository_theme() {
        let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let on_disk: Vec<String> = walkdir::WalkDir::new(&theme)
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(&theme).unwrap();
                rel.to_string_lossy().replace('\\', "/")
            })
            .collect();
        let mut embedded: Vec<String> = DEFAULT_THEME.iter().map(|(p, _)| p.to_string()).collect();
        embedded.sort();
        let mut on_disk_sorted = on_disk.clone();
        on_disk_sorted.sort();
        assert_eq!(embedded, on_disk_sorted);
        for (rel, bytes) in DEFAULT_THEME {
            assert_eq!(std::fs::read(theme.join(rel)).unwrap(), *bytes, "{rel}");
        }
    }

    #[test]
    fn init_refuses_a_full_folder_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        assert!(problem(init(dir.path(), false)).contains("is not empty"));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "nothing written"
        );

        std::fs::write(dir.path().join("site.toml"), "title = \"Mine\"\n").unwrap();
        let report = init(dir.path(), true).unwrap();
        assert_eq!(report.skipped, vec![PathBuf::from("site.toml")]);
        assert_eq!(
            read(dir.path(), Path::new("site.toml")),
            "title = \"Mine\"\n"
        );
        assert_eq!(report.created.len(), DEFAULT_THEME.len() + 2);

        // Again: everything exists now, so everything is skipped (the article too, same minute
        // or not, is a new file only if the minute changed; either way nothing is overwritten).
        let again = init(dir.path(), true).unwrap();
        assert!(again.skipped.len() >= DEFAULT_THEME.len() + 2);
    }

    #[test]
    fn init_accepts_an_empty_folder_with_only_git() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        let report = init(dir.path(), false).unwrap();
        assert!(report.skipped.is_empty());
        assert!(
            report
                .created
                .contains(&PathBuf::from("themes/default/templates/base.html"))
        );
    }

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("site.toml"), "timezone = \"+05:00\"\n").unwrap();
        dir
    }

    fn new(dir: &tempfile::TempDir, title: &str, date: Option<&str>) -> Result<PathBuf> {
        new_article(&NewArticle {
            root: dir.path().to_path_buf(),
            title: title.into(),
            tags: vec!["pti".into(), " ".into(), "a: b".into()],
            date: date.map(String::from),
            draft: true,
        })
    }

    #[test]
    fn new_writes_front_matter_that_reads_back() {
        let dir = site();
        let title = "Khan: \"we'll return\" #1";
        let rel = new(&dir, title, Some("2024-11-27T23:30:00Z")).unwrap();
        // 23:30 UTC is the next morning at +05:00.
        assert_eq!(
            rel,
            PathBuf::from("content/2024/11/28/khan-well-return-1.md")
        );
        let text = read(dir.path(), &rel);
        assert_eq!(
            text,
            "---\ntitle: \"Khan: \\\"we'll return\\\" #1\"\ndate: 2024-11-28 04:30\n\
             tags: [\"pti\", \"a: b\"]\ndraft: true\n---\n\n\
             Write the story here. The first paragraph is the summary on list pages.\n"
        );
        let config = Config::load(&dir.path().join("site.toml")).unwrap();
        let articles = crate::content::load(dir.path(), &config).unwrap();
        assert_eq!(articles[0].title, title);
        assert_eq!(articles[0].tags, vec!["pti", "a: b"]);
        assert_eq!(articles[0].date.to_rfc3339(), "2024-11-28T04:30:00+05:00");
        assert!(articles[0].draft);
    }

    #[test]
    fn new_refuses_what_it_cannot_do_well() {
        let dir = site();
        new(&dir, "Once", Some("2024-11-27")).unwrap();
        let before = read(dir.path(), Path::new("content/2024/11/27/once.md"));
        assert_eq!(
            problem(new(&dir, "Once", Some("2024-11-27 10:00"))),
            "content/2024/11/27/once.md: already exists; `gazette new` never overwrites a \
             file: choose another title or --date, or edit that file"
        );
        assert_eq!(
            read(dir.path(), Path::new("content/2024/11/27/once.md")),
            before
        );

        assert!(problem(new(&dir, "X", Some("27/11/2024"))).starts_with("--date: expected"));
        assert!(problem(new(&dir, "X", Some("2024-02-30"))).starts_with("--date: "));
        assert!(problem(new(&dir, "🎉 !!!", None)).contains("no letters or digits"));
        assert!(problem(new(&dir, "  ", None)).starts_with("title: is empty"));
        let elsewhere = tempfile::tempdir().unwrap();
        assert!(problem(new(&elsewhere, "X", None)).contains("no site.toml here"));
    }
}
