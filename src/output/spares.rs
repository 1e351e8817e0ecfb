//! The spare folder beside the output (`.<name>.gazette-spare`): a patch writes each changed
//! file over a spare file there, then exchanges it with the output's file in one step, and the
//! replaced file stays behind as a spare for the next patch.
//!
//! Why not a new file renamed over the old one: that makes an inode and frees one per changed
//! file, and ext4's search for a free inode skips recently freed ones, so it grows slower with
//! every build. Side by side on this project's machine (920 files of 20 kB, `tmp` benchmark in
//! the note), new files renamed into place took 150–510 ms of system time, a spare
//! truncated and rewritten 68–147 ms, and a spare written over and exchanged 33–48 ms.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use super::{Contents, OutputFile, guard, stage, swap};
use crate::error::{Error, Result};

/// Folders the spares are spread over: in one folder, every file made there waited on that
/// folder's lock (`perf` of a 6,000-file patch).
const SHARDS: usize = 32;

/// The fewest spares kept after a patch; more are kept for a larger site (see [`Spares::trim`]).
const KEEP_AT_LEAST: usize = 1024;

/// The spare folder of one patch. `fill` and `place` may be called from any number of threads.
#[derive(Debug)]
pub(super) struct Spares {
    dir: PathBuf,
    /// Whether the folder and its shard folders exist.
    made: Mutex<bool>,
    /// Spares not yet written over.
    free: Mutex<Vec<PathBuf>>,
    /// Names new files so that they differ from every spare an earlier build left.
    run: u128,
    next: AtomicUsize,
    /// Cleared when the file system cannot exchange two names: files are then renamed.
    exchange: AtomicBool,
}

impl Spares {
    /// The spare folder `dir` with the spares it holds. A missing folder is made when the
    /// first file needs it; something else in its place that Gazette did not make is refused.
    pub(super) fn open(dir: &Path) -> Result<Spares> {
        let mut free = Vec::new();
        let made = match fs::symlink_metadata(dir) {
            Ok(meta) if meta.is_dir() && guard::has_marker(dir) => {
                for shard in 0..SHARDS {
                    let folder = dir.join(shard.to_string());
                    let entries = match fs::read_dir(&folder) {
                        Ok(entries) => entries,
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {
                            fs::create_dir(&folder).map_err(|e| Error::io(&folder, e))?;
                            continue;
                        }
                        Err(e) => return Err(Error::io(&folder, e)),
                    };
                    for entry in entries.flatten() {
                        if entry.file_type().is_ok_and(|t| t.is_file()) {
                            free.push(entry.path());
                        }
                    }
                }
                true
            }
            // An empty folder (a build died before its marker) is removed; anything else that
            // is not ours is refused.
            Ok(_) => {
                guard::clear_leftover(dir)?;
                false
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(Error::io(dir, e)),
        };
        let run = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Ok(Spares {
            dir: dir.to_path_buf(),
            made: Mutex::new(made),
            free: Mutex::new(free),
            run,
            next: AtomicUsize::new(0),
            exchange: AtomicBool::new(true),
        })
    }

    /// Writes `file` into a spare, or into a new file of the folder when no spare is left, and
    /// returns where.
    pub(super) fn fill(&self, file: &OutputFile) -> Result<PathBuf> {
        loop {
            let spare = self
                .free
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            let Some(spare) = spare else { break };
            if write_over(&spare, file)? {
                return Ok(spare);
            }
        }
        self.make_folder()?;
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let path = self.dir.join(format!("{}/{}-{n}", n % SHARDS, self.run));
        stage::write_new(&path, file)?;
        Ok(path)
    }

    fn make_folder(&self) -> Result<()> {
        let mut made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        if !*made {
            stage::create(&self.dir)?;
            for shard in 0..SHARDS {
                let folder = self.dir.join(shard.to_string());
                fs::create_dir(&folder).map_err(|e| Error::io(&folder, e))?;
            }
            *made = true;
        }
        Ok(())
    }

    /// Puts the filled spare `filled` at `to`: exchanged with the regular file there, which
    /// becomes a spare under the name `filled` had, or moved there (its folder made) when there
    /// is none. Returns whether `filled` now names a spare.
    pub(super) fn place(&self, filled: &Path, to: &Path) -> Result<bool> {
        let replaces_file = fs::symlink_metadata(to).is_ok_and(|m| m.is_file());
        if replaces_file && self.exchange.load(Ordering::Relaxed) {
            match swap::exchange(filled, to) {
                Ok(()) => return Ok(true),
                Err(e) if swap::unsupported(&e) => self.exchange.store(false, Ordering::Relaxed),
                Err(e) => return Err(Error::io(to, e)),
            }
        }
        // A file replaced stands in its folder already.
        if !replaces_file && let Some(dir) = to.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        fs::rename(filled, to).map_err(|e| Error::io(to, e))?;
        Ok(false)
    }

    /// Deletes spares beyond what the next patch of a site of `files` files likely needs (an
    /// eighth of them, at least [`KEEP_AT_LEAST`]), so the folder never holds a second copy of
    /// the site: first those not written over this time, then the `replaced` ones.
    pub(super) fn trim(self, replaced: Vec<PathBuf>, files: usize) {
        let keep = KEEP_AT_LEAST.max(files / 8);
        let free = self
            .free
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let excess = (free.len() + replaced.len()).saturating_sub(keep);
        for spare in free.iter().chain(&replaced).take(excess) {
            let _ = fs::remove_file(spare);
        }
    }
}

/// Writes `file` over the spare at `path`, in its blocks, and returns true; or, when the spare
/// is not a regular file of this folder alone (another hard link to it, such as a backup made
/// with `cp -al`, would see the new bytes), takes it out of the folder and returns false.
fn write_over(path: &Path, file: &OutputFile) -> Result<bool> {
    let opened = OpenOptions::new()
        .write(true)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path);
    let meta = opened.and_then(|out| out.metadata().map(|meta| (out, meta)));
    let (out, old_len) = match meta {
        Ok((out, meta)) if meta.is_file() && meta.nlink() == 1 => (out, meta.len()),
        _ => {
            let _ = fs::remove_file(path);
            return Ok(false);
        }
    };
    let written = match &file.contents {
        Contents::Bytes(bytes) => overwrite(out, bytes, old_len),
        Contents::Copy(src) => {
            let mut from = File::open(src).map_err(|e| Error::io(src, e))?;
            let mut out = out;
            io::copy(&mut from, &mut out).and_then(|len| out.set_len(len))
        }
    };
    written.map_err(|e| Error::io(path, e))?;
    Ok(true)
}

