//! The redirect page, built in Rust so it is the same in every theme and needs no template.

use crate::html::escape;
use crate::urls::Urls;

/// The page left at an old address: sends browsers (meta refresh) and crawlers (canonical) to
/// `to`, with a visible link for everyone else. Built here, not from a template, so it is the
/// same in every theme. `lang` is the site's language tag.
pub fn redirect_html(urls: &Urls, to: &str, lang: &str) -> String {
    let href = escape(&urls.path(to));
    let canonical = escape(&urls.absolute(to));
    let lang = escape(lang);
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting…</title>\n\
         <link rel=\"canonical\" href=\"{canonical}\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={href}\">\n\
         <meta name=\"robots\" content=\"noindex\">\n</head>\n<body>\n\
         <p>This page has moved to <a href=\"{href}\">{href}</a>.</p>\n</body>\n</html>\n"
    )
}
