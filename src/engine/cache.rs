//! The build cache: what one `gazette build` leaves for the next so that it redoes only what
//! changed. It lives beside the output folder (`.<output>.gazette-cache`), never inside it, so
//! deploys never carry it; deleting it only makes the next build a full one.
//!
//! The file is a header line, a checksum of the rest, and the rest in MessagePack. A file that
//! is missing, damaged, from another Gazette binary, or made with other settings is not used.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::content::{Reused, Stamp};
use crate::error::{Error, Result};

/// The first line of every cache file; the number changes with the layout.
const HEADER: &[u8] = b"gazette build cache 1\n";

/// Everything the cache keeps.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Stored {
    /// Fingerprint of what every article and page depends on: the binary, `site.toml`, the
    /// command-line options. Another value means nothing here can be used.
    pub settings: u128,
    /// Fingerprint of the theme the pages were rendered with.
    pub theme: u128,
    /// When the build that wrote this began (nanoseconds since the epoch).
    pub taken_at_ns: i128,
    /// Every loaded article (drafts too), with the file it came from.
    pub articles: Vec<Reused>,
    /// Every file of the output, as written.
    pub files: Vec<FileRecord>,
}

/// One file of the output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileRecord {
    /// Path relative to the output folder.
    pub path: String,
    /// The page key it was rendered from; `None` for copied files (compared by bytes).
    pub key: Option<u128>,
    /// The file's stamp after it was written: another stamp means someone changed it.
    pub stamp: Option<Stamp>,
}

/// The cache file of the output folder `out_dir` (resolved as the writer resolves it).
pub fn path_for(out_dir: &Path) -> Result<PathBuf> {
    crate::output::work_file(out_dir, "gazette-cache")
}

/// Reads the cache at `path`: `Ok(None)` when there is none, `Err(reason)` when there is one
/// that cannot be used.
pub fn read(path: &Path) -> std::result::Result<Option<Stored>, String> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read it: {e}")),
    };
    let rest = bytes
        .strip_prefix(HEADER)
        .ok_or("it was written by another version of Gazette")?;
    let (sum, body) = rest
        .split_first_chunk::<16>()
        .ok_or("it is damaged (too short)")?;
    if u128::from_le_bytes(*sum) != xxhash_rust::xxh3::xxh3_128(body) {
        return Err("it is damaged (checksum mismatch)".into());
    }
    rmp_serde::from_slice(body)
        .map(Some)
        .map_err(|e| format!("it is damaged ({e})"))
}

/// Writes `stored` to `path` through a temporary file and a rename, so the cache is always
/// either the old one or the new one, whole.
pub fn write(path: &Path, stored: &impl Serialize) -> Result<()> {
    let body = rmp_serde::to_vec(stored).map_err(|e| Error::Output {
        path: path.to_path_buf(),
        message: format!("cannot encode the build cache: {e}"),
    })?;
    let tmp = path.with_extension("tmp");
    let write = || -> io::Result<()> {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(HEADER)?;
        file.write_all(&xxhash_rust::xxh3::xxh3_128(&body).to_le_bytes())?;
        file.write_all(&body)?;
        fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Removes the cache at `path`, before the output changes: a build stopped while it changes
/// must leave no cache that describes the old output.
pub fn remove(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_cache_reads_back_and_damage_is_named() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(".public.gazette-cache");
        assert!(matches!(read(&path), Ok(None)));
        let stored = Stored {
            settings: 7,
            theme: 9,
            taken_at_ns: 11,
            articles: Vec::new(),
            files: vec![FileRecord {
                path: "index.html".into(),
                key: Some(3),
                stamp: None,
            }],
        };
        write(&path, &stored).unwrap();
        let back = read(&path).unwrap().unwrap();
        assert_eq!((back.settings, back.theme, back.files.len()), (7, 9, 1));

        let mut bytes = fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(&path, &bytes).unwrap();
        assert!(read(&path).unwrap_err().contains("checksum"));
        bytes.truncate(HEADER.len() + 3);
        fs::write(&path, &bytes).unwrap();
        assert!(read(&path).unwrap_err().contains("too short"));
        fs::write(&path, b"gazette build cache 0\n....").unwrap();
        assert!(read(&path).unwrap_err().contains("another version"));
        remove(&path).unwrap();
        remove(&path).unwrap();
        assert!(!path.exists());
    }
}
