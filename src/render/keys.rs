//! Page keys: a fingerprint of everything one page is made from, so a build can leave out a
//! page whose key is what made the file already in the output.
//!
//! A template page's key is its template variables as the render is about to use them, so
//! nothing here describes what a page shows. The files written from the model (feeds, the
//! sitemap, the search index) take the model data their writers read: each listed article
//! whole, and the terms its entries link to (`feeds::categories`, `search::doc_tags`).

use rayon::prelude::*;

use super::pages::{self, Vars};
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
        vars: Option<&Vars>,
        prints: &pages::Prints,
    ) -> Result<u128, String> {
        let mut f = Fingerprint::new();
        f.num(self.salt).str(&page.path);
        match (&page.kind, vars) {
            (kind, Some(vars)) => {
                f.str("template")
                    .str(pages::template_for(kind).unwrap_or(""));
                vars.fingerprint(&mut f, prints)?;
            }
            (PageKind::Feed(feed), None) => {
                f.str("feed")
                    .str(format!("{:?}", feed.format))
                    .str(&feed.title)
                    .str(&feed.alternate);
                for &i in &feed.items {
                    f.num(self.article(i));
                }
            }
            (PageKind::Sitemap, None) => {
                f.str("sitemap");
                for page in &self.site.pages {
                    f.str(&page.path).num(u128::from(page.in_sitemap));
                    f.str(page.lastmod.map(|d| d.to_rfc3339()).unwrap_or_default());
                }
            }
            (PageKind::SearchIndex, None) => {
                f.str("search index");
                for key in &self.articles {
                    f.num(*key);
                }
                for taxonomy in &self.site.taxonomies {
                    f.str(&taxonomy.name).str(&taxonomy.path);
                }
            }
            (PageKind::Robots, None) => {
                f.str("robots");
            }
            (PageKind::Redirect(to), None) => {
                f.str("redirect").str(to);
            }
            (kind, None) => return Err(format!("no key for a page of kind {kind:?}")),
        }
        Ok(f.finish())
    }

    fn article(&self, i: usize) -> u128 {
        self.articles.get(i).copied().unwrap_or_default()
    }
}

/// Article `i` whole, with the name, slug and page of every term it is filed under.
fn article_key(site: &Site, i: usize) -> u128 {
    let mut f = Fingerprint::new();
    if let Some(article) = site.articles.get(i) {
        // An article always serialises; an error would only leave its key weaker.
        let _ = f.json(article);
    }
    if let Some(links) = site.links.get(i) {
        for (t, terms) in links.terms.iter().enumerate() {
            f.num(t as u128);
            let taxonomy = site.taxonomies.get(t);
            for term in terms.iter().filter_map(|&k| taxonomy?.terms.get(k)) {
                f.str(&term.name).str(&term.slug).str(&term.path);
            }
        }
    }
    f.finish()
}
