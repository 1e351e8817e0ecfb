//! Article views: the full [`ArticleView`] of an article page (with its JSON-LD) and the smaller
//! [`CardView`] every list shows.

use chrono::{DateTime, FixedOffset};
use tera::Value;

use super::functions::is_absolute_url;
use super::views::{ArticleView, CardView, HeadingView, TagView};
use crate::content::Article;
use crate::feeds::rebase_html;
use crate::site::{ArticleLinks, Site};
use crate::urls::Urls;

/// The RFC 3339 form of every date templates see.
pub fn rfc3339(date: &DateTime<FixedOffset>) -> String {
    date.to_rfc3339()
}

/// The article's authors, else the site's author, else none.
fn authors(site: &Site, article: &Article) -> Vec<String> {
    if !article.authors.is_empty() {
        article.authors.clone()
    } else {
        site.config.author.iter().cloned().collect()
    }
}

/// Tags from the first taxonomy (tags), in the order the model gives.
fn tags(site: &Site, urls: &Urls, links: Option<&ArticleLinks>) -> Vec<TagView> {
    let (Some(links), Some(taxonomy)) = (links, site.taxonomies.first()) else {
        return Vec::new();
    };
    let Some(terms) = links.terms.first() else {
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

/// The lead image as (href, absolute URL): an absolute URL stays, `/x.jpg` is a site path, and
/// `photo.jpg` sits beside the article page.
fn image(article: &Article, urls: &Urls) -> Option<(String, String)> {
    let image = article.image.as_deref()?.trim();
    if image.is_empty() {
        return None;
    }
    if is_absolute_url(image) {
        return Some((image.to_string(), image.to_string()));
    }
    let site_path = if image.starts_with('/') {
        image.to_string()
    } else {
        format!("{}{}", article.path, image.trim_start_matches("./"))
    };
    Some((urls.path(&site_path), urls.absolute(&site_path)))
}

/// A link from front matter (`source_url`): a URL with a scheme stays, a site path gets the base
/// path like every other link.
fn href(urls: &Urls, link: Option<&String>) -> Option<String> {
    link.map(|l| {
        if is_absolute_url(l) {
            l.clone()
        } else {
            urls.path(l)
        }
    })
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
        summary_html: Value::safe_string(&rebase_html(&article.summary_html, urls)),
        tags: tags(site, urls, links),
        authors: authors(site, article),
        source: article.source.clone(),
        source_url: href(urls, article.source_url.as_ref()),
        reading_time: article.reading_minutes,
        image: image(article, urls).map(|(href, _)| href),
        image_alt: article.image_alt.clone(),
        day_url: day_url(urls, links),
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
    let authors = authors(site, article);
    let json_ld = json_ld(site, article, &authors, &permalink, image.as_ref())?;
    Ok(ArticleView {
        title: article.title.clone(),
        url: urls.path(&article.path),
        permalink,
        slug: article.slug.clone(),
        date: rfc3339(&article.date),
        updated: article.updated.as_ref().map(rfc3339),
        tags: tags(site, urls, links),
        authors,
        summary: article.summary.clone(),
        summary_html: Value::safe_string(&rebase_html(&article.summary_html, urls)),
        content: Value::safe_string(&rebase_html(&article.body_html, urls)),
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
        source_url: href(urls, article.source_url.as_ref()),
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
        "publisher": { "@type": "Organization", "name": site.config.title },
        "mainEntityOfPage": permalink,
        "url": permalink,
        "description": article.summary,
    });
    if let Some(map) = object.as_object_mut() {
        if !authors.is_empty() {
            let people: Vec<serde_json::Value> = authors
                .iter()
                .map(|name| serde_json::json!({ "@type": "Person", "name": name }))
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
