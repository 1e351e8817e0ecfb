//! Watching the site's inputs (`content/`, `templates/`, `themes/`, `static/`, `site.toml`) and
//! debouncing: events are collected until the file system has been quiet for a moment, so a
//! burst of saves (or an editor's write-then-rename) is one rebuild. The moment is shorter once
//! every file named so far is finished (closed after writing, renamed or removed): nothing more
//! is expected of it, and the quiet window was most of a one-article save's wait for its reload.

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
/// ... or after this much once every file it named is [finished](finishes): the events of one
/// program's save, or of a checkout, come microseconds apart.
const SETTLED: Duration = Duration::from_millis(3);
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
    events: Receiver<Arrived>,
    /// An event [`Watch::has_news`] took off the queue, first in the next batch.
    peeked: RefCell<Option<Arrived>>,
    /// How long a burst waits for more: [`QUIET`], and [`SETTLED`] once its files are all
    /// finished.
    quiet: (Duration, Duration),
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
        // Stamped on arrival: a burst's quiet is counted from its last event, even when the
        // event waited in the queue while a flush finished.
        let handler = move |event| {
            let _ = tx.send((Instant::now(), event));
        };
        // Links are not followed by the watch itself: one to `/` would watch the whole disk.
        // Those the content walk follows are watched by [`Watch::watch_links`].
        let config = notify::Config::default().with_follow_symlinks(false);
        let mut watcher =
            RecommendedWatcher::new(handler, config).map_err(|e| problem(root, &e))?;
        watcher
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|e| problem(root, &e))?;
        let mut watch = Watch {
            root: root.to_path_buf(),
            watcher,
            events,
            peeked: RefCell::new(None),
            quiet: (QUIET, SETTLED),
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
                Ok((_, Ok(event))) if matches!(event.kind, notify::EventKind::Access(_)) => {}
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
        // Files named whose last event leaves more to come.
        let mut unfinished = HashSet::new();
        // The first event: one peeked at, or the next to come.
        let first = match self.peeked.get_mut().take() {
            Some(event) => event,
            None => match self.wait(stop, at_most)? {
                Some(event) => event,
                None => return Some(batch),
            },
        };
        let mut last = first.0;
        self.take(first.1, &mut batch, (&mut seen, &mut unfinished));
        // Then collect until the file system is quiet.
        let started = Instant::now();
        while started.elapsed() < LONGEST {
            let quiet = match unfinished.is_empty() {
                true => self.quiet.1,
                false => self.quiet.0,
            };
            let wait = (last + quiet).saturating_duration_since(Instant::now());
            match self.events.recv_timeout(wait) {
                Ok((at, event)) => {
                    last = at;
                    self.take(event, &mut batch, (&mut seen, &mut unfinished));
                }
                Err(_) => break,
            }
        }
        Some(batch)
    }

    /// Waits for an event: `None` once `stop` is set or the watcher is gone, `Some(None)` once
    /// `at_most` has passed without one.
    fn wait(&self, stop: &AtomicBool, at_most: Option<Duration>) -> Option<Option<Arrived>> {
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
        (seen, unfinished): (&mut HashSet<PathBuf>, &mut HashSet<PathBuf>),
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
        if let Some(finished) = finishes(&event.kind) {
            for path in &event.paths {
                match finished {
                    true => unfinished.remove(path),
                    false => unfinished.insert(path.clone()),
                };
            }
        }
        // Reading a file or listing a folder (the watcher itself does) changes nothing, nor
        // does closing a file (its writes had events of their own).
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

/// An event and when it came.
type Arrived = (Instant, notify::Result<notify::Event>);

/// Whether an event of this kind leaves its file as it will stay (`Some(true)`: written and
/// closed, renamed, removed, or a folder made, whose files have events of their own), may have
/// more to come (`Some(false)`: made, written to, metadata changed, or an event the platform
/// does not detail), or says nothing of that (`None`: opened, read).
fn finishes(kind: &notify::EventKind) -> Option<bool> {
    use notify::event::{AccessKind, AccessMode, CreateKind, EventKind, ModifyKind};
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => Some(true),
        EventKind::Access(_) => None,
        EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_)) => Some(true),
        EventKind::Create(CreateKind::Folder) => Some(true),
        _ => Some(false),
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

    /// A watch whose events come from the test, with windows long and short enough that no
    /// scheduling delay can change which events share a batch.
    fn fed_watch(root: &Path) -> (Watch, std::sync::mpsc::Sender<Arrived>) {
        let mut watch = Watch::new(root).unwrap();
        let (tx, rx) = channel();
        watch.events = rx;
        watch.quiet = (Duration::from_millis(1500), Duration::ZERO);
        (watch, tx)
    }

    fn event(kind: notify::EventKind, path: &Path) -> Arrived {
        (
            Instant::now(),
            Ok(notify::Event::new(kind).add_path(path.to_path_buf())),
        )
    }

    #[test]
    fn a_batch_waits_longer_while_a_file_is_unfinished() {
        use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, ModifyKind};
        let tmp = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(tmp.path()).unwrap();
        let (a, b) = (root.join("content/a.md"), root.join("content/b.md"));
        let written = notify::EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let closed = notify::EventKind::Access(AccessKind::Close(AccessMode::Write));
        let stop = AtomicBool::new(false);
        // A save of `path` (written, then closed) long after the events before it.
        let later = |tx: std::sync::mpsc::Sender<Arrived>, path: &Path| {
            let path = path.to_path_buf();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(300));
                let _ = tx.send(event(written, &path));
                let _ = tx.send(event(closed, &path));
            })
        };

        // Made and written, not closed yet: the next event, long after, is still awaited.
        let (mut watch, tx) = fed_watch(&root);
        tx.send(event(notify::EventKind::Create(CreateKind::File), &a))
            .unwrap();
        tx.send(event(written, &a)).unwrap();
        let sender = later(tx.clone(), &b);
        let batch = watch.next_batch(&stop, None).unwrap();
        sender.join().unwrap();
        assert_eq!(batch.paths, [a.clone(), b.clone()]);

        // Written and closed: the batch ends with what had come, and the next event starts
        // the next one. A close alone changes nothing, so it names no path.
        let (mut watch, tx) = fed_watch(&root);
        tx.send(event(written, &a)).unwrap();
        tx.send(event(closed, &a)).unwrap();
        let sender = later(tx.clone(), &b);
        let batch = watch.next_batch(&stop, None).unwrap();
        sender.join().unwrap();
        assert_eq!(batch.paths, std::slice::from_ref(&a));
        let batch = watch.next_batch(&stop, None).unwrap();
        assert_eq!(batch.paths, std::slice::from_ref(&b));

        // Removed or renamed: finished too.
        let (mut watch, tx) = fed_watch(&root);
        tx.send(event(written, &a)).unwrap();
        tx.send(event(
            notify::EventKind::Remove(notify::event::RemoveKind::File),
            &a,
        ))
        .unwrap();
        tx.send(event(
            notify::EventKind::Modify(ModifyKind::Name(notify::event::RenameMode::To)),
            &b,
        ))
        .unwrap();
        let sender = later(tx.clone(), &root.join("site.toml"));
        let batch = watch.next_batch(&stop, None).unwrap();
        sender.join().unwrap();
        assert_eq!(batch.paths, [a, b]);
    }

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
        }
        fs::write(root.join("site.toml"), "").unwrap();
        // Events that came while the server was busy (rebuilding) all join the batch, however
        // far apart they came.
        std::thread::sleep(Duration::from_millis(300));
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
