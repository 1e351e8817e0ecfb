//! What the served folder holds, and bringing it up to date with a plan: render the pages whose
//! [key](crate::render::page_keys) differs from the one they were written with, write only files
//! whose bytes changed (atomically), copy new or changed static files and assets, and remove what
//! the site no longer has.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::PathBuf;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::Held;
use crate::content::Article;
use crate::error::{Diagnostic, Error, Result};
use crate::output::{Contents, OutputFile, Sink};
use crate::render::{self, Theme};
use crate::site::{self, Page, PageKind, Site};
use crate::urls::{self, Urls};

/// What the served folder holds now. Looked up by FxHash: every replanning save looks up each of
/// the site's pages here (finding the 15,000 pages gone took 4 ms with SipHash).
#[derive(Default)]
pub struct Disk {
    /// Site path -> key of the page as written.
    pages: FxHashMap<String, u128>,
    /// Output path -> hash of the bytes written there.
    files: FxHashMap<String, u64>,
    /// Output path -> source of a file published besides pages: static files (`None` for
    /// those made in memory, such as fingerprinted stylesheets), article assets.
    copies: HashMap<String, Option<PathBuf>>,
}

impl Disk {
    /// Whether the page at site path `path` was written with this key.
    pub fn holds(&self, path: &str, key: u128) -> bool {
        self.pages.get(path) == Some(&key)
    }

    /// The output paths known to be up to date while the pages at `left` (plan indices of
    /// `site`) are not compared yet: every other page's, and every copied file.
    pub fn up_to_date(&self, site: &Site, left: &[usize]) -> HashSet<String> {
        let unchecked = site::marked(site.pages.len(), left);
        let pages = site
            .pages
            .iter()
            .zip(&unchecked)
            .filter(|(_, u)| !**u)
            .filter_map(|(page, _)| urls::output_file(&page.path).ok());
        pages.chain(self.copies.keys().cloned()).collect()
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
    /// The session's salt, in every page key.
    pub salt: u128,
    /// Article file -> [print](render::article_print), kept between rebuilds.
    pub prints: &'a HashMap<OsString, u128>,
    /// Leave the [slow pages](deferred) for a [later job](super::later), so the tabs reload
    /// without waiting for them.
    pub defer: bool,
    /// Fast rendering: only the pages this says yes to are keyed and, if changed, rendered
    /// now; the others are left to compare and write right after the tabs reload.
    pub urgent: Option<&'a (dyn Fn(&Page) -> bool + Sync)>,
}

impl Inputs<'_> {
    /// The keys of the pages of `site` that `which` (by plan index) says yes to and that are
    /// not left for later.
    pub fn keys(
        &self,
        site: &Site,
        which: &(dyn Fn(usize) -> bool + Sync),
    ) -> Result<Vec<Option<u128>>> {
        let known = |_: usize, a: &Article| self.prints.get(a.file.as_os_str()).copied();
        let now = |i: usize| which(i) && !(self.defer && site.pages.get(i).is_some_and(deferred));
        render::page_keys(site, self.theme, self.urls, (self.salt, Some(&known)), &now)
    }
}

/// Pages with their keys: index in the plan, key.
pub type Keyed = Vec<(usize, u128)>;

/// Pages that take long to render and that no tab shows: the search index (every article's
/// words: about 2 s for 10,000 articles, where the rest of a text edit takes a few
/// milliseconds) and the sitemap (every page's URL: about 10 ms, and it changes whenever a page
/// moves, appears or goes).
pub fn deferred(page: &Page) -> bool {
    matches!(page.kind, PageKind::SearchIndex | PageKind::Sitemap)
}

/// The pages (plan index, key) of `keys` whose key is not what the disk holds (all when `full`).
pub fn stale(disk: &Disk, site: &Site, keys: &[Option<u128>], full: bool) -> Keyed {
    keys.iter()
        .zip(&site.pages)
        .enumerate()
        .filter_map(|(i, (key, page))| {
            let key = (*key)?;
            (full || !disk.holds(&page.path, key)).then_some((i, key))
        })
        .collect()
}

/// Renders the pages whose key changed (all when `full`), copies new or changed files, and
/// removes what the site no longer has. With [`Inputs::urgent`], the pages it does not want now
/// are not even keyed (keying all 15,000 pages of a 10,000-article site takes longer than the
/// rest of a rebuild): their plan indices are returned, for [`write_unchecked`] (removals and
/// copies are done now: they are cheap).
pub fn write_changes(
    out: &Sink,
    disk: &mut Disk,
    inputs: &Inputs<'_>,
    site: &Site,
    full: bool,
) -> Result<(Written, Vec<usize>)> {
    let urgent = inputs.urgent.filter(|_| !full);
    let now: Vec<bool> = site
        .pages
        .iter()
        .map(|page| urgent.is_none_or(|urgent| urgent(page)))
        .collect();
    let keys = inputs.keys(site, &|i| now.get(i).copied().unwrap_or(false))?;
    let todo = stale(disk, site, &keys, full);
    let left: Vec<usize> = (0..site.pages.len())
        .filter(|&i| !now.get(i).copied().unwrap_or(true))
        .filter(|&i| !(inputs.defer && site.pages.get(i).is_some_and(deferred)))
        .collect();
    let planned: FxHashSet<&str> = site.pages.iter().map(|p| p.path.as_str()).collect();
    let gone_pages: Vec<String> = disk
        .pages
        .keys()
        .filter(|p| !planned.contains(p.as_str()))
        .cloned()
        .collect();

    let indices: Vec<usize> = todo.iter().map(|&(i, _)| i).collect();
    let mut rendered = render::render_pages(site, inputs.theme, inputs.urls, &indices)?;
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
    let (rendered, written) = record(disk, site, &todo, changed);
    Ok(((rendered, written, removed), left))
}

