//! The search index (`/search-index.json`): what the search page's script needs to find articles
//! by the words of their title, summary, tags and body, serialised with serde_json.
//!
//! Built for size. Titles, summaries and tags are stored once per article (the script shows them
//! and searches them directly). Body words go into a sorted dictionary, each word with the list of
//! articles that use it: article numbers as gaps from the previous one, each gap a base-32 varint
//! written with URL-safe characters, so a word used by many articles costs about one character per
//! article. A body word already in the article's title, summary or tags is not repeated there,
//! and a word used by more than half of all articles (`the`, `and`) lists the articles that do
//! *not* use it instead, after a `!`: whichever list is shorter.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

use rayon::prelude::*;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::content::Article;
use crate::html::plain_text;
use crate::site::{Site, Term};
use crate::urls::Urls;

/// Version of the index format; the script refuses an index of another version.
pub const FORMAT: u32 = 2;

/// Longer "words" are mostly URLs and hashes from code: nobody types them.
const MAX_WORD_CHARS: usize = 32;

/// Articles whose words are gathered at once (in parallel) before they go into the postings.
const CHUNK: usize = 2048;

/// Digits of the posting encoding: the first 32 end a number, the last 32 carry 5 more bits.
const DIGITS: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/// The index as written.
#[derive(Debug, Serialize)]
struct Index<'a> {
    /// [`FORMAT`].
    v: u32,
    /// Href of the site root (`/news/`); every `url` below is relative to it.
    base: String,
    /// Tags as `[name, url]`; articles refer to them by position.
    tags: Vec<(&'a str, String)>,
    /// Articles, newest first: `[url, title, date (YYYY-MM-DD), summary, [tag numbers]]`.
    docs: Vec<(String, &'a str, String, &'a str, Vec<usize>)>,
    /// Body words, sorted.
    words: Vec<String>,
    /// For each of `words`, the articles using it, or `!` and those not using it (see the module
    /// header).
    postings: Vec<String>,
}

