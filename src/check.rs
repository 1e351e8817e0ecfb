//! Validation without output: run every stage of a build in memory (front matter, theme, the
//! model, every page rendered) and check every link of every published article against the
//! pages and files the build would produce; optionally check links to other sites over HTTP.
//! Nothing is written anywhere.

mod external;
mod source;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use external::{ExternalLink, LinkStatus};

use crate::content::{self, Article, BodyLink, Loaded, Reuse, Target};
use crate::engine::Session;
use crate::error::{Diagnostic, Error, Result};
use crate::site::Site;
use crate::{NoProgress, Progress, Stage, render, stage, urls};

/// What `gazette check` was asked to do.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The site folder (holds `site.toml`).
    pub root: PathBuf,
    /// Check drafts as published articles.
    pub drafts: bool,
    /// Also check `http(s)` links over the network.
    pub external: bool,
    /// Time allowed for each external request (connecting included).
    pub timeout: Duration,
    /// External requests in flight at once (at least 1).
    pub concurrency: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            root: PathBuf::from("."),
            drafts: false,
            external: false,
            timeout: Duration::from_secs(10),
            concurrency: 8,
        }
    }
}

/// A place in an input file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// The file, relative to the site root.
    pub file: PathBuf,
    /// 1-based line, where known.
    pub line: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file.display()),
            None => write!(f, "{}", self.file.display()),
        }
    }
}

/// What a check found.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Articles loaded (drafts included).
    pub articles: usize,
    /// Pages the build would produce (0 when the site could not be planned).
    pub pages: usize,
    /// Links inside the site that were checked.
    pub internal_links: usize,
    /// Problems: any of them makes `check` fail.
    pub errors: Vec<Diagnostic>,
    /// Worth fixing, but not failures.
    pub warnings: Vec<Diagnostic>,
    /// Every external URL with its status and where it is linked from, sorted by URL (empty
    /// unless asked for).
    pub external: Vec<ExternalLink>,
    /// Front-matter keys no Gazette field reads ([`site::Site::extra_keys_note`]).
    pub extra_keys: Option<String>,
    /// Wall time of the whole check.
    pub elapsed: Duration,
}

impl CheckReport {
    /// No errors, and every external link answered.
    pub fn passed(&self) -> bool {
        self.errors.is_empty() && self.external.iter().all(|link| link.status.is_ok())
    }
}

/// Checks the site under `options.root`. `Err` only when there is no usable `site.toml`;
/// every other problem is in the report.
pub fn check(options: &CheckOptions) -> Result<CheckReport> {
    check_with(options, &NoProgress)
}

