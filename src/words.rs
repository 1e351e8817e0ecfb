//! Search words: what counts as a word, and how it is folded so a reader finds it however its
//! case and accents were typed. The load stage finds each article's body words once
//! ([`body_words`]); the search index and its script split titles, summaries and queries the
//! same way.

use std::borrow::Cow;
use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::html::plain_text;

/// Longer "words" are mostly URLs and hashes from code: nobody types them.
const MAX_WORD_CHARS: usize = 32;

/// The distinct folded words of the text of `html`, sorted, one space between each, without
/// the words of the texts in `apart` (an article's title and summary, which the search index
/// holds apart): what the index takes from an article's body, kept with the article so that a
/// build which reuses the article does not read its body again.
pub fn body_words(html: &str, apart: &[&str]) -> String {
    let text = plain_text(html);
    let text = lowercase(&text);
    // FxHash takes a word eight bytes at a time (FNV-1a, a byte at a time, was half the time
    // spent finding an article's words).
    let mut distinct: HashSet<Cow<'_, str>, rustc_hash::FxBuildHasher> = HashSet::default();
    distinct.extend(folded_words(&text));
    for other in apart {
        for word in words(other) {
            distinct.remove(word.as_str());
        }
    }
    let mut sorted: Vec<Cow<'_, str>> = distinct.into_iter().collect();
    sorted.sort_unstable();
    sorted.join(" ")
}

/// Folded words (see [`fold`]: lowercased, accents off, NFC; runs of letters, marks and
/// digits) of 2 to [`MAX_WORD_CHARS`] characters; the search script splits queries the same way.
pub fn words(text: &str) -> Vec<String> {
    folded_words(&lowercase(text))
        .map(Cow::into_owned)
        .collect()
}

/// The words of `text` (already [`lowercase`]d), each [folded](fold): only the rare word
/// with a non-ASCII letter pays for normalisation, not the whole text.
fn folded_words(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    runs(text).map(fold).filter(|word| {
        let chars = if word.is_ascii() {
            word.len()
        } else {
            word.chars().count()
        };
        (2..=MAX_WORD_CHARS).contains(&chars)
    })
}

/// The runs of letters, marks and digits of `text`, as they are.
fn runs(text: &str) -> Words<'_> {
    Words { text, pos: 0 }
}

/// The iterator of [`runs`]: bytes are looked at one by one, and only non-ASCII ones are
/// decoded, which is most of the index's time saved on English text.
struct Words<'a> {
    text: &'a str,
    /// Byte offset of the next character (always on a character boundary).
    pos: usize,
}

impl Words<'_> {
    /// The character at `pos` and whether it belongs in a word; `None` at the end.
    fn at(&self) -> Option<(usize, bool)> {
        let byte = *self.text.as_bytes().get(self.pos)?;
        if byte.is_ascii() {
            return Some((1, byte.is_ascii_alphanumeric()));
        }
        let c = self.text.get(self.pos..)?.chars().next()?;
        // Marks belong to their word: a Devanagari virama is no letter, but splitting there
        // would cut `हिन्दी` in two.
        Some((c.len_utf8(), c.is_alphanumeric() || is_combining_mark(c)))
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        // Skip what is not a word.
        loop {
            let (len, in_word) = self.at()?;
            if in_word {
                break;
            }
            self.pos += len;
        }
        let start = self.pos;
        while let Some((len, true)) = self.at() {
            self.pos += len;
        }
        self.text.get(start..self.pos)
    }
}

/// `text` lowercased, without a copy when it already is (most ASCII text).
fn lowercase(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        if text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        }
    } else {
        Cow::Owned(text.to_lowercase())
    }
}

