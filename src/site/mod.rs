//! The model: published articles sorted newest first, taxonomies, date archives, pagination and
//! links, and the full plan of pages to produce. Pure: no file or template access.

mod archive;
mod pages;
mod plan;
mod related;
mod replan;
mod taxonomy;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use crate::config::Config;
use crate::content::Article;
use crate::error::Diagnostic;

pub use archive::day_path;
pub use plan::plan;
pub use replan::{Previous, Related, plan_carrying, replan};
pub use taxonomy::{field_values, term_key};

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
    /// `/search/`: the search page (its script reads the search index).
    Search,
    /// `/search-index.json`: every article's words, for the search page.
    SearchIndex,
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Paginator {
    /// 1-based number of this page.
    pub current: usize,
    /// Number of pages (at least 1).
    pub total: usize,
    /// Items per page.
    pub per_page: usize,
    /// Items in the whole list.
    pub total_items: usize,
    /// Site path of page 1: the list's own path (ends in `/`).
    pub base: String,
}

impl Paginator {
    /// Site path of page `n` (1-based): the list's path for page 1, `page/n/` under it after.
    /// Computed, not stored: a list of 5,000 pages would otherwise carry 5,000 paths on each page.
    pub fn path(&self, n: usize) -> String {
        crate::urls::list_page(&self.base, n)
    }

    /// Site path of the previous page.
    pub fn previous(&self) -> Option<String> {
        (self.current > 1).then(|| self.path(self.current - 1))
    }

    /// Site path of the next page.
    pub fn next(&self) -> Option<String> {
        (self.current < self.total).then(|| self.path(self.current + 1))
    }

