//! The only place that knows Tera: load the theme (with site overrides), register Gazette's
//! filters and functions, build each page's context from small views, and render every page of the
//! plan into an [`OutputFile`].

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::Result;
use crate::output::OutputFile;
use crate::site::Site;
use crate::urls::Urls;

/// A loaded theme: compiled templates plus the folders whose files are copied as-is.
pub struct Theme {
    /// Theme `static/` then site `static/` (later folders win).
    pub static_dirs: Vec<PathBuf>,
}

impl Theme {
    /// Loads `themes/<config.theme>/templates/` under `root`, then `root/templates/` overrides.
    pub fn load(root: &Path, config: &Config) -> Result<Theme> {
        let _ = (root, config);
        todo!("theme loading")
    }
}

/// Renders every page of the plan (HTML through templates, feeds and sitemap through
/// [`crate::feeds`]).
pub fn render_site(site: &Site, theme: &Theme, urls: &Urls) -> Result<Vec<OutputFile>> {
    let _ = (site, theme, urls);
    todo!("render")
}
