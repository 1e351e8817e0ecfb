//! Rebuilding the served site. A full build on start and whenever `site.toml` or an asset
//! changes; the theme reloaded and every page rendered (articles kept) when a template, theme or
//! static file changes; otherwise an incremental one that reloads only the Markdown files that
//! changed and writes only the pages whose [key](crate::render::page_keys) changed:
//!
//! - when the edits leave everything the plan depends on alone (dates, titles, URLs, terms,
//!   drafts: the usual case of fixing a story's text), the articles are swapped into the last
//!   plan in place;
//! - otherwise (a new, moved, retagged or deleted article) the site is planned again from the last
//!   plan ([`site::replan`]: the parts the edits cannot change are reused), and the articles whose
//!   links point at a moved, new or deleted file are rendered again too.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;

mod changes;
mod diff;
mod fast;
mod later;
mod link_warnings;
mod model;
mod pending;
mod reload;
mod report;

pub use changes::Changes;
pub use later::{Done, Job};
pub use pending::Pending;
pub use report::Rebuild;

use crate::content::Article;
use crate::error::{Diagnostic, Error, Result};
use crate::output::{Served, Sink};
use crate::render;
use crate::site::{self, PlanOptions};
use crate::urls;
use diff::{Disk, Inputs, write_changes, write_edits, write_unchecked};
use fast::{Tabs, Urgent};
use link_warnings::link_warnings;
use model::Model;
use reload::{Edit, Reloaded, in_place_edits, reload};

/// Keeps the loaded model and what is on disk between rebuilds of one served folder.
pub struct Rebuilder {
    root: PathBuf,
    /// The served folder, as a [`Sink::Served`].
    out: Sink,
    drafts: bool,
    base_url: String,
    /// `None` until a full build has loaded everything, and again after anything that leaves
    /// the model unknown (a failed full build, a failed plan).
    model: Option<Model>,
    disk: Disk,
    /// With fast rendering: what the open tabs show.
    tabs: Option<Tabs>,
    /// Pages of the current plan not compared with the disk yet (plan indices; see
    /// [`Rebuilder::flush`]).
    left: Vec<usize>,
    /// What requests wait for while they are not written.
    pending: Arc<Pending>,
    /// Threads freeing the card views of flushes (see [`crate::Held::free_later`]): a save
    /// that stops a flush waits for its next rebuild, not for the views to be freed. Joined
    /// before the rebuilder is gone.
    freeing: Vec<std::thread::JoinHandle<()>>,
    /// The postings of the last search index a later job made, for the next one.
    postings: later::Postings,
}

impl Rebuilder {
    /// A rebuilder for the site at `root` (absolute, canonical) writing into `out`, an existing
    /// folder owned by the caller, with links under `base_url`. Builds nothing yet.
    pub fn new(root: &Path, out: &Path, drafts: bool, base_url: &str) -> Rebuilder {
        Rebuilder {
            root: root.to_path_buf(),
            out: Sink::Served(Served::new(out)),
            drafts,
            base_url: base_url.to_string(),
            model: None,
            disk: Disk::default(),
            tabs: None,
            left: Vec::new(),
            pending: Arc::default(),
            freeing: Vec::new(),
            postings: Arc::default(),
        }
    }

    /// Turns on fast rendering: an incremental rebuild that moves pages compares and writes only
    /// the pages the tabs show (`tabs` gives their site paths), the saved articles' pages and the
    /// first page of each list that shows a saved article; every other page is
    /// [pending](Rebuilder::pending) until [`Rebuilder::flush`] compares and writes it.
    pub fn fast_render(&mut self, tabs: impl Fn() -> Vec<String> + Send + Sync + 'static) {
        self.tabs = Some(Arc::new(tabs));
    }

    /// The output paths not written yet, which requests wait for.
    pub fn pending(&self) -> Arc<Pending> {
        self.pending.clone()
    }

    /// Compares the pages the last [`Rebuilder::update`] left with the disk and writes those
    /// that changed, then wakes the requests waiting for them. `None` when none was left.
    pub fn flush(&mut self) -> Result<Option<Rebuild>> {
        self.flush_until(&|| false)
    }

