//! Template syntax of other generators left in a Markdown body: Liquid and Nunjucks tags
//! (`{% include x.html %}`), outputs (`{{ site.url }}`), Hugo shortcodes (`{{< youtube id >}}`)
//! and Zola shortcodes. Gazette renders Markdown only, so a page would show these as text: `check`
//! and `gazette import` point at them so a person can replace them.
//!
//! Code spans and code blocks are skipped: there the syntax is what the writer wants to show.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

/// The longest snippet quoted in a message; longer ones end in `…`.
const MAX_SNIPPET: usize = 80;

/// Which generator's syntax a snippet looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForeignKind {
    /// `{% ... %}`: a Liquid, Nunjucks or Jinja tag, or a Zola shortcode with a body.
    Tag,
    /// `{{ ... }}`: a Liquid, Nunjucks, Go or Tera output, or a Zola shortcode.
    Output,
    /// `{{< ... >}}` or `{{% ... %}}`: a Hugo shortcode.
    Shortcode,
}

impl ForeignKind {
    /// What to call it in a message.
    pub fn describe(self) -> &'static str {
        match self {
            ForeignKind::Tag => "a template tag (Liquid, Nunjucks or a Zola shortcode)",
            ForeignKind::Output => "a template expression (Liquid, Nunjucks, Hugo or Zola)",
            ForeignKind::Shortcode => "a Hugo shortcode",
        }
    }
}

/// One piece of foreign syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Foreign {
    /// Line within the text given to [`find`], from 1.
    pub line: usize,
    /// The snippet as written, up to its closing delimiter (or the end of its line).
    pub text: String,
    /// What it looks like.
    pub kind: ForeignKind,
}

/// Every `{%` and `{{` outside code in `markdown`, in order.
pub fn find(markdown: &str) -> Vec<Foreign> {
    if !markdown.contains("{%") && !markdown.contains("{{") {
        return Vec::new();
    }
    let code = code_ranges(markdown);
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = next_opening(markdown, from) {
        if let Some(skip) = code.iter().find(|r| r.contains(&at)) {
            from = skip.end;
            continue;
        }
        let rest = &markdown[at..];
        let (kind, close) = if rest.starts_with("{{<") {
            (ForeignKind::Shortcode, ">}}")
        } else if rest.starts_with("{{%") {
            (ForeignKind::Shortcode, "%}}")
        } else if rest.starts_with("{%") {
            (ForeignKind::Tag, "%}")
        } else {
            (ForeignKind::Output, "}}")
        };
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let end = rest[..line_end]
            .find(close)
            .map_or(line_end, |i| i + close.len());
        found.push(Foreign {
            line: markdown[..at].matches('\n').count() + 1,
            text: snippet(&rest[..end]),
            kind,
        });
        from = at + end.max(2);
    }
    found
}

/// Byte offset of the next `{%` or `{{` at or after `from`.
fn next_opening(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    (from..bytes.len().saturating_sub(1))
        .find(|&i| bytes[i] == b'{' && matches!(bytes[i + 1], b'%' | b'{'))
}

/// Byte ranges of code spans and code blocks (fenced or indented).
fn code_ranges(markdown: &str) -> Vec<Range<usize>> {
    Parser::new_ext(markdown, super::parser_options())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::CodeBlock(_)) | Event::Code(_) => Some(range),
            _ => None,
        })
        .collect()
}

/// `text` trimmed, cut at [`MAX_SNIPPET`] characters.
fn snippet(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(MAX_SNIPPET) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(markdown: &str) -> Vec<(usize, &'static str, String)> {
        find(markdown)
            .into_iter()
            .map(|f| {
                let kind = match f.kind {
                    ForeignKind::Tag => "tag",
                    ForeignKind::Output => "output",
                    ForeignKind::Shortcode => "shortcode",
                };
                (f.line, kind, f.text)
            })
            .collect()
    }

    #[test]
    fn each_generators_syntax_is_found_at_its_line() {
        let md = "Intro {{ site.url }}/x.\n\n{% include note.html text=\"hi\" %}\n\n\
                  {{< youtube abc >}}\n{{% notice %}}x{{% /notice %}}\n{{ figure(src=\"a.jpg\") }}\n";
        assert_eq!(
            kinds(md),
            vec![
                (1, "output", "{{ site.url }}".to_string()),
                (3, "tag", "{% include note.html text=\"hi\" %}".to_string()),
                (5, "shortcode", "{{< youtube abc >}}".to_string()),
                (6, "shortcode", "{{% notice %}}".to_string()),
                (6, "shortcode", "{{% /notice %}}".to_string()),
                (7, "output", "{{ figure(src=\"a.jpg\") }}".to_string()),
            ]
        );
    }

    #[test]
    fn code_is_left_alone() {
        let md = "Use `{{ page.title }}` here.\n\n```liquid\n{% for p in site.posts %}\n```\n\n    {{ indented }}\n\nBut {% raw %} counts.\n";
        assert_eq!(kinds(md), vec![(9, "tag", "{% raw %}".to_string())]);
    }

    #[test]
    fn an_unclosed_opening_is_quoted_to_its_line_end_and_long_ones_are_cut() {
        let long = format!("{{{{ {} }}}}", "x".repeat(200));
        let found = find(&format!("a {{% if x\nnext\n{long}\n"));
        assert_eq!(found[0].text, "{% if x");
        assert_eq!(found[1].line, 3);
        assert!(found[1].text.ends_with('…'));
        assert_eq!(found[1].text.chars().count(), MAX_SNIPPET + 1);
        assert!(find("Plain {text} and { % } and {#id}.").is_empty());
    }
}
