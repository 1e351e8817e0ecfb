//! Gazette: a static site generator for news digests.
//!
//! A build runs one way: `site.toml` -> [`config::Config`]; `content/` -> [`content::load`] ->
//! [`site::plan`] -> [`render::render_site_into`] -> [`output::Staging`]: each page goes to the
//! staging folder as soon as it is rendered, and the finished folder is swapped in. [`check()`]
//! runs the same stages without writing; [`scaffold`] creates sites and articles.

pub mod assets;
pub mod check;
pub mod config;
pub mod content;
pub mod engine;
pub mod error;
pub mod feeds;
pub mod fingerprint;
pub mod html;
pub mod import;
pub mod markdown;
pub mod minify;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
pub mod slug;
pub mod urls;
pub mod words;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

pub use check::{CheckOptions, CheckReport, check, check_with};
use config::Config;
use error::{Diagnostic, Error, Result};
use output::{Contents, OutputFile};
pub use scaffold::{InitReport, NewArticle, init, new_article};

/// The stages of a command, in order, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading and rendering `content/`.
    Load,
    /// The model: ordering, taxonomies, archives, the page plan.
    Plan,
    /// Compiling the theme's templates.
    Theme,
    /// Rendering every page.
    Render,
    /// Writing the output folder.
    Write,
    /// Checking links inside the site (`check`).
    Links,
    /// Checking links to other sites over HTTP (`check --external`).
    External,
}

impl Stage {
    /// A short lowercase name (`load`, `render`...).
    pub fn name(self) -> &'static str {
        match self {
            Stage::Load => "load",
            Stage::Plan => "plan",
            Stage::Theme => "theme",
            Stage::Render => "render",
            Stage::Write => "write",
            Stage::Links => "links",
            Stage::External => "external",
        }
    }
}

/// Hears how a command goes, so a front end can draw progress; the library never prints.
/// Methods may be called from worker threads and must be cheap.
pub trait Progress: Sync {
    /// A stage begins; its size is not known yet.
    fn stage(&self, _stage: Stage) {}
    /// The current stage has `total` items.
    fn total(&self, _total: usize) {}
    /// One more item of the current stage is done.
    fn tick(&self) {}
    /// A stage ended: what it did (`6 articles`) and how long it took.
    fn done(&self, _stage: Stage, _what: &str, _elapsed: Duration) {}
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// Runs one stage, telling `progress` when it starts and what it did.
pub(crate) fn stage<T>(
    progress: &dyn Progress,
    stage: Stage,
    run: impl FnOnce() -> Result<T>,
    what: impl FnOnce(&T) -> String,
) -> Result<T> {
    let started = Instant::now();
    progress.stage(stage);
    let value = run()?;
    progress.done(stage, &what(&value), started.elapsed());
    Ok(value)
}

/// What `gazette build` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site folder (holds `site.toml`).
    pub root: PathBuf,
    /// Output folder; default from `site.toml`, relative to `root`.
    pub output: Option<PathBuf>,
    /// Replaces `base_url` from `site.toml`.
    pub base_url: Option<String>,
    /// Publish drafts.
    pub drafts: bool,
    /// Ignore the build cache: load and render everything (the cache is still written).
    pub full: bool,
}

/// What a build did, for the summary line.
#[derive(Debug)]
pub struct BuildReport {
    /// Articles published.
    pub articles: usize,
    /// Pages planned (HTML, feeds, sitemap...).
    pub pages: usize,
    /// Output folder written.
    pub output_dir: PathBuf,
    /// What the write did.
    pub write: output::WriteReport,
    /// Problems that did not stop the build.
    pub warnings: Vec<Diagnostic>,
    /// Wall time of the whole build.
    pub elapsed: Duration,
    /// Size in bytes of the search index (`/search-index.json`).
    pub search_index_bytes: usize,
    /// What the build took from the last one.
    pub cache: CacheUse,
    /// Things to know about the output that are not problems (see
    /// [`feeds::robots_note`]).
    pub notes: Vec<String>,
    /// Front-matter keys no Gazette field reads, for `-v` ([`site::Site::extra_keys_note`]).
    pub extra_keys: Option<String>,
    /// The model and theme the build held, freed when the report is dropped.
    pub held: Held,
}

/// Something large whose freeing is left to the caller, who may free it later or elsewhere: the
/// model and theme a build held, handed back with its report (freeing a 10,000-article model
/// took about 20 ms of a 0.5 s publish; `gazette build` exits without freeing it,
/// [`Held::leave`], and the kernel takes the whole process back at once), or the card views a
/// render built ([`Held::free_later`]).
pub struct Held {
    /// Never read: held to be dropped (or left).
    _value: Box<dyn std::any::Any + Send>,
}

