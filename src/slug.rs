//! Title or tag -> slug, and the guarantee that a slug is a safe path segment.
//!
//! Slugs keep the script they were written in (an Urdu title gives an Urdu slug): readers of a
//! digest share links in their own language, and transliteration would guess wrong.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Longest slug, in chars: long enough to stay readable, short enough for a URL bar.
const MAX_CHARS: usize = 80;
/// Longest slug, in bytes: leaves room under the 255-byte file-name limit for `.html` or a
/// `-2` suffix even when every char takes four bytes.
const MAX_BYTES: usize = 200;
/// Longest path segment most file systems accept.
const MAX_SEGMENT_BYTES: usize = 255;

/// Lowercase, unicode-aware slug; may be empty when `text` has no letters or digits.
///
/// Letters, digits and combining marks of any script are kept (NFC, lowercased), as is `_`;
/// apostrophes are dropped so "Khan's" reads "khans"; every other run of characters becomes one
/// `-`. The result never holds `.`, `/`, `\` or control characters, has no leading or trailing
/// `-`, and is at most 80 chars (and 200 bytes).
pub fn slugify(text: &str) -> String {
    let slug = slugify_once(text);
    // Dropping an apostrophe can bring two combining marks together, which NFC then puts in
    // another order: a second pass makes the slug one that slugifies to itself.
    if unicode_normalization::is_nfc(&slug) {
        slug
    } else {
        slugify_once(&slug)
    }
}

fn slugify_once(text: &str) -> String {
    join_runs(text.nfc().flat_map(char::to_lowercase), |c, _| {
        if is_dropped(c) {
            Part::Dropped
        } else if c.is_alphanumeric() || c == '_' || is_combining_mark(c) {
            Part::Kept
        } else {
            Part::Separator
        }
    })
}

/// A slug kept as it was written (`slug: Rust-1.0` stays `Rust-1.0`), only made safe: letters,
/// digits, combining marks and `-_.~` are kept with their case, any other run of characters
/// (spaces, `/`, `?`, `#`, `%`, quotes...) becomes one `-`, and `-` or `.` never lead or
/// trail (so `..` and `../x` cannot climb out). Old URLs survive a move only if a written slug
/// is not rewritten. May be empty; at most 80 chars (and 200 bytes).
pub fn keep_written(text: &str) -> String {
    let mut slug = join_runs(text.nfc(), |c, started| match c {
        '-' => Part::Separator,
        '.' if !started => Part::Separator,
        c if c.is_alphanumeric() || is_combining_mark(c) || matches!(c, '_' | '.' | '~') => {
            Part::Kept
        }
        _ => Part::Separator,
    });
    while slug.ends_with(['.', '-']) {
        slug.pop();
    }
    slug
}

/// What a character is to a slug.
enum Part {
    /// Written as it is.
    Kept,
    /// Left out without a trace (an apostrophe inside a word).
    Dropped,
    /// Ends a run: one `-` is written before the next kept character.
    Separator,
}

/// The characters `keep` accepts, every run of others between them one `-`, none leading or
/// trailing, and no length limit: how other generators make their slugs (`gazette import`
/// must find the URLs they made, however long).
pub fn join_kept(chars: impl Iterator<Item = char>, keep: impl Fn(char) -> bool) -> String {
    let part = |c: char, _| if keep(c) { Part::Kept } else { Part::Separator };
    join_runs_upto(chars, part, usize::MAX, usize::MAX)
}

/// The kept characters of `chars`, runs between them joined by one `-`, none leading or
/// trailing, cut at [`MAX_CHARS`] chars and [`MAX_BYTES`] bytes. `part` is told whether
/// anything was kept yet.
fn join_runs(chars: impl Iterator<Item = char>, part: impl Fn(char, bool) -> Part) -> String {
    join_runs_upto(chars, part, MAX_CHARS, MAX_BYTES)
}

/// [`join_runs`] cut at `max_chars` chars and `max_bytes` bytes.
fn join_runs_upto(
    chars: impl Iterator<Item = char>,
    part: impl Fn(char, bool) -> Part,
    max_chars: usize,
    max_bytes: usize,
) -> String {
    let mut slug = String::with_capacity(chars.size_hint().0.min(MAX_BYTES));
    let mut count = 0;
    // A separator is written only once a kept char follows it, so runs collapse and no `-`
    // leads or trails.
    let mut pending_dash = false;
    for c in chars {
        match part(c, !slug.is_empty()) {
            Part::Dropped => continue,
            Part::Separator => {
                pending_dash = !slug.is_empty();
                continue;
            }
            Part::Kept => {}
        }
        let dash = usize::from(pending_dash);
        if count + dash + 1 > max_chars || slug.len() + dash + c.len_utf8() > max_bytes {
            trim_cut(&mut slug, c);
            break;
        }
        if pending_dash {
            slug.push('-');
            pending_dash = false;
            count += 1;
        }
        slug.push(c);
        count += 1;
    }
    slug
}

