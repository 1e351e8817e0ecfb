//! Pages whose new bytes are not written yet: with fast rendering, a rebuild writes the pages a
//! tab shows (and a few more) before the tabs reload, and the other changed pages right after.
//! Until they are written, a request for one of them waits here, so no tab is served a stale
//! page after a reload.

use std::collections::HashSet;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use super::paths;

/// Output paths (relative to the served folder, such as `page/2/index.html`) still to be
/// written, and a signal for when some are.
#[derive(Default)]
pub struct Pending {
    files: Mutex<HashSet<String>>,
    written: Condvar,
}

impl Pending {
    /// Replaces the pending output paths with `files`; the waiters of those dropped are woken.
    pub fn set(&self, files: impl IntoIterator<Item = String>) {
        if let Ok(mut pending) = self.files.lock() {
            *pending = files.into_iter().collect();
        }
        self.written.notify_all();
    }

    /// Nothing is pending any more: every waiter is woken.
    pub fn clear(&self) {
        self.set(std::iter::empty());
    }

    /// The pending output paths, sorted.
    pub fn files(&self) -> Vec<String> {
        let mut files: Vec<String> = self
            .files
            .lock()
            .map(|f| f.iter().cloned().collect())
            .unwrap_or_default();
        files.sort();
        files
    }

    /// Waits (at most `timeout`) until no file a request for `raw` (a request path, such as
    /// `/page/2/` or `/tags/caf%C3%A9`) can be served from is pending. False when the timeout
    /// ran out first: the caller serves what is there.
    pub fn wait_for(&self, raw: &str, timeout: Duration) -> bool {
        let candidates = candidates(raw);
        if candidates.is_empty() {
            return true;
        }
        let deadline = Instant::now() + timeout;
        let Ok(mut pending) = self.files.lock() else {
            return true;
        };
        loop {
            if !candidates.iter().any(|c| pending.contains(c)) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            pending = match self.written.wait_timeout(pending, left) {
                Ok((guard, _)) => guard,
                Err(_) => return true,
            };
        }
    }
}

/// The output paths a request path may be served from: the file itself, or the `index.html` of
/// the folder (with or without its trailing slash, which redirects to it). Empty for a path that
/// is never served.
pub fn candidates(raw: &str) -> Vec<String> {
    let Some((parts, trailing)) = paths::segments(raw) else {
        return Vec::new();
    };
    let joined = parts.join("/");
    let index = match joined.is_empty() {
        true => "index.html".to_string(),
        false => format!("{joined}/index.html"),
    };
    match trailing {
        true => vec![index],
        false => vec![joined, index],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn request_paths_map_to_the_files_they_are_served_from() {
        assert_eq!(candidates("/"), ["index.html"]);
        assert_eq!(candidates("/page/2/"), ["page/2/index.html"]);
        assert_eq!(candidates("/page/2"), ["page/2", "page/2/index.html"]);
        assert_eq!(candidates("/tags/caf%C3%A9/"), ["tags/café/index.html"]);
        assert_eq!(candidates("/../x"), Vec::<String>::new());
    }

    #[test]
    fn a_waiter_wakes_when_its_file_is_written_and_gives_up_after_the_timeout() {
        let pending = Arc::new(Pending::default());
        pending.set(["page/2/index.html".to_string(), "atom.xml".to_string()]);
        assert!(pending.wait_for("/page/3/", Duration::from_secs(5)));
        assert!(!pending.wait_for("/atom.xml", Duration::from_millis(30)));
        let waiter = {
            let pending = pending.clone();
            std::thread::spawn(move || pending.wait_for("/page/2", Duration::from_secs(20)))
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished());
        pending.set(["atom.xml".to_string()]);
        assert!(waiter.join().unwrap());
        assert_eq!(pending.files(), ["atom.xml"]);
        pending.clear();
        assert!(pending.wait_for("/atom.xml", Duration::from_millis(1)));
    }
}
