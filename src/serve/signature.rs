//! Page signatures: one hash of everything a page shows, computed from the pure model, so an
//! incremental rebuild renders only the pages whose signature changed since the last write.
//!
//! A signature never uses article indices (they shift when an article is added); it uses the
//! *display hash* of each article shown instead: the article's content hash plus the terms and
//! day archive its card links to.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::ffi::OsString;
use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};

use rayon::prelude::*;

use crate::content::Article;
use crate::site::{FeedFormat, ListKind, Page, PageKind, Site, Term};

/// Feeds `fmt::Write` output straight into a hasher, so hashing an article's `Debug` form
/// allocates nothing.
struct HashWriter<'a>(&'a mut DefaultHasher);

impl fmt::Write for HashWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

/// A hash of every field of `article`. Its `Debug` form is used on purpose: a field added to
/// [`Article`] later is covered without touching this module.
pub fn content_hash(article: &Article) -> u64 {
    let mut hasher = DefaultHasher::new();
    // Writing into a hasher cannot fail.
    let _ = write!(HashWriter(&mut hasher), "{article:?}");
    hasher.finish()
}

/// For each article of `site` (same index), its [`display_hash`]: in parallel, each term
/// hashed once (hashing every article's term names, slugs and paths took milliseconds).
pub fn display_hashes(site: &Site, content: &HashMap<OsString, u64>) -> Vec<u64> {
    let terms: Vec<Vec<u64>> = site
        .taxonomies
        .iter()
        .map(|t| t.terms.iter().map(term_hash).collect())
        .collect();
    let term = |t: usize, k: usize| terms.get(t).and_then(|hashes| hashes.get(k)).copied();
    (0..site.articles.len())
        .into_par_iter()
        .map(|i| display_hash_with(site, i, content, &term))
        .collect()
}

/// The hash of what any page shows of article `i`: its content, and the terms and day archive
/// its card links to. `content` maps an article's file to its [`content_hash`]; a missing entry
/// is hashed on the spot.
pub fn display_hash(site: &Site, i: usize, content: &HashMap<OsString, u64>) -> u64 {
    let term = |t: usize, k: usize| {
        let term = site.taxonomies.get(t)?.terms.get(k)?;
        Some(term_hash(term))
    };
    display_hash_with(site, i, content, &term)
}

/// What a card shows of a term.
fn term_hash(term: &Term) -> u64 {
    let mut h = DefaultHasher::new();
    (&term.name, &term.slug, &term.path).hash(&mut h);
    h.finish()
}

/// [`display_hash`], with `term(t, k)` the [`term_hash`] of term `k` of taxonomy `t`.
fn display_hash_with(
    site: &Site,
    i: usize,
    content: &HashMap<OsString, u64>,
    term: &dyn Fn(usize, usize) -> Option<u64>,
) -> u64 {
    let mut h = DefaultHasher::new();
    if let Some(article) = site.articles.get(i) {
        match content.get(article.file.as_os_str()) {
            Some(hash) => hash.hash(&mut h),
            None => content_hash(article).hash(&mut h),
        }
    }
    if let Some(links) = site.links.get(i) {
        links.day_path.hash(&mut h);
        for (t, terms) in links.terms.iter().enumerate() {
            for hash in terms.iter().filter_map(|&k| term(t, k)) {
                hash.hash(&mut h);
            }
            0xfeu8.hash(&mut h);
        }
    }
    h.finish()
}

/// The hash of the part of the model every sitemap shows: each sitemap page's path and date.
/// Computed only when a sitemap is to be signed (a [deferred](super::diff::deferred) page).
pub fn sitemap_hash(site: &Site) -> u64 {
    let mut h = DefaultHasher::new();
    for page in site.pages.iter().filter(|p| p.in_sitemap) {
        (&page.path, &page.lastmod).hash(&mut h);
    }
    h.finish()
}

