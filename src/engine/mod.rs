//! The build engine: one session (configuration, theme, loaded articles, plan) carried from
//! `site.toml` to the written output, and the incremental build on top of it.
//!
//! The theme is loaded before the content, so a content stage can use templates. A build keeps
//! a cache beside the output ([`cache`]); the next build takes from it every article whose file
//! is unchanged and leaves out every page whose key (see [`crate::render::Keying`]) and output
//! file are unchanged, writing only what differs. Anything the cache cannot vouch for is made
//! again, so an incremental build writes exactly what a full one would.
//!
//! [`rebuild`] keeps a session loaded between changes and brings one folder up to date after
//! each (what `gazette serve` serves), comparing the same page keys.

pub mod cache;
pub mod rebuild;
mod run;
mod untouched;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::content::{self, Article, Loaded, Reuse};
use crate::error::Result;
use crate::fingerprint::Fingerprint;
use crate::render::Theme;
use crate::site::{self, Site};

pub use run::build;

/// A site opened for one command: configuration and theme, loaded in that order. `build`,
/// `check` and `serve` each open one, and load, plan and re-theme through it.
pub struct Session {
    /// The site folder.
    pub root: PathBuf,
    /// `site.toml` with command-line overrides applied.
    pub config: Config,
    /// The compiled theme (shared with renders that outlive one rebuild of `serve`).
    pub theme: Arc<Theme>,
    /// Fingerprint of everything besides content and theme that output depends on: this
    /// binary, `site.toml` and the overrides.
    pub settings: u128,
}

impl Session {
    /// Reads `site.toml` under `root` (with `base_url` replacing its own, if given) and loads
    /// the theme. `drafts` is part of the settings: it changes what is published.
    pub fn open(root: &Path, base_url: Option<&str>, drafts: bool) -> Result<Session> {
        let config = crate::load_config(root, base_url)?;
        Session::with_config(root, config, base_url, drafts)
    }

    /// [`Session::open`] with `site.toml` already read into `config` (with `base_url` applied).
    pub fn with_config(
        root: &Path,
        config: Config,
        base_url: Option<&str>,
        drafts: bool,
    ) -> Result<Session> {
        let theme = Theme::load(root, &config)?;
        let settings = settings(root, base_url, drafts);
        Ok(Session {
            root: root.to_path_buf(),
            config,
            theme: Arc::new(theme),
            settings,
        })
    }

    /// Loads every article under `content/`, taking from `reuse` those whose file is unchanged.
    pub fn load(&self, progress: &dyn crate::Progress, reuse: Reuse) -> Result<Loaded> {
        content::load_site_reusing(&self.root, &self.config, progress, reuse)
    }

    /// [`Session::load`], with `beside` run while `content/` is walked: it gives what to reuse
    /// and something more (see [`content::load_site_beside`]).
    pub fn load_beside<T: Send>(
        &self,
        progress: &dyn crate::Progress,
        beside: impl FnOnce() -> (Reuse, T) + Send,
    ) -> Result<(Loaded, T)> {
        content::load_site_beside(&self.root, &self.config, progress, beside)
    }

    /// Plans the site from `articles`, leaving out drafts (unless `drafts`) and articles dated
    /// after now.
    pub fn plan(&self, articles: Vec<Article>, drafts: bool) -> Result<Site> {
        self.plan_carrying(articles, drafts, None)
    }

    /// [`Session::plan`], carrying related lists over from `earlier` (what an earlier build
    /// kept of its plan, with the files changed since) when given: see
    /// [`site::plan_carrying`].
    pub fn plan_carrying(
        &self,
        articles: Vec<Article>,
        drafts: bool,
        earlier: Option<(&site::Related, &content::Files)>,
    ) -> Result<Site> {
        let options = site::PlanOptions {
            drafts,
            now: chrono::Utc::now(),
        };
        match earlier {
            Some(earlier) => site::plan_carrying(articles, self.config.clone(), &options, earlier),
            None => site::plan(articles, self.config.clone(), &options),
        }
    }

    /// What every page key is salted with: the settings and the theme.
    pub fn salt(&self) -> u128 {
        let mut f = Fingerprint::new();
        f.num(self.settings).num(self.theme.fingerprint());
        f.finish()
    }

    /// Loads the theme again (its templates or static files changed). On error the old theme
    /// stays, and the error says what is wrong.
    pub fn reload_theme(&mut self) -> Result<()> {
        self.theme = Arc::new(Theme::load(&self.root, &self.config)?);
        Ok(())
    }
}

/// The settings fingerprint: this binary (size and modification time: a rebuilt Gazette may
/// render differently), the bytes of `site.toml`, and the overrides.
fn settings(root: &Path, base_url: Option<&str>, drafts: bool) -> u128 {
    let mut f = Fingerprint::new();
    f.str(env!("CARGO_PKG_VERSION"));
    if let Some(meta) = std::env::current_exe()
        .ok()
        .and_then(|exe| std::fs::metadata(exe).ok())
    {
        let stamp = crate::content::Stamp::of(&meta);
        f.num(u128::from(stamp.len)).num(stamp.mtime_ns as u128);
    }
    f.str(std::fs::read(root.join("site.toml")).unwrap_or_default());
    f.str(base_url.unwrap_or("\u{0}none"));
    f.num(u128::from(drafts));
    f.finish()
}
