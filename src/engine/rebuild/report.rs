//! What one rebuild of the served site did, for the terminal line and the tests.

use std::time::Duration;

use super::diff::Written;
use crate::error::Diagnostic;
use crate::site::Site;

/// What one rebuild did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rebuild {
    /// Everything was reloaded and rendered.
    pub full: bool,
    /// The site was planned again (else the edits were swapped into the last plan).
    pub replanned: bool,
    /// Published articles.
    pub articles: usize,
    /// Pages in the plan.
    pub pages: usize,
    /// Site paths of the pages rendered (sorted).
    pub rendered: Vec<String>,
    /// Output paths whose bytes changed and were rewritten (sorted).
    pub written: Vec<String>,
    /// Output paths removed because nothing produces them any more (sorted).
    pub removed: Vec<String>,
    /// Pages fast rendering left to compare and write after the reload, in
    /// [`Rebuilder::flush`](super::Rebuilder::flush).
    pub unchecked: usize,
    /// Things worth saying that did not stop the build: every one on full builds, those about
    /// the articles reloaded on incremental ones.
    pub warnings: Vec<Diagnostic>,
    /// Wall time of the rebuild.
    pub elapsed: Duration,
}

impl Rebuild {
    /// A rebuild that kept the last plan `site` and wrote `written`.
    pub(super) fn on_plan(
        site: &Site,
        written: Written,
        warnings: Vec<Diagnostic>,
        elapsed: Duration,
    ) -> Self {
        let (rendered, written, removed) = written;
        Rebuild {
            full: false,
            replanned: false,
            articles: site.articles.len(),
            pages: site.pages.len(),
            rendered,
            written,
            removed,
            unchecked: 0,
            warnings,
            elapsed,
        }
    }
}
