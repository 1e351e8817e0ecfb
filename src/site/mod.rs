//! The model: published articles sorted newest first, taxonomies, date archives, pagination and
//! links, and the full plan of pages to produce. Pure: no file or template access.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use crate::config::Config;
use crate::content::Article;
use crate::error::{Diagnostic, Result};

/// What the model needs besides articles and config.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Publish drafts too.
    pub drafts: bool,
    /// "Now", to leave out (and warn about) articles dated in the future.
    pub now: DateTime<Utc>,
}

/// The whole site, planned.
#[derive(Debug, Clone)]
pub struct Site {
    /// The configuration the site was planned with.
    pub config: Config,
    /// Published articles, newest first (ties broken by title, then file).
    pub articles: Vec<Article>,
    /// Per article (same index): its neighbours and the pages that list it.
    pub links: Vec<ArticleLinks>,
    /// Taxonomies (tags first), each with its terms.
    pub taxonomies: Vec<Taxonomy>,
    /// Years that have articles, newest first, with their months and days.
    pub years: Vec<Year>,
    /// Every page to produce, HTML and otherwise.
    pub pages: Vec<Page>,
    /// Things worth saying that do not stop the build (future-dated articles, slug clashes).
    pub warnings: Vec<Diagnostic>,
}

/// Navigation from one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleLinks {
    /// The next newer article.
    pub newer: Option<usize>,
    /// The next older article.
    pub older: Option<usize>,
    /// Up to 5 related articles: most shared tags, then closest date.
    pub related: Vec<usize>,
    /// Site path of the article's day archive (`/2024/11/27/`).
    pub day_path: String,
    /// For each taxonomy (same index as [`Site::taxonomies`]), the terms the article carries.
    pub terms: Vec<Vec<usize>>,
}

/// A taxonomy such as `tags`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taxonomy {
    /// Name used in URLs and templates (`tags`).
    pub name: String,
    /// Site path of its term list (`/tags/`).
    pub path: String,
    /// Articles per term page.
    pub paginate: usize,
    /// Terms by article count (descending), then name.
    pub terms: Vec<Term>,
}

/// One term of a taxonomy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Display name: the most common spelling among the articles.
    pub name: String,
    /// Safe path segment, unique within the taxonomy.
    pub slug: String,
    /// Site path of the term's first page (`/tags/pti/`).
    pub path: String,
    /// Articles carrying the term, newest first (indices into [`Site::articles`]).
    pub articles: Vec<usize>,
}

/// A year of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Year {
    /// The year.
    pub year: i32,
    /// `/2024/`.
    pub path: String,
    /// Articles in the year, newest first.
    pub articles: Vec<usize>,
    /// Months with articles, newest first.
    pub months: Vec<Month>,
}

/// A month of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    /// 1 to 12.
    pub month: u32,
    /// `/2024/11/`.
    pub path: String,
    /// Articles in the month, newest first.
    pub articles: Vec<usize>,
    /// Days with articles, newest first.
    pub days: Vec<Day>,
}

/// A day of the archive: that day's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    /// The day, in the site's timezone.
    pub date: NaiveDate,
    /// `/2024/11/27/`.
    pub path: String,
    /// Articles of the day, newest first.
    pub articles: Vec<usize>,
}

/// One output page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Site path (`/`, `/page/2/`, `/atom.xml`).
    pub path: String,
    /// What the page is.
    pub kind: PageKind,
    /// Newest date (published or updated) of the articles the page shows.
    pub lastmod: Option<DateTime<FixedOffset>>,
    /// Listed in the sitemap (HTML pages that are not redirects or the 404 page).
    pub in_sitemap: bool,
}

