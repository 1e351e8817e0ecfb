//! Planning again after a few articles changed, reusing what the change cannot touch: a
//! taxonomy whose values no changed article changed (its terms, names and slugs stay; only the
//! article indices move), and the related lists of the articles that sit far from every changed
//! article in every term list of the first taxonomy. The result is the plan [`plan`](super::plan())
//! makes from the same articles (warnings aside: those of a reused taxonomy are not repeated).

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::content::Article;
use crate::error::Result;

use super::plan::{Taxonomies, assemble, publishable, taxonomies};
use super::related::{self, WINDOW};
use super::{PlanOptions, Site, Taxonomy, field_values, taxonomy};

/// What [`replan`] reuses: the last plan and what changed since.
pub struct Previous<'a> {
    /// The last plan; its `articles` may have been moved out (only `files` is read).
    pub site: &'a Site,
    /// The file of each article of the last plan (same index).
    pub files: &'a [PathBuf],
    /// Files saved, added or deleted since the last plan (relative to the root, as in
    /// [`Article::file`]).
    pub changed: &'a crate::content::Files,
    /// The changed articles as they were in the last plan (any that were in it).
    pub before: &'a [Article],
}

/// The plan of `articles` (every article, drafts too), as [`plan`](super::plan()) makes it, reusing
/// the parts of `previous` that the change leaves alone.
pub fn replan(
    articles: Vec<Article>,
    config: Config,
    options: &PlanOptions,
    previous: &Previous<'_>,
) -> Result<Site> {
    let (published, mut warnings) = publishable(articles, options);
    // `None` when something changed that the edits do not explain: nothing is reused then.
    let map = Remap::new((previous.files, previous.changed), &published);
    let before: HashMap<&OsStr, &Article> = previous
        .before
        .iter()
        .map(|a| (a.file.as_os_str(), a))
        .collect();

    let mut taxonomies = Vec::with_capacity(config.taxonomies.len());
    let mut terms_by_taxonomy = Vec::with_capacity(config.taxonomies.len());
    for (t, tax_config) in config.taxonomies.iter().enumerate() {
        let same_values = map.as_ref().is_some_and(|map| {
            map.same_articles
                && map.old_changed.iter().all(|&i| {
                    let old = previous
                        .files
                        .get(i)
                        .and_then(|f| before.get(f.as_os_str()));
                    let new = map
                        .old_to_new
                        .get(i)
                        .copied()
                        .flatten()
                        .and_then(|j| published.get(j));
                    match (old, new) {
                        (Some(old), Some(new)) => {
                            field_values(old, &tax_config.field)
                                == field_values(new, &tax_config.field)
                        }
                        _ => false,
                    }
                })
        });
        let reused = previous.site.taxonomies.get(t).filter(|_| same_values);
        let (tax, per_article) = match (reused, &map) {
            (Some(old), Some(map)) => map.taxonomy(old, &previous.site.links, t),
            _ => taxonomy::build(tax_config, config.paginate, &published, &mut warnings),
        };
        taxonomies.push(tax);
        terms_by_taxonomy.push(per_article);
    }
    carrying(
        published,
        (config, (taxonomies, terms_by_taxonomy)),
        (map, previous.site),
        warnings,
    )
}

/// [`plan`](super::plan()), carrying each related list over from `earlier` (what an earlier
/// build kept of its plan) where [`replan`] would: for the articles far from every article in
/// `changed` (files whose article is not as it was then) in every term list. The taxonomies are
/// built anew. `gazette build` plans this way: counting every article's related list again was
/// the largest part of planning (a tenth of a publish's CPU at 10,000 articles).
pub fn plan_carrying(
    articles: Vec<Article>,
    config: Config,
    options: &PlanOptions,
    (earlier, changed): (&Related, &crate::content::Files),
) -> Result<Site> {
    let (published, mut warnings) = publishable(articles, options);
    let map = Remap::new((&earlier.files, changed), &published);
    let taxonomies = taxonomies(&config, &published, &mut warnings);
    carrying(published, (config, taxonomies), (map, earlier), warnings)
}

/// [`assemble`], with each related list carried over from `earlier` through `map` where the
/// change cannot have touched it (all counted again without a map).
fn carrying(
    published: Vec<Article>,
    (config, taxonomies): (Config, Taxonomies),
    (map, earlier): (Option<Remap>, &dyn Earlier),
    warnings: Vec<crate::error::Diagnostic>,
) -> Result<Site> {
    let related = |published: &[Article], tags: &Taxonomy, terms_of: &[Vec<usize>]| match &map {
        Some(map) => map.related(earlier, published, tags, terms_of),
        None => related::build(published, tags, terms_of),
    };
    assemble(published, config, taxonomies, related, warnings)
}

