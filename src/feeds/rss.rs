//! RSS 2.0 with `atom:link rel="self"`; RFC 822 dates; authors as `<author>` only when they are
//! email addresses (as RSS requires), else as `<dc:creator>`.

use std::io;

use quick_xml::Writer;

use super::cache::xml_text;

use super::{
    FeedContext, Item, escaped, escaped_text_element, rfc822, text_element, xml_bytes, xml_safe,
    xml_writer,
};

const DC_NAMESPACE: &str = "http://purl.org/dc/elements/1.1/";

/// The RSS document for `context`.
pub(super) fn write(context: &FeedContext) -> io::Result<Vec<u8>> {
    let config = &context.site.config;
    let mut writer = xml_writer()?;
    writer
        .create_element("rss")
        .with_attribute(("version", "2.0"))
        .with_attribute(("xmlns:atom", super::atom::NAMESPACE))
        .with_attribute(("xmlns:dc", DC_NAMESPACE))
        .write_inner_content(|w| {
            w.create_element("channel").write_inner_content(|w| {
                text_element(w, "title", context.title)?;
                text_element(w, "link", &context.home_url)?;
                // RSS requires a description: the title is better than nothing.
                let description = if config.description.trim().is_empty() {
                    context.title
                } else {
                    &config.description
                };
                text_element(w, "description", description)?;
                text_element(w, "language", &config.language)?;
                w.create_element("atom:link")
                    .with_attribute(("href", xml_safe(&context.self_url).as_ref()))
                    .with_attribute(("rel", "self"))
                    .with_attribute(("type", "application/rss+xml"))
                    .write_empty()?;
                text_element(w, "lastBuildDate", &rfc822(&context.updated))?;
                text_element(w, "generator", "Gazette")?;
                for item in &context.items {
                    write_item(w, item)?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(xml_bytes(writer))
}

fn write_item(w: &mut Writer<Vec<u8>>, item: &Item) -> io::Result<()> {
    let article = item.article;
    w.create_element("item").write_inner_content(|w| {
        text_element(w, "title", &article.title)?;
        text_element(w, "link", &item.url)?;
        w.create_element("guid")
            .with_attribute(("isPermaLink", "true"))
            .write_text_content(escaped(&item.url))?;
        text_element(w, "pubDate", &rfc822(&article.date))?;
        for author in &item.authors {
            let element = if is_email(author) {
                "author"
            } else {
                "dc:creator"
            };
            text_element(w, element, author)?;
        }
        for category in &item.categories {
            text_element(w, "category", category.label)?;
        }
        // Full content: readers show the description as the item's text.
        escaped_text_element(w, "description", &xml_text(&item.bodies.content_html))?;
        Ok(())
    })?;
    Ok(())
}

/// `name@example.org` or `name@example.org (Name)`: what RSS accepts in `<author>`.
fn is_email(author: &str) -> bool {
    let address = author.split_whitespace().next().unwrap_or("");
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    let rest = author.trim().strip_prefix(address).unwrap_or("").trim();
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && (rest.is_empty() || (rest.starts_with('(') && rest.ends_with(')')))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use feed_rs::model::FeedType;

    use super::is_email;
    use crate::feeds::test_support::*;
    use crate::site::FeedFormat;

    #[test]
    fn only_addresses_count_as_emails() {
        assert!(is_email("ayesha@example.org"));
        assert!(is_email("ayesha@example.org (Ayesha Khan)"));
        assert!(!is_email("Ayesha Khan"));
        assert!(!is_email("@handle"));
        assert!(!is_email("a@localhost"));
        assert!(!is_email("a@b.c d"));
        assert!(!is_email("a@b@c.d"));
        assert!(!is_email(""));
    }

    #[test]
    fn rss_feed_has_absolute_links_guids_dates_and_categories() {
        let site = site(two_articles());
        let bytes = render(&site, FeedFormat::Rss);
        let feed = parse(&bytes);
        assert_eq!(feed.feed_type, FeedType::RSS2);
        assert_eq!(title_and_description(&feed), TITLE_AND_DESCRIPTION);
        // feed-rs lowercases the language; the bytes keep it as configured.
        assert_eq!(feed.language.as_deref(), Some("en-gb"));
        assert!(text(&bytes).contains("<language>en-GB</language>"));
        assert_eq!(feed.links.first().map(|l| l.href.as_str()), Some(BASE));
        assert!(text(&bytes).contains(
            r#"<atom:link href="https://example.org/news/rss.xml" rel="self" type="application/rss+xml"/>"#
        ));
        assert_eq!(
            feed.updated,
            Some(date("2024-11-28T08:00:00+05:00").with_timezone(&Utc))
        );

        let first = &feed.entries[0];
        let url = "https://example.org/news/2024/11/27/first/";
        assert_eq!(first.id, url);
        assert!(text(&bytes).contains(&format!(r#"<guid isPermaLink="true">{url}</guid>"#)));
        assert_eq!(
            first
                .links
                .iter()
                .map(|l| l.href.as_str())
                .collect::<Vec<_>>(),
            [url]
        );
        assert_eq!(
            first.published,
            Some(date("2024-11-27T21:30:00+05:00").with_timezone(&Utc))
        );
        let terms: Vec<&str> = first.categories.iter().map(|c| c.term.as_str()).collect();
        assert_eq!(terms, ["PTI", "Lahore High Court"]);
        assert_eq!(author_names(first), ["Ayesha Khan"]);
        // A name is not an email: it goes in dc:creator, never in <author>.
        assert!(text(&bytes).contains("<dc:creator>Ayesha Khan</dc:creator>"));
        assert!(!text(&bytes).contains("<author>"));
        let description = first.summary.as_ref().map(|s| s.content.as_str());
        assert!(
            description
                .is_some_and(|d| d
                    .contains(r#"<a href="https://example.org/news/2024/11/27/first/#fn1">1</a>"#)),
            "{description:?}"
        );
        assert_eq!(
            feed.entries[1].id,
            "https://example.org/news/2024/11/26/older/"
        );
    }

    #[test]
    fn rfc822_dates_keep_the_site_offset() {
        let mut articles = two_articles();
        articles[1].date = date("2024-03-10T23:05:09-03:30");
        let bytes = render(&site(articles), FeedFormat::Rss);
        let xml = text(&bytes);
        assert!(xml.contains("<pubDate>Wed, 27 Nov 2024 21:30:00 +0500</pubDate>"));
        assert!(xml.contains("<pubDate>Sun, 10 Mar 2024 23:05:09 -0330</pubDate>"));
        assert!(xml.contains("<lastBuildDate>Thu, 28 Nov 2024 08:00:00 +0500</lastBuildDate>"));
        let empty = render(&site(Vec::new()), FeedFormat::Rss);
        assert!(
            text(&empty).contains("<lastBuildDate>Thu, 1 Jan 1970 00:00:00 +0000</lastBuildDate>")
        );
    }

    #[test]
    fn email_authors_use_the_author_element() {
        let mut articles = two_articles();
        articles[0].authors = vec!["desk@example.org (The Desk)".into(), "Bilal".into()];
        let bytes = render(&site(articles), FeedFormat::Rss);
        let xml = text(&bytes);
        assert!(xml.contains("<author>desk@example.org (The Desk)</author>"));
        assert!(xml.contains("<dc:creator>Bilal</dc:creator>"));
        assert!(!xml.contains("<dc:creator>desk@"));
    }

    #[test]
    fn channel_description_falls_back_to_the_title() {
        let mut site = site(two_articles());
        site.config.description = "  ".into();
        let feed = parse(&render(&site, FeedFormat::Rss));
        assert_eq!(
            title_and_description(&feed),
            (Some("The Gazette"), Some("The Gazette"))
        );
    }
}
