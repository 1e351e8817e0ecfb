//! From a request path to a file of the served folder, and nothing outside it: the path is
//! percent-decoded, then refused if any segment is `.` or `..`, empty, or holds a backslash, NUL
//! or another control character; what is left is joined under the folder, and the real path
//! (symlinks resolved) must still be inside it.

use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;

/// What a request path leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A regular file inside the served folder (canonical path).
    File(PathBuf),
    /// A folder asked for without its trailing slash: redirect here so relative links work.
    Redirect(String),
    /// Nothing servable.
    NotFound,
}

/// The safe segments of a raw request path (`/2024/11/` -> `["2024", "11"]`, with a trailing
/// slash flag), or `None` for anything that could step outside.
pub fn segments(raw: &str) -> Option<(Vec<String>, bool)> {
    let rest = raw.strip_prefix('/')?;
    let decoded = percent_decode_str(rest).decode_utf8().ok()?;
    if decoded.chars().any(|c| c == '\\' || c.is_control()) {
        return None;
    }
    let mut parts: Vec<String> = decoded.split('/').map(str::to_string).collect();
    let trailing = parts.last().is_some_and(String::is_empty);
    if trailing {
        parts.pop();
    }
    if parts
        .iter()
        .any(|s| s.is_empty() || s == "." || s == ".." || s.contains(':'))
    {
        return None;
    }
    Some((parts, trailing || rest.is_empty()))
}

/// Resolves a raw request path against `root` (canonical). A folder serves its `index.html`.
pub fn resolve(root: &Path, raw: &str) -> Target {
    let Some((parts, trailing)) = segments(raw) else {
        return Target::NotFound;
    };
    let mut path = root.to_path_buf();
    path.extend(&parts);
    let Some(real) = std::fs::canonicalize(&path)
        .ok()
        .filter(|real| real.starts_with(root))
    else {
        return Target::NotFound;
    };
    if real.is_dir() {
        if !trailing {
            return Target::Redirect(format!("{raw}/"));
        }
        return inside(root, &real.join("index.html")).map_or(Target::NotFound, Target::File);
    }
    match real.is_file() && !trailing {
        true => Target::File(real),
        false => Target::NotFound,
    }
}

/// `path` with symlinks resolved, if it is a regular file inside `root` (canonical).
pub fn inside(root: &Path, path: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(path).ok()?;
    (real.starts_with(root) && real.is_file()).then_some(real)
}

/// The output paths a request path may be served from: the file itself, or the `index.html` of
/// the folder (with or without its trailing slash, which redirects to it). Empty for a path that
/// is never served.
pub fn candidates(raw: &str) -> Vec<String> {
    let Some((parts, trailing)) = segments(raw) else {
        return Vec::new();
    };
    let joined = parts.join("/");
    let index = match joined.is_empty() {
        true => "index.html".to_string(),
        false => format!("{joined}/index.html"),
    };
    match trailing {
        true => vec![index],
        false => vec![joined, index],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn request_paths_map_to_the_files_they_are_served_from() {
        assert_eq!(candidates("/"), ["index.html"]);
        assert_eq!(candidates("/page/2/"), ["page/2/index.html"]);
        assert_eq!(candidates("/page/2"), ["page/2", "page/2/index.html"]);
        assert_eq!(candidates("/tags/caf%C3%A9/"), ["tags/café/index.html"]);
        assert_eq!(candidates("/../x"), Vec::<String>::new());
    }

    #[test]
    fn segments_refuse_every_way_out() {
        assert_eq!(segments("/"), Some((vec![], true)));
        assert_eq!(
            segments("/2024/11/x/"),
            Some((vec!["2024".into(), "11".into(), "x".into()], true))
        );
        assert_eq!(
            segments("/caf%C3%A9.html"),
            Some((vec!["café.html".into()], false))
        );
        for bad in [
            "/../",
            "/..",
            "/a/../b",
            "/%2e%2e/",
            "/%2E%2e/x",
            "/..%2f",
            "/..%2F..%2Fetc/passwd",
            "/a%2f..%2f..%2fb",
            "/./x",
            "/a//b",
            "//etc/passwd",
            "/..\\x",
            "/%5c..",
            "/a%00b",
            "/a%0ab",
            "/%ff",
            "/c:/windows",
            "relative",
            "",
        ] {
            assert_eq!(segments(bad), None, "{bad}");
        }
    }

    #[test]
    fn files_folders_and_links_out_of_the_root() {
        let tmp = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(tmp.path()).unwrap();
        let root = base.join("out");
        fs::create_dir_all(root.join("x")).unwrap();
        fs::write(root.join("x/index.html"), "x").unwrap();
        fs::write(root.join("a.css"), "a").unwrap();
        fs::write(base.join("secret.txt"), "s").unwrap();
        std::os::unix::fs::symlink(base.join("secret.txt"), root.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(&base, root.join("up")).unwrap();
        std::os::unix::fs::symlink(root.join("a.css"), root.join("b.css")).unwrap();

        assert_eq!(resolve(&root, "/a.css"), Target::File(root.join("a.css")));
        assert_eq!(resolve(&root, "/b.css"), Target::File(root.join("a.css")));
        assert_eq!(
            resolve(&root, "/x/"),
            Target::File(root.join("x/index.html"))
        );
        assert_eq!(resolve(&root, "/x"), Target::Redirect("/x/".into()));
        assert_eq!(resolve(&root, "/missing"), Target::NotFound);
        assert_eq!(resolve(&root, "/link.txt"), Target::NotFound);
        assert_eq!(resolve(&root, "/up/secret.txt"), Target::NotFound);
        assert_eq!(resolve(&root, "/up"), Target::NotFound);
        assert_eq!(resolve(&root, "/a.css/"), Target::NotFound);
        assert_eq!(resolve(&root, "/../secret.txt"), Target::NotFound);
        assert_eq!(resolve(&root, "/"), Target::NotFound);
    }
}
