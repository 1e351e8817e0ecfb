//! The only place that knows Tera: load the theme (with site overrides), register Gazette's
//! filters and functions, build each page's context from small views, and render every page of the
//! plan into an [`OutputFile`].

mod articles;
mod cards;
mod functions;
mod keys;
mod lists;
mod pages;
mod redirect;
mod theme;
mod unclosed;
pub mod views;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use tera::Value;

use crate::error::{Diagnostic, Error, Result};
use crate::fingerprint::Fingerprint;
use crate::output::{Contents, OutputFile};
use crate::site::{Page, PageKind, Site};
use crate::urls::Urls;

pub use cards::{CardBytes, CardCache, Earlier, KeptCards};
pub use keys::{Known, article_print, touched_by};
use theme::Renderer;
pub use theme::{REQUIRED, Theme};

/// Renders every page of the plan (HTML through templates, feeds and sitemap through
/// [`crate::feeds`]), in parallel. On failure, the error of the first failing page in plan order.
pub fn render_site(site: &Site, theme: &Theme, urls: &Urls) -> Result<Vec<OutputFile>> {
    render_site_with(site, theme, urls, &|| {})
}

/// [`render_site`], calling `tick` once per page rendered (from worker threads), for progress.
pub fn render_site_with(
    site: &Site,
    theme: &Theme,
    urls: &Urls,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<OutputFile>> {
    let renderer = theme.renderer();
    let shared = shared(site, urls, (&|_| true, None), Vec::new())?;
    let rendered: Vec<Result<OutputFile>> = site
        .pages
        .par_iter()
        .filter_map(|page| {
            let file = publishes(theme, page).then(|| render_page(&shared, &renderer, page));
            // Skipped pages tick too, so progress reaches the plan's page count.
            tick();
            file
        })
        .collect();
    rendered.into_iter().collect()
}

/// False for a page the theme chose not to have: the search page is optional, and a theme
/// without `search.html` publishes only the search index.
fn publishes(theme: &Theme, page: &Page) -> bool {
    page.kind != PageKind::Search || theme.has_template("search.html")
}

/// Renders every page of the plan in parallel and hands each file to `sink` as soon as it is
/// rendered (from worker threads), so no more than a few pages are held at once. Returns how
/// many files went to `sink`. Pages the theme does not publish (see [`render_site`]) are
/// skipped.
///
/// Errors are reported as by [`render_site`]: the render error of the first failing page in
/// plan order, else the first error `sink` returned. After any error no more files go to
/// `sink` (pages are still rendered, so the reported error does not depend on timing).
pub fn render_site_into(
    site: &Site,
    theme: &Theme,
    urls: &Urls,
    sink: &(dyn Fn(OutputFile) -> Result<()> + Sync),
) -> Result<usize> {
    let keyed = render_site_keyed(site, theme, urls, None, &|_, file, _| sink(file))?;
    Ok(keyed.sent)
}

/// What a keyed render knows of the output already there.
pub struct Keying<'a> {
    /// Mixed into every page's key: what every page depends on (the theme, the settings).
    pub salt: u128,
    /// True when the file of page `index` made from `key` is already in the output as it
    /// would be rendered: that page is not rendered.
    pub current: &'a (dyn Fn(usize, u128) -> bool + Sync),
    /// Article prints the caller already has (from the build cache's log).
    pub known: Option<&'a Known<'a>>,
    /// Where cards are kept (and an earlier build's offered), for the caller to save.
    pub cards: Option<&'a Arc<CardCache>>,
    /// Where the search index's postings are carried between builds, for the caller to save.
    pub search: Option<&'a Arc<crate::search::Memory>>,
}

/// What [`render_site_keyed`] did.
#[derive(Debug, Default)]
pub struct KeyedRender {
    /// Files that went to the sink.
    pub sent: usize,
    /// Each page's key (by plan index), `None` for pages the theme does not publish or when
    /// the render had no [`Keying`].
    pub keys: Vec<Option<u128>>,
}

