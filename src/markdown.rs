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
