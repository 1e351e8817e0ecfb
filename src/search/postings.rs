//! The body-word postings of the search index: which articles use each word, as article numbers
//! (newest first) encoded as gaps, and how the postings of the last index are carried over to the
//! next.
//!
//! Articles are numbered newest first, so a publish puts the new article at number 0 and moves
//! every other article along by one, which leaves every gap after a posting's first number as it
//! was. The postings of the last index are kept (by the build cache, see [`Kept`]) with each
//! article's search print; when the site's articles end with the kept prints, only the articles
//! before them are read, and each kept posting gets a new first number and keeps the rest of its
//! bytes. Reading every word of every article again took 1.2 s of a publish at 100,000 articles.

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Digits of the posting encoding: the first 32 end a number, the last 32 carry 5 more bits.
const DIGITS: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/// The value of each byte as a digit of [`DIGITS`] (64 for a byte that is none).
const VALUE_OF: [u8; 256] = {
    let mut table = [64u8; 256];
    let mut i = 0;
    while i < DIGITS.len() {
        table[DIGITS[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// The articles using one word, encoded as they are added (a byte or two per article instead of
/// four: the postings of a large site are most of the index's memory).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posting {
    /// [`encode`] of the numbers so far.
    pub encoded: String,
    /// The last number added.
    last: u32,
    /// How many numbers were added.
    pub count: u32,
    /// One more than the number of the article whose tags show this word, while its words go
    /// in: the article is not added.
    #[serde(skip)]
    shown_by: u32,
}

impl Posting {
    /// Adds `n`, greater than every number added before.
    pub fn push(&mut self, n: u32) {
        let gap = if self.count == 0 { n } else { n - self.last };
        push_gap(&mut self.encoded, gap);
        self.last = n;
        self.count += 1;
    }

    /// The first number of this posting at or above `from`, with the byte its encoding ends
    /// at and how many numbers there are up to it: `Some(None)` when every number is below,
    /// `None` when the posting does not decode (one this module wrote always does).
    fn first_from(&self, from: u32) -> Option<Option<(u32, usize, u32)>> {
        let (mut value, mut number, mut seen) = (0u32, 0u32, 0u32);
        for (at, &byte) in self.encoded.as_bytes().iter().enumerate() {
            let digit = VALUE_OF[usize::from(byte)];
            if digit >= 64 {
                return None;
            }
            value = value.wrapping_mul(32).wrapping_add(u32::from(digit & 31));
            if digit >= 32 {
                continue;
            }
            number = number.wrapping_add(value);
            value = 0;
            seen += 1;
            if number >= from {
                return (seen <= self.count && number <= self.last).then_some(Some((
                    number,
                    at + 1,
                    seen,
                )));
            }
        }
        Some(None)
    }

    /// This posting without its numbers below `from`, every other number moved by `to - from`
    /// (to start at `to`), after the numbers of `head` (all below `to`) when there are any.
    /// Only the first number kept is encoded again: every gap after it stays. None when the
    /// posting does not decode.
    fn moved(mut self, head: Option<Posting>, from: u32, to: u32) -> Option<Option<Posting>> {
        let Some((first, end, seen)) = self.first_from(from)? else {
            return Some(head);
        };
        let moved = |n: u32| n.checked_sub(from)?.checked_add(to);
        let (first, last) = (moved(first)?, moved(self.last)?);
        let rest = self.count.checked_sub(seen)?;
        match head {
            Some(mut head) => {
                head.push(first);
                head.encoded.push_str(self.encoded.get(end..)?);
                head.count = head.count.checked_add(rest)?;
                head.last = last;
                Some(Some(head))
            }
            // Most words: the gap is written again in place, and nothing is copied.
            None => {
                let mut digits = String::new();
                push_gap(&mut digits, first);
                self.encoded.replace_range(..end, &digits);
                self.count = rest + 1;
                self.last = last;
                Some(Some(self))
            }
        }
    }
}

/// What the postings are made from, by article number: the words of each term (tag) of the
/// first taxonomy, the terms of each article, and each article's body words (split at spaces).
pub struct Words<'a> {
    pub term_words: &'a [Vec<String>],
    pub terms: &'a [Vec<usize>],
    pub bodies: &'a [Cow<'a, str>],
}

impl<'a> Words<'a> {
    /// The words of `bodies`, with the terms' words and each article's terms.
    pub fn new(
        (term_words, terms): (&'a [Vec<String>], &'a [Vec<usize>]),
        bodies: &'a [Cow<'a, str>],
    ) -> Words<'a> {
        Words {
            term_words,
            terms,
            bodies,
        }
    }
}

/// Postings being made, by the word's bytes.
type Building<'a> = FxHashMap<&'a [u8], Posting>;

