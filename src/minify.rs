//! The only module that knows minify-html: smaller HTML pages, stylesheets and scripts for
//! `minify = true`. Output stays standards-compliant HTML (none of the crate's "possibly
//! non-compliant" shortcuts are enabled); CSS and JS go through the crate's own minifiers
//! (lightningcss and oxc), which keep the input as it was when they cannot parse it.

use minify_html::Cfg;

use crate::output::{Contents, OutputFile};

/// The settings for whole pages: compliant output, inline CSS and JS minified too.
fn page_cfg() -> Cfg {
    Cfg {
        minify_css: true,
        minify_js: true,
        // Tera syntax never reaches the output; a page about templates may show `{{` in text,
        // which the default settings already leave alone.
        ..Cfg::default()
    }
}

/// Minifies `file` when it is a rendered HTML page; other files are left alone.
pub fn page(file: &mut OutputFile) {
    if let Contents::Bytes(bytes) = &mut file.contents
        && file.path.ends_with(".html")
    {
        *bytes = html(bytes);
    }
}

/// A minified HTML document.
pub fn html(page: &[u8]) -> Vec<u8> {
    minify_html::minify(page, &page_cfg())
}

/// A minified stylesheet; the input unchanged when it cannot be parsed.
pub fn css(code: &[u8]) -> Vec<u8> {
    inside_element(code, "style")
}

/// A minified classic script; the input unchanged when it cannot be parsed.
pub fn js(code: &[u8]) -> Vec<u8> {
    inside_element(code, "script")
}

/// minify-html minifies CSS and JS only inside `<style>` and `<script>`: wrap the file in its
/// element, minify, and take the element's content back out. Anything unexpected (the closing
/// tag inside the code, an output of another shape) keeps the original bytes.
fn inside_element(code: &[u8], element: &str) -> Vec<u8> {
    // The crate's CSS minifier expects UTF-8 and would stop the build on anything else.
    if std::str::from_utf8(code).is_err() {
        return code.to_vec();
    }
    let open = format!("<{element}>");
    let close = format!("</{element}>");
    let lowered = code.to_ascii_lowercase();
    if lowered
        .windows(close.len() - 1)
        .any(|w| w == &close.as_bytes()[..close.len() - 1])
    {
        return code.to_vec();
    }
    let mut wrapped = Vec::with_capacity(code.len() + open.len() + close.len());
    wrapped.extend_from_slice(open.as_bytes());
    wrapped.extend_from_slice(code);
    wrapped.extend_from_slice(close.as_bytes());
    let out = minify_html::minify(&wrapped, &page_cfg());
    match out
        .strip_prefix(open.as_bytes())
        .and_then(|rest| rest.strip_suffix(close.as_bytes()))
    {
        Some(inner) if inner.len() <= code.len() => inner.to_vec(),
        _ => code.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_shrink_and_keep_their_meaning() {
        let page = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
            <title>A &amp; B</title>\n</head>\n<body>\n  <p class=\"x\">  Hello,\n   world  </p>\n\
            <pre>  keep\n   this  </pre>\n<script type=\"application/ld+json\">{\"a\": 1}</script>\n\
            </body>\n</html>\n";
        let out = String::from_utf8(html(page.as_bytes())).unwrap();
        assert!(out.len() < page.len(), "{out}");
        assert!(out.contains("<pre>  keep\n   this  </pre>"), "{out}");
        // A lone `&` before a space is valid HTML and reads the same.
        assert!(out.contains("<title>A & B</title>"), "{out}");
        assert!(out.contains("Hello, world"), "{out}");
        // The JSON-LD block is data, not script: kept.
        assert!(out.contains(r#"{"a": 1}"#), "{out}");
        let doc = scraper::Html::parse_document(&out);
        let p = scraper::Selector::parse("p.x").unwrap();
        assert_eq!(doc.select(&p).count(), 1);
    }

    #[test]
    fn stylesheets_and_scripts_shrink() {
        let style = b"/* comment */\nbody {\n  color: #ff0000;\n  margin: 0px;\n}\n";
        assert_eq!(css(style), b"body{color:red;margin:0}");
        let script = b"// comment\nfunction add(first, second) {\n  return first + second;\n}\nwindow.add = add;\n";
        let out = String::from_utf8(js(script)).unwrap();
        assert!(out.len() < script.len(), "{out}");
        assert!(out.contains("window.add"), "{out}");
    }

    #[test]
    fn code_that_cannot_be_wrapped_or_parsed_is_kept() {
        let tricky = b"var s = '</script>';";
        assert_eq!(js(tricky), tricky.to_vec());
        let broken = b"function (";
        assert_eq!(js(broken), broken.to_vec());
        let latin1 = b"body { content: \"\xe9\"; }";
        assert_eq!(css(latin1), latin1.to_vec());
    }
}
