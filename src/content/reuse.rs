//! Articles an earlier load made, offered to the next one: a file whose identity on disk
//! ([`Stamp`]) or whose bytes are unchanged is not read or rendered again.
//!
//! A stamp alone is trusted only for files that had not changed for [`SETTLE`] before the
//! earlier load began: file times have a coarse clock, so a file saved twice within one tick
//! keeps its stamp (git's "racily clean" entries). Such files are read and compared by
//! content hash instead.

use std::fs::Metadata;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::{Article, BodyLink};

/// How long a file must have been left alone before its stamp alone vouches for it.
pub const SETTLE: Duration = Duration::from_secs(2);

/// A file's identity on disk: size, inode, and modification and change times in nanoseconds.
/// `ctime` cannot be set back by tools that restore `mtime` (`touch -d`, `rsync -t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub len: u64,
    pub inode: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
}

impl Stamp {
    /// The stamp of a file from its metadata.
    pub fn of(meta: &Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: meta.len(),
            inode: meta.ino(),
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            ctime_ns: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
        }
    }

    /// True when the file had been left alone for [`SETTLE`] before `taken_at`.
    pub fn settled_before(&self, taken_at_ns: i128) -> bool {
        let settle = SETTLE.as_nanos() as i128;
        self.mtime_ns.max(self.ctime_ns) + settle < taken_at_ns
    }
}

/// A folder opened once, whose files are stamped by their paths inside it
/// ([`Folder::stamp_of`]): a path from the root had the kernel walk every folder above again
/// for each file, a third of each stat (15,857 output files: 51-65 ms by full path, 33-44 ms
/// inside the opened folder).
pub struct Folder {
    fd: rustix::fd::OwnedFd,
}

impl Folder {
    pub fn open(path: &Path) -> std::io::Result<Folder> {
        use rustix::fs::{Mode, OFlags, open};
        let fd = open(
            path,
            OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(Folder { fd })
    }

    /// The stamp of the file at `relative`, itself when it is a link (as `symlink_metadata`
    /// sees it).
    pub fn stamp_of(&self, relative: &Path) -> std::io::Result<Stamp> {
        self.stamp(relative, rustix::fs::AtFlags::SYMLINK_NOFOLLOW)
    }

    /// The stamp of the file at `relative`, or of the file a link there leads to (as
    /// `metadata` sees it).
    pub fn stamp_through(&self, relative: &Path) -> std::io::Result<Stamp> {
        self.stamp(relative, rustix::fs::AtFlags::empty())
    }

    fn stamp(&self, relative: &Path, flags: rustix::fs::AtFlags) -> std::io::Result<Stamp> {
        // Every field widened to i128 first: their types differ between targets.
        fn wide(n: impl Into<i128>) -> i128 {
            n.into()
        }
        let stat = rustix::fs::statat(&self.fd, relative, flags)?;
        Ok(Stamp {
            len: u64::try_from(wide(stat.st_size)).unwrap_or(0),
            inode: u64::try_from(wide(stat.st_ino)).unwrap_or(0),
            mtime_ns: wide(stat.st_mtime) * 1_000_000_000 + wide(stat.st_mtime_nsec),
            ctime_ns: wide(stat.st_ctime) * 1_000_000_000 + wide(stat.st_ctime_nsec),
        })
    }
}

/// How a file's bytes are compared with an earlier load's: 128-bit xxh3.
pub fn content_hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// Nanoseconds since the Unix epoch (0 for times before it).
pub fn nanos(time: SystemTime) -> i128 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

/// Where an article came from on disk, as the load saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub stamp: Stamp,
    /// [`content_hash`] of the file's bytes.
    pub hash: u128,
}

/// One article of an earlier load, with what it was made from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reused {
    pub source: Source,
    pub article: Article,
    pub links: Vec<BodyLink>,
    /// [`crate::render::article_print`] of `article` as logged: a build that takes the article
    /// from the log keys its pages without serialising the whole article again.
    pub print: u128,
    /// When the load that saw `source` began (nanoseconds since the epoch): kept apart from
    /// the article, once per run of articles in the build cache.
    #[serde(skip)]
    pub taken_at_ns: i128,
}

/// What an earlier load offers to the next one: its articles, each found by its file.
#[derive(Debug, Default)]
pub struct Reuse {
    /// The earlier articles, as logged; each is taken out when the load takes it.
    articles: Vec<Option<Box<Reused>>>,
    /// Where each file's article is among them, by a hash of the file's path (the path itself
    /// is compared at every lookup: two paths of one hash cost the earlier one its reuse, never
    /// a wrong article).
    /// A map keyed by the paths cloned them all, one by one on one core: a tenth of a second
    /// at 100,000 articles while the other core waited.
    by_file: rustc_hash::FxHashMap<u64, usize>,
}

