//! Rebuilding the served site. A full build on start and whenever `site.toml` or an asset
//! changes; the theme reloaded and every page rendered (articles kept) when a template, theme or
//! static file changes; otherwise an incremental one that reloads only the Markdown files that
//! changed and writes only the pages whose signature changed:
//!
//! - when the edits leave everything the plan depends on alone (dates, titles, URLs, terms,
//!   drafts: the usual case of fixing a story's text), the articles are swapped into the last
//!   plan in place;
//! - otherwise (a new, moved, retagged or deleted article) the whole site is planned again.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use rayon::prelude::*;

use super::changes::Changes;
use super::diff::{Disk, Inputs, write_changes, write_edits};
use super::signature::content_hash;
use crate::config::Config;
use crate::content::{self, Article};
use crate::error::{Diagnostic, Error, Result};
use crate::output::OutputFile;
use crate::render::Theme;
use crate::site::{self, PlanOptions, Site};
use crate::urls::Urls;

/// Keeps the loaded model and what is on disk between rebuilds of one served folder.
pub struct Rebuilder {
    root: PathBuf,
    out: PathBuf,
    drafts: bool,
    base_url: String,
    /// `None` until a full build has loaded everything, and again after anything that leaves
    /// the model unknown (a failed full build, a failed plan).
    model: Option<Model>,
    disk: Disk,
}

/// The inputs as last loaded.
struct Model {
    config: Config,
    theme: Theme,
    urls: Urls,
    statics: Vec<OutputFile>,
    /// Article file (relative to the root) -> [`content_hash`]. Keyed by the raw string: a
    /// `Path` hashes component by component, which shows at 10,000 articles.
    hashes: HashMap<OsString, u64>,
    /// Files whose last save does not load, with their problems; nothing is published while
    /// any is here.
    broken: BTreeMap<PathBuf, Vec<Diagnostic>>,
    /// The last plan and the articles it left out (drafts, future ones) ...
    planned: Option<(Site, Vec<Article>)>,
    /// ... or, when there is none, every article.
    pool: Vec<Article>,
}

impl Model {
    /// Every article, planned or not.
    fn known(&self) -> Vec<&Article> {
        let planned = self
            .planned
            .iter()
            .flat_map(|(s, held)| s.articles.iter().chain(held));
        planned.chain(&self.pool).collect()
    }

    /// Moves the planned articles back into the pool, to be planned again.
    fn unplan(&mut self) {
        if let Some((mut site, held)) = self.planned.take() {
            self.pool = std::mem::take(&mut site.articles);
            self.pool.extend(held);
            // Freeing a 10,000-article plan takes a while; nobody needs to wait for it.
            std::thread::spawn(move || drop(site));
        }
    }
}

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
    /// Things worth saying that did not stop the build (reported by full builds).
    pub warnings: Vec<Diagnostic>,
    /// Wall time of the rebuild.
    pub elapsed: Duration,
}

