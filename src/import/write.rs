//! Placing what a reader found as a Gazette site: one `content/YYYY/MM/DD/<slug>.md` per post
//! with Gazette front matter and every old URL that differs from the new one as an alias, its
//! files beside it, static files under `static/`, a `site.toml`, and the default theme when the
//! destination has none. The whole plan is made first, so a refusal writes nothing.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::new_site;
use super::{ImportOptions, ImportReport, Post, Source};
use crate::config::{DEFAULT_PERMALINK, SiteTz};
use crate::error::{Diagnostic, Error, Result};
use crate::markdown::foreign;
use crate::{slug, urls};

/// The permalink that keeps Jekyll's default `date` URLs as they were.
pub const HTML_PERMALINK: &str = "/{year}/{month}/{day}/{slug}.html";

/// One file to create.
enum Output {
    Text(String),
    Copy(PathBuf),
}

/// One post placed: its new file, URL and front matter.
struct Placed<'a> {
    post: &'a Post,
    slug: String,
    day: String,
    url: String,
}

/// Plans the new site, refuses existing files unless `force`, then writes everything.
pub fn write(source: &Source, options: &ImportOptions) -> Result<ImportReport> {
    let tz = match &source.site.timezone {
        Some(name) => {
            SiteTz::parse(name).map_err(|m| Error::problem(Diagnostic::new("site.toml", m)))?
        }
        None => {
            SiteTz::parse("UTC").map_err(|m| Error::problem(Diagnostic::new("site.toml", m)))?
        }
    };
    let mut report = ImportReport {
        attention: source.attention.clone(),
        ..ImportReport::default()
    };
    let mut posts: Vec<&Post> = source.posts.iter().collect();
    posts.sort_by(|a, b| (a.date, &a.file).cmp(&(b.date, &b.file)));

    // Slugs first: two posts of one day with one slug would share a URL.
    let mut taken = HashSet::new();
    let mut placed: Vec<Placed> = Vec::new();
    for post in posts {
        let local = tz.to_local(post.date);
        let stem = post.file.file_stem().unwrap_or_default().to_string_lossy();
        // Gazette keeps a written slug as it is (made safe), so an old slug survives.
        let base = Some(slug::keep_written(&post.slug))
            .filter(|s| slug::is_safe_segment(s))
            .unwrap_or_else(|| slug::slug_or_fallback(&post.title, &stem));
        let day = local.format("%Y/%m/%d").to_string();
        let mut slug = base.clone();
        let mut n = 2;
        // Case ignored, as Gazette compares URLs (and as some file systems compare names).
        while !taken.insert(format!("{day}/{slug}").to_lowercase()) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        placed.push(Placed {
            post,
            slug,
            day,
            url: String::new(),
        });
    }
    // The old URLs stay as they are when every published post already had this shape.
    let published: Vec<&Placed> = placed.iter().filter(|p| !p.post.urls.is_empty()).collect();
    let keep_html = !published.is_empty()
        && published.iter().all(|p| {
            p.post.urls[0] == urls::permalink(HTML_PERMALINK, &tz.to_local(p.post.date), &p.slug)
        });
    report.permalink = if keep_html {
        HTML_PERMALINK
    } else {
        DEFAULT_PERMALINK
    }
    .to_string();
    for p in &mut placed {
        p.url = urls::permalink(&report.permalink, &tz.to_local(p.post.date), &p.slug);
    }

    let mut files: Vec<(PathBuf, Output)> = Vec::new();
    let categories = source.posts.iter().any(|p| !p.categories.is_empty());
    let mut claimed: HashMap<String, PathBuf> = placed
        .iter()
        .map(|p| (same_page(&p.url), p.post.file.clone()))
        .collect();
    let base_url = source.site.base_url.clone().unwrap_or_default();
    // Output file -> the source file going there, so two never share a name.
    let mut claimed_files: HashMap<PathBuf, PathBuf> = HashMap::new();
    for p in &placed {
        let post = p.post;
        let rel = PathBuf::from(format!("content/{}/{}.md", p.day, p.slug));
        let aliases = aliases_of(p, &mut claimed, &base_url, categories, &mut report);
        report.aliases += aliases.len();
        let (front, keys) = new_site::front_matter(post, &p.slug, &aliases, &tz);
        for key in keys {
            *report.extra_keys.entry(key).or_default() += 1;
        }
        let text = format!("---\n{front}---\n{}", post.body);
        let body_line = front.lines().count() + 3;
        for found in foreign::find(&post.body) {
            report.templates.push(Diagnostic::at(
                &rel,
                body_line + found.line - 1,
                format!(
                    "{} `{}` (from {}:{}); Gazette shows it as text: replace it by hand",
                    found.kind.describe(),
                    found.text,
                    post.file.display(),
                    post.body_line + found.line - 1
                ),
            ));
        }
        files.push((rel, Output::Text(text)));
        place_assets(p, &mut claimed_files, &mut files, &mut report);
    }
    for file in &source.statics {
        let dest = Path::new("static").join(&file.to);
        if !claimed_files.contains_key(&dest) {
            let theme_file = Path::new("static").join(&file.to);
            let shadows = crate::scaffold::DEFAULT_THEME
                .iter()
                .any(|(rel, _)| Path::new(rel) == theme_file);
            if shadows && file.to.extension().is_some_and(|e| e == "css" || e == "js") {
                report.attention.push(Diagnostic::new(
                    &dest,
                    "has the name of one of the default theme's own files, which a site's \
                     static file replaces: the pages would lose their styles or scripts; \
                     rename it (and its links)",
                ));
            } else if file.to.extension().is_some_and(|e| e == "css" || e == "js") {
                report.attention.push(Diagnostic::new(
                    &dest,
                    format!(
                        "Gazette publishes stylesheets and scripts under a name with a hash \
                         of their bytes, so /{} will not exist: the old theme's pages were \
                         not imported either, but a link to it from elsewhere breaks",
                        file.to.display()
                    ),
                ));
            }
            claimed_files.insert(dest.clone(), file.from.clone());
            files.push((dest, Output::Copy(file.from.clone())));
        }
    }
    files.push((
        PathBuf::from("site.toml"),
        Output::Text(new_site::site_toml(source, categories, &mut report)),
    ));

    refuse_existing(&options.dest, &files, options.force)?;
    // Most posts share their day's folder; asking the file system again costs (a mkdir is
    // slower than the file write on some disks).
    let mut made: HashSet<PathBuf> = HashSet::new();
    for (rel, output) in &files {
        let path = options.dest.join(rel);
        if let Some(dir) = path.parent()
            && !made.contains(dir)
        {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            made.insert(dir.to_path_buf());
        }
        match output {
            Output::Text(text) => std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?,
            Output::Copy(from) => {
                std::fs::copy(from, &path).map_err(|e| Error::io(from, e))?;
                report.files_copied += 1;
            }
        }
        report.written.push(rel.clone());
    }
    report.theme_files = write_theme(&options.dest)?;
    report.posts = placed.len();
    report.drafts = placed.iter().filter(|p| p.post.draft).count();
    Ok(report)
}