/// The key of each page of the plan that `which` (by plan index) says yes to: a fingerprint of
/// everything the page is made from (for article and list pages the inputs their variables are
/// made from, for other template pages their variables, for a feed, the sitemap or the search
/// index the model data it is written from), with `salt` and article prints from `known`.
/// Building a key needs no card and no view of an article, so keying every page of a
/// 10,000-article site takes tens of milliseconds. `None` for pages left out or that the theme
/// does not publish.
pub fn page_keys(
    site: &Site,
    theme: &Theme,
    urls: &Urls,
    (salt, known): (u128, Option<&Known<'_>>),
    which: &(dyn Fn(usize) -> bool + Sync),
) -> Result<Vec<Option<u128>>> {
    keys_and_inputs(site, theme, urls, (salt, known), which).map(|(keys, _)| keys)
}

/// Keys by index, none where there is no key (of pages by plan index, of articles' inputs by
/// article index).
type Keys = Vec<Option<u128>>;

/// [`page_keys`], with the key of each article's inputs the page keys made (by article index;
/// none for an article no keyed page needed).
fn keys_and_inputs(
    site: &Site,
    theme: &Theme,
    urls: &Urls,
    (salt, known): (u128, Option<&Known<'_>>),
    which: &(dyn Fn(usize) -> bool + Sync),
) -> Result<(Keys, Keys)> {
    let renderer = theme.renderer();
    let model = keys::ModelKeys::new(site, salt, known);
    let bare = shared(site, urls, (&|_| false, None), Vec::new())?;
    let keyed: Vec<Result<Option<u128>>> = (0..site.pages.len())
        .into_par_iter()
        .map(|i| {
            let Some(page) = site
                .pages
                .get(i)
                .filter(|p| which(i) && publishes(theme, p))
            else {
                return Ok(None);
            };
            let decide = |basis: Basis<'_>| -> Result<(Option<u128>, bool)> {
                let key =
                    model
                        .key(page, basis, bare.prints())
                        .map_err(|message| Error::Render {
                            template: "(page key)".into(),
                            page: page.path.clone(),
                            message,
                        })?;
                // Stop before rendering: this only makes keys.
                Ok((Some(key), true))
            };
            let (_, key) = render_page_keyed(&bare, &renderer, page, &decide)?;
            Ok(key)
        })
        .collect();
    let keys = keyed.into_iter().collect::<Result<_>>()?;
    Ok((keys, model.made()))
}

/// [`render_site_into`] that can leave pages out: with `keying`, each page's key (see
/// [`page_keys`]) is made first, and a page whose key [`Keying::current`] accepts is not
/// rendered. `sink` gets the page's plan index and key.
pub fn render_site_keyed(
    site: &Site,
    theme: &Theme,
    urls: &Urls,
    keying: Option<&Keying<'_>>,
    sink: &(dyn Fn(usize, OutputFile, Option<u128>) -> Result<()> + Sync),
) -> Result<KeyedRender> {
    let renderer = match keying.and_then(|k| k.cards) {
        Some(cards) => theme.renderer_with(Arc::clone(cards)),
        None => theme.renderer(),
    };
    // First every page's key, which needs no card; then the pages whose key the output does not
    // hold are rendered, with only the cards they show. A build with nothing to render builds
    // no card.
    let (keys, inputs, todo): (Keys, Keys, Vec<usize>) = match keying {
        Some(keying) => {
            let (keys, inputs) =
                keys_and_inputs(site, theme, urls, (keying.salt, keying.known), &|_| true)?;
            let todo = keys
                .par_iter()
                .enumerate()
                .filter_map(|(i, key)| match key {
                    Some(key) if (keying.current)(i, *key) => None,
                    Some(_) => Some(i),
                    None => None,
                })
                .collect();
            (keys, inputs, todo)
        }
        None => (
            vec![None; site.pages.len()],
            Vec::new(),
            (0..site.pages.len()).collect(),
        ),
    };
    // A render that keys its cards by view (and keeps them for the next build) builds first
    // only the cards three or more of its pages show (every card, after a template change: home,
    // tag, year, month and day pages show each); each page builds the others itself and lets
    // them go when it is done (most cards of a publish, which moves every home page by one).
    let per_page = keying
        .and_then(|k| k.cards)
        .filter(|cards| cards.makes_keys());
    let least = if per_page.is_some() { 3 } else { 1 };
    let shown = cards_shown(site, &todo);
    let wanted = |i: usize| shown.get(i).is_some_and(|n| *n >= least);
    let mut shared = shared(site, urls, (&wanted, Some(renderer.cards())), inputs)?;
    shared.cards.per_page = per_page.cloned();
    shared.search = keying.and_then(|k| k.search).cloned();
    let keys = &keys;
    let failed = AtomicBool::new(false);
    let render = |indices: &[usize], shared: &pages::Shared<'_>| -> Vec<(usize, Outcome)> {
        indices
            .par_iter()
            .filter_map(|&i| Some((i, site.pages.get(i)?)))
            .map(|(i, page)| {
                if !publishes(theme, page) {
                    return (i, Outcome::Skipped);
                }
                let key = keys.get(i).copied().flatten();
                let decide = |_: Basis<'_>| -> Result<(Option<u128>, bool)> { Ok((key, false)) };
                let outcome = match render_page_keyed(shared, &renderer, page, &decide) {
                    Err(e) => {
                        failed.store(true, Ordering::Relaxed);
                        Outcome::RenderFailed(e)
                    }
                    Ok((None, _)) => Outcome::Skipped,
                    Ok((Some(_), _)) if failed.load(Ordering::Relaxed) => Outcome::Skipped,
                    Ok((Some(file), key)) => match sink(i, file, key) {
                        Ok(()) => Outcome::Sent,
                        Err(e) => {
                            failed.store(true, Ordering::Relaxed);
                            Outcome::SinkFailed(e)
                        }
                    },
                };
                (i, outcome)
            })
            .collect()
    };
    // Feeds hold a lot while they are made (each article's feed HTML): they go first, and what
    // they hold is freed before article and list pages fill the card cache. The search index
    // and the sitemap go at the head of the rest: each is one long job (a sixth of a second at
    // 10,000 articles for the index, a tenth at 100,000 for the sitemap), which kept every
    // other core idle when it ended the first group.
    let long = |p: &Page| matches!(p.kind, PageKind::SearchIndex | PageKind::Sitemap);
    let (first, mut rest): (Vec<usize>, Vec<usize>) = todo.iter().partition(|&&i| {
        site.pages.get(i).is_some_and(|p| {
            !long(p) && !matches!(p.kind, PageKind::Article(_) | PageKind::List(_))
        })
    });
    rest.sort_by_key(|&i| site.pages.get(i).is_none_or(|p| !long(p)));
    shared.feeds.expect(
        first
            .iter()
            .filter_map(|&i| match site.pages.get(i).map(|p| &p.kind) {
                Some(PageKind::Feed(feed)) => Some(feed.items.iter().copied()),
                _ => None,
            })
            .flatten(),
    );
    let mut outcomes = render(&first, &shared);
    shared.feeds = crate::feeds::FeedCache::default();
    outcomes.extend(render(&rest, &shared));
    // The card cache may outlive the render (a build keeps its cards): not the views.
    renderer.cards().forget_views();
    outcomes.sort_unstable_by_key(|(i, _)| *i);
    let mut done = KeyedRender {
        sent: 0,
        keys: keys.clone(),
    };
    let mut sink_error = None;
    for (i, outcome) in outcomes {
        match outcome {
            Outcome::RenderFailed(e) => return Err(e),
            Outcome::SinkFailed(e) => {
                sink_error.get_or_insert(e);
                if let Some(slot) = done.keys.get_mut(i) {
                    *slot = None;
                }
            }
            Outcome::Sent => done.sent += 1,
            Outcome::Skipped => {}
        }
    }
    match sink_error {
        Some(e) => Err(e),
        None => Ok(done),
    }
}

