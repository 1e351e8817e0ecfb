//! An article's rendered body (and its search words and headings, kept the same way). With them
//! the texts are six sevenths of the build cache's article log (670 of its 790 MB at 100,000
//! articles), and a build that takes its articles from the log needs few of them: the pages of
//! the articles around a change, and feed items. So each log frame keeps its texts apart from
//! its MessagePack, which holds where each text lies and its xxh3; a build reads only the
//! MessagePack, and an article decoded from it keeps where its texts are, each read (and
//! checked) when a page needs it. Decoding every body cost the build the memory to hold them,
//! and reading them all cost it 0.5 s of CPU at 100,000 articles.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Error as _, Serialize, Serializer};

/// The HTML of an article's body: in memory, or where the build cache's log holds it.
#[derive(Clone, Default)]
pub struct Body(Repr);

#[derive(Clone)]
enum Repr {
    /// Shared, so that copying an article does not copy its body: `gazette serve` copies the
    /// whole plan when a save comes while a later job still renders from it, and the bodies
    /// were 24 of the 39 ms copying 10,000 articles took.
    Html(Arc<str>),
    Logged(Logged),
}

impl Default for Repr {
    fn default() -> Repr {
        Repr::Html(Arc::from(""))
    }
}

/// A body in the log: `len` bytes at `at`.
#[derive(Clone)]
struct Logged {
    log: Arc<LogFile>,
    at: u64,
    len: usize,
    /// xxh3 of the bytes when they were decoded (the log's checksum had vouched for them): other
    /// bytes there mean the log changed since.
    hash: u64,
}

/// An open article log that bodies are read from.
#[derive(Debug)]
pub struct LogFile {
    file: File,
    path: PathBuf,
    /// Set when a text could not be read back as it was written: the log is damaged (its texts
    /// are not in its checksum), and a build that used it builds again in full.
    failed: AtomicBool,
}

impl LogFile {
    /// The log at `path`, open as `file`.
    pub fn new(file: File, path: &Path) -> LogFile {
        LogFile {
            file,
            path: path.to_path_buf(),
            failed: AtomicBool::new(false),
        }
    }

    /// Whether a text read from this log was not what was written there.
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    /// The log's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Body {
    /// The HTML; reading it from the log can fail (the message names the log and what to do).
    pub fn html(&self) -> Result<Cow<'_, str>, String> {
        self.text()
    }

    /// The text (for a body, its HTML; for search words, the words); reading it from the log
    /// can fail (the message names the log and what to do).
    pub fn text(&self) -> Result<Cow<'_, str>, String> {
        match &self.0 {
            Repr::Html(html) => Ok(Cow::Borrowed(&**html)),
            Repr::Logged(logged) => logged.read().map(Cow::Owned).map_err(|why| {
                format!(
                    "the build cache's article log {} {why}; run `gazette build --full`",
                    logged.log.path.display()
                )
            }),
        }
    }

    /// True for an empty body (without reading it).
    pub fn is_empty(&self) -> bool {
        match &self.0 {
            Repr::Html(html) => html.is_empty(),
            Repr::Logged(logged) => logged.len == 0,
        }
    }

    /// True when the body is in the log, not in memory.
    #[cfg(test)]
    pub fn is_logged(&self) -> bool {
        matches!(self.0, Repr::Logged(_))
    }
}

impl Logged {
    fn read(&self) -> Result<String, String> {
        let read = || {
            let mut bytes = vec![0; self.len];
            read_at(&self.log.file, &mut bytes, self.at)
                .map_err(|e| format!("cannot be read: {e}"))?;
            if xxhash_rust::xxh3::xxh3_64(&bytes) != self.hash {
                return Err(CHANGED.to_string());
            }
            String::from_utf8(bytes).map_err(|_| CHANGED.to_string())
        };
        read().inspect_err(|_| self.log.failed.store(true, Ordering::Relaxed))
    }
}

/// Why a logged text that was read is not the one written.
const CHANGED: &str =
    "is damaged, or changed while the build ran (a text does not match its checksum)";

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut at: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, at)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

