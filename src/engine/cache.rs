//! The build cache: what one `gazette build` leaves for the next so that it redoes only what
//! changed. It lives beside the output folder (`.<output>.gazette-cache`), never inside it, so
//! deploys never carry it; deleting it only makes the next build a full one.
//!
//! The file is a header line, a checksum of the rest, then the settings fingerprint and the
//! rest as length-prefixed MessagePack frames: the first holds the output's files, each later one
//! a run of articles. The articles are most of the bytes (about 70 MB at 10,000 articles), and
//! frames let every core encode and decode a share of them. The settings come before the
//! MessagePack so that a cache from another Gazette binary (whose MessagePack may not even
//! decode) is told apart from a damaged one. A file that is missing, damaged, from another
//! Gazette binary, or made with other settings is not used.

use std::fs;
use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::content::{Reused, Stamp};
use crate::error::{Error, Result};

/// The first line of every cache file; the number changes with the layout.
const HEADER: &[u8] = b"gazette build cache 7\n";

/// Articles per frame: about 2 MB of MessagePack, so a few frames in flight hold little.
const ARTICLES_PER_FRAME: usize = 256;

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

/// The first frame: everything but the articles.
#[derive(Serialize, Deserialize)]
struct Meta<F> {
    settings: u128,
    taken_at_ns: i128,
    files: F,
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
    let mut frames = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let Some((len, after)) = rest.split_first_chunk::<8>() else {
            return Found::Unusable("it is damaged (a frame is cut short)".into());
        };
        let len = usize::try_from(u64::from_le_bytes(*len)).unwrap_or(usize::MAX);
        if len > after.len() {
            return Found::Unusable("it is damaged (a frame is cut short)".into());
        }
        let (frame, after) = after.split_at(len);
        frames.push(frame);
        rest = after;
    }
    let Some((meta, runs)) = frames.split_first() else {
        return Found::Unusable("it is damaged (no frames)".into());
    };
    let meta: Meta<Vec<FileRecord>> = match rmp_serde::from_slice(meta) {
        Ok(meta) => meta,
        Err(e) => return Found::Unusable(format!("it is damaged ({e})")),
    };
    if meta.settings != settings {
        return Found::Unusable("it is damaged (its settings disagree)".into());
    }
    let runs: std::result::Result<Vec<Vec<Reused>>, _> = runs
        .par_iter()
        .map(|frame| rmp_serde::from_slice::<Vec<Reused>>(frame))
        .collect();
    match runs {
        Ok(runs) => Found::Usable(Stored {
            settings,
            taken_at_ns: meta.taken_at_ns,
            articles: runs.into_iter().flatten().collect(),
            files: meta.files,
        }),
        Err(e) => Found::Unusable(format!("it is damaged ({e})")),
    }
}

/// Writes the cache to `path` through a temporary file and a rename, so the cache is always
/// either the old one or the new one, whole: `taken_at_ns` and `files` as [`Stored`] has them,
/// and `articles`, each of which serialises as a [`Reused`]. The frames are encoded a few at a
/// time in parallel and streamed to the file through the checksum, which is written last into
/// the room left for it: a build should not hold the whole cache in memory a second time.
pub fn write<A: Serialize + Sync>(
    path: &Path,
    settings: u128,
    taken_at_ns: i128,
    files: &[FileRecord],
    articles: &[A],
) -> Result<()> {
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
        let meta = Meta {
            settings,
            taken_at_ns,
            files,
        };
        frame(
            &mut body,
            &rmp_serde::to_vec(&meta).map_err(io::Error::other)?,
        )?;
        let batch = ARTICLES_PER_FRAME * 2 * rayon::current_num_threads().max(1);
        for articles in articles.chunks(batch) {
            let frames: std::result::Result<Vec<Vec<u8>>, _> = articles
                .par_chunks(ARTICLES_PER_FRAME)
                .map(rmp_serde::to_vec)
                .collect();
            for bytes in frames.map_err(io::Error::other)? {
                frame(&mut body, &bytes)?;
            }
        }
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

/// One frame: its length, then its bytes.
fn frame(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    out.write_all(&(bytes.len() as u64).to_le_bytes())?;
    out.write_all(bytes)
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
        let files = [FileRecord {
            path: "index.html".into(),
            key: Some(3),
            stamp: None,
        }];
        let articles: Vec<Reused> = Vec::new();
        write(&path, 7, 11, &files, &articles).unwrap();
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
