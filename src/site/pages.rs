//! The page plan: every article, paginated list, index, feed and utility page, with its site
//! path and the date of the newest article it shows.

use chrono::{DateTime, FixedOffset};

use crate::content::Article;
use crate::urls;

use super::{FeedPage, ListKind, ListPage, Page, PageKind, Paginator, Taxonomy, Year, feed_files};

/// Collects pages while the model is planned.
pub struct Planner<'a> {
    /// Articles, newest first.
    pub articles: &'a [Article],
    /// Pages so far.
    pub pages: Vec<Page>,
    /// Each article's newest date (published or updated), by index: every list page asks for
    /// its articles', and reading them from the articles themselves (a cache miss each) was a
    /// third of the page plan's samples in `perf` at 100,000 articles.
    newest: Vec<DateTime<FixedOffset>>,
}

impl<'a> Planner<'a> {
    /// An empty plan over `articles`, with room for the pages of its `taxonomies` and the
    /// archive of `years` paginated by `per_page` (see [`Planner::room`]).
    pub fn new(
        articles: &'a [Article],
        taxonomies: &[Taxonomy],
        years: &[Year],
        per_page: usize,
    ) -> Self {
        let newest: Vec<_> = articles
            .iter()
            .map(|a| a.updated.unwrap_or(a.date).max(a.date))
            .collect();
        Planner {
            articles,
            pages: Vec::with_capacity(Self::room(articles, taxonomies, years, per_page)),
            newest,
        }
    }

    /// At least as many pages as the plan makes. A page is 200 bytes: grown by doubling, the
    /// list of 140,000 pages of a 100,000-article site was copied over and over into fresh
    /// memory (56 MB touched for 28 MB kept); room not used is never touched.
    fn room(
        articles: &[Article],
        taxonomies: &[Taxonomy],
        years: &[Year],
        per_page: usize,
    ) -> usize {
        // A list's pages, its redirect from page one, and its feeds.
        let list = |items: usize, per_page: usize| items.div_ceil(per_page.max(1)) + 2 + 3;
        let aliases: usize = articles.iter().map(|a| a.aliases.len()).sum();
        let terms: usize = taxonomies
            .iter()
            .flat_map(|t| {
                t.terms
                    .iter()
                    .map(|term| list(term.articles.len(), t.paginate))
            })
            .sum();
        let periods: usize = years
            .iter()
            .map(|y| {
                list(y.articles.len(), per_page)
                    + y.months
                        .iter()
                        .map(|m| {
                            list(m.articles.len(), per_page)
                                + m.days
                                    .iter()
                                    .map(|d| list(d.articles.len(), per_page))
                                    .sum::<usize>()
                        })
                        .sum::<usize>()
            })
            .sum();
        // The home list, each taxonomy's index and the utility pages.
        let rest = list(articles.len(), per_page) + taxonomies.len() + 16;
        articles.len() + aliases + terms + periods + rest
    }

    /// The newest date of all the articles.
    fn newest_of_all(&self) -> Option<DateTime<FixedOffset>> {
        self.newest.iter().max().copied()
    }

    /// The newest date of the articles `items`.
    fn lastmod(&self, items: &[usize]) -> Option<DateTime<FixedOffset>> {
        items
            .iter()
            .filter_map(|&i| self.newest.get(i))
            .max()
            .copied()
    }

    fn push(&mut self, path: String, kind: PageKind, lastmod: Option<DateTime<FixedOffset>>) {
        let in_sitemap = !matches!(
            kind,
            PageKind::NotFound
                | PageKind::Search
                | PageKind::SearchIndex
                | PageKind::Redirect(_)
                | PageKind::Feed(_)
                | PageKind::Sitemap
                | PageKind::Robots
        );
        self.pages.push(Page {
            path,
            kind,
            lastmod,
            in_sitemap,
        });
    }

    /// One page per article, and a redirect to it at each of its old addresses (an alias equal
    /// to the article's own path is no old address).
    pub fn articles(&mut self) {
        for (i, article) in self.articles.iter().enumerate() {
            let lastmod = self.lastmod(&[i]);
            self.push(article.path.clone(), PageKind::Article(i), lastmod);
            for alias in article.aliases.iter().filter(|a| **a != article.path) {
                self.push(
                    alias.clone(),
                    PageKind::Redirect(article.path.clone()),
                    None,
                );
            }
        }
    }

