//! JSON Feed 1.1, serialised with serde_json from the structs below.

use serde::Serialize;

use super::{FeedContext, rfc3339};

const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    language: &'a str,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_url: Option<&'a str>,
    title: &'a str,
    content_html: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    summary: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<JsonAuthor<'a>>,
}

#[derive(Serialize)]
struct JsonAuthor<'a> {
    name: &'a str,
}

/// The JSON Feed document for `context`, pretty-printed, ending with a newline.
pub(super) fn write(context: &FeedContext) -> serde_json::Result<Vec<u8>> {
    let config = &context.site.config;
    let items = context
        .items
        .iter()
        .map(|item| {
            let article = item.article;
            JsonItem {
                id: &item.url,
                url: &item.url,
                external_url: item.source_url.as_deref(),
                title: &article.title,
                content_html: &item.bodies.content_html,
                summary: &article.summary,
                image: item.image.as_deref(),
                date_published: rfc3339(&article.date),
                date_modified: article.updated.as_ref().map(rfc3339),
                tags: item.categories.iter().map(|c| c.label).collect(),
                authors: item
                    .authors
                    .iter()
                    .map(|&name| JsonAuthor { name })
                    .collect(),
            }
        })
        .collect();
    let feed = JsonFeed {
        version: VERSION,
        title: context.title,
        home_page_url: &context.home_url,
        feed_url: &context.self_url,
        description: &config.description,
        language: &config.language,
        items,
    };
    let mut bytes = serde_json::to_vec_pretty(&feed)?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use feed_rs::model::FeedType;
    use serde_json::{Value, json};

    use crate::feeds::test_support::*;
    use crate::site::FeedFormat;

    #[test]
    fn json_feed_has_every_field_absolute_and_dated() {
        let site = site(two_articles());
        let bytes = render(&site, FeedFormat::Json);
        let value: Value = serde_json::from_slice(&bytes).expect("valid JSON");
        let url = "https://example.org/news/2024/11/27/first/";
        assert_eq!(
            value,
            json!({
                "version": "https://jsonfeed.org/version/1.1",
                "title": "The Gazette",
                "home_page_url": BASE,
                "feed_url": "https://example.org/news/feed.json",
                "description": "News, digested",
                "language": "en-GB",
                "items": [
                    {
                        "id": url,
                        "url": url,
                        "external_url": "https://dawn.example/report?id=1&lang=en",
                        "title": NASTY_TITLE,
                        "content_html": concat!(
                            r#"<p><img src="https://example.org/news/2024/11/27/first/photo.jpg" alt="A photo"> "#,
                            r#"<a href="https://example.org/news/2024/11/26/older/">older</a> "#,
                            r#"<a href="https://example.org/news/2024/11/27/first/#fn1">1</a> "#,
                            r#"<a href='https://other.example/x'>other</a></p>"#,
                        ),
                        "summary": "Plain summary & more.",
                        "image": format!("{url}photo.jpg"),
                        "date_published": "2024-11-27T21:30:00+05:00",
                        "date_modified": "2024-11-28T08:00:00+05:00",
                        "tags": ["PTI", "Lahore High Court"],
                        "authors": [{"name": "Ayesha Khan"}],
                    },
                    {
                        "id": "https://example.org/news/2024/11/26/older/",
                        "url": "https://example.org/news/2024/11/26/older/",
                        "title": "Older story",
                        "content_html": "<p>Body.</p>\n",
                        "image": "https://cdn.example/i.png",
                        "date_published": "2024-11-26T09:00:00+05:00",
                        "tags": ["PTI"],
                    },
                ],
            })
        );

        let feed = parse(&bytes);
        assert_eq!(feed.feed_type, FeedType::JSON);
        assert_eq!(feed.entries[0].id, url);
        assert_eq!(
            feed.entries[0].published,
            Some(date("2024-11-27T16:30:00Z").with_timezone(&Utc))
        );
        let tags: Vec<&str> = feed.entries[0]
            .categories
            .iter()
            .map(|c| c.term.as_str())
            .collect();
        assert_eq!(tags, ["PTI", "Lahore High Court"]);
    }

    #[test]
    fn site_author_and_empty_description() {
        let mut site = site(two_articles());
        site.config.author = Some("The Desk".into());
        site.config.description.clear();
        let value: Value =
            serde_json::from_slice(&render(&site, FeedFormat::Json)).expect("valid JSON");
        assert_eq!(value.get("description"), None);
        assert_eq!(value["items"][1]["authors"], json!([{"name": "The Desk"}]));
    }
}
