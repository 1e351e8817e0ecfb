//! The build cache: what one `gazette build` leaves for the next so that it redoes only what
//! changed. It lives beside the output folder, never inside it, so deploys never carry it;
//! deleting it only makes the next build a full one. It is two files, a third for cards
//! ([`cards_path`]), a fourth for the search index's postings ([`search_path`]) and a fifth for
//! the plan's related lists ([`related_path`]):
//!
//! - `.<output>.gazette-cache`, the **meta**: a header line, a checksum of the rest, the
//!   settings fingerprint, then one MessagePack frame with the output's files and where the
//!   article log ends (its length, entry count and checksum). Written whole each time through
//!   a temporary file and a rename, and removed before the output changes.
//! - `.<output>.gazette-cache-articles`, the **article log**: a header line, the settings
//!   fingerprint, then frames, each a run of articles with the time the load that saw them
//!   began: length-prefixed MessagePack, then the length-prefixed texts (bodies, search words,
//!   headings) it says where to find, which the log's checksum leaves out: each is checked
//!   against its own xxh3 when read, and a build reads few. A build appends the articles it loaded anew (one new article
//!   after a publish) instead of writing all of them again: rewriting about 80 MB at 10,000
//!   articles took 80 to 130 ms of every build that changed anything. A later entry for a file
//!   stands for it; the log is written afresh when its entries outnumber the site's articles
//!   twice over. Bytes past the end the meta vouches for (an append that was stopped) are cut
//!   before the next append and never read. Article texts are not read: each stays in the log,
//!   read when a page needs it ([`crate::content::Body`]).
//!
//! The settings come before the MessagePack so that a cache from another Gazette binary (whose
//! MessagePack may not even decode) is told apart from a damaged one. A cache whose meta or log
//! is missing, damaged, from another Gazette binary, or made with other settings is not used.

// The log's articles are boxed ([`Stored::articles`]): a list of boxes is what is meant.
#![allow(clippy::vec_box)]

use std::ffi::OsString;
use std::fs;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::content::body::{self, LogFile};
use crate::content::{Reused, Stamp};
use crate::error::{Error, Result};
use crate::render::{CardBytes, KeptCards};
use crate::search::Kept;
use crate::site::Related;

/// The first line of every meta file; the number changes with the layout.
const HEADER: &[u8] = b"gazette build cache 8\n";

/// The first line of every article log; the number changes with the layout.
const LOG_HEADER: &[u8] = b"gazette article log 4\n";

/// Articles per frame: about 70 kB of MessagePack and 430 kB of texts at 8 kB an article, so
/// the few frames in flight while the log is written or read hold little (each buffer is fresh
/// memory, and fresh pages are dear).
const ARTICLES_PER_FRAME: usize = 64;

/// Everything the cache keeps.
#[derive(Debug, Default)]
pub struct Stored {
    /// Fingerprint of what every article and page depends on: the binary, `site.toml`, the
    /// command-line options. Another value means nothing here can be used.
    pub settings: u128,
    /// Every article of the log, in the order written (a later one for the same file stands
    /// for it), each with the time its load began. Boxed: the build moves them into the list
    /// the load takes them from and on into the load, and an article is 640 bytes to move.
    pub articles: Vec<Box<Reused>>,
    /// Every file of the output, as written, by its path.
    pub files: Written,
    /// Where the article log ends, for the next build to append to.
    pub log: Log,
    /// The article log the texts of `articles` are read from: one that fails to give a text
    /// back as written is damaged ([`LogFile::failed`]).
    pub texts: Option<Arc<LogFile>>,
}

/// The end of the article log the meta vouches for, with its checksum so far.
#[derive(Clone, Default)]
pub struct Log {
    len: u64,
    entries: u64,
    /// Boxed: the hasher's state is 600 bytes.
    sum: Box<xxhash_rust::xxh3::Xxh3>,
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Log")
            .field("len", &self.len)
            .field("entries", &self.entries)
            .finish()
    }
}

impl Log {
    fn mark(&self) -> LogMark {
        LogMark {
            len: self.len,
            entries: self.entries,
            sum: self.sum.digest128(),
        }
    }
}

/// The meta's frame.
#[derive(Serialize, Deserialize)]
struct Meta<F> {
    settings: u128,
    files: F,
    log: LogMark,
}

/// Where the article log ends: its length in bytes, its number of articles, and the xxh3 of
/// everything after its header line up to that length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct LogMark {
    len: u64,
    entries: u64,
    sum: u128,
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

/// Each file the last build wrote (by its path in the output), with the key it was made from
/// and its stamp after it was written ([`FileRecord`]'s fields).
pub type Written = rustc_hash::FxHashMap<String, (Option<u128>, Option<Stamp>)>;

/// The meta's files as read: decoded straight into the map by path, sized once by the count
/// the frame gives (decoded as a list first, the list was grown by doubling and then copied
/// into the map: 27 MB of fresh memory at 100,000 articles).
struct ByPath(Written);

impl<'de> Deserialize<'de> for ByPath {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ByPath;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of file records")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<ByPath, A::Error> {
                // A damaged count asks for room for at most 262,144 files up front (a larger
                // site grows the map as it goes).
                let room = seq.size_hint().unwrap_or(0).min(1 << 18);
                let mut files = Written::with_capacity_and_hasher(room, Default::default());
                while let Some(record) = seq.next_element::<FileRecord>()? {
                    files.insert(record.path, (record.key, record.stamp));
                }
                Ok(ByPath(files))
            }
        }
        deserializer.deserialize_seq(Visitor)
    }
}

/// The cache's meta file for the output folder `out_dir` (resolved as the writer resolves it).
pub fn path_for(out_dir: &Path) -> Result<PathBuf> {
    crate::output::work_file(out_dir, "gazette-cache")
}

/// `path` with `suffix` added to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

