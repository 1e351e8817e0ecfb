//! What the dev server keeps loaded between rebuilds: the engine's [`Session`] (configuration and
//! theme), every article (planned or held back) with its print and body links, and the
//! last plan, which incremental rebuilds change instead of loading the site again.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::diff::Inputs;
use crate::content::{self, Article, BodyLink, Reuse, links::ArticleIndex};
use crate::engine::Session;
use crate::error::{Diagnostic, Result};
use crate::render;
use crate::site::Site;
use crate::urls::Urls;

/// The inputs as last loaded.
pub struct Model {
    /// Configuration and theme, opened as `gazette build` opens them.
    pub session: Session,
    pub urls: Urls,
    /// Article file (relative to the root) -> [print](render::article_print), made when the
    /// file is loaded, so a rebuild's page keys fingerprint only the articles that changed.
    /// Keyed by the raw string: a `Path` hashes component by component, which shows at 10,000
    /// articles.
    pub prints: HashMap<OsString, u128>,
    /// Every loaded article's page, by file (drafts too): what links to `.md` files resolve to.
    pub index: ArticleIndex,
    /// Body links of every loaded article, by file.
    pub links: crate::content::ByFile<Vec<BodyLink>>,
    /// Files whose last save does not load, with their problems; nothing is published while
    /// any is here.
    pub broken: BTreeMap<PathBuf, Vec<Diagnostic>>,
    /// Links in `content/` the last full load skipped (outside the site, loops, broken).
    pub skipped: Vec<Diagnostic>,
    /// The last plan and the articles it left out (drafts, future ones) ...
    pub planned: Option<(Arc<Site>, Vec<Article>)>,
    /// ... or, when there is none, every article.
    pub pool: Vec<Article>,
    /// The last plan without its articles (moved into the pool) and their files in its order,
    /// while the pool is being changed, for [`site::replan`].
    pub previous: Option<(Site, Vec<PathBuf>)>,
}

impl Model {
    /// Opens the session (links under `base_url`) and loads every article of the site at
    /// `root`, with nothing planned yet.
    pub fn load(root: &Path, base_url: &str, drafts: bool) -> Result<Model> {
        let session = Session::open(root, Some(base_url), drafts)?;
        let content::Loaded {
            articles: pool,
            links,
            warnings: skipped,
            ..
        } = session.load(&crate::NoProgress, Reuse::default())?;
        let prints = pool
            .par_iter()
            .map(|a| (a.file.clone().into_os_string(), render::article_print(a)))
            .collect();
        let index = pool
            .iter()
            .map(|a| (a.file.clone().into_os_string(), a.path.clone()))
            .collect();
        Ok(Model {
            urls: Urls::new(&session.config.base_url),
            session,
            prints,
            index,
            links,
            broken: BTreeMap::new(),
            skipped,
            planned: None,
            pool,
            previous: None,
        })
    }

    /// What rendering into the served folder needs besides the plan; with `defer`, the slow
    /// pages are left for a later job.
    pub fn inputs(&self, defer: bool) -> Inputs<'_> {
        Inputs {
            theme: &self.session.theme,
            urls: &self.urls,
            salt: self.session.salt(),
            prints: &self.prints,
            defer,
            urgent: None,
        }
    }

    /// Every article, planned or not.
    pub fn known(&self) -> Vec<&Article> {
        let planned = self
            .planned
            .iter()
            .flat_map(|(s, held)| s.articles.iter().chain(held));
        planned.chain(&self.pool).collect()
    }

    /// Moves the planned articles back into the pool, to be planned again; the rest of the plan
    /// is kept in [`Model::previous`].
    pub fn unplan(&mut self) {
        if let Some((site, held)) = self.planned.take() {
            let site = match Arc::try_unwrap(site) {
                Ok(mut site) => {
                    self.pool = std::mem::take(&mut site.articles);
                    site
                }
                // A later job still renders from it: it frees the plan when done.
                Err(shared) => {
                    self.pool = shared.articles.clone();
                    Site {
                        config: shared.config.clone(),
                        articles: Vec::new(),
                        links: shared.links.clone(),
                        taxonomies: shared.taxonomies.clone(),
                        years: shared.years.clone(),
                        pages: shared.pages.clone(),
                        warnings: Vec::new(),
                    }
                }
            };
            let files = self.pool.iter().map(|a| a.file.clone()).collect();
            self.previous = Some((site, files));
            self.pool.extend(held);
        }
    }
}