/// An article's headings, kept as JSON in a [`Body`]: left in the build cache's log like the
/// body, and read when a page shows them (an article page's table of contents) or `check`
/// looks for a link's fragment. Every article taken from the log held its headings, 46 MB of a
/// publish's memory at 100,000 articles.
#[derive(Clone, Default, PartialEq, Debug, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Headings(Body);

impl Headings {
    /// Whether the headings are left in the log.
    #[cfg(test)]
    pub fn is_logged(&self) -> bool {
        self.0.is_logged()
    }

    /// `list`, kept.
    pub fn new(list: &[crate::markdown::Heading]) -> Headings {
        match list {
            [] => Headings::default(),
            // Plain data: written as JSON without fail.
            _ => Headings(serde_json::to_string(list).unwrap_or_default().into()),
        }
    }

    /// The headings, in order; reading them from the log can fail (the message names the log
    /// and what to do).
    pub fn list(&self) -> Result<Vec<crate::markdown::Heading>, String> {
        let text = self.0.text()?;
        if text.is_empty() {
            return Ok(Vec::new());
        }
        serde_json::from_str(&text).map_err(|e| {
            format!("an article's headings cannot be read ({e}); run `gazette build --full`")
        })
    }
}

impl From<String> for Body {
    fn from(html: String) -> Body {
        Body(Repr::Html(Arc::from(html)))
    }
}

impl From<&str> for Body {
    fn from(html: &str) -> Body {
        Body(Repr::Html(Arc::from(html)))
    }
}

impl PartialEq for Body {
    fn eq(&self, other: &Body) -> bool {
        match (&self.0, &other.0) {
            (Repr::Html(a), Repr::Html(b)) => a == b,
            _ => matches!((self.html(), other.html()), (Ok(a), Ok(b)) if a == b),
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Html(html) => fmt::Debug::fmt(html, f),
            Repr::Logged(logged) => write!(
                f,
                "<{} bytes at {} of {}>",
                logged.len,
                logged.at,
                logged.log.path.display()
            ),
        }
    }
}

/// Written as text for people (JSON) and as bytes in MessagePack. In a log frame being
/// encoded ([`encode_placing`]) the text goes to the frame's texts instead, and the frame holds
/// where it lies there: its offset, length and xxh3. A MessagePack string is checked to be
/// UTF-8 whenever it is decoded, and a body decoded from the log is left there unread, so the
/// check is made when it is read.
impl Serialize for Body {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self.html().map_err(S::Error::custom)?;
        if serializer.is_human_readable() {
            return serializer.serialize_str(&text);
        }
        let key = match &self.0 {
            Repr::Html(html) => Some(key_of(html)),
            Repr::Logged(_) => None,
        };
        let put = PLACING.with_borrow_mut(|placing| {
            let placing = placing.as_mut().filter(|_| !text.is_empty())?;
            let spot = Spot {
                at: placing.texts.len() as u64,
                len: text.len(),
                hash: xxhash_rust::xxh3::xxh3_64(text.as_bytes()),
            };
            placing.texts.extend_from_slice(text.as_bytes());
            // Only a body held in memory is left in the log once written; one read from an
            // earlier log stays there.
            if let Some(key) = key {
                placing.spots.push((key, spot));
            }
            Some(spot)
        });
        match put {
            Some(spot) => (spot.at, spot.len as u64, spot.hash).serialize(serializer),
            None => serializer.serialize_bytes(text.as_bytes()),
        }
    }
}

/// The texts of the log frame being decoded on this thread, if any.
struct Frame {
    log: Arc<LogFile>,
    /// Where the frame's texts begin in the log, and their length.
    at: u64,
    len: u64,
}

thread_local! {
    static FRAME: RefCell<Option<Frame>> = const { RefCell::new(None) };
}

impl Frame {
    /// The text `len` bytes long at `offset` of the frame's texts, whose xxh3 was `hash`.
    fn locate(&self, (offset, len, hash): (u64, u64, u64)) -> Option<Logged> {
        if offset.checked_add(len)? > self.len {
            return None;
        }
        Some(Logged {
            log: Arc::clone(&self.log),
            at: self.at + offset,
            len: usize::try_from(len).ok()?,
            hash,
        })
    }
}