    /// Whether the last update left pages to compare ([`Rebuilder::flush`]).
    pub fn has_left(&self) -> bool {
        !self.left.is_empty()
    }

    /// [`Rebuilder::flush`], stopping between batches of pages once `stop` says so (a new save
    /// came): the pages not written stay pending, and are compared after the next update (which
    /// keys the pages it needs itself, so it does not wait for them).
    pub fn flush_until(&mut self, stop: &dyn Fn() -> bool) -> Result<Option<Rebuild>> {
        let left = std::mem::take(&mut self.left);
        if left.is_empty() {
            return Ok(None);
        }
        let started = Instant::now();
        let result = match self.model.as_ref() {
            Some(
                model @ Model {
                    planned: Some((site, _)),
                    ..
                },
            ) => {
                let inputs = model.inputs(true);
                let pending = &self.pending;
                let changing = |files: Vec<String>| pending.set(files);
                let left = (left.as_slice(), &changing as &dyn Fn(Vec<String>));
                let freeing = &mut self.freeing;
                write_unchecked(&self.out, &mut self.disk, &inputs, site, left, stop).map(
                    |(written, rest, views)| {
                        freeing.retain(|thread| !thread.is_finished());
                        freeing.extend(views.and_then(crate::Held::free_later));
                        let rebuild =
                            Rebuild::on_plan(site, written, Vec::new(), started.elapsed());
                        (Some(rebuild), rest)
                    },
                )
            }
            // Not compared: their keys are not on record, so the next rebuild renders them.
            _ => Ok((None, Vec::new())),
        };
        match result {
            Ok((mut rebuild, rest)) if !rest.is_empty() => {
                if let Some(rebuild) = rebuild.as_mut() {
                    rebuild.unchecked = rest.len();
                }
                if let Some((site, _)) = self.model.as_ref().and_then(|m| m.planned.as_ref()) {
                    self.pending.set(
                        rest.iter()
                            .filter_map(|&i| urls::output_file(&site.pages.get(i)?.path).ok()),
                    );
                }
                self.left = rest;
                Ok(rebuild)
            }
            result => {
                // Waiting requests get what is there now, written or not (an error is shown
                // in the tabs).
                self.pending.clear();
                result.map(|(rebuild, _)| rebuild)
            }
        }
    }

    /// The site root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Drops the loaded model, so the next update reloads everything (what is on disk is still
    /// known, so only changed files are written).
    pub fn forget(&mut self) {
        self.model = None;
    }

    /// What changed paths (absolute, from the watcher) ask for, given what is loaded.
    pub fn changes(&self, paths: &[PathBuf]) -> Changes {
        let known = self.model.as_ref().map(Model::known);
        changes::classify(&self.root, paths, known.as_deref())
    }

    /// Reloads everything and writes every page whose bytes changed.
    pub fn full(&mut self) -> Result<Rebuild> {
        let started = Instant::now();
        self.model = None;
        self.model = Some(Model::load(&self.root, &self.base_url, self.drafts)?);
        self.publish(None, false, started)
    }

    /// Applies a batch of changes: incrementally when only Markdown files changed and the
    /// model is known, else with a full rebuild. `None` when nothing relevant changed. An
    /// incremental rebuild leaves the slow pages (the search index) for [`Rebuilder::finish`].
    pub fn update(&mut self, changes: &Changes) -> Result<Option<Rebuild>> {
        if changes.is_empty() {
            return Ok(None);
        }
        // Pages an interrupted flush left are not waited for: an update that plans again keys
        // the pages it needs and leaves the others (those among them) for its own flush, and
        // one that edits in place keeps them for the next flush.
        let started = Instant::now();
        let Some(model) = self.model.as_mut().filter(|_| !changes.full) else {
            return self.full().map(Some);
        };
        if changes.theme {
            // Templates or static files: reload them, keep the articles, render every page.
            if let Err(e) = model.session.reload_theme() {
                // Keep no stale theme around: until it loads, every change retries it.
                self.model = None;
                return Err(e);
            }
        } else if let Some(edits) = in_place_edits(model, &self.root, &changes.articles) {
            return self.apply_in_place(edits, started).map(Some);
        }
        model.unplan();
        if changes.theme {
            model.previous = None;
            let Some(_) = reload(model, &self.root, &changes.articles) else {
                return self.full().map(Some);
            };
        } else {
            let Some(reloaded) = reload(model, &self.root, &changes.articles) else {
                return self.full().map(Some);
            };
            if model.broken.is_empty() {
                return self.publish(Some(reloaded), true, started).map(Some);
            }
        }
        if !model.broken.is_empty() {
            // Planned from scratch once the files load again.
            model.previous = None;
            let problems = model.broken.values().flatten().cloned().collect();
            return Err(Error::Problems(problems));
        }
        self.publish(None, true, started).map(Some)
    }

