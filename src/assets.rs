//! Static files made ready to publish: every stylesheet and script is minified (with
//! `minify = true`) and renamed after a hash of its bytes (`style.css` -> `style.1a2b3c4d5e.css`),
//! so hosts can cache it forever; every other file (`CNAME`, `_redirects`, `.nojekyll`, images)
//! is copied as it is. Templates reach the published names through the `asset()` function.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::error::{Diagnostic, Error, Result};
use crate::output::{Contents, OutputFile};

/// Extensions whose files get a content hash in their name (and are minified on request).
const FINGERPRINTED: &[&str] = &["css", "js"];

/// Hex digits of the hash kept in a file name: enough that two versions of one file never share
/// a name in practice.
const HASH_DIGITS: usize = 10;

/// The static files of a build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assets {
    /// Files to write, sorted by path.
    pub files: Vec<OutputFile>,
    /// Site path of each static file (`/style.css`) -> the site path it is published at
    /// (`/style.1a2b3c4d5e.css`; the same path for files that are not fingerprinted).
    pub published: BTreeMap<String, String>,
    /// Links in the static folders that were left out, with why (absolute paths).
    pub skipped: Vec<Diagnostic>,
}

/// Reads the static folders (later folders win, see [`crate::output::static_files`]), minifies
/// and fingerprints stylesheets and scripts, and lists everything to publish.
pub fn prepare(dirs: &[PathBuf], minify: bool) -> Result<Assets> {
    let (files, skipped) = crate::output::static_files(dirs)?;
    let mut assets = Assets {
        skipped,
        ..Assets::default()
    };
    for file in files {
        let Contents::Copy(source) = &file.contents else {
            assets
                .published
                .insert(site_path(&file.path), site_path(&file.path));
            assets.files.push(file);
            continue;
        };
        let Some((stem, ext)) = fingerprintable(&file.path) else {
            assets
                .published
                .insert(site_path(&file.path), site_path(&file.path));
            assets.files.push(file);
            continue;
        };
        let mut bytes = std::fs::read(source).map_err(|e| Error::io(source, e))?;
        if minify {
            bytes = match ext {
                "css" => crate::minify::css(&bytes),
                _ => crate::minify::js(&bytes),
            };
        }
        let name = format!("{stem}.{}.{ext}", hash(&bytes));
        assets
            .published
            .insert(site_path(&file.path), site_path(&name));
        assets.files.push(OutputFile {
            path: name,
            contents: Contents::Bytes(bytes),
        });
    }
    assets.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(assets)
}

/// `css/site.css` -> (`css/site`, `css`) for a file to fingerprint; `None` for other files and
/// for names that are only an extension (`.css`).
fn fingerprintable(path: &str) -> Option<(&str, &str)> {
    let (stem, ext) = path.rsplit_once('.')?;
    let name_stem = stem.rsplit('/').next().unwrap_or(stem);
    if name_stem.is_empty() {
        return None;
    }
    let ext = FINGERPRINTED
        .iter()
        .find(|e| ext.eq_ignore_ascii_case(e))
        .map(|_| ext)?;
    Some((stem, ext))
}

fn site_path(rel: &str) -> String {
    crate::urls::file(rel)
}

/// FNV-1a over the bytes, as hex: the same on every platform and Rust version (std's hasher is
/// not), and a cache-busting name needs no cryptographic strength.
fn hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut hex = format!("{h:016x}");
    hex.truncate(HASH_DIGITS);
    hex
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn names(assets: &Assets) -> Vec<&str> {
        assets.files.iter().map(|f| f.path.as_str()).collect()
    }

    #[test]
    fn stylesheets_and_scripts_get_content_hashes_other_files_stay() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("static");
        fs::create_dir_all(dir.join("js")).unwrap();
        fs::write(dir.join("style.css"), "body {\n  margin: 0px;\n}\n").unwrap();
        fs::write(dir.join("js/search.js"), "var a = 1;\n").unwrap();
        fs::write(dir.join("CNAME"), "news.example.org\n").unwrap();
        fs::write(dir.join(".nojekyll"), "").unwrap();
        fs::write(dir.join("_redirects"), "/old /new 301\n").unwrap();
        fs::write(dir.join(".css"), "odd").unwrap();

        let assets = prepare(std::slice::from_ref(&dir), false).unwrap();
        let css = format!("style.{}.css", hash(b"body {\n  margin: 0px;\n}\n"));
        let js = format!("js/search.{}.js", hash(b"var a = 1;\n"));
        let mut expected = vec![".css", ".nojekyll", "CNAME", "_redirects", &js, &css];
        expected.sort();
        assert_eq!(names(&assets), expected);
        assert_eq!(assets.published["/style.css"], format!("/{css}"));
        assert_eq!(assets.published["/js/search.js"], format!("/{js}"));
        assert_eq!(assets.published["/CNAME"], "/CNAME");
        let cname = assets.files.iter().find(|f| f.path == "CNAME").unwrap();
        assert_eq!(cname.contents, Contents::Copy(dir.join("CNAME")));

        let minified = prepare(&[dir], true).unwrap();
        let css_file = minified
            .files
            .iter()
            .find(|f| f.path.starts_with("style."))
            .unwrap();
        assert_eq!(
            css_file.contents,
            Contents::Bytes(b"body{margin:0}".to_vec())
        );
        assert_eq!(
            css_file.path,
            format!("style.{}.css", hash(b"body{margin:0}"))
        );
    }

    #[test]
    fn the_hash_is_fixed_for_given_bytes() {
        // FNV-1a test vectors: the empty input and "a".
        assert_eq!(hash(b""), "cbf29ce484");
        assert_eq!(hash(b"a"), "af63dc4c86");
        assert_eq!(hash(b"body{}").len(), HASH_DIGITS);
        assert_ne!(hash(b"body{}"), hash(b"body{ }"));
    }
}