/// Keys the pages at `left` (plan indices, from the plan `site`: those [`write_changes`] left),
/// tells `changing` the output paths of those whose key changed, and writes them, a batch at a
/// time until `stop` says so. Returns what was written, the pages not written yet (all of
/// `left` when `stop` came while they were keyed), and the card views the render built, for
/// the caller to free off the path of the next save.
pub fn write_unchecked(
    out: &Sink,
    disk: &mut Disk,
    inputs: &Inputs<'_>,
    site: &Site,
    (left, changing): (&[usize], &dyn Fn(Vec<String>)),
    stop: &dyn Fn() -> bool,
) -> Result<(Written, Vec<usize>, Option<Held>)> {
    let mut keys: Vec<Option<u128>> = vec![None; site.pages.len()];
    for slice in left.chunks(KEYED_CHUNK) {
        if stop() {
            return Ok((Written::default(), left.to_vec(), None));
        }
        let mask = site::marked(site.pages.len(), slice);
        let part = inputs.keys(site, &|i| mask.get(i).copied().unwrap_or(false))?;
        for (key, made) in keys.iter_mut().zip(part) {
            if made.is_some() {
                *key = made;
            }
        }
    }
    let todo = stale(disk, site, &keys, false);
    changing(
        todo.iter()
            .filter_map(|&(i, _)| urls::output_file(&site.pages.get(i)?.path).ok())
            .collect(),
    );
    let indices: Vec<usize> = todo.iter().map(|&(i, _)| i).collect();
    let mut written: Written = Default::default();
    let mut done = 0;
    let views = {
        let mut each = |batch: &[usize], rendered: Vec<OutputFile>| -> Result<bool> {
            let keyed = todo.get(done..done + batch.len()).unwrap_or_default();
            let (pages, files, _) = write_rendered(out, disk, site, keyed, rendered)?;
            written.0.extend(pages);
            written.1.extend(files);
            done += batch.len();
            Ok(true)
        };
        let batches = (indices.as_slice(), UNCHECKED_CHUNK);
        render::render_batches(site, inputs.theme, inputs.urls, batches, (&mut each, stop))?
    };
    written.0.sort();
    written.1.sort();
    let rest = indices.get(done..).unwrap_or_default().to_vec();
    Ok((written, rest, Some(views)))
}

/// Pages [`write_unchecked`] renders and writes between looks at whether to stop: 7-16 ms of
/// work at 10,000 articles (list pages of twenty cards), so a save is never kept waiting longer.
/// 96 pages took 35-50 ms, and a save that stopped a flush waited for half of that.
const UNCHECKED_CHUNK: usize = 32;

/// Pages [`write_unchecked`] keys between looks at whether to stop: 5-7 ms of work at 10,000
/// articles. Keying all the pages a new article moves took 20-27 ms, which a save that came
/// meanwhile had to wait out.
const KEYED_CHUNK: usize = 256;

/// Renders and writes the pages at `todo` (plan index and key, from the plan `site`), and
/// records them.
fn write_pages(
    out: &Sink,
    disk: &mut Disk,
    inputs: &Inputs<'_>,
    site: &Site,
    todo: Keyed,
) -> Result<Written> {
    let indices: Vec<usize> = todo.iter().map(|&(i, _)| i).collect();
    let rendered = render::render_pages(site, inputs.theme, inputs.urls, &indices)?;
    write_rendered(out, disk, site, &todo, rendered)
}

/// Writes the files of the pages at `todo` (plan index and key) whose bytes changed, and
/// records them.
fn write_rendered(
    out: &Sink,
    disk: &mut Disk,
    site: &Site,
    todo: &[(usize, u128)],
    mut rendered: Vec<OutputFile>,
) -> Result<Written> {
    crate::finish_pages(site, &mut rendered);
    let changed = changed_bytes(disk, rendered);
    write_all(out, disk, &changed)?;
    let (rendered, written) = record(disk, site, todo, changed);
    Ok((rendered, written, Vec::new()))
}

/// Like [`write_changes`] when the plan is unchanged and only the articles at `edited` (indices
/// into the plan) have new content: only the pages [touched](render::touched_by) by them are
/// keyed.
pub fn write_edits(
    out: &Sink,
    disk: &mut Disk,
    inputs: &Inputs<'_>,
    site: &Site,
    edited: &[usize],
) -> Result<Written> {
    let touched = render::touched_by(site, edited);
    let keys = inputs.keys(site, &|i| touched.get(i).copied().unwrap_or(false))?;
    let todo = stale(disk, site, &keys, false);
    write_pages(out, disk, inputs, site, todo)
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

/// Remembers what was written and the keys of the pages rendered (`todo`: plan index, key);
/// returns both lists of paths, sorted.
pub(super) fn record(
    disk: &mut Disk,
    site: &Site,
    todo: &[(usize, u128)],
    changed: Vec<Change>,
) -> (Vec<String>, Vec<String>) {
    let mut written = Vec::with_capacity(changed.len());
    for (file, hash) in changed {
        disk.files.insert(file.path.clone(), hash);
        written.push(file.path);
    }
    let mut rendered = Vec::with_capacity(todo.len());
    for &(p, key) in todo {
        if let Some(page) = site.pages.get(p) {
            disk.pages.insert(page.path.clone(), key);
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
