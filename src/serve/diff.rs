//! What the served folder holds, and bringing it up to date with a plan: render the pages whose
//! [signature](super::signature) changed, write only files whose bytes changed (atomically), copy
//! new or changed static files and assets, and remove what the site no longer has.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::PathBuf;

use rayon::prelude::*;

use super::signature::{display_hash, display_hashes, page_signature, sitemap_hash};
use crate::error::{Diagnostic, Error, Result};
use crate::output::{Contents, OutputFile, Sink};
use crate::render::{self, Theme};
use crate::site::{Page, PageKind, Site};
use crate::urls::{self, Urls};

/// What the served folder holds now.
#[derive(Default)]
pub struct Disk {
    /// Site path -> signature of the page as written.
    pages: HashMap<String, u64>,
    /// Output path -> hash of the bytes written there.
    files: HashMap<String, u64>,
    /// Output path -> source of a file published besides pages: static files (`None` for
    /// those made in memory, such as fingerprinted stylesheets), article assets.
    copies: HashMap<String, Option<PathBuf>>,
}

impl Disk {
    /// Whether the page at site path `path` was written with this signature.
    pub fn holds(&self, path: &str, signature: u64) -> bool {
        self.pages.get(path) == Some(&signature)
    }
}

/// What one write did: site paths rendered, output paths written and removed (each sorted).
pub type Written = (Vec<String>, Vec<String>, Vec<String>);

/// What the rest of the site needs besides the plan.
pub struct Inputs<'a> {
    /// The theme pages are rendered with.
    pub theme: &'a Theme,
    /// Links under the served base URL.
    pub urls: &'a Urls,
    /// Article file -> content hash.
    pub hashes: &'a HashMap<OsString, u64>,
    /// Leave the [slow pages](deferred) for a [later job](super::later), so the tabs reload
    /// without waiting for them.
    pub defer: bool,
    /// Fast rendering: only the changed pages this says yes to are rendered now; the others
    /// are left [pending](Left) for [`write_left`], right after the tabs reload.
    pub urgent: Option<&'a (dyn Fn(&Page) -> bool + Sync)>,
}

/// Changed pages left for later by fast rendering: index in the plan, signature.
pub type Left = Vec<(usize, u64)>;

/// Pages that take long to render and that no tab shows: the search index (every article's
/// words: about 2 s for 10,000 articles, where the rest of a text edit takes a few
/// milliseconds) and the sitemap (every page's URL: about 10 ms, and it changes whenever a page
/// moves, appears or goes).
pub fn deferred(page: &Page) -> bool {
    matches!(page.kind, PageKind::SearchIndex | PageKind::Sitemap)
}