/// Places a post's files: beside its new `.md` (or, in subfolders, under `static/` at the new
/// page's folder), and a second copy under `static/` at the old page's folder, so their old
/// URLs still answer.
fn place_assets(
    p: &Placed,
    claimed: &mut HashMap<PathBuf, PathBuf>,
    files: &mut Vec<(PathBuf, Output)>,
    report: &mut ImportReport,
) {
    let post = p.post;
    let page_dir = urls::folder_of(&p.url);
    let old_dir = post.urls.first().map(|old| urls::folder_of(old));
    for asset in &post.assets {
        let mut places = vec![if asset.to.components().count() == 1 {
            // Gazette publishes only files right beside an article, next to its page.
            PathBuf::from(format!("content/{}", p.day)).join(&asset.to)
        } else {
            // Files in a bundle's subfolders go where the page's relative links look.
            Path::new("static")
                .join(page_dir.trim_start_matches('/'))
                .join(&asset.to)
        }];
        if let Some(old_dir) = old_dir.as_ref().filter(|d| **d != page_dir) {
            places.push(
                Path::new("static")
                    .join(old_dir.trim_start_matches('/'))
                    .join(&asset.to),
            );
        }
        for dest in places {
            match claimed.get(&dest) {
                Some(other) if *other != asset.from => report.attention.push(Diagnostic::new(
                    &post.file,
                    format!(
                        "{} would be published where another file is ({}); not copied there: \
                         rename one and fix its links",
                        asset.to.display(),
                        dest.display()
                    ),
                )),
                Some(_) => {}
                None => {
                    claimed.insert(dest.clone(), asset.from.clone());
                    files.push((dest, Output::Copy(asset.from.clone())));
                }
            }
        }
    }
}

/// The post's old addresses that need a redirect: each that is not its new URL, not another
/// post's (URL or old address) and not a page Gazette makes itself; the others are reported.
fn aliases_of(
    p: &Placed,
    claimed: &mut HashMap<String, PathBuf>,
    base_url: &str,
    categories: bool,
    report: &mut ImportReport,
) -> Vec<String> {
    let post = p.post;
    let own = same_page(&p.url);
    let mut aliases = Vec::new();
    let mut skip = |why: String| report.attention.push(Diagnostic::new(&post.file, why));
    for old in post.urls.iter().chain(&post.aliases) {
        let Some(path) = site_path(old, base_url) else {
            skip(format!(
                "old address `{old}` is not a path of this site; no redirect made"
            ));
            continue;
        };
        let key = same_page(&path);
        if key == own {
            if same_page_exactly(&path) != same_page_exactly(&p.url) {
                skip(format!(
                    "old address `{path}` differs from the new {} only in case, and hosts that \
                     ignore case cannot hold both; no redirect made",
                    p.url
                ));
            }
            continue;
        }
        if gazette_page(&path, categories) {
            skip(format!(
                "old address `{path}` is a page Gazette makes itself (lists, feeds, archives); \
                 no redirect made"
            ));
            continue;
        }
        match claimed.get(&key) {
            Some(owner) if *owner == post.file => {}
            Some(owner) => skip(format!(
                "old address `{path}` also belongs to {}; no redirect made for this post",
                owner.display()
            )),
            None => {
                claimed.insert(key, post.file.clone());
                aliases.push(path);
            }
        }
    }
    aliases
}

