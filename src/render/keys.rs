//! Page keys: a fingerprint of everything one page is made from, so a build can leave out a
//! page whose key is what made the file already in the output.
//!
//! A template page's key is its template variables as the render is about to use them, so
//! nothing here describes what a page shows. An article page (two thirds of a site's pages, and
//! the dearest variables to build: the body rebased, the JSON-LD) is keyed instead by what its
//! variables are made from: the [inputs](super::articles::ArticleInputs) of its article and of
//! the neighbours whose cards it shows, which are all the article views can read. The files
//! written from the model (feeds, the sitemap, the search index) take the model data their
//! writers read: each listed article's inputs, whose terms are those its entries link to
//! (`feeds::categories`, `search::doc_tags`).

use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset};

use super::Basis;
use super::articles::{self, ArticleInputs};
use super::pages;
use crate::content::Article;
use crate::fingerprint::Fingerprint;
use crate::site::{Page, PageKind, Site};

/// An article's [print](article_print) when the caller already has it (a build takes the
/// logged ones), by its index in the plan; `None` to have it made.
pub type Known<'a> = dyn Fn(usize, &Article) -> Option<u128> + Sync + 'a;

/// The fingerprint of an article, whole: what [page keys](super::page_keys) take of its
/// content. MessagePack, not JSON: at 10,000 articles JSON's string escaping of every body cost
/// a tenth of an unchanged build.
pub fn article_print(article: &Article) -> u128 {
    let mut f = Fingerprint::new();
    // An article always serialises; an error would only leave the print weaker.
    let _ = f.packed(article);
    f.finish()
}

/// What the keys of one render share: the salt and each article's fingerprint, made the first
/// time a page needs it (a render that keys a few pages fingerprints a few articles).
pub struct ModelKeys<'a> {
    site: &'a Site,
    salt: u128,
    known: Option<&'a Known<'a>>,
    /// Each article (by index) with the terms it links to.
    articles: Vec<OnceLock<u128>>,
}

