//! Page contexts: which template each HTML page uses and the views it receives (`site`, `page`,
//! and the variables of its kind).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use super::articles::{self, Neighbours, article_view, rfc3339};
use super::cards::CardCache;
use super::lists;
use super::views::{
    FeedLink, MonthView, PageFeed, PageView, SiteView, TaxonomyLink, TaxonomyView, TermView,
    YearView, to_value,
};
use crate::feeds::FeedCache;
use crate::fingerprint::Fingerprint;
use crate::site::{FeedFormat, ListKind, Page, PageKind, Site};
use crate::urls::Urls;

/// What every page of one render shares: the model, links, and views built once.
pub struct Shared<'a> {
    /// The planned site.
    pub site: &'a Site,
    /// Link builder.
    pub urls: &'a Urls,
    /// Where pages take their cards from.
    pub cards: Cards,
    /// The tags cards show, made once.
    pub tags: super::articles::TagValues,
    /// Each article's feed HTML, made once for all the feeds that list it.
    pub feeds: FeedCache,
    /// Where the search index's postings are carried between builds.
    pub search: Option<Arc<crate::search::Memory>>,
    /// The `site` view.
    site_view: Value,
    /// Feed site path -> feed title, from the plan's feed pages.
    feed_titles: OnceLock<HashMap<&'a str, &'a str>>,
    /// Archive period site path -> its title (`2024`, `November 2024`, `27 November 2024`).
    period_titles: OnceLock<HashMap<&'a str, String>>,
    /// Fingerprints of the shared views, made on first use (see [`Prints`]).
    prints: OnceLock<Prints>,
}

/// Where the pages of one render take their cards from.
pub struct Cards {
    /// Built before the pages, by article index, and shared by every page that shows them
    /// (none for an article whose card no page shows, or that each page builds itself).
    pub built: Vec<Value>,
    /// When set, each page builds the cards `built` leaves out while it is rendered, and lets
    /// them go after it, their views' fingerprints told to this card cache for that time. A
    /// publish shows most cards on one page only (every home page moves by one): holding all
    /// of them at once took 460 MB of fresh memory at 100,000 articles, which the kernel took
    /// longer to hand over than the cards took to build.
    pub per_page: Option<Arc<CardCache>>,
    /// The key of each article's inputs (by index) when the page keys made it: what the cards
    /// made for the card cache are fingerprinted by.
    pub inputs: Vec<Option<u128>>,
}

/// The cards one page shows.
pub struct PageCards<'a> {
    /// Those the render built before its pages.
    built: &'a [Value],
    /// The page's own, by article index.
    own: Vec<(usize, Value)>,
    /// The cache told the fingerprints of `own`, which forgets them when the page is done.
    cache: Option<&'a CardCache>,
}

impl<'a> PageCards<'a> {
    /// Only cards the render built before its pages.
    pub fn built(built: &'a [Value]) -> PageCards<'a> {
        PageCards {
            built,
            own: Vec::new(),
            cache: None,
        }
    }

    /// The cards the render built, and `own` (by article index, in order) built for the page,
    /// whose fingerprints `cache` was told.
    pub fn with_own(
        built: &'a [Value],
        own: Vec<(usize, Value)>,
        cache: &'a CardCache,
    ) -> PageCards<'a> {
        PageCards {
            built,
            own,
            cache: Some(cache),
        }
    }

    /// The card of article `i`.
    pub fn get(&self, i: usize) -> Option<Value> {
        match self.own.binary_search_by_key(&i, |(j, _)| *j) {
            Ok(at) => self.own.get(at).map(|(_, card)| card.clone()),
            Err(_) => self.built.get(i).cloned(),
        }
    }
}

impl Drop for PageCards<'_> {
    fn drop(&mut self) {
        if let Some(cache) = self.cache {
            cache.forget(self.own.iter().map(|(_, card)| card));
        }
    }
}

/// Fingerprints of the views every page shares (the cards and `site`), by the address of their
/// map. A page's variables hold clones of these values, which share the map, so each card is
/// fingerprinted once per build instead of once per list that shows it. The addresses stay
/// valid while [`Shared`] owns the values, which outlive every page's variables.
#[derive(Debug, Default)]
pub struct Prints(HashMap<usize, u128>, u128);