/// Writes `bytes` from the start of `out` (`old_len` bytes long) and cuts what is left of its
/// old bytes, if any: a spare no longer than the new bytes needs no cut (a system call saved
/// for each such spare of the 6,000 files of a 100,000-article publish).
fn overwrite(mut out: File, bytes: &[u8], old_len: u64) -> io::Result<()> {
    out.write_all(bytes)?;
    let len = bytes.len() as u64;
    if old_len > len {
        out.set_len(len)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            contents: Contents::Bytes(text.as_bytes().to_vec()),
        }
    }

    #[test]
    fn a_replaced_file_becomes_a_spare_that_the_next_patch_writes_over() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(".out.gazette-spare");
        let target = tmp.path().join("index.html");
        fs::write(&target, "the old page, longer than the new one").unwrap();

        let spares = Spares::open(&dir).unwrap();
        assert!(!dir.exists(), "made only when a file needs it");
        let filled = spares.fill(&page("index.html", "new")).unwrap();
        assert!(spares.place(&filled, &target).unwrap());
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(
            fs::read_to_string(&filled).unwrap(),
            "the old page, longer than the new one"
        );
        spares.trim(vec![filled.clone()], 10);

        let spares = Spares::open(&dir).unwrap();
        let again = spares.fill(&page("index.html", "newer")).unwrap();
        assert_eq!(again, filled, "the spare is written over");
        assert_eq!(fs::read_to_string(&again).unwrap(), "newer");
        // No file there: the spare is moved, not exchanged.
        let fresh = tmp.path().join("fresh.html");
        assert!(!spares.place(&again, &fresh).unwrap());
        assert_eq!(fs::read_to_string(&fresh).unwrap(), "newer");
        assert!(!again.exists());
    }

    #[test]
    fn a_spare_holds_exactly_the_new_bytes_whether_they_are_longer_or_shorter() {
        let tmp = tempfile::tempdir().unwrap();
        let spare = tmp.path().join("spare");
        fs::write(&spare, "x").unwrap();
        for text in ["four", "a longer page than before", "", "short", "short"] {
            assert!(write_over(&spare, &page("index.html", text)).unwrap());
            assert_eq!(fs::read_to_string(&spare).unwrap(), text);
        }
    }

    #[test]
    fn a_spare_linked_elsewhere_is_never_written_over() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(".out.gazette-spare");
        let spares = Spares::open(&dir).unwrap();
        let filled = spares.fill(&page("a.html", "kept by a backup")).unwrap();
        let backup = tmp.path().join("backup.html");
        fs::hard_link(&filled, &backup).unwrap();
        drop(spares);

        let spares = Spares::open(&dir).unwrap();
        let written = spares.fill(&page("a.html", "new")).unwrap();
        assert_ne!(written, filled);
        assert!(!filled.exists(), "the linked spare left the folder");
        assert_eq!(fs::read_to_string(&backup).unwrap(), "kept by a backup");
        assert_eq!(fs::read_to_string(&written).unwrap(), "new");
    }

    #[test]
    fn trimming_keeps_at_most_an_eighth_of_the_site() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(".out.gazette-spare");
        let spares = Spares::open(&dir).unwrap();
        let made: Vec<PathBuf> = (0..KEEP_AT_LEAST + 5)
            .map(|i| spares.fill(&page("p.html", &i.to_string())).unwrap())
            .collect();
        spares.trim(made.clone(), 8);
        let left = made.iter().filter(|p| p.exists()).count();
        assert_eq!(left, KEEP_AT_LEAST);
        let spares = Spares::open(&dir).unwrap();
        spares.trim(Vec::new(), 8 * (KEEP_AT_LEAST + 100));
        assert_eq!(made.iter().filter(|p| p.exists()).count(), KEEP_AT_LEAST);
    }

    #[test]
    fn a_folder_in_the_way_that_is_not_ours_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(".out.gazette-spare");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("notes.txt"), "mine").unwrap();
        assert!(Spares::open(&dir).is_err());
        assert!(dir.join("notes.txt").is_file());
    }
}
