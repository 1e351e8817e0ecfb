//! Links in article bodies: what each one points at, and the rewriting of links to other
//! articles' Markdown files (`../26/other.md#x`) into those articles' URLs. Pure string work on
//! site paths; no file access.

use std::path::{Component, Path, PathBuf};

use percent_encoding::percent_decode_str;

use crate::urls::Urls;

/// A link of an article body, located and classified, for `check` and build warnings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BodyLink {
    /// 1-based line of the link in the Markdown file.
    pub line: usize,
    /// The destination as written.
    pub dest: String,
    /// An image rather than a link.
    pub image: bool,
    /// What it points at.
    pub target: Target,
}

/// What a body link points at.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Target {
    /// An `http(s)://` URL.
    External(String),
    /// A page or file of this site: a site path (`/2024/11/27/x/`, `/2024/11/27/x/photo.jpg`),
    /// percent-decoded, without query or fragment.
    Internal(String),
    /// Another article, linked through its Markdown file; the link was rewritten to its URL.
    Article {
        /// The target's file, relative to the site root.
        file: PathBuf,
        /// Its page's site path.
        path: String,
        /// The `#fragment`, if any (without `#`).
        fragment: Option<String>,
    },
    /// A Markdown file that is no article of this site (the resolved file, relative to the
    /// site root, or the destination as written when it leaves the site).
    MissingArticle(String),
    /// Not checked: `mailto:`, `#anchor` on the same page, other schemes.
    Other,
}

impl Target {
    /// A link through a Markdown file, to an article or to none: where it leads depends on the
    /// other articles, so a build checks it again whenever they change (and warns when it leads
    /// to no published article). Other links depend on their destination alone: only
    /// `gazette check`, which reads every file, looks at them.
    pub fn through_articles(&self) -> bool {
        matches!(self, Target::Article { .. } | Target::MissingArticle(_))
    }
}

/// Every article's page, by its Markdown file (relative to the site root), found by the path's
/// bytes as [`super::ByFile`] finds articles.
pub type ArticleIndex = super::ByFile<String>;

/// Classifies `dest`, written in the article `file` whose page is `page` (a site path).
pub fn classify(dest: &str, file: &Path, page: &str, index: &ArticleIndex) -> Target {
    let dest = dest.trim();
    if dest.is_empty() || dest.starts_with(['#', '?']) {
        return Target::Other;
    }
    if let Some(scheme) = crate::urls::scheme(dest) {
        return if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
            Target::External(dest.to_string())
        } else {
            Target::Other
        };
    }
    if dest.starts_with("//") {
        return Target::External(format!("https:{dest}"));
    }
    let (path, suffix) = split_suffix(dest);
    let path = percent_decode_str(path).decode_utf8_lossy();
    if !path.starts_with('/') && is_markdown(&path) {
        return match article_file(file, &path) {
            Some(target) => match index.get(target.as_os_str()) {
                Some(site_path) => Target::Article {
                    file: target,
                    path: site_path.clone(),
                    fragment: fragment(suffix),
                },
                None => Target::MissingArticle(target.to_string_lossy().into_owned()),
            },
            None => Target::MissingArticle(format!("{path} (outside content/)")),
        };
    }
    Target::Internal(join_site_path(page, &path))
}

/// The rewritten destination for a link to another article's Markdown file: that article's
/// absolute URL (with the `#fragment` or `?query` as written). Absolute, because the same HTML
/// is also shown on other pages (summaries on list pages) and in feeds, where a relative link
/// would point elsewhere. `None` keeps `dest`.
pub fn rewrite(
    dest: &str,
    file: &Path,
    page: &str,
    index: &ArticleIndex,
    urls: &Urls,
) -> Option<String> {
    match classify(dest, file, page, index) {
        Target::Article { path, .. } => {
            let (_, suffix) = split_suffix(dest.trim());
            Some(format!("{}{suffix}", urls.absolute(&path)))
        }
        _ => None,
    }
}

fn split_suffix(dest: &str) -> (&str, &str) {
    match dest.find(['?', '#']) {
        Some(i) => dest.split_at(i),
        None => (dest, ""),
    }
}

fn fragment(suffix: &str) -> Option<String> {
    let (_, fragment) = suffix.split_once('#')?;
    let fragment = percent_decode_str(fragment).decode_utf8_lossy();
    (!fragment.is_empty()).then(|| fragment.into_owned())
}

fn is_markdown(path: &str) -> bool {
    path.rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.ends_with('/') && super::is_article_extension(ext))
}