/// The kinds of page.
#[derive(Debug, Clone, PartialEq)]
pub enum PageKind {
    /// An article page (index into [`Site::articles`]).
    Article(usize),
    /// A paginated list: home, a term, or a date archive.
    List(ListPage),
    /// The list of all terms of a taxonomy (index into [`Site::taxonomies`]).
    TermIndex(usize),
    /// `/archive/`: years and months with counts.
    ArchiveIndex,
    /// `/404.html`.
    NotFound,
    /// A page that sends the browser to another site path (`/page/1/` -> `/`).
    Redirect(String),
    /// A feed.
    Feed(FeedPage),
    /// `/sitemap.xml`.
    Sitemap,
    /// `/robots.txt`.
    Robots,
}

/// One page of a paginated list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage {
    /// Which list.
    pub list: ListKind,
    /// Articles on this page, newest first.
    pub items: Vec<usize>,
    /// Where this page sits among the list's pages.
    pub paginator: Paginator,
    /// For date archives: the previous (older) period that has articles.
    pub older_period: Option<String>,
    /// For date archives: the next (newer) period that has articles.
    pub newer_period: Option<String>,
}

/// Which list a [`ListPage`] belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListKind {
    /// The home page digest.
    Home,
    /// A taxonomy term: indices into [`Site::taxonomies`] and its `terms`.
    Term {
        /// Taxonomy index.
        taxonomy: usize,
        /// Term index.
        term: usize,
    },
    /// A year archive.
    Year(i32),
    /// A month archive.
    Month(i32, u32),
    /// A day archive (the day's digest).
    Day(NaiveDate),
}

/// Pagination state for templates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paginator {
    /// 1-based number of this page.
    pub current: usize,
    /// Number of pages (at least 1).
    pub total: usize,
    /// Items per page.
    pub per_page: usize,
    /// Items in the whole list.
    pub total_items: usize,
    /// Site path of every page, in order (`pages[0]` is the list's own path).
    pub pages: Vec<String>,
}

impl Paginator {
    /// Site path of the previous page.
    pub fn previous(&self) -> Option<&str> {
        (self.current > 1).then(|| self.pages[self.current - 2].as_str())
    }

    /// Site path of the next page.
    pub fn next(&self) -> Option<&str> {
        self.pages.get(self.current).map(String::as_str)
    }
}

/// A feed page.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedPage {
    /// Atom, RSS or JSON Feed.
    pub format: FeedFormat,
    /// Feed title (site title, or `site — term`).
    pub title: String,
    /// Articles in the feed, newest first.
    pub items: Vec<usize>,
    /// Site path of the HTML page the feed mirrors.
    pub alternate: String,
}

/// Feed formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    /// Atom 1.0 (`atom.xml`).
    Atom,
    /// RSS 2.0 (`rss.xml`).
    Rss,
    /// JSON Feed 1.1 (`feed.json`).
    Json,
}

/// Builds the site model from loaded articles. Drafts and future articles are dropped here.
pub fn plan(articles: Vec<Article>, config: Config, options: &PlanOptions) -> Result<Site> {
    let _ = (articles, config, options);
    todo!("model")
}

impl Site {
    /// Feeds a page advertises with `<link rel="alternate">`: the term's own feeds on a term
    /// page, the site feeds everywhere (format, site path).
    pub fn feed_paths(&self, list: Option<&ListKind>) -> Vec<(FeedFormat, String)> {
        let mut feeds = Vec::new();
        if let Some(ListKind::Term { taxonomy, term }) = list
            && let Some(term) = self
                .taxonomies
                .get(*taxonomy)
                .and_then(|t| t.terms.get(*term))
        {
            feeds.extend(feed_files(&term.path));
        }
        feeds.extend(feed_files("/"));
        feeds
    }
}

/// The three feeds of a list whose HTML lives at `dir` (a site path ending in `/`).
pub fn feed_files(dir: &str) -> [(FeedFormat, String); 3] {
    [
        (FeedFormat::Atom, format!("{dir}atom.xml")),
        (FeedFormat::Rss, format!("{dir}rss.xml")),
        (FeedFormat::Json, format!("{dir}feed.json")),
    ]
}
