//! [`Article`]: one Markdown file after loading, validated and rendered to HTML. This is the type
//! the load stage hands to the model.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};

/// One article, ready for the model. Dates are already in the site's timezone.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Article {
    /// The Markdown file, relative to the site root (`content/2024/11/27/x.md`), for messages.
    pub file: PathBuf,
    /// Title from front matter (plain text; templates escape it).
    pub title: String,
    /// Publication time, in the site's timezone.
    pub date: DateTime<FixedOffset>,
    /// Last update, in the site's timezone.
    pub updated: Option<DateTime<FixedOffset>>,
    /// Tags as written (trimmed, empty ones dropped, order kept).
    pub tags: Vec<String>,
    /// Authors (front matter `author`, a string or a list); empty means the site's author.
    pub authors: Vec<String>,
    /// Plain-text summary (front matter `summary`, else text before `<!-- more -->`, else the
    /// first paragraph).
    pub summary: String,
    /// The same summary as HTML (rendered Markdown, or the escaped front-matter text in `<p>`).
    pub summary_html: String,
    /// Rendered Markdown body (left in the build cache's log until a page needs it, when the
    /// article was taken from there).
    pub body_html: super::Body,
    /// The body's distinct search words that are not in its title or summary
    /// ([`crate::words::body_words`]), found once at load so the search index of a build that
    /// reuses the article need not read its body again. Left in the build cache's log like the
    /// body when the article was taken from there: a search index carried over from the last
    /// build reads only the new articles' words (at 100,000 articles, decoding every article's
    /// words raised a publish's peak memory from 1.36-1.40 to 1.52 GB).
    pub search_words: super::Body,
    /// Headings of the body, in order, with their anchors (left in the build cache's log like
    /// the body, when the article was taken from there).
    pub headings: super::Headings,
    /// Words in the body.
    pub word_count: usize,
    /// Minutes to read the body (at least 1).
    pub reading_minutes: usize,
    /// URL-safe slug: a safe path segment, never empty.
    pub slug: String,
    /// Site path of the article page from the permalink pattern, e.g. `/2024/11/27/x/`.
    pub path: String,
    /// The outlet a digest item comes from (front matter `source`).
    pub source: Option<String>,
    /// Link to the original report (front matter `source_url`).
    pub source_url: Option<String>,
    /// Lead image, as written (relative to the article page, or absolute).
    pub image: Option<String>,
    /// Caption / credit for the lead image.
    pub image_caption: Option<String>,
    /// Alt text for the lead image (front matter `image_alt`, else none).
    pub image_alt: Option<String>,
    /// Old site paths that redirect to this article (front matter `aliases`, `redirect_from`).
    pub aliases: Vec<String>,
    /// Left out of builds unless `--drafts`.
    pub draft: bool,
    /// Asks to lead the home page (front matter `featured: true`).
    pub featured: bool,
    /// Front-matter fields Gazette does not know, for templates (`article.extra`).
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Files beside the article to copy next to its page (absolute paths).
    pub assets: Vec<PathBuf>,
}

/// Where an article's lead image is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageAt<'a> {
    /// A URL on another site (or protocol-relative), used as written.
    Elsewhere(&'a str),
    /// A site path (`/2024/11/27/lead.jpg`): relative images resolved against the folder of
    /// the article page, where its files are copied.
    Site(String),
}

impl Article {
    /// Leaves the body and search words in the build cache's log where `placed` wrote them
    /// there; true when the body was. The headings stay: a few hundred bytes each (20 MB at
    /// 100,000 articles), each read by a page of its own, cost a read of the log per article.
    pub fn leave_bodies_in(&mut self, placed: &super::body::Placed) -> bool {
        placed.leave(&mut self.search_words);
        placed.leave(&mut self.body_html)
    }

    /// The lead image's place, or `None` without one.
    pub fn image_at(&self) -> Option<ImageAt<'_>> {
        let image = self.image.as_deref()?.trim();
        if image.is_empty() {
            None
        } else if crate::urls::is_absolute_url(image) {
            Some(ImageAt::Elsewhere(image))
        } else if image.starts_with('/') {
            Some(ImageAt::Site(image.to_string()))
        } else {
            let folder = crate::urls::folder_of(&self.path);
            Some(ImageAt::Site(format!(
                "{folder}{}",
                image.trim_start_matches("./")
            )))
        }
    }
}

/// The one test constructor of [`Article`], shared by the unit tests of every stage (model,
/// render, feeds), so a new field is added in one place.
#[cfg(test)]
impl Article {
    /// A bare article: `title` from `content/<slug>.md`, dated `date` (RFC 3339), at the default
    /// permalink; no body, tags, authors or image. Tests set what they need with
    /// `Article { field, ..Article::sample(..) }`.
    pub(crate) fn sample(title: &str, slug: &str, date: &str) -> Article {
        let date = DateTime::parse_from_rfc3339(date).expect("test date");
        Article {
            file: PathBuf::from(format!("content/{slug}.md")),
            title: title.into(),
            date,
            updated: None,
            tags: Vec::new(),
            authors: Vec::new(),
            summary: String::new(),
            summary_html: String::new(),
            body_html: Default::default(),
            search_words: Default::default(),
            headings: Default::default(),
            word_count: 0,
            reading_minutes: 1,
            slug: slug.into(),
            path: crate::urls::permalink(crate::config::DEFAULT_PERMALINK, &date, slug),
            source: None,
            source_url: None,
            image: None,
            image_caption: None,
            image_alt: None,
            aliases: Vec::new(),
            draft: false,
            featured: false,
            extra: serde_json::Map::new(),
            assets: Vec::new(),
        }
    }
}
