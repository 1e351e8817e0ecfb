//! HTML that Gazette reads or writes by hand, outside templates: escaping, character
//! references, the text of a fragment, and a scanner that passes every URL attribute of a
//! fragment through a function. One module, so every place that takes HTML apart agrees on
//! what a tag, a comment or a `<script>` is.

use std::borrow::Cow;

/// Attributes whose whole value is one URL.
const URL_ATTRIBUTES: &[&str] = &["href", "src"];

/// Elements whose content is raw text, where a `<` does not start a tag.
const RAW_TEXT: &[&str] = &["script", "style"];

/// Copies `html`, passing every URL attribute value (decoded) through `rewrite`.
pub fn rewrite_urls(html: &str, rewrite: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let (text, tail) = rest.split_at(lt);
        out.push_str(text);
        rest = copy_markup(tail, &mut out, rewrite);
    }
    out.push_str(rest);
    out
}

/// The text of an HTML fragment: tags become spaces, `script`/`style` content and comments are
/// dropped, and character references are decoded.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        decode_references_into(&rest[..lt], &mut out);
        out.push(' ');
        let tag = &rest[lt..];
        let skip_to = if let Some(comment) = tag.strip_prefix("<!--") {
            comment.find("-->").map_or(tag.len(), |i| 4 + i + 3)
        } else {
            let end = tag.find('>').map_or(tag.len(), |i| i + 1);
            let name: String = tag[1..]
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase();
            if RAW_TEXT.contains(&name.as_str()) {
                let closing = format!("</{name}");
                tag.to_ascii_lowercase()
                    .find(&closing)
                    .map_or(tag.len(), |i| {
                        tag[i..].find('>').map_or(tag.len(), |j| i + j + 1)
                    })
            } else {
                end
            }
        };
        rest = &tag[skip_to..];
    }
    decode_references_into(rest, &mut out);
    out
}

/// `tail` starts with `<`: copies one tag (rewriting its URL attributes), comment or lone `<`
/// to `out` and returns what follows it.
fn copy_markup<'h>(tail: &'h str, out: &mut String, rewrite: &dyn Fn(&str) -> String) -> &'h str {
    if let Some(comment) = tail.strip_prefix("<!--") {
        let end = comment.find("-->").map_or(tail.len(), |i| 4 + i + 3);
        out.push_str(&tail[..end]);
        return &tail[end..];
    }
    let after = &tail[1..];
    if !after.starts_with(|c: char| c.is_ascii_alphabetic()) {
        // An end tag, a declaration or a stray `<`: nothing to rewrite.
        out.push('<');
        return after;
    }
    let name_len = after
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(after.len());
    let name = &after[..name_len];
    out.push('<');
    out.push_str(name);
    let mut rest = &after[name_len..];
    loop {
        rest = copy_whitespace(rest, out);
        match rest.chars().next() {
            None => return rest,
            Some('>') => {
                out.push('>');
                rest = &rest[1..];
                break;
            }
            Some(c @ ('/' | '=')) => {
                out.push(c);
                rest = &rest[1..];
                continue;
            }
            Some(_) => {}
        }
        let attr_len = rest
            .find(|c: char| c.is_ascii_whitespace() || matches!(c, '=' | '>' | '/'))
            .unwrap_or(rest.len());
        let attr = &rest[..attr_len];
        out.push_str(attr);
        rest = &rest[attr_len..];
        let before_eq = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
        if let Some(value) = before_eq.strip_prefix('=') {
            out.push_str(&rest[..rest.len() - value.len()]);
            let is_url = URL_ATTRIBUTES.iter().any(|a| attr.eq_ignore_ascii_case(a));
            rest = copy_value(copy_whitespace(value, out), is_url, out, rewrite);
        }
    }
    if RAW_TEXT.iter().any(|r| name.eq_ignore_ascii_case(r)) {
        // Skip to the closing tag; ASCII lowercasing keeps byte offsets.
        let closing = format!("</{}", name.to_ascii_lowercase());
        let end = rest
            .to_ascii_lowercase()
            .find(&closing)
            .unwrap_or(rest.len());
        out.push_str(&rest[..end]);
        rest = &rest[end..];
    }
    rest
}

fn copy_whitespace<'h>(text: &'h str, out: &mut String) -> &'h str {
    let trimmed = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
    out.push_str(&text[..text.len() - trimmed.len()]);
    trimmed
}

/// Copies one attribute value at the start of `text`, rewritten when `is_url`.
fn copy_value<'h>(
    text: &'h str,
    is_url: bool,
    out: &mut String,
    rewrite: &dyn Fn(&str) -> String,
) -> &'h str {
    let (raw, quote, len) = match text.chars().next() {
        Some(q @ ('"' | '\'')) => match text[1..].find(q) {
            Some(end) => (&text[1..1 + end], q, end + 2),
            // Unterminated: leave the rest of the document as written.
            None => {
                out.push_str(text);
                return "";
            }
        },
        _ => {
            let end = text
                .find(|c: char| c.is_ascii_whitespace() || c == '>')
                .unwrap_or(text.len());
            (&text[..end], '"', end)
        }
    };
    let value = unescape(raw);
    let rewritten = if is_url && !value.trim().is_empty() {
        Some(rewrite(&value)).filter(|v| *v != value)
    } else {
        None
    };
    match rewritten {
        Some(url) => {
            out.push(quote);
            out.push_str(&escape(&url));
            out.push(quote);
        }
        None => out.push_str(&text[..len]),
    }
    &text[len..]
}

