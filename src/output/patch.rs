//! A write that changes some files of an existing output instead of replacing all of it (an
//! incremental build). New and changed files are written into the spare folder first
//! ([`Spares`]), so an error while rendering leaves the output as it was; [`Patch::commit`] then
//! puts each in place (one exchange or rename each, so no file is ever half-written) and
//! deletes the files the site no longer has, which must be files an earlier build wrote.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use super::spares::Spares;
use super::{OutputFile, WriteReport, guard, stage};
use crate::error::{Error, Result};

/// Changed files of an output, staged. `write` may be called from any number of threads.
#[derive(Debug)]
pub struct Patch {
    shown: PathBuf,
    places: guard::Places,
    spares: Spares,
    /// Paths staged with new bytes, with the spare file that holds them.
    staged: Mutex<Vec<(String, PathBuf)>>,
    /// Paths an earlier build wrote that the site no longer has, deleted at commit.
    stale: Mutex<Vec<String>>,
}

impl Patch {
    /// Starts a patch of `out_dir`, which must be an output folder an earlier build made (it
    /// carries the marker). `paths` is every file of the new site: they are checked as a full
    /// build checks them (safe, unique, no file where another needs a folder).
    pub fn begin(out_dir: &Path, paths: &[&str]) -> Result<Patch> {
        let places = guard::places(out_dir)?;
        if !places.out_exists || !guard::has_marker(&places.out) {
            return Err(guard::refuse(
                out_dir,
                "is not an output folder of an earlier build; build it in full first",
            ));
        }
        guard::check_path_list(out_dir, paths)?;
        // Left by a full build that was stopped.
        guard::clear_leftover(&places.staging)?;
        guard::clear_leftover(&places.old)?;
        let spares = Spares::open(&places.spare)?;
        Ok(Patch {
            shown: out_dir.to_path_buf(),
            places,
            spares,
            staged: Mutex::default(),
            stale: Mutex::default(),
        })
    }

    /// Stages `file` unless the output already holds its bytes. Returns whether it was staged.
    pub fn write(&self, file: &OutputFile) -> Result<bool> {
        guard::check_path(&self.shown, &file.path)?;
        if stage::unchanged(Some(&self.places.out), file)?.is_some() {
            return Ok(false);
        }
        let filled = self.spares.fill(file)?;
        self.staged
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((file.path.clone(), filled));
        Ok(true)
    }

    /// Deletes `path` (a file an earlier build wrote that the site no longer has) at commit.
    pub fn remove(&self, path: &str) {
        self.stale
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(path.to_string());
    }

    /// True while nothing is staged or to be removed: committing would change nothing.
    pub fn is_empty(&self) -> bool {
        fn empty<T>(list: &Mutex<Vec<T>>) -> bool {
            list.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .is_empty()
        }
        empty(&self.staged) && empty(&self.stale)
    }

    /// Puts every staged file into the output and deletes the [removed](Patch::remove) ones,
    /// with any folder that leaves empty. `total` is how many files the site has, for the
    /// report.
    pub fn commit(self, total: usize) -> Result<WriteReport> {
        let stale = self
            .stale
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let mut changed = self
            .staged
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        changed.sort_unstable();
        let out = &self.places.out;
        // Stale files go first: one may stand where a new file needs a folder.
        let mut removed = Vec::with_capacity(stale.len());
        for path in stale {
            let file = out.join(&path);
            match fs::symlink_metadata(&file) {
                Ok(meta) if meta.is_file() => {
                    fs::remove_file(&file).map_err(|e| Error::io(&file, e))?;
                    prune(out, &file);
                    removed.push(path);
                }
                // Gone already, or no longer a file: nothing of ours to delete.
                _ => {}
            }
        }
        // Placed on every core: one exchange each (a publish into 100,000 articles places
        // 6,000 files), independent of each other once the stale files are gone.
        let placed: Vec<(String, Option<PathBuf>)> = changed
            .into_par_iter()
            .map(|(path, filled)| {
                let to = out.join(&path);
                let spare = self.spares.place(&filled, &to)?;
                Ok((path, spare.then_some(filled)))
            })
            .collect::<Result<_>>()?;
        let mut replaced = Vec::with_capacity(placed.len());
        let mut paths = Vec::with_capacity(placed.len());
        for (path, spare) in placed {
            replaced.extend(spare);
            paths.push(path);
        }
        self.spares.trim(replaced, total);
        removed.sort_unstable();
        Ok(WriteReport {
            written: paths.len(),
            unchanged: total.saturating_sub(paths.len()),
            changed: paths,
            removed,
        })
    }
}

/// Removes the folders above `file` that are now empty, up to (not including) `out`.
fn prune(out: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == out || !d.starts_with(out) || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
