//! Atom, RSS, JSON Feed, sitemap and robots.txt, serialised from data (an escaping XML writer and
//! serde_json), never pasted from strings.

mod atom;
mod cache;
mod json;
mod links;
mod rss;
mod sitemap;
#[cfg(test)]
mod test_support;

use std::borrow::Cow;
use std::io;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::content::Article;
use crate::site::{FeedFormat, FeedPage, Site};
use crate::urls::Urls;

pub use cache::FeedCache;
pub use links::{absolute_url, absolutize_html, rebase_html};
pub use sitemap::{robots, robots_note, sitemap};

/// Serialises one feed page: `page_path` is the feed's own site path (`/atom.xml`). An error
/// when an article body cannot be read from the build cache.
pub fn feed(site: &Site, page_path: &str, feed: &FeedPage, urls: &Urls) -> Result<Vec<u8>, String> {
    feed_cached(site, page_path, feed, urls, &FeedCache::default())
}

/// [`feed`], taking each article's feed HTML from `cache` (made for this site), so feeds that
/// list the same article share the work.
pub fn feed_cached(
    site: &Site,
    page_path: &str,
    feed: &FeedPage,
    urls: &Urls,
    cache: &FeedCache,
) -> Result<Vec<u8>, String> {
    let context = FeedContext::new(site, page_path, feed, urls, cache)?;
    // Writing into a Vec cannot fail, and serde_json only fails on maps with non-string keys,
    // which these types do not have: the empty fallback is never taken.
    Ok(match feed.format {
        FeedFormat::Atom => atom::write(&context).unwrap_or_default(),
        FeedFormat::Rss => rss::write(&context).unwrap_or_default(),
        FeedFormat::Json => json::write(&context).unwrap_or_default(),
    })
}

/// Everything the three formats share, resolved once: absolute URLs, dates and item data.
struct FeedContext<'a> {
    site: &'a Site,
    title: &'a str,
    /// Absolute URL of the feed itself.
    self_url: String,
    /// Absolute URL of the HTML page the feed mirrors.
    home_url: String,
    /// Newest date among the items (else among all articles, else the Unix epoch).
    updated: DateTime<FixedOffset>,
    items: Vec<Item<'a>>,
}

/// One article as a feed item.
struct Item<'a> {
    article: &'a Article,
    /// Absolute URL of the article page; also the item's id.
    url: String,
    /// `updated`, else the publication date.
    updated: DateTime<FixedOffset>,
    /// The article's authors, else the site's author; may be empty.
    authors: Vec<&'a str>,
    categories: Vec<Category<'a>>,
    /// Body and summary with absolute links, as HTML and as XML text.
    bodies: Arc<cache::Bodies>,
    /// Absolute URL of the lead image.
    image: Option<String>,
    /// Absolute URL of the original report.
    source_url: Option<String>,
}

/// A tag as feeds show it.
struct Category<'a> {
    /// Machine form: the term's slug (or the tag as written when the model has no term).
    term: &'a str,
    /// Display form.
    label: &'a str,
    /// Absolute URL of the taxonomy's term list, naming the scheme.
    scheme: Option<String>,
}

impl<'a> FeedContext<'a> {
    fn new(
        site: &'a Site,
        page_path: &str,
        feed: &'a FeedPage,
        urls: &'a Urls,
        cache: &'a FeedCache,
    ) -> Result<Self, String> {
        let items: Vec<Item<'a>> = feed
            .items
            .iter()
            .filter_map(|&index| {
                Some(Item::new(
                    site,
                    index,
                    site.articles.get(index)?,
                    urls,
                    cache,
                ))
            })
            .collect::<Result<_, String>>()?;
        let updated = newest(items.iter().map(|item| item.updated))
            .or_else(|| newest(site.articles.iter().map(updated_or_date)))
            .unwrap_or_else(|| DateTime::<Utc>::UNIX_EPOCH.fixed_offset());
        Ok(FeedContext {
            site,
            title: &feed.title,
            self_url: urls.absolute(page_path),
            home_url: urls.absolute(&feed.alternate),
            updated,
            items,
        })
    }
}

