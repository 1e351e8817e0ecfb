//! The load stage: walk `content/`, split front matter, parse it, render Markdown, and build one
//! [`Article`] per `*.md` file. Every problem in every file is collected into one report.

pub mod article;
pub mod dates;
pub mod front_matter;
mod walk;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use article::Article;

use crate::config::Config;
use crate::error::{Diagnostic, Error, Result};
use crate::{markdown, slug, urls};

/// Loads every article under `root/content`, drafts included (the model decides what to publish).
/// A site without `content/` has no articles. Returns every problem found, sorted by file and
/// line, if any file is bad.
pub fn load(root: &Path, config: &Config) -> Result<Vec<Article>> {
    let content = root.join("content");
    match std::fs::metadata(&content) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(&content, e)),
        Ok(meta) if !meta.is_dir() => {
            return Err(Error::problem(Diagnostic::new(
                "content",
                "is not a folder: articles go in the content/ folder",
            )));
        }
        Ok(_) => {}
    }
    // Assets are handed on as absolute paths, so the walk starts from an absolute root.
    let root = std::path::absolute(root).map_err(|e| Error::io(root, e))?;
    let found = walk::walk(&root);
    let no_assets = Vec::new();
    let results: Vec<std::result::Result<Article, Vec<Diagnostic>>> = found
        .articles
        .par_iter()
        .map(|path| {
            let assets = path
                .parent()
                .and_then(|dir| found.assets.get(dir))
                .unwrap_or(&no_assets);
            load_one(&root, path, assets, config)
        })
        .collect();

    let mut problems = found.problems;
    let mut articles = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(article) => articles.push(article),
            Err(mut diagnostics) => problems.append(&mut diagnostics),
        }
    }
    if problems.is_empty() {
        Ok(articles)
    } else {
        problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        Err(Error::Problems(problems))
    }
}

/// Reads, checks and renders one article; `path` is absolute, messages name it relative to
/// `root`.
fn load_one(
    root: &Path,
    path: &Path,
    assets: &[PathBuf],
    config: &Config,
) -> std::result::Result<Article, Vec<Diagnostic>> {
    let file = walk::relative(root, path);
    let bytes = std::fs::read(path)
        .map_err(|e| vec![Diagnostic::new(&file, format!("cannot read: {e}"))])?;
    let text =
        decode(&bytes).map_err(|(line, message)| vec![Diagnostic::at(&file, line, message)])?;
    let split = front_matter::split(&text, &file).map_err(|d| vec![d])?;
    let fm = front_matter::parse(&split, &file, &config.timezone)?;
    let rendered = markdown::render_with(split.body, &markdown::Options::default());

    let (summary, summary_html) = match (fm.summary, rendered.summary) {
        (Some(text), _) => {
            let html = format!("<p>{}</p>", escape_html(&text));
            (text, html)
        }
        (None, Some(s)) => (s.text, s.html),
        (None, None) => (String::new(), String::new()),
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    let slug = article_slug(fm.slug.as_deref(), &fm.title, &stem);
    Ok(Article {
        path: urls::permalink(&config.permalink, &fm.date, &slug),
        file,
        title: fm.title,
        date: fm.date,
        updated: fm.updated,
        tags: fm.tags,
        authors: fm.authors,
        summary,
        summary_html,
        body_html: rendered.html,
        headings: rendered.headings,
        word_count: rendered.word_count,
        reading_minutes: markdown::reading_minutes(rendered.word_count),
        slug,
        source: fm.source,
        source_url: fm.source_url,
        image: fm.image,
        image_caption: fm.image_caption,
        image_alt: fm.image_alt,
        draft: fm.draft,
        extra: fm.extra,
        assets: assets.to_vec(),
    })
}

/// The front-matter `slug` made safe, else one from the title, else from the file name. Going
/// through `slugify` means a slug such as `../x` can never leave its folder.
fn article_slug(slug: Option<&str>, title: &str, stem: &str) -> String {
    slug.map(slug::slugify)
        .filter(|s| slug::is_safe_segment(s))
        .unwrap_or_else(|| slug::slug_or_fallback(title, stem))
}

/// File bytes -> text ready for [`front_matter::split`]. On bad UTF-8, returns the line
/// and a message naming the byte offset.
fn decode(bytes: &[u8]) -> std::result::Result<String, (usize, String)> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes
            .get(..at)
            .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count())
            + 1;
        (
            line,
            format!("invalid UTF-8 at byte {at}; save the file as UTF-8"),
        )
    })?;
    Ok(front_matter::normalise(text).into_owned())
}

/// Escapes text for HTML content and attribute values.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
