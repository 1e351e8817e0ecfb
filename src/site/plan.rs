//! Planning a site: which articles are published and in what order, then the taxonomies,
//! related lists, archives, links and every page, checked for two pages with one URL.

use std::borrow::Cow;

use chrono::Utc;
use rayon::prelude::*;

use super::{
    ArticleLinks, ListKind, Page, PageKind, PlanOptions, Site, Taxonomy, archive, day_path, pages,
    related, taxonomy,
};
use crate::config::Config;
use crate::content::Article;
use crate::error::{Diagnostic, Error, Result};

/// Builds the site model from loaded articles. Drafts and future articles are dropped here.
pub fn plan(articles: Vec<Article>, config: Config, options: &PlanOptions) -> Result<Site> {
    let (published, mut warnings) = publishable(articles, options);
    let taxonomies = taxonomies(&config, &published, &mut warnings);
    assemble(published, config, taxonomies, related::build, warnings)
}

/// Every taxonomy of `config` over the `published` articles, built from scratch.
pub(super) fn taxonomies(
    config: &Config,
    published: &[Article],
    warnings: &mut Vec<Diagnostic>,
) -> Taxonomies {
    let mut taxonomies = Vec::with_capacity(config.taxonomies.len());
    let mut terms_by_taxonomy = Vec::with_capacity(config.taxonomies.len());
    for tax_config in &config.taxonomies {
        let (tax, per_article) = taxonomy::build(tax_config, config.paginate, published, warnings);
        taxonomies.push(tax);
        terms_by_taxonomy.push(per_article);
    }
    (taxonomies, terms_by_taxonomy)
}

/// The articles to publish (drafts and future ones left out, with a warning for the latter),
/// newest first (ties broken by title, then file).
pub(super) fn publishable(
    mut articles: Vec<Article>,
    options: &PlanOptions,
) -> (Vec<Article>, Vec<Diagnostic>) {
    let mut warnings = Vec::new();
    // Kept in the list they came in and sorted in place: an article is 600 bytes, and a second
    // list of them (or a sort's scratch space) was fresh memory, dear on this machine (60 MB at
    // 100,000 articles).
    articles.retain(|article| {
        if article.draft && !options.drafts {
            return false;
        }
        if article.date.with_timezone(&Utc) > options.now {
            warnings.push(Diagnostic::new(
                &article.file,
                format!(
                    "dated in the future ({}); left out until then",
                    article.date.to_rfc3339()
                ),
            ));
            return false;
        }
        if article.image_caption.is_some() && article.image.is_none() {
            warnings.push(Diagnostic::new(
                &article.file,
                "has `image_caption` but no `image`, so the caption is not shown; add the \
                 `image:` it describes, or remove the caption",
            ));
        }
        true
    });
    let mut order: Vec<usize> = (0..articles.len()).collect();
    // On every core (the plan is otherwise one thread's work): the order is total, so this is
    // the order one thread would find.
    order.par_sort_by(|&a, &b| {
        let (a, b) = (&articles[a], &articles[b]);
        b.date
            .cmp(&a.date)
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.file.cmp(&b.file))
    });
    arrange(&mut articles, order);
    (articles, warnings)
}

/// Puts `items` in `order` (a permutation of their indices: the item at `order[k]` goes to
/// `k`), in place, one swap per item moved.
fn arrange<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        // Each cycle of the permutation is walked once, from its first place; a place done is
        // marked by pointing at itself.
        let mut place = start;
        while order[place] != start {
            let from = order[place];
            items.swap(place, from);
            order[place] = place;
            place = from;
        }
        order[place] = place;
    }
}

/// Taxonomies, and per taxonomy (same index) the terms of each article (same index).
pub(super) type Taxonomies = (Vec<Taxonomy>, Vec<Vec<Vec<usize>>>);

/// The rest of a plan once the articles are sorted and grouped: related lists (from the first
/// taxonomy, by `related`), archives, links and pages.
pub(super) fn assemble(
    published: Vec<Article>,
    config: Config,
    (taxonomies, terms_by_taxonomy): Taxonomies,
    related: impl FnOnce(&[Article], &Taxonomy, &[Vec<usize>]) -> Vec<Vec<usize>> + Send,
    warnings: Vec<Diagnostic>,
) -> Result<Site> {
    // The links and the pages need only what is planned already: made side by side, they took
    // 5-10 ms of a one-article serve rebuild one after the other.
    let (links, pages) = rayon::join(
        || {
            let related = match (taxonomies.first(), terms_by_taxonomy.first()) {
                (Some(tags), Some(terms_of)) => related(&published, tags, terms_of),
                _ => vec![Vec::new(); published.len()],
            };
            article_links(&published, related, &terms_by_taxonomy)
        },
        || {
            let years = archive::build(&published);
            let mut planner = pages::Planner::new(&published, &taxonomies, &years, config.paginate);
            let room = planner.pages.capacity();
            planner.articles();
            let everything: Vec<usize> = (0..published.len()).collect();
            planner.list(
                crate::urls::HOME,
                ListKind::Home,
                &everything,
                config.paginate,
                (None, None),
            );
            planner.feeds(
                crate::urls::HOME,
                &config.title,
                &everything,
                config.feed_limit,
            );
            for (t, tax) in taxonomies.iter().enumerate() {
                planner.taxonomy(t, tax, &config.title, config.feed_limit);
            }
            planner.archives(&years, config.paginate);
            planner.utility();
            let pages = planner.pages;
            debug_assert!(
                pages.len() <= room,
                "{} pages planned, room for {room}",
                pages.len()
            );
            check_unique_paths(&pages, &published).map(|()| (years, pages))
        },
    );
    let (years, pages) = pages?;

    Ok(Site {
        config,
        articles: published,
        links,
        taxonomies,
        years,
        pages,
        warnings,
    })
}