/// [`check`], reporting each stage to `progress`.
pub fn check_with(options: &CheckOptions, progress: &dyn Progress) -> Result<CheckReport> {
    let started = Instant::now();
    let root = &options.root;
    let config = crate::load_config(root, None)?;
    let mut report = CheckReport::default();

    // The theme first, as a build loads it: content may one day need templates to render.
    let session = stage(
        progress,
        Stage::Theme,
        || Session::with_config(root, config.clone(), None, options.drafts),
        |_| format!("theme `{}`", config.theme),
    );
    let loaded = stage(
        progress,
        Stage::Load,
        || match &session {
            Ok(session) => session.load(progress, Reuse::default()),
            // Without a theme nothing renders, but every load problem is still worth saying.
            Err(_) => content::load_site(root, &config, progress),
        },
        |l| crate::counted(l.articles.len(), "article"),
    );
    let (loaded, session) = match (loaded, session) {
        (Ok(loaded), Ok(session)) => (loaded, session),
        (loaded, session) => {
            // Without articles or templates nothing can be rendered; say all there is to say.
            for error in [loaded.err(), session.err()].into_iter().flatten() {
                report.errors.extend(diagnostics(error));
            }
            report.elapsed = started.elapsed();
            return Ok(report);
        }
    };
    report.articles = loaded.articles.len();
    report.errors.extend(loaded.broken_markdown_links());
    let Loaded {
        articles,
        links,
        warnings: skipped,
        ..
    } = loaded;
    report.warnings.extend(skipped);
    report
        .warnings
        .extend(session.theme.warnings().iter().cloned());

    let site = match stage(
        progress,
        Stage::Plan,
        || session.plan(articles, options.drafts),
        |s| crate::counted(s.pages.len(), "page"),
    ) {
        Ok(site) => site,
        Err(error) => {
            report.errors.extend(diagnostics(error));
            report.elapsed = started.elapsed();
            return Ok(report);
        }
    };
    report.pages = site.pages.len();
    report.warnings.extend(site.warnings.iter().cloned());
    report.extra_keys = site.extra_keys_note();

    // Every template against every page, in memory; the pages themselves are not needed.
    if let Err(error) = stage(
        progress,
        Stage::Render,
        || crate::count_site_files(&site, &session.theme, progress),
        |n| crate::counted(*n, "file"),
    ) {
        report.errors.extend(diagnostics(error));
    }

    let links_started = Instant::now();
    progress.stage(Stage::Links);
    let external = check_internal(root, &site, &session.theme, &links, &mut report);
    progress.done(
        Stage::Links,
        &crate::counted(report.internal_links, "link"),
        links_started.elapsed(),
    );
    if options.external {
        let urls: Vec<(String, Vec<Location>)> = external.into_iter().collect();
        report.external = stage(
            progress,
            Stage::External,
            || {
                progress.total(urls.len());
                Ok(external::check_urls(urls, options, progress))
            },
            |links| format!("{} URLs", links.len()),
        )?;
    }
    report
        .errors
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Checks links of published articles against what the build produces; returns the external
/// URLs with where they are linked from.
fn check_internal(
    root: &Path,
    site: &Site,
    theme: &render::Theme,
    links: &crate::content::ByFile<Vec<BodyLink>>,
    report: &mut CheckReport,
) -> BTreeMap<String, Vec<Location>> {
    let targets = Targets::new(site, theme, &mut report.errors);
    let published: HashMap<&Path, &Article> = site
        .articles
        .iter()
        .map(|a| (a.file.as_path(), a))
        .collect();
    let mut external: BTreeMap<String, Vec<Location>> = BTreeMap::new();
    for article in &site.articles {
        let found = links
            .get(article.file.as_os_str())
            .map_or(&[][..], Vec::as_slice);
        for link in found {
            let at = |message: String| Diagnostic::at(&article.file, link.line, message);
            match &link.target {
                Target::External(url) => external.entry(url.clone()).or_default().push(Location {
                    file: article.file.clone(),
                    line: Some(link.line),
                }),
                Target::Internal(path) => {
                    report.internal_links += 1;
                    if !targets.has(path) {
                        report.errors.push(at(missing(link, path)));
                    }
                }
                Target::Article {
                    file,
                    path,
                    fragment,
                } => {
                    report.internal_links += 1;
                    let target = published.get(file.as_path());
                    if target.is_none() {
                        report.errors.push(at(unpublished(link, path)));
                    } else if let (Some(fragment), Some(target)) = (fragment, target)
                        && !target
                            .headings
                            .list()
                            .is_ok_and(|list| list.iter().any(|h| &h.id == fragment))
                    {
                        report.warnings.push(at(format!(
                            "link to `{}`: {} has no heading with the id `{fragment}`",
                            link.dest,
                            file.display()
                        )));
                    }
                }
                Target::MissingArticle(_) | Target::Other => {}
            }
        }
        if let Some(source) = source::read(root, article) {
            report.warnings.extend(source.foreign);
            if let Some(path) = source::image_site_path(article)
                && !targets.has(&path)
            {
                let message = format!(
                    "image `{}`: the site has no file at {path}; put the image beside the article \
                     (or in static/), or fix the path (relative paths start at the article page's folder)",
                    article.image.as_deref().unwrap_or_default().trim()
                );
                report.errors.push(match source.image_line {
                    Some(line) => Diagnostic::at(&article.file, line, message),
                    None => Diagnostic::new(&article.file, message),
                });
            }
        }
        if let Some(url) = &article.source_url
            && url.starts_with("http")
        {
            external.entry(url.clone()).or_default().push(Location {
                file: article.file.clone(),
                line: None,
            });
        }
    }
    external
}

/// Links from published articles to articles that are not published, as messages (a build
/// warns with them; `check` reports them as errors).
pub(crate) fn links_to_unpublished(
    site: &Site,
    links: &crate::content::ByFile<Vec<BodyLink>>,
) -> Vec<Diagnostic> {
    // By the paths' bytes: hashing a `Path` goes component by component.
    let published: rustc_hash::FxHashSet<&std::ffi::OsStr> =
        site.articles.iter().map(|a| a.file.as_os_str()).collect();
    let mut found = Vec::new();
    for article in &site.articles {
        let links = links
            .get(article.file.as_os_str())
            .map_or(&[][..], Vec::as_slice);
        found.extend(unpublished_targets(&article.file, links, |f| {
            published.contains(f.as_os_str())
        }));
    }
    found.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    found
}

/// The links of `file` to articles that `published` says are not published.
pub(crate) fn unpublished_targets(
    file: &Path,
    links: &[BodyLink],
    published: impl Fn(&Path) -> bool,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for link in links {
        if let Target::Article {
            file: target, path, ..
        } = &link.target
            && !published(target)
        {
            found.push(Diagnostic::at(file, link.line, unpublished(link, path)));
        }
    }
    found
}

fn unpublished(link: &BodyLink, path: &str) -> String {
    format!(
        "link to `{}`: that article ({path}) is not published (a draft, or dated in the future)",
        link.dest
    )
}

fn missing(link: &BodyLink, path: &str) -> String {
    let what = if link.image { "image" } else { "link to" };
    format!(
        "{what} `{}`: the site has no page or file at {path}",
        link.dest
    )
}

/// Every page and file the build would produce, as output paths (`a/b/index.html`).
struct Targets {
    files: HashSet<String>,
    base_path: String,
}

impl Targets {
    fn new(site: &Site, theme: &render::Theme, errors: &mut Vec<Diagnostic>) -> Targets {
        let mut files: HashSet<String> = site
            .pages
            .iter()
            .filter_map(|page| urls::output_file(&page.path).ok())
            .collect();
        match crate::copied_files(site, theme) {
            Ok(copied) => files.extend(copied.into_iter().map(|f| f.path)),
            Err(error) => errors.extend(diagnostics(error)),
        }
        Targets {
            files,
            base_path: urls::Urls::new(&site.config.base_url)
                .base_path()
                .to_string(),
        }
    }

    /// Whether the site path (or, under a `base_url` with a path, the same path with that
    /// prefix) is a page or file of the site.
    fn has(&self, path: &str) -> bool {
        let inside_base = path
            .strip_prefix(self.base_path.trim_end_matches('/'))
            .filter(|rest| self.base_path != "/" && rest.starts_with('/'));
        self.has_site_path(path) || inside_base.is_some_and(|rest| self.has_site_path(rest))
    }

    fn has_site_path(&self, path: &str) -> bool {
        let rel = path.trim_start_matches('/');
        if rel.is_empty() || rel.ends_with('/') {
            return self.files.contains(&format!("{rel}index.html"));
        }
        self.files.contains(rel) || self.files.contains(&format!("{rel}/index.html"))
    }
}

/// An error as located messages.
fn diagnostics(error: Error) -> Vec<Diagnostic> {
    match error {
        Error::Problems(list) => list,
        Error::Render {
            template,
            page,
            message,
        } => vec![Diagnostic::new(
            Path::new("templates").join(template),
            format!("rendering {page}: {message}"),
        )],
        Error::Io { path, source } => vec![Diagnostic::new(path, source.to_string())],
        Error::Output { path, message } => vec![Diagnostic::new(path, message)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        for entry in walkdir::WalkDir::new(&theme) {
            let entry = entry.unwrap();
            let dest = dir
                .path()
                .join("themes/default")
                .join(entry.path().strip_prefix(&theme).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(dest).unwrap();
            } else {
                std::fs::copy(entry.path(), dest).unwrap();
            }
        }
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn run(dir: &tempfile::TempDir) -> CheckReport {
        check(&CheckOptions {
            root: dir.path().to_path_buf(),
            ..CheckOptions::default()
        })
        .unwrap()
    }

    fn lines(list: &[Diagnostic]) -> Vec<String> {
        list.iter().map(|d| d.to_string()).collect()
    }

    const TOML: &str = "base_url = \"https://example.org/news/\"\ntimezone = \"UTC\"\n";

    #[test]
    fn every_kind_of_link_is_checked() {
        let dir = site(&[
            ("site.toml", TOML),
            (
                "content/2024/11/27/a.md",
                "---\ntitle: A\ndate: 2024-11-27\n---\n# Top\n\n[b](../28/b.md#part) \
                 [gone](../28/gone.md)\n\n[home](/) [tags](/tags/) [feed](/atom.xml)\n\
                 [nope](/2024/11/27/nope/) [icon](/favicon.svg) [css](/style.css) [based](/news/tags/)\n\n\
                 ![pic](pic.jpg) ![lost](lost.jpg) [draft](../28/d.md) [ext](https://ex.org/)\n",
            ),
            ("content/2024/11/27/pic.jpg", "jpg"),
            (
                "content/2024/11/28/b.md",
                "---\ntitle: B\ndate: 2024-11-28\n---\n## Other\n\n[a](../27/a.md#top)\n",
            ),
            (
                "content/2024/11/28/d.md",
                "---\ntitle: D\ndate: 2024-11-28\ndraft: true\n---\n[x](x.md)\n",
            ),
        ]);
        let report = run(&dir);
        let a = "content/2024/11/27/a.md";
        assert_eq!(
            lines(&report.errors),
            vec![
                format!(
                    "{a}:7: link to `../28/gone.md`: there is no article \
                     content/2024/11/28/gone.md; fix the path (it is relative to this file)"
                ),
                format!(
                    "{a}:10: link to `/2024/11/27/nope/`: the site has no page or file at \
                     /2024/11/27/nope/"
                ),
                // Stylesheets are published only under their fingerprinted names.
                format!("{a}:10: link to `/style.css`: the site has no page or file at /style.css"),
                format!(
                    "{a}:12: image `lost.jpg`: the site has no page or file at \
                     /2024/11/27/a/lost.jpg"
                ),
                format!(
                    "{a}:12: link to `../28/d.md`: that article (/2024/11/28/d/) is not \
                     published (a draft, or dated in the future)"
                ),
                "content/2024/11/28/d.md:6: link to `x.md`: there is no article \
                 content/2024/11/28/x.md; fix the path (it is relative to this file)"
                    .to_string(),
            ]
        );
        assert_eq!(
            lines(&report.warnings),
            vec![format!(
                "{a}:7: link to `../28/b.md#part`: content/2024/11/28/b.md has no heading \
                 with the id `part`"
            )]
        );
        assert_eq!(report.internal_links, 12);
        assert_eq!(report.articles, 3);
        assert!(report.external.is_empty(), "not asked for");
        assert!(!report.passed());
    }

    #[test]
    fn front_matter_and_template_problems_are_reported_together() {
        let dir = site(&[
            ("site.toml", TOML),
            ("content/x.md", "---\ntitle: X\ndate: soon\n---\n"),
            ("templates/article.html", "{% if %}"),
        ]);
        let report = run(&dir);
        let paths: Vec<String> = report
            .errors
            .iter()
            .map(|d| format!("{}:{:?}", d.path.display(), d.line))
            .collect();
        assert_eq!(
            paths,
            vec!["content/x.md:Some(3)", "templates/article.html:Some(1)"]
        );
    }

    #[test]
    fn render_errors_name_the_template_and_page() {
        let dir = site(&[
            ("site.toml", TOML),
            ("content/x.md", "---\ntitle: X\ndate: 2024-01-01\n---\nHi\n"),
            (
                "templates/article.html",
                "{{ article.nothing_here.deeper }}",
            ),
        ]);
        let report = run(&dir);
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        assert_eq!(report.errors[0].path, Path::new("templates/article.html"));
        assert!(
            report.errors[0]
                .message
                .starts_with("rendering /2024/01/01/x/:"),
            "{}",
            report.errors[0]
        );
    }

    #[test]
    fn nothing_is_written_and_a_missing_site_is_an_error() {
        let dir = site(&[
            ("site.toml", TOML),
            ("content/x.md", "---\ntitle: X\ndate: 2024-01-01\n---\nHi\n"),
        ]);
        let before: Vec<PathBuf> = walkdir::WalkDir::new(dir.path())
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .collect();
        let report = run(&dir);
        assert!(report.passed(), "{:?}", report.errors);
        let after: Vec<PathBuf> = walkdir::WalkDir::new(dir.path())
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .collect();
        assert_eq!(before, after);

        let empty = tempfile::tempdir().unwrap();
        let result = check(&CheckOptions {
            root: empty.path().to_path_buf(),
            ..CheckOptions::default()
        });
        assert!(
            matches!(result, Err(Error::Problems(ref p)) if p[0].message.starts_with("no site.toml")),
            "{result:?}"
        );
    }
}
