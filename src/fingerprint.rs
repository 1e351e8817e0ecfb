//! One way to fingerprint what a page or a build is made from: 128-bit xxh3, with every
//! variable-length part length-prefixed so that `("ab", "c")` and `("a", "bc")` differ. The
//! build cache compares these fingerprints across runs, so the algorithm is fixed (unlike
//! `std`'s `DefaultHasher`, which may change between Rust releases).

use std::io;

use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

/// Bytes gathered before they are hashed as one stream: most fingerprints are a few hundred
/// bytes (a page key is a path and some numbers), and xxh3 hashes such a run at once much
/// faster than it takes it a few bytes at a time (a streaming state is 600 bytes to set up, and
/// copies each small piece into its own buffer). Longer input is streamed from here on. Both
/// ways give the same digest.
const GATHER: usize = 1 << 16;

/// A fingerprint being made.
#[derive(Clone)]
pub struct Fingerprint {
    /// Bytes not yet hashed.
    gathered: Vec<u8>,
    /// The stream, once more than [`GATHER`] bytes came in.
    streamed: Option<Box<Xxh3>>,
}

impl Default for Fingerprint {
    fn default() -> Fingerprint {
        Fingerprint {
            gathered: Vec::with_capacity(256),
            streamed: None,
        }
    }
}

impl Fingerprint {
    /// An empty fingerprint.
    pub fn new() -> Fingerprint {
        Fingerprint::default()
    }

    fn take(&mut self, bytes: &[u8]) {
        self.gathered.extend_from_slice(bytes);
        if self.gathered.len() >= GATHER {
            self.streamed
                .get_or_insert_with(|| Box::new(Xxh3::new()))
                .update(&self.gathered);
            self.gathered.clear();
        }
    }

    /// Adds a string (or any bytes), length first.
    pub fn str(&mut self, text: impl AsRef<[u8]>) -> &mut Self {
        let bytes = text.as_ref();
        self.take(&(bytes.len() as u64).to_le_bytes());
        self.take(bytes);
        self
    }

    /// Adds a number.
    pub fn num(&mut self, n: u128) -> &mut Self {
        self.take(&n.to_le_bytes());
        self
    }

    /// Adds a serialisable value in its JSON form.
    pub fn json(&mut self, value: &impl Serialize) -> Result<&mut Self, String> {
        // A marker between values, so two values cannot run into each other.
        self.take(b"\x1e");
        serde_json::to_writer(&mut *self, value).map_err(|e| e.to_string())?;
        Ok(self)
    }

    /// Adds a serialisable value in its MessagePack form: much faster than
    /// [`Fingerprint::json`] for long text, which MessagePack does not escape.
    pub fn packed(&mut self, value: &impl Serialize) -> Result<&mut Self, String> {
        self.take(b"\x1f");
        rmp_serde::encode::write(&mut *self, value).map_err(|e| e.to_string())?;
        Ok(self)
    }

    /// The fingerprint.
    pub fn finish(&self) -> u128 {
        match &self.streamed {
            None => xxhash_rust::xxh3::xxh3_128(&self.gathered),
            Some(stream) => {
                let mut stream = stream.clone();
                stream.update(&self.gathered);
                stream.digest128()
            }
        }
    }
}

impl io::Write for Fingerprint {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.take(buf);
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
    fn gathered_and_streamed_input_make_the_same_fingerprint() {
        // Across the point where gathering turns into streaming, and well past it.
        for len in [
            0,
            1,
            255,
            256,
            GATHER - 9,
            GATHER - 8,
            GATHER,
            GATHER + 1,
            3 * GATHER + 17,
        ] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let mut whole = Fingerprint::new();
            whole.str(&bytes);
            let mut pieces = Fingerprint::new();
            pieces.take(&(len as u64).to_le_bytes());
            for chunk in bytes.chunks(7) {
                pieces.take(chunk);
            }
            let mut expected = (len as u64).to_le_bytes().to_vec();
            expected.extend_from_slice(&bytes);
            let expected = xxhash_rust::xxh3::xxh3_128(&expected);
            assert_eq!(whole.finish(), expected, "{len} bytes at once");
            assert_eq!(pieces.finish(), expected, "{len} bytes in pieces");
            // Finishing does not end the fingerprint.
            assert_eq!(whole.num(1).finish(), pieces.num(1).finish(), "{len}");
        }
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
