//! Groups articles into taxonomy terms: spellings that differ only in case or spacing are one term,
//! shown in its most common spelling, and two terms never share a slug.

use std::collections::HashMap;

use crate::config::TaxonomyConfig;
use crate::content::Article;
use crate::error::Diagnostic;
use crate::slug;
use unicode_normalization::UnicodeNormalization;

use super::{Taxonomy, Term};

/// The values of a taxonomy's front-matter field for one article.
pub fn field_values<'a>(article: &'a Article, field: &str) -> Vec<&'a str> {
    match field {
        "tags" => article.tags.iter().map(String::as_str).collect(),
        "author" | "authors" => article.authors.iter().map(String::as_str).collect(),
        "source" => article.source.as_deref().into_iter().collect(),
        _ => match article.extra.get(field) {
            Some(serde_json::Value::String(s)) => vec![s.as_str()],
            Some(serde_json::Value::Array(items)) => {
                items.iter().filter_map(|v| v.as_str()).collect()
            }
            _ => Vec::new(),
        },
    }
}

/// The grouping key: Unicode NFC (so a composed and a decomposed `é`, or two encodings of one
/// Urdu letter, are one term), trimmed, inner whitespace collapsed, lowercase.
pub fn term_key(name: &str) -> String {
    let composed: String = name.nfc().collect();
    composed
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// One distinct value of the field, as written.
struct Spelling<'a> {
    text: &'a str,
    /// Its group (by [`term_key`]); `None` for a blank value.
    group: Option<usize>,
    /// Articles that carry it (once each).
    count: usize,
}

