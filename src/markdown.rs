//! The only module that knows pulldown-cmark: Markdown to HTML with stable heading anchors, the
//! summary, the heading list and the word count.

use serde::Serialize;

/// A heading of an article body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
}

/// Renders a Markdown body.
pub fn render(markdown: &str) -> Rendered {
    let _ = markdown;
    todo!("markdown")
}

/// TEMP stand-in until the markdown helper's version is merged.
#[derive(Debug, Clone)]
pub struct Options {
    /// Pass raw HTML through.
    pub raw_html: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { raw_html: true }
    }
}

/// TEMP stand-in: wraps the text in `<p>`.
pub fn render_with(markdown: &str, options: &Options) -> Rendered {
    let _ = options;
    let text = markdown.trim().to_string();
    let summary = (!text.is_empty()).then(|| Summary {
        html: format!("<p>{text}</p>"),
        text: text.clone(),
    });
    Rendered {
        html: format!("<p>{text}</p>"),
        summary,
        headings: Vec::new(),
        word_count: text.split_whitespace().count(),
    }
}

/// TEMP stand-in: 200 words a minute, at least 1.
pub fn reading_minutes(words: usize) -> usize {
    words.div_ceil(200).max(1)
}
