//! `gazette import`: turns a Jekyll, Hugo, Zola or Eleventy site into a Gazette site without
//! losing a URL. Each generator's module reads its layout into plain [`Source`] data (posts
//! with every URL the old site published them at, static files, site settings); [`write`]
//! places that data as Gazette expects it and gives every old URL a redirect (`aliases`).

pub mod eleventy;
pub mod hugo;
pub mod jekyll;
mod new_site;
mod read;
mod write;
pub mod zola;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, FixedOffset};
use serde_yaml::Value;

use crate::config::SiteTz;
use crate::error::{Diagnostic, Error, Result};

/// The generators `gazette import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    /// Jekyll: `_config.yml`, `_posts/`, `_drafts/`.
    Jekyll,
    /// Hugo: `hugo.toml`/`config.toml`/`config.yaml`, `content/`, `static/`.
    Hugo,
    /// Zola: `config.toml`, `content/`, `static/`.
    Zola,
    /// Eleventy: Markdown anywhere with a date, `_data/metadata.json`.
    Eleventy,
}

impl FromStr for Generator {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "jekyll" => Ok(Generator::Jekyll),
            "hugo" => Ok(Generator::Hugo),
            "zola" => Ok(Generator::Zola),
            "eleventy" | "11ty" => Ok(Generator::Eleventy),
            _ => Err(format!(
                "`{s}` is not a generator gazette can import; use jekyll, hugo, zola or eleventy"
            )),
        }
    }
}

impl fmt::Display for Generator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Generator::Jekyll => "jekyll",
            Generator::Hugo => "hugo",
            Generator::Zola => "zola",
            Generator::Eleventy => "eleventy",
        })
    }
}

/// What `gazette import` was asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Which generator made `src`.
    pub generator: Generator,
    /// The site to read.
    pub src: PathBuf,
    /// The Gazette site to write (created if missing).
    pub dest: PathBuf,
    /// Overwrite files that already exist in `dest` (nothing is ever deleted).
    pub force: bool,
}

/// One post as the old site had it, before Gazette's layout is applied.
#[derive(Debug, Clone)]
pub struct Post {
    /// The source file, relative to the source site (for messages).
    pub file: PathBuf,
    /// File line of the body's first line, so body findings can name source lines.
    pub body_line: usize,
    /// Headline.
    pub title: String,
    /// Publication date, in the site's timezone.
    pub date: DateTime<FixedOffset>,
    /// Last change, in the site's timezone.
    pub updated: Option<DateTime<FixedOffset>>,
    /// The slug the old site used (file name or front matter), before Gazette makes it safe.
    pub slug: String,
    /// Every site path the old site published the post at, the main one first; empty for
    /// drafts, which were never published.
    pub urls: Vec<String>,
    /// Old addresses that already redirected to the post (`aliases`, `redirect_from`).
    pub aliases: Vec<String>,
    /// Not published.
    pub draft: bool,
    /// Tags.
    pub tags: Vec<String>,
    /// Categories (kept as a front-matter field of their own).
    pub categories: Vec<String>,
    /// Summary, excerpt or description.
    pub summary: Option<String>,
    /// Bylines.
    pub authors: Vec<String>,
    /// Lead image, as written.
    pub image: Option<String>,
    /// Every other front-matter field, as written, in file order.
    pub extra: Vec<(String, Value)>,
    /// The Markdown body, unchanged.
    pub body: String,
    /// Files beside the post (page bundles, colocated assets).
    pub assets: Vec<CopiedFile>,
}

/// A file to copy: from `from` (absolute) to `to` (relative to where the kind of file goes:
/// the post's folder for assets, `static/` for static files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedFile {
    /// The source file.
    pub from: PathBuf,
    /// Its path under the destination folder.
    pub to: PathBuf,
}

/// Site-wide settings read from the old configuration.
#[derive(Debug, Clone, Default)]
pub struct SiteSettings {
    /// Site title.
    pub title: Option<String>,
    /// Absolute URL, with any sub-path (Jekyll's `url` + `baseurl`).
    pub base_url: Option<String>,
    /// One-line description.
    pub description: Option<String>,
    /// Default author.
    pub author: Option<String>,
    /// The timezone dates were read in, when the old site named one.
    pub timezone: Option<String>,
}