    /// A paginated list at `dir` (a site path ending in `/`): page 1 at `dir`, page n at
    /// `dir/page/n/`, and `dir/page/1/` redirecting to `dir`. An empty list still gets page 1.
    pub fn list(
        &mut self,
        dir: &str,
        list: ListKind,
        items: &[usize],
        per_page: usize,
        periods: (Option<String>, Option<String>),
    ) {
        let per_page = per_page.max(1);
        let total = items.len().div_ceil(per_page).max(1);
        for n in 0..total {
            let chunk: Vec<usize> = items
                .iter()
                .skip(n * per_page)
                .take(per_page)
                .copied()
                .collect();
            let lastmod = self.lastmod(&chunk);
            let page = ListPage {
                list: list.clone(),
                items: chunk,
                paginator: Paginator {
                    current: n + 1,
                    total,
                    per_page,
                    total_items: items.len(),
                    base: dir.to_string(),
                },
                older_period: periods.0.clone(),
                newer_period: periods.1.clone(),
            };
            let path = page.paginator.path(n + 1);
            self.push(path, PageKind::List(page), lastmod);
        }
        self.push(
            crate::urls::list_page_one(dir),
            PageKind::Redirect(dir.to_string()),
            None,
        );
    }

    /// Atom, RSS and JSON feeds for a list at `dir`, holding its newest `limit` items.
    pub fn feeds(&mut self, dir: &str, title: &str, items: &[usize], limit: usize) {
        let items: Vec<usize> = items.iter().take(limit).copied().collect();
        let lastmod = self.lastmod(&items);
        for (format, path) in feed_files(dir) {
            let feed = FeedPage {
                format,
                title: title.to_string(),
                items: items.clone(),
                alternate: dir.to_string(),
            };
            self.push(path, PageKind::Feed(feed), lastmod);
        }
    }

    /// Term index, term lists and term feeds of a taxonomy.
    pub fn taxonomy(&mut self, t: usize, taxonomy: &Taxonomy, site_title: &str, feed_limit: usize) {
        let lastmod = taxonomy
            .terms
            .iter()
            .filter_map(|term| self.lastmod(&term.articles))
            .max();
        self.push(taxonomy.path.clone(), PageKind::TermIndex(t), lastmod);
        for (i, term) in taxonomy.terms.iter().enumerate() {
            let list = ListKind::Term {
                taxonomy: t,
                term: i,
            };
            self.list(
                &term.path,
                list,
                &term.articles,
                taxonomy.paginate,
                (None, None),
            );
            let title = format!("{site_title} — {}", term.name);
            self.feeds(&term.path, &title, &term.articles, feed_limit);
        }
    }

    /// Year, month and day pages (each linking the neighbouring periods) and `/archive/`.
    pub fn archives(&mut self, years: &[Year], per_page: usize) {
        let lastmod = self.newest_of_all();
        self.push(urls::ARCHIVE.into(), PageKind::ArchiveIndex, lastmod);

        let year_paths: Vec<String> = years.iter().map(|y| y.path.clone()).collect();
        let month_paths: Vec<String> = years
            .iter()
            .flat_map(|y| y.months.iter().map(|m| m.path.clone()))
            .collect();
        let day_paths: Vec<String> = years
            .iter()
            .flat_map(|y| {
                y.months
                    .iter()
                    .flat_map(|m| m.days.iter().map(|d| d.path.clone()))
            })
            .collect();
        let (mut mi, mut di) = (0, 0);
        for (yi, year) in years.iter().enumerate() {
            let kind = ListKind::Year(year.year);
            self.list(
                &year.path,
                kind,
                &year.articles,
                per_page,
                neighbours(&year_paths, yi),
            );
            for month in &year.months {
                let kind = ListKind::Month(year.year, month.month);
                let periods = neighbours(&month_paths, mi);
                self.list(&month.path, kind, &month.articles, per_page, periods);
                mi += 1;
                for day in &month.days {
                    let periods = neighbours(&day_paths, di);
                    self.list(
                        &day.path,
                        ListKind::Day(day.date),
                        &day.articles,
                        per_page,
                        periods,
                    );
                    di += 1;
                }
            }
        }
    }

    /// 404, search page and index, sitemap and robots.txt.
    pub fn utility(&mut self) {
        self.push(urls::NOT_FOUND.into(), PageKind::NotFound, None);
        let lastmod = self.newest_of_all();
        self.push(urls::SEARCH.into(), PageKind::Search, lastmod);
        self.push(urls::SEARCH_INDEX.into(), PageKind::SearchIndex, lastmod);
        self.push(urls::SITEMAP.into(), PageKind::Sitemap, lastmod);
        self.push(urls::ROBOTS.into(), PageKind::Robots, None);
    }
}

/// (older, newer) neighbours of period `i` in a newest-first list of period paths.
fn neighbours(paths: &[String], i: usize) -> (Option<String>, Option<String>) {
    let older = paths.get(i + 1).cloned();
    let newer = i.checked_sub(1).and_then(|j| paths.get(j)).cloned();
    (older, newer)
}
