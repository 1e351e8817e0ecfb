//! Jekyll's URLs: permalink styles and `:placeholder` patterns filled as Jekyll fills them,
//! and its two ways of making slugs.

use chrono::{DateTime, Datelike, FixedOffset, Timelike};

use super::read;

/// A named permalink style -> its pattern; anything else is a pattern already.
pub fn site_permalink(permalink: Option<&str>) -> String {
    site_permalink_or(permalink.unwrap_or("date"))
}

pub fn site_permalink_or(permalink: &str) -> String {
    match permalink {
        "date" => "/:categories/:year/:month/:day/:title:output_ext",
        "pretty" => "/:categories/:year/:month/:day/:title/",
        "ordinal" => "/:categories/:year/:y_day/:title:output_ext",
        "none" => "/:categories/:title:output_ext",
        other => other,
    }
    .to_string()
}

/// Fills a permalink pattern the way Jekyll does: `:title` is the slug with its case and URL-safe
/// punctuation kept, `:slug` lowercased, `:categories` lowercased and joined with `/`.
pub fn fill(
    pattern: &str,
    date: &DateTime<FixedOffset>,
    slug: &str,
    categories: &[String],
) -> String {
    let mut cats: Vec<String> = Vec::new();
    for c in categories {
        let c = c.to_lowercase();
        if !cats.contains(&c) {
            cats.push(c);
        }
    }
    let value = |name: &str| -> Option<String> {
        Some(match name {
            "year" => format!("{:04}", date.year()),
            "month" => format!("{:02}", date.month()),
            "day" => format!("{:02}", date.day()),
            "i_month" => date.month().to_string(),
            "i_day" => date.day().to_string(),
            "short_year" => format!("{:02}", date.year() % 100),
            "y_day" => format!("{:03}", date.ordinal()),
            "hour" => format!("{:02}", date.hour()),
            "minute" => format!("{:02}", date.minute()),
            "second" => format!("{:02}", date.second()),
            "title" => slugify(slug, true),
            "slug" => slugify(slug, false),
            "name" => slugify(slug, false),
            "categories" => cats.join("/"),
            "output_ext" => ".html".into(),
            _ => return None,
        })
    };
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(at) = rest.find(':') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(after.len());
        // Longest known name first: `:output_ext` after `:title`, `:i_month` not `:i`.
        let known = (1..=len)
            .rev()
            .find_map(|n| value(&after[..n]).map(|v| (n, v)));
        match known {
            Some((n, v)) => {
                out.push_str(&v);
                rest = &after[n..];
            }
            None => {
                out.push(':');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    read::squeeze(&read::rooted(&out))
}

/// The URLs a filled permalink is served at: itself, and for a path with neither a trailing
/// `/` nor an extension also the `.html` file Jekyll writes for it.
pub fn post_urls(url: &str) -> Vec<String> {
    let last = url.rsplit('/').next().unwrap_or("");
    if url.ends_with('/') || last.contains('.') {
        vec![url.to_string()]
    } else {
        vec![url.to_string(), format!("{url}.html")]
    }
}

/// Jekyll's `slugify`: `pretty` mode (for `:title`) keeps case and `._~!$&'()+,;=@`; the
/// default mode lowercases and keeps only letters and digits. Runs of anything else become `-`.
pub fn slugify(text: &str, pretty: bool) -> String {
    let keep = |c: char| c.is_alphanumeric() || (pretty && "._~!$&'()+,;=@".contains(c));
    let out = crate::slug::join_kept(text.chars(), keep);
    if pretty { out } else { out.to_lowercase() }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Patterns and slugs as users write them: never a panic, always a rooted path.
        #[test]
        fn any_pattern_fills(pattern in "[:/a-z_.é-]{0,30}", slug in "\\PC{0,12}") {
            let d = DateTime::parse_from_rfc3339("2015-05-07T10:00:00Z").unwrap();
            let url = fill(&pattern, &d, &slug, std::slice::from_ref(&slug));
            proptest::prop_assert!(url.starts_with('/'));
            let _ = post_urls(&url);
        }
    }

    fn date(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    #[test]
    fn named_styles_and_placeholders() {
        let d = date("2015-05-07T10:00:00Z");
        let cats = vec!["Rust".to_string(), "News".to_string()];
        let f = |style: &str, cats: &[String]| {
            fill(&site_permalink(Some(style)), &d, "Hello-World", cats)
        };
        assert_eq!(f("date", &[]), "/2015/05/07/Hello-World.html");
        assert_eq!(f("date", &cats), "/rust/news/2015/05/07/Hello-World.html");
        assert_eq!(f("pretty", &[]), "/2015/05/07/Hello-World/");
        assert_eq!(f("ordinal", &[]), "/2015/127/Hello-World.html");
        assert_eq!(f("none", &cats), "/rust/news/Hello-World.html");
        assert_eq!(
            fill(
                "/:short_year/:i_month/:i_day/:slug/",
                &d,
                "Hello-World",
                &[]
            ),
            "/15/5/7/hello-world/"
        );
        assert_eq!(fill("blog/:title", &d, "a b", &[]), "/blog/a-b");
        assert_eq!(fill("/about/", &d, "x", &[]), "/about/");
        assert_eq!(fill("/:year/:foo/:title", &d, "x", &[]), "/2015/:foo/x");
        assert_eq!(post_urls("/blog/x"), ["/blog/x", "/blog/x.html"]);
        assert_eq!(post_urls("/blog/x.html"), ["/blog/x.html"]);
    }

    /// Cases whose URLs were read off Jekyll 4.3's own output.
    #[test]
    fn what_jekyll_itself_publishes() {
        let d = date("2017-07-08T00:00:00Z");
        let big = vec!["Big News".to_string()];
        let date_style = site_permalink(Some("date"));
        assert_eq!(
            fill(&date_style, &d, &slugify("Moved-Story_1.0", true), &big),
            "/big news/2017/07/08/Moved-Story_1.0.html"
        );
        assert_eq!(
            fill(
                &date_style,
                &d,
                &slugify("Other Name", true),
                &["a".into(), "b".into()]
            ),
            "/a/b/2017/07/08/Other-Name.html"
        );
        assert_eq!(
            fill(
                "/:year/:i_month/:i_day/:short_year/:slug",
                &d,
                "Moved-Story_1.0",
                &[]
            ),
            "/2017/7/8/17/moved-story-1-0"
        );
        assert_eq!(
            fill("/:categories/:year/:title/", &d, "tpl", &["x".into()]),
            "/x/2017/tpl/"
        );
        // 22:30 UTC on 31 December is 1 January in Asia/Karachi, the site's timezone.
        let tz = crate::config::SiteTz::parse("Asia/Karachi").unwrap();
        let late = crate::content::dates::parse("2019-12-31 22:30:00 +0000", &tz).unwrap();
        assert_eq!(
            fill("/:year/:month/:day/:title.html", &late, "late", &[]),
            "/2020/01/01/late.html"
        );
    }

    #[test]
    fn slugify_modes() {
        assert_eq!(slugify("Hello, World!", true), "Hello,-World!");
        assert_eq!(slugify("Hello, World!", false), "hello-world");
        assert_eq!(slugify("rust_1.0", false), "rust-1-0");
    }
}
