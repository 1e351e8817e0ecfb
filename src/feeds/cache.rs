//! Each article's feed HTML, made once per render: a news article is listed in the site's feeds
//! and in the feeds of every tag it carries, in three formats, and making its links absolute and
//! escaping it for XML once instead of in every feed saves most of the feeds' work.

use std::borrow::Cow;
use std::sync::OnceLock;

use quick_xml::escape::partial_escape;

use super::links::absolutize_html;
use super::xml_safe;
use crate::content::Article;
use crate::urls::Urls;

/// Feed HTML by article index, filled on first use (only articles some feed lists are made).
/// Shared by the feeds of one render; safe to use from many threads.
#[derive(Debug, Default)]
pub struct FeedCache {
    bodies: Vec<OnceLock<Bodies>>,
}

/// One article's HTML as feeds carry it. Escaped for XML only as each feed is written: keeping
/// the escaped copies too held another 50 MB of a 10,000-article build, at its peak.
#[derive(Debug)]
pub(super) struct Bodies {
    /// The body (or the summary, with `feed_content = "summary"`) with absolute links.
    pub content_html: String,
    /// The summary with absolute links.
    pub summary_html: String,
}

impl FeedCache {
    /// A cache for a site of `articles` articles.
    pub fn new(articles: usize) -> FeedCache {
        FeedCache {
            bodies: (0..articles).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The feed HTML of article `index` (at absolute URL `url`), made now or taken from the
    /// cache; `None` for an index the cache was not made for.
    pub(super) fn bodies(
        &self,
        index: usize,
        article: &Article,
        url: &str,
        full_content: bool,
        urls: &Urls,
    ) -> Option<&Bodies> {
        let slot = self.bodies.get(index)?;
        Some(slot.get_or_init(|| Bodies::new(article, url, full_content, urls)))
    }
}

impl Bodies {
    /// Makes an article's feed HTML; `url` is the absolute URL of its page.
    pub(super) fn new(article: &Article, url: &str, full_content: bool, urls: &Urls) -> Bodies {
        let summary_html = absolutize_html(&article.summary_html, url, urls);
        // `feed_content = "summary"` keeps bodies on the site: readers get the summary.
        let content_html = if full_content {
            absolutize_html(&article.body_html, url, urls)
        } else {
            summary_html.clone()
        };
        // Kept until the render ends: no spare capacity.
        let fit = |mut text: String| {
            text.shrink_to_fit();
            text
        };
        Bodies {
            content_html: fit(content_html),
            summary_html: fit(summary_html),
        }
    }
}

/// Text content, escaped as [`super::escaped`] does.
pub(super) fn xml_text(text: &str) -> Cow<'_, str> {
    match xml_safe(text) {
        Cow::Borrowed(text) => partial_escape(text),
        Cow::Owned(text) => Cow::Owned(partial_escape(&text).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::feeds::{feed, feed_cached};
    use crate::site::FeedFormat;

    #[test]
    fn cached_feeds_are_the_same_bytes_and_share_each_article() {
        let mut articles = two_articles();
        articles[0].body_html = r#"<p><a href="photo.jpg">a & b</a> <img src="/x.png"></p>"#.into();
        let site = site(articles);
        let cache = FeedCache::new(site.articles.len());
        for format in [FeedFormat::Atom, FeedFormat::Rss, FeedFormat::Json] {
            let page = home_feed(&site, format);
            let path = feed_path(format);
            let once = feed_cached(&site, path, &page, &urls(), &cache);
            let again = feed_cached(&site, path, &page, &urls(), &cache);
            assert_eq!(once, feed(&site, path, &page, &urls()), "{format:?}");
            assert_eq!(once, again, "{format:?}");
        }
        let made = cache.bodies.iter().filter(|b| b.get().is_some()).count();
        assert_eq!(made, 2);
        let first = cache.bodies[0].get().unwrap();
        assert_eq!(
            first.content_html,
            r#"<p><a href="https://example.org/news/2024/11/27/first/photo.jpg">a & b</a> <img src="https://example.org/news/x.png"></p>"#
        );
        assert_eq!(
            xml_text(&first.content_html),
            r#"&lt;p&gt;&lt;a href="https://example.org/news/2024/11/27/first/photo.jpg"&gt;a &amp; b&lt;/a&gt; &lt;img src="https://example.org/news/x.png"&gt;&lt;/p&gt;"#
        );
        // An index the cache was not made for is made for the one feed.
        assert!(
            FeedCache::default()
                .bodies(
                    0,
                    &site.articles[0],
                    "https://example.org/news/",
                    true,
                    &urls()
                )
                .is_none()
        );
    }
}