/// The article log that goes with the meta at `path`.
fn log_path(path: &Path) -> PathBuf {
    with_suffix(path, "-articles")
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

/// Reads the cache whose meta is at `path`, usable only when it was made with `settings`.
///
/// The log is read a batch of frames at a time while the previous batch is decoded on the
/// other cores, into buffers used again for every batch: reading the whole file into memory
/// first cost a copy of it (about 80 MB at 10,000 articles, 850 MB at 100,000) in fresh pages,
/// and about 50 ms at 10,000 articles before any decoding could begin. The checksum is checked
/// when the last frame has been read, before anything decoded is used.
pub fn read(path: &Path, settings: u128) -> Found {
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Found::Missing,
        Err(e) => return Found::Unusable(format!("cannot read it: {e}")),
    };
    let meta = match read_meta(&file, settings) {
        Ok(Some(meta)) => meta,
        Ok(None) => return Found::OtherSettings,
        Err(why) => return Found::Unusable(why),
    };
    let log = log_path(path);
    match read_log(&log, settings, meta.log) {
        Ok((articles, state, texts)) => Found::Usable(Stored {
            settings,
            articles,
            files: meta.files.0,
            log: state,
            texts: Some(texts),
        }),
        Err(why) => Found::Unusable(format!("its article log {} {why}", log.display())),
    }
}

/// The meta in `file`; `None` when it was made with other settings than `settings`, and
/// otherwise why it cannot be used. Decoded while it is read, never held whole (17 MB at
/// 100,000 articles, fresh memory every build); the checksum is compared first all the same:
/// damage is named as damage before anything the damaged bytes say.
fn read_meta(file: &fs::File, settings: u128) -> std::result::Result<Option<Meta<ByPath>>, String> {
    let too_short = || "it is damaged (too short)".to_string();
    let unreadable = |e: io::Error| format!("cannot read it: {e}");
    let mut header = [0; HEADER.len()];
    match read_full(&mut &*file, &mut header) {
        Ok(true) if header == HEADER => {}
        Ok(_) => return Err("it was written by another version of Gazette".into()),
        Err(e) => return Err(unreadable(e)),
    }
    let mut sum = [0; 16];
    if !read_full(&mut &*file, &mut sum).map_err(unreadable)? {
        return Err(too_short());
    }
    let mut input = io::BufReader::with_capacity(
        1 << 16,
        Summing {
            input: file,
            sum: xxhash_rust::xxh3::Xxh3::new(),
        },
    );
    // What the bytes say, read up to where it is known (the rest is only summed).
    let said = (|| -> std::result::Result<Option<Meta<ByPath>>, String> {
        let mut made_with = [0; 16];
        if !read_full(&mut input, &mut made_with).map_err(unreadable)? {
            return Err(too_short());
        }
        if u128::from_le_bytes(made_with) != settings {
            return Ok(None);
        }
        let cut = || "it is damaged (a frame is cut short)".to_string();
        let mut len = [0; 8];
        if !read_full(&mut input, &mut len).map_err(unreadable)? {
            return Err(cut());
        }
        let mut frame = (&mut input).take(u64::from_le_bytes(len));
        let meta = rmp_serde::from_read::<_, Meta<ByPath>>(&mut frame);
        io::copy(&mut frame, &mut io::sink()).map_err(unreadable)?;
        match meta {
            // The file ended inside the frame.
            _ if frame.limit() > 0 => Err(cut()),
            Ok(meta) if meta.settings == settings => Ok(Some(meta)),
            Ok(_) => Err("it is damaged (its settings disagree)".into()),
            Err(e) => Err(format!("it is damaged ({e})")),
        }
    })();
    io::copy(&mut input, &mut io::sink()).map_err(unreadable)?;
    if input.into_inner().sum.digest128() != u128::from_le_bytes(sum) {
        return Err("it is damaged (checksum mismatch)".into());
    }
    said
}

/// A log's articles, its state where they end, and the log their texts are read from.
type LogRead = (Vec<Box<Reused>>, Log, Arc<LogFile>);

/// The articles of the log at `path` up to `mark`, the log's state there, and the log their
/// texts are read from.
fn read_log(path: &Path, settings: u128, mark: LogMark) -> std::result::Result<LogRead, String> {
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err("is missing".into()),
        Err(e) => return Err(format!("cannot be read: {e}")),
    };
    // Bodies stay in the log, read through their own handle when a page needs them.
    let bodies = match file.try_clone() {
        Ok(handle) => Arc::new(LogFile::new(handle, path)),
        Err(e) => return Err(format!("cannot be read: {e}")),
    };
    // The texts of each frame are skipped, not read: a log shorter than the meta says would
    // let a skip run past its end unnoticed.
    match file.metadata() {
        Ok(meta) if meta.len() >= mark.len => {}
        Ok(_) => return Err("is damaged (cut short)".into()),
        Err(e) => return Err(format!("cannot be read: {e}")),
    }
    // Bytes past the mark are an append that was stopped: never read. Not buffered: each frame
    // is read straight into its own buffer (through a buffer, every byte was copied twice);
    // the cost is two more small reads per frame, for its lengths, and a seek past its texts.
    let mut input = file;
    let mut header = [0; LOG_HEADER.len()];
    match read_full(&mut input, &mut header) {
        Ok(true) if header == LOG_HEADER => {}
        Ok(_) => return Err("was written by another version of Gazette".into()),
        Err(e) => return Err(format!("cannot be read: {e}")),
    }
    let mut made_with = [0; 16];
    match read_full(&mut input, &mut made_with) {
        Ok(true) if u128::from_le_bytes(made_with) == settings => {}
        Ok(true) => return Err("was made with other settings".into()),
        Ok(false) => return Err("is damaged (too short)".into()),
        Err(e) => return Err(format!("cannot be read: {e}")),
    }
    let mut frames = Frames {
        input,
        sum: xxhash_rust::xxh3::Xxh3::new(),
        read: (LOG_HEADER.len() + 16) as u64,
        end: mark.len,
        bodies,
    };
    frames.sum.update(&made_with);
    // Room for every entry at once (a damaged count cannot ask for more than the log could
    // hold): grown by doubling, the list cost about twice its size in fresh memory.
    let entries = usize::try_from(mark.entries.min(mark.len / 64)).unwrap_or(0);
    let decoded = match frames.decode(entries) {
        Ok(decoded) => decoded,
        Err(Cut::Short) => return Err("is damaged (a frame is cut short)".into()),
        Err(Cut::Io(e)) => return Err(format!("cannot be read: {e}")),
    };
    let state = Log {
        len: frames.read,
        entries: decoded.as_ref().map_or(0, |a| a.len() as u64),
        sum: Box::new(frames.sum),
    };
    if state.mark() != mark {
        return Err(if state.len < mark.len {
            "is damaged (cut short)".into()
        } else {
            "is damaged (checksum mismatch)".into()
        });
    }
    match decoded {
        Ok(articles) => Ok((articles, state, frames.bodies)),
        Err(e) => Err(format!("is damaged ({e})")),
    }
}