/// Decodes the character references in an attribute value; unknown ones stay as written.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    decode_references_into(raw, &mut out);
    out
}

/// Appends `text` (HTML text or an attribute value) to `out` with its character references
/// decoded: the named ones that matter in URLs and plain text (`&amp;`, `&lt;`, `&gt;`,
/// `&quot;`, `&apos;`, `&nbsp;`) and numeric ones; unknown ones stay as written.
pub fn decode_references_into(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // References are short: looking further for a `;` would make a text full of stray `&`
        // quadratic.
        let decoded = rest.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let name = &rest[1..semi];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => numeric_reference(name),
            };
            c.map(|c| (c, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

fn numeric_reference(name: &str) -> Option<char> {
    let digits = name.strip_prefix('#')?;
    let code = match digits.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => digits.parse().ok()?,
    };
    char::from_u32(code)
}

/// Escapes text content for XML or HTML: `&`, `<` and `>` (quotes need no escaping outside
/// attributes); borrowed when there is nothing to escape. The three bytes are found with
/// `memchr3`: feeds escape every article's HTML twice (Atom and RSS), and a byte-by-byte scan
/// was 2.5% of a clean build's CPU at 10,000 articles.
pub fn escape_text(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut found = memchr::memchr3_iter(b'&', b'<', b'>', bytes).peekable();
    if found.peek().is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut from = 0;
    for at in found {
        // Each of the three is ASCII, so both sides of it are character boundaries.
        out.push_str(text.get(from..at).unwrap_or_default());
        out.push_str(match bytes.get(at) {
            Some(b'&') => "&amp;",
            Some(b'<') => "&lt;",
            _ => "&gt;",
        });
        from = at + 1;
    }
    out.push_str(text.get(from..).unwrap_or_default());
    Cow::Owned(out)
}

/// Escapes text for HTML text or an attribute value in either quotes: `&`, `<`, `>`, `"`
/// and `'`.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `render::articles::portable` relies on to skip the rewrite: without an `=` there is
    /// no attribute value, and the HTML comes back as it was.
    #[test]
    fn html_without_attribute_values_is_copied_as_it_is() {
        let everywhere = |_: &str| "/elsewhere/".to_string();
        for html in [
            "<p>A <em>b</em> &amp; c</p>",
            "<p>x<br/>y<br >z</p><!-- a comment -->< stray",
            "<img src><a href>bare</a><script>if (a < b) {}</script>",
            "text only",
        ] {
            assert_eq!(rewrite_urls(html, &everywhere), html);
        }
        assert_ne!(
            rewrite_urls("<a href=x>y</a>", &everywhere),
            "<a href=x>y</a>"
        );
    }

    #[test]
    fn text_is_escaped_as_quick_xml_escapes_it() {
        for text in [
            "",
            "plain é text",
            "<p>a &amp; b > c</p>",
            "&&<<>>",
            "<",
            "x&",
            "\"quotes\" and 'apostrophes' stay",
        ] {
            assert_eq!(
                escape_text(text),
                quick_xml::escape::partial_escape(text),
                "{text}"
            );
        }
        assert!(matches!(escape_text("no markup"), Cow::Borrowed(_)));
    }

    #[test]
    fn character_references_decode_and_unknown_ones_stay() {
        let decode = |text: &str| {
            let mut out = String::new();
            decode_references_into(text, &mut out);
            out
        };
        assert_eq!(
            decode("a&amp;b &lt;&gt; &quot;&apos; x&nbsp;y &#233;&#xE9;&#XE9;"),
            "a&b <> \"' x\u{a0}y ééé"
        );
        for kept in [
            "&bogus;",
            "&",
            "& ;",
            "&#;",
            "&#x110000;",
            "&amp",
            "&averyveryverylong;",
        ] {
            assert_eq!(decode(kept), kept);
        }
    }

    #[test]
    fn plain_text_drops_markup_and_decodes_references() {
        assert_eq!(
            plain_text(
                "<p>Tom &amp; Jerry<br/>said &#8220;hi&#x201D;</p><script>var x</script><!-- c -->end &bogus; &"
            ),
            " Tom & Jerry said \u{201c}hi\u{201d}   end &bogus; &"
        );
    }

    #[test]
    fn urls_are_found_in_every_quoting_and_nowhere_else() {
        let seen = std::cell::RefCell::new(Vec::new());
        let out = rewrite_urls(
            "<a href=x title='y'>t</a><img src='a&amp;b'><!-- <a href=c> --><script>'<a href=d>'</script><p data-src=e>",
            &|url| {
                seen.borrow_mut().push(url.to_string());
                format!("{url}!")
            },
        );
        assert_eq!(*seen.borrow(), ["x", "a&b"]);
        assert_eq!(
            out,
            "<a href=\"x!\" title='y'>t</a><img src='a&amp;b!'><!-- <a href=c> --><script>'<a href=d>'</script><p data-src=e>"
        );
        assert_eq!(
            escape("<a href=\"x\">Tom's & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; co&lt;/a&gt;"
        );
    }
}