    /// A job rendering the pages the last [`Rebuilder::update`] left for later (the search
    /// index), if any, to [run](Job::run) on any thread and hand to [`Rebuilder::accept`].
    pub fn later(&self) -> Result<Option<Job>> {
        let Some(model) = self.model.as_ref() else {
            return Ok(None);
        };
        let Some((site, _)) = model.planned.as_ref() else {
            return Ok(None);
        };
        Job::new(
            &self.disk,
            (site, &model.session.theme),
            &model.inputs(false),
            &self.postings,
        )
    }

    /// Writes the files of a finished job that are still up to date. `None` when none is.
    pub fn accept(&mut self, done: Done) -> Result<Option<Rebuild>> {
        let started = Instant::now();
        let took = done.took();
        let Some(model) = self.model.as_ref() else {
            return Ok(None);
        };
        let Some((site, _)) = model.planned.as_ref() else {
            return Ok(None);
        };
        let (rendered, written, removed) = later::accept(
            &self.out,
            &mut self.disk,
            (site, &model.session.theme),
            &model.inputs(false),
            done,
        )?;
        if rendered.is_empty() {
            return Ok(None);
        }
        let written = (rendered, written, removed);
        Ok(Some(Rebuild::on_plan(
            site,
            written,
            Vec::new(),
            took + started.elapsed(),
        )))
    }

    /// Renders and writes what the last [`Rebuilder::update`] left for later, here and now, so
    /// the served folder is again what `gazette build` writes. `None` when nothing was left.
    pub fn finish(&mut self) -> Result<Option<Rebuild>> {
        self.flush()?;
        match self.later()? {
            Some(job) => self.accept(job.run()),
            None => Ok(None),
        }
    }

    /// Swaps edited articles into the last plan (same index: the plan does not change) and
    /// writes the pages that show them.
    fn apply_in_place(&mut self, edits: Vec<Edit>, started: Instant) -> Result<Rebuild> {
        let Some(model) = self.model.as_mut() else {
            return Err(nothing_loaded(&self.root));
        };
        let Some((site, _)) = model.planned.as_mut() else {
            return Err(nothing_loaded(&self.root));
        };
        // Copied only if a later job still renders from it.
        let site = Arc::make_mut(site);
        let mut edited = Vec::with_capacity(edits.len());
        let mut files = Vec::with_capacity(edits.len());
        for (i, article, links) in edits {
            let print = render::article_print(&article);
            model
                .prints
                .insert(article.file.clone().into_os_string(), print);
            model
                .links
                .insert(article.file.clone().into_os_string(), links);
            files.push(article.file.clone());
            if let Some(slot) = site.articles.get_mut(i) {
                *slot = article;
                edited.push(i);
            }
        }
        let model = &*model;
        let Some((site, _)) = model.planned.as_ref() else {
            return Err(nothing_loaded(&self.root));
        };
        let written = write_edits(
            &self.out,
            &mut self.disk,
            &model.inputs(true),
            site,
            &edited,
        )?;
        let warnings = link_warnings(site, &model.links, Some(&files));
        Ok(Rebuild::on_plan(site, written, warnings, started.elapsed()))
    }