/// What a build keeps of its plan for the next one to carry the related lists over
/// ([`plan_carrying`]): the published articles' files in order, and by the same index each
/// article's terms of the first taxonomy and its related list, with that taxonomy's term lists.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    files: Vec<PathBuf>,
    terms: Vec<Vec<usize>>,
    related: Vec<Vec<usize>>,
    term_lists: Vec<Vec<usize>>,
}

impl Related {
    /// The published articles' files, in order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// What `site`'s plan leaves for the next.
    pub fn of(site: &Site) -> Related {
        let first = |l: &super::ArticleLinks| l.terms.first().cloned().unwrap_or_default();
        Related {
            files: site.articles.iter().map(|a| a.file.clone()).collect(),
            terms: site.links.iter().map(first).collect(),
            related: site.links.iter().map(|l| l.related.clone()).collect(),
            term_lists: site.taxonomies.first().map_or_else(Vec::new, |t| {
                t.terms.iter().map(|term| term.articles.clone()).collect()
            }),
        }
    }
}

/// What related lists are carried over from: an earlier plan's first taxonomy and links.
trait Earlier: Sync {
    /// Article `i`'s terms of the first taxonomy.
    fn terms(&self, i: usize) -> &[usize];
    /// The articles of term `k` of the first taxonomy.
    fn term(&self, k: usize) -> Option<&[usize]>;
    /// Article `i`'s related list.
    fn related(&self, i: usize) -> Option<&[usize]>;
}

impl Earlier for Site {
    fn terms(&self, i: usize) -> &[usize] {
        self.links
            .get(i)
            .and_then(|l| l.terms.first())
            .map_or(&[][..], Vec::as_slice)
    }

    fn term(&self, k: usize) -> Option<&[usize]> {
        let term = self.taxonomies.first()?.terms.get(k)?;
        Some(&term.articles)
    }

    fn related(&self, i: usize) -> Option<&[usize]> {
        Some(&self.links.get(i)?.related)
    }
}

impl Earlier for Related {
    fn terms(&self, i: usize) -> &[usize] {
        self.terms.get(i).map_or(&[][..], Vec::as_slice)
    }

    fn term(&self, k: usize) -> Option<&[usize]> {
        self.term_lists.get(k).map(Vec::as_slice)
    }

    fn related(&self, i: usize) -> Option<&[usize]> {
        self.related.get(i).map(Vec::as_slice)
    }
}

/// How the articles of the last plan map onto the new one.
struct Remap {
    /// Old index -> new index (`None`: no longer published).
    old_to_new: Vec<Option<usize>>,
    /// New index -> old index (`None`: newly published).
    new_to_old: Vec<Option<usize>>,
    /// New indices of articles that changed or are newly published.
    new_changed: Vec<usize>,
    /// Old indices of articles that changed or are no longer published.
    old_changed: Vec<usize>,
    /// The same files are published before and after.
    same_articles: bool,
}

impl Remap {
    /// Matches the two plans: the last one's published `files`, of which `changed` are not as
    /// they were, and the new one's `published` articles. Unchanged articles keep their order
    /// (they sort by the same keys), so one walk over both pairs them. `None` when an unchanged
    /// article went away.
    fn new(
        (files, changed): (&[PathBuf], &crate::content::Files),
        published: &[Article],
    ) -> Option<Remap> {
        // By the paths' bytes: a `Path` is hashed and compared component by component, and
        // this walks every article.
        let is_changed = |file: &OsStr| changed.contains(file);
        let mut old_to_new = vec![None; files.len()];
        let mut new_to_old = vec![None; published.len()];
        let mut old_changed = Vec::new();
        let mut new_changed = Vec::new();
        let mut j = 0;
        for (i, file) in files.iter().enumerate() {
            if is_changed(file.as_os_str()) {
                old_changed.push(i);
                continue;
            }
            loop {
                let article = published.get(j)?;
                j += 1;
                if article.file.as_os_str() == file.as_os_str() {
                    old_to_new[i] = Some(j - 1);
                    new_to_old[j - 1] = Some(i);
                    break;
                }
                // Changed, or published since (a future article whose time came).
                new_changed.push(j - 1);
            }
        }
        new_changed.extend(j..published.len());
        // Changed articles still published: pair them by file.
        let by_file: HashMap<&OsStr, usize> = new_changed
            .iter()
            .filter_map(|&j| Some((published.get(j)?.file.as_os_str(), j)))
            .collect();
        for &i in &old_changed {
            if let Some(&j) = files.get(i).and_then(|f| by_file.get(f.as_os_str())) {
                old_to_new[i] = Some(j);
                new_to_old[j] = Some(i);
            }
        }
        let same_articles = old_to_new.iter().all(Option::is_some)
            && new_to_old.iter().all(Option::is_some)
            && files.len() == published.len();
        Some(Remap {
            old_to_new,
            new_to_old,
            new_changed,
            old_changed,
            same_articles,
        })
    }

