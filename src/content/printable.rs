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
    if text.chars().any(unprintable) {
        Cow::Owned(text.chars().filter(|&c| !unprintable(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
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