impl<'a> ModelKeys<'a> {
    /// Keys for the pages of `site`; `salt` goes into every key, `known` gives article prints
    /// already made.
    pub fn new(site: &'a Site, salt: u128, known: Option<&'a Known<'a>>) -> ModelKeys<'a> {
        ModelKeys {
            site,
            salt,
            known,
            articles: (0..site.articles.len()).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The key of `page`; `vars` are its template variables when it is a template page.
    pub fn key(
        &self,
        page: &Page,
        basis: Basis<'_>,
        prints: &pages::Prints,
    ) -> Result<u128, String> {
        let mut f = Fingerprint::new();
        f.num(self.salt).str(&page.path);
        match (&page.kind, basis) {
            (PageKind::List(_), Basis::List(inputs)) => {
                // What `lists::vars` makes a list page's variables from: the page, the `site`
                // view, the list's inputs, and the cards of its articles (made from their
                // inputs).
                f.str("list page")
                    .num(instant(page.lastmod))
                    .num(prints.site());
                f.packed(inputs)?;
                for i in inputs.articles() {
                    f.num(self.article(i));
                }
            }
            (PageKind::Article(i), Basis::Model) => {
                // What `pages::context` makes an article page's variables from: the page, the
                // `site` view, the article with its terms and day (its `article` view and the
                // page's title, description and image), and the cards of its neighbours and
                // related articles (each made from the same inputs). The settings and theme
                // are in the salt.
                f.str("article page")
                    .num(instant(page.lastmod))
                    .num(prints.site())
                    .num(self.article(*i));
                if let Some(links) = self.site.links.get(*i) {
                    for j in [links.newer, links.older] {
                        f.num(j.map_or(0, |j| self.article(j)));
                    }
                    f.num(links.related.len() as u128);
                    for &j in &links.related {
                        f.num(self.article(j));
                    }
                }
            }
            (kind, Basis::Vars(vars)) => {
                f.str("template")
                    .str(pages::template_for(kind).unwrap_or(""));
                vars.fingerprint(&mut f, prints)?;
            }
            (PageKind::Feed(feed), Basis::Model) => {
                f.str("feed")
                    .str(format!("{:?}", feed.format))
                    .str(&feed.title)
                    .str(&feed.alternate);
                for &i in &feed.items {
                    f.num(self.article(i));
                }
            }
            (PageKind::Sitemap, Basis::Model) => {
                f.str("sitemap");
                for page in &self.site.pages {
                    f.str(&page.path).num(u128::from(page.in_sitemap));
                    f.num(instant(page.lastmod));
                }
            }
            (PageKind::SearchIndex, Basis::Model) => {
                f.str("search index");
                for i in 0..self.articles.len() {
                    f.num(self.article(i));
                }
                for taxonomy in &self.site.taxonomies {
                    f.str(&taxonomy.name).str(&taxonomy.path);
                }
            }
            (PageKind::Robots, Basis::Model) => {
                f.str("robots");
            }
            (PageKind::Redirect(to), Basis::Model) => {
                f.str("redirect").str(to);
            }
            (kind, _) => return Err(format!("no key for a page of kind {kind:?}")),
        }
        Ok(f.finish())
    }

    /// The key of each article's inputs made so far, by index.
    pub fn made(self) -> Vec<Option<u128>> {
        self.articles
            .into_iter()
            .map(|slot| slot.into_inner())
            .collect()
    }

    fn article(&self, i: usize) -> u128 {
        self.articles.get(i).map_or(0, |slot| {
            *slot.get_or_init(|| article_key(self.site, i, self.known))
        })
    }
}

/// A page's date as a number: its instant in nanoseconds and its UTC offset (both show in
/// its RFC 3339 form). Formatting it cost more than the rest of an article page's key.
fn instant(date: Option<DateTime<FixedOffset>>) -> u128 {
    date.map_or(0, |d| {
        let nanos = d
            .timestamp_nanos_opt()
            .unwrap_or(d.timestamp() * 1_000_000_000);
        let offset = d.offset().local_minus_utc();
        (1 << 127) | (u128::from(nanos as u64) << 32) | u128::from(offset as u32)
    })
}

/// Article `i`'s [inputs](articles::ArticleInputs): the article's print, its day, and the
/// name, slug and page of every term it is filed under. Destructured, so a field added to the
/// inputs does not compile until it is keyed here.
fn article_key(site: &Site, i: usize, known: Option<&Known<'_>>) -> u128 {
    let mut f = Fingerprint::new();
    if let Some(ArticleInputs {
        article,
        day_path,
        taxonomies,
    }) = articles::inputs(site, i)
    {
        let print = known
            .and_then(|known| known(i, article))
            .unwrap_or_else(|| article_print(article));
        f.num(print).str(day_path);
        // The inputs always serialise; an error would only leave the key weaker.
        let _ = f.packed(&taxonomies);
    }
    f.finish()
}

/// By page index: the pages whose key can change when only the content of the articles
/// `edited` (by index) changes and the plan stays the same. An article, list or feed page is
/// keyed from the articles it shows (see [`super::page_keys`]), so it is among them only if it
/// shows one of `edited`; every other page is.
pub fn touched_by(site: &Site, edited: &[usize]) -> Vec<bool> {
    let hit = crate::site::marked(site.articles.len(), edited);
    let shows = |i: usize| hit.get(i).copied().unwrap_or(false);
    site.pages
        .iter()
        .map(|page| match &page.kind {
            PageKind::Article(i) => {
                let mut any = shows(*i);
                super::each_card(site, page, &mut |j| any |= shows(j));
                any
            }
            PageKind::List(list) => list.items.iter().any(|&j| shows(j)),
            PageKind::Feed(feed) => feed.items.iter().any(|&j| shows(j)),
            _ => true,
        })
        .collect()
}