/// The postings of articles `0..count`, unsorted. One article after another straight into the
/// postings, words borrowed from the articles as bytes and hashed with FxHash: owned words,
/// SipHash, `str::split` and a list of words per article each cost more than the postings
/// themselves. A word of the article's tags is marked in its posting before the article's words
/// go in, instead of every word being looked for among the tag words.
fn of_articles<'a>(words: &Words<'a>, count: usize) -> Result<Building<'a>, String> {
    let mut postings: Building<'a> = FxHashMap::default();
    for (n, body) in words.bodies.iter().take(count).enumerate() {
        let number = u32::try_from(n).map_err(|_| "too many articles to index".to_string())?;
        let mark = number.checked_add(1).ok_or("too many articles to index")?;
        let terms = words.terms.get(n).map_or(&[][..], Vec::as_slice);
        for word in terms
            .iter()
            .filter_map(|&t| words.term_words.get(t))
            .flatten()
        {
            postings.entry(word.as_bytes()).or_default().shown_by = mark;
        }
        for word in body.as_bytes().split(|&b| b == b' ') {
            if word.is_empty() {
                continue;
            }
            let posting = postings.entry(word).or_default();
            if posting.shown_by != mark {
                posting.push(number);
            }
        }
    }
    Ok(postings)
}

/// Every word some article uses, sorted, with its posting (a tag word no body used has none).
fn sorted(postings: Building<'_>) -> Vec<(String, Posting)> {
    let mut sorted: Vec<(String, Posting)> = postings
        .into_iter()
        .filter(|(_, posting)| posting.count > 0)
        .filter_map(|(word, mut posting)| {
            // The mark means nothing once every article is in.
            posting.shown_by = 0;
            Some((std::str::from_utf8(word).ok()?.to_string(), posting))
        })
        .collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    sorted
}

/// The postings of every article, sorted by word.
pub fn all(words: &Words<'_>) -> Result<Vec<(String, Posting)>, String> {
    Ok(sorted(of_articles(words, words.bodies.len())?))
}

/// The postings an index was made from, kept for the next one: each article's search print, in
/// index order, and every body word (sorted) with its posting (never the complement).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    pub prints: Vec<u128>,
    pub words: Vec<(String, Posting)>,
}

