//! The only module that knows pulldown-cmark: Markdown to HTML with stable heading anchors, the
//! summary, the heading list and the word count.
//!
//! Everything comes from one parse and one HTML write: a pass sits between the parser and the
//! HTML writer, rewrites the few events that need it (heading ids, unsafe links, raw HTML) and
//! takes notes on the way (headings, words, links, where the summary starts and ends in the
//! output). A caller may pass a link resolver that rewrites link destinations (the load stage
//! uses it to turn `other.md` into the other article's URL).

pub mod foreign;
mod pass;
mod text;

use std::cell::Cell;
use std::fmt;

use pulldown_cmark::{Parser, html};
use serde::Serialize;

use pass::Pass;

/// A heading of an article body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Anchor id, unique within the article.
    pub id: String,
    /// Plain text of the heading.
    pub text: String,
}

/// A summary in both forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Rendered HTML.
    pub html: String,
    /// Plain text (whitespace collapsed).
    pub text: String,
}

/// A link or image of the body, as the author wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Destination as written (reference links already looked up), before any rewriting.
    pub dest: String,
    /// Byte offset in the Markdown where the link starts, for line numbers in messages.
    pub offset: usize,
    /// An image (`![alt](src)`) rather than a link.
    pub image: bool,
}

/// Rendered Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The whole body as HTML.
    pub html: String,
    /// Text before `<!-- more -->` if present, else the first paragraph; `None` for an empty body.
    pub summary: Option<Summary>,
    /// Every heading, in order.
    pub headings: Vec<Heading>,
    /// Words in the body text (code included, markup excluded).
    pub word_count: usize,
    /// Every link and image, in order (e-mail autolinks left out).
    pub links: Vec<Link>,
}

/// How to render a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Pass raw HTML through (`true`, the default) or show it as escaped text (`false`, for
    /// content from less trusted authors).
    pub raw_html: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { raw_html: true }
    }
}

/// Renders a Markdown body with the default [`Options`].
pub fn render(markdown: &str) -> Rendered {
    render_with(markdown, &Options::default())
}

/// Renders a Markdown body: tables, footnotes, strikethrough, task lists, smart punctuation and
/// `{#id}` heading attributes; `javascript:`, `vbscript:` and `data:` links become `#`.
pub fn render_with(markdown: &str, options: &Options) -> Rendered {
    render_resolved(markdown, options, &|_: &str| None)
}

/// Like [`render_with`], and every link destination (not image sources) is first offered to
/// `resolve`: `Some(new)` replaces it in the HTML (unsafe schemes are still neutralised),
/// `None` keeps it. [`Rendered::links`] keeps the destinations as written.
pub fn render_resolved(
    markdown: &str,
    options: &Options,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Rendered {
    render_parsed(markdown, parser_options(), options, resolve)
}

fn render_parsed(
    markdown: &str,
    parser_options: pulldown_cmark::Options,
    options: &Options,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Rendered {
    let written = Cell::new(0);
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 4);
    let parser = Parser::new_ext(markdown, parser_options).into_offset_iter();
    // Only a body that has a comment at all can have a marker; skipping the text copy otherwise
    // saves work on the common case.
    let may_have_marker = markdown.contains("<!--");
    let mut pass = Pass::new(parser, options.raw_html, &written, may_have_marker, resolve);
    let sink = CountingSink {
        out: &mut html,
        written: &written,
    };
    // Writing into a String cannot fail, so the result carries nothing.
    let _ = html::write_html_fmt(sink, &mut pass);
    let (summary, headings, word_count, links) = pass.finish(&html);
    Rendered {
        html,
        summary,
        headings,
        word_count,
        links,
    }
}

/// A front-matter `summary` written in Markdown (`**bold**`, `[a link](...)`, `` `code` ``),
/// as HTML for cards and feeds and as plain text for meta tags, JSON-LD and search. Raw HTML is
/// always shown as text and quotes are kept as typed: a summary is a front-matter value, so it
/// gets no more trust than a title. Links are offered to `resolve` as in
/// [`render_resolved`]. `None` when it renders to no text at all.
pub fn render_summary(summary: &str, resolve: &dyn Fn(&str) -> Option<String>) -> Option<Summary> {
    use pulldown_cmark::Options as O;
    // The marker ends the summary after everything written, whatever its paragraphs.
    let marked = format!("{summary}\n\n<!-- more -->\n");
    let options = O::ENABLE_STRIKETHROUGH;
    let no_html = Options { raw_html: false };
    render_parsed(&marked, options, &no_html, resolve).summary
}

/// Minutes to read `words` at 200 words a minute, rounded up; at least 1.
pub fn reading_minutes(words: usize) -> usize {
    words.div_ceil(200).max(1)
}

fn parser_options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options as O;
    O::ENABLE_TABLES
        | O::ENABLE_FOOTNOTES
        | O::ENABLE_STRIKETHROUGH
        | O::ENABLE_TASKLISTS
        | O::ENABLE_SMART_PUNCTUATION
        | O::ENABLE_HEADING_ATTRIBUTES
}

