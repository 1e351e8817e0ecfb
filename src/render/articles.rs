//! Article views: the full [`ArticleView`] of an article page (with its JSON-LD) and the smaller
//! [`CardView`] every list shows.

use chrono::{DateTime, FixedOffset};
use tera::Value;

use serde::Serialize;

use super::views::{ArticleTermsView, ArticleView, CardView, HeadingView, TagView};
use crate::config::Config;
use crate::content::Article;
use crate::content::article::ImageAt;
use crate::feeds::rebase_html;
use crate::site::{Site, bylines};
use crate::urls::Urls;
use crate::urls::is_absolute_url;

/// The RFC 3339 form of every date templates see.
pub fn rfc3339(date: &DateTime<FixedOffset>) -> String {
    date.to_rfc3339()
}

/// Everything of the model an article's views are made from: its card, its page's `article`
/// view, and that page's title, description and sharing image. Besides this only the settings
/// (`site.toml`, in every key's salt), the URLs and the neighbours' cards go in. Page keys
/// fingerprint this same value ([`super::keys`]), and the views can read nothing else, so a
/// page keyed by it cannot miss an input.
#[derive(Serialize)]
pub struct ArticleInputs<'a> {
    /// The article, whole.
    pub article: &'a Article,
    /// Its day archive's site path.
    pub day_path: &'a str,
    /// Each taxonomy (in the model's order) with the terms of it the article carries.
    pub taxonomies: Vec<TaxonomyInputs<'a>>,
}

/// A taxonomy as an article's views show it.
#[derive(Serialize)]
pub struct TaxonomyInputs<'a> {
    name: &'a str,
    path: &'a str,
    /// The article's terms of it, in the model's order.
    terms: Vec<TermInputs<'a>>,
}

/// A term as an article's views show it (not its list of articles).
#[derive(Serialize)]
struct TermInputs<'a> {
    /// Where the term is in its taxonomy's list: what it is shown as is keyed by the rest.
    #[serde(skip)]
    index: usize,
    name: &'a str,
    slug: &'a str,
    path: &'a str,
}

/// The inputs of article `i` of `site`.
pub fn inputs(site: &Site, i: usize) -> Option<ArticleInputs<'_>> {
    let article = site.articles.get(i)?;
    let links = site.links.get(i);
    let taxonomies = site
        .taxonomies
        .iter()
        .enumerate()
        .map(|(t, taxonomy)| TaxonomyInputs {
            name: &taxonomy.name,
            path: &taxonomy.path,
            terms: links
                .and_then(|l| l.terms.get(t))
                .into_iter()
                .flatten()
                .filter_map(|&k| Some((k, taxonomy.terms.get(k)?)))
                .map(|(index, term)| TermInputs {
                    index,
                    name: &term.name,
                    slug: &term.slug,
                    path: &term.path,
                })
                .collect(),
        })
        .collect();
    Some(ArticleInputs {
        article,
        day_path: links.map_or("", |l| l.day_path.as_str()),
        taxonomies,
    })
}

impl<'a> TaxonomyInputs<'a> {
    fn terms(&self, urls: &Urls) -> Vec<TagView<'a>> {
        self.terms.iter().map(|term| term.view(urls)).collect()
    }
}

impl<'a> TermInputs<'a> {
    fn view(&self, urls: &Urls) -> TagView<'a> {
        TagView {
            name: self.name,
            slug: self.slug,
            url: urls.path(self.path),
        }
    }
}

/// Each term of the first taxonomy (the tags) as a card shows it, made once for all the cards of
/// a render, which share them: made for each card, the tags were a third of the 100,000 cards a
/// publish builds at 100,000 articles.
pub struct TagValues(Vec<Value>);

impl TagValues {
    /// The tags of `site`.
    pub fn new(site: &Site, urls: &Urls) -> Result<TagValues, String> {
        let terms = site.taxonomies.first().map_or(&[][..], |t| &t.terms[..]);
        let view = |(index, term): (usize, &crate::site::Term)| {
            let term = TermInputs {
                index,
                name: &term.name,
                slug: &term.slug,
                path: &term.path,
            };
            super::views::to_value(&term.view(urls))
        };
        terms
            .iter()
            .enumerate()
            .map(view)
            .collect::<Result<_, _>>()
            .map(TagValues)
    }
}