/// The hash a file's article is found by.
fn file_key(file: &Path) -> u64 {
    xxhash_rust::xxh3::xxh3_64(file.as_os_str().as_encoded_bytes())
}

impl Reuse {
    /// Offers `articles`, in the order logged: a later one for the same file stands for it.
    pub fn new(articles: Vec<Box<Reused>>) -> Reuse {
        use rayon::prelude::*;
        let keys: Vec<u64> = articles
            .par_iter()
            .map(|r| file_key(&r.article.file))
            .collect();
        let mut by_file =
            rustc_hash::FxHashMap::with_capacity_and_hasher(keys.len(), Default::default());
        by_file.extend(keys.iter().enumerate().map(|(at, key)| (*key, at)));
        // An entry a later one stands for is let go now.
        let articles = articles
            .into_iter()
            .zip(keys)
            .enumerate()
            .map(|(at, (r, key))| (by_file.get(&key) == Some(&at)).then_some(r))
            .collect();
        Reuse { articles, by_file }
    }

    /// Where the earlier article for `file` is, with the article.
    fn find(&self, file: &Path) -> Option<(usize, &Reused)> {
        let at = *self.by_file.get(&file_key(file))?;
        let kept = self.articles.get(at)?.as_deref()?;
        // Compared as bytes: `Path`'s `==` splits both into components first, and the walk and
        // the log spell a file's path the same way.
        (kept.article.file.as_os_str() == file.as_os_str()).then_some((at, kept))
    }

    /// Where the earlier article for `file` is, with the article, when its stamp alone shows
    /// it unchanged.
    pub(super) fn by_stamp(&self, file: &Path, stamp: &Stamp) -> Option<(usize, &Reused)> {
        self.find(file)
            .filter(|(_, r)| r.source.stamp == *stamp && stamp.settled_before(r.taken_at_ns))
    }

    /// Where the earlier article for `file` is when its bytes hash to `hash`.
    pub(super) fn by_hash(&self, file: &Path, hash: u128) -> Option<usize> {
        self.find(file)
            .filter(|(_, r)| r.source.hash == hash)
            .map(|(at, _)| at)
    }

    /// The earlier article at `at` (as [`Reuse::by_stamp`] or [`Reuse::by_hash`] found it),
    /// taken out: `None` the second time.
    pub(super) fn take(&mut self, at: usize) -> Option<Box<Reused>> {
        self.articles.get_mut(at)?.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(at_ns: i128) -> Stamp {
        Stamp {
            len: 10,
            inode: 7,
            mtime_ns: at_ns,
            ctime_ns: at_ns,
        }
    }

    #[test]
    fn a_stamp_vouches_only_for_files_settled_before_the_earlier_load() {
        let second = 1_000_000_000;
        let file = Path::new("content/a.md");
        let reused = Reused {
            source: Source {
                stamp: stamp(100 * second),
                hash: 42,
            },
            article: Article::sample("A", "a", "2024-11-27T10:00:00Z"),
            links: Vec::new(),
            print: 0,
            taken_at_ns: 101 * second,
        };
        let reuse = Reuse::new(vec![Box::new(reused.clone())]);
        // Changed one second before the load: the stamp may hide a second save.
        assert!(reuse.by_stamp(file, &stamp(100 * second)).is_none());
        let later = Reused {
            taken_at_ns: 103 * second,
            ..reused.clone()
        };
        // A later entry for the same file stands for it.
        let mut reuse = Reuse::new(vec![Box::new(reused), Box::new(later)]);
        assert_eq!(
            reuse.by_stamp(file, &stamp(100 * second)).map(|(at, _)| at),
            Some(1)
        );
        assert!(reuse.by_stamp(file, &stamp(99 * second)).is_none());
        assert!(
            reuse
                .by_stamp(Path::new("content/b.md"), &stamp(100 * second))
                .is_none()
        );
        // The content hash decides whatever the times say.
        assert_eq!(reuse.by_hash(file, 42), Some(1));
        assert!(reuse.by_hash(file, 43).is_none());
        // Another file whose path's hash led to this article (a collision) is not given it.
        let other = Path::new("content/c.md");
        reuse.by_file.insert(file_key(other), 1);
        assert!(reuse.by_stamp(other, &stamp(100 * second)).is_none());
        assert!(reuse.by_hash(other, 42).is_none());
        // Each article is taken once.
        assert!(reuse.take(1).is_some_and(|r| r.article.file == file));
        assert!(reuse.take(1).is_none());
    }
}
