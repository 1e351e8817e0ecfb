//! One writer with several targets: every command that renders the site hands each file to a
//! [`Sink`], and the mode says where it goes.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Contents, OutputFile, Patch, Served, Staging, WriteReport};
use crate::error::{Error, Result};

/// Where rendered files go.
pub enum Sink {
    /// A new tree in a staging folder, swapped in whole ([`Staging::commit`]): a full build.
    Full(Staging),
    /// The changed files of an output an earlier build made, moved in by [`Patch::commit`]: an
    /// incremental build.
    Patch(Patch),
    /// The folder `gazette serve` serves, each file replaced atomically as it comes.
    Served(Served),
    /// Nowhere: files are only counted (`gazette check` renders every page to try the
    /// templates).
    Memory(AtomicUsize),
}

impl Sink {
    /// A sink that keeps nothing.
    pub fn memory() -> Sink {
        Sink::Memory(AtomicUsize::new(0))
    }

    /// Takes `file`; may be called from any number of threads. Returns whether it changed the
    /// target (a file with the bytes already there is not written again).
    pub fn write(&self, file: &OutputFile) -> Result<bool> {
        match self {
            Sink::Full(staging) => staging.write(file).map(|()| true),
            Sink::Patch(patch) => patch.write(file),
            Sink::Served(served) => match &file.contents {
                Contents::Bytes(bytes) => served.write(&file.path, bytes).map(|()| true),
                Contents::Copy(source) => {
                    let bytes = std::fs::read(source).map_err(|e| Error::io(source, e))?;
                    served.write(&file.path, &bytes).map(|()| true)
                }
            },
            Sink::Memory(count) => {
                count.fetch_add(1, Ordering::Relaxed);
                Ok(true)
            }
        }
    }

    /// Says the site no longer has the file at `rel`, which an earlier write made: the served
    /// folder loses it now, a patch at [`Sink::commit`]; a full build never had it in its new
    /// tree, and memory keeps nothing.
    pub fn remove(&self, rel: &str) -> Result<()> {
        match self {
            Sink::Served(served) => served.remove(rel),
            Sink::Patch(patch) => {
                patch.remove(rel);
                Ok(())
            }
            Sink::Full(_) | Sink::Memory(_) => Ok(()),
        }
    }

    /// Whether [`Sink::commit`] would leave the target as it is: a patch that staged and
    /// removes nothing.
    pub fn unchanged(&self) -> bool {
        match self {
            Sink::Patch(patch) => patch.is_empty(),
            Sink::Memory(_) => true,
            Sink::Full(_) | Sink::Served(_) => false,
        }
    }

    /// Finishes the write: swaps a staged tree in, or moves a patch's files in and deletes
    /// what it was told to remove. `total` is how many files the site has, for the report.
    /// Served and memory sinks have nothing left to do.
    pub fn commit(self, total: usize) -> Result<WriteReport> {
        match self {
            Sink::Full(staging) => staging.commit(),
            Sink::Patch(patch) => patch.commit(total),
            Sink::Served(_) | Sink::Memory(_) => Ok(WriteReport::default()),
        }
    }

    /// How many files a [`Sink::Memory`] took (0 for the others).
    pub fn taken(&self) -> usize {
        match self {
            Sink::Memory(count) => count.load(Ordering::Relaxed),
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_takes_a_file_and_the_served_one_refuses_unsafe_paths() {
        let tmp = tempfile::tempdir().unwrap();
        let page = |path: &str| OutputFile {
            path: path.into(),
            contents: Contents::Bytes(b"<p>x</p>".to_vec()),
        };
        let memory = Sink::memory();
        memory.write(&page("a/index.html")).unwrap();
        memory.write(&page("b/index.html")).unwrap();
        assert_eq!(memory.taken(), 2);

        let served = Sink::Served(Served::new(tmp.path()));
        assert!(served.write(&page("a/index.html")).unwrap());
        assert_eq!(
            std::fs::read(tmp.path().join("a/index.html")).unwrap(),
            b"<p>x</p>"
        );
        assert!(served.write(&page("../escape.html")).is_err());
        served.remove("a/index.html").unwrap();
        assert!(!tmp.path().join("a").exists(), "emptied folders go too");
        assert!(!tmp.path().parent().unwrap().join("escape.html").exists());
        assert_eq!(served.taken(), 0);
    }
}