impl<'a> ArticleInputs<'a> {
    /// Tags: the terms of the first taxonomy.
    fn tags(&self, urls: &Urls) -> Vec<TagView<'a>> {
        self.taxonomies
            .first()
            .map(|t| t.terms(urls))
            .unwrap_or_default()
    }

    /// The tags as values, taken from `made` (made now for a term it lacks).
    fn tag_values(&self, made: &TagValues, urls: &Urls) -> Result<Vec<Value>, String> {
        let terms = self.taxonomies.first().map_or(&[][..], |t| &t.terms[..]);
        terms
            .iter()
            .map(|term| match made.0.get(term.index) {
                Some(value) => Ok(value.clone()),
                None => super::views::to_value(&term.view(urls)),
            })
            .collect()
    }

    /// Every taxonomy with the terms the article carries.
    fn taxonomies(&self, urls: &Urls) -> Vec<ArticleTermsView<'a>> {
        self.taxonomies
            .iter()
            .map(|t| ArticleTermsView {
                name: t.name.to_string(),
                url: urls.path(t.path),
                terms: t.terms(urls),
            })
            .collect()
    }

    fn day_url(&self, urls: &Urls) -> String {
        if self.day_path.is_empty() {
            String::new()
        } else {
            urls.path(self.day_path)
        }
    }
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
    // Without an attribute value there is no URL to rebase (`rebase_html` would copy the HTML
    // as it is): most summaries. Rebased anyway, the summaries of a publish's 100,000 cards
    // were 1.4% of its CPU.
    if !html.contains('=') {
        return Value::safe_string(html);
    }
    Value::safe_string(&rebase_html(html, &urls.absolute(&article.path), urls))
}

/// The card of an article, its tags taken from `tags`.
pub fn card<'a>(
    inputs: &ArticleInputs<'a>,
    config: &'a Config,
    urls: &Urls,
    tags: &TagValues,
) -> Result<CardView<'a>, String> {
    let article = inputs.article;
    Ok(CardView {
        title: &article.title,
        url: urls.path(&article.path),
        date: rfc3339(&article.date),
        updated: article.updated.as_ref().map(rfc3339),
        summary: &article.summary,
        summary_html: portable(&article.summary_html, article, urls),
        tags: super::views::Tags(inputs.tag_values(tags, urls)?),
        authors: bylines(config, article),
        source: article.source.as_deref(),
        source_url: source_url(article, urls),
        reading_time: article.reading_minutes,
        image: image(article, urls).map(|(href, _)| href),
        image_alt: article.image_alt.as_deref(),
        day_url: inputs.day_url(urls),
        featured: article.featured,
    })
}

/// The neighbours of an article as its page shows them: the cards of the next newer and older
/// articles, and of the related ones.
pub struct Neighbours {
    pub newer: Option<Value>,
    pub older: Option<Value>,
    pub related: Vec<Value>,
}

/// The full view of an article.
pub fn article_view<'a>(
    inputs: &ArticleInputs<'a>,
    config: &Config,
    urls: &Urls,
    neighbours: Neighbours,
) -> Result<ArticleView<'a>, String> {
    let article = inputs.article;
    let permalink = urls.absolute(&article.path);
    let image = image(article, urls);
    let authors = bylines(config, article).to_vec();
    let json_ld = json_ld(config, article, &authors, &permalink, image.as_ref())?;
    Ok(ArticleView {
        title: article.title.clone(),
        url: urls.path(&article.path),
        permalink,
        slug: article.slug.clone(),
        date: rfc3339(&article.date),
        updated: article.updated.as_ref().map(rfc3339),
        tags: inputs.tags(urls),
        taxonomies: inputs.taxonomies(urls),
        authors,
        summary: article.summary.clone(),
        summary_html: portable(&article.summary_html, article, urls),
        content: portable(&article.body_html.html()?, article, urls),
        headings: article
            .headings
            .list()?
            .into_iter()
            .map(|h| HeadingView {
                level: h.level,
                id: h.id,
                text: h.text,
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
        day_url: inputs.day_url(urls),
        json_ld: Value::safe_string(&json_ld),
        newer: neighbours.newer,
        older: neighbours.older,
        related: neighbours.related,
    })
}

/// A schema.org `NewsArticle`, serialised by serde_json and made safe to sit inside
/// `<script type="application/ld+json">` (no `<`, `>` or `&` left to end the element).
fn json_ld(
    config: &Config,
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
            "name": config.title,
            "url": config.base_url,
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
                    let kind = if config.organizations.contains(name) {
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