/// True for the paths of pages every Gazette site makes: home and its pages, tag (and
/// category) lists, the archive, date archives, search, feeds and the other site files.
fn gazette_page(path: &str, categories: bool) -> bool {
    const FILES: &[&str] = &[
        "404.html",
        "atom.xml",
        "rss.xml",
        "feed.json",
        "sitemap.xml",
        "robots.txt",
        "search-index.json",
    ];
    let trimmed = path.trim_matches('/');
    let segments: Vec<&str> = trimmed.split('/').collect();
    let first = segments[0];
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    // `/2024/`, `/2024/11/`, `/2024/11/27/`, each perhaps with `/page/N/` after it.
    let date_archive = {
        let n = segments
            .iter()
            .take(3)
            .take_while(|s| digits(s, 4) || digits(s, 2))
            .count();
        let rest = &segments[n..];
        digits(first, 4) && (rest.is_empty() || (rest.len() == 2 && rest[0] == "page"))
    };
    trimmed.is_empty()
        || FILES.contains(&trimmed)
        || ["page", "tags", "archive", "search"].contains(&first)
        || (categories && first == "categories")
        || (date_archive && !path.ends_with(".html"))
}

/// Lists every file to write that exists already, when not `force`.
fn refuse_existing(dest: &Path, files: &[(PathBuf, Output)], force: bool) -> Result<()> {
    if force {
        return Ok(());
    }
    let existing: Vec<Diagnostic> = files
        .iter()
        .map(|(rel, _)| dest.join(rel))
        .filter(|path| path.exists())
        .map(|path| {
            Diagnostic::new(
                path,
                "already exists; nothing was written. Import into an empty folder, or pass \
                 --force to overwrite such files (gazette import never deletes anything)",
            )
        })
        .collect();
    if existing.is_empty() {
        Ok(())
    } else {
        Err(Error::Problems(existing))
    }
}

/// Writes the default theme's files that are missing, so the new site builds at once.
fn write_theme(dest: &Path) -> Result<usize> {
    let theme = dest.join("themes/default");
    if theme.exists() {
        return Ok(0);
    }
    for (rel, bytes) in crate::scaffold::DEFAULT_THEME {
        let path = theme.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
    }
    Ok(crate::scaffold::DEFAULT_THEME.len())
}

/// An old address as a site path: `/x/` as is, a full URL under the site's base URL cut to
/// its path; `None` for another site's URL.
fn site_path(old: &str, base_url: &str) -> Option<String> {
    let old = old.split(['#', '?']).next().unwrap_or("").trim();
    if old.contains("://") {
        let base = base_url.trim_end_matches('/');
        let rest = old.strip_prefix(base).filter(|_| !base.is_empty())?;
        return Some(super::read::rooted(rest));
    }
    (!old.is_empty()).then(|| super::read::squeeze(&super::read::rooted(old)))
}

/// The page an address reaches, as Gazette compares them: `/x`, `/x/` and `/x/index.html`
/// are one, and so are `/X/` and `/x/` (hosts that ignore case hold only one of them).
fn same_page(path: &str) -> String {
    same_page_exactly(path).to_lowercase()
}

/// [`same_page`] with case kept.
fn same_page_exactly(path: &str) -> String {
    let path = path.strip_suffix("index.html").unwrap_or(path);
    path.trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_of_one_page_are_one() {
        assert_eq!(same_page("/a/b/"), same_page("/a/b"));
        assert_eq!(same_page("/a/b/index.html"), same_page("/a/b/"));
        assert_ne!(same_page("/a/b.html"), same_page("/a/b/"));
        assert_eq!(same_page("/A/b/"), same_page("/a/B"));
        for path in [
            "/",
            "/page/2/",
            "/tags/x/",
            "/2024/",
            "/2024/11/27/",
            "/2024/page/3/",
            "/atom.xml",
        ] {
            assert!(gazette_page(path, false), "{path}");
        }
        assert!(gazette_page("/categories/x/", true));
        for path in [
            "/categories/x/",
            "/2024/11/27/x/",
            "/2024/11/27/x.html",
            "/blog/tags/",
            "/2024.html",
        ] {
            assert!(!gazette_page(path, false), "{path}");
        }
        assert_eq!(
            site_path("https://ex.org/blog/x/#top", "https://ex.org/blog"),
            Some("/x/".into())
        );
        assert_eq!(site_path("https://other.org/x/", "https://ex.org/"), None);
        assert_eq!(site_path("old//page", ""), Some("/old/page".into()));
    }
}