/// A lowercased word folded for search: accents taken off Latin, Greek and Cyrillic letters
/// (`zürich` -> `zurich`, `são` -> `sao`), a few letters that have no decomposition spelled
/// out (`ß` -> `ss`, `ø` -> `o`), and NFC. Other scripts (Urdu, Chinese) are only normalised.
/// The search script folds queries the same way, so a reader finds a word however its accents
/// were typed. ASCII words, nearly all of them, come back as they are.
fn fold(word: &str) -> Cow<'_, str> {
    if word.is_ascii() {
        return Cow::Borrowed(word);
    }
    // Decompose, strip the combining accents (U+0300-U+036F) that leaves, compose what is
    // left, as the script does.
    let mut bare = String::with_capacity(word.len());
    for c in word.nfd() {
        match c {
            '\u{300}'..='\u{36f}' => {}
            'ß' => bare.push_str("ss"),
            'æ' => bare.push_str("ae"),
            'œ' => bare.push_str("oe"),
            'þ' => bare.push_str("th"),
            'ø' => bare.push('o'),
            'ł' => bare.push('l'),
            'đ' => bare.push('d'),
            'ı' => bare.push('i'),
            c => bare.push(c),
        }
    }
    Cow::Owned(bare.nfc().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_a_split_on_everything_but_letters_marks_and_digits() {
        let text = "a bb ccc 1x 22 — café’s «naïve» x\u{301}y ok-ok__ab日本語テキスト 𝔸𝔹 \
                    aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb z";
        let expected: Vec<&str> = text
            .split(|c: char| !c.is_alphanumeric() && !is_combining_mark(c))
            .filter(|w| !w.is_empty())
            .collect();
        assert_eq!(runs(text).collect::<Vec<_>>(), expected);
        assert_eq!(runs("").count(), 0);
        assert_eq!(runs("—  !").count(), 0);
        // Words are the folded runs of 2 to 32 characters.
        let got: Vec<Cow<'_, str>> = folded_words(text).collect();
        assert_eq!(got[..6], ["bb", "ccc", "1x", "22", "cafe", "naive"]);
        assert_eq!(got[6], "xy");
        assert!(got.iter().any(|w| w == "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
        assert!(!got.iter().any(|w| w.starts_with("aaaa")));
        assert!(!got.iter().any(|w| w == "a" || w == "z"));
        // A letter that folds to two can make a word of a one-letter run.
        assert_eq!(words("ß"), ["ss"]);
    }

    #[test]
    fn words_are_lowercased_letters_and_digits() {
        let got = words("Imran Khan's PTI, 450 protesters — D-Chowk a عمران خان");
        assert_eq!(
            got,
            [
                "imran",
                "khan",
                "pti",
                "450",
                "protesters",
                "chowk",
                "عمران",
                "خان"
            ]
        );
        // Accents fold away, typed precomposed or not; so does case, and letters without a
        // decomposition are spelled out.
        assert_eq!(words("Cafe\u{301} CAFÉ café"), ["cafe", "cafe", "cafe"]);
        assert_eq!(
            words("Zürich São Ørestad Straße Łódź Æsir Việt"),
            [
                "zurich", "sao", "orestad", "strasse", "lodz", "aesir", "viet"
            ]
        );
        // Other scripts are only normalised: Urdu (its own marks kept), Chinese, Hindi.
        assert_eq!(
            words("عمران خانؔ 北京新闻 हिन्दी"),
            ["عمران", "خانؔ", "北京新闻", "हिन्दी"]
        );
    }

    #[test]
    fn odd_markup_never_panics() {
        for html in [
            "<",
            "<!--",
            "<script",
            "<script>x",
            "</",
            "&",
            "&#;",
            "&#x;",
            "&#xFFFFFFFF;",
            "&#99999999999;",
            "<p>é&amp</p>",
            "<style>a{}</STYLE>b",
            "<a href='<'>ü</a",
        ] {
            let _ = words(&plain_text(html));
        }
        assert_eq!(plain_text("<STYLE>a{}</style>b"), " b");
    }

    #[test]
    fn body_words_are_distinct_sorted_and_skip_markup() {
        assert_eq!(
            body_words(
                "<p>Rain in <em>Zürich</em>, rain in <a href=\"/x\">Bern</a>.</p><style>p{}</style>",
                &[]
            ),
            "bern in rain zurich"
        );
        assert_eq!(
            body_words("<p>Rain in Zürich and Bern</p>", &["ZURICH rain", "Bern."]),
            "and in"
        );
        assert_eq!(body_words("", &[]), "");
    }
}
