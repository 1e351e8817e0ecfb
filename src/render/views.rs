//! The views templates see: small serialisable structs made for templates, never the model's own
//! types. Every field is documented because the README lists them for theme authors.
//!
//! Links in views are already built (`url` fields are root-relative hrefs carrying the base path,
//! `permalink` fields are absolute URLs); dates are RFC 3339 strings for the `date` filter.

use serde::Serialize;
use tera::Value;

/// `site`: the same on every page.
#[derive(Debug, Serialize)]
pub struct SiteView {
    /// Site title.
    pub title: String,
    /// One-line description.
    pub description: String,
    /// Language tag for `<html lang>`.
    pub language: String,
    /// Default author, or none.
    pub author: Option<String>,
    /// Absolute base URL with a trailing slash.
    pub base_url: String,
    /// Href of the home page.
    pub url: String,
    /// The site-wide feeds.
    pub feeds: Vec<FeedLink>,
    /// Taxonomies with the href of their term list.
    pub taxonomies: Vec<TaxonomyLink>,
    /// Href of the archive page.
    pub archive_url: String,
}

/// One of `site.feeds`.
#[derive(Debug, Serialize)]
pub struct FeedLink {
    /// `atom`, `rss` or `json`.
    pub kind: &'static str,
    /// MIME type for `<link type>`.
    pub mime: &'static str,
    /// Human name of the format: `Atom`, `RSS` or `JSON Feed`.
    pub name: &'static str,
    /// Href of the feed.
    pub url: String,
}

/// One of `site.taxonomies`.
#[derive(Debug, Serialize)]
pub struct TaxonomyLink {
    /// Taxonomy name (`tags`).
    pub name: String,
    /// Href of its term list.
    pub url: String,
}

/// `page`: the page being rendered.
#[derive(Debug, Serialize)]
pub struct PageView {
    /// `article`, `home`, `term`, `period`, `terms`, `archive`, `search` or `404`.
    pub kind: &'static str,
    /// Title for `<title>` (page number added after page 1).
    pub title: String,
    /// Description for `<meta name="description">`.
    pub description: String,
    /// Href of this page.
    pub url: String,
    /// Absolute URL of this page, for `<link rel="canonical">`.
    pub permalink: String,
    /// Feeds to advertise with `<link rel="alternate">` (a term's own feeds first).
    pub feeds: Vec<PageFeed>,
    /// Newest date (RFC 3339) of the articles shown, or none.
    pub lastmod: Option<String>,
    /// Absolute URL of the page's picture for sharing (`og:image`, `twitter:image`): the lead
    /// image on article pages, else none.
    pub image: Option<String>,
    /// Alt text of `page.image`, or none.
    pub image_alt: Option<String>,
}

/// One of `page.feeds`.
#[derive(Debug, Serialize)]
pub struct PageFeed {
    /// `atom`, `rss` or `json`.
    pub kind: &'static str,
    /// MIME type for `<link type>`.
    pub mime: &'static str,
    /// Human title, e.g. `Gazette (Atom)`.
    pub title: String,
    /// Href of the feed.
    pub url: String,
}

/// `article` on article pages.
#[derive(Debug, Serialize)]
pub struct ArticleView<'a> {
    /// Title (plain text).
    pub title: String,
    /// Href of the article.
    pub url: String,
    /// Absolute URL of the article.
    pub permalink: String,
    /// URL slug.
    pub slug: String,
    /// Publication time, RFC 3339.
    pub date: String,
    /// Last update, RFC 3339, or none.
    pub updated: Option<String>,
    /// Tags carried, in display order.
    pub tags: Vec<TagView<'a>>,
    /// Every taxonomy (tags first, then those of `[[taxonomies]]`) with the terms the article
    /// carries, so themes can link authors, sources... like tags.
    pub taxonomies: Vec<ArticleTermsView<'a>>,
    /// Authors (the article's, else the site author, else empty).
    pub authors: Vec<String>,
    /// Plain-text summary.
    pub summary: String,
    /// Summary as HTML (safe).
    pub summary_html: Value,
    /// Body HTML (safe).
    pub content: Value,
    /// Headings of the body, in order.
    pub headings: Vec<HeadingView>,
    /// Words in the body.
    pub word_count: usize,
    /// Minutes to read (at least 1).
    pub reading_time: usize,
    /// The outlet the item comes from, or none.
    pub source: Option<String>,
    /// Link to the original report, or none.
    pub source_url: Option<String>,
    /// Href of the lead image, or none.
    pub image: Option<String>,
    /// Absolute URL of the lead image (for `og:image`), or none.
    pub image_permalink: Option<String>,
    /// Caption or credit of the lead image, or none.
    pub image_caption: Option<String>,
    /// Alt text of the lead image, or none.
    pub image_alt: Option<String>,
    /// Front-matter fields Gazette does not know.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Href of the day's digest.
    pub day_url: String,
    /// `NewsArticle` JSON-LD, escaped for a `<script>` element (safe).
    pub json_ld: Value,
    /// Card of the next newer article, or none.
    pub newer: Option<Value>,
    /// Card of the next older article, or none.
    pub older: Option<Value>,
    /// Cards of related articles.
    pub related: Vec<Value>,
}