/// Each article's neighbours, related articles, day and terms (by taxonomy).
fn article_links(
    published: &[Article],
    related: Vec<Vec<usize>>,
    terms_by_taxonomy: &[Vec<Vec<usize>>],
) -> Vec<ArticleLinks> {
    related
        .into_iter()
        .enumerate()
        .map(|(i, related)| ArticleLinks {
            newer: i.checked_sub(1),
            older: (i + 1 < published.len()).then_some(i + 1),
            related,
            day_path: published
                .get(i)
                .map(|a| day_path(a.date.date_naive()))
                .unwrap_or_default(),
            terms: terms_by_taxonomy
                .iter()
                .map(|per_article| per_article.get(i).cloned().unwrap_or_default())
                .collect(),
        })
        .collect()
}

/// Two pages with one URL would overwrite each other; URLs that differ only in case collide on
/// case-insensitive hosts (macOS, Windows), so they count as the same.
fn check_unique_paths(pages: &[Page], articles: &[Article]) -> Result<()> {
    // A redirect to an article is one of its aliases: its file is the one to fix.
    let owner = |page: &Page| match &page.kind {
        PageKind::Article(i) => articles.get(*i),
        PageKind::Redirect(to) => articles.iter().find(|a| a.path == *to),
        _ => None,
    };
    let describe = |page: &Page| match (&page.kind, owner(page)) {
        (PageKind::Article(_), Some(a)) => a.file.display().to_string(),
        (PageKind::Redirect(_), Some(a)) => format!("an alias of {}", a.file.display()),
        _ => format!("Gazette's own page {}", page.path),
    };
    let mut seen: rustc_hash::FxHashMap<Cow<'_, str>, &Page> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(pages.len(), Default::default());
    let mut problems = Vec::new();
    for page in pages {
        // Most paths are lowercase already: copying each one showed in `serve`'s rebuilds.
        let changes = |c: char| {
            let mut lower = c.to_lowercase();
            lower.next() != Some(c) || lower.next().is_some()
        };
        // Checking each character through the Unicode tables took 6 ms for 15,000 paths.
        let lowers = match page.path.is_ascii() {
            true => page.path.bytes().any(|b| b.is_ascii_uppercase()),
            false => page.path.chars().any(changes),
        };
        let key = if lowers {
            Cow::Owned(page.path.to_lowercase())
        } else {
            Cow::Borrowed(page.path.as_str())
        };
        if let Some(first) = seen.insert(key, page) {
            let (culprit, other) = match owner(page) {
                Some(_) => (page, first),
                None => (first, page),
            };
            let file = owner(culprit).map(|a| a.file.clone());
            let message = match culprit.kind {
                PageKind::Redirect(_) => format!(
                    "alias {} is also the URL of {}, and a redirect there would replace it; \
                     remove or change the alias",
                    culprit.path,
                    describe(other)
                ),
                _ => format!(
                    "URL {} is also produced by {}; give one of them a different `slug`",
                    culprit.path,
                    describe(other)
                ),
            };
            problems.push(match file {
                Some(file) => Diagnostic::new(file, message),
                None => Diagnostic::new("site.toml", message),
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Problems(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Arranged in place, the items are where a fresh list in that order would have them.
        #[test]
        fn arrange_puts_each_item_where_the_order_says(
            keys in proptest::collection::vec(0u8..6, 0..40),
        ) {
            let items: Vec<(u8, usize)> = keys.into_iter().zip(0..).collect();
            let mut order: Vec<usize> = (0..items.len()).collect();
            order.sort_by_key(|&i| std::cmp::Reverse(items[i].0));
            let expected: Vec<(u8, usize)> = order.iter().map(|&i| items[i]).collect();
            let mut arranged = items;
            arrange(&mut arranged, order);
            proptest::prop_assert_eq!(arranged, expected);
        }
    }
}