    /// Page numbers worth linking from this page: the first, the last, and two on each side of
    /// the current one (so a long list costs the same per page as a short one).
    pub fn window(&self) -> Vec<usize> {
        let low = self.current.saturating_sub(2).max(1);
        let high = (self.current + 2).min(self.total);
        let mut numbers = vec![1];
        numbers.extend(low.max(2)..=high);
        if self.total > 1 && numbers.last() != Some(&self.total) {
            numbers.push(self.total);
        }
        numbers
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum FeedFormat {
    /// Atom 1.0 (`atom.xml`).
    Atom,
    /// RSS 2.0 (`rss.xml`).
    Rss,
    /// JSON Feed 1.1 (`feed.json`).
    Json,
}

impl Site {
    /// Who an article is by: its own authors, else the site's `author`, else nobody. Pages,
    /// JSON-LD and feeds all ask here.
    pub fn bylines<'a>(&'a self, article: &'a Article) -> &'a [String] {
        bylines(&self.config, article)
    }

    /// Front-matter keys of the published articles that no Gazette field or taxonomy reads,
    /// with how many articles carry each, most common first: templates may still read them
    /// (`article.extra.<key>`), but after a move from another generator most are leftovers
    /// (`layout`, `comments`) worth knowing about.
    pub fn extra_keys(&self) -> Vec<(String, usize)> {
        let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for article in &self.articles {
            for key in article.extra.keys() {
                *counts.entry(key.as_str()).or_default() += 1;
            }
        }
        let read_by_taxonomy = |key: &str| self.config.taxonomies.iter().any(|t| t.field == key);
        let mut keys: Vec<(String, usize)> = counts
            .into_iter()
            .filter(|(key, _)| !read_by_taxonomy(key))
            .map(|(key, n)| (key.to_string(), n))
            .collect();
        keys.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        keys
    }

    /// [`Site::extra_keys`] as one line for people, or `None` when there are none.
    pub fn extra_keys_note(&self) -> Option<String> {
        let keys = self.extra_keys();
        if keys.is_empty() {
            return None;
        }
        let listed: Vec<String> = keys
            .iter()
            .map(|(key, n)| format!("{key} ({})", crate::counted(*n, "article")))
            .collect();
        Some(format!(
            "front-matter keys that are no Gazette field, kept for templates as \
             article.extra.<key>: {}",
            listed.join(", ")
        ))
    }

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

/// A mask of `len` flags (by article or page index) with those at `indices` set.
pub fn marked(len: usize, indices: &[usize]) -> Vec<bool> {
    let mut mask = vec![false; len];
    for &i in indices {
        if let Some(m) = mask.get_mut(i) {
            *m = true;
        }
    }
    mask
}

/// The names an article is credited to: its own authors, else the site's author
/// ([`Site::bylines`]).
pub fn bylines<'a>(config: &'a Config, article: &'a Article) -> &'a [String] {
    if article.authors.is_empty() {
        config.author.as_slice()
    } else {
        &article.authors
    }
}

/// The three feeds of a list whose HTML lives at `dir` (a site path ending in `/`).
pub fn feed_files(dir: &str) -> [(FeedFormat, String); 3] {
    let [atom, rss, json] = crate::urls::feeds_of(dir);
    [
        (FeedFormat::Atom, atom),
        (FeedFormat::Rss, rss),
        (FeedFormat::Json, json),
    ]
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal article for model tests: `name` is its title and slug.
    pub fn article(name: &str, date: &str, tags: &[&str]) -> Article {
        Article {
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..Article::sample(name, name, date)
        }
    }

    fn options() -> PlanOptions {
        PlanOptions {
            drafts: false,
            now: DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        }
    }

    fn config(paginate: usize) -> Config {
        Config {
            paginate,
            ..Config::default()
        }
    }

    fn paths(site: &Site) -> Vec<&str> {
        site.pages.iter().map(|p| p.path.as_str()).collect()
    }

    #[test]
    fn articles_go_newest_first_then_by_title_then_by_file() {
        // The same title and time as `b`, from a file that sorts first.
        let twin = Article::sample("b", "b-twin", "2024-11-27T10:00:00Z");
        let articles = vec![
            article("old", "2024-11-20T10:00:00Z", &[]),
            article("b", "2024-11-27T10:00:00Z", &[]),
            article("a", "2024-11-27T10:00:00Z", &[]),
            article("new", "2024-11-28T10:00:00Z", &[]),
            twin,
        ];
        let site = plan(articles, config(20), &options()).unwrap();
        let order: Vec<(&str, String)> = site
            .articles
            .iter()
            .map(|a| (a.title.as_str(), a.file.display().to_string()))
            .collect();
        assert_eq!(
            order,
            [
                ("new", "content/new.md".to_string()),
                ("a", "content/a.md".to_string()),
                ("b", "content/b-twin.md".to_string()),
                ("b", "content/b.md".to_string()),
                ("old", "content/old.md".to_string()),
            ]
        );
    }

    #[test]
    fn drafts_and_future_articles_are_left_out() {
        let mut draft = article("draft", "2024-11-27T10:00:00Z", &[]);
        draft.draft = true;
        let future = article("future", "2026-01-01T10:00:00Z", &[]);
        let ok = article("ok", "2024-11-27T10:00:00Z", &[]);
        let site = plan(
            vec![draft.clone(), future, ok.clone()],
            config(20),
            &options(),
        )
        .unwrap();
        assert_eq!(site.articles.len(), 1);
        assert_eq!(site.warnings.len(), 1);
        assert!(site.warnings[0].message.contains("future"));
        let with_drafts = PlanOptions {
            drafts: true,
            ..options()
        };
        let site = plan(vec![draft, ok], config(20), &with_drafts).unwrap();
        assert_eq!(site.articles.len(), 2);
    }

    #[test]
    fn a_caption_without_an_image_is_warned_about() {
        let mut orphan = article("orphan", "2024-11-27T10:00:00Z", &[]);
        orphan.image_caption = Some("Handout".into());
        let mut pictured = article("pictured", "2024-11-27T11:00:00Z", &[]);
        pictured.image_caption = Some("Handout".into());
        pictured.image = Some("photo.jpg".into());
        let site = plan(vec![orphan.clone(), pictured], config(20), &options()).unwrap();
        let warnings: Vec<String> = site.warnings.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            warnings,
            [format!(
                "{}: has `image_caption` but no `image`, so the caption is not shown; add the \
                 `image:` it describes, or remove the caption",
                orphan.file.display()
            )]
        );
    }

    #[test]
    fn home_is_paginated_newest_first_with_redirect() {
        let articles: Vec<Article> = (1..=5)
            .map(|d| article(&format!("a{d}"), &format!("2024-11-0{d}T10:00:00Z"), &["x"]))
            .collect();
        let site = plan(articles, config(2), &options()).unwrap();
        let titles: Vec<&str> = site.articles.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, vec!["a5", "a4", "a3", "a2", "a1"]);
        let homes: Vec<(&str, Vec<usize>, usize)> = site
            .pages
            .iter()
            .filter_map(|p| match &p.kind {
                PageKind::List(l) if l.list == ListKind::Home => {
                    Some((p.path.as_str(), l.items.clone(), l.paginator.current))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            homes,
            vec![
                ("/", vec![0, 1], 1),
                ("/page/2/", vec![2, 3], 2),
                ("/page/3/", vec![4], 3)
            ]
        );
        let redirect = site.pages.iter().find(|p| p.path == "/page/1/").unwrap();
        assert_eq!(redirect.kind, PageKind::Redirect("/".into()));
        assert!(!redirect.in_sitemap);
    }

    #[test]
    fn paginator_window_links_first_last_and_neighbours() {
        let p = |current, total| Paginator {
            current,
            total,
            per_page: 10,
            total_items: total * 10,
            base: "/tags/x/".into(),
        };
        assert_eq!(p(1, 1).window(), vec![1]);
        assert_eq!(p(1, 3).window(), vec![1, 2, 3]);
        assert_eq!(p(50, 500).window(), vec![1, 48, 49, 50, 51, 52, 500]);
        assert_eq!(p(500, 500).window(), vec![1, 498, 499, 500]);
        assert_eq!(p(2, 500).window(), vec![1, 2, 3, 4, 500]);
        assert_eq!(p(2, 500).path(1), "/tags/x/");
        assert_eq!(p(2, 500).path(3), "/tags/x/page/3/");
        assert_eq!(p(2, 500).previous().as_deref(), Some("/tags/x/"));
        assert_eq!(p(500, 500).next(), None);
    }

    #[test]
    fn plan_has_every_kind_of_page() {
        let articles = vec![
            article("a", "2024-11-27T10:00:00Z", &["PTI"]),
            article("b", "2024-11-26T10:00:00Z", &["pti", "Lahore"]),
        ];
        let site = plan(articles, config(20), &options()).unwrap();
        let all = paths(&site);
        for expected in [
            "/2024/11/27/a/",
            "/",
            "/atom.xml",
            "/rss.xml",
            "/feed.json",
            "/tags/",
            "/tags/pti/",
            "/tags/pti/page/1/",
            "/tags/pti/atom.xml",
            "/tags/lahore/",
            "/archive/",
            "/2024/",
            "/2024/11/",
            "/2024/11/27/",
            "/2024/11/26/",
            "/404.html",
            "/search/",
            "/search-index.json",
            "/sitemap.xml",
            "/robots.txt",
        ] {
            assert!(all.contains(&expected), "missing {expected} in {all:?}");
        }
        let day = site
            .pages
            .iter()
            .find(|p| p.path == "/2024/11/26/")
            .unwrap();
        match &day.kind {
            PageKind::List(l) => {
                assert_eq!(l.newer_period.as_deref(), Some("/2024/11/27/"));
                assert_eq!(l.older_period, None);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(site.links[0].older, Some(1));
        assert_eq!(site.links[1].newer, Some(0));
        assert_eq!(site.links[1].day_path, "/2024/11/26/");
        assert_eq!(site.links[0].related, vec![1]);
    }

    #[test]
    fn same_url_is_an_error_naming_both_files() {
        let a = article("x", "2024-11-27T10:00:00Z", &[]);
        let mut b = article("y", "2024-11-27T11:00:00Z", &[]);
        b.path = "/2024/11/27/X/".into();
        let err = plan(vec![a, b], config(20), &options())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("content/x.md") && err.contains("content/y.md"),
            "{err}"
        );
    }

    #[test]
    fn article_taking_a_generated_url_is_an_error() {
        let mut a = article("tags", "2024-11-27T10:00:00Z", &["x"]);
        a.path = "/tags/".into();
        let err = plan(vec![a], config(20), &options())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("content/tags.md: URL /tags/"), "{err}");
    }
}