/// Runs `decode` (which decodes a frame of `log` whose texts lie at `texts`: their offset in
/// the log and length) so that the bodies it decodes stay in the log.
pub fn leaving_bodies_in<T>(
    log: &Arc<LogFile>,
    texts: (u64, u64),
    decode: impl FnOnce() -> T,
) -> T {
    /// Puts back the frame that was there, even if `decode` panics.
    struct Restore(Option<Frame>);
    impl Drop for Restore {
        fn drop(&mut self) {
            FRAME.set(self.0.take());
        }
    }
    let _restore = Restore(FRAME.replace(Some(Frame {
        log: Arc::clone(log),
        at: texts.0,
        len: texts.1,
    })));
    decode()
}

thread_local! {
    /// While a log frame is encoded on this thread ([`encode_placing`]): its texts so far, and
    /// where each body it took from memory went.
    static PLACING: RefCell<Option<Noting>> = const { RefCell::new(None) };
}

#[derive(Default)]
struct Noting {
    texts: Vec<u8>,
    spots: Vec<(usize, Spot)>,
}

/// A log frame encoded: its MessagePack, its texts, and where among the texts each body it
/// took from memory went (by [`Placed`]'s key).
pub struct Placing {
    pub frame: Vec<u8>,
    pub texts: Vec<u8>,
    pub spots: Vec<(usize, Spot)>,
}

/// Encodes `value` (a log frame) as MessagePack into a buffer with room for `room.0` bytes,
/// with the texts of its bodies apart, in a buffer with room for `room.1`.
pub fn encode_placing<T: Serialize + ?Sized>(
    value: &T,
    room: (usize, usize),
) -> Result<Placing, rmp_serde::encode::Error> {
    /// Puts back what was there, even if encoding panics.
    struct Restore(Option<Noting>);
    impl Drop for Restore {
        fn drop(&mut self) {
            PLACING.set(self.0.take());
        }
    }
    let restore = Restore(PLACING.replace(Some(Noting {
        texts: Vec::with_capacity(room.1),
        spots: Vec::new(),
    })));
    let mut frame = Vec::with_capacity(room.0);
    let encoded = rmp_serde::encode::write(&mut frame, value);
    let noted = PLACING.replace(None).unwrap_or_default();
    drop(restore);
    encoded.map(|()| Placing {
        frame,
        texts: noted.texts,
        spots: noted.spots,
    })
}

/// Where a body's bytes lie: in a frame's texts, or (once the frame is written) in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spot {
    at: u64,
    len: usize,
    hash: u64,
}

impl Spot {
    /// The spot in the log of a spot in a frame whose texts begin at `at` of the log.
    pub fn in_frame_at(self, at: u64) -> Spot {
        Spot {
            at: self.at + at,
            ..self
        }
    }
}

/// Where the bodies a build wrote to its log lie in it, so that the build can let go of them
/// and read each when a page needs it, as it does the bodies of articles taken from the log:
/// a clean build of 100,000 articles held 430 MB of bodies and search words through its
/// render.
pub struct Placed {
    log: Arc<LogFile>,
    /// By the address of the body's text, which the build holds until the bodies are left.
    spots: rustc_hash::FxHashMap<usize, Spot>,
}

impl Placed {
    /// Bodies written to `log` at `spots`.
    pub fn new(log: Arc<LogFile>, spots: impl IntoIterator<Item = (usize, Spot)>) -> Placed {
        Placed {
            log,
            spots: spots.into_iter().collect(),
        }
    }

    /// Leaves `body` in the log when it was written there; true when it was.
    pub fn leave(&self, body: &mut Body) -> bool {
        let Repr::Html(html) = &body.0 else {
            return false;
        };
        match self.spots.get(&key_of(html)) {
            Some(spot) if spot.len == html.len() => {
                body.0 = Repr::Logged(Logged {
                    log: Arc::clone(&self.log),
                    at: spot.at,
                    len: spot.len,
                    hash: spot.hash,
                });
                true
            }
            _ => false,
        }
    }
}