/// What became of one page in [`render_site_keyed`].
enum Outcome {
    Sent,
    Skipped,
    RenderFailed(Error),
    SinkFailed(Error),
}

/// Renders only the pages at `indices` of the plan (in that order; pages the theme does not
/// publish are left out, as in [`render_site`]), building only the cards those pages show.
/// `serve` uses it to re-render just the pages an edit touched.
pub fn render_pages(
    site: &Site,
    theme: &Theme,
    urls: &Urls,
    indices: &[usize],
) -> Result<Vec<OutputFile>> {
    render_pages_carrying(site, theme, urls, indices, None)
}

/// [`render_pages`], with the search index's postings carried over through `search` (see
/// [`crate::search::Memory`]).
pub fn render_pages_carrying(
    site: &Site,
    theme: &Theme,
    urls: &Urls,
    indices: &[usize],
    search: Option<Arc<crate::search::Memory>>,
) -> Result<Vec<OutputFile>> {
    let mut files = Vec::with_capacity(indices.len());
    let mut all = |_: &[usize], mut batch: Vec<OutputFile>| -> Result<bool> {
        files.append(&mut batch);
        Ok(true)
    };
    // The views of a few pages: freed here.
    let _views = batches(
        site,
        (theme, urls, search),
        (indices, indices.len()),
        (&mut all, &|| false),
    )?;
    Ok(files)
}

