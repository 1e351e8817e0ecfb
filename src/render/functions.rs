//! Gazette's template helpers: `url()` and `abs_url()` (the only way templates build links, so
//! sub-path hosting works), `asset()` (the published, fingerprinted name of a static file), and
//! the `date` and `slugify` filters.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, NaiveDate};
use tera::{Kwargs, State, Tera, TeraResult};

use crate::urls::{Urls, is_absolute_url};

/// Format used by `date` when the template gives none.
const DEFAULT_DATE_FORMAT: &str = "%Y-%m-%d";

/// Registers Gazette's functions and filters on `tera`; links are built from `urls`.
pub fn register(tera: &mut Tera, urls: &Urls) {
    let path_urls = urls.clone();
    tera.register_function(
        "url",
        move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let path = kwargs.must_get::<&str>("path")?;
            Ok(link(&path_urls, path, false))
        },
    );
    let abs_urls = urls.clone();
    tera.register_function(
        "abs_url",
        move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let path = kwargs.must_get::<&str>("path")?;
            Ok(link(&abs_urls, path, true))
        },
    );
    tera.register_filter("date", date_filter);
    tera.register_filter("slugify", |value: &str, _: Kwargs, _: &State| {
        crate::slug::slugify(value)
    });
}

/// Registers `asset(path="/style.css")`: the href of a static file under the name it is
/// published at (stylesheets and scripts carry a content hash). A path that names no static file
/// is a render error, so a typo cannot ship a broken link.
pub fn register_assets(tera: &mut Tera, urls: &Urls, published: BTreeMap<String, String>) {
    let urls = urls.clone();
    let published = Arc::new(published);
    tera.register_function(
        "asset",
        move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let path = kwargs.must_get::<&str>("path")?;
            asset_link(&urls, &published, path).map_err(tera::Error::message)
        },
    );
}

/// The work of `asset()`, as plain Rust for testing.
fn asset_link(
    urls: &Urls,
    published: &BTreeMap<String, String>,
    path: &str,
) -> Result<String, String> {
    let site_path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    match published.get(&site_path) {
        Some(name) => Ok(urls.path(name)),
        None => Err(format!(
            "asset(path=\"{path}\"): there is no such file in the theme's or the site's static/ folder"
        )),
    }
}

/// A link for `path`: a site path goes through [`Urls`]; a URL that is already absolute (has a
/// scheme, or starts with `//`) is kept, so themes can pass links from front matter through.
fn link(urls: &Urls, path: &str, absolute: bool) -> String {
    if is_absolute_url(path) {
        path.to_string()
    } else if absolute {
        urls.absolute(path)
    } else {
        urls.path(path)
    }
}

/// `{{ article.date | date(format="%e %B %Y") }}`: formats an RFC 3339 string (or a plain
/// `YYYY-MM-DD` date) with a chrono strftime format. A bad format is a render error.
fn date_filter(value: &str, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let format = kwargs.get::<&str>("format")?.unwrap_or(DEFAULT_DATE_FORMAT);
    format_date(value, format).map_err(tera::Error::message)
}

/// The work of the `date` filter, as plain Rust for testing.
pub fn format_date(value: &str, format: &str) -> Result<String, String> {
    let items: Vec<Item<'_>> = StrftimeItems::new(format)
        .parse()
        .map_err(|_| format!("date: `{format}` is not a valid strftime format"))?;
    let mut out = String::new();
    let written = if let Ok(datetime) = DateTime::parse_from_rfc3339(value) {
        write!(out, "{}", datetime.format_with_items(items.iter()))
    } else if let Ok(day) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        write!(
            out,
            "{}",
            day.and_time(chrono::NaiveTime::MIN)
                .format_with_items(items.iter())
        )
    } else {
        return Err(format!(
            "date: `{value}` is not an RFC 3339 date-time or a YYYY-MM-DD date"
        ));
    };
    // chrono reports a format it cannot fill (a timezone for a plain date) as a fmt error.
    written.map_err(|_| format!("date: `{format}` cannot be used with `{value}`"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_format_and_bad_formats_are_errors() {
        assert_eq!(
            format_date("2024-11-07T21:30:00+05:00", "%Y-%m-%d %H:%M %z").unwrap(),
            "2024-11-07 21:30 +0500"
        );
        assert_eq!(
            format_date("2024-11-07T21:30:00+05:00", "%e %B %Y").unwrap(),
            " 7 November 2024"
        );
        assert_eq!(format_date("2024-11-07", "%d/%m/%Y").unwrap(), "07/11/2024");
        assert!(format_date("2024-11-07T21:30:00+05:00", "%Q").is_err());
        assert!(format_date("2024-11-07T21:30:00+05:00", "%").is_err());
        assert!(format_date("2024-11-07", "%z").is_err());
        assert!(format_date("yesterday", "%Y").is_err());
    }

    #[test]
    fn url_functions_carry_the_base_path() {
        let urls = Urls::new("https://example.org/news/");
        let mut tera = Tera::new();
        register(&mut tera, &urls);
        tera.add_raw_template(
            "t.html",
            r#"{{ url(path="/tags/") }}|{{ abs_url(path="/atom.xml") }}|{{ url(path="https://x.org/a?b=1&c=2") }}|{{ d | date(format="%Y") }}"#,
        )
        .unwrap();
        let mut context = tera::Context::new();
        context.insert("d", "2024-11-07T21:30:00+05:00");
        assert_eq!(
            tera.render("t.html", &context).unwrap(),
            "/news/tags/|https://example.org/news/atom.xml|https://x.org/a?b=1&amp;c=2|2024"
        );
    }

    #[test]
    fn assets_resolve_to_published_names_under_the_base_path() {
        let urls = Urls::new("https://example.org/news/");
        let published = BTreeMap::from([
            (
                "/style.css".to_string(),
                "/style.0123456789.css".to_string(),
            ),
            ("/CNAME".to_string(), "/CNAME".to_string()),
        ]);
        assert_eq!(
            asset_link(&urls, &published, "/style.css").unwrap(),
            "/news/style.0123456789.css"
        );
        assert_eq!(
            asset_link(&urls, &published, "style.css").unwrap(),
            "/news/style.0123456789.css"
        );
        assert_eq!(
            asset_link(&urls, &published, "/CNAME").unwrap(),
            "/news/CNAME"
        );
        let err = asset_link(&urls, &published, "/styles.css").unwrap_err();
        assert!(err.contains("no such file"), "{err}");

        let mut tera = Tera::new();
        register_assets(&mut tera, &urls, published);
        tera.add_raw_template(
            "t.html",
            r#"{{ asset(path="/style.css") }}|{{ asset(path="/nope.js") }}"#,
        )
        .unwrap();
        let err = tera.render("t.html", &tera::Context::new()).unwrap_err();
        assert!(format!("{err:?}").contains("nope.js"), "{err:?}");
    }

    #[test]
    fn a_bad_date_format_is_a_render_error() {
        let mut tera = Tera::new();
        register(&mut tera, &Urls::new("https://example.org/"));
        tera.add_raw_template("t.html", r#"{{ d | date(format="%Q") }}"#)
            .unwrap();
        let mut context = tera::Context::new();
        context.insert("d", "2024-11-07T21:30:00+05:00");
        let err = tera.render("t.html", &context).unwrap_err();
        assert!(
            err.to_string().contains("not a valid strftime format"),
            "{err}"
        );
    }
}
