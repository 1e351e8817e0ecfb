//! Reloading saved Markdown files into the loaded model, the way `content::load_site` would read
//! them: front matter first (so every article's page is known), then bodies, whose links to other
//! articles' `.md` files become those articles' URLs. When a save moves, adds or removes a page,
//! the articles that link to that file are rendered again too, so their links follow it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::model::Model;
use crate::content::{self, Article, BodyLink, Parsed, Target};
use crate::error::{Diagnostic, Error};
use crate::render;

/// An article saved with new content but the same place in the plan: its index in the plan,
/// the article, its body links.
pub type Edit = (usize, Article, Vec<BodyLink>);

/// An article without what only its own page and its cards show (the body, and the summary,
/// headings and counts read from it): two saves with equal keys plan the same site. Every
/// other field counts, so a field added to `Article` later is taken as one the plan may depend
/// on (as aliases are: each is a page), which costs a replan, never a stale page.
fn plan_key(article: &Article) -> Article {
    Article {
        summary: String::new(),
        summary_html: String::new(),
        body_html: Default::default(),
        search_words: Default::default(),
        headings: Default::default(),
        word_count: 0,
        reading_minutes: 0,
        ..article.clone()
    }
}

/// The edited articles with their index in the last plan, when every change is a published
/// article saved with the same [`plan_key`] (so the same page: no other article's links move)
/// and nothing is broken; else `None`.
pub fn in_place_edits(model: &Model, root: &Path, paths: &BTreeSet<PathBuf>) -> Option<Vec<Edit>> {
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
        let parsed = content::parse_file(root, path, &old.assets, &model.session.config).ok()?;
        if parsed.page_path() != old.path {
            return None;
        }
        let (article, links) =
            content::render_file(parsed, &model.index, &model.urls, &model.session.config);
        if plan_key(&article) != plan_key(old) {
            return None;
        }
        edits.push((i, article, links));
    }
    Some(edits)
}

/// What [`reload`] changed in the pool.
#[derive(Default)]
pub struct Reloaded {
    /// Files rendered again (relative to the root), sorted.
    pub files: Vec<PathBuf>,
    /// Files that went away (relative to the root).
    pub removed: Vec<PathBuf>,
    /// The articles replaced or removed, as they were.
    pub before: Vec<Article>,
}

/// Reloads the given Markdown files (absolute paths) into the pool, then every article that links
/// to a file whose page moved, appeared or went away. `None` when one of them needs a full load
/// to be read the way `content::load_site` would (a folder new to the model that holds other
/// files, a path that is not a plain file).
pub fn reload(model: &mut Model, root: &Path, paths: &BTreeSet<PathBuf>) -> Option<Reloaded> {
    let mut done = Reloaded::default();
    let mut parsed: Vec<Parsed> = Vec::new();
    // Files whose entry in the index changed: the articles linking to them change too.
    let mut moved: HashSet<PathBuf> = HashSet::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut todo: Vec<(PathBuf, Option<Vec<PathBuf>>)> = paths
        .iter()
        .map(|p| (p.strip_prefix(root).unwrap_or(p).to_path_buf(), None))
        .collect();
    while !todo.is_empty() {
        for (rel, assets) in std::mem::take(&mut todo) {
            seen.insert(rel.clone());
            parse_into(model, root, rel, assets, &mut parsed, &mut moved, &mut done)?;
        }
        // Phase one again for the articles that link to a moved file (their own files did not
        // change, but their HTML does); a cycle ends since each file is read once.
        todo = linking_to(model, &moved)
            .into_iter()
            .filter(|(rel, _)| !seen.contains(rel))
            .map(|(rel, assets)| (rel, Some(assets)))
            .collect();
        moved.clear();
    }
    let (index, urls, config) = (&model.index, &model.urls, &model.session.config);
    let rendered: Vec<(Article, Vec<BodyLink>)> = parsed
        .into_par_iter()
        .map(|one| content::render_file(one, index, urls, config))
        .collect();
    // Where each reloaded file sits in the pool: looked up one by one for a few files (a map of
    // every article's path costs more than that at 10,000 articles).
    let wanted: HashSet<&OsStr> = rendered.iter().map(|(a, _)| a.file.as_os_str()).collect();
    let position: HashMap<PathBuf, usize> = model
        .pool
        .iter()
        .enumerate()
        .filter(|(_, a)| wanted.contains(a.file.as_os_str()))
        .map(|(i, a)| (a.file.clone(), i))
        .collect();
    let mut files = Vec::with_capacity(rendered.len());
    for (article, links) in rendered {
        let file = article.file.clone();
        model.prints.insert(
            file.clone().into_os_string(),
            render::article_print(&article),
        );
        model.links.insert(file.clone().into_os_string(), links);
        match position.get(&file).and_then(|&i| model.pool.get_mut(i)) {
            Some(slot) => done.before.push(std::mem::replace(slot, article)),
            None => model.pool.push(article),
        }
        files.push(file);
    }
    files.sort();
    done.files = files;
    Some(done)
}

