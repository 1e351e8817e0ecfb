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

use rayon::prelude::*;

use super::Basis;
use super::articles;
use super::pages;
use crate::fingerprint::Fingerprint;
use crate::site::{Page, PageKind, Site};

/// What the keys of one render share: the salt and each article's fingerprint.
pub struct ModelKeys<'a> {
    site: &'a Site,
    salt: u128,
    /// Each article (by index) with the terms it links to.
    articles: Vec<u128>,
}

impl<'a> ModelKeys<'a> {
    /// Fingerprints every article of `site` (in parallel); `salt` goes into every key.
    pub fn new(site: &'a Site, salt: u128) -> ModelKeys<'a> {
        let articles = (0..site.articles.len())
            .into_par_iter()
            .map(|i| article_key(site, i))
            .collect();
        ModelKeys {
            site,
            salt,
            articles,
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
                    .str(page.lastmod.map(|d| d.to_rfc3339()).unwrap_or_default())
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
                    .str(page.lastmod.map(|d| d.to_rfc3339()).unwrap_or_default())
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
                    f.str(page.lastmod.map(|d| d.to_rfc3339()).unwrap_or_default());
                }
            }
            (PageKind::SearchIndex, Basis::Model) => {
                f.str("search index");
                for key in &self.articles {
                    f.num(*key);
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

    fn article(&self, i: usize) -> u128 {
        self.articles.get(i).copied().unwrap_or_default()
    }
}

/// Article `i`'s [inputs](articles::ArticleInputs): the article whole, its day, and the name,
/// slug and page of every term it is filed under. MessagePack, not JSON: at 10,000 articles
/// JSON's string escaping of every body cost a tenth of an unchanged build.
fn article_key(site: &Site, i: usize) -> u128 {
    let mut f = Fingerprint::new();
    if let Some(inputs) = articles::inputs(site, i) {
        // The inputs always serialise; an error would only leave the key weaker.
        let _ = f.packed(&inputs);
    }
    f.finish()
}