impl<'a> Item<'a> {
    fn new(
        site: &'a Site,
        index: usize,
        article: &'a Article,
        urls: &Urls,
        cache: &'a FeedCache,
    ) -> Result<Self, String> {
        let url = urls.absolute(&article.path);
        let full = site.config.feed_full_content;
        // From the cache, or made for this feed alone.
        let bodies = match cache.bodies(index, article, &url, full, urls) {
            Some(bodies) => bodies?,
            None => Arc::new(cache::Bodies::new(article, &url, full, urls)?),
        };
        let authors: Vec<&str> = site.bylines(article).iter().map(String::as_str).collect();
        let resolve = |reference: &String| absolute_url(reference, &url, urls);
        Ok(Item {
            article,
            updated: updated_or_date(article),
            authors,
            categories: categories(site, index, article, urls),
            bodies,
            image: article.image.as_ref().map(resolve),
            source_url: article.source_url.as_ref().map(resolve),
            url,
        })
    }
}

fn updated_or_date(article: &Article) -> DateTime<FixedOffset> {
    article.updated.unwrap_or(article.date)
}

fn newest(dates: impl Iterator<Item = DateTime<FixedOffset>>) -> Option<DateTime<FixedOffset>> {
    dates.max()
}

/// The article's tags: the model's `tags` terms when it has linked them, else the tags as
/// written.
fn categories<'a>(
    site: &'a Site,
    index: usize,
    article: &'a Article,
    urls: &Urls,
) -> Vec<Category<'a>> {
    let linked = site
        .taxonomies
        .iter()
        .enumerate()
        .find(|(_, taxonomy)| taxonomy.name == "tags")
        .and_then(|(t, taxonomy)| {
            let terms = site.links.get(index)?.terms.get(t)?;
            let scheme = urls.absolute(&taxonomy.path);
            Some(
                terms
                    .iter()
                    .filter_map(|&term| taxonomy.terms.get(term))
                    .map(|term| Category {
                        term: &term.slug,
                        label: &term.name,
                        scheme: Some(scheme.clone()),
                    })
                    .collect(),
            )
        });
    linked.unwrap_or_else(|| {
        article
            .tags
            .iter()
            .map(|tag| Category {
                term: tag,
                label: tag,
                scheme: None,
            })
            .collect()
    })
}