/// How many articles come before those that both the site's articles (their search `prints`,
/// in index order) and `kept`'s end with: `(new, old)`, the site's and `kept`'s. None when no
/// article at the end is the same, or when more than half of the site's are new (reading them
/// all is then about as quick as carrying).
pub fn head(kept: &Kept, prints: &[u128]) -> Option<(usize, usize)> {
    let same = kept
        .prints
        .iter()
        .rev()
        .zip(prints.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (new, old) = (prints.len() - same, kept.prints.len() - same);
    (same > 0 && new <= prints.len() / 2).then_some((new, old))
}

/// The postings of every article, made from `kept` and the words of the site's first `new`
/// articles, which come before the articles `kept` ends with (after its first `old`; see
/// [`head`]). None when `kept` does not decode.
pub fn moved(
    kept: Kept,
    (new, old): (usize, usize),
    words: &Words<'_>,
) -> Option<Result<Vec<(String, Posting)>, String>> {
    let (from, to) = (u32::try_from(old).ok()?, u32::try_from(new).ok()?);
    let mut head = match of_articles(words, new) {
        Ok(head) => head,
        Err(e) => return Some(Err(e)),
    };
    let mut carried = Vec::with_capacity(kept.words.len());
    for (word, posting) in kept.words {
        // The mark means nothing once every article is in.
        let head = head.remove(word.as_bytes()).map(|head| Posting {
            shown_by: 0,
            ..head
        });
        let made = posting.moved(head, from, to)?;
        if let Some(made) = made.filter(|m| m.count > 0) {
            carried.push((word, made));
        }
    }
    // Words only the new articles use, merged in order.
    let fresh = sorted(head);
    if fresh.is_empty() {
        return Some(Ok(carried));
    }
    let mut merged = Vec::with_capacity(carried.len() + fresh.len());
    let mut fresh = fresh.into_iter().peekable();
    for entry in carried {
        while let Some(next) = fresh.next_if(|f| f.0 < entry.0) {
            merged.push(next);
        }
        merged.push(entry);
    }
    merged.extend(fresh);
    Some(Ok(merged))
}

/// Ascending article numbers as gaps, each a base-32 varint (most significant group first): the
/// format, written out for the tests ([`Posting::push`] writes it one number at a time).
#[cfg(test)]
pub fn encode(numbers: &[u32]) -> String {
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
    // Most gaps are one digit.
    if let Some(&digit) = DIGITS.get(gap as usize).filter(|_| gap < 32) {
        out.push(char::from(digit));
        return;
    }
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
#[cfg(test)]
pub fn decode(text: &str) -> Vec<u32> {
    let mut numbers = Vec::new();
    let (mut value, mut previous) = (0u32, 0u32);
    for c in text.bytes() {
        let digit = u32::from(VALUE_OF[usize::from(c)] & 63);
        value = value.wrapping_mul(32).wrapping_add(digit & 31);
        if digit < 32 {
            previous = previous.wrapping_add(value);
            numbers.push(previous);
            value = 0;
        }
    }
    numbers
}

/// `!` and the article numbers below `total` that the [`encode`]d `numbers` leave out, encoded:
/// the posting of a word most articles use, as the articles that do not use it. Straight from
/// one encoding to the other (a list of numbers each way cost three times as long).
pub fn complement(numbers: &str, total: u32) -> String {
    let mut out = String::from("!");
    let mut previous: Option<u32> = None;
    // The numbers from `from` up to `to` (not included), left out: the first as its gap from
    // the one before, the rest gaps of one, written in one go.
    let mut missing = |from: u32, to: u32, out: &mut String| {
        if from < to {
            push_gap(out, previous.map_or(from, |p| from - p));
            out.extend(std::iter::repeat_n(
                char::from(DIGITS[1]),
                (to - from - 1) as usize,
            ));
            previous = Some(to - 1);
        }
    };
    let bytes = numbers.as_bytes();
    let (mut value, mut number, mut next) = (0u32, 0u32, 0u32);
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        at += 1;
        let digit = u32::from(VALUE_OF[usize::from(byte)] & 63);
        value = value.wrapping_mul(32).wrapping_add(digit & 31);
        if digit >= 32 {
            continue;
        }
        number = number.wrapping_add(value);
        value = 0;
        missing(next, number.min(total), &mut out);
        next = next.max(number.saturating_add(1));
        // Gaps of one (articles in a row that use the word) leave nothing out: a word in most
        // articles is mostly such runs, taken whole (byte by byte, this loop was 2-3% of a
        // publish's CPU at 100,000 articles).
        let run = ones_from(bytes, at);
        if let Some(last) = u32::try_from(run).ok().and_then(|r| number.checked_add(r)) {
            number = last;
            next = next.max(last.saturating_add(1));
            at += run;
        }
    }
    missing(next, total, &mut out);
    out
}

/// How many bytes from `at` on are the gap of one (`1`), eight at a time while they can be.
fn ones_from(bytes: &[u8], at: usize) -> usize {
    const ONES: u64 = u64::from_ne_bytes([DIGITS[1]; 8]);
    let rest = bytes.get(at..).unwrap_or_default();
    let mut run = 0;
    for chunk in rest.chunks_exact(8) {
        match <[u8; 8]>::try_from(chunk) {
            Ok(eight) if u64::from_ne_bytes(eight) == ONES => run += 8,
            _ => break,
        }
    }
    run + rest
        .get(run..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| b == DIGITS[1])
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The complement by way of lists of numbers, as it was first written.
    fn complement_by_lists(numbers: &[u32], total: u32) -> String {
        let set: std::collections::HashSet<u32> = numbers.iter().copied().collect();
        let rest: Vec<u32> = (0..total).filter(|n| !set.contains(n)).collect();
        format!("!{}", encode(&rest))
    }

    #[test]
    fn complements_with_runs_match_the_complement_by_lists() {
        // Runs of every length around the eight-byte step, at every offset, beside gaps of
        // several digits, a first number above zero, and numbers at or past `total`.
        let mut seed = 0x9e37_79b9_u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for case in 0..400 {
            let mut numbers = Vec::new();
            let mut n = next() % 5;
            while numbers.len() < 200 {
                let run = next() % 20;
                for _ in 0..run {
                    numbers.push(n);
                    n += 1;
                }
                n += 1 + next() % if case % 3 == 0 { 3 } else { 2000 };
            }
            let last = *numbers.last().unwrap();
            for total in [last + 1, last + 40, last / 2] {
                assert_eq!(
                    complement(&encode(&numbers), total),
                    complement_by_lists(&numbers, total),
                    "case {case}, total {total}"
                );
            }
        }
        let every: Vec<u32> = (0..100).collect();
        assert_eq!(complement(&encode(&every), 100), "!");
        assert_eq!(
            complement(&encode(&every), 103),
            complement_by_lists(&every, 103)
        );
    }

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

    /// An article of the tests below: its tags (by term number) and body words.
    type Made = (Vec<usize>, String);

    fn words_of<'a>(
        articles: &'a [Made],
        term_words: &'a [Vec<String>],
        bodies: &'a mut Vec<Cow<'a, str>>,
        terms: &'a mut Vec<Vec<usize>>,
    ) -> Words<'a> {
        bodies.extend(
            articles
                .iter()
                .map(|(_, body)| Cow::Borrowed(body.as_str())),
        );
        terms.extend(articles.iter().map(|(terms, _)| terms.clone()));
        Words {
            term_words,
            terms,
            bodies,
        }
    }

    /// Stands in for an article's search print in these tests.
    fn print(article: &Made) -> u128 {
        let mut f = crate::fingerprint::Fingerprint::new();
        f.str(&article.1);
        for t in &article.0 {
            f.num(*t as u128);
        }
        f.finish()
    }

    /// The postings of `articles`, kept as a build keeps them.
    fn kept(articles: &[Made], term_words: &[Vec<String>]) -> Kept {
        let (mut bodies, mut terms) = (Vec::new(), Vec::new());
        let words = words_of(articles, term_words, &mut bodies, &mut terms);
        Kept {
            prints: articles.iter().map(print).collect(),
            words: all(&words).unwrap(),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// Whatever happens at the head of the list (articles published, deleted, edited),
        /// the postings carried over are the postings made from every article.
        #[test]
        fn carried_postings_are_the_postings_made_from_every_article(
            old in proptest::collection::vec((0u8..8, 0u32..1 << 12), 1..60),
            new in proptest::collection::vec((0u8..8, 0u32..1 << 12), 0..8),
            dropped in 0usize..8,
        ) {
            const VOCABULARY: [&str; 12] =
                ["smog", "rain", "rally", "the", "a", "lahore", "court", "vote", "x", "y", "z", "w"];
            // A few tags whose words are also body words.
            let term_words: Vec<Vec<String>> =
                [["lahore"], ["vote"], ["rain"]].iter().map(|w| vec![w[0].to_string()]).collect();
            let made = |&(tags, mask): &(u8, u32)| -> Made {
                let terms = (0..3).filter(|b| tags & (1 << b) != 0).collect();
                let body = VOCABULARY
                    .iter()
                    .enumerate()
                    .filter(|(b, _)| mask & (1 << b) != 0)
                    .map(|(_, w)| *w)
                    .collect::<Vec<_>>()
                    .join(" ");
                (terms, body)
            };
            let before: Vec<Made> = old.iter().map(made).collect();
            let dropped = dropped.min(before.len());
            let after: Vec<Made> = new
                .iter()
                .map(made)
                .chain(before[dropped..].iter().cloned())
                .collect();
            let kept = kept(&before, &term_words);
            let (mut bodies, mut terms) = (Vec::new(), Vec::new());
            let words = words_of(&after, &term_words, &mut bodies, &mut terms);
            let prints: Vec<u128> = after.iter().map(print).collect();
            let whole = all(&words).unwrap();
            match head(&kept, &prints).and_then(|h| moved(kept, h, &words)) {
                Some(carried) => proptest::prop_assert_eq!(carried.unwrap(), whole),
                // Only when nothing at the end is the same, or more than half is new.
                None => {
                    let same = before.len() - dropped;
                    proptest::prop_assert!(same == 0 || after.len() - same > after.len() / 2);
                }
            }
        }
    }

    #[test]
    fn a_publish_carries_every_posting_over_with_one_new_first_number() {
        let term_words = vec![vec!["lahore".to_string()]];
        let before: Vec<Made> = vec![
            (vec![], "smog rain".into()),
            (vec![0], "smog lahore".into()),
            (vec![], "rain".into()),
        ];
        let kept = kept(&before, &term_words);
        let mut after = vec![(vec![], "smog court".to_string())];
        after.extend(before.iter().cloned());
        let (mut bodies, mut terms) = (Vec::new(), Vec::new());
        let words = words_of(&after, &term_words, &mut bodies, &mut terms);
        let prints: Vec<u128> = after.iter().map(print).collect();
        let heads = head(&kept, &prints).unwrap();
        assert_eq!(heads, (1, 0));
        let carried = moved(kept.clone(), heads, &words).unwrap().unwrap();
        let numbers: Vec<(&str, Vec<u32>)> = carried
            .iter()
            .map(|(w, p)| (w.as_str(), decode(&p.encoded)))
            .collect();
        assert_eq!(
            numbers,
            [
                ("court", vec![0]),
                ("rain", vec![1, 3]),
                ("smog", vec![0, 1, 2]),
            ]
        );
        // Articles all new, or none left the same: nothing is carried.
        let fresh: Vec<Made> = vec![(vec![], "vote".into()); 3];
        let prints: Vec<u128> = fresh.iter().map(print).collect();
        assert_eq!(head(&kept, &prints), None);
    }
}
