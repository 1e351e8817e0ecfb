//! Checks that need an article's Markdown as written rather than as loaded: template syntax of
//! other generators in the body, and the line of the `image:` field. The load stage keeps no
//! source text (the build cache would carry every body twice), so `check` reads the file again.

use std::fs;
use std::path::Path;

use crate::content::article::ImageAt;
use crate::content::{Article, front_matter};
use crate::error::Diagnostic;
use crate::markdown::foreign;

/// What one article's source says, for the checks below.
pub struct Source {
    /// File line of the `image:` key, when the front matter has one at the top level.
    pub image_line: Option<usize>,
    /// Warnings about foreign template syntax in the body, at their file lines.
    pub foreign: Vec<Diagnostic>,
}

/// Reads `article`'s file under `root` again. `None` when it can no longer be read or split (it
/// was read a moment ago; a file changed mid-check is left to the next check).
pub fn read(root: &Path, article: &Article) -> Option<Source> {
    let text = fs::read_to_string(root.join(&article.file)).ok()?;
    let text = front_matter::normalise(&text);
    let split = front_matter::split(&text, &article.file).ok()?;
    let image_line = split
        .front_matter
        .lines()
        .position(|line| line.starts_with("image:"))
        .map(|i| split.front_matter_line + i);
    let foreign = foreign::find(split.body)
        .into_iter()
        .map(|found| {
            Diagnostic::at(
                &article.file,
                split.body_line + found.line - 1,
                format!(
                    "`{}` looks like {} from another generator; Gazette shows it as text: \
                     replace it with Markdown or HTML (or put it in `code` to show it)",
                    found.text,
                    found.kind.describe()
                ),
            )
        })
        .collect();
    Some(Source {
        image_line,
        foreign,
    })
}

/// The site path the lead image of `article` is served at (without `?` or `#` parts), or
/// `None` for a URL on another site (or no image).
pub fn image_site_path(article: &Article) -> Option<String> {
    match article.image_at()? {
        ImageAt::Elsewhere(_) => None,
        ImageAt::Site(path) => Some(path.split(['?', '#']).next().unwrap_or("").to_string()),
    }
}
