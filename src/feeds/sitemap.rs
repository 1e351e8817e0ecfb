//! `sitemap.xml` (sitemaps.org 0.9) and `robots.txt`.

use std::io;

use crate::site::Site;
use crate::urls::Urls;

use super::{rfc3339, text_element, xml_bytes, xml_writer_with};

const NAMESPACE: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// The bytes of one sitemap entry besides its URL: the indented `url`, `loc` and `lastmod`
/// elements and the date.
const ENTRY_TEXT: usize = 100;

/// `sitemap.xml` listing every page with `in_sitemap`, in page order, with `lastmod` where the
/// page has one.
pub fn sitemap(site: &Site, urls: &Urls) -> Vec<u8> {
    // Writing into a Vec cannot fail: the empty fallback is never taken.
    write(site, urls).unwrap_or_default()
}

fn write(site: &Site, urls: &Urls) -> io::Result<Vec<u8>> {
    // Room for every entry at once (the base URL, the path and the fixed text of an entry with
    // its lastmod): grown by doubling, the 20 MB of a 100,000-article sitemap were copied a
    // dozen times into fresh memory. An entry needing escapes may still grow it.
    let room = site
        .pages
        .iter()
        .filter(|page| page.in_sitemap)
        .map(|page| urls.base_url().len() + page.path.len() + ENTRY_TEXT)
        .sum::<usize>()
        + 256;
    let mut writer = xml_writer_with(room)?;
    writer
        .create_element("urlset")
        .with_attribute(("xmlns", NAMESPACE))
        .write_inner_content(|w| {
            for page in site.pages.iter().filter(|page| page.in_sitemap) {
                w.create_element("url").write_inner_content(|w| {
                    text_element(w, "loc", &urls.absolute(&page.path))?;
                    if let Some(lastmod) = &page.lastmod {
                        text_element(w, "lastmod", &rfc3339(lastmod))?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(xml_bytes(writer))
}

/// `robots.txt` allowing everything and pointing at the sitemap.
pub fn robots(urls: &Urls) -> Vec<u8> {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}\n",
        urls.absolute(crate::urls::SITEMAP)
    )
    .into_bytes()
}

/// For a site under a sub-path, why its `robots.txt` goes unread and the line a host root
/// `robots.txt` needs instead: crawlers ask only for `/robots.txt` at the host root.
pub fn robots_note(urls: &Urls) -> Option<String> {
    let base = urls.base_path();
    (base != "/").then(|| {
        let root = urls
            .base_url()
            .strip_suffix(base)
            .unwrap_or(urls.base_url());
        format!(
            "this site lives under {base}, and crawlers read robots.txt only at the host \
             root, so {base}robots.txt is not read; to point them at the sitemap, add this \
             line to {root}/robots.txt: Sitemap: {}",
            urls.absolute(crate::urls::SITEMAP)
        )
    })
}

#[cfg(test)]
mod tests {
    use quick_xml::Reader;
    use quick_xml::events::Event;

    use super::*;
    use crate::feeds::test_support::{BASE, date, site, urls};
    use crate::site::{Page, PageKind};

    fn page(path: &str, in_sitemap: bool, lastmod: Option<&str>) -> Page {
        Page {
            path: path.into(),
            kind: PageKind::ArchiveIndex,
            lastmod: lastmod.map(date),
            in_sitemap,
        }
    }

    /// (loc, lastmod) of every `<url>`, read back with an XML parser.
    fn read(xml: &str) -> Vec<(String, Option<String>)> {
        let mut reader = Reader::from_str(xml);
        let mut urls = Vec::new();
        let mut open: Option<String> = None;
        let mut text = String::new();
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => {
                    open = Some(e.name().as_ref().to_string());
                    text.clear();
                    if open.as_deref() == Some("urlset") {
                        let xmlns = e
                            .try_get_attribute("xmlns")
                            .expect("attribute")
                            .map(|a| a.value.to_string());
                        assert_eq!(xmlns.as_deref(), Some(NAMESPACE));
                    }
                }
                Event::Text(t) => text.push_str(&t.xml10_content()),
                Event::GeneralRef(r) => text.push(match &*r {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    other => panic!("unexpected reference {other}"),
                }),
                Event::End(e) => {
                    match (open.as_deref(), e.name().as_ref()) {
                        (Some("loc"), "loc") => urls.push((text.clone(), None)),
                        (Some("lastmod"), "lastmod") => {
                            if let Some(last) = urls.last_mut() {
                                last.1 = Some(text.clone());
                            }
                        }
                        _ => {}
                    }
                    open = None;
                }
                Event::Eof => break,
                _ => {}
            }
        }
        urls
    }

    #[test]
    fn sitemap_lists_exactly_the_sitemap_pages_in_order() {
        let mut site = site(Vec::new());
        site.pages = vec![
            page("/", true, Some("2024-11-28T08:00:00+05:00")),
            page("/2024/11/27/first/", true, Some("2024-11-27T21:30:00Z")),
            page("/404.html", false, None),
            page("/atom.xml", false, Some("2024-11-28T08:00:00+05:00")),
            page("/tags/عمران & co/", true, None),
        ];
        let bytes = sitemap(&site, &urls());
        let xml = std::str::from_utf8(&bytes).expect("UTF-8");
        assert_eq!(
            read(xml),
            [
                (
                    BASE.to_string(),
                    Some("2024-11-28T08:00:00+05:00".to_string())
                ),
                (
                    format!("{BASE}2024/11/27/first/"),
                    Some("2024-11-27T21:30:00Z".to_string())
                ),
                (
                    format!("{BASE}tags/%D8%B9%D9%85%D8%B1%D8%A7%D9%86%20&%20co/"),
                    None
                ),
            ]
        );
        assert!(xml.contains("%20&amp;%20co/</loc>"));
        assert_eq!(sitemap(&site, &urls()), bytes);
    }

    #[test]
    fn an_empty_site_has_an_empty_urlset() {
        let bytes = sitemap(&site(Vec::new()), &urls());
        assert_eq!(read(std::str::from_utf8(&bytes).expect("UTF-8")), []);
    }

    #[test]
    fn a_sub_path_site_is_told_where_its_sitemap_line_belongs() {
        assert_eq!(robots_note(&Urls::new("https://example.org/")), None);
        assert_eq!(
            robots_note(&Urls::new("https://example.org/news/")).as_deref(),
            Some(
                "this site lives under /news/, and crawlers read robots.txt only at the host \
                 root, so /news/robots.txt is not read; to point them at the sitemap, add this \
                 line to https://example.org/robots.txt: Sitemap: \
                 https://example.org/news/sitemap.xml"
            )
        );
    }

    #[test]
    fn robots_points_at_the_sitemap_under_the_base() {
        assert_eq!(
            String::from_utf8(robots(&urls())).expect("UTF-8"),
            "User-agent: *\nAllow: /\nSitemap: https://example.org/news/sitemap.xml\n"
        );
    }
}
