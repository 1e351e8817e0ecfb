//! Fuzz target: any bytes as an article file go through what `gazette build` does with one
//! (UTF-8 check, normalise, split, front matter parse with its guards, Markdown rendering with
//! and without raw HTML) and must never panic, hang or blow up memory, and must keep the
//! promises the build relies on.
#![no_main]

use std::path::Path;

use gazette::config::SiteTz;
use gazette::content::front_matter;
use gazette::markdown::{self, Options};
use gazette::slug;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let text = front_matter::normalise(text);
    let path = Path::new("x.md");
    let lines = text.lines().count() + 1;

    let body = match front_matter::split(&text, path) {
        Ok(split) => {
            let tz = SiteTz::parse("UTC").expect("UTC");
            match front_matter::parse(&split, path, &tz) {
                Ok(fm) => {
                    assert!(!fm.title.is_empty());
                    let slug = slug::slug_or_fallback(&fm.title, "x");
                    assert!(slug::is_safe_segment(&slug), "{slug:?}");
                    if let Some(s) = &fm.slug {
                        let s = slug::slugify(s);
                        assert!(s.is_empty() || slug::is_safe_segment(&s), "{s:?}");
                    }
                }
                Err(problems) => {
                    assert!(!problems.is_empty());
                    for p in problems {
                        let line = p.line.unwrap_or(1);
                        assert!((1..=lines).contains(&line), "{p} (file has {lines} lines)");
                    }
                }
            }
            split.body
        }
        // Not an article: render it whole anyway, as Markdown is what is being fuzzed too.
        Err(_) => &text,
    };

    let trusted = markdown::render_with(body, &Options { raw_html: true });
    let safe = markdown::render_with(body, &Options { raw_html: false });
    assert!(
        !safe.html.to_ascii_lowercase().contains("<script"),
        "{}",
        safe.html
    );
    for url in attribute_values(&safe.html, &["href=\"", "src=\""]) {
        assert!(!runs_script(&url), "{url:?} in {}", safe.html);
    }
    assert_eq!(trusted.word_count, safe.word_count);
});

/// Every value of the given attributes (`href="`) inside tags, entities decoded as a browser
/// would. Text outside tags may hold `href="` (a quote needs no escaping there), so the scan
/// walks tags: in output where raw HTML is off, every literal `<` opens a tag.
fn attribute_values(html: &str, starts: &[&str]) -> Vec<String> {
    let mut values = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        // The tag runs to the first `>` outside a quoted value.
        let mut quoted = false;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == '>' && !quoted
            })
            .map_or(rest.len(), |(i, _)| i);
        let mut tag = &rest[..end];
        rest = &rest[end..];
        while let Some((i, start)) = starts
            .iter()
            .filter_map(|s| tag.find(&format!(" {s}")).map(|i| (i, s)))
            .min()
        {
            tag = &tag[i + 1 + start.len()..];
            let value_end = tag.find('"').unwrap_or(tag.len());
            values.push(decode_entities(&tag[..value_end]));
            tag = &tag[value_end..];
        }
    }
    values
}

fn decode_entities(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The scheme as a browser reads it: leading spaces and controls skipped, tab and newlines
/// removed anywhere, case ignored.
fn runs_script(url: &str) -> bool {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase();
    cleaned.starts_with("javascript:") || cleaned.starts_with("vbscript:")
}
