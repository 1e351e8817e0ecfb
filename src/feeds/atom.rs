//! Atom 1.0 (RFC 4287): full content, one author per entry (Atom requires one), ids that are the
//! articles' absolute URLs.

use std::io;

use super::cache::xml_text;
use super::{FeedContext, Item, rfc3339, text_element, xml_bytes, xml_safe, xml_writer};
use quick_xml::Writer;
use quick_xml::events::BytesText;

/// The Atom namespace; RSS borrows it for `atom:link rel="self"`.
pub(super) const NAMESPACE: &str = "http://www.w3.org/2005/Atom";

/// The Atom document for `context`.
pub(super) fn write(context: &FeedContext) -> io::Result<Vec<u8>> {
    let config = &context.site.config;
    let mut writer = xml_writer()?;
    writer
        .create_element("feed")
        .with_attribute(("xmlns", NAMESPACE))
        .with_attribute(("xml:lang", xml_safe(&config.language).as_ref()))
        .write_inner_content(|w| {
            text_element(w, "title", context.title)?;
            if !config.description.is_empty() {
                text_element(w, "subtitle", &config.description)?;
            }
            link(w, "self", Some("application/atom+xml"), &context.self_url)?;
            link(w, "alternate", Some("text/html"), &context.home_url)?;
            text_element(w, "id", &context.home_url)?;
            text_element(w, "updated", &rfc3339(&context.updated))?;
            text_element(w, "generator", "Gazette")?;
            for item in &context.items {
                entry(w, context, item)?;
            }
            Ok(())
        })?;
    Ok(xml_bytes(writer))
}

fn entry(w: &mut Writer<Vec<u8>>, context: &FeedContext, item: &Item) -> io::Result<()> {
    let article = item.article;
    w.create_element("entry").write_inner_content(|w| {
        text_element(w, "title", &article.title)?;
        link(w, "alternate", Some("text/html"), &item.url)?;
        if let Some(source) = &item.source_url {
            link(w, "related", None, source)?;
        }
        if let Some(image) = &item.image {
            link(w, "enclosure", image_type(image), image)?;
        }
        text_element(w, "id", &item.url)?;
        text_element(w, "published", &rfc3339(&article.date))?;
        text_element(w, "updated", &rfc3339(&item.updated))?;
        let site_title = [context.site.config.title.as_str()];
        let authors = if item.authors.is_empty() {
            &site_title[..]
        } else {
            &item.authors[..]
        };
        for name in authors {
            w.create_element("author")
                .write_inner_content(|w| text_element(w, "name", name))?;
        }
        for category in &item.categories {
            let mut element = w
                .create_element("category")
                .with_attribute(("term", xml_safe(category.term).as_ref()))
                .with_attribute(("label", xml_safe(category.label).as_ref()));
            if let Some(scheme) = &category.scheme {
                element = element.with_attribute(("scheme", scheme.as_str()));
            }
            element.write_empty()?;
        }
        if !item.bodies.summary_html.is_empty() {
            html_element(w, "summary", &xml_text(&item.bodies.summary_html))?;
        }
        html_element(w, "content", &xml_text(&item.bodies.content_html))?;
        Ok(())
    })?;
    Ok(())
}

fn link(w: &mut Writer<Vec<u8>>, rel: &str, kind: Option<&str>, href: &str) -> io::Result<()> {
    let mut element = w.create_element("link").with_attribute(("rel", rel));
    if let Some(kind) = kind {
        element = element.with_attribute(("type", kind));
    }
    element
        .with_attribute(("href", xml_safe(href).as_ref()))
        .write_empty()?;
    Ok(())
}

/// `<name type="html">` with the HTML as text, already escaped as XML.
fn html_element(w: &mut Writer<Vec<u8>>, name: &str, xml: &str) -> io::Result<()> {
    w.create_element(name)
        .with_attribute(("type", "html"))
        .write_text_content(BytesText::from_escaped(xml))?;
    Ok(())
}