/// What [`render_batches`] hands each batch to: the batch's plan indices and its files; false
/// to stop.
pub type Batches<'a> = dyn FnMut(&[usize], Vec<OutputFile>) -> Result<bool> + 'a;

/// [`render_pages`] a batch of `size` pages at a time, handing each batch's files (with the
/// batch's indices) to `each` before the next batch is rendered; stops when `each` says false,
/// or when `stop` says true before a batch (the first one too). One theme renderer and one set
/// of card views serve every batch; each batch builds the card views it is the first to show,
/// so that a stop is never long in coming (all the views of 1,100 pages, built at once, took
/// 38 ms at 10,000 articles). The card views built are handed back, for the caller to free
/// when it suits it (those of 1,000 list pages took 27-31 ms to free).
pub fn render_batches(
    site: &Site,
    theme: &Theme,
    urls: &Urls,
    (indices, size): (&[usize], usize),
    (each, stop): (&mut Batches<'_>, &dyn Fn() -> bool),
) -> Result<crate::Held> {
    batches(site, (theme, urls, None), (indices, size), (each, stop))
}

/// [`render_batches`], with the search index's postings carried through `search`.
fn batches(
    site: &Site,
    (theme, urls, search): (&Theme, &Urls, Option<Arc<crate::search::Memory>>),
    (indices, size): (&[usize], usize),
    (each, stop): (&mut Batches<'_>, &dyn Fn() -> bool),
) -> Result<crate::Held> {
    // A new renderer: card HTML of an earlier render may show an article as it was before the edit.
    let renderer = theme.renderer();
    let mut shared = shared(site, urls, (&|_| false, None), Vec::new())?;
    shared.search = search;
    let mut built = vec![false; site.articles.len()];
    for batch in indices.chunks(size.max(1)) {
        if stop() {
            break;
        }
        // The cards this batch shows first, found from its pages alone (not by a look at
        // every article, batch after batch).
        let mut new = Vec::new();
        for page in batch.iter().filter_map(|&p| site.pages.get(p)) {
            each_card(site, page, &mut |i| {
                if let Some(done @ false) = built.get_mut(i) {
                    *done = true;
                    new.push(i);
                }
            });
        }
        // This render's own card cache makes no keys: the views need no fingerprints.
        let cards = new
            .par_iter()
            .map(|&i| Ok((i, card_view((site, urls, &shared.tags), (i, None))?.0)))
            .collect::<Result<Vec<_>>>()?;
        for (i, card) in cards {
            if let Some(slot) = shared.cards.built.get_mut(i) {
                *slot = card;
            }
        }
        let rendered: Vec<Result<OutputFile>> = batch
            .par_iter()
            .filter_map(|&p| site.pages.get(p))
            .filter(|page| publishes(theme, page))
            .map(|page| render_page(&shared, &renderer, page))
            .collect();
        if !each(batch, rendered.into_iter().collect::<Result<_>>()?)? {
            break;
        }
    }
    Ok(crate::Held::new(std::mem::take(&mut shared.cards.built)))
}

/// How many of the pages at `indices` show each article's card (by article index).
fn cards_shown(site: &Site, indices: &[usize]) -> Vec<u32> {
    let mut shown = vec![0_u32; site.articles.len()];
    for page in indices.iter().filter_map(|&p| site.pages.get(p)) {
        each_card(site, page, &mut |i| {
            if let Some(n) = shown.get_mut(i) {
                *n = n.saturating_add(1);
            }
        });
    }
    shown
}

/// Calls `f` with each article whose card `page` shows: an article page its neighbours' and
/// related articles', a list page its articles'.
fn each_card(site: &Site, page: &Page, f: &mut dyn FnMut(usize)) {
    match &page.kind {
        PageKind::Article(i) => {
            if let Some(links) = site.links.get(*i) {
                links.newer.into_iter().chain(links.older).for_each(&mut *f);
                links.related.iter().copied().for_each(f);
            }
        }
        PageKind::List(list) => list.items.iter().copied().for_each(f),
        _ => {}
    }
}

/// The views every page shares, with the cards of the articles `wanted` says yes to. Each card
/// is built once and shared (cheaply cloned) by every list that shows it. `inputs` are the keys
/// of the articles' inputs the page keys made (empty when they made none): what the cards made
/// for `known` are fingerprinted by (see [`card_view`]).
fn shared<'a>(
    site: &'a Site,
    urls: &'a Urls,
    (wanted, known): (&(dyn Fn(usize) -> bool + Sync), Option<&CardCache>),
    inputs: Keys,
) -> Result<pages::Shared<'a>> {
    let known = known.filter(|k| k.makes_keys());
    let tags = articles::TagValues::new(site, urls).map_err(|message| Error::Render {
        template: "(cards)".into(),
        page: "/".into(),
        message,
    })?;
    let cards: Vec<(Value, Option<u128>)> = (0..site.articles.len())
        .into_par_iter()
        .map(|i| match wanted(i) {
            true => card_view(
                (site, urls, &tags),
                (i, known.map(|_| inputs.get(i).copied().flatten())),
            ),
            false => Ok((Value::none(), None)),
        })
        .collect::<Result<_>>()?;
    if let Some(known) = known {
        known.know(cards.iter());
    }
    let cards = cards.into_iter().map(|(card, _)| card).collect();
    let cards = pages::Cards {
        built: cards,
        per_page: None,
        inputs,
    };
    pages::Shared::new(site, urls, (cards, tags)).map_err(|message| Error::Render {
        template: "(site)".into(),
        page: "/".into(),
        message,
    })
}