impl Held {
    pub(crate) fn new<T: Send + 'static>(value: T) -> Held {
        Held {
            _value: Box::new(value),
        }
    }

    /// Leaves what the build held unfreed: only for a process about to exit.
    pub fn leave(self) {
        std::mem::forget(self);
    }

    /// Frees what is held on a thread of its own, so the caller need not wait: tens of
    /// thousands of card views take 30-40 ms to free at 10,000 articles. When no thread can be
    /// started, it is freed here. Join the handle before the process may exit: a thread still
    /// freeing then would race the allocator's teardown.
    pub(crate) fn free_later(self) -> Option<std::thread::JoinHandle<()>> {
        std::thread::Builder::new()
            .name("gazette-free".into())
            .spawn(move || drop(self))
            .ok()
    }
}

impl std::fmt::Debug for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Held(..)")
    }
}

/// How a build used the build cache.
#[derive(Debug, Clone, Default)]
pub struct CacheUse {
    /// Why the cache was not used, when there was one (or `--full` was given).
    pub note: Option<String>,
    /// True when only changed files were written into the existing output.
    pub incremental: bool,
    /// Articles taken from the cache instead of being read and rendered again.
    pub articles_reused: usize,
    /// Pages rendered (the others were left as they were).
    pub pages_rendered: usize,
    /// Articles whose body this build wrote to the cache's article log before rendering, and
    /// then read from there when a page needed it instead of holding it in memory.
    pub bodies_logged: usize,
}

/// `1 article`, `3 articles`: a count with its noun, for summaries people read.
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The search index's file in the output.
pub const SEARCH_INDEX_FILE: &str = "search-index.json";

/// Reads `site.toml` under `root` and applies command-line overrides.
pub fn load_config(root: &Path, base_url: Option<&str>) -> Result<Config> {
    let path = root.join("site.toml");
    if !path.is_file() {
        return Err(Error::problem(Diagnostic::new(
            &path,
            "no site.toml here: run gazette in a site folder, or pass --root DIR",
        )));
    }
    let mut config = Config::load(&path)?;
    if let Some(url) = base_url {
        config
            .set_base_url(url)
            .map_err(|m| Error::problem(Diagnostic::new("--base-url", m)))?;
    }
    Ok(config)
}

/// Builds the site under `options.root` into its output folder.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    build_with(options, &NoProgress)
}

/// [`build`], reporting each stage to `progress`. The build is incremental: see [`engine`].
pub fn build_with(options: &BuildOptions, progress: &dyn Progress) -> Result<BuildReport> {
    engine::build(options, progress)
}

/// Renders every page without keeping it (one `progress` tick each), to check the templates;
/// returns how many files the build would write, copied ones included.
pub(crate) fn count_site_files(
    site: &site::Site,
    theme: &render::Theme,
    progress: &dyn Progress,
) -> Result<usize> {
    let urls = urls::Urls::new(&site.config.base_url);
    progress.total(site.pages.len());
    let sink = output::Sink::memory();
    render::render_site_into(site, theme, &urls, &|file| {
        progress.tick();
        sink.write(&file).map(|_| ())
    })?;
    for file in copied_files(site, theme)? {
        sink.write(&file)?;
    }
    Ok(sink.taken())
}

/// A rendered file made ready to publish: an HTML page minified with `minify = true`. The build
/// passes each page through here as it is rendered; `serve` passes its lists of pages through
/// [`finish_pages`], so both publish the same bytes.
fn finished(mut file: OutputFile, minify: bool) -> OutputFile {
    if minify {
        minify::page(&mut file);
    }
    file
}

/// [`finished`] for a list of rendered pages, in parallel.
pub(crate) fn finish_pages(site: &site::Site, files: &mut [OutputFile]) {
    if site.config.minify {
        files.par_iter_mut().for_each(minify::page);
    }
}

/// The files a build publishes besides rendered pages: static files (under their published,
/// fingerprinted names), then article assets.
pub(crate) fn copied_files(site: &site::Site, theme: &render::Theme) -> Result<Vec<OutputFile>> {
    let mut files = theme.static_files().to_vec();
    files.extend(article_assets(site)?);
    Ok(files)
}

/// Files beside each article, placed next to its page.
pub(crate) fn article_assets(site: &site::Site) -> Result<Vec<OutputFile>> {
    let mut files = Vec::new();
    // Most articles have none: their page path is not even looked at (it costs at 10,000
    // articles, on every rebuild `serve` makes).
    for article in site.articles.iter().filter(|a| !a.assets.is_empty()) {
        let page_file = urls::output_file(&article.path)
            .map_err(|m| Error::problem(Diagnostic::new(&article.file, m)))?;
        let dir = page_file.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        for asset in &article.assets {
            let Some(name) = asset.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if !slug::is_safe_segment(name) {
                continue;
            }
            let path = if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            };
            files.push(OutputFile {
                path,
                contents: Contents::Copy(asset.clone()),
            });
        }
    }
    Ok(files)
}
