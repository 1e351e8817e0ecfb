//! The load stage: walk `content/`, split front matter, parse it, render Markdown, and build one
//! [`Article`] per `*.md` file. Every problem in every file is collected into one report.

pub mod article;
pub mod front_matter;

use std::path::Path;

pub use article::Article;

use crate::config::Config;
use crate::error::Result;

/// Loads every article under `root/content`, drafts included (the model decides what to publish).
/// Returns every problem found, in file order, if any file is bad.
pub fn load(root: &Path, config: &Config) -> Result<Vec<Article>> {
    let _ = (root, config);
    todo!("load stage")
}
