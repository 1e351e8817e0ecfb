//! Article views: the full [`ArticleView`] of an article page (with its JSON-LD) and the smaller
//! [`CardView`] every list shows.

use chrono::{DateTime, FixedOffset};
use tera::Value;

use super::views::{ArticleTermsView, ArticleView, CardView, HeadingView, TagView};
use crate::content::Article;
use crate::content::article::ImageAt;
use crate::feeds::rebase_html;
use crate::site::{ArticleLinks, Site};
use crate::urls::Urls;
use crate::urls::is_absolute_url;

/// The RFC 3339 form of every date templates see.
pub fn rfc3339(date: &DateTime<FixedOffset>) -> String {
    date.to_rfc3339()
}

/// Tags from the first taxonomy (tags), in the order the model gives.
fn tags(site: &Site, urls: &Urls, links: Option<&ArticleLinks>) -> Vec<TagView> {
    terms_of(site, urls, links, 0)
}

/// The terms of taxonomy `t` an article carries, in the order the model gives.
fn terms_of(site: &Site, urls: &Urls, links: Option<&ArticleLinks>, t: usize) -> Vec<TagView> {
    let (Some(links), Some(taxonomy)) = (links, site.taxonomies.get(t)) else {
        return Vec::new();
    };
    let Some(terms) = links.terms.get(t) else {
        return Vec::new();
    };
    terms
        .iter()
        .filter_map(|t| taxonomy.terms.get(*t))
        .map(|term| TagView {
            name: term.name.clone(),
            slug: term.slug.clone(),
            url: urls.path(&term.path),
        })
        .collect()
}

/// Every taxonomy with the terms the article carries.
fn taxonomies(site: &Site, urls: &Urls, links: Option<&ArticleLinks>) -> Vec<ArticleTermsView> {
    site.taxonomies
        .iter()
        .enumerate()
        .map(|(t, taxonomy)| ArticleTermsView {
            name: taxonomy.name.clone(),
            url: urls.path(&taxonomy.path),
            terms: terms_of(site, urls, links, t),
        })
        .collect()
}

/// The lead image as (href, absolute URL): an absolute URL stays, `/x.jpg` is a site path, and
/// `photo.jpg` sits beside the article page.
fn image(article: &Article, urls: &Urls) -> Option<(String, String)> {
    Some(match article.image_at()? {
        ImageAt::Elsewhere(url) => (url.to_string(), url.to_string()),
        ImageAt::Site(path) => (urls.path(&path), urls.absolute(&path)),
    })
}

/// The link to the original report: an absolute URL stays, a site path (`/x/`) gets the base
/// path like every other link.
fn source_url(article: &Article, urls: &Urls) -> Option<String> {
    let url = article.source_url.as_deref()?.trim();
    if url.is_empty() {
        None
    } else if is_absolute_url(url) {
        Some(url.to_string())
    } else {
        Some(urls.path(url))
    }
}

/// Article HTML made to work on any page (cards show summaries on list pages, under any base
/// path): links relative to the article or to the site root become root-relative links.
fn portable(html: &str, article: &Article, urls: &Urls) -> Value {
    Value::safe_string(&rebase_html(html, &urls.absolute(&article.path), urls))
}

fn day_url(urls: &Urls, links: Option<&ArticleLinks>) -> String {
    links.map(|l| urls.path(&l.day_path)).unwrap_or_default()
}

/// The card of article `i`.
pub fn card(site: &Site, urls: &Urls, i: usize) -> Option<CardView> {
    let article = site.articles.get(i)?;
    let links = site.links.get(i);
    Some(CardView {
        title: article.title.clone(),
        url: urls.path(&article.path),
        date: rfc3339(&article.date),
        updated: article.updated.as_ref().map(rfc3339),
        summary: article.summary.clone(),
        summary_html: portable(&article.summary_html, article, urls),
        tags: tags(site, urls, links),
        authors: site.bylines(article).to_vec(),
        source: article.source.clone(),
        source_url: source_url(article, urls),
        reading_time: article.reading_minutes,
        image: image(article, urls).map(|(href, _)| href),
        image_alt: article.image_alt.clone(),
        day_url: day_url(urls, links),
        featured: article.featured,
    })
}