/// The HTML output, which also tells the pass how much has been written so far: that is how
/// the summary is cut out of the one rendering instead of rendered again.
struct CountingSink<'s, 'c> {
    out: &'s mut String,
    written: &'c Cell<usize>,
}

impl fmt::Write for CountingSink<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.out.push_str(s);
        self.written.set(self.out.len());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(r: &Rendered) -> Vec<&str> {
        r.headings.iter().map(|h| h.id.as_str()).collect()
    }

    fn safe(md: &str) -> Rendered {
        render_with(md, &Options { raw_html: false })
    }

    #[test]
    fn summaries_render_inline_markdown_and_no_raw_html() {
        let none = |_: &str| None;
        let s = render_summary(
            "**Floods** cut [roads](/tags/x/) <b>now</b> \"as typed\" &amp; `code`",
            &none,
        )
        .unwrap();
        assert_eq!(
            s.html,
            "<p><strong>Floods</strong> cut <a href=\"/tags/x/\">roads</a> &lt;b&gt;now&lt;/b&gt; \
             \"as typed\" &amp; <code>code</code></p>"
        );
        // Raw HTML is shown as text, so the plain text keeps it too.
        assert_eq!(s.text, "Floods cut roads <b>now</b> \"as typed\" & code");
        // Two paragraphs stay whole; links go through the resolver like the body's.
        let resolve = |dest: &str| Some(format!("/news{dest}"));
        let s = render_summary("One [a](/a/).\n\nTwo.", &resolve).unwrap();
        assert_eq!(
            s.html,
            "<p>One <a href=\"/news/a/\">a</a>.</p>\n<p>Two.</p>"
        );
        assert_eq!(s.text, "One a. Two.");
        assert_eq!(render_summary("<!-- only a comment -->", &none), None);
    }

    #[test]
    fn headings_get_ids_and_are_listed() {
        let r = render("# Hello *World*\n\n## Second `part`\n");
        assert_eq!(
            r.html,
            "<h1 id=\"hello-world\">Hello <em>World</em></h1>\n\
             <h2 id=\"second-part\">Second <code>part</code></h2>\n"
        );
        assert_eq!(
            r.headings,
            vec![
                Heading {
                    level: 1,
                    id: "hello-world".into(),
                    text: "Hello World".into()
                },
                Heading {
                    level: 2,
                    id: "second-part".into(),
                    text: "Second part".into()
                },
            ]
        );
    }

    #[test]
    fn duplicate_ids_get_suffixes() {
        let r = render("## Intro\n\n## Intro\n\n## intro!\n\n## Intro 1\n");
        assert_eq!(ids(&r), ["intro", "intro-1", "intro-2", "intro-1-1"]);
        assert!(r.html.contains("<h2 id=\"intro-2\">intro!</h2>"));
    }

    #[test]
    fn custom_ids() {
        let r = render("## Title {#custom-id}\n\n## Other {#My_Id}\n\n## Custom id\n");
        assert_eq!(ids(&r), ["custom-id", "my_id", "custom-id-1"]);
        assert_eq!(r.headings[0].text, "Title");
        assert!(r.html.contains("<h2 id=\"custom-id\">Title</h2>"));
        // A custom id that clashes with an earlier heading is suffixed too.
        let r = render("## Intro\n\n## Again {#intro}\n");
        assert_eq!(ids(&r), ["intro", "intro-1"]);
        // A custom id with nothing sluggable falls back to the text.
        let r = render("## Fallback text {#!!!}\n");
        assert_eq!(ids(&r), ["fallback-text"]);
    }

    #[test]
    fn unicode_and_empty_headings() {
        let r = render("# عمران خان کی رہائی\n\n## 巴基斯坦 抗议\n\n## 🎉\n\n##\n");
        assert_eq!(
            ids(&r),
            [
                "عمران-خان-کی-رہائی",
                "巴基斯坦-抗议",
                "section",
                "section-1"
            ]
        );
        assert!(
            r.html
                .contains("<h1 id=\"عمران-خان-کی-رہائی\">عمران خان کی رہائی</h1>")
        );
    }

    #[test]
    fn heading_attributes_are_filtered() {
        let md = "## T {#t .big onclick=alert(1) id=x}\n";
        assert_eq!(
            render(md).html,
            "<h2 id=\"t\" class=\"big\" onclick=\"alert(1)\">T</h2>\n"
        );
        assert_eq!(safe(md).html, "<h2 id=\"t\" class=\"big\">T</h2>\n");
    }

    #[test]
    fn extensions_produce_their_tags() {
        let r = render("| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(
            r.html
                .contains("<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody>")
        );
        assert!(r.html.contains("<tr><td>1</td><td>2</td></tr>"));

        let r = render("Text[^n].\n\n[^n]: Note.\n");
        assert!(
            r.html
                .contains("<sup class=\"footnote-reference\"><a href=\"#fn-n\">1</a></sup>")
        );
        assert!(
            r.html
                .contains("<div class=\"footnote-definition\" id=\"fn-n\">")
        );

        assert_eq!(render("~~gone~~").html, "<p><del>gone</del></p>\n");

        let r = render("- [x] done\n- [ ] todo\n");
        assert!(
            r.html
                .contains("<input disabled=\"\" type=\"checkbox\" checked=\"\"/>\ndone")
        );
        assert!(
            r.html
                .contains("<input disabled=\"\" type=\"checkbox\"/>\ntodo")
        );
    }

    #[test]
    fn smart_punctuation() {
        assert_eq!(
            render("\"a\" and 'b' -- c --- d...").html,
            "<p>\u{201c}a\u{201d} and \u{2018}b\u{2019} \u{2013} c \u{2014} d\u{2026}</p>\n"
        );
    }

    #[test]
    fn summary_is_first_top_level_paragraph() {
        let r = render(
            "# Head\n\n> quoted\n\n![only an image](x.png)\n\nFirst *para*\nwith   `code`.\n\nSecond.\n",
        );
        let summary = r.summary.unwrap_or_else(|| panic!("no summary"));
        assert_eq!(
            summary.html,
            "<p>First <em>para</em>\nwith   <code>code</code>.</p>"
        );
        assert_eq!(summary.text, "First para with code.");
    }

    #[test]
    fn summary_before_marker() {
        for marker in ["<!-- more -->", "<!--more-->", "<!--   More  -->"] {
            let md = format!("# T\n\nOne *a*.\n\nTwo.\n{marker}\nThree.\n");
            for r in [render(&md), safe(&md)] {
                let summary = r
                    .summary
                    .unwrap_or_else(|| panic!("no summary for {marker}"));
                assert_eq!(
                    summary.html,
                    "<h1 id=\"t\">T</h1>\n<p>One <em>a</em>.</p>\n<p>Two.</p>"
                );
                assert_eq!(summary.text, "T One a. Two.");
                assert!(!r.html.contains("more"), "marker left in {:?}", r.html);
                assert!(r.html.ends_with("<p>Three.</p>\n"));
            }
        }
        // Not on its own: an ordinary comment, and the summary is the first paragraph.
        let r = render("One.\n\nTwo <!-- more --> inline.\n");
        assert_eq!(r.summary.map(|s| s.text).as_deref(), Some("One."));
        // Nothing before the marker: fall back to the first paragraph.
        let r = render("<!-- more -->\n\nAfter.\n");
        assert_eq!(r.summary.map(|s| s.html).as_deref(), Some("<p>After.</p>"));
    }

    #[test]
    fn no_paragraph_no_summary() {
        assert_eq!(render("").summary, None);
        assert_eq!(render("# Only a heading\n\n```\ncode\n```\n").summary, None);
        assert_eq!(render("![alt](x.png)\n").summary, None);
    }

    #[test]
    fn script_urls_are_neutralised() {
        let cases = [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](<java\tscript:alert(1)>)",
            "[x](java&#9;script:alert(1))",
            "[x](<  vbscript:msgbox>)",
            "[x](data:text/html;base64,AA)",
            "[x][r]\n\n[r]: javascript:alert(1)",
            "<javascript:alert(1)>",
            "![x](javascript:alert(1))",
        ];
        for md in cases {
            let html = render(md).html;
            assert!(
                html.contains("href=\"#\"") || html.contains("src=\"#\""),
                "{md:?} -> {html}"
            );
            // The text of an autolink may still show the URL; no attribute may hold it.
            let lower = html.to_ascii_lowercase();
            for attr in ["=\"java", "=\"vbscript", "=\"data:"] {
                assert!(!lower.contains(attr), "{md:?} -> {html}");
            }
        }
        assert_eq!(
            render("![p](data:image/png;base64,AA)").html,
            "<p><img src=\"data:image/png;base64,AA\" alt=\"p\" /></p>\n"
        );
        assert_eq!(
            render("[ok](https://x.org/a)").html,
            "<p><a href=\"https://x.org/a\">ok</a></p>\n"
        );
    }

    #[test]
    fn raw_html_can_be_escaped() {
        let md = "<script>alert(1)</script>\n\nHi <b>x</b>\n";
        assert_eq!(
            safe(md).html,
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n<p>Hi &lt;b&gt;x&lt;/b&gt;</p>\n"
        );
        assert_eq!(
            render(md).html,
            "<script>alert(1)</script>\n<p>Hi <b>x</b></p>\n"
        );
        assert_eq!(safe(md).word_count, 2, "markup is not words");
    }

    #[test]
    fn word_counts() {
        assert_eq!(render("One two, three.").word_count, 3);
        assert_eq!(render("# Head\n\n**bold** _it_ ~~del~~").word_count, 4);
        assert_eq!(
            render("```\nfn main() {}\n```\n\nand `inline code`").word_count,
            5
        );
        assert_eq!(render("[link text](https://example.org/a/b)").word_count, 2);
        assert_eq!(render("See <https://example.org/a> now").word_count, 2);
        assert_eq!(render("![alt words here](x.png) visible").word_count, 1);
        assert_eq!(render("巴基斯坦抗议。PTI rally").word_count, 8);
        assert_eq!(render("don't stop").word_count, 2);
        assert_eq!(
            render("- a\n- b\n\n| c | d |\n|---|---|\n| e | f |").word_count,
            6
        );
        assert_eq!(render("").word_count, 0);
    }

    #[test]
    fn links_are_noted_with_their_offsets() {
        let md = "Intro [a](x.md) and <https://ex.org/>.\n\n![pic](p.jpg \"t\")\n\n\
                  [ref][r] <me@ex.org>\n\n[r]: ../26/y.md#sec\n";
        let r = render(md);
        let found: Vec<(&str, usize, bool)> = r
            .links
            .iter()
            .map(|l| (l.dest.as_str(), l.offset, l.image))
            .collect();
        let at = |needle: &str| md.find(needle).unwrap();
        assert_eq!(
            found,
            vec![
                ("x.md", at("[a]"), false),
                ("https://ex.org/", at("<https"), false),
                ("p.jpg", at("![pic]"), true),
                ("../26/y.md#sec", at("[ref]"), false),
            ]
        );
    }

    #[test]
    fn a_resolver_rewrites_link_destinations_only() {
        let resolve = |dest: &str| dest.strip_suffix(".md").map(|stem| format!("../{stem}/"));
        let r = render_resolved(
            "[a](x.md) [b](https://ex.org/) ![c](d.md)",
            &Options::default(),
            &resolve,
        );
        assert_eq!(
            r.html,
            "<p><a href=\"../x/\">a</a> <a href=\"https://ex.org/\">b</a> \
             <img src=\"d.md\" alt=\"c\" /></p>\n"
        );
        assert_eq!(r.links[0].dest, "x.md", "links keep what was written");
        // What a resolver returns is still made safe.
        let evil = |_: &str| Some("javascript:alert(1)".to_string());
        let r = render_resolved("[a](x.md)", &Options::default(), &evil);
        assert_eq!(r.html, "<p><a href=\"#\">a</a></p>\n");
    }

    #[test]
    fn reading_time() {
        assert_eq!(reading_minutes(0), 1);
        assert_eq!(reading_minutes(1), 1);
        assert_eq!(reading_minutes(200), 1);
        assert_eq!(reading_minutes(201), 2);
        assert_eq!(reading_minutes(1000), 5);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let quotes = format!("{} deep\n", ">".repeat(10_000));
        let r = render(&quotes);
        assert_eq!(r.word_count, 1);
        assert_eq!(r.html.matches("<blockquote>").count(), 10_000);

        let lists = format!("{} deep\n", "- ".repeat(10_000));
        let r = render(&lists);
        assert_eq!(r.word_count, 1);
        assert_eq!(r.html.matches("<ul>").count(), 10_000);
        assert_eq!(r.summary, None);
    }

    #[test]
    fn large_body_renders() {
        let chunk = "Lorem ipsum *dolor* sit `amet`, [link](https://x.org/a) 中文。\n\n";
        assert_eq!(render(chunk).word_count, 8);
        let reps = 10_000_000 / chunk.len() + 1;
        let r = render(&chunk.repeat(reps));
        assert_eq!(r.word_count, 8 * reps);
        assert_eq!(r.html.matches("<p>").count(), reps);
        assert_eq!(
            r.summary.map(|s| s.text).as_deref(),
            Some("Lorem ipsum dolor sit amet, link 中文。")
        );
    }
}
