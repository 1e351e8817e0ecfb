//! Gazette: a static site generator for news digests.
//!
//! A build runs one way: `site.toml` -> [`config::Config`]; `content/` -> [`content::load`] ->
//! [`site::plan`] -> [`render::render_site`] -> [`output::write_site`].

pub mod config;
pub mod content;
pub mod error;
pub mod feeds;
pub mod markdown;
pub mod output;
pub mod render;
pub mod site;
pub mod slug;
pub mod urls;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use config::Config;
use error::{Diagnostic, Error, Result};
use output::{Contents, OutputFile};

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
}

/// What a build did, for the summary line.
#[derive(Debug, Clone)]
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
}

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
    let started = Instant::now();
    let root = &options.root;
    let config = load_config(root, options.base_url.as_deref())?;
    let output_dir = match &options.output {
        Some(dir) => dir.clone(),
        None => root.join(&config.output_dir),
    };

    let (articles, mut warnings) = content::load_with_warnings(root, &config)?;
    let plan_options = site::PlanOptions {
        drafts: options.drafts,
        now: chrono::Utc::now(),
    };
    let site = site::plan(articles, config, &plan_options)?;
    let theme = render::Theme::load(root, &site.config)?;
    let urls = urls::Urls::new(&site.config.base_url);

    let mut files = render::render_site(&site, &theme, &urls)?;
    files.extend(output::static_files(&theme.static_dirs)?);
    files.extend(article_assets(&site)?);
    let write = output::write_site(&output_dir, files)?;
    warnings.extend(site.warnings);

    Ok(BuildReport {
        articles: site.articles.len(),
        pages: site.pages.len(),
        output_dir,
        write,
        warnings,
        elapsed: started.elapsed(),
    })
}

/// Files beside each article, placed next to its page.
fn article_assets(site: &site::Site) -> Result<Vec<OutputFile>> {
    let mut files = Vec::new();
    for article in &site.articles {
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