/// Builds one taxonomy over `articles` (already sorted newest first). Returns the taxonomy and,
/// per article, the indices of its terms (in the article's own order, without repeats).
pub fn build(
    config: &TaxonomyConfig,
    site_paginate: usize,
    articles: &[Article],
    warnings: &mut Vec<Diagnostic>,
) -> (Taxonomy, Vec<Vec<usize>>) {
    // A site has a few hundred spellings among tens of thousands of values: each spelling's
    // key is made once (NFC, lowercase: it was most of this function, on every `serve` save
    // that changes a term), then every value costs one lookup.
    let mut spellings: Vec<Spelling<'_>> = Vec::new();
    let mut spelling_of: HashMap<&str, usize> = HashMap::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    // Per group: its key and its articles.
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    let mut groups_per_article: Vec<Vec<usize>> = Vec::with_capacity(articles.len());
    for (i, article) in articles.iter().enumerate() {
        let mut ids: Vec<usize> = Vec::new();
        for value in field_values(article, &config.field) {
            let s = *spelling_of.entry(value).or_insert_with(|| {
                let key = term_key(value);
                let group = (!key.is_empty()).then(|| {
                    *group_of.entry(key.clone()).or_insert_with(|| {
                        groups.push((key, Vec::new()));
                        groups.len() - 1
                    })
                });
                spellings.push(Spelling {
                    text: value,
                    group,
                    count: 0,
                });
                spellings.len() - 1
            });
            let Some(spelling) = spellings.get_mut(s) else {
                continue;
            };
            let Some(group) = spelling.group.filter(|g| !ids.contains(g)) else {
                continue;
            };
            spelling.count += 1;
            if let Some((_, list)) = groups.get_mut(group) {
                list.push(i);
            }
            ids.push(group);
        }
        groups_per_article.push(ids);
    }
    // Spellings that differ only in surrounding spaces count as one.
    let mut counts: Vec<HashMap<&str, usize>> = vec![HashMap::new(); groups.len()];
    for spelling in &spellings {
        if let Some(counts) = spelling.group.and_then(|g| counts.get_mut(g)) {
            *counts.entry(spelling.text.trim()).or_default() += spelling.count;
        }
    }

    // In key order, so that slug suffixes below do not depend on the order articles come in.
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by(|&a, &b| groups[a].0.cmp(&groups[b].0));
    let mut groups: Vec<Option<(String, Vec<usize>)>> = groups.into_iter().map(Some).collect();
    let mut terms: Vec<(String, usize, Term)> = order
        .into_iter()
        .filter_map(|g| {
            let (key, list) = groups.get_mut(g)?.take()?;
            let spellings = std::mem::take(counts.get_mut(g)?);
            let name = spellings
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(s, _)| s.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default();
            let term = Term {
                slug: slug::slug_or_fallback(&name, &key),
                path: String::new(),
                name,
                articles: list,
            };
            Some((key, g, term))
        })
        .collect();

    // Slug clashes: keys are visited in sorted order, so the suffixes are deterministic. The
    // warning names the newest article carrying the renamed term: that is where to look.
    let mut taken: HashMap<String, String> = HashMap::new();
    for (_, _, term) in terms.iter_mut() {
        let base = term.slug.clone();
        let mut candidate = base.clone();
        let mut n = 2;
        while let Some(other) = taken.get(&candidate) {
            if n == 2 {
                let file = term
                    .articles
                    .first()
                    .and_then(|&i| articles.get(i))
                    .map_or_else(|| "site.toml".into(), |a| a.file.clone());
                warnings.push(Diagnostic::new(
                    file,
                    format!(
                        "{}: `{}` and `{}` both make the slug `{base}`, so `{}` gets a numbered one; \
                         spell them alike to merge them, or more differently to keep them apart",
                        config.name, other, term.name, term.name
                    ),
                ));
            }
            candidate = format!("{base}-{n}");
            n += 1;
        }
        taken.insert(candidate.clone(), term.name.clone());
        term.slug = candidate;
    }

    terms.sort_by(|a, b| {
        b.2.articles
            .len()
            .cmp(&a.2.articles.len())
            .then_with(|| a.0.cmp(&b.0))
    });
    // Group -> place in the sorted terms.
    let mut index_of = vec![None; terms.len()];
    for (i, (_, g, _)) in terms.iter().enumerate() {
        if let Some(slot) = index_of.get_mut(*g) {
            *slot = Some(i);
        }
    }

    let path = crate::urls::taxonomy(&config.name);
    let terms: Vec<Term> = terms
        .into_iter()
        .map(|(_, _, mut term)| {
            term.path = crate::urls::term(&path, &term.slug);
            term
        })
        .collect();
    let per_article = groups_per_article
        .into_iter()
        .map(|ids| {
            ids.iter()
                .filter_map(|&g| index_of.get(g).copied().flatten())
                .collect()
        })
        .collect();
    let taxonomy = Taxonomy {
        name: config.name.clone(),
        path,
        paginate: config.paginate.unwrap_or(site_paginate),
        terms,
    };
    (taxonomy, per_article)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::tests::article;
    use std::path::PathBuf;

    #[test]
    fn spellings_merge_and_most_common_wins() {
        let articles = vec![
            article("a", "2024-11-27T10:00:00Z", &["PTI", "Pakistan"]),
            article("b", "2024-11-26T10:00:00Z", &["pti", " Pakistan "]),
            article("c", "2024-11-25T10:00:00Z", &[" Pti ", "pti", "Lahore"]),
            article("d", "2024-11-24T10:00:00Z", &["PTI"]),
        ];
        let mut warnings = Vec::new();
        let (tax, per_article) = build(&TaxonomyConfig::tags(), 20, &articles, &mut warnings);
        let names: Vec<(&str, &str, usize)> = tax
            .terms
            .iter()
            .map(|t| (t.name.as_str(), t.slug.as_str(), t.articles.len()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("PTI", "pti", 4),
                ("Pakistan", "pakistan", 2),
                ("Lahore", "lahore", 1)
            ]
        );
        assert_eq!(tax.terms[0].articles, vec![0, 1, 2, 3]);
        assert_eq!(tax.terms[0].path, "/tags/pti/");
        assert_eq!(per_article[2], vec![0, 2]);
        assert!(warnings.is_empty());
    }

    /// Builds the tags of one article per entry of `tags` (newest first): the sorted
    /// (name, slug) pairs and the warnings.
    fn slugs(tags: &[&str]) -> (Vec<(String, String)>, Vec<Diagnostic>) {
        let articles: Vec<Article> = tags
            .iter()
            .zip(["a", "b", "c"])
            .zip(1..)
            .map(|((tag, name), age)| {
                article(name, &format!("2024-11-{:02}T10:00:00Z", 28 - age), &[tag])
            })
            .collect();
        let mut warnings = Vec::new();
        let (tax, _) = build(&TaxonomyConfig::tags(), 20, &articles, &mut warnings);
        let mut slugs: Vec<(String, String)> =
            tax.terms.into_iter().map(|t| (t.name, t.slug)).collect();
        slugs.sort();
        (slugs, warnings)
    }

    fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|&(name, slug)| (name.to_string(), slug.to_string()))
            .collect()
    }

    #[test]
    fn slug_clash_gets_a_deterministic_suffix_and_a_warning() {
        let (slugs, warnings) = slugs(&["C++", "C"]);
        assert_eq!(slugs, pairs(&[("C", "c"), ("C++", "c-2")]));
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].path, PathBuf::from("content/a.md"));
        assert!(
            warnings[0]
                .message
                .starts_with("tags: `C` and `C++` both make the slug `c`")
        );
    }

    #[test]
    fn a_clash_with_a_numbered_slug_still_gives_distinct_slugs() {
        let (slugs, warnings) = slugs(&["K-Electric", "K Electric 2", "K Electric"]);
        assert_eq!(
            slugs,
            pairs(&[
                ("K Electric", "k-electric"),
                ("K Electric 2", "k-electric-2"),
                ("K-Electric", "k-electric-3")
            ])
        );
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn composed_and_decomposed_spellings_are_one_term() {
        let articles = vec![
            article("a", "2024-11-27T10:00:00Z", &["Caf\u{e9}"]),
            article("b", "2024-11-26T10:00:00Z", &["Cafe\u{301}"]),
            article("c", "2024-11-25T10:00:00Z", &["CAF\u{c9}"]),
        ];
        let mut warnings = Vec::new();
        let (tax, _) = build(&TaxonomyConfig::tags(), 20, &articles, &mut warnings);
        assert_eq!(tax.terms.len(), 1, "{:?}", tax.terms);
        assert_eq!(tax.terms[0].slug, "caf\u{e9}");
        assert_eq!(tax.terms[0].articles, vec![0, 1, 2]);
        assert!(warnings.is_empty());
    }

    #[test]
    fn unicode_terms_get_readable_slugs() {
        let articles = vec![article(
            "a",
            "2024-11-27T10:00:00Z",
            &["عمران خان", "巴基斯坦"],
        )];
        let (tax, _) = build(&TaxonomyConfig::tags(), 20, &articles, &mut Vec::new());
        let slugs: Vec<&str> = tax.terms.iter().map(|t| t.slug.as_str()).collect();
        assert!(slugs.contains(&"عمران-خان"), "{slugs:?}");
        assert!(slugs.contains(&"巴基斯坦"), "{slugs:?}");
    }
}
