//! Watching the site's inputs (`content/`, `templates/`, `themes/`, `static/`, `site.toml`) and
//! debouncing: events are collected until the file system has been quiet for a moment, so a
//! burst of saves (or an editor's write-then-rename) is one rebuild.

use std::cell::RefCell;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};
use walkdir::WalkDir;

use crate::error::{Diagnostic, Error, Result};

/// The folders under the root that are watched recursively.
pub const WATCHED: &[&str] = &["content", "templates", "themes", "static"];
/// A burst ends after this much quiet.
const QUIET: Duration = Duration::from_millis(20);
/// A steady stream of events still gets a rebuild this often.
const LONGEST: Duration = Duration::from_millis(500);
/// How often a waiting watcher checks whether it should stop.
const STOP_CHECK: Duration = Duration::from_millis(200);

/// One burst of changes.
#[derive(Debug, Default)]
pub struct Batch {
    /// Every path an event named (absolute), in arrival order, repeated paths once.
    pub paths: Vec<PathBuf>,
    /// The watcher lost events (queue overflow): only a full rebuild is safe.
    pub rescan: bool,
    /// Paths changed inside the target of a link in `content/` (the link's article or assets
    /// changed: only a full rebuild reads them as the content walk does).
    pub linked: Vec<PathBuf>,
}

/// A running watcher over one site.
pub struct Watch {
    root: PathBuf,
    watcher: RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    /// An event [`Watch::has_news`] took off the queue, first in the next batch.
    peeked: RefCell<Option<notify::Result<notify::Event>>>,
    watched: HashSet<PathBuf>,
    /// Targets (canonical) of the links in `content/` that stay inside the site.
    linked: HashSet<PathBuf>,
    /// Folders watched only for those targets.
    link_watches: HashSet<PathBuf>,
}

