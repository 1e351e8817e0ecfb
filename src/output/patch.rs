//! A write that changes some files of an existing output instead of replacing all of it (an
//! incremental build). New and changed files are written into the staging folder first, so an
//! error while rendering leaves the output as it was; [`Patch::commit`] then moves each into
//! place (one rename each, so no file is ever half-written) and deletes the files the site no
//! longer has, which must be files an earlier build wrote.
//!
//! Staged files lie under numbers in a fixed set of folders of the staging folder: mirroring
//! the output's folders there cost a folder made and deleted per page (most pages are an
//! `index.html` in a folder of their own), which on ext4 made a 900-page patch spend more time
//! finding free inodes than rendering.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::{OutputFile, WriteReport, guard, stage};
use crate::error::{Error, Result};

/// Folders the staged files are spread over. In one folder, every file made there waited on
/// that folder's lock, and ext4 looked for free inodes in one block group only: `perf` of a
/// 6,000-file patch put most of its time there.
const SHARDS: usize = 32;

/// Changed files of an output, staged. `write` may be called from any number of threads.
#[derive(Debug)]
pub struct Patch {
    shown: PathBuf,
    places: guard::Places,
    /// Paths staged with new bytes, with their number in the staging folder.
    staged: Mutex<Vec<(String, usize)>>,
    /// Paths an earlier build wrote that the site no longer has, deleted at commit.
    stale: Mutex<Vec<String>>,
    /// The next staged file's number.
    next: std::sync::atomic::AtomicUsize,
    committed: bool,
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
        guard::clear_leftover(&places.staging)?;
        guard::clear_leftover(&places.old)?;
        stage::create(&places.staging)?;
        for shard in 0..SHARDS {
            let dir = places.staging.join(shard.to_string());
            fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        Ok(Patch {
            shown: out_dir.to_path_buf(),
            places,
            staged: Mutex::default(),
            stale: Mutex::default(),
            next: std::sync::atomic::AtomicUsize::new(0),
            committed: false,
        })
    }

    /// Stages `file` unless the output already holds its bytes. Returns whether it was staged.
    pub fn write(&self, file: &OutputFile) -> Result<bool> {
        guard::check_path(&self.shown, &file.path)?;
        if stage::unchanged(Some(&self.places.out), file)?.is_some() {
            return Ok(false);
        }
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        stage::write_new(&self.staged_file(n), file)?;
        self.staged
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((file.path.clone(), n));
        Ok(true)
    }

    /// Where staged file number `n` lies.
    fn staged_file(&self, n: usize) -> PathBuf {
        self.places
            .staging
            .join(format!("{}/{n}.staged", n % SHARDS))
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

    /// Moves every staged file into the output and deletes the [removed](Patch::remove) ones,
    /// with any folder that leaves empty. `total` is how many files the site has, for the
    /// report.
    pub fn commit(mut self, total: usize) -> Result<WriteReport> {
        let stale = std::mem::take(&mut *self.stale.lock().unwrap_or_else(PoisonError::into_inner));
        let mut changed =
            std::mem::take(&mut *self.staged.lock().unwrap_or_else(PoisonError::into_inner));
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
        for (path, n) in &changed {
            let to = out.join(path);
            if let Some(dir) = to.parent() {
                fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            fs::rename(self.staged_file(*n), &to).map_err(|e| Error::io(&to, e))?;
        }
        let changed: Vec<String> = changed.into_iter().map(|(path, _)| path).collect();
        removed.sort_unstable();
        guard::clear_leftover(&self.places.staging)?;
        self.committed = true;
        Ok(WriteReport {
            written: changed.len(),
            unchanged: total.saturating_sub(changed.len()),
            changed,
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

impl Drop for Patch {
    fn drop(&mut self) {
        if !self.committed {
            let _ = guard::clear_leftover(&self.places.staging);
        }
    }
}