impl Prints {
    fn get(&self, map: &tera::Map) -> Option<u128> {
        self.0.get(&(std::ptr::from_ref(map) as usize)).copied()
    }

    /// The fingerprint of the `site` view.
    pub fn site(&self) -> u128 {
        self.1
    }
}

impl<'a> Shared<'a> {
    /// Builds the views shared by every page.
    pub fn new(
        site: &'a Site,
        urls: &'a Urls,
        (cards, tags): (Cards, super::articles::TagValues),
    ) -> Result<Shared<'a>, String> {
        let archive_path = site
            .pages
            .iter()
            .find(|p| p.kind == PageKind::ArchiveIndex)
            .map_or(crate::urls::ARCHIVE, |p| p.path.as_str());
        let config = &site.config;
        let site_view = SiteView {
            title: config.title.clone(),
            description: config.description.clone(),
            language: config.language.clone(),
            author: config.author.clone(),
            base_url: urls.base_url().to_string(),
            url: urls.path("/"),
            feeds: crate::site::feed_files("/")
                .iter()
                .map(|(format, path)| FeedLink {
                    kind: feed_kind(*format),
                    mime: feed_mime(*format),
                    name: feed_label(*format),
                    url: urls.path(path),
                })
                .collect(),
            taxonomies: site
                .taxonomies
                .iter()
                .map(|t| TaxonomyLink {
                    name: t.name.clone(),
                    url: urls.path(&t.path),
                })
                .collect(),
            archive_url: urls.path(archive_path),
        };
        Ok(Shared {
            site,
            urls,
            cards,
            tags,
            feeds: FeedCache::new(site.articles.len()),
            search: None,
            site_view: to_value(&site_view)?,
            // Made on first use: keying a few pages (a save in `serve`) needs neither.
            feed_titles: OnceLock::new(),
            period_titles: OnceLock::new(),
            prints: OnceLock::new(),
        })
    }

    /// The `site` view.
    pub fn site_value(&self) -> Value {
        self.site_view.clone()
    }

    /// The title of the archive period at `path`, if it is one.
    pub fn period_title(&self, path: &str) -> Option<&str> {
        let titles = self.period_titles.get_or_init(|| {
            let mut titles = HashMap::new();
            for year in &self.site.years {
                titles.insert(year.path.as_str(), format!("{:04}", year.year));
                for month in &year.months {
                    titles.insert(month.path.as_str(), month_title(year.year, month.month));
                    for day in &month.days {
                        titles.insert(day.path.as_str(), day_title(day.date));
                    }
                }
            }
            titles
        });
        titles.get(path).map(String::as_str)
    }

    /// The plan's title of the feed at site path `path`, if it is planned.
    fn feed_title(&self, path: &str) -> Option<&'a str> {
        let titles = self.feed_titles.get_or_init(|| {
            self.site
                .pages
                .iter()
                .filter_map(|p| match &p.kind {
                    PageKind::Feed(feed) => Some((p.path.as_str(), feed.title.as_str())),
                    _ => None,
                })
                .collect()
        });
        titles.get(path).copied()
    }
}

fn feed_kind(format: FeedFormat) -> &'static str {
    match format {
        FeedFormat::Atom => "atom",
        FeedFormat::Rss => "rss",
        FeedFormat::Json => "json",
    }
}

fn feed_mime(format: FeedFormat) -> &'static str {
    match format {
        FeedFormat::Atom => "application/atom+xml",
        FeedFormat::Rss => "application/rss+xml",
        FeedFormat::Json => "application/feed+json",
    }
}

fn feed_label(format: FeedFormat) -> &'static str {
    match format {
        FeedFormat::Atom => "Atom",
        FeedFormat::Rss => "RSS",
        FeedFormat::Json => "JSON Feed",
    }
}

/// The template of an HTML page, or none for pages not rendered through templates.
pub fn template_for(kind: &PageKind) -> Option<&'static str> {
    match kind {
        PageKind::Article(_) => Some("article.html"),
        PageKind::List(list) => Some(match list.list {
            ListKind::Home => "index.html",
            ListKind::Term { .. } => "term.html",
            ListKind::Year(_) | ListKind::Month(..) | ListKind::Day(_) => "period.html",
        }),
        PageKind::TermIndex(_) => Some("terms.html"),
        PageKind::ArchiveIndex => Some("archive.html"),
        PageKind::NotFound => Some("404.html"),
        PageKind::Search => Some("search.html"),
        PageKind::Redirect(_)
        | PageKind::Feed(_)
        | PageKind::Sitemap
        | PageKind::Robots
        | PageKind::SearchIndex => None,
    }
}

