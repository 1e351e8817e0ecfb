//! Pages left for later: the [deferred](super::diff::deferred) pages (search index, sitemap) are
//! rendered off the rebuild thread, from a snapshot of the plan, so the tabs reload and the next
//! save is rebuilt without waiting for them. When the rendering is done, the files are written
//! only if the plan still gives those pages the same key; else a newer job follows.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::diff::{Disk, Inputs, Keyed, Written, changed_bytes, deferred, record, write_all};
use crate::error::{Diagnostic, Error, Result};
use crate::output::{OutputFile, Sink};
use crate::render::{self, Theme};
use crate::search::{Kept, Memory};
use crate::site::{PageKind, Site};
use crate::urls::{self, Urls};

/// Deferred pages to render: a snapshot of the plan and the theme, shared with the rebuilder
/// (the plan is copied on the rebuilder's side only if it changes while the job runs).
pub struct Job {
    site: Arc<Site>,
    theme: Arc<Theme>,
    urls: Urls,
    /// Indices of the pages in the plan, with their keys.
    pages: Keyed,
    /// The search index's postings, carried from the last job's index to this one's, with
    /// where they are kept between jobs.
    search: Option<(Arc<Memory>, Postings)>,
}

/// Where the postings of the last search index a job made are kept for the next job (a save
/// that publishes an article then reads one article's words instead of every article's: 88
/// against 23 ms at 10,000 articles).
pub type Postings = Arc<Mutex<Option<Kept>>>;

/// A finished [`Job`]: the pages with the keys they were rendered for, and the files.
pub struct Done {
    /// The theme it was rendered with: a new one (reloaded, or with a new configuration) means
    /// a new full render, and this one is out of date.
    theme: Arc<Theme>,
    pages: Vec<(usize, String, u128)>,
    files: Result<Vec<OutputFile>>,
    took: Duration,
}

impl Done {
    /// How long the rendering took.
    pub fn took(&self) -> Duration {
        self.took
    }
}

impl Job {
    /// The deferred pages of `site` (rendered with `inputs`) whose key differs from what the
    /// disk holds, or `None`.
    pub fn new(
        disk: &Disk,
        (site, theme): (&Arc<Site>, &Arc<Theme>),
        inputs: &Inputs<'_>,
        postings: &Postings,
    ) -> Result<Option<Job>> {
        let pages: Keyed = keys(site, inputs)?
            .into_iter()
            .filter(|&(p, key)| {
                site.pages
                    .get(p)
                    .is_some_and(|page| !disk.holds(&page.path, key))
            })
            .collect();
        let indexes = pages.iter().any(|&(p, _)| {
            site.pages
                .get(p)
                .is_some_and(|page| page.kind == PageKind::SearchIndex)
        });
        let prints: Option<Vec<u128>> = match indexes {
            true => site
                .articles
                .iter()
                .map(|a| inputs.prints.get(a.file.as_os_str()).copied())
                .collect(),
            false => None,
        };
        let search = prints.map(|prints| {
            let slot = Arc::clone(postings);
            let earlier = move || slot.lock().unwrap_or_else(PoisonError::into_inner).take();
            let memory = Memory::new(prints, Some(Box::new(earlier)));
            (Arc::new(memory), Arc::clone(postings))
        });
        Ok((!pages.is_empty()).then(|| Job {
            site: site.clone(),
            theme: theme.clone(),
            urls: inputs.urls.clone(),
            pages,
            search,
        }))
    }

    /// Renders the pages (on any thread). A panic is caught and returned as an error.
    pub fn run(self) -> Done {
        let started = Instant::now();
        let pages: Vec<(usize, String, u128)> = self
            .pages
            .iter()
            .filter_map(|&(p, key)| Some((p, self.site.pages.get(p)?.path.clone(), key)))
            .collect();
        let todo: Vec<usize> = pages.iter().map(|(p, _, _)| *p).collect();
        let files = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let memory = self.search.as_ref().map(|(memory, _)| Arc::clone(memory));
            let mut files =
                render::render_pages_carrying(&self.site, &self.theme, &self.urls, &todo, memory)?;
            crate::finish_pages(&self.site, &mut files);
            Ok(files)
        }))
        .unwrap_or_else(|_| {
            Err(Error::problem(Diagnostic::new(
                "search-index.json",
                "internal error while rendering (a bug in Gazette)",
            )))
        });
        if let Some((memory, slot)) = &self.search
            && let Some(made) = memory.take()
        {
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(made);
        }
        Done {
            theme: self.theme.clone(),
            pages,
            files,
            took: started.elapsed(),
        }
    }
}

/// Writes the files of `done` whose pages still have the key they were rendered for in `site`
/// (the current plan, rendered with `theme` and `inputs`); the others are out of date, and a
/// newer job renders them.
pub fn accept(
    out: &Sink,
    disk: &mut Disk,
    (site, theme): (&Site, &Arc<Theme>),
    inputs: &Inputs<'_>,
    done: Done,
) -> Result<Written> {
    if !Arc::ptr_eq(&done.theme, theme) {
        return Ok(Written::default());
    }
    let files = done.files?;
    let current: HashMap<usize, u128> = keys(site, inputs)?.into_iter().collect();
    let mut todo = Vec::new();
    let mut keep = Vec::new();
    let mut files: HashMap<String, OutputFile> =
        files.into_iter().map(|f| (f.path.clone(), f)).collect();
    for (p, path, key) in done.pages {
        let same_page = site.pages.get(p).is_some_and(|page| page.path == path);
        let file = urls::output_file(&path).ok().and_then(|f| files.remove(&f));
        if let Some(file) = file.filter(|_| same_page && current.get(&p) == Some(&key)) {
            todo.push((p, key));
            keep.push(file);
        }
    }
    let changed = changed_bytes(disk, keep);
    write_all(out, disk, &changed)?;
    let (rendered, written) = record(disk, site, &todo, changed);
    Ok((rendered, written, Vec::new()))
}

/// Every deferred page of `site` with its current key.
fn keys(site: &Site, inputs: &Inputs<'_>) -> Result<Keyed> {
    let now = Inputs {
        defer: false,
        urgent: None,
        ..*inputs
    };
    let keys = now.keys(site, &|i| site.pages.get(i).is_some_and(deferred))?;
    Ok(keys
        .into_iter()
        .enumerate()
        .filter_map(|(i, key)| Some((i, key?)))
        .collect())
}
