//! Each article's feed HTML, made once per render: a news article is listed in the site's feeds
//! and in the feeds of every tag it carries, in three formats, and making its links absolute
//! once instead of in every feed saves most of the feeds' work.
//!
//! An article's HTML is let go after the last feed expected to list it ([`FeedCache::expect`]):
//! held until the end of the feeds, it was the peak of a clean 10,000-article build (about 40 MB
//! for the 6,000 articles its 300 tag feeds list).

use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::links::absolutize_html;
use super::xml_safe;
use crate::content::Article;
use crate::urls::Urls;

/// Feed HTML by article index, filled on first use (only articles some feed lists are made).
/// Shared by the feeds of one render; safe to use from many threads.
#[derive(Debug, Default)]
pub struct FeedCache {
    slots: Vec<Slot>,
}

#[derive(Debug, Default)]
struct Slot {
    bodies: Mutex<Option<Arc<Bodies>>>,
    /// Feeds still expected to list the article; at the last, its HTML is let go. Zero when
    /// none were announced: then it is kept until the cache is dropped.
    left: AtomicUsize,
}

/// One article's HTML as feeds carry it. Escaped for XML only as each feed is written: keeping
/// the escaped copies too held another 25 MB of a 10,000-article build, at its peak.
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
            slots: (0..articles).map(|_| Slot::default()).collect(),
        }
    }

    /// Announces that feeds listing `items` (article indices, once per feed) will be made.
    pub fn expect(&mut self, items: impl IntoIterator<Item = usize>) {
        for item in items {
            if let Some(slot) = self.slots.get_mut(item) {
                *slot.left.get_mut() += 1;
            }
        }
    }

    /// The feed HTML of article `index` (at absolute URL `url`), made now or taken from the
    /// cache; `None` for an index the cache was not made for. An error when the body cannot
    /// be read from the build cache.
    pub(super) fn bodies(
        &self,
        index: usize,
        article: &Article,
        url: &str,
        full_content: bool,
        urls: &Urls,
    ) -> Option<Result<Arc<Bodies>, String>> {
        let slot = self.slots.get(index)?;
        // Made under the lock: a feed that needs the same article meanwhile waits for it
        // rather than making it twice.
        let mut held = slot.bodies.lock().unwrap_or_else(PoisonError::into_inner);
        let bodies = match &*held {
            Some(bodies) => Arc::clone(bodies),
            None => match Bodies::new(article, url, full_content, urls) {
                Ok(bodies) => Arc::new(bodies),
                Err(e) => return Some(Err(e)),
            },
        };
        let last = slot
            .left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            == Ok(1);
        *held = (!last).then(|| Arc::clone(&bodies));
        Some(Ok(bodies))
    }
}

impl Bodies {
    /// Makes an article's feed HTML; `url` is the absolute URL of its page. An error when the
    /// body cannot be read from the build cache.
    pub(super) fn new(
        article: &Article,
        url: &str,
        full_content: bool,
        urls: &Urls,
    ) -> Result<Bodies, String> {
        let summary_html = absolutize_html(&article.summary_html, url, urls);
        // `feed_content = "summary"` keeps bodies on the site: readers get the summary.
        let content_html = if full_content {
            absolutize_html(&article.body_html.html()?, url, urls)
        } else {
            summary_html.clone()
        };
        // Kept until the render ends: no spare capacity.
        let fit = |mut text: String| {
            text.shrink_to_fit();
            text
        };
        Ok(Bodies {
            content_html: fit(content_html),
            summary_html: fit(summary_html),
        })
    }
}

/// Text content, escaped: `<`, `>` and `&`, minus characters XML cannot carry (what
/// [`super::escaped`] writes).
pub(super) fn xml_text(text: &str) -> Cow<'_, str> {
    match xml_safe(text) {
        Cow::Borrowed(text) => crate::html::escape_text(text),
        Cow::Owned(text) => Cow::Owned(crate::html::escape_text(&text).into_owned()),
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
        let held = |cache: &FeedCache| -> Vec<Option<Arc<Bodies>>> {
            cache
                .slots
                .iter()
                .map(|s| s.bodies.lock().unwrap().clone())
                .collect()
        };
        assert_eq!(held(&cache).iter().flatten().count(), 2);
        let first = held(&cache)[0].clone().unwrap();
        assert_eq!(
            first.content_html,
            r#"<p><a href="https://example.org/news/2024/11/27/first/photo.jpg">a & b</a> <img src="https://example.org/news/x.png"></p>"#
        );
        assert_eq!(
            xml_text(&first.content_html),
            r#"&lt;p&gt;&lt;a href="https://example.org/news/2024/11/27/first/photo.jpg"&gt;a &amp; b&lt;/a&gt; &lt;img src="https://example.org/news/x.png"&gt;&lt;/p&gt;"#
        );
        // Announced feeds let an article's HTML go after the last of them; more calls make
        // it again.
        let mut cache = FeedCache::new(site.articles.len());
        cache.expect([0, 0, 1]);
        let url = "https://example.org/news/2024/11/27/first/";
        let bodies = |cache: &FeedCache| {
            cache
                .bodies(0, &site.articles[0], url, true, &urls())
                .map(Result::unwrap)
        };
        let once = bodies(&cache).unwrap();
        assert!(held(&cache)[0].is_some());
        let twice = bodies(&cache).unwrap();
        assert!(Arc::ptr_eq(&once, &twice), "made once");
        assert!(
            held(&cache)[0].is_none(),
            "let go after the last announced feed"
        );
        assert_eq!(bodies(&cache).unwrap().content_html, once.content_html);
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
