//! Links in article HTML shown somewhere other than the article's own address: feed readers
//! display bodies without the page's address, so every `href`/`src` that is relative to the page
//! (or to the site root) is rewritten to a full URL; list pages show summaries under other
//! addresses (and the site may live under a sub-path), so there such links are rewritten to
//! root-relative links carrying the base path.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::urls::Urls;

/// Characters encoded in a reference that is already URL-encoded: `%` is left alone so existing
/// escapes are not doubled; non-ASCII is always encoded.
const LOOSE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^');

/// Rewrites every `href`/`src` attribute value in `html` (double-, single- or un-quoted) to an
/// absolute URL: `#frag` -> the page URL with the fragment, `/x` -> `urls.absolute("/x")`,
/// `x/../y` -> resolved against `page_abs_url`. Links with a scheme (`https:`, `mailto:`) or
/// starting with `//` are left as written, as is everything outside tags.
pub fn absolutize_html(html: &str, page_abs_url: &str, urls: &Urls) -> String {
    crate::html::rewrite_urls(html, &|value| absolute_url(value, page_abs_url, urls))
}

/// Like [`absolutize_html`], but every reference that was relative (to the page or to the site
/// root) becomes a root-relative link carrying the base path (`/news/2024/11/27/first/photo.jpg`,
/// `/news/tags/pti/`), so the HTML works on any page of the site, under any base path. Links
/// with a scheme or starting with `//` are left as written.
pub fn rebase_html(html: &str, page_abs_url: &str, urls: &Urls) -> String {
    // The origin is the base URL without its path: what turns an absolute URL on this site
    // into a root-relative one.
    let origin_len = urls.base_url().len().saturating_sub(urls.base_path().len());
    let origin = urls.base_url().get(..origin_len).unwrap_or("");
    crate::html::rewrite_urls(html, &|value| {
        let absolute = absolute_url(value, page_abs_url, urls);
        match absolute.strip_prefix(origin) {
            Some(path) if path.starts_with('/') && !is_absolute_reference(value) => {
                path.to_string()
            }
            _ => absolute,
        }
    })
}

/// True for references [`absolute_url`] keeps as written.
fn is_absolute_reference(value: &str) -> bool {
    let value = value.trim_matches(|c: char| c.is_ascii_whitespace());
    crate::urls::is_absolute_url(value)
}

/// Resolves one (not HTML-escaped) URL reference found on the page at `page_abs_url`. `./` and
/// `../` never climb above the site's base URL. The result is URL-encoded (ASCII).
pub fn absolute_url(reference: &str, page_abs_url: &str, urls: &Urls) -> String {
    let reference = reference.trim_matches(|c: char| c.is_ascii_whitespace());
    if crate::urls::is_absolute_url(reference) {
        return reference.to_string();
    }
    let page = page_abs_url
        .find(['?', '#'])
        .map_or(page_abs_url, |i| &page_abs_url[..i]);
    if reference.is_empty() {
        return page.to_string();
    }
    if reference.starts_with(['#', '?']) {
        return format!("{page}{}", encode(reference));
    }
    let (root, page_path) = split_root(page, urls);
    let (path, suffix) = reference
        .find(['?', '#'])
        .map_or((reference, ""), |i| reference.split_at(i));

    let mut segments: Vec<&str> = Vec::new();
    if !path.starts_with('/') {
        // The page's folder: everything before its last `/`.
        if let Some((dir, _)) = page_path.rsplit_once('/') {
            segments.extend(dir.split('/'));
        }
    }
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        match *part {
            "." => {}
            ".." => {
                // Popping an empty list is the clamp: nothing goes above the base.
                segments.pop();
            }
            other => segments.push(other),
        }
        // `a/.` and `a/..` name a folder: keep the trailing slash.
        if i + 1 == parts.len() && matches!(*part, "." | "..") {
            segments.push("");
        }
    }
    format!("{root}{}{}", encode(&segments.join("/")), encode(suffix))
}

