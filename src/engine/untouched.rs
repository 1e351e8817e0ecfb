//! Which files of the output are as the last build left them: each file the build cache
//! recorded is stamped again, on background threads of the lowest priority started as soon as
//! the cache is read, and the page keys ask the answer when they first need it.
//!
//! A publish into 100,000 articles stamps 141,000 output files, 7% of its CPU. Done where the
//! page keys needed each stamp, that work waited until then, while the load and the plan before
//! it left a core idle for about 0.3 s in all (`perf` timeline of a publish). At the lowest
//! priority the threads take only what the build leaves idle until the answer is asked for;
//! then the build waits for them, and they have the cores to themselves.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;

use super::cache::Written;
use crate::content::{Folder, Stamp};

/// The stamping of an output's recorded files, under way or done.
pub struct Untouched {
    running: Mutex<Vec<JoinHandle<Option<Vec<String>>>>>,
    /// The files whose stamp differs from the recorded one (or that are gone); `None` when the
    /// output could not be stamped, so that no file counts as untouched.
    changed: OnceLock<Option<HashSet<String>>>,
}

impl Untouched {
    /// Starts stamping every file of `files` that has a recorded stamp, inside `out_dir`.
    pub fn start(out_dir: &Path, files: &Arc<Written>) -> Untouched {
        let threads = std::thread::available_parallelism().map_or(2, usize::from);
        let running = (0..threads)
            .filter_map(|share| {
                let (out_dir, files) = (out_dir.to_path_buf(), Arc::clone(files));
                std::thread::Builder::new()
                    .name("gazette-stamps".into())
                    .spawn(move || changed_in(&out_dir, &files, (share, threads)))
                    .ok()
            })
            .collect::<Vec<_>>();
        let untouched = Untouched {
            running: Mutex::new(Vec::new()),
            changed: OnceLock::new(),
        };
        if running.len() < threads {
            // A thread that could not start leaves its share unstamped.
            let _ = untouched.changed.set(None);
        }
        *untouched.lock() = running;
        untouched
    }

    /// Whether the file at `path` (relative to the output folder) still has the stamp the
    /// cache recorded for it. The first call waits for the stamping to end.
    pub fn is_untouched(&self, path: &str) -> bool {
        let changed = self.changed.get_or_init(|| {
            let mut all = HashSet::new();
            for thread in std::mem::take(&mut *self.lock()) {
                all.extend(thread.join().ok()??);
            }
            Some(all)
        });
        changed.as_ref().is_some_and(|c| !c.contains(path))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<JoinHandle<Option<Vec<String>>>>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The files of share `share` of `shares` of `files` whose stamp inside `out_dir` is not the
/// recorded one; `None` when the folder cannot be opened.
fn changed_in(
    out_dir: &Path,
    files: &Written,
    (share, shares): (usize, usize),
) -> Option<Vec<String>> {
    lowest_priority();
    let folder = Folder::open(out_dir).ok()?;
    let mut mine: Vec<(&String, &Stamp)> = files
        .iter()
        .enumerate()
        .filter(|(n, _)| n % shares == share)
        .filter_map(|(_, (path, (_, stamp)))| Some((path, stamp.as_ref()?)))
        .collect();
    // In the order of their paths, so that the folders each lookup passes are those the last
    // one passed: in the table's order, the kernel's lookups of path names took 60% longer.
    mine.sort_unstable_by_key(|(path, _)| *path);
    let changed = mine
        .into_iter()
        .filter(|&(path, stamp)| folder.stamp_of(Path::new(path)).ok().as_ref() != Some(stamp))
        .map(|(path, _)| path.clone())
        .collect();
    Some(changed)
}

/// This thread at the lowest priority (`nice` 19): it runs when a core would be idle.
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    let _ = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 19);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_changed_or_gone_since_they_were_stamped_are_not_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Written::default();
        let folder = Folder::open(dir.path()).unwrap();
        for name in ["a.html", "b.html", "c.html", "d.html"] {
            std::fs::write(dir.path().join(name), name).unwrap();
            let stamp = folder.stamp_of(Path::new(name)).unwrap();
            files.insert(name.to_string(), (Some(1), Some(stamp)));
        }
        // Copied files carry no stamp: never asked about.
        files.insert("copied.css".into(), (None, None));
        std::fs::write(dir.path().join("b.html"), "changed by hand").unwrap();
        std::fs::remove_file(dir.path().join("c.html")).unwrap();
        let files = Arc::new(files);
        let untouched = Untouched::start(dir.path(), &files);
        assert!(untouched.is_untouched("a.html"));
        assert!(!untouched.is_untouched("b.html"));
        assert!(!untouched.is_untouched("c.html"));
        assert!(untouched.is_untouched("d.html"));

        // An output that cannot be stamped leaves no file untouched.
        let gone = Untouched::start(&dir.path().join("missing"), &files);
        assert!(!gone.is_untouched("a.html"));
    }
}
