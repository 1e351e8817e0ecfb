//! Fills the staging folder. A file whose bytes equal the previous output's file at the same path
//! is hard-linked from it, so it keeps its inode and mtime and sync tools see no change.

use std::collections::BTreeSet;
use std::fs::{self, File, Metadata};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::{Contents, MARKER, OutputFile};
use crate::error::{Error, Result};

/// Chunk size for byte comparisons: large enough to keep syscalls few, small enough to stay cheap.
const CHUNK: usize = 64 * 1024;

/// Creates the staging folder and writes the marker into it before anything else, so a folder
/// left by a killed build can always be recognised as ours.
pub(super) fn create(staging: &Path) -> Result<()> {
    fs::create_dir(staging).map_err(|e| Error::io(staging, e))?;
    let marker = staging.join(MARKER);
    fs::write(
        &marker,
        "This folder is written by Gazette; each build replaces everything in it.\n",
    )
    .map_err(|e| Error::io(&marker, e))
}

/// Writes one file under `staging` (its folder must exist), or hard-links the previous
/// output's file at the same path (`previous` is the current output, if any) when its bytes are
/// the same. Returns whether the file was written with new bytes.
pub(super) fn write_one(
    staging: &Path,
    previous: Option<&Path>,
    file: &OutputFile,
) -> Result<bool> {
    let dest = staging.join(&file.path);
    if let Some((old, meta)) = unchanged(previous, file)? {
        keep(&old, &meta, &dest)?;
        return Ok(false);
    }
    write_new(&dest, file)?;
    Ok(true)
}

/// The previous output's file at the path of `file` when it holds the same bytes.
pub(super) fn unchanged(
    previous: Option<&Path>,
    file: &OutputFile,
) -> Result<Option<(PathBuf, Metadata)>> {
    let Some((old, meta)) = previous.and_then(|p| old_file(&p.join(&file.path))) else {
        return Ok(None);
    };
    let source_len = match &file.contents {
        Contents::Bytes(bytes) => bytes.len() as u64,
        Contents::Copy(src) => fs::metadata(src).map_err(|e| Error::io(src, e))?.len(),
    };
    let same = meta.len() == source_len
        && match &file.contents {
            Contents::Bytes(bytes) => same_as_bytes(&old, bytes),
            Contents::Copy(src) => same_files(src, &old),
        }
        .map_err(|e| Error::io(&old, e))?;
    Ok(same.then_some((old, meta)))
}

/// Writes `file` at `dest` (its folder must exist).
pub(super) fn write_new(dest: &Path, file: &OutputFile) -> Result<()> {
    match &file.contents {
        Contents::Bytes(bytes) => {
            // One write of the whole buffer: rendered pages are already in memory.
            let mut out = File::create(dest).map_err(|e| Error::io(dest, e))?;
            out.write_all(bytes).map_err(|e| Error::io(dest, e))?;
        }
        Contents::Copy(src) => {
            fs::copy(src, dest).map_err(|e| Error::io(src, e))?;
        }
    }
    Ok(())
}

/// The previous output's regular file at `path`, if there is one (links are not trusted).
fn old_file(path: &Path) -> Option<(PathBuf, Metadata)> {
    let meta = fs::symlink_metadata(path).ok()?;
    meta.is_file().then(|| (path.to_path_buf(), meta))
}

/// Moves an unchanged file into staging without changing its identity: a hard link keeps inode
/// and mtime; where linking fails (another file system), a copy with the old mtime restored.
fn keep(old: &Path, meta: &Metadata, dest: &Path) -> Result<()> {
    if fs::hard_link(old, dest).is_ok() {
        return Ok(());
    }
    fs::copy(old, dest).map_err(|e| Error::io(old, e))?;
    let modified = meta.modified().map_err(|e| Error::io(old, e))?;
    // Setting times needs ownership, not write access, so a read-only copy is fine.
    File::open(dest)
        .and_then(|f| f.set_modified(modified))
        .map_err(|e| Error::io(dest, e))
}

/// Reads into `buf` until it is full or the reader ends; returns how much was read.
fn read_chunk(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// True when the file at `path` holds exactly `bytes`.
fn same_as_bytes(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    let mut file = File::open(path)?;
    let mut buf = vec![0; CHUNK];
    for expected in bytes.chunks(CHUNK) {
        let got = buf.get_mut(..expected.len()).unwrap_or_default();
        if read_chunk(&mut file, got)? != expected.len() || got != expected {
            return Ok(false);
        }
    }
    // The file may have grown since its length was read.
    Ok(read_chunk(&mut file, &mut buf[..1])? == 0)
}

/// True when the files at `a` and `b` hold the same bytes.
fn same_files(a: &Path, b: &Path) -> io::Result<bool> {
    let (mut fa, mut fb) = (File::open(a)?, File::open(b)?);
    let (mut ba, mut bb) = (vec![0; CHUNK], vec![0; CHUNK]);
    loop {
        let na = read_chunk(&mut fa, &mut ba)?;
        let nb = read_chunk(&mut fb, &mut bb)?;
        if na != nb || ba.get(..na) != bb.get(..nb) {
            return Ok(false);
        }
        if na == 0 {
            return Ok(true);
        }
    }
}

/// Every file path (relative, `/`-separated) under the previous output, without the marker.
pub(super) fn old_paths(previous: &Path) -> Result<BTreeSet<String>> {
    let mut paths = BTreeSet::new();
    for entry in walkdir::WalkDir::new(previous).min_depth(1) {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(previous).to_path_buf();
            Error::io(path, io::Error::from(e))
        })?;
        if entry.file_type().is_dir() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(previous) else {
            continue;
        };
        let segments: Vec<_> = rel.iter().map(|s| s.to_string_lossy()).collect();
        let rel = segments.join("/");
        if rel != MARKER {
            paths.insert(rel);
        }
    }
    Ok(paths)
}
