//! Fast rendering: which pages a rebuild compares (by key) and writes before the tabs reload.
//! The pages a tab shows, the saved articles' own pages and the first page of each list that
//! shows one of them are done first; every other page (among them the hundreds of list pages a
//! new, moved or deleted article shifts) is [pending](super::pending) until it is compared and
//! written, right after the reload.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::path::PathBuf;

use crate::site::{Page, PageKind, Site};

/// What the open tabs show: the site paths of their pages (such as `/page/2/`).
pub type Tabs = std::sync::Arc<dyn Fn() -> Vec<String> + Send + Sync>;

/// The pages to write before the reload.
pub struct Urgent {
    /// Site paths of the pages the open tabs show.
    open: HashSet<String>,
    /// By article index: whether the article was saved.
    edited: Vec<bool>,
}

impl Urgent {
    /// The pages of `site` that are urgent while the tabs show `tabs` and `edited` were saved.
    pub fn new(site: &Site, tabs: &[String], edited: &[PathBuf]) -> Self {
        let saved: HashSet<&OsStr> = edited.iter().map(|f| f.as_os_str()).collect();
        Urgent {
            open: tabs.iter().cloned().collect(),
            edited: site
                .articles
                .iter()
                .map(|a| saved.contains(a.file.as_os_str()))
                .collect(),
        }
    }

    /// Whether `page` is compared and written before the tabs reload: a page a tab shows, a
    /// saved article's page, or the first page of a list that shows a saved article.
    pub fn wants(&self, page: &Page) -> bool {
        let saved = |i: &usize| self.edited.get(*i).copied().unwrap_or(false);
        let first = match &page.kind {
            PageKind::Article(i) => saved(i),
            PageKind::List(list) => list.paginator.current == 1 && list.items.iter().any(saved),
            _ => false,
        };
        // Compared by site path: making every page's output path costs more than the rest.
        first || self.open.contains(&page.path)
    }
}