/// Frames of about this many bytes of MessagePack are read while the previous batch is decoded
/// (about thirty of [`ARTICLES_PER_FRAME`]).
const BATCH_BYTES: usize = 2 << 20;

/// Why the frames could not all be read.
enum Cut {
    Short,
    Io(io::Error),
}

/// One frame of the log: when the load that saw these articles began, and the articles.
type Run = (i128, Vec<Box<Reused>>);

/// A frame's bytes, and where its texts lie in the log (their offset and length).
type Buffer = (Vec<u8>, (u64, u64));

/// The log's frames, read in order through the checksum.
struct Frames<R> {
    input: R,
    sum: xxhash_rust::xxh3::Xxh3,
    /// Bytes read so far, header included.
    read: u64,
    /// Where the input ends (the log's length the meta vouches for).
    end: u64,
    /// The log, for the bodies the frames leave in it.
    bodies: Arc<LogFile>,
}

impl<R: io::Read + io::Seek + Send> Frames<R> {
    /// Every frame read and decoded (about `entries` articles). A frame that does not decode is
    /// an `Err` inside: the checksum decides which damage to name.
    fn decode(
        &mut self,
        entries: usize,
    ) -> std::result::Result<std::result::Result<Vec<Box<Reused>>, String>, Cut> {
        let (mut current, mut next): (Vec<Buffer>, Vec<Buffer>) = (Vec::new(), Vec::new());
        let mut filled = self.batch(&mut current)?;
        let mut articles: Vec<Box<Reused>> = Vec::with_capacity(entries);
        let mut failed: Option<String> = None;
        let log = Arc::clone(&self.bodies);
        while filled > 0 {
            let (read, decoded) = rayon::join(
                || self.batch(&mut next),
                || {
                    current[..filled]
                        .par_iter()
                        .map(|(frame, texts)| {
                            body::leaving_bodies_in(&log, *texts, || {
                                rmp_serde::from_slice::<Run>(frame)
                            })
                        })
                        .collect::<std::result::Result<Vec<_>, _>>()
                },
            );
            match decoded {
                Ok(runs) if failed.is_none() => {
                    for (taken_at_ns, run) in runs {
                        articles.extend(run.into_iter().map(|mut r| {
                            r.taken_at_ns = taken_at_ns;
                            r
                        }));
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    failed.get_or_insert(e.to_string());
                }
            }
            filled = read?;
            std::mem::swap(&mut current, &mut next);
        }
        Ok(match failed {
            Some(e) => Err(e),
            None => Ok(articles),
        })
    }

    /// Reads frames into `into` (its buffers used again) until about [`BATCH_BYTES`] are read
    /// or the input ends; returns how many were read.
    fn batch(&mut self, into: &mut Vec<Buffer>) -> std::result::Result<usize, Cut> {
        let (mut count, mut bytes) = (0, 0);
        while bytes < BATCH_BYTES {
            if into.len() == count {
                into.push((Vec::new(), (0, 0)));
            }
            let Some(buffer) = into.get_mut(count) else {
                break;
            };
            if !self.next(buffer)? {
                break;
            }
            bytes += buffer.0.len();
            count += 1;
        }
        Ok(count)
    }

    /// Reads the next frame into `buffer`, with where its texts lie in the log (they are
    /// skipped); false at the end of the input.
    fn next(&mut self, (buffer, texts): &mut Buffer) -> std::result::Result<bool, Cut> {
        if self.read >= self.end {
            return Ok(false);
        }
        let len = self.length()?;
        let len_bytes = usize::try_from(len).map_err(|_| Cut::Short)?;
        buffer.clear();
        // Room for the whole frame first, and exactly: growing a used buffer copies what it
        // held and doubles it, and every fresh page costs (frames of about 2 MB grew to 4 MB).
        if buffer.capacity() < len_bytes {
            *buffer = Vec::with_capacity(len_bytes);
        }
        let got = (&mut self.input)
            .take(len)
            .read_to_end(buffer)
            .map_err(Cut::Io)?;
        if got as u64 != len {
            return Err(Cut::Short);
        }
        self.sum.update(buffer);
        self.read += len;
        let texts_len = self.length()?;
        let skip = i64::try_from(texts_len).map_err(|_| Cut::Short)?;
        self.input
            .seek(io::SeekFrom::Current(skip))
            .map_err(Cut::Io)?;
        *texts = (self.read, texts_len);
        self.read += texts_len;
        Ok(true)
    }

    /// Reads (and sums) a length, which must leave room for that many bytes before the end.
    fn length(&mut self) -> std::result::Result<u64, Cut> {
        let mut prefix = [0; 8];
        match read_full(&mut self.input, &mut prefix) {
            Ok(true) => {}
            Ok(false) => return Err(Cut::Short),
            Err(e) => return Err(Cut::Io(e)),
        }
        let len = u64::from_le_bytes(prefix);
        // A damaged length must not ask for gigabytes: what it counts cannot run past the end.
        if len > self.end.saturating_sub(self.read + 8) {
            return Err(Cut::Short);
        }
        self.sum.update(&prefix);
        self.read += 8;
        Ok(len)
    }
}

/// Fills `buf`; false when the input ends first (at its start or part way: both mean the
/// file is shorter than its layout says).
fn read_full(input: &mut impl io::Read, buf: &mut [u8]) -> io::Result<bool> {
    match input.read_exact(buf) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e),
    }
}

/// Writes the cache whose meta is at `path`: the log ([`write_log`]), then the meta
/// ([`write_meta`]).
#[cfg(test)]
pub fn write<A: Serialize + Sync>(
    path: &Path,
    settings: u128,
    taken_at_ns: i128,
    files: &[FileRecord],
    articles: (usize, impl FnOnce() -> Vec<A>, &[A]),
    prior: Option<Log>,
) -> Result<()> {
    let log = write_log(path, settings, taken_at_ns, articles, prior)?;
    write_meta(path, settings, files, log)
}

