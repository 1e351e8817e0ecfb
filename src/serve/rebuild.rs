//! Rebuilding the served site. A full build on start and whenever `site.toml`, a template, the
//! theme or a static file changes; otherwise an incremental one: reload only the Markdown files
//! that changed, re-plan the whole site (cheap), and render and write only the pages whose
//! [signature](super::signature) changed, removing pages that disappeared.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use rayon::prelude::*;

use super::changes::Changes;
use super::signature::{content_hash, display_hashes, page_signature, sitemap_hash};
use super::write;
use crate::config::Config;
use crate::content::{self, Article};
use crate::error::{Diagnostic, Error, Result};
use crate::output::{Contents, OutputFile};
use crate::render::{self, Theme};
use crate::site::{self, PlanOptions, Site};
use crate::urls::{self, Urls};

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
    /// Every article loaded, drafts and future ones included, in no particular order.
    articles: Vec<Article>,
    /// Article file (relative to the root) -> [`content_hash`].
    hashes: HashMap<PathBuf, u64>,
    /// Files whose last save does not load, with their problems; nothing is published while
    /// any is here.
    broken: BTreeMap<PathBuf, Vec<Diagnostic>>,
    /// Theme and site static files.
    statics: Vec<OutputFile>,
}

/// What the served folder holds now.
#[derive(Default)]
struct Disk {
    /// Site path -> signature of the page as written.
    pages: HashMap<String, u64>,
    /// Output path -> hash of the bytes written there.
    files: HashMap<String, u64>,
    /// Output path -> source of a copied file (static files, article assets).
    copies: HashMap<String, PathBuf>,
}