/// `slugify(text)`, else `slugify(fallback_seed)`, else `item-<hash of text>`; never empty and
/// always a safe segment.
pub fn slug_or_fallback(text: &str, fallback_seed: &str) -> String {
    let slug = slugify(text);
    if !slug.is_empty() {
        return slug;
    }
    let slug = slugify(fallback_seed);
    if !slug.is_empty() {
        return slug;
    }
    format!("item-{:08x}", fnv1a(text.as_bytes()))
}

/// True when `segment` can be one path segment under the output root on any OS.
///
/// Refuses `.`/`..`, separators, NUL and control characters, names over 255 bytes, and names
/// ending in `.` or space (Windows silently strips those, so two names could collide).
pub fn is_safe_segment(segment: &str) -> bool {
    // Printable ASCII other than the separators, as nearly every segment is, in one pass:
    // checked by characters, the 560,000 segments of a 100,000-article site's paths were 1% of
    // a publish.
    let plain = segment
        .bytes()
        .all(|b| matches!(b, b' '..=b'~') && b != b'/' && b != b'\\');
    !segment.is_empty()
        && segment.len() <= MAX_SEGMENT_BYTES
        && segment != "."
        && segment != ".."
        && !segment.ends_with(['.', ' '])
        && (plain
            || (!segment.contains(['/', '\\', '\0']) && !segment.chars().any(char::is_control)))
}

/// Characters that sit inside a word, so they must not split it: apostrophes ("Khan's"), the
/// zero-width (non-)joiners of Persian and Urdu spelling, and the soft hyphen.
fn is_dropped(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{200C}' | '\u{200D}' | '\u{AD}'
    )
}

/// Makes a slug cut before `next` end cleanly: a base letter is not left without the combining
/// marks that followed it (an Urdu or Hindi vowel sign), and no `-` trails.
fn trim_cut(slug: &mut String, next: char) {
    if is_combining_mark(next) {
        while slug.chars().next_back().is_some_and(is_combining_mark) {
            slug.pop();
        }
        slug.pop();
    }
    while slug.ends_with('-') {
        slug.pop();
    }
}