/// The cards `page` shows: those the render built, and the rest built now when pages build
/// their own (with their views' fingerprints told to the card cache until the page is done).
fn page_cards<'s>(shared: &'s pages::Shared<'_>, page: &Page) -> Result<pages::PageCards<'s>> {
    let built = &shared.cards.built;
    let Some(cache) = &shared.cards.per_page else {
        return Ok(pages::PageCards::built(built));
    };
    let mut shown = Vec::new();
    each_card(shared.site, page, &mut |i| {
        if built.get(i).is_none_or(Value::is_none) {
            shown.push(i);
        }
    });
    shown.sort_unstable();
    shown.dedup();
    let own = shown
        .into_iter()
        .map(|i| {
            let print = shared.cards.inputs.get(i).copied().flatten();
            let from = (shared.site, shared.urls, &shared.tags);
            card_view(from, (i, Some(print))).map(|made| (i, made))
        })
        .collect::<Result<Vec<_>>>()?;
    cache.know(own.iter().map(|(_, made)| made));
    let own = own.into_iter().map(|(i, (card, _))| (i, card)).collect();
    Ok(pages::PageCards::with_own(built, own, cache))
}

/// Article `i`'s card view (none for an index the plan does not have), and, when `print` says
/// so, the fingerprint of what it was made from: the key of the article's inputs when the page
/// keys made it (`Some(Some(key))`), else (`Some(None)`) the fingerprint of the view itself.
///
/// A card is made from its article's [inputs](articles::ArticleInputs) and the settings (in the
/// card cache's salt) alone, so the key of the inputs, which every article page's key needs
/// anyway, stands for the view: fingerprinting each view was a fifth of building it, and a
/// publish at 100,000 articles builds a card for nearly every article.
fn card_view(
    (site, urls, tags): (&Site, &Urls, &articles::TagValues),
    (i, print): (usize, Option<Option<u128>>),
) -> Result<(Value, Option<u128>)> {
    let in_cards = |message: String| Error::Render {
        template: "(cards)".into(),
        page: "/".into(),
        message,
    };
    match articles::inputs(site, i) {
        Some(inputs) => {
            let view = articles::card(&inputs, &site.config, urls, tags).map_err(in_cards)?;
            let print = match print {
                Some(Some(key)) => Some(Fingerprint::new().str("card inputs").num(key).finish()),
                Some(None) => Some(Fingerprint::new().packed(&view).map_err(in_cards)?.finish()),
                None => None,
            };
            Ok((views::to_value(&view).map_err(in_cards)?, print))
        }
        None => Ok((Value::none(), None)),
    }
}

fn render_page(
    shared: &pages::Shared<'_>,
    renderer: &Renderer<'_>,
    page: &Page,
) -> Result<OutputFile> {
    let (file, _) = render_page_keyed(shared, renderer, page, &|_| Ok((None, false)))?;
    file.ok_or_else(|| Error::Render {
        template: String::new(),
        page: page.path.clone(),
        message: "a page without a key was left out".into(),
    })
}