/// What one rebuild did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rebuild {
    /// Everything was reloaded and rendered.
    pub full: bool,
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

    /// What changed paths (absolute, from the watcher) ask for, given what is loaded.
    pub fn changes(&self, paths: &[PathBuf]) -> Changes {
        let known = self.model.as_ref().map(|m| m.articles.as_slice());
        super::changes::classify(&self.root, paths, known)
    }

    /// Reloads everything and writes every page whose bytes changed.
    pub fn full(&mut self) -> Result<Rebuild> {
        let started = Instant::now();
        self.model = None;
        let config = crate::load_config(&self.root, Some(&self.base_url))?;
        let theme = Theme::load(&self.root, &config)?;
        let articles = content::load(&self.root, &config)?;
        let statics = crate::output::static_files(&theme.static_dirs)?;
        let hashes = articles
            .par_iter()
            .map(|a| (a.file.clone(), content_hash(a)))
            .collect();
        self.model = Some(Model {
            urls: Urls::new(&config.base_url),
            config,
            theme,
            articles,
            hashes,
            broken: BTreeMap::new(),
            statics,
        });
        self.publish(true, started)
    }

    /// Applies a batch of changes: incrementally when only Markdown files changed and the
    /// model is known, else with a full rebuild. `None` when nothing relevant changed.
    pub fn update(&mut self, changes: &Changes) -> Result<Option<Rebuild>> {
        if changes.is_empty() {
            return Ok(None);
        }
        if changes.full || self.model.is_none() {
            return self.full().map(Some);
        }
        let started = Instant::now();
        if !self.reload_articles(&changes.articles) {
            return self.full().map(Some);
        }
        if let Some(model) = &self.model
            && !model.broken.is_empty()
        {
            let problems = model.broken.values().flatten().cloned().collect();
            return Err(Error::Problems(problems));
        }
        self.publish(false, started).map(Some)
    }

    /// Reloads the given Markdown files (absolute paths) into the model; `false` when one of
    /// them needs a full load to be read the way `content::load` would (a folder new to the
    /// model that holds other files, a path that is not a plain file).
    fn reload_articles(&mut self, paths: &std::collections::BTreeSet<PathBuf>) -> bool {
        let Some(model) = self.model.as_mut() else {
            return false;
        };
        for path in paths {
            let rel = path.strip_prefix(&self.root).unwrap_or(path).to_path_buf();
            let position = model.articles.iter().position(|a| a.file == rel);
            match std::fs::symlink_metadata(path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if let Some(i) = position {
                        model.articles.swap_remove(i);
                    }
                    model.hashes.remove(&rel);
                    model.broken.remove(&rel);
                }
                Ok(meta) if meta.is_file() => {
                    let Some(assets) = assets_for(&model.articles, &self.root, &rel) else {
                        return false;
                    };
                    match content::load_file(&self.root, path, &assets, &model.config) {
                        Ok(article) => {
                            model.broken.remove(&rel);
                            model.hashes.insert(rel, content_hash(&article));
                            match position {
                                Some(i) => {
                                    if let Some(slot) = model.articles.get_mut(i) {
                                        *slot = article;
                                    }
                                }
                                None => model.articles.push(article),
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

    /// Plans the site from the model and writes what changed. Incremental unless `full`.
    fn publish(&mut self, full: bool, started: Instant) -> Result<Rebuild> {
        let Some(model) = self.model.as_mut() else {
            return Err(Error::problem(Diagnostic::new(
                &self.root,
                "nothing loaded yet",
            )));
        };
        let now = Utc::now();
        let drafts = self.drafts;
        // The plan leaves drafts and future articles out; keep them for the next rebuild.
        let held: Vec<Article> = model
            .articles
            .iter()
            .filter(|a| (a.draft && !drafts) || a.date.with_timezone(&Utc) > now)
            .cloned()
            .collect();
        let articles = std::mem::take(&mut model.articles);
        let options = PlanOptions { drafts, now };
        let site = match site::plan(articles, model.config.clone(), &options) {
            Ok(site) => site,
            Err(e) => {
                // The articles went into the failed plan: reload everything next time.
                self.model = None;
                return Err(e);
            }
        };
        let result = write_changes(&self.out, &mut self.disk, model, &site, full);
        let (articles, pages, warnings) = (site.articles.len(), site.pages.len(), site.warnings);
        model.articles = site.articles;
        model.articles.extend(held);
        let (rendered, written, removed) = result?;
        Ok(Rebuild {
            full,
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

type Written = (Vec<String>, Vec<String>, Vec<String>);

/// Renders the pages whose signature changed (all when `full`), copies new or changed files, and
/// removes what the site no longer has. Returns (rendered site paths, written, removed).
fn write_changes(
    out: &Path,
    disk: &mut Disk,
    model: &Model,
    site: &Site,
    full: bool,
) -> Result<Written> {
    let display = display_hashes(site, &model.hashes);
    let sitemap = sitemap_hash(site);
    let signatures: Vec<u64> = site
        .pages
        .par_iter()
        .map(|page| page_signature(site, page, &display, sitemap))
        .collect();
    let todo: Vec<usize> = site
        .pages
        .iter()
        .zip(&signatures)
        .enumerate()
        .filter(|(_, (page, sig))| full || disk.pages.get(&page.path) != Some(*sig))
        .map(|(i, _)| i)
        .collect();
    let planned: HashSet<&str> = site.pages.iter().map(|p| p.path.as_str()).collect();
    let gone_pages: Vec<String> = disk
        .pages
        .keys()
        .filter(|p| !planned.contains(p.as_str()))
        .cloned()
        .collect();

    let rendered = render::render_pages(site, &model.theme, &model.urls, &todo)?;
    let mut copies = model.statics.clone();
    copies.extend(crate::article_assets(site)?);
    if full {
        check_unique(&rendered, &copies)?;
    }

    // (output path, bytes hash, bytes) of every file whose bytes differ from the disk.
    let mut changed: Vec<(String, u64, Vec<u8>)> = Vec::new();
    for file in rendered {
        if let Contents::Bytes(bytes) = file.contents {
            let hash = bytes_hash(&bytes);
            if disk.files.get(&file.path) != Some(&hash) {
                changed.push((file.path, hash, bytes));
            }
        }
    }
    let mut copied: HashMap<String, PathBuf> = HashMap::with_capacity(copies.len());
    for file in copies {
        let Contents::Copy(source) = file.contents else {
            continue;
        };
        if full || disk.copies.get(&file.path) != Some(&source) {
            let bytes = std::fs::read(&source).map_err(|e| Error::io(&source, e))?;
            let hash = bytes_hash(&bytes);
            if disk.files.get(&file.path) != Some(&hash) {
                changed.push((file.path.clone(), hash, bytes));
            }
        }
        copied.insert(file.path, source);
    }

    let outcome: Result<Vec<()>> = changed
        .par_iter()
        .map(|(path, _, bytes)| write::replace(out, path, bytes))
        .collect();
    if let Err(e) = outcome {
        // The disk no longer matches what we know: compare every page next time.
        disk.pages.clear();
        return Err(e);
    }

    // A path just written belongs to something else now (a page moved onto an old asset path).
    let just_written: HashSet<&str> = changed.iter().map(|(p, _, _)| p.as_str()).collect();
    let mut removed = Vec::new();
    for page in &gone_pages {
        disk.pages.remove(page);
        if let Ok(file) = urls::output_file(page)
            && !copied.contains_key(&file)
            && !just_written.contains(file.as_str())
            && disk.files.remove(&file).is_some()
        {
            write::remove(out, &file)?;
            removed.push(file);
        }
    }
    let gone_copies: Vec<&String> = disk
        .copies
        .keys()
        .filter(|p| !copied.contains_key(*p) && !just_written.contains(p.as_str()))
        .collect();
    for file in gone_copies {
        if disk.files.remove(file).is_some() {
            write::remove(out, file)?;
            removed.push(file.clone());
        }
    }
    disk.copies = copied;

    let mut written = Vec::with_capacity(changed.len());
    for (path, hash, _) in changed {
        disk.files.insert(path.clone(), hash);
        written.push(path);
    }
    let mut rendered_paths = Vec::with_capacity(todo.len());
    for i in todo {
        if let (Some(page), Some(sig)) = (site.pages.get(i), signatures.get(i)) {
            disk.pages.insert(page.path.clone(), *sig);
            rendered_paths.push(page.path.clone());
        }
    }
    rendered_paths.sort();
    written.sort();
    removed.sort();
    Ok((rendered_paths, written, removed))
}

/// Two outputs with one path would overwrite each other (an article asset named `index.html`).
fn check_unique(pages: &[OutputFile], copies: &[OutputFile]) -> Result<()> {
    let mut seen = HashSet::with_capacity(pages.len() + copies.len());
    let mut problems = Vec::new();
    for file in pages.iter().chain(copies) {
        if !seen.insert(file.path.as_str()) {
            let source = match &file.contents {
                Contents::Copy(source) => source.clone(),
                Contents::Bytes(_) => PathBuf::from(&file.path),
            };
            problems.push(Diagnostic::new(
                source,
                format!("{} is produced twice; rename one of them", file.path),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Problems(problems))
    }
}

fn bytes_hash(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}
