//! The build engine: one session (configuration, theme, loaded articles, plan) carried from
//! `site.toml` to the written output, and the incremental build on top of it.
//!
//! The theme is loaded before the content, so a content stage can use templates. A build keeps
//! a cache beside the output ([`cache`]); the next build takes from it every article whose file
//! is unchanged and leaves out every page whose key (see [`crate::render::Keying`]) and output
//! file are unchanged, writing only what differs. Anything the cache cannot vouch for is made
//! again, so an incremental build writes exactly what a full one would.

pub mod cache;
mod run;

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::Result;
use crate::fingerprint::Fingerprint;
use crate::render::Theme;

pub use run::build;

/// A site opened for one command: configuration and theme, loaded in that order.
pub struct Session {
    /// The site folder.
    pub root: PathBuf,
    /// `site.toml` with command-line overrides applied.
    pub config: Config,
    /// The compiled theme.
    pub theme: Theme,
    /// Fingerprint of everything besides content and theme that output depends on: this
    /// binary, `site.toml` and the overrides.
    pub settings: u128,
}

impl Session {
    /// Reads `site.toml` under `root` (with `base_url` replacing its own, if given) and loads
    /// the theme. `drafts` is part of the settings: it changes what is published.
    pub fn open(root: &Path, base_url: Option<&str>, drafts: bool) -> Result<Session> {
        let config = crate::load_config(root, base_url)?;
        let theme = Theme::load(root, &config)?;
        let settings = settings(root, base_url, drafts);
        Ok(Session {
            root: root.to_path_buf(),
            config,
            theme,
            settings,
        })
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
