//! Related articles: most shared terms of the first taxonomy (tags), then closest date.

use std::cmp::Reverse;

use rayon::prelude::*;

use crate::content::Article;

use super::Taxonomy;

/// How many related articles an article page shows.
pub const RELATED: usize = 5;
/// Candidates are taken from this many neighbours on each side within every shared term, so
/// the cost stays linear even when a tag has tens of thousands of articles.
const WINDOW: usize = 50;

/// For each article, up to [`RELATED`] related article indices.
pub fn build(articles: &[Article], tags: &Taxonomy, terms_of: &[Vec<usize>]) -> Vec<Vec<usize>> {
    // Dates as integers once, so ranking candidates is integer arithmetic (`serve` re-plans the
    // whole site on every save, so this runs on every edit).
    let dates: Vec<(i64, i64)> = articles
        .iter()
        .map(|a| {
            (
                a.date.timestamp(),
                i64::from(a.date.timestamp_subsec_nanos()),
            )
        })
        .collect();
    // Each chunk reuses one table of counts (allocating one per article would cost the square).
    let all: Vec<usize> = (0..articles.len()).collect();
    let chunk = articles
        .len()
        .div_ceil(4 * rayon::current_num_threads())
        .max(256);
    let chunks: Vec<Vec<Vec<usize>>> = all
        .par_chunks(chunk)
        .map(|indices| {
            let mut counts = Counts {
                shared: vec![0; articles.len()],
                touched: Vec::new(),
            };
            indices
                .iter()
                .map(|&i| {
                    let terms = terms_of.get(i).map(Vec::as_slice).unwrap_or(&[]);
                    related_to(i, &dates, tags, terms, &mut counts)
                })
                .collect()
        })
        .collect();
    chunks.into_iter().flatten().collect()
}

/// Whole seconds between two (seconds, nanoseconds) times, the fraction dropped as
/// `TimeDelta::num_seconds` drops it, without dividing.
fn whole_seconds_apart(a: (i64, i64), b: (i64, i64)) -> u64 {
    let (seconds, nanos) = (a.0.saturating_sub(b.0), a.1 - b.1);
    let whole = match (seconds, nanos) {
        (s, n) if s > 0 && n < 0 => s - 1,
        (s, n) if s < 0 && n > 0 => s + 1,
        (s, _) => s,
    };
    whole.unsigned_abs()
}

/// Shared-term counts per article, reused across articles: only the touched entries are reset.
struct Counts {
    shared: Vec<u32>,
    touched: Vec<usize>,
}

fn related_to(
    i: usize,
    dates: &[(i64, i64)],
    tags: &Taxonomy,
    terms: &[usize],
    counts: &mut Counts,
) -> Vec<usize> {
    for &t in terms {
        let Some(term) = tags.terms.get(t) else {
            continue;
        };
        // Term lists are in article order, so the article's neighbours by date sit around it.
        let pos = term.articles.binary_search(&i).unwrap_or_else(|p| p);
        let start = pos.saturating_sub(WINDOW);
        let end = (pos + WINDOW + 1).min(term.articles.len());
        for &other in &term.articles[start..end] {
            if other != i
                && let Some(n) = counts.shared.get_mut(other)
            {
                if *n == 0 {
                    counts.touched.push(other);
                }
                *n += 1;
            }
        }
    }
    let date = dates.get(i).copied().unwrap_or_default();
    // Most shared terms, then closest in time (whole seconds), then article order.
    let mut candidates: Vec<(Reverse<u32>, u64, usize)> = counts
        .touched
        .drain(..)
        .map(|j| {
            let shared = std::mem::take(&mut counts.shared[j]);
            (Reverse(shared), whole_seconds_apart(dates[j], date), j)
        })
        .collect();
    if candidates.len() > RELATED {
        candidates.select_nth_unstable(RELATED);
        candidates.truncate(RELATED);
    }
    candidates.sort_unstable();
    candidates.into_iter().map(|(_, _, j)| j).collect()
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

    #[test]
    fn whole_seconds_match_chrono() {
        let times = [
            "2024-11-30T10:00:00Z",
            "2024-11-30T10:00:00.700Z",
            "2024-11-30T10:00:01.200Z",
            "2024-11-29T09:59:59.999999999Z",
            "1999-01-01T00:00:00+05:00",
        ];
        for a in times {
            for b in times {
                let (a, b) = (
                    chrono::DateTime::parse_from_rfc3339(a).unwrap(),
                    chrono::DateTime::parse_from_rfc3339(b).unwrap(),
                );
                let parts = |d: chrono::DateTime<chrono::FixedOffset>| {
                    (d.timestamp(), i64::from(d.timestamp_subsec_nanos()))
                };
                assert_eq!(
                    whole_seconds_apart(parts(a), parts(b)),
                    (a - b).num_seconds().unsigned_abs(),
                    "{a} {b}"
                );
            }
        }
    }
}
