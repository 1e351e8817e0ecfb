//! Hand-built sites for the feed tests: serialisation is tested without the planner.

use chrono::{DateTime, FixedOffset};

use crate::config::Config;
use crate::content::Article;
use crate::site::{ArticleLinks, FeedFormat, FeedPage, Site, Taxonomy, Term};
use crate::urls::Urls;

/// A base URL with a sub-path, so tests see links that would break if the base path were lost.
pub const BASE: &str = "https://example.org/news/";

/// The title every feed must carry through unchanged.
pub const NASTY_TITLE: &str = r#"<script>alert("x")</script> & "quotes""#;

pub fn urls() -> Urls {
    Urls::new(BASE)
}

pub fn date(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("test date")
}

/// A bare article at `path`, dated `when`.
pub fn article(title: &str, path: &str, when: &str) -> Article {
    let slug = path.trim_matches('/').rsplit('/').next().unwrap_or("x");
    Article {
        path: path.into(),
        body_html: "<p>Body.</p>\n".into(),
        word_count: 1,
        ..Article::sample(title, slug, when)
    }
}

/// The two articles most tests use: a rich one (nasty title, relative links, updated, tags,
/// image, source) and a plain older one.
pub fn two_articles() -> Vec<Article> {
    let mut first = article(
        NASTY_TITLE,
        "/2024/11/27/first/",
        "2024-11-27T21:30:00+05:00",
    );
    first.updated = Some(date("2024-11-28T08:00:00+05:00"));
    first.tags = vec!["PTI".into(), "Lahore High Court".into()];
    first.authors = vec!["Ayesha Khan".into()];
    first.summary = "Plain summary & more.".into();
    first.summary_html = r#"<p>Plain <a href="../../26/older/">summary</a> &amp; more.</p>"#.into();
    first.body_html = concat!(
        r#"<p><img src="photo.jpg" alt="A photo"> "#,
        r##"<a href="/2024/11/26/older/">older</a> <a href="#fn1">1</a> "##,
        r#"<a href='https://other.example/x'>other</a></p>"#,
    )
    .into();
    first.image = Some("photo.jpg".into());
    first.source_url = Some("https://dawn.example/report?id=1&lang=en".into());
    let mut older = article(
        "Older story",
        "/2024/11/26/older/",
        "2024-11-26T09:00:00+05:00",
    );
    older.tags = vec!["PTI".into()];
    older.image = Some("https://cdn.example/i.png".into());
    vec![first, older]
}

/// A site of `articles` (newest first) with a `tags` taxonomy and links built from their tags;
/// slugs are lowercase with `-` for spaces.
pub fn site(articles: Vec<Article>) -> Site {
    let config = Config {
        title: "The Gazette".into(),
        base_url: BASE.into(),
        description: "News, digested".into(),
        language: "en-GB".into(),
        ..Config::default()
    };
    let mut tags = Taxonomy {
        name: "tags".into(),
        path: "/tags/".into(),
        paginate: 20,
        terms: Vec::new(),
    };
    let mut links = Vec::new();
    for (index, article) in articles.iter().enumerate() {
        let mut carried = Vec::new();
        for tag in &article.tags {
            let slug = tag.to_lowercase().replace(' ', "-");
            let term = match tags.terms.iter().position(|t| t.slug == slug) {
                Some(t) => t,
                None => {
                    tags.terms.push(Term {
                        name: tag.clone(),
                        path: format!("/tags/{slug}/"),
                        slug,
                        articles: Vec::new(),
                    });
                    tags.terms.len() - 1
                }
            };
            tags.terms[term].articles.push(index);
            carried.push(term);
        }
        links.push(ArticleLinks {
            newer: index.checked_sub(1),
            older: Some(index + 1).filter(|&i| i < articles.len()),
            related: Vec::new(),
            day_path: "/".into(),
            terms: vec![carried],
        });
    }
    Site {
        config,
        articles,
        links,
        taxonomies: vec![tags],
        years: Vec::new(),
        pages: Vec::new(),
        warnings: Vec::new(),
    }
}

/// The site feed at `/` in `format`, listing every article.
pub fn home_feed(site: &Site, format: FeedFormat) -> FeedPage {
    FeedPage {
        format,
        title: site.config.title.clone(),
        items: (0..site.articles.len()).collect(),
        alternate: "/".into(),
    }
}

/// Site path of the home feed file in `format`.
pub fn feed_path(format: FeedFormat) -> &'static str {
    match format {
        FeedFormat::Atom => "/atom.xml",
        FeedFormat::Rss => "/rss.xml",
        FeedFormat::Json => "/feed.json",
    }
}

/// The home feed in `format`, serialised.
pub fn render(site: &Site, format: FeedFormat) -> Vec<u8> {
    super::feed(site, feed_path(format), &home_feed(site, format), &urls()).unwrap()
}

/// Parses feed bytes with feed-rs.
pub fn parse(bytes: &[u8]) -> feed_rs::model::Feed {
    feed_rs::parser::parse(bytes).expect("feed-rs parses the feed")
}

/// What [`site`]'s feeds must carry as their title and description.
pub const TITLE_AND_DESCRIPTION: (Option<&str>, Option<&str>) =
    (Some("The Gazette"), Some("News, digested"));

/// A parsed feed's title and description.
pub fn title_and_description(feed: &feed_rs::model::Feed) -> (Option<&str>, Option<&str>) {
    (
        feed.title.as_ref().map(|t| t.content.as_str()),
        feed.description.as_ref().map(|t| t.content.as_str()),
    )
}

/// The names of a parsed entry's authors.
pub fn author_names(entry: &feed_rs::model::Entry) -> Vec<&str> {
    entry
        .authors
        .iter()
        .filter_map(|a| a.name.as_deref())
        .collect()
}

pub fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("UTF-8")
}