/// The signature of `page`: equal signatures mean equal bytes, as long as the configuration and
/// the theme are the same. `display` gives an article's [`display_hash`] by index, `sitemap` is
/// the [`sitemap_hash`].
pub fn page_signature(
    site: &Site,
    page: &Page,
    display: &dyn Fn(usize) -> u64,
    sitemap: u64,
) -> u64 {
    let mut h = DefaultHasher::new();
    (&page.path, &page.lastmod, page.in_sitemap).hash(&mut h);
    let shown = |i: usize, h: &mut DefaultHasher| display(i).hash(h);
    match &page.kind {
        PageKind::Article(i) => {
            1u8.hash(&mut h);
            shown(*i, &mut h);
            if let Some(links) = site.links.get(*i) {
                // Neighbours and related articles appear as cards on the page.
                for j in links.newer.iter().chain(&links.older) {
                    shown(*j, &mut h);
                }
                0xfeu8.hash(&mut h);
                for j in &links.related {
                    shown(*j, &mut h);
                }
            }
        }
        PageKind::List(list) => {
            2u8.hash(&mut h);
            match &list.list {
                ListKind::Term { taxonomy, term } => {
                    let tax = site.taxonomies.get(*taxonomy);
                    let term = tax.and_then(|t| t.terms.get(*term));
                    tax.map(|t| (&t.name, &t.path)).hash(&mut h);
                    term.map(|t| (&t.name, &t.slug, &t.path, t.articles.len()))
                        .hash(&mut h);
                }
                // Hashed by hand: a `Debug` string per page cost an allocation each.
                ListKind::Home => 0u8.hash(&mut h),
                ListKind::Year(y) => (1u8, y).hash(&mut h),
                ListKind::Month(y, m) => (2u8, y, m).hash(&mut h),
                ListKind::Day(d) => (3u8, d).hash(&mut h),
            }
            for j in &list.items {
                shown(*j, &mut h);
            }
            // The page links (a window around the current page, the first and the last) are
            // computed from these; `path(n)` from the base.
            let p = &list.paginator;
            (p.current, p.total, p.per_page, p.total_items, &p.base).hash(&mut h);
            (&list.older_period, &list.newer_period).hash(&mut h);
        }
        PageKind::TermIndex(t) => {
            3u8.hash(&mut h);
            if let Some(tax) = site.taxonomies.get(*t) {
                (&tax.name, &tax.path).hash(&mut h);
                for term in &tax.terms {
                    (&term.name, &term.slug, &term.path, term.articles.len()).hash(&mut h);
                }
            }
        }
        PageKind::ArchiveIndex => {
            4u8.hash(&mut h);
            for year in &site.years {
                (year.year, &year.path, year.articles.len()).hash(&mut h);
                for month in &year.months {
                    (month.month, &month.path, month.articles.len()).hash(&mut h);
                }
            }
        }
        PageKind::Feed(feed) => {
            5u8.hash(&mut h);
            let format = match feed.format {
                FeedFormat::Atom => 0u8,
                FeedFormat::Rss => 1,
                FeedFormat::Json => 2,
            };
            (format, &feed.title, &feed.alternate).hash(&mut h);
            for j in &feed.items {
                shown(*j, &mut h);
            }
            if feed.items.is_empty() {
                // An empty feed takes its date from the newest article of the whole site.
                site.articles
                    .iter()
                    .map(|a| a.updated.unwrap_or(a.date))
                    .max()
                    .hash(&mut h);
            }
        }
        PageKind::Sitemap => (6u8, sitemap).hash(&mut h),
        PageKind::Redirect(to) => (7u8, to).hash(&mut h),
        PageKind::NotFound => 8u8.hash(&mut h),
        PageKind::Robots => 9u8.hash(&mut h),
        // The search page shows the site's settings only; the index shows every article (in
        // order) and numbers the tags.
        PageKind::Search => 10u8.hash(&mut h),
        PageKind::SearchIndex => {
            11u8.hash(&mut h);
            if let Some(tags) = site.taxonomies.first() {
                for term in &tags.terms {
                    (&term.name, &term.path).hash(&mut h);
                }
            }
            0xfeu8.hash(&mut h);
            for i in 0..site.articles.len() {
                shown(i, &mut h);
            }
        }
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::site::{PlanOptions, plan};
    use chrono::Utc;

    fn article(name: &str, date: &str, tags: &[&str], body: &str) -> Article {
        Article {
            body_html: body.to_string(),
            ..crate::site::tests::article(name, date, tags)
        }
    }

    fn signatures(articles: Vec<Article>) -> HashMap<String, u64> {
        let options = PlanOptions {
            drafts: false,
            now: Utc::now(),
        };
        let config = Config {
            paginate: 2,
            ..Config::default()
        };
        let site = plan(articles, config, &options).unwrap();
        let display = display_hashes(&site, &HashMap::new());
        let sitemap = sitemap_hash(&site);
        site.pages
            .iter()
            .map(|p| {
                let shown = |i: usize| display.get(i).copied().unwrap_or_default();
                (p.path.clone(), page_signature(&site, p, &shown, sitemap))
            })
            .collect()
    }

    fn changed(before: &HashMap<String, u64>, after: &HashMap<String, u64>) -> Vec<String> {
        let mut paths: Vec<String> = after
            .iter()
            .filter(|(path, sig)| before.get(*path) != Some(*sig))
            .map(|(path, _)| path.clone())
            .collect();
        paths.sort();
        paths
    }

    fn site(body_of_b: &str) -> Vec<Article> {
        vec![
            article("a", "2024-01-01T10:00:00Z", &["x"], "A"),
            article("b", "2024-01-02T10:00:00Z", &["y"], body_of_b),
            article("c", "2024-01-03T10:00:00Z", &["x"], "C"),
            article("d", "2024-01-04T10:00:00Z", &["x"], "D"),
        ]
    }

    #[test]
    fn same_model_same_signatures() {
        assert_eq!(signatures(site("B")), signatures(site("B")));
    }

    #[test]
    fn a_body_edit_touches_exactly_the_pages_that_show_the_article() {
        let before = signatures(site("B"));
        let after = signatures(site("B, edited"));
        // Newest first, two per page: d c | b a. b is shown on its own page, by its neighbours
        // a and c, on the second page of home, year and month, on its day, its tag, the feeds and
        // the search index.
        assert_eq!(
            changed(&before, &after),
            [
                "/2024/01/01/a/",
                "/2024/01/02/",
                "/2024/01/02/b/",
                "/2024/01/03/c/",
                "/2024/01/page/2/",
                "/2024/page/2/",
                "/atom.xml",
                "/feed.json",
                "/page/2/",
                "/rss.xml",
                "/search-index.json",
                "/tags/y/",
                "/tags/y/atom.xml",
                "/tags/y/feed.json",
                "/tags/y/rss.xml",
            ]
        );
    }

    #[test]
    fn content_hash_sees_every_field() {
        let a = article("a", "2024-01-01T10:00:00Z", &[], "A");
        let mut b = a.clone();
        b.extra.insert("mood".into(), serde_json::json!("grim"));
        assert_ne!(content_hash(&a), content_hash(&b));
        assert_eq!(content_hash(&a), content_hash(&a.clone()));
    }
}
