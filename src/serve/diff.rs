//! What the served folder holds, and bringing it up to date with a plan: render the pages whose
//! [signature](super::signature) changed, write only files whose bytes changed (atomically), copy
//! new or changed static files and assets, and remove what the site no longer has.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::signature::{display_hashes, page_signature, sitemap_hash};
use super::write;
use crate::error::{Diagnostic, Error, Result};
use crate::output::{Contents, OutputFile};
use crate::render::{self, Theme};
use crate::site::Site;
use crate::urls::{self, Urls};

/// What the served folder holds now.
#[derive(Default)]
pub struct Disk {
    /// Site path -> signature of the page as written.
    pages: HashMap<String, u64>,
    /// Output path -> hash of the bytes written there.
    files: HashMap<String, u64>,
    /// Output path -> source of a copied file (static files, article assets).
    copies: HashMap<String, PathBuf>,
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
    /// Theme and site static files.
    pub statics: &'a [OutputFile],
}

/// Renders the pages whose signature changed (all when `full`), copies new or changed files, and
/// removes what the site no longer has.
pub fn write_changes(
    out: &Path,
    disk: &mut Disk,
    inputs: &Inputs<'_>,
    site: &Site,
    full: bool,
) -> Result<Written> {
    let display = display_hashes(site, inputs.hashes);
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

    let rendered = render::render_pages(site, inputs.theme, inputs.urls, &todo)?;
    let mut copies = inputs.statics.to_vec();
    if site.articles.iter().any(|a| !a.assets.is_empty()) {
        copies.extend(crate::article_assets(site)?);
    }
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
