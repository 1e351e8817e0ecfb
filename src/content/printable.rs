//! Characters no page can show: C0 controls other than tab, LF and CR, DEL, C1 controls and
//! Unicode noncharacters. HTML calls them parse errors and XML 1.0 cannot carry most of them
//! even escaped, so they are taken out of content once, when it is read, and of every feed,
//! whatever it is made from.

use std::borrow::Cow;

/// `true` for a character no output may hold.
pub fn unprintable(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{fdd0}'..='\u{fdef}')
        || (c as u32 & 0xfffe) == 0xfffe
}

/// `text` without its [`unprintable`] characters (borrowed when it has none, the usual case).
pub fn printable(text: &str) -> Cow<'_, str> {
    if has_unprintable(text) {
        Cow::Owned(text.chars().filter(|&c| !unprintable(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// Bytes that may begin an [`unprintable`] character: the C0 controls but tab, LF and CR, DEL,
/// and the first byte of every UTF-8 sequence that can encode one (`C2` for C1 controls, `EF`
/// for U+FDD0-U+FDEF and U+FFFE-U+FFFF, `F0`-`F4` for the other planes' last two).
const SUSPECT: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = (byte < 0x20 && byte != 9 && byte != 10 && byte != 13)
            || byte == 0x7f
            || byte == 0xc2
            || byte == 0xef
            || byte >= 0xf0;
        byte += 1;
    }
    table
};

/// Whether `text` holds an [`unprintable`] character. Every file's text and every feed item
/// is checked, so bytes are looked at eight at a time, and a character decoded only where a
/// byte of those eight is not printable ASCII and [`SUSPECT`] says it may begin one: decoding
/// every character was 5% of a clean build's CPU at 10,000 articles.
fn has_unprintable(text: &str) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let bytes = text.as_bytes();
    // Suspect bytes are ASCII or lead bytes, so each is where a character begins.
    let any_in = |from: usize, len: usize| {
        (from..from + len).any(|i| {
            bytes.get(i).is_some_and(|&b| SUSPECT[usize::from(b)])
                && text
                    .get(i..)
                    .and_then(|rest| rest.chars().next())
                    .is_some_and(unprintable)
        })
    };
    let (chunks, tail) = bytes.as_chunks::<8>();
    for (n, chunk) in chunks.iter().enumerate() {
        let word = u64::from_le_bytes(*chunk);
        // A byte below 0x20, a DEL, or a byte with its high bit set.
        let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
        let del = (word ^ (ONES * 0x7f)).wrapping_sub(ONES) & !(word ^ (ONES * 0x7f)) & HIGH;
        if (control | del | (word & HIGH)) != 0 && any_in(n * 8, 8) {
            return true;
        }
    }
    any_in(bytes.len() - tail.len(), tail.len())
}

/// Every string in a YAML value, keys included, made [`printable`]: escapes such as `"\x1d"`
/// in a double-quoted scalar reach the value after the file's own text was cleaned.
pub fn printable_yaml(value: &mut serde_yaml::Value) {
    use serde_yaml::Value;
    match value {
        Value::String(s) => {
            if let Cow::Owned(clean) = printable(s) {
                *s = clean;
            }
        }
        Value::Sequence(items) => items.iter_mut().for_each(printable_yaml),
        Value::Mapping(map) => {
            if map
                .keys()
                .any(|k| matches!(k, Value::String(s) if s.chars().any(unprintable)))
            {
                *map = std::mem::take(map)
                    .into_iter()
                    .map(|(mut k, v)| {
                        printable_yaml(&mut k);
                        (k, v)
                    })
                    .collect();
            }
            map.values_mut().for_each(printable_yaml);
        }
        Value::Tagged(tagged) => printable_yaml(&mut tagged.value),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_noncharacters_go_whitespace_and_text_stay() {
        assert_eq!(
            printable("a\u{0}b\u{1d}c\u{10}\u{7f}\u{85}d\u{fffe}\u{ffff}\u{1fffe}\u{fdd0}e"),
            "abcde"
        );
        let kept = "tab\there\nline\r\u{a0}Zürich 北京 اردو \u{fffd}\u{feff}";
        assert!(matches!(printable(kept), Cow::Borrowed(_)));
    }

    /// Every character, at the start of a run of eight bytes and across two runs, is found
    /// exactly when decoding every character finds it.
    #[test]
    fn the_fast_check_agrees_with_every_character() {
        for code in 0..=0x10ffff_u32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            for before in [0, 6] {
                let text = format!("{}{c}ab", "x".repeat(before));
                assert_eq!(
                    has_unprintable(&text),
                    text.chars().any(unprintable),
                    "U+{code:04X} after {before} bytes"
                );
            }
        }
    }

    #[test]
    fn yaml_strings_keys_and_nested_values_are_cleaned() {
        let mut value: serde_yaml::Value =
            serde_yaml::from_str("\"k\\x01\": [\"a\\x1db\", {x: \"\\0y\"}]\nt: !tag \"\\x10z\"\n")
                .unwrap();
        printable_yaml(&mut value);
        let expected: serde_yaml::Value =
            serde_yaml::from_str("k: [ab, {x: y}]\nt: !tag z\n").unwrap();
        assert_eq!(value, expected);
    }
}