/// Which body a text is: its address.
fn key_of(html: &Arc<str>) -> usize {
    Arc::as_ptr(html).cast::<u8>() as usize
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Body, D::Error> {
        match deserializer.is_human_readable() {
            true => deserializer.deserialize_str(BodyVisitor),
            false => deserializer.deserialize_any(BodyVisitor),
        }
    }
}

struct BodyVisitor;

impl<'de> Visitor<'de> for BodyVisitor {
    type Value = Body;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an article body, or where in a log frame's texts it lies")
    }

    /// Where the text lies among the texts of the frame being decoded: left there unchecked
    /// (it is checked as it is read).
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Body, A::Error> {
        let mut next = |n: usize| {
            seq.next_element::<u64>()?
                .ok_or_else(|| de::Error::invalid_length(n, &"three numbers"))
        };
        let spot = (next(0)?, next(1)?, next(2)?);
        FRAME
            .with_borrow(|frame| frame.as_ref().and_then(|f| f.locate(spot)))
            .map(|logged| Body(Repr::Logged(logged)))
            .ok_or_else(|| de::Error::custom("a text outside its log frame's texts"))
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Body, E> {
        std::str::from_utf8(bytes)
            .map(Body::from)
            .map_err(|_| E::invalid_value(de::Unexpected::Bytes(bytes), &self))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Body, E> {
        Ok(Body::from(text))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Body, E> {
        Ok(Body::from(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    /// A log file holding `prefix` then the texts of a frame of `bodies`, as the log writes
    /// them; gives the frame, and where its texts lie in the file.
    fn log_with(
        prefix: &[u8],
        bodies: &[&str],
    ) -> (tempfile::TempDir, Arc<LogFile>, Vec<u8>, (u64, u64)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let bodies: Vec<Body> = bodies.iter().map(|b| Body::from(*b)).collect();
        let placing = encode_placing(&bodies, (0, 0)).unwrap();
        let mut file = File::create(&path).unwrap();
        file.write_all(prefix).unwrap();
        file.write_all(&placing.texts).unwrap();
        drop(file);
        let log = Arc::new(LogFile::new(File::open(&path).unwrap(), &path));
        let texts = (prefix.len() as u64, placing.texts.len() as u64);
        (dir, log, placing.frame, texts)
    }

    #[test]
    fn bodies_decoded_from_a_frame_stay_in_the_log_and_read_back() {
        let (_dir, log, frame, texts) =
            log_with(b"header", &["<p>One</p>", "", "<p>Two &amp; é</p>"]);
        // The frame holds where each text is, not the text.
        assert!(!frame.windows(3).any(|w| w == b"One"));
        let bodies: Vec<Body> =
            leaving_bodies_in(&log, texts, || rmp_serde::from_slice(&frame).unwrap());
        assert!(bodies[0].is_logged() && bodies[2].is_logged());
        // An empty body is nothing to read.
        assert!(!bodies[1].is_logged() && bodies[1].is_empty());
        assert_eq!(bodies[0].html().unwrap(), "<p>One</p>");
        assert_eq!(bodies[2].html().unwrap(), "<p>Two &amp; é</p>");
        assert_eq!(bodies[2], Body::from("<p>Two &amp; é</p>"));
        // Serialised outside a frame, a logged body is its text again.
        let again: Vec<Body> = rmp_serde::from_slice(&rmp_serde::to_vec(&bodies).unwrap()).unwrap();
        assert!(!again[0].is_logged());
        assert_eq!(again, bodies);

        // Outside a frame, or past the end of its texts, a text's place means nothing.
        assert!(rmp_serde::from_slice::<Vec<Body>>(&frame).is_err());
        let short = (texts.0, texts.1 - 1);
        assert!(
            leaving_bodies_in(&log, short, || rmp_serde::from_slice::<Vec<Body>>(&frame)).is_err()
        );
    }

    /// The bodies a frame takes from memory are noted where they were encoded, and read back
    /// the same once left there.
    #[test]
    fn bodies_encoded_into_a_frame_are_found_and_left_there() {
        let shared = Body::from("<p>Twice</p>");
        // A title the same as a body, and a body encoded twice.
        let entries: Vec<(String, Body)> = vec![
            ("<p>One</p>".into(), Body::from("<p>One</p>")),
            ("title".into(), Body::default()),
            ("other".into(), shared.clone()),
            ("again".into(), shared.clone()),
            ("last".into(), Body::from("<p>Last é</p>")),
        ];
        let placing = encode_placing(&entries, (0, 0)).unwrap();
        assert_eq!(placing.spots.len(), 4, "every body but the empty one");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let mut file = File::create(&path).unwrap();
        file.write_all(b"header").unwrap();
        file.write_all(&placing.texts).unwrap();
        drop(file);
        let log = Arc::new(LogFile::new(File::open(&path).unwrap(), &path));
        let spots = placing.spots.iter().map(|&(k, s)| (k, s.in_frame_at(6)));
        let placed = Placed::new(Arc::clone(&log), spots);
        let mut left: Vec<Body> = entries.iter().map(|(_, body)| body.clone()).collect();
        let moved: Vec<bool> = left.iter_mut().map(|b| placed.leave(b)).collect();
        assert_eq!(moved, [true, false, true, true, true]);
        for (left, (_, was)) in left.iter().zip(&entries) {
            assert_eq!(left.html().unwrap(), was.html().unwrap());
        }
        // The frame decodes to the same bodies, left where they were placed.
        let texts = (6, placing.texts.len() as u64);
        let decoded: Vec<(String, Body)> = leaving_bodies_in(&log, texts, || {
            rmp_serde::from_slice(&placing.frame).unwrap()
        });
        assert_eq!(decoded, entries);
        // A body that was not in the frame stays in memory.
        let mut other = Body::from("<p>One</p>");
        assert!(!placed.leave(&mut other));
        // Only a frame being placed records anything.
        assert!(PLACING.with_borrow(Option::is_none));
    }

    /// In MessagePack outside a log frame a body is bytes; in JSON it is text.
    #[test]
    fn a_body_is_bytes_in_messagepack_and_text_in_json() {
        let body = Body::from("<p>é</p>");
        let packed = rmp_serde::to_vec(&body).unwrap();
        assert_eq!(packed[0], 0xc4, "a MessagePack bin 8");
        assert_eq!(rmp_serde::from_slice::<Body>(&packed).unwrap(), body);
        assert_eq!(serde_json::to_string(&body).unwrap(), r#""<p>é</p>""#);
        let from_json: Body = serde_json::from_str(r#""<p>é</p>""#).unwrap();
        assert_eq!(from_json, body);
        // A string is read too.
        let text: Body = rmp_serde::from_slice(&rmp_serde::to_vec("<p>é</p>").unwrap()).unwrap();
        assert_eq!(text, body);
        // Bytes that are not text are refused.
        assert!(rmp_serde::from_slice::<Body>(&[0xc4, 1, 0xff]).is_err());
    }

    /// A logged text is checked when it is read, not when its frame is decoded.
    #[test]
    fn a_log_changed_under_a_logged_body_is_an_error_naming_the_log() {
        let (dir, log, frame, texts) = log_with(b"", &["<p>Original</p>"]);
        let bodies: Vec<Body> =
            leaving_bodies_in(&log, texts, || rmp_serde::from_slice(&frame).unwrap());
        let path = dir.path().join("log");
        let mut changed = std::fs::read(&path).unwrap();
        let at = changed.len() - 3;
        changed[at] = 0xff;
        std::fs::write(&path, &changed).unwrap();
        assert!(!log.failed());
        let error = bodies[0].html().unwrap_err();
        assert!(log.failed(), "a build that used the log builds again");
        assert!(error.contains("does not match its checksum"), "{error}");
        assert!(error.contains(&path.display().to_string()), "{error}");
        assert!(error.contains("gazette build --full"), "{error}");
        std::fs::write(&path, b"short").unwrap();
        assert!(bodies[0].html().unwrap_err().contains("cannot be read"));
    }
}