/// What a page's key is made from.
pub enum Basis<'a> {
    /// Its template variables.
    Vars(&'a pages::Vars),
    /// A list page: what its variables are made from.
    List(&'a lists::ListInputs<'a>),
    /// The model alone: article pages, feeds, the sitemap, the search index.
    Model,
}

/// Given what a page's key is made from, its key and whether the output already holds it.
type Decide<'a> = dyn Fn(Basis<'_>) -> Result<(Option<u128>, bool)> + 'a;

/// Renders one page unless `decide` says it is current. `decide` is called once, before any
/// view an article or list page needs is built, with what the page's key is made from (a
/// [`Basis`]); it returns the page's key and whether the output already holds it.
fn render_page_keyed(
    shared: &pages::Shared<'_>,
    renderer: &Renderer<'_>,
    page: &Page,
    decide: &Decide<'_>,
) -> Result<(Option<OutputFile>, Option<u128>)> {
    let site = shared.site;
    let urls = shared.urls;
    let template = pages::template_for(&page.kind);
    let in_template = |message: String| Error::Render {
        template: template.unwrap_or_default().into(),
        page: page.path.clone(),
        message,
    };
    // Article and list pages are keyed by what their variables are made from (see
    // `keys::ModelKeys::key`), so a current one costs no view; other template pages by their
    // variables.
    let list_inputs = match (&page.kind, template) {
        (PageKind::List(list), Some(_)) => {
            Some(lists::inputs(shared, page, list).map_err(in_template)?)
        }
        _ => None,
    };
    // No card before the page's key says it is to be rendered (the pages keyed here show none).
    let no_cards = pages::PageCards::built(&[]);
    let mut vars = match template {
        Some(_) if !matches!(page.kind, PageKind::Article(_) | PageKind::List(_)) => {
            Some(pages::context(shared, page, &no_cards).map_err(in_template)?)
        }
        _ => None,
    };
    let basis = match (&vars, &list_inputs) {
        (Some(vars), _) => Basis::Vars(vars),
        (None, Some(inputs)) => Basis::List(inputs),
        (None, None) => Basis::Model,
    };
    let (key, current) = decide(basis)?;
    if current {
        return Ok((None, key));
    }
    // Checked only for a page to be written: keying every page spent a fifth of its time here.
    let path = crate::urls::output_file(&page.path).map_err(|message| {
        let input = match &page.kind {
            PageKind::Article(i) => site.articles.get(*i).map(|a| a.file.clone()),
            _ => None,
        };
        Error::problem(Diagnostic::new(
            input.unwrap_or_else(|| page.path.clone().into()),
            message,
        ))
    })?;
    // Held until the page is rendered (their fingerprints find their rendered HTML).
    let cards = page_cards(shared, page)?;
    if let (None, Some(_)) = (&vars, template) {
        let made = match &list_inputs {
            Some(inputs) => lists::vars(shared, page, inputs, &cards),
            None => pages::context(shared, page, &cards),
        };
        vars = Some(made.map_err(in_template)?);
    }
    let bytes = match (&page.kind, template, vars) {
        (PageKind::Feed(feed), ..) => {
            crate::feeds::feed_cached(site, &page.path, feed, urls, &shared.feeds).map_err(
                |message| Error::Render {
                    template: "(feed)".into(),
                    page: page.path.clone(),
                    message,
                },
            )?
        }
        (PageKind::Sitemap, ..) => crate::feeds::sitemap(site, urls),
        (PageKind::Robots, ..) => crate::feeds::robots(urls),
        (PageKind::SearchIndex, ..) => {
            crate::search::index_with(site, urls, shared.search.as_deref()).map_err(|message| {
                Error::Render {
                    template: "(search index)".into(),
                    page: page.path.clone(),
                    message,
                }
            })?
        }
        (PageKind::Redirect(to), ..) => {
            redirect::redirect_html(urls, to, &site.config.language).into_bytes()
        }
        (_, Some(template), Some(vars)) => renderer
            .render(template, &vars.into_context(), &page.path)?
            .into_bytes(),
        _ => {
            return Err(Error::Render {
                template: String::new(),
                page: page.path.clone(),
                message: "no template for this kind of page".into(),
            });
        }
    };
    let file = OutputFile {
        path,
        contents: Contents::Bytes(bytes),
    };
    Ok((Some(file), key))
}

#[cfg(test)]
mod tests;
