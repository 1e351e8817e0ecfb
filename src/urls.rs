//! The one door for URLs and output paths. Internally every page has a *site path* (`/tags/pti/`,
//! `/atom.xml`: starts with `/`, not percent-encoded, no base path). [`Urls`] turns site paths into
//! links that carry `base_url`; [`output_file`] turns them into files inside the output root.

use chrono::{DateTime, Datelike, FixedOffset};

/// Builds links from site paths for one `base_url`.
#[derive(Debug, Clone)]
pub struct Urls {
    base_url: String,
}

impl Urls {
    /// `base_url` is absolute with a trailing slash (as [`crate::config::Config`] guarantees).
    pub fn new(base_url: &str) -> Urls {
        Urls {
            base_url: base_url.to_string(),
        }
    }
}

/// Checks a permalink pattern: starts and ends with `/`, uses only known placeholders.
pub fn validate_permalink(pattern: &str) -> Result<(), String> {
    let _ = pattern;
    todo!("validate_permalink")
}

/// Fills a permalink pattern for an article.
pub fn permalink(pattern: &str, date: &DateTime<FixedOffset>, slug: &str) -> String {
    let _ = (pattern, date.year(), slug);
    todo!("permalink")
}

/// The file (relative, `/`-separated) a site path is written to: `/x/` -> `x/index.html`,
/// `/atom.xml` -> `atom.xml`. Errors for any path that is not a chain of safe segments.
pub fn output_file(site_path: &str) -> Result<String, String> {
    let _ = site_path;
    todo!("output_file")
}