/// Renders the pages whose signature changed (all when `full`), copies new or changed files, and
/// removes what the site no longer has. With [`Inputs::urgent`], the changed pages it does not
/// want now are returned instead of rendered (removals and copies are done now: they are cheap).
pub fn write_changes(
    out: &Sink,
    disk: &mut Disk,
    inputs: &Inputs<'_>,
    site: &Site,
    full: bool,
) -> Result<(Written, Left)> {
    let display = display_hashes(site, inputs.hashes);
    // Only a sitemap page uses it, and one that is deferred is signed by the later job.
    let sitemap = if inputs.defer { 0 } else { sitemap_hash(site) };
    let signatures: Vec<u64> = site
        .pages
        .par_iter()
        .map(|page| {
            let shown = |i: usize| display.get(i).copied().unwrap_or_default();
            page_signature(site, page, &shown, sitemap)
        })
        .collect();
    let changed: Vec<usize> = site
        .pages
        .iter()
        .zip(&signatures)
        .enumerate()
        .filter(|(_, (page, sig))| full || disk.pages.get(&page.path) != Some(*sig))
        .filter(|(_, (page, _))| !(inputs.defer && deferred(page)))
        .map(|(i, _)| i)
        .collect();
    let signature = |i: usize| signatures.get(i).copied().unwrap_or_default();
    let (todo, left): (Vec<usize>, Vec<usize>) = match inputs.urgent {
        Some(urgent) if !full => changed
            .into_iter()
            .partition(|&i| site.pages.get(i).is_some_and(urgent)),
        _ => (changed, Vec::new()),
    };
    let left: Left = left.into_iter().map(|i| (i, signature(i))).collect();
    let planned: HashSet<&str> = site.pages.iter().map(|p| p.path.as_str()).collect();
    let gone_pages: Vec<String> = disk
        .pages
        .keys()
        .filter(|p| !planned.contains(p.as_str()))
        .cloned()
        .collect();

    let mut rendered = render::render_pages(site, inputs.theme, inputs.urls, &todo)?;
    crate::finish_pages(site, &mut rendered);
    // The very files `gazette build` publishes besides pages, from the same function.
    let copies = crate::copied_files(site, inputs.theme)?;
    if full {
        check_unique(&rendered, &copies)?;
    }

    let mut changed = changed_bytes(disk, rendered);
    let mut copied: HashMap<String, Option<PathBuf>> = HashMap::with_capacity(copies.len());
    for file in copies {
        let (bytes, source) = match file.contents {
            Contents::Bytes(bytes) => (Some(bytes), None),
            // A file already copied from the same source is the same (a changed static file
            // or asset is a full rebuild).
            Contents::Copy(source)
                if !full && disk.copies.get(&file.path) == Some(&Some(source.clone())) =>
            {
                (None, Some(source))
            }
            Contents::Copy(source) => {
                let bytes = std::fs::read(&source).map_err(|e| Error::io(&source, e))?;
                (Some(bytes), Some(source))
            }
        };
        if let Some(bytes) = bytes {
            let hash = bytes_hash(&bytes);
            if disk.files.get(&file.path) != Some(&hash) {
                changed.push((
                    OutputFile {
                        path: file.path.clone(),
                        contents: Contents::Bytes(bytes),
                    },
                    hash,
                ));
            }
        }
        copied.insert(file.path, source);
    }

    write_all(out, disk, &changed)?;

    // A path just written belongs to something else now (a page moved onto an old asset path).
    let just_written: HashSet<&str> = changed.iter().map(|(f, _)| f.path.as_str()).collect();
    let mut removed = Vec::new();
    for page in &gone_pages {
        disk.pages.remove(page);
        if let Ok(file) = urls::output_file(page)
            && !copied.contains_key(&file)
            && !just_written.contains(file.as_str())
            && disk.files.remove(&file).is_some()
        {
            out.remove(&file)?;
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
            out.remove(file)?;
            removed.push(file.clone());
        }
    }
    disk.copies = copied;
    removed.sort();
    let signatures = todo.iter().map(|&i| signature(i));
    let (rendered, written) = record(disk, site, &todo, signatures, changed);
    Ok(((rendered, written, removed), left))
}

/// Renders and writes the pages [`write_changes`] left (`left`, from the same plan `site`).
pub fn write_left(
    out: &Sink,
    disk: &mut Disk,
    inputs: &Inputs<'_>,
    site: &Site,
    left: Left,
) -> Result<Written> {
    let (todo, signatures): (Vec<usize>, Vec<u64>) = left.into_iter().unzip();
    write_pages(out, disk, inputs, site, &todo, signatures)
}

/// Renders the pages at `todo` (indices into the plan, with their `signatures`), writes those
/// whose bytes changed and records both.
fn write_pages(
    out: &Sink,
    disk: &mut Disk,
    inputs: &Inputs<'_>,
    site: &Site,
    todo: &[usize],
    signatures: Vec<u64>,
) -> Result<Written> {
    let mut rendered = render::render_pages(site, inputs.theme, inputs.urls, todo)?;
    crate::finish_pages(site, &mut rendered);
    let changed = changed_bytes(disk, rendered);
    write_all(out, disk, &changed)?;
    let (rendered, written) = record(disk, site, todo, signatures.into_iter(), changed);
    Ok((rendered, written, Vec::new()))
}