/// The file `rel` names from the folder of `file`, relative to the site root; `None` when it
/// climbs out of `content/`, where no article can be.
fn article_file(file: &Path, rel: &str) -> Option<PathBuf> {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    let dir = file.parent().unwrap_or(Path::new(""));
    for component in dir.components().chain(Path::new(rel).components()) {
        match component {
            Component::Normal(part) => parts.push(part),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    let inside = parts.first().is_some_and(|first| *first == "content") && parts.len() > 1;
    inside.then(|| parts.iter().collect())
}

/// Resolves `rel` against the page at site path `page`, as a browser would: `x.jpg` on
/// `/a/b/` is `/a/b/x.jpg`; `..` never climbs above `/`.
fn join_site_path(page: &str, rel: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    if !rel.starts_with('/')
        && let Some((dir, _)) = page.rsplit_once('/')
    {
        segments.extend(dir.split('/').filter(|s| !s.is_empty()));
    }
    let parts: Vec<&str> = rel.split('/').collect();
    let last = parts.len().saturating_sub(1);
    let mut folder = false;
    for (i, part) in parts.iter().enumerate() {
        match *part {
            "" | "." => folder = i == last,
            ".." => {
                segments.pop();
                folder = i == last;
            }
            other => {
                segments.push(other);
                folder = false;
            }
        }
    }
    let mut out = format!("/{}", segments.join("/"));
    if folder && !out.ends_with('/') {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "content/2024/11/27/a.md";
    const PAGE: &str = "/2024/11/27/a/";

    fn index() -> ArticleIndex {
        [
            ("content/2024/11/26/other.md", "/2024/11/26/other-story/"),
            ("content/2024/11/27/b.md", "/2024/11/27/b/"),
            ("content/2024/11/27/a.md", "/2024/11/27/a/"),
        ]
        .into_iter()
        .map(|(f, p)| (f.into(), p.to_string()))
        .collect()
    }

    fn class(dest: &str) -> Target {
        classify(dest, Path::new(FILE), PAGE, &index())
    }

    #[test]
    fn links_are_classified() {
        assert_eq!(
            class("https://ex.org/a"),
            Target::External("https://ex.org/a".into())
        );
        assert_eq!(
            class("HTTP://ex.org"),
            Target::External("HTTP://ex.org".into())
        );
        assert_eq!(
            class("//cdn.ex.org/x"),
            Target::External("https://cdn.ex.org/x".into())
        );
        for other in ["mailto:a@b.org", "#top", "", "?q=1", "tel:+123"] {
            assert_eq!(class(other), Target::Other, "{other}");
        }
        assert_eq!(
            class("/2024/11/27/nope/"),
            Target::Internal("/2024/11/27/nope/".into())
        );
        assert_eq!(
            class("photo%20one.jpg"),
            Target::Internal("/2024/11/27/a/photo one.jpg".into())
        );
        assert_eq!(class("../b/#x"), Target::Internal("/2024/11/27/b/".into()));
        assert_eq!(class("../../../../../.."), Target::Internal("/".into()));
        assert_eq!(class("/tags/x"), Target::Internal("/tags/x".into()));
    }

    #[test]
    fn markdown_links_find_their_article() {
        assert_eq!(
            class("../26/other.md#the-part"),
            Target::Article {
                file: "content/2024/11/26/other.md".into(),
                path: "/2024/11/26/other-story/".into(),
                fragment: Some("the-part".into()),
            }
        );
        assert_eq!(
            class("./b.md"),
            Target::Article {
                file: "content/2024/11/27/b.md".into(),
                path: "/2024/11/27/b/".into(),
                fragment: None,
            }
        );
        // `.MD` is Markdown too; file names are matched exactly, as the file system does.
        assert_eq!(
            class("b.MD"),
            Target::MissingArticle("content/2024/11/27/b.MD".into())
        );
    }

    #[test]
    fn missing_markdown_files_are_named() {
        assert_eq!(
            class("../26/nope.md"),
            Target::MissingArticle("content/2024/11/26/nope.md".into())
        );
        assert_eq!(
            class("../../../../../x.md#a"),
            Target::MissingArticle("../../../../../x.md (outside content/)".into())
        );
        assert_eq!(
            class("../../../../x.md"),
            Target::MissingArticle("../../../../x.md (outside content/)".into())
        );
        // An absolute `.md` path is a site path: it is checked as a URL.
        assert_eq!(class("/x.md"), Target::Internal("/x.md".into()));
    }

    #[test]
    fn rewriting_makes_absolute_page_links() {
        let urls = Urls::new("https://example.org/news/");
        let rw = |dest: &str| rewrite(dest, Path::new(FILE), PAGE, &index(), &urls);
        assert_eq!(
            rw("../26/other.md#part").as_deref(),
            Some("https://example.org/news/2024/11/26/other-story/#part")
        );
        assert_eq!(
            rw("b.md?x=1").as_deref(),
            Some("https://example.org/news/2024/11/27/b/?x=1")
        );
        assert_eq!(
            rw("a.md#top").as_deref(),
            Some("https://example.org/news/2024/11/27/a/#top")
        );
        assert_eq!(rw("https://ex.org/x.md"), None);
        assert_eq!(rw("nope.md"), None);
    }
}
