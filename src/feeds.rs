//! Atom, RSS, JSON Feed, sitemap and robots.txt, serialised from data (an escaping XML writer and
//! serde_json), never pasted from strings.

use crate::site::{FeedPage, Site};
use crate::urls::Urls;

/// Serialises one feed page.
pub fn feed(site: &Site, page_path: &str, feed: &FeedPage, urls: &Urls) -> Vec<u8> {
    let _ = (site, page_path, feed, urls);
    todo!("feeds")
}

/// `sitemap.xml` listing every page with `in_sitemap`.
pub fn sitemap(site: &Site, urls: &Urls) -> Vec<u8> {
    let _ = (site, urls);
    todo!("sitemap")
}

/// `robots.txt` allowing everything and pointing at the sitemap.
pub fn robots(urls: &Urls) -> Vec<u8> {
    let _ = urls;
    todo!("robots")
}