impl Rebuilder {
    /// A rebuilder for the site at `root` (absolute, canonical) writing into `out`, an existing
    /// folder owned by the caller, with links under `base_url`. Builds nothing yet.
    pub fn new(root: &Path, out: &Path, drafts: bool, base_url: &str) -> Rebuilder {
        Rebuilder {
            root: root.to_path_buf(),
            out: out.to_path_buf(),
            drafts,
            base_url: base_url.to_string(),
            model: None,
            disk: Disk::default(),
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
        super::changes::classify(&self.root, paths, known.as_deref())
    }

    /// Reloads everything and writes every page whose bytes changed.
    pub fn full(&mut self) -> Result<Rebuild> {
        let started = Instant::now();
        self.model = None;
        let config = crate::load_config(&self.root, Some(&self.base_url))?;
        let theme = Theme::load(&self.root, &config)?;
        let pool = content::load(&self.root, &config)?;
        let statics = crate::output::static_files(&theme.static_dirs)?;
        let hashes = pool
            .par_iter()
            .map(|a| (a.file.clone().into_os_string(), content_hash(a)))
            .collect();
        self.model = Some(Model {
            urls: Urls::new(&config.base_url),
            config,
            theme,
            statics,
            hashes,
            broken: BTreeMap::new(),
            planned: None,
            pool,
        });
        self.publish(true, started)
    }

    /// Applies a batch of changes: incrementally when only Markdown files changed and the
    /// model is known, else with a full rebuild. `None` when nothing relevant changed.
    pub fn update(&mut self, changes: &Changes) -> Result<Option<Rebuild>> {
        if changes.is_empty() {
            return Ok(None);
        }
        let started = Instant::now();
        let Some(model) = self.model.as_mut().filter(|_| !changes.full) else {
            return self.full().map(Some);
        };
        if changes.theme {
            // Templates or static files: reload them, keep the articles, render every page.
            let reloaded = Theme::load(&self.root, &model.config).and_then(|theme| {
                let statics = crate::output::static_files(&theme.static_dirs)?;
                Ok((theme, statics))
            });
            match reloaded {
                Ok((theme, statics)) => (model.theme, model.statics) = (theme, statics),
                Err(e) => {
                    // Keep no stale theme around: until it loads, every change retries it.
                    self.model = None;
                    return Err(e);
                }
            }
        } else if let Some(edits) = in_place_edits(model, &self.root, &changes.articles) {
            return self.apply_in_place(edits, started).map(Some);
        }
        model.unplan();
        if !reload(model, &self.root, &changes.articles) {
            return self.full().map(Some);
        }
        if !model.broken.is_empty() {
            let problems = model.broken.values().flatten().cloned().collect();
            return Err(Error::Problems(problems));
        }
        self.publish(changes.theme, started).map(Some)
    }

    /// Swaps edited articles into the last plan (same index: the plan does not change) and
    /// writes the pages that show them.
    fn apply_in_place(
        &mut self,
        edits: Vec<(usize, Article)>,
        started: Instant,
    ) -> Result<Rebuild> {
        let Some(model) = self.model.as_mut() else {
            return Err(nothing_loaded(&self.root));
        };
        let Some((site, _)) = model.planned.as_mut() else {
            return Err(nothing_loaded(&self.root));
        };
        let mut edited = Vec::with_capacity(edits.len());
        for (i, article) in edits {
            let hash = content_hash(&article);
            model
                .hashes
                .insert(article.file.clone().into_os_string(), hash);
            if let Some(slot) = site.articles.get_mut(i) {
                *slot = article;
                edited.push(i);
            }
        }
        let inputs = Inputs {
            theme: &model.theme,
            urls: &model.urls,
            hashes: &model.hashes,
            statics: &model.statics,
        };
        let (rendered, written, removed) =
            write_edits(&self.out, &mut self.disk, &inputs, site, &edited)?;
        Ok(Rebuild {
            full: false,
            replanned: false,
            articles: site.articles.len(),
            pages: site.pages.len(),
            rendered,
            written,
            removed,
            warnings: Vec::new(),
            elapsed: started.elapsed(),
        })
    }

    /// Plans the site from the pool and writes what changed. Incremental unless `full`.
    fn publish(&mut self, full: bool, started: Instant) -> Result<Rebuild> {
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
        let mut site = match site::plan(pool, model.config.clone(), &PlanOptions { drafts, now }) {
            Ok(site) => site,
            Err(e) => {
                // The articles went into the failed plan: reload everything next time.
                self.model = None;
                return Err(e);
            }
        };
        let inputs = Inputs {
            theme: &model.theme,
            urls: &model.urls,
            hashes: &model.hashes,
            statics: &model.statics,
        };
        // Kept even when writing fails: the plan is right, and the next rebuild compares
        // signatures with what did get written.
        let result = write_changes(&self.out, &mut self.disk, &inputs, &site, full);
        let warnings = std::mem::take(&mut site.warnings);
        let (articles, pages) = (site.articles.len(), site.pages.len());
        model.planned = Some((site, held));
        let (rendered, written, removed) = result?;
        Ok(Rebuild {
            full,
            replanned: true,
            articles,
            pages,
            rendered,
            written,
            removed,
            warnings: if full { warnings } else { Vec::new() },
            elapsed: started.elapsed(),
        })
    }
}

fn nothing_loaded(root: &Path) -> Error {
    Error::problem(Diagnostic::new(root, "nothing loaded yet"))
}

/// Everything of an article the plan depends on: order (date, title, file), publication (draft,
/// date), URL, dates shown on lists, and the values of every taxonomy's field.
fn plan_key<'a>(article: &'a Article, config: &'a Config) -> impl PartialEq + 'a {
    let terms: Vec<Vec<&str>> = config
        .taxonomies
        .iter()
        .map(|t| site::field_values(article, &t.field))
        .collect();
    let a = article;
    (
        (&a.file, &a.date, &a.updated, &a.title),
        (a.draft, &a.path),
        terms,
    )
}

/// The edited articles with their index in the last plan, when every change is a published
/// article saved with the same [`plan_key`] and nothing is broken; else `None`.
fn in_place_edits(
    model: &Model,
    root: &Path,
    paths: &BTreeSet<PathBuf>,
) -> Option<Vec<(usize, Article)>> {
    let (site, _) = model.planned.as_ref()?;
    if !model.broken.is_empty() {
        return None;
    }
    let mut edits = Vec::with_capacity(paths.len());
    for path in paths {
        let rel = path.strip_prefix(root).ok()?;
        let i = site
            .articles
            .iter()
            .position(|a| a.file.as_os_str() == rel.as_os_str())?;
        let old = site.articles.get(i)?;
        if !std::fs::symlink_metadata(path).ok()?.is_file() {
            return None;
        }
        let article = content::load_file(root, path, &old.assets, &model.config).ok()?;
        if plan_key(&article, &model.config) != plan_key(old, &model.config) {
            return None;
        }
        edits.push((i, article));
    }
    Some(edits)
}

/// Reloads the given Markdown files (absolute paths) into the pool; `false` when one of them
/// needs a full load to be read the way `content::load` would (a folder new to the model that
/// holds other files, a path that is not a plain file).
fn reload(model: &mut Model, root: &Path, paths: &BTreeSet<PathBuf>) -> bool {
    for path in paths {
        let rel = path.strip_prefix(root).unwrap_or(path).to_path_buf();
        let position = model
            .pool
            .iter()
            .position(|a| a.file.as_os_str() == rel.as_os_str());
        match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(i) = position {
                    model.pool.swap_remove(i);
                }
                model.hashes.remove(rel.as_os_str());
                model.broken.remove(&rel);
            }
            Ok(meta) if meta.is_file() => {
                let Some(assets) = assets_for(&model.pool, root, &rel) else {
                    return false;
                };
                match content::load_file(root, path, &assets, &model.config) {
                    Ok(article) => {
                        model.broken.remove(&rel);
                        let hash = content_hash(&article);
                        model.hashes.insert(rel.into_os_string(), hash);
                        match position.and_then(|i| model.pool.get_mut(i)) {
                            Some(slot) => *slot = article,
                            None => model.pool.push(article),
                        }
                    }
                    Err(Error::Problems(problems)) => {
                        model.broken.insert(rel, problems);
                    }
                    Err(other) => {
                        let problem = Diagnostic::new(&rel, other.to_string());
                        model.broken.insert(rel, vec![problem]);
                    }
                }
            }
            Ok(_) => return false,
            Err(e) => {
                let problem = Diagnostic::new(&rel, format!("cannot read: {e}"));
                model.broken.insert(rel, vec![problem]);
            }
        }
    }
    true
}

/// The assets of an article at `rel`: those of any loaded article in the same folder (assets
/// belong to the folder), else none when the folder holds only articles, else `None` (unknown:
/// a full load decides).
fn assets_for(articles: &[Article], root: &Path, rel: &Path) -> Option<Vec<PathBuf>> {
    let dir = rel.parent()?;
    if let Some(other) = articles.iter().find(|a| a.file.parent() == Some(dir)) {
        return Some(other.assets.clone());
    }
    for entry in std::fs::read_dir(root.join(dir)).ok()? {
        let entry = entry.ok()?;
        let name = entry.file_name();
        if name.as_encoded_bytes().first() == Some(&b'.') {
            continue;
        }
        let kind = entry.file_type().ok()?;
        let markdown = Path::new(&name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"));
        if !(kind.is_dir() || kind.is_file() && markdown) {
            return None;
        }
    }
    Some(Vec::new())
}