/// A page's template variables, in the order they were set: rendered through a Tera
/// [`Context`], and fingerprinted as they are, so a build can tell that a page would come out
/// the same without rendering it.
#[derive(Debug, Default)]
pub struct Vars(Vec<(&'static str, Value)>);

impl Vars {
    /// Sets variable `name` (a later value replaces an earlier one).
    pub fn insert_value(&mut self, name: &'static str, value: Value) {
        self.0.retain(|(n, _)| *n != name);
        self.0.push((name, value));
    }

    /// Adds every variable, name and value, to `fingerprint`; values shared by every page are
    /// added as their fingerprint from `prints` (see [`Shared::prints`]).
    pub fn fingerprint(
        &self,
        fingerprint: &mut Fingerprint,
        prints: &Prints,
    ) -> Result<(), String> {
        for (name, value) in &self.0 {
            fingerprint.str(name);
            fingerprint_value(fingerprint, value, prints)?;
        }
        Ok(())
    }

    /// The Tera context holding these variables.
    pub fn into_context(self) -> Context {
        let mut ctx = Context::new();
        for (name, value) in self.0 {
            ctx.insert_value(name, value);
        }
        ctx
    }
}

/// The fingerprint of `value`, the same in every run ([`fingerprint_value`]).
pub(super) fn value_print(value: &Value) -> Result<u128, String> {
    let mut f = Fingerprint::new();
    fingerprint_value(&mut f, value, &Prints::default())?;
    Ok(f.finish())
}

/// Adds `value` to `f` the same way in every run: Tera's maps iterate in a random order, so
/// map entries go in sorted by key. Strings carry their "safe" mark (it changes escaping). A
/// map in `prints` goes in as its fingerprint.
fn fingerprint_value(f: &mut Fingerprint, value: &Value, prints: &Prints) -> Result<(), String> {
    if let Some(items) = value.as_array() {
        f.str("[").num(items.len() as u128);
        for item in items {
            fingerprint_value(f, item, prints)?;
        }
    } else if let Some(map) = value.as_map() {
        if let Some(print) = prints.get(map) {
            f.str("=").num(print);
            return Ok(());
        }
        let mut entries: Vec<_> = map.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        f.str("{").num(entries.len() as u128);
        for (key, value) in entries {
            match key.as_str() {
                Some(name) => f.str(name),
                None => f.json(key)?,
            };
            fingerprint_value(f, value, prints)?;
        }
    } else if let Some(text) = value.as_str() {
        f.str("s").num(u128::from(value.is_safe())).str(text);
    } else {
        f.num(u128::from(value.is_safe())).json(value)?;
    }
    Ok(())
}

impl Shared<'_> {
    /// The fingerprints of the cards and `site`, made (in parallel) on first use.
    pub fn prints(&self) -> &Prints {
        self.prints.get_or_init(|| {
            let none = Prints::default();
            let print = |value: &Value| {
                let map = value.as_map()?;
                let mut f = Fingerprint::new();
                fingerprint_value(&mut f, value, &none).ok()?;
                Some((std::ptr::from_ref(map) as usize, f.finish()))
            };
            let mut prints: HashMap<usize, u128> =
                self.cards.built.par_iter().filter_map(print).collect();
            let site = print(&self.site_view);
            prints.extend(site);
            Prints(prints, site.map_or(0, |(_, print)| print))
        })
    }
}

/// The full context of an HTML page. A list page's is made from its [`ListInputs`] (which
/// its key fingerprints), every other page's from the model directly.
pub fn context(shared: &Shared<'_>, page: &Page, cards: &PageCards<'_>) -> Result<Vars, String> {
    if let PageKind::List(list) = &page.kind {
        let inputs = lists::inputs(shared, page, list)?;
        return lists::vars(shared, page, &inputs, cards);
    }
    let site = shared.site;
    let urls = shared.urls;
    let mut ctx = Vars::default();
    ctx.insert_value("site", shared.site_view.clone());
    let (kind, title, description) = describe(site, page);
    let feeds = page_feeds(shared, None, &title)
        .into_iter()
        .map(|feed| feed.view(urls))
        .collect();
    // The article view is built first: its lead image is also the page's sharing image.
    let article = match &page.kind {
        PageKind::Article(i) => {
            let inputs = articles::inputs(site, *i)
                .ok_or_else(|| format!("the plan names article {i}, which does not exist"))?;
            let card = |j: &usize| cards.get(*j);
            let links = site.links.get(*i);
            let neighbours = Neighbours {
                newer: links.and_then(|l| l.newer.as_ref()).and_then(card),
                older: links.and_then(|l| l.older.as_ref()).and_then(card),
                related: links
                    .map(|l| l.related.iter().filter_map(card).collect())
                    .unwrap_or_default(),
            };
            Some(article_view(&inputs, &site.config, urls, neighbours)?)
        }
        _ => None,
    };
    let image = article.as_ref().and_then(|a| a.image_permalink.clone());
    let image_alt = article.as_ref().and_then(|a| a.image_alt.clone());
    let page_view = page_view(
        urls,
        page,
        (kind, title, description),
        feeds,
        (image, image_alt),
    );
    ctx.insert_value("page", to_value(&page_view)?);
    if let Some(view) = &article {
        ctx.insert_value("article", to_value(view)?);
    }

    match &page.kind {
        PageKind::TermIndex(t) => {
            let taxonomy = site
                .taxonomies
                .get(*t)
                .ok_or_else(|| format!("the plan names taxonomy {t}, which does not exist"))?;
            let view = TaxonomyView {
                name: taxonomy.name.clone(),
                url: urls.path(&taxonomy.path),
                terms: Some(
                    taxonomy
                        .terms
                        .iter()
                        .map(|term| TermView {
                            name: term.name.clone(),
                            slug: term.slug.clone(),
                            url: urls.path(&term.path),
                            count: term.articles.len(),
                        })
                        .collect(),
                ),
            };
            ctx.insert_value("taxonomy", to_value(&view)?);
        }
        PageKind::Search => {
            ctx.insert_value(
                "search_index_url",
                to_value(&urls.path(crate::urls::SEARCH_INDEX))?,
            );
        }
        PageKind::ArchiveIndex => {
            let years: Vec<YearView> = site
                .years
                .iter()
                .map(|y| YearView {
                    year: y.year,
                    url: urls.path(&y.path),
                    count: y.articles.len(),
                    months: y
                        .months
                        .iter()
                        .map(|m| MonthView {
                            month: m.month,
                            url: urls.path(&m.path),
                            count: m.articles.len(),
                            date: format!("{:04}-{:02}-01", y.year, m.month),
                        })
                        .collect(),
                })
                .collect();
            ctx.insert_value("years", to_value(&years)?);
        }
        _ => {}
    }
    Ok(ctx)
}

/// The `page` view of `page`: its kind, title and description ([`describe`]), feeds, and
/// sharing image with its alt text.
pub fn page_view(
    urls: &Urls,
    page: &Page,
    (kind, title, description): (&'static str, String, String),
    feeds: Vec<PageFeed>,
    (image, image_alt): (Option<String>, Option<String>),
) -> PageView {
    PageView {
        kind,
        title,
        description,
        url: urls.path(&page.path),
        permalink: urls.absolute(&page.path),
        feeds,
        lastmod: page.lastmod.as_ref().map(rfc3339),
        image,
        image_alt,
    }
}

/// One of the feeds a page advertises, before it becomes a [`PageFeed`].
#[derive(Debug, Serialize)]
pub struct Feed {
    /// Atom, RSS or JSON Feed.
    format: FeedFormat,
    /// Its site path.
    path: String,
    /// Its name, without the format.
    name: String,
}

impl Feed {
    /// `page.feeds[n]` for this feed.
    pub fn view(&self, urls: &Urls) -> PageFeed {
        PageFeed {
            kind: feed_kind(self.format),
            mime: feed_mime(self.format),
            title: format!("{} ({})", self.name, feed_label(self.format)),
            url: urls.path(&self.path),
        }
    }
}

/// The feeds a page advertises: a term's own (`list`), then the site's. `title` is the page's.
pub fn page_feeds(shared: &Shared<'_>, list: Option<&ListKind>, title: &str) -> Vec<Feed> {
    let site = shared.site;
    site.feed_paths(list)
        .into_iter()
        .map(|(format, path)| {
            // The plan's feed title when the feed is planned; else the site title, with the
            // page's own title for a term's feeds.
            let name = match shared.feed_title(&path) {
                Some(name) => name.to_string(),
                None if path.matches('/').count() > 1 => {
                    format!("{} — {title}", site.config.title)
                }
                None => site.config.title.clone(),
            };
            Feed { format, path, name }
        })
        .collect()
}

/// `page.kind`, `page.title` and `page.description` for a page. Every page gets a description
/// of its own (for search results and link previews), never an empty one.
pub fn describe(site: &Site, page: &Page) -> (&'static str, String, String) {
    let config = &site.config;
    let name = &config.title;
    let (kind, title, description) = match &page.kind {
        PageKind::Article(i) => match site.articles.get(*i) {
            Some(a) => ("article", a.title.clone(), a.summary.clone()),
            None => ("article", name.clone(), String::new()),
        },
        PageKind::List(list) => {
            let (kind, title, description) = match &list.list {
                ListKind::Home => ("home", name.clone(), String::new()),
                ListKind::Term { taxonomy, term } => {
                    let taxonomy = site.taxonomies.get(*taxonomy);
                    let term = taxonomy
                        .and_then(|t| t.terms.get(*term))
                        .map_or_else(String::new, |t| t.name.clone());
                    let description = match taxonomy.map(|t| t.name.as_str()) {
                        Some("tags") | None => format!("Articles tagged “{term}” in {name}."),
                        Some(other) => format!("Articles filed under {other} “{term}” in {name}."),
                    };
                    ("term", term, description)
                }
                ListKind::Year(y) => period(format!("{y:04}"), name),
                ListKind::Month(y, m) => period(month_title(*y, *m), name),
                ListKind::Day(d) => period(day_title(*d), name),
            };
            // Later pages get their number so every page has its own title.
            let title = match (list.paginator.current, &list.list) {
                (n, ListKind::Home) if n > 1 => format!("Page {n}"),
                (n, _) if n > 1 => format!("{title} — page {n}"),
                _ => title,
            };
            (kind, title, description)
        }
        PageKind::TermIndex(t) => {
            let taxonomy = site.taxonomies.get(*t).map_or("", |t| t.name.as_str());
            let description = format!("All {taxonomy} used in {name}, with their article counts.");
            ("terms", capitalise(taxonomy), description)
        }
        PageKind::ArchiveIndex => (
            "archive",
            "Archive".to_string(),
            format!("Every article of {name}, by year and month."),
        ),
        PageKind::Search => (
            "search",
            "Search".to_string(),
            format!("Search the articles of {name} by title, tag, summary and text."),
        ),
        _ => (
            "404",
            "Page not found".to_string(),
            format!("There is no page at this address on {name}."),
        ),
    };
    let description = [description.trim(), config.description.trim(), name.trim()]
        .into_iter()
        .find(|d| !d.is_empty())
        .unwrap_or_default()
        .to_string();
    (kind, title, description)
}

/// Kind, title and description of a date archive page.
fn period(title: String, site: &str) -> (&'static str, String, String) {
    let description = format!("Articles from {title} in {site}.");
    ("period", title, description)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `November 2024`.
fn month_title(year: i32, month: u32) -> String {
    match NaiveDate::from_ymd_opt(year, month, 1) {
        Some(date) => {
            let mut out = String::new();
            match write!(out, "{}", date.format("%B %Y")) {
                Ok(()) => out,
                Err(_) => format!("{year:04}-{month:02}"),
            }
        }
        None => format!("{year:04}-{month:02}"),
    }
}

/// `27 November 2024`.
fn day_title(date: NaiveDate) -> String {
    let mut out = String::new();
    match write!(out, "{}", date.format("%-d %B %Y")) {
        Ok(()) => out,
        Err(_) => date.to_string(),
    }
}
