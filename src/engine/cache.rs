//! The build cache: what one `gazette build` leaves for the next so that it redoes only what
//! changed. It lives beside the output folder (`.<output>.gazette-cache`), never inside it, so
//! deploys never carry it; deleting it only makes the next build a full one.
//!
//! The file is a header line, a checksum of the rest, then the settings fingerprint and the
//! rest in MessagePack. The settings come before the MessagePack so that a cache from another
//! Gazette binary (whose MessagePack may not even decode) is told apart from a damaged one. A
//! file that is missing, damaged, from another Gazette binary, or made with other settings is
//! not used.

use std::fs;
use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::content::{Reused, Stamp};
use crate::error::{Error, Result};

/// The first line of every cache file; the number changes with the layout.
const HEADER: &[u8] = b"gazette build cache 4\n";

/// Everything the cache keeps.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Stored {
    /// Fingerprint of what every article and page depends on: the binary, `site.toml`, the
    /// command-line options. Another value means nothing here can be used.
    pub settings: u128,
    /// When the build that wrote this began (nanoseconds since the epoch).
    pub taken_at_ns: i128,
    /// Every loaded article (drafts too), with the file it came from.
    pub articles: Vec<Reused>,
    /// Every file of the output, as written.
    pub files: Vec<FileRecord>,
}

/// One file of the output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// What [`read`] found.
#[derive(Debug)]
pub enum Found {
    /// No cache.
    Missing,
    /// A cache made with these settings.
    Usable(Stored),
    /// A whole cache made by another Gazette binary, or with another `site.toml` or options.
    OtherSettings,
    /// A cache that cannot be used, and why.
    Unusable(String),
}

/// Reads the cache at `path`, usable only when it was made with `settings`.
pub fn read(path: &Path, settings: u128) -> Found {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Found::Missing,
        Err(e) => return Found::Unusable(format!("cannot read it: {e}")),
    };
    let Some(rest) = bytes.strip_prefix(HEADER) else {
        return Found::Unusable("it was written by another version of Gazette".into());
    };
    let Some((sum, body)) = rest.split_first_chunk::<16>() else {
        return Found::Unusable("it is damaged (too short)".into());
    };
    if u128::from_le_bytes(*sum) != xxhash_rust::xxh3::xxh3_128(body) {
        return Found::Unusable("it is damaged (checksum mismatch)".into());
    }
    let Some((made_with, body)) = body.split_first_chunk::<16>() else {
        return Found::Unusable("it is damaged (too short)".into());
    };
    if u128::from_le_bytes(*made_with) != settings {
        return Found::OtherSettings;
    }
    match rmp_serde::from_slice::<Stored>(body) {
        Ok(stored) if stored.settings == settings => Found::Usable(stored),
        Ok(_) => Found::Unusable("it is damaged (its settings disagree)".into()),
        Err(e) => Found::Unusable(format!("it is damaged ({e})")),
    }
}

/// Writes `stored` to `path` through a temporary file and a rename, so the cache is always
/// either the old one or the new one, whole. The MessagePack is streamed to the file through
/// the checksum, which is written last into the room left for it: at 10,000 articles the cache
/// is about 70 MB, which a build should not hold in memory a second time.
pub fn write(path: &Path, settings: u128, stored: &impl Serialize) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let write = || -> io::Result<()> {
        let mut file = io::BufWriter::new(fs::File::create(&tmp)?);
        file.write_all(HEADER)?;
        file.write_all(&[0; 16])?;
        let mut body = Summed {
            out: file,
            sum: xxhash_rust::xxh3::Xxh3::new(),
        };
        body.write_all(&settings.to_le_bytes())?;
        rmp_serde::encode::write(&mut body, stored).map_err(io::Error::other)?;
        let sum = body.sum.digest128();
        let mut file = body
            .out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.seek(io::SeekFrom::Start(HEADER.len() as u64))?;
        file.write_all(&sum.to_le_bytes())?;
        drop(file);
        fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// A writer that checksums what it passes on.
struct Summed<W> {
    out: W,
    sum: xxhash_rust::xxh3::Xxh3,
}

impl<W: Write> Write for Summed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.sum.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
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
        assert!(matches!(read(&path, 7), Found::Missing));
        let stored = Stored {
            settings: 7,
            taken_at_ns: 11,
            articles: Vec::new(),
            files: vec![FileRecord {
                path: "index.html".into(),
                key: Some(3),
                stamp: None,
            }],
        };
        write(&path, 7, &stored).unwrap();
        let Found::Usable(back) = read(&path, 7) else {
            panic!("not usable")
        };
        assert_eq!((back.settings, back.files.len()), (7, 1));
        assert!(matches!(read(&path, 8), Found::OtherSettings));

        let mut bytes = fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(&path, &bytes).unwrap();
        let unusable = |path: &Path| match read(path, 7) {
            Found::Unusable(why) => why,
            other => panic!("{other:?}"),
        };
        assert!(unusable(&path).contains("checksum"));
        bytes.truncate(HEADER.len() + 3);
        fs::write(&path, &bytes).unwrap();
        assert!(unusable(&path).contains("too short"));
        fs::write(&path, b"gazette build cache 0\n....").unwrap();
        assert!(unusable(&path).contains("another version"));
        remove(&path).unwrap();
        remove(&path).unwrap();
        assert!(!path.exists());
    }
}