/// The media type of an image from its extension, when it is a common one.
fn image_type(url: &str) -> Option<&'static str> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let extension = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use feed_rs::model::FeedType;

    use crate::feeds::test_support::*;
    use crate::site::FeedFormat;

    fn links(links: &[feed_rs::model::Link]) -> Vec<(Option<&str>, &str)> {
        links
            .iter()
            .map(|l| (l.rel.as_deref(), l.href.as_str()))
            .collect()
    }

    #[test]
    fn atom_feed_has_absolute_links_ids_dates_and_categories() {
        let site = site(two_articles());
        let feed = parse(&render(&site, FeedFormat::Atom));
        assert_eq!(feed.feed_type, FeedType::Atom);
        assert_eq!(title_and_description(&feed), TITLE_AND_DESCRIPTION);
        assert_eq!(feed.id, BASE);
        assert_eq!(feed.language.as_deref(), Some("en-GB"));
        assert_eq!(
            feed.updated,
            Some(date("2024-11-28T08:00:00+05:00").with_timezone(&Utc))
        );
        assert_eq!(
            links(&feed.links),
            [
                (Some("self"), "https://example.org/news/atom.xml"),
                (Some("alternate"), BASE),
            ]
        );
        assert_eq!(feed.entries.len(), 2);

        let first = &feed.entries[0];
        let url = "https://example.org/news/2024/11/27/first/";
        assert_eq!(first.id, url);
        assert_eq!(
            first.title.as_ref().map(|t| t.content.as_str()),
            Some(NASTY_TITLE)
        );
        assert_eq!(
            links(&first.links),
            [
                (Some("alternate"), url),
                (Some("related"), "https://dawn.example/report?id=1&lang=en"),
                (Some("enclosure"), &format!("{url}photo.jpg")[..]),
            ]
        );
        assert_eq!(
            first.published,
            Some(date("2024-11-27T16:30:00Z").with_timezone(&Utc))
        );
        assert_eq!(
            first.updated,
            Some(date("2024-11-28T03:00:00Z").with_timezone(&Utc))
        );
        assert_eq!(author_names(first), ["Ayesha Khan"]);
        let categories: Vec<(&str, Option<&str>, Option<&str>)> = first
            .categories
            .iter()
            .map(|c| (c.term.as_str(), c.label.as_deref(), c.scheme.as_deref()))
            .collect();
        let scheme = Some("https://example.org/news/tags/");
        assert_eq!(
            categories,
            [
                ("pti", Some("PTI"), scheme),
                ("lahore-high-court", Some("Lahore High Court"), scheme),
            ]
        );
        assert_eq!(
            first.summary.as_ref().map(|s| s.content.as_str()),
            Some(
                r#"<p>Plain <a href="https://example.org/news/2024/11/26/older/">summary</a> &amp; more.</p>"#
            )
        );
        let body = first.content.as_ref().and_then(|c| c.body.as_deref());
        assert_eq!(
            body,
            Some(concat!(
                r#"<p><img src="https://example.org/news/2024/11/27/first/photo.jpg" alt="A photo"> "#,
                r#"<a href="https://example.org/news/2024/11/26/older/">older</a> "#,
                r#"<a href="https://example.org/news/2024/11/27/first/#fn1">1</a> "#,
                r#"<a href='https://other.example/x'>other</a></p>"#,
            ))
        );

        let older = &feed.entries[1];
        assert_eq!(older.id, "https://example.org/news/2024/11/26/older/");
        // No updated date: the publication date stands in.
        assert_eq!(older.updated, older.published);
        assert!(older.summary.is_none());
    }

    #[test]
    fn every_entry_has_an_author() {
        let mut site = site(two_articles());
        let names = |site: &crate::site::Site| -> Vec<Vec<String>> {
            parse(&render(site, FeedFormat::Atom))
                .entries
                .iter()
                .map(|e| e.authors.iter().filter_map(|a| a.name.clone()).collect())
                .collect()
        };
        assert_eq!(names(&site), [vec!["Ayesha Khan"], vec!["The Gazette"]]);
        site.config.author = Some("The Desk".into());
        assert_eq!(names(&site), [vec!["Ayesha Khan"], vec!["The Desk"]]);
    }

    #[test]
    fn tags_without_model_links_are_used_as_written() {
        let mut site = site(two_articles());
        site.links.clear();
        let feed = parse(&render(&site, FeedFormat::Atom));
        let categories: Vec<(&str, Option<&str>, Option<&str>)> = feed.entries[0]
            .categories
            .iter()
            .map(|c| (c.term.as_str(), c.label.as_deref(), c.scheme.as_deref()))
            .collect();
        assert_eq!(
            categories,
            [
                ("PTI", Some("PTI"), None),
                ("Lahore High Court", Some("Lahore High Court"), None)
            ]
        );
    }

    #[test]
    fn an_empty_feed_is_dated_by_the_site_or_the_epoch() {
        let site = site(two_articles());
        let mut page = home_feed(&site, FeedFormat::Atom);
        page.items.clear();
        let bytes = crate::feeds::feed(&site, "/atom.xml", &page, &urls()).unwrap();
        assert!(text(&bytes).contains("<updated>2024-11-28T08:00:00+05:00</updated>"));
        assert!(parse(&bytes).entries.is_empty());

        let empty = crate::feeds::test_support::site(Vec::new());
        let bytes = render(&empty, FeedFormat::Atom);
        assert!(text(&bytes).contains("<updated>1970-01-01T00:00:00Z</updated>"));
    }

    #[test]
    fn empty_description_means_no_subtitle() {
        let mut site = site(two_articles());
        site.config.description.clear();
        let bytes = render(&site, FeedFormat::Atom);
        assert!(!text(&bytes).contains("<subtitle"));
        assert!(parse(&bytes).description.is_none());
    }
}