/// The search index of the site as JSON bytes.
pub fn index(site: &Site, urls: &Urls) -> Result<Vec<u8>, String> {
    let base = urls.path("/");
    let relative = |site_path: &str| {
        let href = urls.path(site_path);
        match href.strip_prefix(&base) {
            Some(rest) => rest.to_string(),
            None => href,
        }
    };
    let tag_terms = site.taxonomies.first().map_or(&[][..], |t| &t.terms[..]);
    let tags = tag_terms
        .iter()
        .map(|t| (t.name.as_str(), relative(&t.path)))
        .collect();

    let docs: Vec<_> = site
        .articles
        .par_iter()
        .enumerate()
        .map(|(n, article)| {
            (
                relative(&article.path),
                article.title.as_str(),
                article.date.format("%Y-%m-%d").to_string(),
                article.summary.as_str(),
                doc_tags(site, n),
            )
        })
        .collect();

    // Each article's body words are found in parallel, a chunk at a time (so memory holds the
    // words of one chunk, not of the whole site), then added to the postings in article order.
    let mut postings: HashMap<String, Posting> = HashMap::new();
    let articles: Vec<(usize, &Article)> = site.articles.iter().enumerate().collect();
    for chunk in articles.chunks(CHUNK) {
        let found: Vec<(usize, Vec<String>)> = chunk
            .par_iter()
            .map(|&(n, article)| (n, body_words(site, tag_terms, n, article)))
            .collect();
        for (n, words) in found {
            let number = u32::try_from(n).map_err(|_| "too many articles to index".to_string())?;
            for word in words {
                match postings.get_mut(word.as_str()) {
                    Some(posting) => posting.push(number),
                    None => {
                        let mut posting = Posting::default();
                        posting.push(number);
                        postings.insert(word, posting);
                    }
                }
            }
        }
    }
    let mut postings: Vec<(String, Posting)> = postings.into_iter().collect();
    postings.sort_unstable_by(|a, b| a.0.cmp(&b.0));

    let total = u32::try_from(docs.len()).map_err(|_| "too many articles to index".to_string())?;
    let (words, postings) = postings
        .into_par_iter()
        .map(|(word, posting)| {
            let encoded = if posting.count as usize * 2 > total as usize {
                format!("!{}", encode(&complement(&decode(&posting.encoded), total)))
            } else {
                posting.encoded
            };
            (word, encoded)
        })
        .unzip();
    let index = Index {
        v: FORMAT,
        base,
        tags,
        docs,
        words,
        postings,
    };
    serde_json::to_vec(&index).map_err(|e| format!("search index: {e}"))
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

/// A fast, non-cryptographic hash for the words of one article (FNV-1a): the set is thrown away
/// after the article, so flooding is no concern.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
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

/// Article number `n`'s tags, as numbers of the first taxonomy's terms.
fn doc_tags(site: &Site, n: usize) -> Vec<usize> {
    site.links
        .get(n)
        .and_then(|l| l.terms.first())
        .cloned()
        .unwrap_or_default()
}

/// The distinct body words of article `n` that the script does not find without the body
/// postings (those of its title, summary and tags), in no particular order.
fn body_words(site: &Site, tag_terms: &[Term], n: usize, article: &Article) -> Vec<String> {
    let mut shown: HashSet<String> = words(&article.title).into_iter().collect();
    shown.extend(words(&article.summary));
    for t in doc_tags(site, n) {
        if let Some(term) = tag_terms.get(t) {
            shown.extend(words(&term.name));
        }
    }
    let text = plain_text(&article.body_html);
    let text = lowercase(&text);
    let mut body: HashSet<Cow<'_, str>, BuildHasherDefault<Fnv>> = HashSet::default();
    body.extend(folded_words(&text));
    body.into_iter()
        .filter(|word| !shown.contains(word.as_ref()))
        .map(Cow::into_owned)
        .collect()
}

/// The article numbers below `total` that are not in `numbers` (ascending).
fn complement(numbers: &[u32], total: u32) -> Vec<u32> {
    let mut missing = Vec::with_capacity(total as usize - numbers.len().min(total as usize));
    let mut next = numbers.iter().peekable();
    for n in 0..total {
        if next.peek() == Some(&&n) {
            next.next();
        } else {
            missing.push(n);
        }
    }
    missing
}

/// The articles using one word, encoded as they are added (a byte or two per article instead of
/// four: the postings of a large site are most of the index's memory).
#[derive(Debug, Default)]
struct Posting {
    /// [`encode`] of the numbers so far.
    encoded: String,
    /// The last number added.
    last: u32,
    /// How many numbers were added.
    count: u32,
}

impl Posting {
    /// Adds `n`, greater than every number added before.
    fn push(&mut self, n: u32) {
        let gap = if self.count == 0 { n } else { n - self.last };
        push_gap(&mut self.encoded, gap);
        self.last = n;
        self.count += 1;
    }
}

/// Ascending article numbers as gaps, each a base-32 varint (most significant group first).
fn encode(numbers: &[u32]) -> String {
    let mut out = String::new();
    let mut previous = 0;
    for (i, &n) in numbers.iter().enumerate() {
        let gap = if i == 0 { n } else { n - previous };
        previous = n;
        push_gap(&mut out, gap);
    }
    out
}

/// One gap of [`encode`].
fn push_gap(out: &mut String, gap: u32) {
    let mut groups = [0usize; 7];
    let mut len = 0;
    let mut rest = gap;
    loop {
        if let Some(slot) = groups.get_mut(len) {
            *slot = (rest & 31) as usize;
        }
        len += 1;
        rest >>= 5;
        if rest == 0 {
            break;
        }
    }
    for j in (0..len.min(groups.len())).rev() {
        let group = groups.get(j).copied().unwrap_or(0);
        let digit = if j == 0 { group } else { group + 32 };
        out.push(char::from(DIGITS.get(digit).copied().unwrap_or(b'0')));
    }
}

/// The numbers of an [`encode`]d string (the inverse of [`encode`]).
fn decode(text: &str) -> Vec<u32> {
    let mut value_of = [0u32; 256];
    for (value, digit) in (0u32..).zip(DIGITS.iter()) {
        if let Some(slot) = value_of.get_mut(usize::from(*digit)) {
            *slot = value;
        }
    }
    let mut numbers = Vec::new();
    let (mut value, mut previous) = (0u32, 0u32);
    for c in text.bytes() {
        let digit = value_of.get(usize::from(c)).copied().unwrap_or(0);
        value = value.wrapping_mul(32).wrapping_add(digit & 31);
        if digit < 32 {
            previous = previous.wrapping_add(value);
            numbers.push(previous);
            value = 0;
        }
    }
    numbers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::site::{PlanOptions, plan};

    #[test]
    fn postings_built_one_number_at_a_time_match_encode() {
        let numbers = [3, 4, 40, 41, 1100, 40_000, 1_000_000, u32::MAX];
        let mut posting = Posting::default();
        for n in numbers {
            posting.push(n);
        }
        assert_eq!(posting.encoded, encode(&numbers));
        assert_eq!(posting.count, 8);
        assert_eq!(decode(&posting.encoded), numbers);
    }

    #[test]
    fn postings_round_trip_and_are_short() {
        for numbers in [vec![0], vec![0, 1, 2, 3], vec![5, 37, 1100, 40_000, 40_001]] {
            assert_eq!(decode(&encode(&numbers)), numbers);
        }
        assert_eq!(encode(&[0, 1, 2, 31]), "011t");
        assert_eq!(encode(&[32]), "x0");
        assert_eq!(encode(&(0..100).collect::<Vec<_>>()).len(), 100);
    }

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

    fn article(name: &str, date: &str, tags: &[&str], body: &str) -> crate::content::Article {
        let mut a = crate::site::tests::article(name, date, tags);
        a.title = format!("{name} headline");
        a.summary = format!("Summary of {name}.");
        a.body_html = body.to_string();
        a
    }

    #[test]
    fn the_index_holds_every_article_and_its_body_words() {
        let articles = vec![
            article(
                "older",
                "2024-11-26T10:00:00Z",
                &["Lahore"],
                "<p>Smog in Lahore &amp; rain</p>",
            ),
            article(
                "newer",
                "2024-11-27T10:00:00Z",
                &["PTI", "Lahore"],
                "<p>Rally; smog again</p>",
            ),
        ];
        let config = Config {
            base_url: "https://example.org/news/".into(),
            ..Config::default()
        };
        let options = PlanOptions {
            drafts: false,
            now: chrono::Utc::now(),
        };
        let site = plan(articles, config, &options).unwrap();
        let urls = Urls::new("https://example.org/news/");
        let json: serde_json::Value =
            serde_json::from_slice(&index(&site, &urls).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "v": 2,
                "base": "/news/",
                "tags": [["Lahore", "tags/lahore/"], ["PTI", "tags/pti/"]],
                "docs": [
                    ["2024/11/27/newer/", "newer headline", "2024-11-27", "Summary of newer.", [1, 0]],
                    ["2024/11/26/older/", "older headline", "2024-11-26", "Summary of older.", [0]]
                ],
                // `lahore` is a tag of both, `newer`/`older` in their titles: not repeated.
                "words": ["again", "in", "rain", "rally", "smog"],
                // `smog` is in both articles: stored as "all but none".
                "postings": ["0", "1", "1", "0", "!"],
            })
        );
    }

    #[test]
    fn words_in_most_articles_list_the_others() {
        let articles: Vec<_> = (0..20)
            .map(|i| {
                let body = match i % 4 {
                    0 => "<p>the rare word</p>",
                    1 => "<p>a short one</p>",
                    _ => "<p>the</p>",
                };
                article(
                    &format!("a{i}"),
                    &format!("2024-11-{:02}T10:00:00Z", i + 1),
                    &[],
                    body,
                )
            })
            .collect();
        let site = plan(
            articles,
            Config::default(),
            &PlanOptions {
                drafts: false,
                now: chrono::Utc::now(),
            },
        )
        .unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&index(&site, &Urls::new("https://example.org/")).unwrap())
                .unwrap();
        assert_eq!(
            json["words"],
            serde_json::json!(["one", "rare", "short", "the", "word"])
        );
        // Newest first: a19 is article 0; bodies with `rare` are a0, a4, ... a16.
        assert_eq!(
            decode(json["postings"][1].as_str().unwrap()),
            [3, 7, 11, 15, 19]
        );
        // `the` is in 15 of 20 articles: stored as the 5 without it (a17, a13, ... a1).
        let the = json["postings"][3].as_str().unwrap();
        assert_eq!(
            the.strip_prefix('!').map(decode),
            Some(vec![2, 6, 10, 14, 18])
        );
        assert_eq!(complement(&[0, 2, 3], 6), [1, 4, 5]);
        assert_eq!(complement(&[], 2), [0, 1]);
    }
}
