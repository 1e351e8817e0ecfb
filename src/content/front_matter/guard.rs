//! Cheap limits checked before the YAML parser sees front matter, so a hostile or broken file
//! (a "billion laughs" alias bomb, thousands of nested brackets) is refused in linear time.
//!
//! The scan is a light YAML tokenizer: it knows quotes, comments, flow brackets, block
//! indentation, `- `/`? ` indicators, block scalars (`|`, `>`) and alias/anchor tokens, just
//! enough to count nesting and aliases, and it refuses `--- x` lines (a second YAML document,
//! which the parser would read in full before saying it is not supported). It may miscount
//! exotic layouts; the expansion budget (`budget.rs`) and the parser's own recursion limit stay
//! behind it as a second line.

/// Largest front matter accepted, in bytes.
pub const MAX_BYTES: usize = 64 * 1024;
/// Deepest nesting accepted (block indentation levels plus open `[`/`{`).
pub const MAX_DEPTH: usize = 32;
/// Most alias uses (`*name`) accepted.
pub const MAX_ALIASES: usize = 100;

/// Checks the limits on `yaml`, whose first line is line `first_line` of the file. On failure,
/// returns the file line where the limit was crossed and a message naming the limit.
pub fn check(yaml: &str, first_line: usize) -> Result<(), (usize, String)> {
    if yaml.len() > MAX_BYTES {
        return Err((
            first_line.saturating_sub(1),
            format!(
                "front matter is {} bytes, more than the limit of 64 KiB; put long text in the body",
                yaml.len()
            ),
        ));
    }
    let mut scan = Scan::default();
    for (i, line) in yaml.split('\n').enumerate() {
        scan.line(line)
            .map_err(|message| (first_line + i, message))?;
    }
    Ok(())
}

#[derive(Default)]
struct Scan {
    /// Open quoted scalar (`"` or `'`), which may run over several lines.
    quote: Option<u8>,
    /// Open `[`/`{` brackets.
    flow: usize,
    /// Columns of the open block nodes, increasing.
    columns: Vec<usize>,
    /// Indentation of the line that opened a block scalar: deeper lines are its text.
    block_scalar: Option<usize>,
    aliases: usize,
}

fn depth_error() -> String {
    format!("front matter nests more than {MAX_DEPTH} levels deep; flatten it")
}

impl Scan {
    fn line(&mut self, line: &str) -> Result<(), String> {
        // `--- x` or `... x` at the start of a line begins or ends a YAML document, wherever it
        // is (even inside quotes). Front matter is one document; a second one would be parsed
        // in full, with none of the limits below, before the parser says it is not supported.
        if is_document_marker(line) {
            return Err(
                "a line starting with `---` or `...` inside front matter starts another \
                        YAML document; front matter is one block of `key: value` lines"
                    .into(),
            );
        }
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|b| **b == b' ').count();
        let blank = line.trim().is_empty();
        if let Some(parent) = self.block_scalar {
            if blank || indent > parent {
                return Ok(());
            }
            self.block_scalar = None;
        }
        let mut pos = 0;
        if self.quote.is_none() && self.flow == 0 {
            if blank || bytes.get(indent) == Some(&b'#') {
                return Ok(());
            }
            self.block_columns(bytes, indent)?;
            pos = indent;
        }
        self.tokens(bytes, pos, indent)
    }

    /// Tracks block nesting from the line's indentation and its leading `- ` / `? ` indicators.
    fn block_columns(&mut self, bytes: &[u8], indent: usize) -> Result<(), String> {
        while self.columns.last().is_some_and(|c| *c > indent) {
            self.columns.pop();
        }
        if self.columns.last() != Some(&indent) {
            self.columns.push(indent);
        }
        let mut pos = indent;
        while matches!(bytes.get(pos), Some(b'-' | b'?'))
            && matches!(bytes.get(pos + 1), Some(b' ' | b'\t'))
        {
            pos += 1;
            while matches!(bytes.get(pos), Some(b' ' | b'\t')) {
                pos += 1;
            }
            if pos < bytes.len() {
                self.columns.push(pos);
            }
        }
        if self.columns.len() > MAX_DEPTH {
            return Err(depth_error());
        }
        Ok(())
    }

    /// Scans the rest of a line for quotes, brackets, comments, aliases and block scalars.
    fn tokens(&mut self, bytes: &[u8], mut pos: usize, indent: usize) -> Result<(), String> {
        // A quote, bracket or alias only starts a token where a value may begin.
        let mut value_start = true;
        while let Some(&c) = bytes.get(pos) {
            let next = bytes.get(pos + 1).copied();
            let next_is_space = matches!(next, None | Some(b' ' | b'\t'));
            if let Some(q) = self.quote {
                if q == b'"' && c == b'\\' {
                    pos += 2;
                    continue;
                }
                if c == q {
                    if q == b'\'' && next == Some(b'\'') {
                        pos += 2;
                        continue;
                    }
                    self.quote = None;
                    value_start = false;
                }
                pos += 1;
                continue;
            }
            match c {
                b' ' | b'\t' => {}
                b'#' if pos == 0 || matches!(bytes.get(pos - 1), Some(b' ' | b'\t')) => {
                    return Ok(());
                }
                b'"' | b'\'' if value_start => self.quote = Some(c),
                b'[' | b'{' if value_start || self.flow > 0 => {
                    self.flow += 1;
                    if self.columns.len() + self.flow > MAX_DEPTH {
                        return Err(depth_error());
                    }
                    value_start = true;
                }
                b']' | b'}' if self.flow > 0 => {
                    self.flow -= 1;
                    value_start = false;
                }
                b',' if self.flow > 0 => value_start = true,
                b':' if next_is_space || self.flow > 0 => value_start = true,
                b'-' | b'?' if value_start && next_is_space => {}
                b'*' if value_start => {
                    self.aliases += 1;
                    if self.aliases > MAX_ALIASES {
                        return Err(format!(
                            "front matter uses more than {MAX_ALIASES} aliases (*name); \
                             write the values out instead"
                        ));
                    }
                    pos = token_end(bytes, pos);
                    value_start = false;
                    continue;
                }
                // Anchors and tags come before a value, which may still start after them.
                b'&' | b'!' if value_start => {
                    pos = token_end(bytes, pos);
                    continue;
                }
                b'|' | b'>' if value_start && self.flow == 0 => {
                    self.block_scalar = Some(indent);
                    return Ok(());
                }
                _ => value_start = false,
            }
            pos += 1;
        }
        Ok(())
    }
}

/// `---` or `...` followed by a space or tab (a bare marker line is the closing fence, so
/// front matter never holds one).
fn is_document_marker(line: &str) -> bool {
    ["---", "..."].iter().any(|marker| {
        line.strip_prefix(marker)
            .is_some_and(|rest| rest.starts_with([' ', '\t']) || rest.is_empty())
    })
}

/// End of an anchor, alias or tag token starting at `pos`.
fn token_end(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(c) = bytes.get(pos) {
        if matches!(c, b' ' | b'\t' | b',' | b'[' | b']' | b'{' | b'}') {
            break;
        }
        pos += 1;
    }
    pos
}