impl Watch {
    /// Starts watching `root` (absolute, canonical): the root itself for `site.toml` and for the
    /// watched folders appearing, and each watched folder that exists.
    pub fn new(root: &Path) -> Result<Watch> {
        let (tx, events) = channel();
        // Links are not followed by the watch itself: one to `/` would watch the whole disk.
        // Those the content walk follows are watched by [`Watch::watch_links`].
        let config = notify::Config::default().with_follow_symlinks(false);
        let mut watcher = RecommendedWatcher::new(tx, config).map_err(|e| problem(root, &e))?;
        watcher
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|e| problem(root, &e))?;
        let mut watch = Watch {
            root: root.to_path_buf(),
            watcher,
            events,
            peeked: RefCell::new(None),
            watched: HashSet::new(),
            linked: HashSet::new(),
            link_watches: HashSet::new(),
        };
        for name in WATCHED {
            watch.add(&root.join(name))?;
        }
        Ok(watch)
    }

    fn add(&mut self, dir: &Path) -> Result<()> {
        if !dir.is_dir() || self.watched.contains(dir) {
            return Ok(());
        }
        self.watcher
            .watch(dir, RecursiveMode::Recursive)
            .map_err(|e| problem(dir, &e))?;
        self.watched.insert(dir.to_path_buf());
        Ok(())
    }

    /// Watches the targets of the links in `content/` that stay inside the site (the links the
    /// content walk follows), and forgets those of links that are gone. Called after each full
    /// rebuild, since only a full rebuild follows a new or changed link.
    pub fn watch_links(&mut self) {
        let allowed: Vec<PathBuf> = [self.root.clone(), self.root.join("content")]
            .iter()
            .filter_map(|p| std::fs::canonicalize(p).ok())
            .collect();
        let links = WalkDir::new(self.root.join("content"))
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
            .filter_map(std::result::Result::ok)
            .filter(|e| e.depth() > 0 && e.path_is_symlink());
        self.linked = links
            .filter_map(|e| std::fs::canonicalize(e.path()).ok())
            .filter(|target| allowed.iter().any(|dir| target.starts_with(dir)))
            .collect();
        // A folder target is watched whole, a file target through its folder.
        let wanted: HashSet<(PathBuf, RecursiveMode)> = self
            .linked
            .iter()
            .filter_map(|t| match t.is_dir() {
                true => Some((t.clone(), RecursiveMode::Recursive)),
                false => Some((t.parent()?.to_path_buf(), RecursiveMode::NonRecursive)),
            })
            .filter(|(dir, _)| !self.covered(dir))
            .collect();
        for gone in self
            .link_watches
            .iter()
            .filter(|w| !wanted.iter().any(|(dir, _)| dir == *w))
        {
            let _ = self.watcher.unwatch(gone);
        }
        self.link_watches
            .retain(|w| wanted.iter().any(|(dir, _)| dir == w));
        for (dir, mode) in wanted {
            if !self.link_watches.contains(&dir) && self.watcher.watch(&dir, mode).is_ok() {
                self.link_watches.insert(dir);
            }
        }
    }

    /// Whether events in `dir` already arrive: a watched folder or inside one, or the root.
    fn covered(&self, dir: &Path) -> bool {
        dir == self.root || self.watched.iter().any(|w| dir.starts_with(w))
    }

    /// Whether an event that may change something is waiting (a new save, most likely),
    /// without waiting for one.
    pub fn has_news(&self) -> bool {
        let mut peeked = self.peeked.borrow_mut();
        while peeked.is_none() {
            match self.events.try_recv() {
                Ok(Ok(event)) if matches!(event.kind, notify::EventKind::Access(_)) => {}
                Ok(event) => *peeked = Some(event),
                Err(_) => return false,
            }
        }
        true
    }

    /// Waits for the next burst and returns it; `None` once `stop` is set. With `at_most`, an
    /// empty batch once that long has passed without an event.
    pub fn next_batch(&mut self, stop: &AtomicBool, at_most: Option<Duration>) -> Option<Batch> {
        let mut batch = Batch::default();
        let mut seen = HashSet::new();
        // The first event: one peeked at, or the next to come.
        let first = match self.peeked.get_mut().take() {
            Some(event) => event,
            None => match self.wait(stop, at_most)? {
                Some(event) => event,
                None => return Some(batch),
            },
        };
        self.take(first, &mut batch, &mut seen);
        // Then collect until the file system is quiet.
        let started = Instant::now();
        while started.elapsed() < LONGEST {
            match self.events.recv_timeout(QUIET) {
                Ok(event) => self.take(event, &mut batch, &mut seen),
                Err(_) => break,
            }
        }
        Some(batch)
    }

    /// Waits for an event: `None` once `stop` is set or the watcher is gone, `Some(None)` once
    /// `at_most` has passed without one.
    fn wait(
        &self,
        stop: &AtomicBool,
        at_most: Option<Duration>,
    ) -> Option<Option<notify::Result<notify::Event>>> {
        let waiting = Instant::now();
        loop {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            let wait = match at_most {
                Some(limit) if waiting.elapsed() >= limit => return Some(None),
                Some(limit) => STOP_CHECK.min(limit - waiting.elapsed()),
                None => STOP_CHECK,
            };
            match self.events.recv_timeout(wait) {
                Ok(event) => return Some(Some(event)),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    fn take(
        &mut self,
        event: notify::Result<notify::Event>,
        batch: &mut Batch,
        seen: &mut HashSet<PathBuf>,
    ) {
        let event = match event {
            Ok(event) => event,
            // An error from the OS watcher (such as a queue overflow) may hide changes.
            Err(_) => {
                batch.rescan = true;
                return;
            }
        };
        if event.need_rescan() {
            batch.rescan = true;
        }
        // Reading a file or listing a folder (the watcher itself does) changes nothing.
        if matches!(event.kind, notify::EventKind::Access(_)) {
            return;
        }
        for path in event.paths {
            // A watched folder created (or re-created) after the start gets its own watch.
            if path.parent() == Some(self.root.as_path())
                && WATCHED.iter().any(|name| path.ends_with(name))
            {
                if !path.is_dir() {
                    self.watched.remove(&path);
                } else if self.add(&path).is_err() {
                    batch.rescan = true;
                }
            }
            if self.linked.iter().any(|target| path.starts_with(target)) {
                batch.linked.push(path.clone());
            }
            if seen.insert(path.clone()) {
                batch.paths.push(path);
            }
        }
    }
}

fn problem(path: &Path, error: &notify::Error) -> Error {
    Error::problem(Diagnostic::new(
        path,
        format!("cannot watch for changes: {error}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn news_is_peeked_at_without_being_lost() {
        let tmp = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(tmp.path()).unwrap();
        fs::create_dir_all(root.join("content")).unwrap();
        fs::write(root.join("content/a.md"), "x").unwrap();
        let mut watch = Watch::new(&root).unwrap();
        // Reading a file is no news.
        let _ = fs::read(root.join("content/a.md")).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        assert!(!watch.has_news());
        fs::write(root.join("content/b.md"), "x").unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !watch.has_news() {
            assert!(Instant::now() < deadline, "no news of the save");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(watch.has_news());
        let batch = watch.next_batch(&AtomicBool::new(false), None).unwrap();
        assert!(
            batch.paths.contains(&root.join("content/b.md")),
            "{batch:?}"
        );
    }

    #[test]
    fn a_burst_of_saves_is_one_batch() {
        let tmp = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(tmp.path()).unwrap();
        fs::create_dir_all(root.join("content/2024")).unwrap();
        let mut watch = Watch::new(&root).unwrap();
        for name in ["a", "b", "c"] {
            fs::write(root.join(format!("content/2024/{name}.md")), "x").unwrap();
            std::thread::sleep(Duration::from_millis(5));
        }
        fs::write(root.join("site.toml"), "").unwrap();
        let stop = AtomicBool::new(false);
        let batch = watch.next_batch(&stop, None).unwrap();
        let mut names: Vec<String> = batch
            .paths
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "content/2024/a.md",
                "content/2024/b.md",
                "content/2024/c.md",
                "site.toml"
            ]
        );
        // A folder made after the start is watched too.
        fs::create_dir(root.join("static")).unwrap();
        let _ = watch.next_batch(&stop, None).unwrap();
        fs::write(root.join("static/x.css"), "x").unwrap();
        let batch = watch.next_batch(&stop, None).unwrap();
        assert_eq!(batch.paths, [root.join("static/x.css")]);
        stop.store(true, Ordering::Relaxed);
        assert!(watch.next_batch(&stop, None).is_none());
    }
}