    fn new_index(&self, old: usize) -> Option<usize> {
        self.old_to_new.get(old).copied().flatten()
    }

    /// Taxonomy `t` of the last plan over the new article indices: valid when the same articles
    /// are published with the same values (so the same terms, counts, names and slugs).
    fn taxonomy(
        &self,
        old: &super::Taxonomy,
        links: &[super::ArticleLinks],
        t: usize,
    ) -> (super::Taxonomy, Vec<Vec<usize>>) {
        let mut tax = old.clone();
        for term in &mut tax.terms {
            for a in &mut term.articles {
                *a = self.new_index(*a).unwrap_or(usize::MAX);
            }
            // Mostly in order already: only the changed articles moved.
            term.articles.sort_unstable();
        }
        let per_article = self
            .new_to_old
            .iter()
            .map(|old| {
                old.and_then(|i| links.get(i))
                    .and_then(|l| l.terms.get(t))
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        (tax, per_article)
    }

    /// Related lists over the new plan: computed again for the articles whose candidates could
    /// have changed, the last plan's (renumbered) for the rest.
    ///
    /// An article's candidates are its neighbours within [`WINDOW`] places in each of its term
    /// lists. An article added to (or removed from) a term list at place `q` changes the window
    /// of the articles within `WINDOW` places of `q`; the others see the same neighbours, whose
    /// order (and so the ties) stays, since unchanged articles keep their order.
    fn related(
        &self,
        old: &dyn Earlier,
        published: &[Article],
        tags: &super::Taxonomy,
        terms_of: &[Vec<usize>],
    ) -> Vec<Vec<usize>> {
        // A little beyond the window, for safety at no real cost.
        let reach = WINDOW + 2;
        let mut stale = vec![false; published.len()];
        let mark = |stale: &mut Vec<bool>,
                    list: &[usize],
                    at: usize,
                    to_new: &dyn Fn(usize) -> Option<usize>| {
            let start = at.saturating_sub(reach);
            let end = (at + reach + 1).min(list.len());
            for &a in list.get(start..end).unwrap_or(&[]) {
                if let Some(s) = to_new(a).and_then(|j| stale.get_mut(j)) {
                    *s = true;
                }
            }
        };
        for &i in &self.old_changed {
            for term in old.terms(i).iter().filter_map(|&k| old.term(k)) {
                let at = term.binary_search(&i).unwrap_or_else(|p| p);
                mark(&mut stale, term, at, &|a| self.new_index(a));
            }
        }
        for &j in &self.new_changed {
            if let Some(s) = stale.get_mut(j) {
                *s = true;
            }
            let terms = terms_of.get(j).map_or(&[][..], Vec::as_slice);
            for term in terms.iter().filter_map(|&k| tags.terms.get(k)) {
                let at = term.articles.binary_search(&j).unwrap_or_else(|p| p);
                mark(&mut stale, &term.articles, at, &Some);
            }
        }
        let times = related::times(published);
        let compute = |j: usize| {
            let terms = terms_of.get(j).map_or(&[][..], Vec::as_slice);
            related::related_to(j, &times, tags, terms)
        };
        (0..published.len())
            .into_par_iter()
            .map(|j| {
                let kept = (!stale.get(j).copied().unwrap_or(true))
                    .then(|| {
                        let i = self.new_to_old.get(j).copied().flatten()?;
                        let old = old.related(i)?;
                        old.iter().map(|&a| self.new_index(a)).collect()
                    })
                    .flatten();
                kept.unwrap_or_else(|| compute(j))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::plan;
    use crate::site::tests::article;
    use chrono::{DateTime, Utc};

    /// A tiny deterministic generator (no dependency needed for a test).
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % n.max(1)
        }
    }

    const TAGS: [&str; 8] = ["big", "Big", "mid", "small", "rare", "c", "C++", "x y"];

    fn random_article(rng: &mut Lcg, n: usize) -> Article {
        // Few days and hours, so many articles share a day and some share a time (ties are
        // then broken by title).
        let day = 1 + rng.below(20);
        let hour = 8 + rng.below(3);
        let date = format!("2024-03-{day:02}T{hour:02}:00:00Z");
        let mut tags = vec![if rng.below(2) == 0 { "big" } else { "Big" }];
        for _ in 0..rng.below(3) {
            tags.push(TAGS[rng.below(TAGS.len())]);
        }
        let mut a = article(&format!("a{n}"), &date, &tags);
        a.title = format!("t{}", rng.below(50));
        a.path = format!("/{n}/");
        a
    }

    fn options() -> PlanOptions {
        PlanOptions {
            drafts: false,
            now: DateTime::parse_from_rfc3339("2024-03-15T00:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        }
    }

    fn config() -> Config {
        Config {
            paginate: 7,
            ..Config::default()
        }
    }

    /// Everything but the warnings.
    fn same(a: &Site, b: &Site) -> bool {
        let files = |s: &Site| {
            s.articles
                .iter()
                .map(|a| a.file.clone())
                .collect::<Vec<_>>()
        };
        files(a) == files(b)
            && a.links == b.links
            && a.taxonomies == b.taxonomies
            && a.years == b.years
            && a.pages == b.pages
    }

    #[test]
    fn replanning_after_any_edit_equals_planning_from_scratch() {
        let mut rng = Lcg(7);
        let mut pool: Vec<Article> = (0..400).map(|n| random_article(&mut rng, n)).collect();
        let mut next = pool.len();
        let mut site = plan(pool.clone(), config(), &options()).unwrap();
        // What `gazette build` keeps, carried from build to build the same way.
        let mut kept = Related::of(&site);
        for step in 0..300 {
            let mut changed = crate::content::Files::default();
            let mut before = Vec::new();
            for _ in 0..1 + rng.below(2) {
                let k = rng.below(pool.len());
                let kind = rng.below(9);
                if kind == 0 {
                    // A new article.
                    let a = random_article(&mut rng, next);
                    next += 1;
                    changed.insert(a.file.clone().into_os_string());
                    pool.push(a);
                    continue;
                }
                if changed.contains(pool[k].file.as_os_str()) {
                    continue;
                }
                changed.insert(pool[k].file.clone().into_os_string());
                before.push(pool[k].clone());
                let a = &mut pool[k];
                match kind {
                    1 => {
                        pool.swap_remove(k);
                    }
                    2 => a.body_html = format!("edited {step}").into(),
                    3 => a.title = format!("t{}", rng.below(50)),
                    4 => {
                        let other = random_article(&mut rng, 0);
                        a.date = other.date;
                    }
                    5 => a.tags = vec![TAGS[rng.below(TAGS.len())].to_string()],
                    6 => a.tags.push(format!("new {step}")),
                    7 => a.draft = !a.draft,
                    _ => a.tags.reverse(),
                }
            }
            let files: Vec<PathBuf> = site.articles.iter().map(|a| a.file.clone()).collect();
            let previous = Previous {
                site: &site,
                files: &files,
                changed: &changed,
                before: &before,
            };
            let again = replan(pool.clone(), config(), &options(), &previous).unwrap();
            let fresh = plan(pool.clone(), config(), &options()).unwrap();
            assert!(same(&again, &fresh), "step {step}: {changed:?}");
            site = again;
            let carried = plan_carrying(pool.clone(), config(), &options(), (&kept, &changed));
            let carried = carried.unwrap();
            assert!(same(&carried, &fresh), "carried, step {step}: {changed:?}");
            assert_eq!(carried.warnings, fresh.warnings);
            kept = Related::of(&carried);
        }
    }

    #[test]
    fn a_build_carries_the_related_lists_of_articles_far_from_every_change() {
        let mut rng = Lcg(11);
        let pool: Vec<Article> = (0..300).map(|n| random_article(&mut rng, n)).collect();
        let site = plan(pool.clone(), config(), &options()).unwrap();
        let mut kept = Related::of(&site);
        assert_eq!(
            kept.related,
            site.links
                .iter()
                .map(|l| l.related.clone())
                .collect::<Vec<_>>()
        );
        // A list only the kept plan has shows that it was carried; with the article changed,
        // or with every file changed, it is counted again.
        let last = kept.related.len() - 1;
        assert_ne!(site.links[last].related, [0]);
        kept.related[last] = vec![0];
        let nothing = crate::content::Files::default();
        let carried = plan_carrying(pool.clone(), config(), &options(), (&kept, &nothing));
        assert_eq!(carried.unwrap().links[last].related, [0]);
        let one: crate::content::Files = [kept.files[last].clone().into_os_string()]
            .into_iter()
            .collect();
        let counted = plan_carrying(pool.clone(), config(), &options(), (&kept, &one));
        assert_eq!(
            counted.unwrap().links[last].related,
            site.links[last].related
        );
        // Files in another order than the kept ones: nothing is carried.
        kept.files.swap(0, last);
        let counted = plan_carrying(pool, config(), &options(), (&kept, &nothing));
        assert_eq!(
            counted.unwrap().links[last].related,
            site.links[last].related
        );
    }
}
