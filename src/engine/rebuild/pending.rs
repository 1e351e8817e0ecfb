//! Pages whose new bytes are not written yet: with fast rendering, a rebuild writes the pages a
//! tab shows (and a few more) before the tabs reload, and compares and writes the others right
//! after. Until they are written, a request for one of them waits here (the server asks with the
//! output paths the request may be served from), so no tab is served a stale page after a
//! reload.

use std::collections::HashSet;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Output paths (relative to the served folder, such as `page/2/index.html`) still to be
/// written, and a signal for when some are.
#[derive(Default)]
pub struct Pending {
    state: Mutex<State>,
    written: Condvar,
}

#[derive(Default)]
struct State {
    /// Output paths still to be written.
    files: HashSet<String>,
    /// While the pages fast rendering left are not compared yet, nobody knows which will
    /// change: every path but these (the pages and files already up to date) is pending.
    all_but: Option<HashSet<String>>,
}

impl State {
    /// Whether a request served from one of `candidates` must wait: one of them is pending, or
    /// none of them is known to be up to date.
    fn waits(&self, candidates: &[String]) -> bool {
        candidates.iter().any(|c| self.files.contains(c))
            || self
                .all_but
                .as_ref()
                .is_some_and(|done| !candidates.iter().any(|c| done.contains(c)))
    }
}

impl Pending {
    /// Replaces what is pending with the output paths `files`; the waiters of those dropped are
    /// woken.
    pub fn set(&self, files: impl IntoIterator<Item = String>) {
        if let Ok(mut state) = self.state.lock() {
            *state = State {
                files: files.into_iter().collect(),
                all_but: None,
            };
        }
        self.written.notify_all();
    }

    /// Makes every output path pending but `done`, until the next [`Pending::set`] or
    /// [`Pending::clear`].
    pub fn set_all_but(&self, done: HashSet<String>) {
        if let Ok(mut state) = self.state.lock() {
            *state = State {
                files: HashSet::new(),
                all_but: Some(done),
            };
        }
        self.written.notify_all();
    }

    /// Nothing is pending any more: every waiter is woken.
    pub fn clear(&self) {
        self.set(std::iter::empty());
    }

    /// The pending output paths named one by one, sorted (not those of [`Pending::set_all_but`]).
    #[cfg(test)]
    pub fn files(&self) -> Vec<String> {
        let mut files: Vec<String> = self
            .state
            .lock()
            .map(|s| s.files.iter().cloned().collect())
            .unwrap_or_default();
        files.sort();
        files
    }

    /// Whether nothing at all is pending.
    pub fn is_empty(&self) -> bool {
        self.state
            .lock()
            .map(|s| s.files.is_empty() && s.all_but.is_none())
            .unwrap_or(true)
    }

    /// Waits (at most `timeout`) until none of `candidates`, the output paths a request may be
    /// served from, is pending. False when the timeout ran out first: the caller serves what
    /// is there.
    pub fn wait_for(&self, candidates: &[String], timeout: Duration) -> bool {
        if candidates.is_empty() {
            return true;
        }
        let deadline = Instant::now() + timeout;
        let Ok(mut state) = self.state.lock() else {
            return true;
        };
        loop {
            if !state.waits(candidates) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            state = match self.written.wait_timeout(state, left) {
                Ok((guard, _)) => guard,
                Err(_) => return true,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn files(paths: &[&str]) -> Vec<String> {
        paths.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn a_waiter_wakes_when_its_file_is_written_and_gives_up_after_the_timeout() {
        let pending = Arc::new(Pending::default());
        pending.set(["page/2/index.html".to_string(), "atom.xml".to_string()]);
        assert!(pending.wait_for(&files(&["page/3/index.html"]), Duration::from_secs(5)));
        assert!(!pending.wait_for(&files(&["atom.xml"]), Duration::from_millis(30)));
        let waiter = {
            let pending = pending.clone();
            std::thread::spawn(move || {
                pending.wait_for(
                    &files(&["page/2", "page/2/index.html"]),
                    Duration::from_secs(20),
                )
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished());
        pending.set(["atom.xml".to_string()]);
        assert!(waiter.join().unwrap());
        assert_eq!(pending.files(), ["atom.xml"]);
        pending.clear();
        assert!(pending.wait_for(&files(&["atom.xml"]), Duration::from_millis(1)));
        assert!(pending.is_empty());
    }

    #[test]
    fn all_but_makes_every_other_path_wait() {
        let pending = Pending::default();
        pending.set_all_but(["index.html".to_string(), "style.css".to_string()].into());
        assert!(!pending.is_empty());
        assert!(pending.wait_for(&files(&["index.html"]), Duration::from_millis(1)));
        assert!(pending.wait_for(&files(&["style.css"]), Duration::from_millis(1)));
        assert!(!pending.wait_for(&files(&["page/2/index.html"]), Duration::from_millis(20)));
        assert!(pending.files().is_empty());
        pending.set(["atom.xml".to_string()]);
        assert!(pending.wait_for(&files(&["page/2/index.html"]), Duration::from_millis(1)));
        assert!(!pending.wait_for(&files(&["atom.xml"]), Duration::from_millis(20)));
    }
}
