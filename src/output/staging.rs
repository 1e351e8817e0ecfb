//! A write in progress: files arrive one by one from many threads (as pages finish rendering)
//! and go straight into the staging folder, so a build never holds the whole site in memory.
//! [`Staging::commit`] swaps the finished tree in; dropping a `Staging` without committing
//! removes the staging folder and leaves the output as it was.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::{OutputFile, WriteReport, guard, stage, swap};
use crate::error::{Error, Result};

/// The new output being written beside the current one. `write` may be called from any number
/// of threads at once.
#[derive(Debug)]
pub struct Staging {
    /// The output folder as the caller named it, for messages.
    shown: PathBuf,
    places: guard::Places,
    registry: Mutex<Registry>,
    /// Set once the staging folder has become the output (nothing left to clean up).
    committed: bool,
}

/// What has been written so far: enough to refuse duplicate and conflicting paths as they
/// arrive, to create each folder once, and to report what changed.
#[derive(Debug, Default)]
struct Registry {
    /// Every file path written (or being written) -> whether its bytes were new.
    files: HashMap<String, bool>,
    /// Every folder some file needs.
    folders: HashSet<String>,
    /// Folders that exist in the staging tree.
    made: HashSet<String>,
}

impl Staging {
    /// Starts a write into `out_dir`: refuses outputs Gazette must not replace (see
    /// [`super::write_site`]), removes leftovers of an interrupted build, and creates the
    /// staging folder with the marker in it.
    pub fn begin(out_dir: &Path) -> Result<Staging> {
        let places = guard::places(out_dir)?;
        guard::clear_leftover(&places.staging)?;
        guard::clear_leftover(&places.old)?;
        stage::create(&places.staging)?;
        Ok(Staging {
            shown: out_dir.to_path_buf(),
            places,
            registry: Mutex::new(Registry::default()),
            committed: false,
        })
    }

    /// Writes one file into the staging folder (hard-linking the previous output's file when
    /// its bytes are the same). Refuses an unsafe path, a path written before, and a path that
    /// is both a file and a folder of another file.
    pub fn write(&self, file: &OutputFile) -> Result<()> {
        guard::check_path(&self.shown, &file.path)?;
        let missing = self.claim(&file.path)?;
        for folder in &missing {
            let dir = self.places.staging.join(folder);
            match fs::create_dir(&dir) {
                Ok(()) => {}
                // Another thread made it first (the registry keeps files out of folder paths).
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => {}
                Err(e) => return Err(Error::io(&dir, e)),
            }
        }
        if !missing.is_empty() {
            self.lock().made.extend(missing);
        }
        let previous = self.places.out_exists.then_some(self.places.out.as_path());
        let written = stage::write_one(&self.places.staging, previous, file)?;
        if written && let Some(new) = self.lock().files.get_mut(&file.path) {
            *new = true;
        }
        Ok(())
    }

    /// Registers `path` and returns its folders that do not exist yet, parents first.
    fn claim(&self, path: &str) -> Result<Vec<String>> {
        let mut registry = self.lock();
        if registry.files.contains_key(path) {
            return Err(guard::refuse(
                &self.shown.join(path),
                "two files of the site want this path; rename one of them",
            ));
        }
        if registry.folders.contains(path) {
            // Rare, so the file below it is looked for only now.
            let prefix = format!("{path}/");
            let mut below: Vec<&String> = registry
                .files
                .keys()
                .filter(|f| f.starts_with(&prefix))
                .collect();
            below.sort();
            let other = below.first().map_or(path, |f| f.as_str());
            return Err(guard::refuse(
                &self.shown.join(path),
                format!("is both a file and the folder of {other:?}; rename one of them"),
            ));
        }
        let folders: Vec<&str> = path.match_indices('/').map(|(i, _)| &path[..i]).collect();
        if let Some(file) = folders.iter().find(|f| registry.files.contains_key(**f)) {
            return Err(guard::refuse(
                &self.shown.join(file),
                format!("is both a file and the folder of {path:?}; rename one of them"),
            ));
        }
        let mut missing = Vec::new();
        for folder in folders {
            if !registry.folders.contains(folder) {
                registry.folders.insert(folder.to_string());
            }
            if !registry.made.contains(folder) {
                missing.push(folder.to_string());
            }
        }
        registry.files.insert(path.to_string(), false);
        Ok(missing)
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        // A panic elsewhere cannot leave the registry half-updated in a way that matters here.
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Puts the staging folder in place of the output (atomically where the kernel allows),
    /// removes the previous tree, and reports what changed. On error the output is untouched.
    pub fn commit(mut self) -> Result<WriteReport> {
        let registry = std::mem::take(&mut *self.lock());
        let mut removed: BTreeSet<String> = if self.places.out_exists {
            stage::old_paths(&self.places.out)?
        } else {
            BTreeSet::new()
        };
        for path in registry.files.keys() {
            removed.remove(path);
        }
        swap::swap(&self.places)?;
        self.committed = true;

        let total = registry.files.len();
        let mut changed: Vec<String> = registry
            .files
            .into_iter()
            .filter_map(|(path, new)| new.then_some(path))
            .collect();
        changed.sort_unstable();
        Ok(WriteReport {
            written: changed.len(),
            unchanged: total - changed.len(),
            changed,
            removed: removed.into_iter().collect(),
        })
    }

    /// Makes a fresh [`Staging`] swap in with two renames, for testing the fallback.
    #[cfg(test)]
    pub(super) fn swap_by_renames(mut self) -> Result<()> {
        swap::swap_by_renames(&self.places)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            // Only our own staging folder (it has the marker) is removed.
            let _ = guard::clear_leftover(&self.places.staging);
        }
    }
}
