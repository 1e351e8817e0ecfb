//! Writing the site: everything goes into a staging folder beside the output, which is swapped in
//! only when complete. Gazette's marker file guards every folder it may delete; files whose bytes
//! are unchanged keep their old inode and mtime.

use std::path::{Path, PathBuf};

use crate::error::Result;

/// Name of the marker file Gazette puts in every output (and staging) folder it owns.
pub const MARKER: &str = ".gazette-output";

/// One file of the site, crossing from render to output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the output root, `/`-separated (`2024/11/27/x/index.html`).
    pub path: String,
    /// What goes in it.
    pub contents: Contents,
}

/// The bytes of an [`OutputFile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    /// Rendered bytes.
    Bytes(Vec<u8>),
    /// A file to copy as-is (static files, article images).
    Copy(PathBuf),
}

/// What a write did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files written with new bytes.
    pub written: usize,
    /// Files whose bytes were unchanged (kept with their mtime).
    pub unchanged: usize,
    /// Paths (relative, sorted) that are new or changed since the previous build.
    pub changed: Vec<String>,
    /// Paths (relative, sorted) that the previous build had and this one does not.
    pub removed: Vec<String>,
}

/// Writes `files` as the complete new content of `out_dir`, atomically.
pub fn write_site(out_dir: &Path, files: Vec<OutputFile>) -> Result<WriteReport> {
    let _ = (out_dir, files);
    todo!("output")
}

/// Every file under `dirs` as [`Contents::Copy`]; a file in a later folder replaces the same path
/// from an earlier one. Missing folders are skipped.
pub fn static_files(dirs: &[PathBuf]) -> Result<Vec<OutputFile>> {
    let _ = dirs;
    todo!("static files")
}