/// Like [`write_changes`] when the plan is unchanged and only the articles at `edited` (indices
/// into the plan) have new content: only the pages that show one of them can differ, so only
/// their signatures are computed, found by scanning the plan for the indices instead of hashing
/// every page.
pub fn write_edits(
    out: &Sink,
    disk: &mut Disk,
    inputs: &Inputs<'_>,
    site: &Site,
    edited: &[usize],
) -> Result<Written> {
    let mut mask = vec![false; site.articles.len()];
    for &i in edited {
        if let Some(m) = mask.get_mut(i) {
            *m = true;
        }
    }
    let hit = |i: &usize| mask.get(*i).copied().unwrap_or(false);
    let shows_edit = |page: &Page| match &page.kind {
        PageKind::Article(i) => {
            hit(i)
                || site
                    .links
                    .get(*i)
                    .is_some_and(|l| l.newer.iter().chain(&l.older).chain(&l.related).any(hit))
        }
        PageKind::List(list) => list.items.iter().any(hit),
        PageKind::Feed(feed) => feed.items.iter().any(hit),
        // Every article's words.
        PageKind::SearchIndex => true,
        // The rest show no article's content: only counts, paths and dates from the plan.
        _ => false,
    };
    let shown = |i: usize| display_hash(site, i, inputs.hashes);
    let mut todo = Vec::new();
    let mut signatures = Vec::new();
    for (p, page) in site.pages.iter().enumerate() {
        if shows_edit(page) && !(inputs.defer && deferred(page)) {
            // The sitemap is never among them, so its hash is not needed.
            let signature = page_signature(site, page, &shown, 0);
            if disk.pages.get(&page.path) != Some(&signature) {
                todo.push(p);
                signatures.push(signature);
            }
        }
    }
    write_pages(out, disk, inputs, site, &todo, signatures)
}

/// A file whose bytes differ from the disk, with the hash of its bytes.
pub(super) type Change = (OutputFile, u64);

/// The rendered files whose bytes differ from what the disk holds.
pub(super) fn changed_bytes(disk: &Disk, rendered: Vec<OutputFile>) -> Vec<Change> {
    let mut changed = Vec::new();
    for file in rendered {
        if let Contents::Bytes(bytes) = &file.contents {
            let hash = bytes_hash(bytes);
            if disk.files.get(&file.path) != Some(&hash) {
                changed.push((file, hash));
            }
        }
    }
    changed
}

/// Writes every change atomically, in parallel.
pub(super) fn write_all(out: &Sink, disk: &mut Disk, changed: &[Change]) -> Result<()> {
    let outcome: Result<Vec<bool>> = changed
        .par_iter()
        .map(|(file, _)| out.write(file))
        .collect();
    if outcome.is_err() {
        // The disk no longer matches what we know: compare every page next time.
        disk.pages.clear();
    }
    outcome.map(|_| ())
}

/// Remembers what was written and the signatures of the pages rendered (`todo`, indices into
/// the plan); returns both lists of paths, sorted.
pub(super) fn record(
    disk: &mut Disk,
    site: &Site,
    todo: &[usize],
    signatures: impl Iterator<Item = u64>,
    changed: Vec<Change>,
) -> (Vec<String>, Vec<String>) {
    let mut written = Vec::with_capacity(changed.len());
    for (file, hash) in changed {
        disk.files.insert(file.path.clone(), hash);
        written.push(file.path);
    }
    let mut rendered = Vec::with_capacity(todo.len());
    for (&p, signature) in todo.iter().zip(signatures) {
        if let Some(page) = site.pages.get(p) {
            disk.pages.insert(page.path.clone(), signature);
            rendered.push(page.path.clone());
        }
    }
    rendered.sort();
    written.sort();
    (rendered, written)
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