    /// Plans the site from the pool and writes what changed. Incremental when `reloaded` says
    /// what was just reloaded (whose warnings are reported; the site is planned again from the
    /// last plan); else every page is rendered and every warning reported. With `defer`, the
    /// slow pages are left for [`Rebuilder::finish`].
    fn publish(
        &mut self,
        reloaded: Option<Reloaded>,
        defer: bool,
        started: Instant,
    ) -> Result<Rebuild> {
        let full = reloaded.is_none();
        let Some(model) = self.model.as_mut() else {
            return Err(nothing_loaded(&self.root));
        };
        let now = Utc::now();
        let drafts = self.drafts;
        // The plan leaves drafts and future articles out; keep them for the next plan.
        let held: Vec<Article> = model
            .pool
            .iter()
            .filter(|a| (a.draft && !drafts) || a.date.with_timezone(&Utc) > now)
            .cloned()
            .collect();
        let pool = std::mem::take(&mut model.pool);
        let options = PlanOptions { drafts, now };
        let previous = model.previous.take();
        let planned = match (&reloaded, &previous) {
            (Some(reloaded), Some((last, files))) => {
                let changed: crate::content::Files = reloaded
                    .files
                    .iter()
                    .chain(&reloaded.removed)
                    .map(|file| file.as_os_str().to_owned())
                    .collect();
                let previous = site::Previous {
                    site: last,
                    files,
                    changed: &changed,
                    before: &reloaded.before,
                };
                site::replan(pool, model.session.config.clone(), &options, &previous)
            }
            _ => site::plan(pool, model.session.config.clone(), &options),
        };
        // Freeing a 10,000-article plan takes a while; nobody needs to wait for it.
        let (reloaded, before) = match reloaded {
            Some(r) => (Some(r.files), r.before),
            None => (None, Vec::new()),
        };
        std::thread::spawn(move || drop((previous, before)));
        let mut site = match planned {
            Ok(site) => site,
            Err(e) => {
                // The articles went into the failed plan: reload everything next time.
                self.model = None;
                return Err(e);
            }
        };
        // Fast rendering applies to incremental rebuilds only: a full one renders everything.
        let tabs: Option<Vec<String>> = match (&self.tabs, &reloaded) {
            (Some(tabs), Some(_)) => Some(tabs()),
            _ => None,
        };
        let edited = reloaded.as_deref().unwrap_or_default();
        let urgent = tabs.as_deref().map(|tabs| Urgent::new(&site, tabs, edited));
        let wants = |page: &site::Page| urgent.as_ref().is_none_or(|u| u.wants(page));
        let inputs = Inputs {
            urgent: urgent
                .is_some()
                .then_some(&wants as &(dyn Fn(&site::Page) -> bool + Sync)),
            ..model.inputs(defer)
        };
        // Kept even when writing fails: the plan is right, and the next rebuild compares
        // keys with what did get written.
        let result = write_changes(&self.out, &mut self.disk, &inputs, &site, full);
        drop(urgent);
        // As `gazette build` orders them: skipped links, the model's, then body links.
        let warnings = if full {
            let mut warnings = model.skipped.clone();
            warnings.extend(model.session.theme.warnings().iter().cloned());
            warnings.append(&mut site.warnings);
            warnings.extend(link_warnings(&site, &model.links, None));
            warnings
        } else {
            link_warnings(&site, &model.links, reloaded.as_deref())
        };
        let (articles, pages) = (site.articles.len(), site.pages.len());
        model.planned = Some((Arc::new(site), held));
        let ((rendered, written, removed), left) = result?;
        if left.is_empty() {
            self.pending.clear();
        } else if let Some((site, _)) = model.planned.as_ref() {
            // Until the pages left are compared, any of them may change.
            self.pending.set_all_but(self.disk.up_to_date(site, &left));
        }
        let unchecked = left.len();
        self.left = left;
        Ok(Rebuild {
            full,
            replanned: true,
            articles,
            pages,
            rendered,
            written,
            removed,
            unchecked,
            warnings,
            elapsed: started.elapsed(),
        })
    }
}

impl Drop for Rebuilder {
    fn drop(&mut self) {
        for thread in self.freeing.drain(..) {
            let _ = thread.join();
        }
    }
}

fn nothing_loaded(root: &Path) -> Error {
    Error::problem(Diagnostic::new(root, "nothing loaded yet"))
}