/// Phase one for one file (`rel` to the root): a removed file leaves the model, a readable one
/// is parsed into `parsed` (with `assets`, else those of its folder), a bad one is recorded as
/// broken. Files whose page changed go into `moved`. `None`: a full load must decide.
fn parse_into(
    model: &mut Model,
    root: &Path,
    rel: PathBuf,
    assets: Option<Vec<PathBuf>>,
    parsed: &mut Vec<Parsed>,
    moved: &mut HashSet<PathBuf>,
    done: &mut Reloaded,
) -> Option<()> {
    let path = root.join(&rel);
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(i) = model
                .pool
                .iter()
                .position(|a| a.file.as_os_str() == rel.as_os_str())
            {
                done.before.push(model.pool.swap_remove(i));
            }
            done.removed.push(rel.clone());
            model.prints.remove(rel.as_os_str());
            model.links.remove(rel.as_os_str());
            model.broken.remove(&rel);
            if model.index.remove(rel.as_os_str()).is_some() {
                moved.insert(rel);
            }
        }
        Ok(meta) if meta.is_file() => {
            let assets = match assets {
                Some(assets) => assets,
                None => assets_for(&model.pool, root, &rel)?,
            };
            match content::parse_file(root, &path, &assets, &model.session.config) {
                Ok(one) => {
                    model.broken.remove(&rel);
                    if model.index.get(rel.as_os_str()).map(String::as_str) != Some(one.page_path())
                    {
                        model
                            .index
                            .insert(rel.clone().into_os_string(), one.page_path().to_string());
                        moved.insert(rel);
                    }
                    parsed.push(one);
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
        Ok(_) => return None,
        Err(e) => {
            let problem = Diagnostic::new(&rel, format!("cannot read: {e}"));
            model.broken.insert(rel, vec![problem]);
        }
    }
    Some(())
}

/// The loaded articles with a body link to one of `files` (relative to the root), with their
/// assets, sorted by file.
fn linking_to(model: &Model, files: &HashSet<PathBuf>) -> Vec<(PathBuf, Vec<PathBuf>)> {
    if files.is_empty() {
        return Vec::new();
    }
    // Walking the links (not the pool) hashes no path of an article that links nowhere.
    let linking: HashSet<&OsStr> = model
        .links
        .iter()
        .filter(|(_, links)| {
            links
                .iter()
                .filter_map(target_file)
                .any(|t| files.contains(t))
        })
        .map(|(file, _)| file.as_os_str())
        .collect();
    if linking.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<(PathBuf, Vec<PathBuf>)> = model
        .pool
        .iter()
        .filter(|a| linking.contains(a.file.as_os_str()))
        .map(|a| (a.file.clone(), a.assets.clone()))
        .collect();
    found.sort();
    found
}

/// The article file a body link names, found or not (relative to the root).
fn target_file(link: &BodyLink) -> Option<&Path> {
    match &link.target {
        Target::Article { file, .. } => Some(file),
        Target::MissingArticle(file) => Some(Path::new(file)),
        _ => None,
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
        let markdown = crate::content::is_markdown(Path::new(&name));
        if !(kind.is_dir() || kind.is_file() && markdown) {
            return None;
        }
    }
    Some(Vec::new())
}
