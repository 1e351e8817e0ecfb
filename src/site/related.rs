//! Related articles: most shared terms of the first taxonomy (tags), then closest date.

use std::cmp::Reverse;

use rayon::prelude::*;

use crate::content::Article;

use super::Taxonomy;

/// How many related articles an article page shows.
pub const RELATED: usize = 5;
/// Candidates are taken from this many neighbours on each side within every shared term, so
/// the cost stays linear even when a tag has tens of thousands of articles.
pub(super) const WINDOW: usize = 50;

/// For each article, up to [`RELATED`] related article indices.
pub fn build(articles: &[Article], tags: &Taxonomy, terms_of: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let times = times(articles);
    (0..articles.len())
        .into_par_iter()
        .map(|i| {
            let terms = terms_of.get(i).map(Vec::as_slice).unwrap_or(&[]);
            related_to(i, &times, tags, terms)
        })
        .collect()
}

/// Seconds since the epoch of each article, computed once: date arithmetic inside the sort
/// showed in profiles.
pub(super) fn times(articles: &[Article]) -> Vec<i64> {
    articles.iter().map(|a| a.date.timestamp()).collect()
}

/// Up to [`RELATED`] related articles of article `i`, whose terms (in `tags`) are `terms`.
pub(super) fn related_to(i: usize, times: &[i64], tags: &Taxonomy, terms: &[usize]) -> Vec<usize> {
    // Each shared term's window of neighbours is sorted (term lists are in article order), so
    // the candidates are counted by merging the windows: sorting them all together was a
    // seventh of an unchanged build's CPU at 10,000 articles, and a hash map per article before
    // that most of the planning time.
    let mut windows: Vec<&[usize]> = Vec::with_capacity(terms.len());
    for &t in terms {
        let Some(term) = tags.terms.get(t) else {
            continue;
        };
        // The article's neighbours by date sit around it.
        let pos = term.articles.binary_search(&i).unwrap_or_else(|p| p);
        let start = pos.saturating_sub(WINDOW);
        let end = (pos + WINDOW + 1).min(term.articles.len());
        windows.push(term.articles.get(start..end).unwrap_or_default());
    }
    let time = times[i];
    // The best few so far, best first: most shared terms, then closest in time, then lowest
    // index. Kept as the candidates come, so no list of every candidate is made and sorted.
    let mut best: Vec<(Reverse<usize>, u64, usize)> = Vec::with_capacity(RELATED + 1);
    while let Some(j) = windows.iter().filter_map(|w| w.first()).min().copied() {
        let mut count = 0;
        for window in &mut windows {
            if let Some((&first, rest)) = window.split_first()
                && first == j
            {
                *window = rest;
                count += 1;
            }
        }
        if j == i {
            continue;
        }
        let rank = (Reverse(count), (times[j] - time).unsigned_abs(), j);
        if best.len() < RELATED || best.last().is_some_and(|worst| rank < *worst) {
            let at = best.partition_point(|b| *b < rank);
            best.insert(at, rank);
            best.truncate(RELATED);
        }
    }
    // A new vector, sized to fit: every article keeps its list until the build ends.
    let mut related = Vec::with_capacity(best.len());
    related.extend(best.iter().map(|&(_, _, j)| j));
    related
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TaxonomyConfig;
    use crate::site::taxonomy;
    use crate::site::tests::article;

    #[test]
    fn most_shared_then_closest() {
        let articles = vec![
            article("a", "2024-11-30T10:00:00Z", &["x"]),
            article("b", "2024-11-29T10:00:00Z", &["x", "y"]),
            article("c", "2024-11-28T10:00:00Z", &["x", "y", "z"]),
            article("d", "2024-11-20T10:00:00Z", &["x", "y"]),
            article("e", "2024-11-27T10:00:00Z", &["q"]),
        ];
        let (tags, terms_of) =
            taxonomy::build(&TaxonomyConfig::tags(), 20, &articles, &mut Vec::new());
        let related = build(&articles, &tags, &terms_of);
        // c shares two tags with b and d; b is closer in time; a shares one.
        assert_eq!(related[2], vec![1, 3, 0]);
        assert_eq!(related[4], Vec::<usize>::new());
    }

    /// The counting as it was before the windows were merged: every window's candidates
    /// sorted together.
    fn by_sorting(i: usize, times: &[i64], tags: &Taxonomy, terms: &[usize]) -> Vec<usize> {
        let mut seen: Vec<usize> = Vec::new();
        for &t in terms {
            let term = &tags.terms[t];
            let pos = term.articles.binary_search(&i).unwrap_or_else(|p| p);
            let start = pos.saturating_sub(WINDOW);
            let end = (pos + WINDOW + 1).min(term.articles.len());
            seen.extend(term.articles[start..end].iter().filter(|&&o| o != i));
        }
        seen.sort_unstable();
        let mut counted: Vec<(usize, usize)> = Vec::new();
        for j in seen {
            match counted.last_mut() {
                Some((last, count)) if *last == j => *count += 1,
                _ => counted.push((j, 1)),
            }
        }
        let distance = |j: usize| (times[j] - times[i]).unsigned_abs();
        counted.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then(distance(a.0).cmp(&distance(b.0)))
                .then(a.0.cmp(&b.0))
        });
        counted.into_iter().take(RELATED).map(|(j, _)| j).collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        #[test]
        fn merging_the_windows_counts_as_sorting_them_did(
            picks in proptest::collection::vec((0u32..6, 0u32..64, 0u32..40), 1..300)
        ) {
            const POOL: [&str; 6] = ["a", "b", "c", "d", "e", "f"];
            let articles: Vec<Article> = picks
                .iter()
                .enumerate()
                .map(|(n, &(mask, hours, day))| {
                    let tags: Vec<&str> = POOL
                        .iter()
                        .enumerate()
                        .filter(|&(b, _)| (mask + hours) & (1 << b) != 0 || b as u32 == mask)
                        .map(|(_, t)| *t)
                        .collect();
                    let date = format!("2024-03-{:02}T{:02}:00:00Z", 1 + day % 28, hours % 24);
                    article(&format!("n{n}"), &date, &tags)
                })
                .collect();
            let (tags, terms_of) =
                taxonomy::build(&TaxonomyConfig::tags(), 20, &articles, &mut Vec::new());
            let times = times(&articles);
            for (i, terms) in terms_of.iter().enumerate() {
                proptest::prop_assert_eq!(
                    related_to(i, &times, &tags, terms),
                    by_sorting(i, &times, &tags, terms)
                );
            }
        }
    }
}