/// RFC 3339 with the date's own offset (`Z` for UTC).
fn rfc3339(date: &DateTime<FixedOffset>) -> String {
    date.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// RFC 822 (as RFC 2822 spells it) with the date's own offset: `Wed, 27 Nov 2024 21:30:00 +0500`.
fn rfc822(date: &DateTime<FixedOffset>) -> String {
    if (0..=9999).contains(&chrono::Datelike::year(date)) {
        date.to_rfc2822()
    } else {
        // chrono panics on years RFC 2822 cannot hold; such a date is already nonsense, so
        // write it in the same shape rather than stop.
        date.format("%a, %d %b %Y %H:%M:%S %z").to_string()
    }
}

/// An XML writer with the declaration written, indenting by two spaces.
fn xml_writer() -> io::Result<Writer<Vec<u8>>> {
    xml_writer_with(0)
}

/// [`xml_writer`] into a buffer with room for `capacity` bytes.
fn xml_writer_with(capacity: usize) -> io::Result<Writer<Vec<u8>>> {
    let mut writer = Writer::new_with_indent(Vec::with_capacity(capacity), b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    Ok(writer)
}

/// The finished document, ending with a newline.
fn xml_bytes(writer: Writer<Vec<u8>>) -> Vec<u8> {
    let mut bytes = writer.into_inner();
    bytes.push(b'\n');
    bytes
}

/// `<name>text</name>`, the text escaped.
fn text_element(writer: &mut Writer<Vec<u8>>, name: &str, text: &str) -> io::Result<()> {
    writer
        .create_element(name)
        .write_text_content(escaped(text))?;
    Ok(())
}

/// Text content that is already escaped (see [`escaped`]).
fn escaped_text_element(writer: &mut Writer<Vec<u8>>, name: &str, xml: &str) -> io::Result<()> {
    writer
        .create_element(name)
        .write_text_content(BytesText::from_escaped(xml))?;
    Ok(())
}

/// Text content, escaped: `<`, `>` and `&` (quotes need no escaping outside attributes, and
/// leaving them keeps HTML bodies readable), minus characters XML cannot carry.
fn escaped(text: &str) -> BytesText<'static> {
    BytesText::from_escaped(cache::xml_text(text).into_owned())
}

/// Drops the characters XML 1.0 cannot carry at all, even escaped, so a stray control
/// character in a title (or in `site.toml`) cannot make a feed unparsable.
fn xml_safe(text: &str) -> Cow<'_, str> {
    crate::content::printable::printable(text)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::test_support::*;
    use super::*;

    const FORMATS: [FeedFormat; 3] = [FeedFormat::Atom, FeedFormat::Rss, FeedFormat::Json];

    /// A term feed whose own title is nasty too.
    fn term_feed(site: &Site, format: FeedFormat) -> Vec<u8> {
        let page = FeedPage {
            format,
            title: format!("The Gazette — {NASTY_TITLE}"),
            items: vec![0],
            alternate: "/tags/pti/".into(),
        };
        feed(site, "/tags/pti/feed", &page, &urls()).unwrap()
    }

    #[test]
    fn a_nasty_title_round_trips_through_every_format() {
        let site = site(two_articles());
        for format in FORMATS {
            let bytes = term_feed(&site, format);
            let parsed = parse(&bytes);
            assert_eq!(
                parsed.title.map(|t| t.content),
                Some(format!("The Gazette — {NASTY_TITLE}")),
                "{format:?}"
            );
            assert_eq!(
                parsed.entries[0].title.as_ref().map(|t| t.content.as_str()),
                Some(NASTY_TITLE),
                "{format:?}"
            );
            let raw = text(&bytes);
            match format {
                FeedFormat::Json => {
                    assert!(raw.contains(r#""<script>alert(\"x\")</script> & \"quotes\"""#));
                }
                _ => {
                    assert!(
                        raw.contains(r#"&lt;script&gt;alert("x")&lt;/script&gt; &amp; "quotes""#)
                    );
                    assert!(!raw.contains("<script>"), "{format:?}");
                }
            }
        }
    }

    #[test]
    fn term_feeds_point_at_the_term_page() {
        let site = site(two_articles());
        let atom = text(&term_feed(&site, FeedFormat::Atom)).to_string();
        assert!(atom.contains("<id>https://example.org/news/tags/pti/</id>"));
        assert!(atom.contains(r#"href="https://example.org/news/tags/pti/feed""#));
        let rss = text(&term_feed(&site, FeedFormat::Rss)).to_string();
        assert!(rss.contains("<link>https://example.org/news/tags/pti/</link>"));
    }

    #[test]
    fn feeds_are_byte_for_byte_deterministic() {
        for format in FORMATS {
            let once = render(&site(two_articles()), format);
            let again = render(&site(two_articles()), format);
            assert_eq!(once, again, "{format:?}");
            assert!(once.ends_with(b"\n"));
        }
    }

    #[test]
    fn characters_xml_cannot_carry_are_dropped() {
        let mut articles = two_articles();
        articles[0].title = "a\u{1}b\u{b}c\u{fffe}\td".into();
        let site = site(articles);
        for format in [FeedFormat::Atom, FeedFormat::Rss] {
            let parsed = parse(&render(&site, format));
            assert_eq!(
                parsed.entries[0].title.as_ref().map(|t| t.content.as_str()),
                Some("abc\td"),
                "{format:?}"
            );
        }
    }

    #[test]
    fn items_that_are_not_articles_are_skipped() {
        let site = site(two_articles());
        for format in FORMATS {
            let mut page = home_feed(&site, format);
            page.items = vec![1, 99];
            let parsed = parse(&feed(&site, feed_path(format), &page, &urls()).unwrap());
            let ids: Vec<&str> = parsed.entries.iter().map(|e| e.id.as_str()).collect();
            assert_eq!(ids, ["https://example.org/news/2024/11/26/older/"]);
        }
    }

    #[test]
    fn dates_keep_their_offset_and_odd_years_do_not_panic() {
        let date = date("2024-11-27T21:30:00+05:00");
        assert_eq!(rfc3339(&date), "2024-11-27T21:30:00+05:00");
        assert_eq!(rfc822(&date), "Wed, 27 Nov 2024 21:30:00 +0500");
        let utc = DateTime::<Utc>::UNIX_EPOCH.fixed_offset();
        assert_eq!(rfc3339(&utc), "1970-01-01T00:00:00Z");
        let far = NaiveDate::from_ymd_opt(10000, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|n| {
                FixedOffset::east_opt(0)
                    .expect("offset")
                    .from_utc_datetime(&n)
            })
            .expect("date");
        assert_eq!(rfc822(&far), "Sat, 01 Jan +10000 00:00:00 +0000");
    }
}
