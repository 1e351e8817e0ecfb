//! One way to fingerprint what a page or a build is made from: 128-bit xxh3, with every
//! variable-length part length-prefixed so that `("ab", "c")` and `("a", "bc")` differ. The
//! build cache compares these fingerprints across runs, so the algorithm is fixed (unlike
//! `std`'s `DefaultHasher`, which may change between Rust releases).

use std::io;

use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

/// A fingerprint being made.
#[derive(Clone, Default)]
pub struct Fingerprint(Xxh3);

impl Fingerprint {
    /// An empty fingerprint.
    pub fn new() -> Fingerprint {
        Fingerprint::default()
    }

    /// Adds a string (or any bytes), length first.
    pub fn str(&mut self, text: impl AsRef<[u8]>) -> &mut Self {
        let bytes = text.as_ref();
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    /// Adds a number.
    pub fn num(&mut self, n: u128) -> &mut Self {
        self.0.update(&n.to_le_bytes());
        self
    }

    /// Adds a serialisable value in its JSON form, streamed (nothing is kept in memory).
    pub fn json(&mut self, value: &impl Serialize) -> Result<&mut Self, String> {
        // A marker between values, so two values cannot run into each other.
        self.0.update(b"\x1e");
        serde_json::to_writer(&mut *self, value).map_err(|e| e.to_string())?;
        Ok(self)
    }

    /// Adds a serialisable value in its MessagePack form, streamed: much faster than
    /// [`Fingerprint::json`] for long text, which MessagePack does not escape.
    pub fn packed(&mut self, value: &impl Serialize) -> Result<&mut Self, String> {
        self.0.update(b"\x1f");
        // MessagePack writes each marker and field on its own; the hasher takes them faster in
        // bulk.
        let mut buffered = io::BufWriter::with_capacity(4096, &mut *self);
        rmp_serde::encode::write(&mut buffered, value).map_err(|e| e.to_string())?;
        io::Write::flush(&mut buffered).map_err(|e| e.to_string())?;
        drop(buffered);
        Ok(self)
    }

    /// The fingerprint.
    pub fn finish(&self) -> u128 {
        self.0.digest128()
    }
}

impl io::Write for Fingerprint {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(parts: &[&str]) -> u128 {
        let mut f = Fingerprint::new();
        for p in parts {
            f.str(p);
        }
        f.finish()
    }

    #[test]
    fn parts_do_not_run_into_each_other() {
        assert_ne!(of(&["ab", "c"]), of(&["a", "bc"]));
        assert_eq!(of(&["ab", "c"]), of(&["ab", "c"]));
        let mut a = Fingerprint::new();
        a.json(&vec!["x", "y"]).unwrap();
        let mut b = Fingerprint::new();
        b.json(&vec!["x"]).unwrap().json(&vec!["y"]).unwrap();
        assert_ne!(a.finish(), b.finish());
    }

    #[test]
    fn the_algorithm_is_fixed() {
        // A cache written by one build must be read the same by the next: xxh3-128 of
        // (len 5 as u64 LE, "hello").
        let mut f = Fingerprint::new();
        f.str("hello");
        let mut bytes = 5u64.to_le_bytes().to_vec();
        bytes.extend_from_slice(b"hello");
        assert_eq!(f.finish(), xxhash_rust::xxh3::xxh3_128(&bytes));
    }
}
