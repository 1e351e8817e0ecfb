//! Small text helpers for the Markdown pass: plain text, word counting, the summary marker and
//! unsafe link schemes.

use pulldown_cmark::CowStr;

/// Plain text with every run of whitespace collapsed to one space and none at either end.
#[derive(Debug, Default)]
pub(super) struct PlainText {
    text: String,
    space: bool,
}

impl PlainText {
    pub(super) fn push(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() {
                self.space = !self.text.is_empty();
            } else {
                if self.space {
                    self.text.push(' ');
                    self.space = false;
                }
                self.text.push(c);
            }
        }
    }

    /// What comes next is a new word (a block edge or a line break separated them).
    pub(super) fn split(&mut self) {
        self.space = !self.text.is_empty();
    }

    pub(super) fn finish(self) -> String {
        self.text
    }
}

/// Counts words: runs between whitespace that hold a letter or digit, and each CJK ideograph or
/// kana on its own (those scripts do not put spaces between words).
#[derive(Debug, Default)]
pub(super) struct WordCounter {
    count: usize,
    /// The run being read was already counted; text may arrive in pieces ("don", "’", "t").
    counted: bool,
}

impl WordCounter {
    pub(super) fn add(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_ascii() {
                if c.is_ascii_whitespace() {
                    self.counted = false;
                } else if !self.counted && c.is_ascii_alphanumeric() {
                    self.count += 1;
                    self.counted = true;
                }
            } else if is_cjk_word(c) {
                self.count += 1;
                self.counted = false;
            } else if c.is_whitespace() || is_cjk_separator(c) {
                self.counted = false;
            } else if !self.counted && c.is_alphanumeric() {
                self.count += 1;
                self.counted = true;
            }
        }
    }

    /// What comes next is a new word.
    pub(super) fn split(&mut self) {
        self.counted = false;
    }

    pub(super) fn count(&self) -> usize {
        self.count
    }
}

/// Han ideographs and kana, each read as one word.
fn is_cjk_word(c: char) -> bool {
    matches!(c as u32,
        0x3005 | 0x3007 // 々 〇
        | 0x3040..=0x30FF // hiragana, katakana
        | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0xFF66..=0xFF9F // half-width katakana
        | 0x20000..=0x3FFFF)
}

/// CJK punctuation (、。，) ends a word as a space would.
fn is_cjk_separator(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF) && !c.is_alphanumeric()
}

/// True for the summary marker alone: `<!-- more -->`, any spacing or case, `<!--more-->` too.
pub(super) fn is_more_marker(html: &str) -> bool {
    html.trim()
        .strip_prefix("<!--")
        .and_then(|rest| rest.strip_suffix("-->"))
        .is_some_and(|inner| inner.trim().eq_ignore_ascii_case("more"))
}

/// `#` instead of a link that would run script or smuggle a document: `javascript:`,
/// `vbscript:`, and `data:` (except `data:image/` for images).
pub(super) fn neutralise_url(url: CowStr<'_>, image: bool) -> CowStr<'_> {
    if is_dangerous(&url, image) {
        CowStr::Borrowed("#")
    } else {
        url
    }
}

/// Reads the scheme the way browsers do: leading spaces and controls skipped, tab, CR and LF
/// ignored anywhere, case ignored.
fn is_dangerous(url: &str, image: bool) -> bool {
    // Long enough for the longest prefix we compare, "javascript:" and "data:image/".
    let mut head = [0u8; 11];
    let mut len = 0;
    let start = url.trim_start_matches(|c: char| c.is_whitespace() || c.is_control());
    for c in start.chars() {
        if matches!(c, '\t' | '\r' | '\n') {
            continue;
        }
        // Schemes are ASCII: anything else means this is not one of ours.
        if len == head.len() || !c.is_ascii() {
            break;
        }
        if let Some(slot) = head.get_mut(len) {
            *slot = c.to_ascii_lowercase() as u8;
        }
        len += 1;
    }
    let head = head.get(..len).unwrap_or_default();
    head.starts_with(b"javascript:")
        || head.starts_with(b"vbscript:")
        || (head.starts_with(b"data:") && !(image && head.starts_with(b"data:image/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> usize {
        let mut w = WordCounter::default();
        w.add(s);
        w.count()
    }

    #[test]
    fn counts_words() {
        assert_eq!(words("one two  three\nfour"), 4);
        assert_eq!(words("a — b"), 2, "a dash alone is not a word");
        assert_eq!(words("e.g. U.S. $5"), 3);
        assert_eq!(words("巴基斯坦抗议"), 6);
        assert_eq!(words("中文，abc。def"), 4);
        assert_eq!(words("abc，def"), 2);
        assert_eq!(words("ひらがな カタカナ"), 8);
        assert_eq!(words("عمران خان کی رہائی"), 4);
        assert_eq!(words(""), 0);
    }

    #[test]
    fn pieces_of_one_word_count_once() {
        let mut w = WordCounter::default();
        w.add("don");
        w.add("\u{2019}");
        w.add("t stop");
        assert_eq!(w.count(), 2);
        w.split();
        w.add("again");
        assert_eq!(w.count(), 3);
    }

    #[test]
    fn plain_text_collapses() {
        let mut t = PlainText::default();
        t.split();
        t.push("  a \n b");
        t.push("c");
        t.split();
        t.push("d  ");
        assert_eq!(t.finish(), "a bc d");
    }

    #[test]
    fn marker_forms() {
        assert!(is_more_marker("<!-- more -->\n"));
        assert!(is_more_marker("<!--more-->"));
        assert!(is_more_marker("  <!--   MORE\t-->  "));
        assert!(!is_more_marker("<!-- more --> text"));
        assert!(!is_more_marker("<!-- more than this -->"));
        assert!(!is_more_marker("<!-- -->"));
    }

    #[test]
    fn dangerous_schemes() {
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:x",
            "  \u{1}javascript:x",
            "vbscript:msgbox",
            "data:text/html,<script>",
        ] {
            assert!(is_dangerous(url, false), "{url:?}");
            assert!(is_dangerous(url, true), "{url:?}");
        }
        assert!(is_dangerous("data:image/png;base64,AA", false));
        assert!(!is_dangerous("data:image/png;base64,AA", true));
        assert!(!is_dangerous("DATA:IMAGE/png;base64,AA", true));
        for url in [
            "https://x.org/javascript:",
            "/a/b",
            "#top",
            "mailto:a@b.c",
            "java",
        ] {
            assert!(!is_dangerous(url, false), "{url:?}");
        }
        assert_eq!(
            neutralise_url(CowStr::Borrowed("javascript:x"), false).as_ref(),
            "#"
        );
        assert_eq!(
            neutralise_url(CowStr::Borrowed("/ok"), false).as_ref(),
            "/ok"
        );
    }
}
