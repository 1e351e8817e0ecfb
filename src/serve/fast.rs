//! Fast rendering: which changed pages a rebuild writes before the tabs reload. The pages a tab
//! shows, the saved articles' own pages and the first page of every list are written first;
//! every other changed page (the hundreds of list pages a new, moved or deleted article shifts)
//! is left [pending](super::pending) and written right after the reload.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::path::PathBuf;

use super::pending::candidates;
use crate::site::{Page, PageKind, Site};
use crate::urls;

/// What the open tabs show: their request paths (such as `/page/2/`).
pub type Tabs = std::sync::Arc<dyn Fn() -> Vec<String> + Send + Sync>;

/// The pages to write before the reload.
pub struct Urgent<'a> {
    site: &'a Site,
    /// Output paths the open tabs are served from.
    open: HashSet<String>,
    /// The saved article files (relative to the root).
    edited: HashSet<&'a OsStr>,
}

impl<'a> Urgent<'a> {
    /// The pages of `site` that are urgent while the tabs show `tabs` and `edited` were saved.
    pub fn new(site: &'a Site, tabs: &[String], edited: &'a [PathBuf]) -> Self {
        Urgent {
            site,
            open: tabs.iter().flat_map(|t| candidates(t)).collect(),
            edited: edited.iter().map(|f| f.as_os_str()).collect(),
        }
    }

    /// Whether `page` is written before the tabs reload.
    pub fn wants(&self, page: &Page) -> bool {
        let first = match &page.kind {
            PageKind::Article(i) => self
                .site
                .articles
                .get(*i)
                .is_some_and(|a| self.edited.contains(a.file.as_os_str())),
            PageKind::List(list) => list.paginator.current == 1,
            _ => false,
        };
        first || urls::output_file(&page.path).is_ok_and(|file| self.open.contains(file.as_str()))
    }
}