/// An article log as this build wrote it, which no meta vouches for yet: [`write_meta`] makes
/// it the cache's.
pub struct NewLog {
    state: Log,
    /// A log written afresh, under its temporary name until the meta is written (which
    /// renames it into its place): until then the cache's meta still vouches for the old log
    /// (a build that fails leaves the cache as it was). Removed when dropped.
    waiting: Option<PathBuf>,
    /// Where the bodies this build held in memory now lie in the log (none when nothing was
    /// written).
    placed: Option<body::Placed>,
}

impl NewLog {
    /// Leaves in the log the bodies of `articles` it holds (their search words too), and
    /// forgets where they lie; gives how many articles' bodies were left.
    pub fn leave_bodies(&mut self, articles: &mut [crate::content::Article]) -> usize {
        let Some(placed) = self.placed.take() else {
            return 0;
        };
        articles
            .par_iter_mut()
            .map(|article| usize::from(article.leave_bodies_in(&placed)))
            .sum()
    }
}

impl Drop for NewLog {
    fn drop(&mut self) {
        if let Some(tmp) = self.waiting.take() {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// Writes the article log of the cache whose meta is at `path`: the site's `count` articles
/// (each of which serialises as a [`Reused`]), seen by a load that began at `taken_at_ns`.
/// With the log of an earlier build (`prior`) only `new` (the articles not in that log as they
/// are now) are appended to it, unless the log would then hold more than twice as many
/// articles as the site, when it is written afresh from `all` (asked only then: gathering
/// every article took three lookups by path each). Written before the pages are rendered, so
/// that the build can leave the bodies it wrote in the log ([`NewLog::leave_bodies`]).
pub fn write_log<A: Serialize + Sync>(
    path: &Path,
    settings: u128,
    taken_at_ns: i128,
    (count, all, new): (usize, impl FnOnce() -> Vec<A>, &[A]),
    prior: Option<Log>,
) -> Result<NewLog> {
    let log_file = log_path(path);
    match prior {
        Some(prior) if prior.entries + new.len() as u64 <= 2 * count.max(1) as u64 => {
            append(&log_file, prior, taken_at_ns, new)
        }
        _ => rewrite(&log_file, settings, taken_at_ns, &all()),
    }
    .map_err(|e| Error::io(&log_file, e))
}

/// Writes the meta at `path`, vouching for `files` and `log`: last, through a temporary file
/// and a rename (a log written afresh is renamed into its place just before), so the meta
/// always vouches for a whole log.
pub fn write_meta(
    path: &Path,
    settings: u128,
    files: &[FileRecord],
    mut log: NewLog,
) -> Result<()> {
    if let Some(tmp) = log.waiting.take() {
        let to = log_path(path);
        fs::rename(&tmp, &to).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            Error::io(&to, e)
        })?;
    }
    let tmp = with_suffix(path, ".tmp");
    // Streamed to the file, never whole in memory (17 MB at 100,000 articles, in a buffer grown
    // by doubling and then copied: about 80 MB of fresh memory). The frame's length comes
    // first, so the frame is encoded twice, the first time only to count its bytes; the
    // checksum comes before what it sums, so it is written last, in the place kept for it.
    let write = || -> io::Result<()> {
        let meta = Meta {
            settings,
            files,
            log: log.state.mark(),
        };
        // Through a buffer: MessagePack is written a field at a time, and summing each piece
        // apart was most of the time the meta took to write.
        let mut counted = io::BufWriter::with_capacity(1 << 16, Summed::new(io::sink()));
        rmp_serde::encode::write(&mut counted, &meta).map_err(io::Error::other)?;
        let frame_len = counted
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?
            .written;
        let mut file = fs::File::create(&tmp)?;
        file.write_all(HEADER)?;
        file.write_all(&[0; 16])?;
        let mut out = io::BufWriter::with_capacity(1 << 16, Summed::new(file));
        out.write_all(&settings.to_le_bytes())?;
        out.write_all(&frame_len.to_le_bytes())?;
        rmp_serde::encode::write(&mut out, &meta).map_err(io::Error::other)?;
        let summed = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        if summed.written != 24 + frame_len {
            return Err(io::Error::other("the meta encoded to another length twice"));
        }
        let mut file = summed.out;
        file.seek(io::SeekFrom::Start(HEADER.len() as u64))?;
        file.write_all(&summed.sum.digest128().to_le_bytes())?;
        drop(file);
        fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Appends `new` to the log at `path`, which ends as `prior` says (bytes after that are cut).
fn append<A: Serialize + Sync>(
    path: &Path,
    prior: Log,
    taken_at_ns: i128,
    new: &[A],
) -> io::Result<NewLog> {
    // Nothing to append (an unchanged site): the log is left alone.
    if new.is_empty() {
        return Ok(NewLog {
            state: prior,
            waiting: None,
            placed: None,
        });
    }
    let entries = prior.entries + new.len() as u64;
    let mut file = fs::OpenOptions::new().read(true).write(true).open(path)?;
    let bodies = Arc::new(LogFile::new(file.try_clone()?, path));
    file.set_len(prior.len)?;
    file.seek(io::SeekFrom::Start(prior.len))?;
    let mut out = Summed {
        out: io::BufWriter::new(file),
        sum: *prior.sum,
        written: prior.len,
    };
    let spots = frames(&mut out, taken_at_ns, new)?;
    out.out.flush()?;
    Ok(NewLog {
        state: Log {
            len: out.written,
            entries,
            sum: Box::new(out.sum),
        },
        waiting: None,
        placed: Some(body::Placed::new(bodies, spots)),
    })
}

/// Writes a new log for `path` holding `all`, to a temporary file that
/// [`write_meta`] renames into place.
fn rewrite<A: Serialize + Sync>(
    path: &Path,
    settings: u128,
    taken_at_ns: i128,
    all: &[A],
) -> io::Result<NewLog> {
    let tmp = with_suffix(path, ".tmp");
    let write = || -> io::Result<NewLog> {
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        let bodies = Arc::new(LogFile::new(file.try_clone()?, path));
        let mut file = io::BufWriter::new(file);
        file.write_all(LOG_HEADER)?;
        let mut out = Summed {
            out: file,
            sum: xxhash_rust::xxh3::Xxh3::new(),
            written: LOG_HEADER.len() as u64,
        };
        out.write_all(&settings.to_le_bytes())?;
        let spots = frames(&mut out, taken_at_ns, all)?;
        out.out.flush()?;
        Ok(NewLog {
            state: Log {
                len: out.written,
                entries: all.len() as u64,
                sum: Box::new(out.sum),
            },
            waiting: Some(tmp.clone()),
            placed: Some(body::Placed::new(bodies, spots)),
        })
    };
    write().inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// Writes `articles` as frames of [`ARTICLES_PER_FRAME`], encoded a few at a time on every core
/// while the frames before them are written; gives where in the log each body they held in
/// memory went.
fn frames<A: Serialize + Sync>(
    out: &mut Summed<impl Write + Send>,
    taken_at_ns: i128,
    articles: &[A],
) -> io::Result<Vec<(usize, body::Spot)>> {
    type Encoded = Vec<std::result::Result<body::Placing, rmp_serde::encode::Error>>;
    let batch = ARTICLES_PER_FRAME * 2 * rayon::current_num_threads().max(1);
    let mut placed = Vec::new();
    let mut write = |encoded: Encoded| -> io::Result<(usize, usize)> {
        let mut largest = (0, 0);
        for encoded in encoded {
            let encoded = encoded.map_err(io::Error::other)?;
            largest.0 = largest.0.max(encoded.frame.len());
            largest.1 = largest.1.max(encoded.texts.len());
            let texts_at = frame(out, &encoded.frame, &encoded.texts)?;
            placed.extend(
                encoded
                    .spots
                    .into_iter()
                    .map(|(key, spot)| (key, spot.in_frame_at(texts_at))),
            );
        }
        Ok(largest)
    };
    // Each frame's buffers have room at once for a little more than the largest so far (up to
    // 4 MB; a larger one grows): grown by doubling, every frame was copied about once more,
    // into fresh memory.
    const MAX_ROOM: usize = 4 << 20;
    let encode = |articles: &[A], room: (usize, usize)| -> Encoded {
        articles
            .par_chunks(ARTICLES_PER_FRAME)
            .map(|run| body::encode_placing(&(taken_at_ns, run), room))
            .collect()
    };
    let more = |room: usize| (room + room / 4).min(MAX_ROOM);
    // One batch is written while the next is encoded: one after the other, the cores that
    // encode waited for each batch to be written (at 10,000 articles a third of the log's time).
    let mut room = (0, 0);
    let mut waiting: Option<Encoded> = None;
    for articles in articles.chunks(batch) {
        let (written, encoded) = rayon::join(
            || waiting.take().map_or(Ok((0, 0)), &mut write),
            || encode(articles, (more(room.0), more(room.1))),
        );
        let written = written?;
        room = (room.0.max(written.0), room.1.max(written.1));
        waiting = Some(encoded);
    }
    if let Some(last) = waiting {
        write(last)?;
    }
    Ok(placed)
}

/// One frame: the length of its MessagePack, the MessagePack, the length of its texts, then the
/// texts. Gives where the texts begin in the log. The texts are not summed: each is checked
/// against its xxh3 (which the MessagePack holds) when it is read, so a build reads the few it
/// needs and skips the rest (six sevenths of the log at 100,000 articles), and damage in one is
/// found when it is read ([`crate::content::Body`]).
fn frame(out: &mut Summed<impl Write>, bytes: &[u8], texts: &[u8]) -> io::Result<u64> {
    out.write_all(&(bytes.len() as u64).to_le_bytes())?;
    out.write_all(bytes)?;
    out.write_all(&(texts.len() as u64).to_le_bytes())?;
    let at = out.written;
    out.out.write_all(texts)?;
    out.written += texts.len() as u64;
    Ok(at)
}

/// A writer that checksums and counts what it passes on.
struct Summed<W> {
    out: W,
    sum: xxhash_rust::xxh3::Xxh3,
    written: u64,
}

impl<W> Summed<W> {
    fn new(out: W) -> Summed<W> {
        Summed {
            out,
            sum: xxhash_rust::xxh3::Xxh3::new(),
            written: 0,
        }
    }
}

impl<W: Write> Write for Summed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        let done = buf.get(..n).unwrap_or_default();
        self.sum.update(done);
        self.written += done.len() as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The first line of every card file; the number changes with the layout.
const CARDS_HEADER: &[u8] = b"gazette card cache 2\n";

/// The card file that goes with the meta at `path`: the cards of the last incremental build
/// that rendered many, each by the fingerprint of what it shows ([`crate::render::CardCache`]),
/// for one theme and settings (`salt`): a header line, the salt, the cards in MessagePack, and
/// an xxh3 of all but the header. Written whole through a temporary file and a rename; a card
/// file that is missing, damaged or for another salt offers nothing.
pub fn cards_path(path: &Path) -> PathBuf {
    with_suffix(path, "-cards")
}

/// The cards in the card file at `path`, if it was written for `salt`.
pub fn read_cards(path: &Path, salt: u128) -> KeptCards {
    let Ok(file) = fs::File::open(path) else {
        return KeptCards::default();
    };
    // SAFETY: a mapped file must not shrink while it is mapped. Gazette never writes a card
    // file in place: it is written whole beside it and renamed over it (`write_whole`), which
    // leaves a mapping of the old file whole. Only another program writing into the card file
    // while a build runs could change what the map holds after its checksum was checked, or
    // stop the build by cutting the file shorter.
    let bytes = match unsafe { memmap2::Mmap::map(&file) } {
        Ok(map) => CardBytes::Mapped(map),
        Err(_) => return KeptCards::default(),
    };
    KeptCards::within(bytes, |bytes| cards_in(bytes, salt).unwrap_or_default())
}

/// The cards of a card file's bytes, borrowed from them, if they are whole and for `salt`.
fn cards_in(bytes: &[u8], salt: u128) -> Option<Vec<(u128, &str)>> {
    whole_in(bytes, CARDS_HEADER, salt)
}

/// Writes `cards` (rendered for `salt`) as the card file at `path`.
pub fn write_cards(path: &Path, salt: u128, cards: &[(u128, &str)]) -> Result<()> {
    write_whole(path, CARDS_HEADER, salt, cards)
}

/// The first line of every search file; the number changes with the layout.
const SEARCH_HEADER: &[u8] = b"gazette search cache 1\n";

/// The search file that goes with the meta at `path`: the postings the last search index was
/// made from, with each article's search print ([`crate::search::Kept`]), for one set of
/// settings. Laid out, written and checked as the card file is; a search file that is missing,
/// damaged or for other settings offers nothing, and the index is made from every article.
pub fn search_path(path: &Path) -> PathBuf {
    with_suffix(path, "-search")
}

/// The postings in the search file at `path`, if it was written for `settings`.
pub fn read_search(path: &Path, settings: u128) -> Option<Kept> {
    read_whole(path, SEARCH_HEADER, settings)
}

/// Writes `kept` (made with `settings`) as the search file at `path`.
pub fn write_search(path: &Path, settings: u128, kept: &Kept) -> Result<()> {
    write_whole(path, SEARCH_HEADER, settings, kept)
}

/// The first line of every related file; the number changes with the layout.
const RELATED_HEADER: &[u8] = b"gazette related cache 1\n";

/// The related file that goes with the meta at `path`: what the last build kept of its plan
/// for the next one to carry related lists over ([`crate::site::Related`]), with the print of
/// each article it was planned with (same index as its files), for one set of settings. Laid out, written and checked as the card file is; one that is missing, damaged or
/// for other settings offers nothing, and every related list is counted again.
pub fn related_path(path: &Path) -> PathBuf {
    with_suffix(path, "-related")
}

/// The plan kept in the related file at `path`, if it was written for `settings`.
pub fn read_related(path: &Path, settings: u128) -> Option<(Vec<u128>, Related)> {
    read_whole(path, RELATED_HEADER, settings)
}

/// Writes `related` (planned with `settings`) as the related file at `path`.
pub fn write_related(path: &Path, settings: u128, related: &(Vec<u128>, Related)) -> Result<()> {
    write_whole(path, RELATED_HEADER, settings, related)
}

/// The value of a file written by [`write_whole`] (borrowing from its bytes), if it is whole,
/// begins with `header` and was written for `salt`.
fn whole_in<'a, T: Deserialize<'a>>(bytes: &'a [u8], header: &[u8], salt: u128) -> Option<T> {
    let (body, sum) = bytes.strip_prefix(header)?.split_last_chunk::<16>()?;
    if u128::from_le_bytes(*sum) != xxhash_rust::xxh3::xxh3_128(body) {
        return None;
    }
    let (made_for, value) = body.split_first_chunk::<16>()?;
    if u128::from_le_bytes(*made_for) != salt {
        return None;
    }
    rmp_serde::from_slice(value).ok()
}

/// The value of a file written by [`write_whole`], as [`whole_in`] finds it, decoded while the
/// file is read: the file is never held whole in memory (25 MB of fresh memory for the search
/// file at 100,000 articles, 12 MB for the related file). A value that decodes from damaged
/// bytes is dropped when the checksum, read last, disagrees.
fn read_whole<T: serde::de::DeserializeOwned>(path: &Path, header: &[u8], salt: u128) -> Option<T> {
    let file = fs::File::open(path).ok()?;
    // The salt and the value, between the header and the checksum.
    let summed_len = file
        .metadata()
        .ok()?
        .len()
        .checked_sub((header.len() + 16) as u64)?;
    let mut head = vec![0; header.len()];
    (&file).read_exact(&mut head).ok()?;
    if head != header {
        return None;
    }
    let mut input = io::BufReader::with_capacity(
        1 << 16,
        Summing {
            input: (&file).take(summed_len),
            sum: xxhash_rust::xxh3::Xxh3::new(),
        },
    );
    let mut made_for = [0; 16];
    input.read_exact(&mut made_for).ok()?;
    if u128::from_le_bytes(made_for) != salt {
        return None;
    }
    let value = rmp_serde::from_read(&mut input).ok()?;
    // Every byte before the checksum is the value's.
    if !io::BufRead::fill_buf(&mut input).ok()?.is_empty() {
        return None;
    }
    let summed = input.into_inner().sum.digest128();
    let mut sum = [0; 16];
    (&file).read_exact(&mut sum).ok()?;
    (u128::from_le_bytes(sum) == summed).then_some(value)
}

/// A reader that checksums what it passes on.
struct Summing<R> {
    input: R,
    sum: xxhash_rust::xxh3::Xxh3,
}

impl<R: Read> Read for Summing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.input.read(buf)?;
        self.sum.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// Writes `value` (made for `salt`) to `path`, whole, through a temporary file and a rename:
/// `header`, the salt, the value in MessagePack, and an xxh3 of all but the header, streamed
/// (the checksum comes last).
fn write_whole<T: Serialize + ?Sized>(
    path: &Path,
    header: &[u8],
    salt: u128,
    value: &T,
) -> Result<()> {
    let tmp = with_suffix(path, ".tmp");
    let write = || -> io::Result<()> {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(header)?;
        // Summed a buffer at a time, not a MessagePack field at a time.
        let mut out = io::BufWriter::with_capacity(1 << 16, Summed::new(file));
        out.write_all(&salt.to_le_bytes())?;
        rmp_serde::encode::write(&mut out, value).map_err(io::Error::other)?;
        let summed = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        let mut file = summed.out;
        file.write_all(&summed.sum.digest128().to_le_bytes())?;
        drop(file);
        fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Removes the cache's meta at `path`, before the output changes: a build stopped while it
/// changes must leave no cache that describes the old output. The article log stays (without
/// a meta it is never read, and the next build writes it afresh).
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
    use crate::content::{Article, Source};

    fn reused(n: usize) -> Reused {
        let mut article = Article::sample(
            &format!("Story {n}"),
            &format!("s{n}"),
            "2024-11-27T10:00:00Z",
        );
        article.body_html = format!("<p>{}</p>", "word ".repeat(2_000 + n)).into();
        // Summaries long enough that the frames fill more than one batch (their bodies are
        // skipped).
        article.summary = "summary ".repeat(1_500 + n);
        article.search_words = format!("story{n} words").into();
        article.headings = crate::content::Headings::new(&[crate::markdown::Heading {
            level: 2,
            id: format!("part-{n}"),
            text: format!("Part \"{n}\""),
        }]);
        Reused {
            source: Source {
                stamp: Stamp {
                    len: n as u64,
                    inode: 1,
                    mtime_ns: 2,
                    ctime_ns: 3,
                },
                hash: n as u128,
            },
            article,
            links: Vec::new(),
            print: n as u128,
            taken_at_ns: 0,
        }
    }

    /// Writes with no earlier log: every article in a new one.
    fn write_all(path: &Path, settings: u128, files: &[FileRecord], all: &[Reused]) {
        write(
            path,
            settings,
            11,
            files,
            (all.len(), || all.to_vec(), &[]),
            None,
        )
        .unwrap();
    }

    fn usable(path: &Path) -> Stored {
        match read(path, 7) {
            Found::Usable(stored) => stored,
            other => panic!("not usable: {other:?}"),
        }
    }

    fn titles<R: std::borrow::Borrow<Reused>>(list: &[R]) -> Vec<String> {
        list.iter()
            .map(|r| r.borrow().article.title.clone())
            .collect()
    }

    #[test]
    fn many_frames_read_back_in_order_and_damage_in_any_of_them_is_named() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(".public.gazette-cache");
        let articles: Vec<Reused> = (0..3 * ARTICLES_PER_FRAME + 7).map(reused).collect();
        write_all(&path, 7, &[], &articles);
        let log = log_path(&path);
        let summaries: usize = articles.iter().map(|r| r.article.summary.len()).sum();
        assert!(summaries > BATCH_BYTES, "several batches");
        let back = usable(&path);
        assert_eq!(titles(&back.articles), titles(&articles));
        assert!(back.articles.iter().all(|r| r.taken_at_ns == 11));
        let third_frame = 2 * ARTICLES_PER_FRAME + 3;
        assert_eq!(
            back.articles[third_frame].source,
            articles[third_frame].source
        );
        // Bodies, search words and headings stay in the log, read back when asked for; every
        // one is where it was written.
        assert!(back.articles.iter().all(|r| {
            let article = &r.article;
            article.body_html.is_logged()
                && article.search_words.is_logged()
                && article.headings.is_logged()
        }));
        for (back, written) in back.articles.iter().zip(&articles) {
            assert_eq!(
                back.article.body_html.html().unwrap(),
                written.article.body_html.html().unwrap()
            );
            assert_eq!(
                back.article.search_words.text().unwrap(),
                written.article.search_words.text().unwrap()
            );
            let headings = back.article.headings.list().unwrap();
            assert_eq!(headings, written.article.headings.list().unwrap());
            assert_eq!(headings.len(), 1);
        }

        let bytes = fs::read(&log).unwrap();
        // Damage in a frame's MessagePack (a summary, in the middle frame) is found at once.
        let find = |text: &[u8]| bytes.windows(text.len()).position(|w| w == text).unwrap();
        let mut damaged = bytes.clone();
        let summary = find(
            back.articles[third_frame - ARTICLES_PER_FRAME]
                .article
                .summary
                .as_bytes(),
        );
        damaged[summary + 5] ^= 0x40;
        fs::write(&log, &damaged).unwrap();
        assert!(matches!(read(&path, 7), Found::Unusable(why) if why.contains("checksum")));
        // Damage in a text is found when the text is read, and only then.
        let mut damaged = bytes.clone();
        damaged[find(b"story100 words") + 2] ^= 0x40;
        fs::write(&log, &damaged).unwrap();
        let read_back = usable(&path);
        let error = read_back.articles[100]
            .article
            .search_words
            .text()
            .unwrap_err();
        assert!(error.contains("does not match its checksum"), "{error}");
        assert!(read_back.articles[99].article.search_words.text().is_ok());
        // A frame length longer than the log is named, not allocated.
        let mut damaged = bytes.clone();
        let first = LOG_HEADER.len() + 16;
        damaged[first..first + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        fs::write(&log, &damaged).unwrap();
        assert!(matches!(read(&path, 7), Found::Unusable(why) if why.contains("cut short")));
        fs::write(&log, &bytes[..bytes.len() - 100]).unwrap();
        assert!(matches!(read(&path, 7), Found::Unusable(why) if why.contains("cut short")));
        fs::remove_file(&log).unwrap();
        assert!(matches!(read(&path, 7), Found::Unusable(why) if why.contains("missing")));
    }

    /// The bodies a build wrote to its log are left there and read back the same; a log
    /// written afresh takes the log's place only with the meta, and is gone if the build
    /// stops before (the last cache is used as it was).
    #[test]
    fn bodies_written_to_the_log_are_left_there_and_read_back() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(".public.gazette-cache");
        let log = log_path(&path);
        let all: Vec<Reused> = (0..300).map(reused).collect();
        let mut articles: Vec<Article> = all.iter().map(|r| r.article.clone()).collect();
        let mut new = write_log(&path, 7, 11, (all.len(), || all.to_vec(), &[]), None).unwrap();
        assert!(!log.exists(), "the new log waits for its meta");
        assert_eq!(new.leave_bodies(&mut articles), 300);
        for (left, was) in articles.iter().zip(&all) {
            let was = &was.article;
            assert!(left.body_html.is_logged() && left.search_words.is_logged());
            assert!(!left.headings.is_logged(), "headings stay in memory");
            assert_eq!(
                left.body_html.html().unwrap(),
                was.body_html.html().unwrap()
            );
            assert_eq!(left.search_words, was.search_words);
            assert_eq!(left.headings.list().unwrap(), was.headings.list().unwrap());
        }
        // Stopped before the meta: nothing is left beside it.
        drop(new);
        assert!(!log.exists() && !with_suffix(&log, ".tmp").exists());
        assert_eq!(
            articles[7].body_html, all[7].article.body_html,
            "still read"
        );

        write_meta(
            &path,
            7,
            &[],
            write_log(&path, 7, 11, (all.len(), || all.to_vec(), &[]), None).unwrap(),
        )
        .unwrap();
        assert_eq!(usable(&path).articles.len(), 300);
        // Appended: only what the build held in memory is left; a logged body stays where
        // it is.
        let mut edited = articles[3].clone();
        edited.title = "Story 3, edited".into();
        edited.body_html = "<p>Edited.</p>".into();
        let entry = Reused {
            article: edited.clone(),
            ..all[3].clone()
        };
        let prior = usable(&path).log;
        let mut appended = write_log(
            &path,
            7,
            12,
            (all.len(), Vec::new, std::slice::from_ref(&entry)),
            Some(prior),
        )
        .unwrap();
        let mut taken = [edited, articles[4].clone()];
        assert_eq!(appended.leave_bodies(&mut taken), 1);
        assert!(taken[0].body_html.is_logged());
        assert_eq!(taken[0].body_html.html().unwrap(), "<p>Edited.</p>");
        assert_eq!(taken[1].body_html, all[4].article.body_html);
        write_meta(&path, 7, &[], appended).unwrap();
        assert_eq!(usable(&path).articles.len(), 301);
    }

    #[test]
    fn a_build_appends_its_new_articles_and_a_stopped_append_is_cut() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(".public.gazette-cache");
        let log = log_path(&path);
        let mut all: Vec<Reused> = (0..4).map(reused).collect();
        write_all(&path, 7, &[], &all);
        let written = fs::metadata(&log).unwrap().len();

        // Article 2 edited: only it is appended, with the new load's time.
        all[2].article.title = "Story 2, edited".into();
        let prior = usable(&path).log;
        write(
            &path,
            7,
            12,
            &[],
            (all.len(), || all.to_vec(), &[all[2].clone()]),
            Some(prior),
        )
        .unwrap();
        assert!(fs::metadata(&log).unwrap().len() < written + written / 2);
        let back = usable(&path);
        assert_eq!(
            titles(&back.articles),
            [
                "Story 0",
                "Story 1",
                "Story 2",
                "Story 3",
                "Story 2, edited"
            ]
        );
        let times: Vec<i128> = back.articles.iter().map(|r| r.taken_at_ns).collect();
        assert_eq!(times, [11, 11, 11, 11, 12]);

        // An append stopped half way leaves bytes the meta does not vouch for: never read,
        // and cut by the next append.
        let mut file = fs::OpenOptions::new().append(true).open(&log).unwrap();
        file.write_all(b"half a frame").unwrap();
        drop(file);
        let prior = usable(&path).log;
        write(
            &path,
            7,
            13,
            &[],
            (all.len(), || all.to_vec(), &[all[0].clone()]),
            Some(prior),
        )
        .unwrap();
        assert_eq!(usable(&path).articles.len(), 6);

        // A log holding more than twice the site's articles is written afresh.
        let prior = usable(&path).log;
        let few = &all[..2];
        write(
            &path,
            7,
            14,
            &[],
            (few.len(), || few.to_vec(), &[few[0].clone()]),
            Some(prior),
        )
        .unwrap();
        let back = usable(&path);
        assert_eq!(titles(&back.articles), ["Story 0", "Story 1"]);
        assert!(back.articles.iter().all(|r| r.taken_at_ns == 14));
    }

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
        write_all(&path, 7, &files, &[]);
        let back = usable(&path);
        assert_eq!((back.settings, back.files.len()), (7, 1));
        assert_eq!(back.files.get("index.html"), Some(&(Some(3), None)));
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

    #[test]
    fn a_card_file_offers_its_cards_only_whole_and_for_its_salt() {
        let dir = tempfile::tempdir().unwrap();
        let path = cards_path(&dir.path().join(".public.gazette-cache"));
        assert!(read_cards(&path, 7).is_empty(), "no file");
        let cards = [(1, "<article>One</article>"), (2, ""), (3, "<p>é</p>")];
        write_cards(&path, 7, &cards).unwrap();
        let back = read_cards(&path, 7);
        assert_eq!(back.len(), 3);
        assert_eq!(back.get(1), Some("<article>One</article>"));
        assert_eq!(back.get(2), Some(""));
        assert_eq!(back.get(3), Some("<p>é</p>"));
        assert_eq!(back.get(4), None);
        assert!(read_cards(&path, 8).is_empty(), "another theme or settings");
        // The file is mapped: it is written in place below only once nothing maps it.
        drop(back);
        let mut bytes = fs::read(&path).unwrap();
        let last = bytes.len() - 3;
        bytes[last] ^= 1;
        fs::write(&path, &bytes).unwrap();
        assert!(read_cards(&path, 7).is_empty(), "damaged");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    }

    #[test]
    fn a_search_file_offers_its_postings_only_whole_and_for_its_settings() {
        let dir = tempfile::tempdir().unwrap();
        let path = search_path(&dir.path().join(".public.gazette-cache"));
        assert_eq!(read_search(&path, 7), None, "no file");
        let mut kept = Kept {
            prints: vec![11, 12],
            words: vec![
                ("rain".into(), Default::default()),
                ("smog".into(), Default::default()),
            ],
        };
        kept.words[0].1.push(1);
        kept.words[1].1.push(0);
        kept.words[1].1.push(1);
        write_search(&path, 7, &kept).unwrap();
        assert_eq!(read_search(&path, 7), Some(kept));
        assert_eq!(read_search(&path, 8), None, "other settings");
        let whole = fs::read(&path).unwrap();
        let mut bytes = whole.clone();
        let last = bytes.len() - 20;
        bytes[last] ^= 1;
        fs::write(&path, &bytes).unwrap();
        assert_eq!(read_search(&path, 7), None, "damaged");
        // Read as it is decoded: a file cut short, or with bytes past the value, is not whole.
        for len in [
            whole.len() - 1,
            whole.len() - 17,
            SEARCH_HEADER.len() + 10,
            3,
        ] {
            fs::write(&path, &whole[..len]).unwrap();
            assert_eq!(read_search(&path, 7), None, "cut to {len} bytes");
        }
        // A byte past the value, summed with it: only the check that the value ends where the
        // checksum begins refuses it.
        let mut longer = whole[..whole.len() - 16].to_vec();
        longer.push(0x90);
        let sum = xxhash_rust::xxh3::xxh3_128(&longer[SEARCH_HEADER.len()..]);
        longer.extend_from_slice(&sum.to_le_bytes());
        fs::write(&path, &longer).unwrap();
        assert_eq!(read_search(&path, 7), None, "a byte past the value");
        fs::write(&path, &whole).unwrap();
        assert!(read_search(&path, 7).is_some(), "whole again");
    }
}