/// Splits an absolute page URL into the part links may not climb above (the base URL, or the
/// origin for a page outside it) and the page's path below that.
fn split_root<'p>(page: &'p str, urls: &Urls) -> (&'p str, &'p str) {
    if let Some(below) = page.strip_prefix(urls.base_url()) {
        return page.split_at(page.len() - below.len());
    }
    if let Some(after_scheme) = page.find("://").map(|i| i + 3) {
        return match page[after_scheme..].find('/') {
            Some(slash) => page.split_at(after_scheme + slash + 1),
            None => (page, ""),
        };
    }
    (page, "")
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, LOOSE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "https://example.org/news/2024/11/27/first/";

    fn urls() -> Urls {
        Urls::new("https://example.org/news/")
    }

    fn abs(reference: &str) -> String {
        absolute_url(reference, PAGE, &urls())
    }

    fn html(input: &str) -> String {
        absolutize_html(input, PAGE, &urls())
    }

    #[test]
    fn references_resolve_against_the_page() {
        assert_eq!(abs("photo.jpg"), format!("{PAGE}photo.jpg"));
        assert_eq!(abs("./photo.jpg"), format!("{PAGE}photo.jpg"));
        assert_eq!(abs("img/a.png"), format!("{PAGE}img/a.png"));
        assert_eq!(abs("../"), "https://example.org/news/2024/11/27/");
        assert_eq!(abs(".."), "https://example.org/news/2024/11/27/");
        assert_eq!(abs("."), PAGE);
        assert_eq!(abs("../x/"), "https://example.org/news/2024/11/27/x/");
        assert_eq!(abs("../../26/b/"), "https://example.org/news/2024/11/26/b/");
        assert_eq!(abs("a/./b/../c"), format!("{PAGE}a/c"));
        assert_eq!(abs("x?q=1#top"), format!("{PAGE}x?q=1#top"));
    }

    #[test]
    fn dot_dot_never_climbs_above_the_base() {
        assert_eq!(abs("../../../../../../x"), "https://example.org/news/x");
        assert_eq!(abs("/../../x/"), "https://example.org/news/x/");
        assert_eq!(abs("../../../../.."), "https://example.org/news/");
    }

    #[test]
    fn fragments_queries_and_site_root_paths() {
        assert_eq!(abs("#fn1"), format!("{PAGE}#fn1"));
        assert_eq!(abs("?page=2"), format!("{PAGE}?page=2"));
        assert_eq!(abs(""), PAGE);
        assert_eq!(abs("/"), "https://example.org/news/");
        assert_eq!(
            abs("/2024/11/26/older/"),
            urls().absolute("/2024/11/26/older/")
        );
        assert_eq!(abs("/tags/pti/#x"), "https://example.org/news/tags/pti/#x");
        // A fragment on the page URL itself is replaced, not kept.
        assert_eq!(
            absolute_url("#b", &format!("{PAGE}#a"), &urls()),
            format!("{PAGE}#b")
        );
    }

    #[test]
    fn absolute_references_are_untouched() {
        for reference in [
            "https://other.example/a/../b",
            "http://x.example",
            "mailto:desk@example.org",
            "data:image/png;base64,AAAA",
            "//cdn.example/x.js",
            "tel:+92-300",
        ] {
            assert_eq!(abs(reference), reference);
        }
    }

    #[test]
    fn encoding_is_not_doubled_and_unicode_is_encoded() {
        assert_eq!(
            abs("/tags/%D8%B9/"),
            "https://example.org/news/tags/%D8%B9/"
        );
        assert_eq!(abs("/tags/ع/"), "https://example.org/news/tags/%D8%B9/");
        assert_eq!(abs("a b.jpg"), format!("{PAGE}a%20b.jpg"));
    }

    #[test]
    fn pages_outside_the_base_clamp_at_their_origin() {
        let other = "https://elsewhere.example/a/b/";
        assert_eq!(
            absolute_url("../../../x", other, &urls()),
            "https://elsewhere.example/x"
        );
    }

    #[test]
    fn html_attributes_are_rewritten_in_every_quoting() {
        assert_eq!(
            html(r#"<a href="x/">a</a>"#),
            format!(r#"<a href="{PAGE}x/">a</a>"#)
        );
        assert_eq!(
            html("<img src='photo.jpg' alt='p'>"),
            format!("<img src='{PAGE}photo.jpg' alt='p'>")
        );
        assert_eq!(
            html("<a href=../x/>a</a>"),
            r#"<a href="https://example.org/news/2024/11/27/x/">a</a>"#
        );
        assert_eq!(
            html(r##"<sup><a HREF = "#fn1">1</a></sup>"##),
            format!(r##"<sup><a HREF = "{PAGE}#fn1">1</a></sup>"##)
        );
        assert_eq!(
            html(r#"<img alt="x" src="/a.png"/>"#),
            r#"<img alt="x" src="https://example.org/news/a.png"/>"#
        );
    }

    #[test]
    fn html_entities_in_values_survive() {
        assert_eq!(
            html(r#"<a href="x?a=1&amp;b=2">q</a>"#),
            format!(r#"<a href="{PAGE}x?a=1&amp;b=2">q</a>"#)
        );
        assert_eq!(
            html(r#"<a href="it&#39;s/">q</a>"#),
            format!(r#"<a href="{PAGE}it&#39;s/">q</a>"#)
        );
        // Absolute values keep their bytes exactly.
        let kept = r#"<a href="https://x.example/?a=1&amp;b=2">q</a>"#;
        assert_eq!(html(kept), kept);
    }

    #[test]
    fn only_url_attributes_in_tags_change() {
        for kept in [
            r#"<a title="x/y" data-href="z" class=a>t</a>"#,
            r#"<p>href="x" and src='y' in text</p>"#,
            r#"<code>&lt;a href="x"&gt;</code>"#,
            r#"<!-- <a href="x"> -->"#,
            r#"<script>var s = '<a href="x">';</script>"#,
            r#"<STYLE>a[href="x"] {}</style>"#,
            r#"<a href="">empty</a> <a href>bare</a>"#,
            "a < b and c > d </p> <!DOCTYPE html> <?x?>",
            r#"<a href="https://x.example/">x</a> <a href="mailto:a@b.c">m</a>"#,
        ] {
            assert_eq!(html(kept), kept);
        }
        assert_eq!(
            html(r#"<script src="a.js"></script><a href="b">b</a>"#),
            format!(r#"<script src="{PAGE}a.js"></script><a href="{PAGE}b">b</a>"#)
        );
    }

    #[test]
    fn broken_html_never_panics_and_keeps_the_text() {
        let input = r#"<p>ü <a href="x/">é</a> <img src='y <a href=ع> <b"#;
        for end in input.char_indices().map(|(i, _)| i).chain([input.len()]) {
            let piece = &input[..end];
            let out = html(piece);
            assert!(out.len() >= piece.len(), "{piece:?} -> {out:?}");
        }
        assert_eq!(html("<a href=\"x"), "<a href=\"x");
        assert_eq!(html("<!-- open"), "<!-- open");
        assert_eq!(html("<"), "<");
    }

    #[test]
    fn rebased_links_are_root_relative_under_the_base_path() {
        let rebase = |input: &str| rebase_html(input, PAGE, &urls());
        assert_eq!(
            rebase(r##"<a href="/tags/pti/">t</a> <img src="chart.png"> <a href="#fn-1">1</a>"##),
            concat!(
                r#"<a href="/news/tags/pti/">t</a> <img src="/news/2024/11/27/first/chart.png"> "#,
                r#"<a href="/news/2024/11/27/first/#fn-1">1</a>"#
            )
        );
        assert_eq!(
            rebase(r#"<a href="../">day</a> <a href="/tags/ع/">u</a>"#),
            r#"<a href="/news/2024/11/27/">day</a> <a href="/news/tags/%D8%B9/">u</a>"#
        );
        // Links that name their own scheme or host stay as written, even on this site.
        for kept in [
            r#"<a href="https://example.org/news/x/">x</a>"#,
            r#"<a href="//example.org/news/x/">x</a>"#,
            r#"<a href="mailto:a@b.c">m</a>"#,
        ] {
            assert_eq!(rebase(kept), kept);
        }
        let root = Urls::new("https://example.org/");
        assert_eq!(
            rebase_html(r#"<img src="a.png">"#, "https://example.org/2024/x/", &root),
            r#"<img src="/2024/x/a.png">"#
        );
    }

    #[test]
    fn rewritten_values_are_escaped_for_their_quotes() {
        assert_eq!(
            html(r#"<a href='a"b'>q</a>"#),
            format!("<a href='{PAGE}a%22b'>q</a>")
        );
        assert_eq!(
            html(r#"<a href="it's">q</a>"#),
            format!(r#"<a href="{PAGE}it&#39;s">q</a>"#)
        );
    }

    #[test]
    fn rebase_gives_site_paths_the_base_path_only() {
        let input = r##"<p><a href="/2024/11/27/x/#top">x</a> <img src='/a b.png'> <a href="//cdn.example.org/y">y</a> <a href="https://x.org/">z</a> <a href="rel/">r</a> <a href="#f">f</a> /plain/text</p>"##;
        assert_eq!(
            rebase_html(input, PAGE, &urls()),
            r##"<p><a href="/news/2024/11/27/x/#top">x</a> <img src='/news/a%20b.png'> <a href="//cdn.example.org/y">y</a> <a href="https://x.org/">z</a> <a href="/news/2024/11/27/first/rel/">r</a> <a href="/news/2024/11/27/first/#f">f</a> /plain/text</p>"##
        );
        // At the root, site paths are already right: nothing changes.
        let root = Urls::new("https://example.org/");
        let site_paths = r##"<p><a href="/2024/11/27/x/#top">x</a> <img src='/a%20b.png'> <a href="//cdn.example.org/y">y</a> /plain/text</p>"##;
        assert_eq!(
            rebase_html(site_paths, "https://example.org/2024/11/27/first/", &root),
            site_paths
        );
    }
}