/// 32-bit FNV-1a: tiny, stable across Rust versions and platforms (unlike `DefaultHasher`), which
/// keeps fallback slugs, and so URLs, the same from build to build.
fn fnv1a(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for &b in bytes {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_titles() {
        assert_eq!(
            slugify("Imran Khan's supporters: 450 arrested!"),
            "imran-khans-supporters-450-arrested"
        );
        assert_eq!(slugify("Imran Khan\u{2019}s rally"), "imran-khans-rally");
        assert_eq!(slugify("‘Quoted’ words"), "quoted-words");
        assert_eq!(slugify("  PTI  "), "pti");
        assert_eq!(slugify("snake_case stays"), "snake_case-stays");
        assert_eq!(slugify("a -- b"), "a-b");
        assert_eq!(slugify("v1.2.3"), "v1-2-3");
    }

    #[test]
    fn keeps_non_latin_scripts() {
        assert_eq!(slugify("عمران خان کی رہائی"), "عمران-خان-کی-رہائی");
        assert_eq!(slugify("巴基斯坦 抗议"), "巴基斯坦-抗议");
        // Devanagari vowel signs are combining marks and must survive.
        assert_eq!(slugify("हिन्दी समाचार"), "हिन्दी-समाचार");
        assert_eq!(slugify("ΑΘΗΝΑ Νέα"), "αθηνα-νέα");
        // A zero-width non-joiner inside a Persian word does not split it.
        assert_eq!(slugify("می\u{200C}شود"), "میشود");
        assert_eq!(slugify("co\u{AD}operate"), "cooperate");
    }

    #[test]
    fn marks_brought_together_by_a_dropped_apostrophe_are_put_in_order() {
        // U+0EC8 (combining class 122) before U+0C55 (class 84): NFC orders them the other way.
        let slug = slugify("\u{ec8}'\u{c55}");
        assert_eq!(slug, "\u{c55}\u{ec8}");
        assert_eq!(slugify(&slug), slug);
    }

    #[test]
    fn nfc_and_lowercase() {
        // Decomposed "É" composes to one char.
        assert_eq!(slugify("E\u{301}TE\u{301}"), "\u{e9}t\u{e9}");
        assert_eq!(slugify("ÉTÉ"), "\u{e9}t\u{e9}");
    }

    #[test]
    fn symbols_only_give_empty() {
        assert_eq!(slugify("🎉!!"), "");
        assert_eq!(slugify(""), "");
        assert_eq!(slugify("..."), "");
        assert_eq!(slugify("'''"), "");
    }

    #[test]
    fn paths_cannot_escape() {
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("..\\..\\windows"), "windows");
        assert_eq!(slugify("%2e%2e"), "2e-2e");
    }

    #[test]
    fn nasty_inputs_are_empty_or_safe() {
        let nasty = [
            "..",
            ".",
            "/",
            "\\",
            "\0",
            "a\0b",
            "\u{1}\u{1f}\u{7f}",
            "/etc/passwd",
            "%2e%2e",
            "%2e%2e%2f",
            " . ",
            "con.",
            "a\r\nb",
            "\u{200b}",
            "\u{202e}evil",
            "C:\\x",
        ];
        for input in nasty {
            let slug = slugify(input);
            assert!(
                slug.is_empty() || is_safe_segment(&slug),
                "{input:?} -> {slug:?}"
            );
            assert!(!slug.contains(['/', '\\', '.']), "{input:?} -> {slug:?}");
            assert!(!slug.chars().any(char::is_control), "{input:?} -> {slug:?}");
            let fallback = slug_or_fallback(input, "");
            assert!(is_safe_segment(&fallback), "{input:?} -> {fallback:?}");
        }
    }

    #[test]
    fn caps_length_on_char_boundary() {
        let long = "word ".repeat(40);
        let slug = slugify(&long);
        assert!(slug.chars().count() <= 80);
        assert!(!slug.ends_with('-'));
        // 16 words of 4 chars plus 15 dashes = 79 chars; a 17th would not fit.
        assert_eq!(slug, ["word"; 16].join("-"));

        let chinese = "中".repeat(100);
        assert_eq!(slugify(&chinese), "中".repeat(66)); // 66 * 3 = 198 bytes <= 200

        let urdu = "ب".repeat(100);
        assert_eq!(slugify(&urdu).chars().count(), 80);

        // Four-byte letters are capped by bytes, so the segment stays under 255 bytes.
        let wide = "\u{20000}".repeat(100);
        let slug = slugify(&wide);
        assert_eq!(slug, "\u{20000}".repeat(50));
        assert!(is_safe_segment(&slug));
    }

    #[test]
    fn cut_does_not_orphan_a_base_letter() {
        // 79 'a' then 'k' + a Devanagari vowel sign: the cut falls between them, so both go.
        let text = format!("{}\u{915}\u{93f}", "a".repeat(79));
        assert_eq!(slugify(&text), "a".repeat(79));
    }

    #[test]
    fn fallback_order() {
        assert_eq!(slug_or_fallback("Hello", "seed"), "hello");
        assert_eq!(
            slug_or_fallback("🎉", "2024-05-01 notes"),
            "2024-05-01-notes"
        );
        let a = slug_or_fallback("🎉", "!!");
        assert_eq!(a, format!("item-{:08x}", fnv1a("🎉".as_bytes())));
        assert_eq!(a.len(), "item-".len() + 8);
        assert_eq!(a, slug_or_fallback("🎉", "??"), "deterministic");
        assert_ne!(a, slug_or_fallback("🎊", "??"));
        assert!(is_safe_segment(&a));
        assert_eq!(slug_or_fallback("", ""), "item-811c9dc5");
    }

    #[test]
    fn fnv1a_known_values() {
        assert_eq!(fnv1a(b""), 0x811c_9dc5);
        assert_eq!(fnv1a(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn safe_segment_rules() {
        assert!(is_safe_segment("photo.jpg"));
        assert!(is_safe_segment("عمران-خان"));
        assert!(is_safe_segment(&"a".repeat(255)));
        assert!(!is_safe_segment(&"a".repeat(256)));
        assert!(!is_safe_segment(""));
        assert!(!is_safe_segment("."));
        assert!(!is_safe_segment(".."));
        assert!(!is_safe_segment("a/b"));
        assert!(!is_safe_segment("a\\b"));
        assert!(!is_safe_segment("a\0b"));
        assert!(!is_safe_segment("a\nb"));
        assert!(!is_safe_segment("name."));
        assert!(!is_safe_segment("name "));
    }

    #[test]
    fn written_slugs_keep_case_and_dots_but_never_climb() {
        assert_eq!(keep_written("Rust-1.0"), "Rust-1.0");
        assert_eq!(keep_written("my_post~2"), "my_post~2");
        assert_eq!(
            keep_written("  Two  words / and?more#x "),
            "Two-words-and-more-x"
        );
        assert_eq!(keep_written("../../etc/passwd"), "etc-passwd");
        assert_eq!(keep_written(".hidden."), "hidden");
        assert_eq!(keep_written("a..b"), "a..b");
        assert_eq!(keep_written("--x--"), "x");
        assert_eq!(keep_written("عمران خان"), "عمران-خان");
        assert_eq!(keep_written("%2e%2e"), "2e-2e");
        assert_eq!(keep_written("..."), "");
        assert!(keep_written(&"x".repeat(300)).len() <= MAX_CHARS);
        for text in ["..", ".", "a/..", "C:\\x", "x. ", "\u{0}"] {
            let slug = keep_written(text);
            assert!(
                slug.is_empty() || is_safe_segment(&slug),
                "{text:?} -> {slug:?}"
            );
        }
    }
}