/// The full view of article `i`; `cards` are every article's card, by index.
pub fn article_view(
    site: &Site,
    urls: &Urls,
    i: usize,
    cards: &[Value],
) -> Result<ArticleView, String> {
    let article = site
        .articles
        .get(i)
        .ok_or_else(|| format!("the plan names article {i}, which does not exist"))?;
    let links = site.links.get(i);
    let card_of = |j: &usize| cards.get(*j).cloned();
    let permalink = urls.absolute(&article.path);
    let image = image(article, urls);
    let authors = site.bylines(article).to_vec();
    let json_ld = json_ld(site, article, &authors, &permalink, image.as_ref())?;
    Ok(ArticleView {
        title: article.title.clone(),
        url: urls.path(&article.path),
        permalink,
        slug: article.slug.clone(),
        date: rfc3339(&article.date),
        updated: article.updated.as_ref().map(rfc3339),
        tags: tags(site, urls, links),
        taxonomies: taxonomies(site, urls, links),
        authors,
        summary: article.summary.clone(),
        summary_html: portable(&article.summary_html, article, urls),
        content: portable(&article.body_html, article, urls),
        headings: article
            .headings
            .iter()
            .map(|h| HeadingView {
                level: h.level,
                id: h.id.clone(),
                text: h.text.clone(),
            })
            .collect(),
        word_count: article.word_count,
        reading_time: article.reading_minutes,
        source: article.source.clone(),
        source_url: source_url(article, urls),
        image_permalink: image.as_ref().map(|(_, absolute)| absolute.clone()),
        image: image.map(|(href, _)| href),
        image_caption: article.image_caption.clone(),
        image_alt: article.image_alt.clone(),
        extra: article.extra.clone(),
        day_url: day_url(urls, links),
        json_ld: Value::safe_string(&json_ld),
        newer: links.and_then(|l| l.newer.as_ref()).and_then(card_of),
        older: links.and_then(|l| l.older.as_ref()).and_then(card_of),
        related: links
            .map(|l| l.related.iter().filter_map(card_of).collect())
            .unwrap_or_default(),
    })
}

/// A schema.org `NewsArticle`, serialised by serde_json and made safe to sit inside
/// `<script type="application/ld+json">` (no `<`, `>` or `&` left to end the element).
fn json_ld(
    site: &Site,
    article: &Article,
    authors: &[String],
    permalink: &str,
    image: Option<&(String, String)>,
) -> Result<String, String> {
    let published = rfc3339(&article.date);
    let modified = article.updated.as_ref().map(rfc3339);
    let mut object = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": published,
        "dateModified": modified.unwrap_or_else(|| published.clone()),
        "publisher": {
            "@type": "Organization",
            "name": site.config.title,
            "url": site.config.base_url,
        },
        "mainEntityOfPage": permalink,
        "url": permalink,
        "description": article.summary,
    });
    if let Some(map) = object.as_object_mut() {
        if !authors.is_empty() {
            let people: Vec<serde_json::Value> = authors
                .iter()
                .map(|name| {
                    let kind = if site.config.organizations.contains(name) {
                        "Organization"
                    } else {
                        "Person"
                    };
                    serde_json::json!({ "@type": kind, "name": name })
                })
                .collect();
            map.insert("author".into(), serde_json::Value::Array(people));
        }
        if let Some((_, absolute)) = image {
            map.insert("image".into(), serde_json::Value::String(absolute.clone()));
        }
    }
    let text = serde_json::to_string(&object).map_err(|e| format!("JSON-LD: {e}"))?;
    Ok(script_safe(&text))
}

/// Escapes the characters that could close or confuse a `<script>` element; JSON reads the
/// `\u` escapes back as the same characters.
fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_safe_json_reads_back_the_same() {
        let raw = r#"{"a":"</script><b> & \u2028"}"#;
        let safe = script_safe(raw);
        assert!(!safe.contains(['<', '>', '&']));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["a"], "</script><b> & \u{2028}");
    }
}
