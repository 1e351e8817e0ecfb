//! Related articles: most shared terms of the first taxonomy (tags), then closest date.

use std::collections::HashMap;

use crate::content::Article;

use super::Taxonomy;

/// How many related articles an article page shows.
pub const RELATED: usize = 5;
/// Candidates are taken from this many neighbours on each side within every shared term, so
/// the cost stays linear even when a tag has tens of thousands of articles.
const WINDOW: usize = 50;

/// For each article, up to [`RELATED`] related article indices.
pub fn build(articles: &[Article], tags: &Taxonomy, terms_of: &[Vec<usize>]) -> Vec<Vec<usize>> {
    (0..articles.len())
        .map(|i| {
            related_to(
                i,
                articles,
                tags,
                terms_of.get(i).map(Vec::as_slice).unwrap_or(&[]),
            )
        })
        .collect()
}

fn related_to(i: usize, articles: &[Article], tags: &Taxonomy, terms: &[usize]) -> Vec<usize> {
    let mut shared: HashMap<usize, usize> = HashMap::new();
    for &t in terms {
        let Some(term) = tags.terms.get(t) else {
            continue;
        };
        // Term lists are in article order, so the article's neighbours by date sit around it.
        let pos = term.articles.binary_search(&i).unwrap_or_else(|p| p);
        let start = pos.saturating_sub(WINDOW);
        let end = (pos + WINDOW + 1).min(term.articles.len());
        for &other in &term.articles[start..end] {
            if other != i {
                *shared.entry(other).or_default() += 1;
            }
        }
    }
    let date = articles[i].date;
    let mut candidates: Vec<(usize, usize)> = shared.into_iter().collect();
    candidates.sort_by(|a, b| {
        let da = (articles[a.0].date - date).num_seconds().unsigned_abs();
        let db = (articles[b.0].date - date).num_seconds().unsigned_abs();
        b.1.cmp(&a.1).then(da.cmp(&db)).then(a.0.cmp(&b.0))
    });
    candidates
        .into_iter()
        .take(RELATED)
        .map(|(j, _)| j)
        .collect()
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
}