/// A tag of an article or card.
#[derive(Debug, Clone, Serialize)]
pub struct TagView<'a> {
    /// Display name.
    pub name: &'a str,
    /// URL slug.
    pub slug: &'a str,
    /// Href of the tag page.
    pub url: String,
}

/// A card's tags, each a [`TagView`] value made once for every card that carries it. Into a
/// template value they go as they are; into anything else (a fingerprint's MessagePack) as
/// each value's fingerprint, the same in every run: a Tera map iterates in a random order.
#[derive(Debug)]
pub struct Tags(pub Vec<Value>);

impl Serialize for Tags {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            return self.0.serialize(serializer);
        }
        let prints = self
            .0
            .iter()
            .map(super::pages::value_print)
            .collect::<Result<Vec<u128>, String>>()
            .map_err(serde::ser::Error::custom)?;
        prints.serialize(serializer)
    }
}

/// One of `article.taxonomies`.
#[derive(Debug, Serialize)]
pub struct ArticleTermsView<'a> {
    /// Taxonomy name (`authors`).
    pub name: String,
    /// Href of the taxonomy's term list.
    pub url: String,
    /// The terms the article carries, in its own order (may be empty).
    pub terms: Vec<TagView<'a>>,
}

/// A heading of an article body.
#[derive(Debug, Serialize)]
pub struct HeadingView {
    /// 1 to 6.
    pub level: u8,
    /// Anchor id.
    pub id: String,
    /// Plain text.
    pub text: String,
}

/// An article as listed on other pages (`articles`, `days[].articles`, `newer`, `related`...).
/// Borrows what it shows as the article has it: a publish at 100,000 articles builds a card for
/// every article (each home page moves by one), and each is turned into a template value at once.
#[derive(Debug, Serialize)]
pub struct CardView<'a> {
    /// Title (plain text).
    pub title: &'a str,
    /// Href of the article.
    pub url: String,
    /// Publication time, RFC 3339.
    pub date: String,
    /// Last update, RFC 3339, or none.
    pub updated: Option<String>,
    /// Plain-text summary.
    pub summary: &'a str,
    /// Summary as HTML (safe).
    pub summary_html: Value,
    /// Tags carried, each a [`TagView`] (shared by every card that carries it).
    pub tags: Tags,
    /// Authors (the article's, else the site author, else empty).
    pub authors: &'a [String],
    /// The outlet the item comes from, or none.
    pub source: Option<&'a str>,
    /// Link to the original report, or none.
    pub source_url: Option<String>,
    /// Minutes to read.
    pub reading_time: usize,
    /// Href of the lead image, or none.
    pub image: Option<String>,
    /// Alt text of the lead image, or none.
    pub image_alt: Option<&'a str>,
    /// Href of the day's digest.
    pub day_url: String,
    /// Front matter `featured: true`: the article asks to lead the home page.
    pub featured: bool,
}

/// One of `days` on list pages: consecutive articles of one day.
#[derive(Debug, Serialize)]
pub struct DayView {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Href of the day's archive page.
    pub url: String,
    /// Cards of the day's articles on this page, newest first.
    pub articles: Vec<Value>,
}