/// Everything one generator's module read from the old site.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// Site settings.
    pub site: SiteSettings,
    /// Posts, drafts included.
    pub posts: Vec<Post>,
    /// The generator's static files, to go under `static/`.
    pub statics: Vec<CopiedFile>,
    /// Things that were not imported and need a person (pages, templated permalinks...).
    pub attention: Vec<Diagnostic>,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Posts written (drafts included).
    pub posts: usize,
    /// Of those, drafts.
    pub drafts: usize,
    /// Assets and static files copied.
    pub files_copied: usize,
    /// Theme files written (only those that were missing).
    pub theme_files: usize,
    /// Redirects (aliases) written into front matter.
    pub aliases: usize,
    /// The permalink pattern written to `site.toml`.
    pub permalink: String,
    /// Front-matter keys kept as they were (Gazette keeps them in `extra`), with how many posts
    /// had each.
    pub extra_keys: BTreeMap<String, usize>,
    /// Template syntax in bodies that Gazette will show as text: `file:line: kind `snippet``,
    /// naming the new file.
    pub templates: Vec<Diagnostic>,
    /// What was not imported or needs a look, with file and line.
    pub attention: Vec<Diagnostic>,
    /// Every file written, relative to the destination.
    pub written: Vec<PathBuf>,
}

/// Reads `options.src` as `options.generator` lays a site out and writes it into
/// `options.dest` as a Gazette site. Nothing is written when the source has problems (all are
/// reported) or when a file to write exists and `force` is off.
pub fn import(options: &ImportOptions) -> Result<ImportReport> {
    let src = &options.src;
    if !src.is_dir() {
        return Err(Error::problem(Diagnostic::new(
            src,
            "is not a folder; give the folder of the site to import",
        )));
    }
    // The new site's content/ and static/ would mix with the old site's own (Hugo's and
    // Zola's have those very names), and a file copied onto itself is emptied.
    let same = std::fs::canonicalize(src)
        .ok()
        .zip(std::fs::canonicalize(&options.dest).ok())
        .is_some_and(|(a, b)| a == b);
    if same {
        return Err(Error::problem(Diagnostic::new(
            &options.dest,
            "is the folder of the site being imported; give another folder as DEST, such as \
             `gazette import jekyll . ../news` (the old site is only read)",
        )));
    }
    let source = match options.generator {
        Generator::Jekyll => jekyll::read(src)?,
        Generator::Hugo => hugo::read(src)?,
        Generator::Zola => zola::read(src)?,
        Generator::Eleventy => eleventy::read(src)?,
    };
    // A wrong generator name finds nothing where it looks; better say so than write a site of
    // the other generator's files.
    if source.posts.is_empty() {
        let looked = match options.generator {
            Generator::Jekyll => "_posts/ and _drafts/",
            Generator::Hugo | Generator::Zola => "content/",
            Generator::Eleventy => "Markdown files with a date or in the posts collection",
        };
        return Err(Error::problem(Diagnostic::new(
            src,
            format!(
                "no posts found where {} keeps them ({looked}); nothing was written. Is it a \
                 site of another generator?",
                options.generator
            ),
        )));
    }
    write::write(&source, options)
}

/// The timezone the old site read dates in (UTC when it named none or one Gazette cannot
/// read); the name is kept only when it is valid, so `site.toml` always loads.
fn site_tz(
    name: Option<String>,
    attention: &mut Vec<Diagnostic>,
    config: &Path,
) -> (SiteTz, Option<String>) {
    let utc =
        SiteTz::parse("UTC").unwrap_or(SiteTz::Fixed(FixedOffset::east_opt(0).expect("zero")));
    match name {
        None => (utc, None),
        Some(name) => match SiteTz::parse(&name) {
            Ok(tz) => (tz, Some(name)),
            Err(message) => {
                attention.push(Diagnostic::new(
                    config,
                    format!("{message}; dates were read in UTC, check the days in the new URLs"),
                ));
                (utc, None)
            }
        },
    }
}

/// Collects front-matter problems of every file instead of stopping at the first.
#[derive(Default)]
struct Problems(Vec<Diagnostic>);

impl Problems {
    fn keep<T>(&mut self, result: std::result::Result<T, Diagnostic>) -> Option<T> {
        result.map_err(|d| self.0.push(d)).ok()
    }

    fn into_result(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Problems(self.0))
        }
    }
}

/// Every file under `dir` (sorted, hidden names skipped), for the readers' walks.
fn files_under(dir: &Path, skip_dir: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_name().to_string_lossy().starts_with('.')
                    || (e.file_type().is_dir() && skip_dir(e.path())))
        })
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

/// Path of `path` relative to `base` (as given when it is not under `base`).
fn rel(base: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(base).unwrap_or(path).to_path_buf()
}

/// A Markdown file name, by the extensions Gazette and the four generators share.
fn is_markdown(path: &Path) -> bool {
    crate::content::is_markdown(path)
}
