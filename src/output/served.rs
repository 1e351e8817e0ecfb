//! Writing into the folder `gazette serve` serves while requests are being answered: each file
//! is written to a temporary name in its own folder and renamed over the old one, so a request
//! gets either the old or the new bytes, never half a file. The serve loop decides which files
//! change; this module only makes each change safe to watch.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// Distinguishes temporary files of concurrent writers within this process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A folder being served, written file by file.
#[derive(Debug, Clone)]
pub struct Served {
    out: PathBuf,
}

impl Served {
    /// The served folder `out`, an existing folder the caller owns.
    pub fn new(out: &Path) -> Served {
        Served {
            out: out.to_path_buf(),
        }
    }

    /// Replaces the file at `rel` (a checked output path) with `bytes`, atomically.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        super::guard::check_path(&self.out, rel)?;
        replace(&self.out, rel, bytes)
    }

    /// Removes the file at `rel` and the folders that leaves empty.
    pub fn remove(&self, rel: &str) -> Result<()> {
        remove(&self.out, rel)
    }
}

/// Replaces `out/rel` with `bytes` atomically, creating folders. `rel` is a checked output path
/// (from [`crate::urls::output_file`] or the static-file walk).
fn replace(out: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let target = out.join(rel);
    let dir = target.parent().unwrap_or(out);
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(".{name}.{}-{n}.gazette-tmp", std::process::id()));
    let written = fs::File::create(&temp).and_then(|mut file| file.write_all(bytes));
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(Error::io(&temp, e));
    }
    fs::rename(&temp, &target).map_err(|e| {
        let _ = fs::remove_file(&temp);
        Error::io(&target, e)
    })
}

/// Removes `out/rel`, then the folders above it that became empty (never `out` itself). A file
/// already gone is fine.
fn remove(out: &Path, rel: &str) -> Result<()> {
    let target = out.join(rel);
    match fs::remove_file(&target) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&target, e)),
    }
    let mut dir: Option<PathBuf> = target.parent().map(Path::to_path_buf);
    while let Some(d) = dir {
        // Stops at the first folder that still has something in it (remove_dir refuses).
        if d == out || !d.starts_with(out) || fs::remove_dir(&d).is_err() {
            break;
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_creates_and_overwrites_leaving_no_temporary_file() {
        let tmp = tempfile::tempdir().unwrap();
        replace(tmp.path(), "a/b/index.html", b"one").unwrap();
        replace(tmp.path(), "a/b/index.html", b"two").unwrap();
        assert_eq!(fs::read(tmp.path().join("a/b/index.html")).unwrap(), b"two");
        let names: Vec<String> = fs::read_dir(tmp.path().join("a/b"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["index.html"]);
    }

    #[test]
    fn remove_prunes_empty_folders_but_not_the_root_or_busy_ones() {
        let tmp = tempfile::tempdir().unwrap();
        replace(tmp.path(), "x/y/index.html", b"1").unwrap();
        replace(tmp.path(), "x/other.html", b"2").unwrap();
        remove(tmp.path(), "x/y/index.html").unwrap();
        assert!(!tmp.path().join("x/y").exists());
        assert!(tmp.path().join("x/other.html").is_file());
        remove(tmp.path(), "x/other.html").unwrap();
        assert!(!tmp.path().join("x").exists());
        assert!(tmp.path().is_dir());
        remove(tmp.path(), "gone.html").unwrap();
    }
}
