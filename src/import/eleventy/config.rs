//! What Eleventy's JavaScript config file says that the import needs: the input folder and
//! the passthrough copies. The file is code, so only the plain literal forms are read.

use std::path::{Path, PathBuf};

/// Eleventy's config file names.
pub const CONFIG_FILES: &[&str] = &[
    "eleventy.config.js",
    "eleventy.config.mjs",
    "eleventy.config.cjs",
    ".eleventy.js",
];
/// The input folder named in the config file (`dir: { input: "src" }`), else the project.
pub fn input_dir(src: &Path) -> PathBuf {
    for name in CONFIG_FILES {
        let Ok(text) = std::fs::read_to_string(src.join(name)) else {
            continue;
        };
        // `input: "content"` (an object key); not `inputPath` or a comment's word.
        for (at, _) in text.match_indices("input") {
            let rest = text[at + "input".len()..].trim_start();
            let Some(rest) = rest.strip_prefix(':') else {
                continue;
            };
            let rest = rest.trim_start();
            let Some(quote) = rest
                .chars()
                .next()
                .filter(|c| matches!(c, '"' | '\'' | '`'))
            else {
                continue;
            };
            let Some(end) = rest[1..].find(quote) else {
                continue;
            };
            let dir = rest[1..=end].trim_start_matches("./").trim_end_matches('/');
            if !dir.is_empty() && src.join(dir).is_dir() {
                return PathBuf::from(dir);
            }
        }
    }
    PathBuf::new()
}

/// The `addPassthroughCopy` calls of the config file, as (source path, output path):
/// `addPassthroughCopy("img")` keeps its path, `addPassthroughCopy({ "./public/": "/" })` maps
/// it. Globs are left out: files beside posts are found as their assets.
pub fn passthrough(src: &Path) -> Vec<(String, String)> {
    let mut copies = Vec::new();
    for name in CONFIG_FILES {
        let Ok(text) = std::fs::read_to_string(src.join(name)) else {
            continue;
        };
        for (at, call) in text.match_indices("addPassthroughCopy(") {
            let rest = &text[at + call.len()..];
            let args = &rest[..rest.find(')').unwrap_or(rest.len())];
            let strings = quoted(args);
            let pairs: Vec<(String, String)> = if args.trim_start().starts_with('{') {
                strings
                    .chunks(2)
                    .filter(|pair| pair.len() == 2)
                    .map(|pair| (pair[0].clone(), pair[1].clone()))
                    .collect()
            } else {
                strings
                    .into_iter()
                    .take(1)
                    .map(|s| (s.clone(), s))
                    .collect()
            };
            for (from, to) in pairs {
                if !from.contains('*') {
                    let from = from
                        .trim_start_matches("./")
                        .trim_end_matches('/')
                        .to_string();
                    copies.push((from, to.trim_start_matches("./").to_string()));
                }
            }
        }
    }
    copies
}

/// The quoted strings of a piece of JavaScript, in order.
fn quoted(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(['"', '\'', '`']) {
        let quote = rest[start..].chars().next().unwrap_or('"');
        let after = &rest[start + 1..];
        let Some(end) = after.find(quote) else {
            break;
        };
        found.push(after[..end].to_string());
        rest = &after[end + 1..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn any_javascript_quotes(text in "[\"'`{}:/a-z ]{0,40}") {
            let _ = quoted(&text);
        }
    }

    #[test]
    fn the_input_folder_comes_from_the_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        std::fs::write(
            dir.path().join("eleventy.config.js"),
            "// the input folder\nconst p = data.page.inputPath;\nexport const config = {\n  \
             dir: { input: \"content\", includes: \"../_includes\" } };\n",
        )
        .unwrap();
        assert_eq!(input_dir(dir.path()), PathBuf::from("content"));
        std::fs::write(
            dir.path().join("eleventy.config.js"),
            "dir: { input: 'nowhere' }",
        )
        .unwrap();
        assert_eq!(input_dir(dir.path()), PathBuf::new());
    }

    #[test]
    fn passthrough_copies_from_the_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("eleventy.config.js"),
            "c.addPassthroughCopy({ \"./public/\": \"/\" });\nc.addPassthroughCopy('img');\n\
             c.addPassthroughCopy(\"content/**/*.png\");\n",
        )
        .unwrap();
        assert_eq!(
            passthrough(dir.path()),
            [
                ("public".to_string(), "/".to_string()),
                ("img".into(), "img".into())
            ]
        );
    }
}