/// `paginator` on list pages.
#[derive(Debug, Serialize)]
pub struct PaginatorView {
    /// 1-based number of this page.
    pub current: usize,
    /// Number of pages.
    pub total: usize,
    /// Articles per page.
    pub per_page: usize,
    /// Articles in the whole list.
    pub total_items: usize,
    /// Href of the previous page, or none.
    pub previous: Option<String>,
    /// Href of the next page, or none.
    pub next: Option<String>,
    /// Href of the first page.
    pub first: String,
    /// Href of the last page.
    pub last: String,
    /// Pages worth linking: the first, the last, and two on each side of the current one.
    pub pages: Vec<PageNumber>,
}

/// One of `paginator.pages`.
#[derive(Debug, Serialize)]
pub struct PageNumber {
    /// 1-based page number.
    pub number: usize,
    /// Href of that page.
    pub url: String,
    /// True for the page being rendered.
    pub current: bool,
    /// True when page numbers are skipped before this one (show an ellipsis).
    pub gap_before: bool,
}

/// `term` on term pages, and each of `taxonomy.terms` on term lists.
#[derive(Debug, Serialize)]
pub struct TermView {
    /// Display name.
    pub name: String,
    /// URL slug.
    pub slug: String,
    /// Href of the term's first page.
    pub url: String,
    /// Articles carrying the term.
    pub count: usize,
}

/// `taxonomy` on term pages (`terms` empty) and term lists.
#[derive(Debug, Serialize)]
pub struct TaxonomyView {
    /// Taxonomy name (`tags`).
    pub name: String,
    /// Href of the term list.
    pub url: String,
    /// Every term, most used first (only on `terms.html`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terms: Option<Vec<TermView>>,
}

/// `period` on date archive pages.
#[derive(Debug, Serialize)]
pub struct PeriodView {
    /// `year`, `month` or `day`.
    pub kind: &'static str,
    /// The year.
    pub year: i32,
    /// 1 to 12, or none for a year.
    pub month: Option<u32>,
    /// Day of the month, or none.
    pub day: Option<u32>,
    /// `YYYY-MM-DD` of the period's first day (for the `date` filter).
    pub date: String,
}

/// One of `years` on the archive page.
#[derive(Debug, Serialize)]
pub struct YearView {
    /// The year.
    pub year: i32,
    /// Href of the year page.
    pub url: String,
    /// Articles in the year.
    pub count: usize,
    /// Months with articles, newest first.
    pub months: Vec<MonthView>,
}

/// One of `years[].months`.
#[derive(Debug, Serialize)]
pub struct MonthView {
    /// 1 to 12.
    pub month: u32,
    /// Href of the month page.
    pub url: String,
    /// Articles in the month.
    pub count: usize,
    /// `YYYY-MM-01` (for the `date` filter).
    pub date: String,
}

/// Serialises a view into a Tera value; a failure names what was being built.
pub fn to_value<T: Serialize>(view: &T) -> Result<Value, String> {
    Value::try_from_serializable(view).map_err(|e| format!("cannot build the page context: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_go_into_values_as_they_are_and_into_fingerprints_by_content() {
        let tag = |name: &str| {
            let url = format!("/tags/{name}/");
            to_value(&TagView {
                name,
                slug: name,
                url,
            })
            .unwrap()
        };
        let packed = |tags: Tags| rmp_serde::to_vec(&tags).unwrap();
        // Made apart (each map with its own order: with eight, some differ), packed the same.
        let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
        assert_eq!(
            packed(Tags(names.iter().map(|n| tag(n)).collect())),
            packed(Tags(names.iter().map(|n| tag(n)).collect()))
        );
        assert_ne!(
            packed(Tags(vec![tag("x"), tag("y")])),
            packed(Tags(vec![tag("y"), tag("x")]))
        );
        let value = to_value(&Tags(vec![tag("x"), tag("y")])).unwrap();
        let second = value.as_array().and_then(|tags| tags.get(1)).unwrap();
        assert_eq!(
            second
                .get_from_path("url")
                .and_then(|url| url.as_str().map(String::from)),
            Some("/tags/y/".to_string())
        );
    }
}
