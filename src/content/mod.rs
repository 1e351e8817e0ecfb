//! The load stage: walk `content/`, split front matter, parse it, render Markdown, and build one
//! [`Article`] per `*.md` file. Every problem in every file is collected into one report.
//!
//! Two phases: first every file's front matter is read and its page path computed; then bodies
//! are rendered, so that a link to another article's `.md` file can become that article's URL.

pub mod article;
pub mod body;
pub mod dates;
pub mod front_matter;
pub mod links;
pub mod printable;
pub mod reuse;
mod walk;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use article::Article;
pub use body::{Body, Headings, Placed};
pub use links::{BodyLink, Target};
pub use reuse::{Folder, Reuse, Reused, Source, Stamp};
pub use walk::{ARTICLE_EXTENSIONS, is_article_extension, is_editor_leftover, is_markdown};

use crate::config::Config;
use crate::error::{Diagnostic, Error, Result};
use crate::{NoProgress, Progress, markdown, slug, urls};

/// What the load stage found: the articles and, for `check` and build warnings, their links
/// and the links in `content/` the walk skipped.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// Every article, drafts included, in walk order.
    pub articles: Vec<Article>,
    /// Body links of every article that has any, keyed by its file (relative to the site
    /// root): none stands for no link (most articles taken from the build cache, which keeps
    /// only links through Markdown files).
    pub links: ByFile<Vec<BodyLink>>,
    /// Links in `content/` that were skipped because they point outside the site, loop, or
    /// point nowhere, sorted by path.
    pub warnings: Vec<Diagnostic>,
    /// Where each article came from on disk, by file: what a later load needs to reuse it.
    pub sources: ByFile<Source>,
    /// How many articles were taken from the earlier load instead of being read again.
    pub reused: usize,
    /// The files of the reused articles taken by their stamp alone (unchanged, and settled
    /// before the earlier load): what the earlier load recorded of them still stands, so a
    /// build cache need not record them again.
    pub vouched: Files,
    /// The [print](crate::render::article_print) of each reused article as the earlier load
    /// logged it, by file; none for an article made anew or whose files beside it changed.
    pub prints: ByFile<u128>,
}

/// Something of each article by its file (relative to the site root), found by the path's
/// bytes (`file.as_os_str()`) and hashed with FxHash: a build takes, checks and files 100,000
/// articles by file, one after another, several times, and a `PathBuf` key is hashed and
/// compared component by component (6% of a publish's CPU at 100,000 articles, most of it on
/// one thread).
pub type ByFile<T> = rustc_hash::FxHashMap<std::ffi::OsString, T>;

/// Article files (relative to the site root), kept as [`ByFile`] keeps them.
pub type Files = rustc_hash::FxHashSet<std::ffi::OsString>;

impl Loaded {
    /// Links to `.md` files that are no article, as messages at the link's line, sorted.
    pub fn broken_markdown_links(&self) -> Vec<Diagnostic> {
        broken_markdown_links(&self.links)
    }
}

/// [`Loaded::broken_markdown_links`] for body links kept apart from their articles (`serve`).
pub fn broken_markdown_links(links: &ByFile<Vec<BodyLink>>) -> Vec<Diagnostic> {
    let mut found: Vec<Diagnostic> = links
        .iter()
        .flat_map(|(file, links)| {
            links.iter().filter_map(move |link| match &link.target {
                Target::MissingArticle(missing) => Some(Diagnostic::at(
                    file,
                    link.line,
                    format!(
                        "link to `{}`: there is no article {missing}; \
                         fix the path (it is relative to this file)",
                        link.dest
                    ),
                )),
                _ => None,
            })
        })
        .collect();
    found.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    found
}

/// Loads every article under `root/content`, drafts included (the model decides what to publish).
/// A site without `content/` has no articles. Returns every problem found, sorted by file and
/// line, if any file is bad. Warnings (skipped links) are dropped: see [`load_site`].
pub fn load(root: &Path, config: &Config) -> Result<Vec<Article>> {
    load_site(root, config, &NoProgress).map(|loaded| loaded.articles)
}

/// [`load`], keeping every article's body links and the walk's warnings, and reporting
/// progress (two ticks per article: front matter, then body).
pub fn load_site(root: &Path, config: &Config, progress: &dyn Progress) -> Result<Loaded> {
    load_site_reusing(root, config, progress, Reuse::default())
}

/// [`load_site`], taking from `reuse` every article whose file is unchanged (same stamp, or
/// same bytes) and whose links to other articles still lead where they did, instead of reading
/// and rendering it again. `reuse` must come from a load with the same configuration.
pub fn load_site_reusing(
    root: &Path,
    config: &Config,
    progress: &dyn Progress,
    reuse: Reuse,
) -> Result<Loaded> {
    load_site_beside(root, config, progress, || (reuse, ())).map(|(loaded, ())| loaded)
}

/// [`load_site_reusing`], with `beside` run while `content/` is walked: it gives what to
/// reuse, and something more that is handed back with the load. A build reads its cache
/// meanwhile: the walk waits on the file system, the cache's decode on the cores (at 100,000
/// articles the walk alone took 0.15 s).
pub fn load_site_beside<T: Send>(
    root: &Path,
    config: &Config,
    progress: &dyn Progress,
    beside: impl FnOnce() -> (Reuse, T) + Send,
) -> Result<(Loaded, T)> {
    let content = root.join("content");
    match std::fs::metadata(&content) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((Loaded::default(), beside().1));
        }
        Err(e) => return Err(Error::io(&content, e)),
        Ok(meta) if !meta.is_dir() => {
            return Err(Error::problem(Diagnostic::new(
                "content",
                "is not a folder: articles go in the content/ folder",
            )));
        }
        Ok(_) => {}
    }
    // Assets are handed on as absolute paths, so the walk starts from an absolute root.
    let root = std::path::absolute(root).map_err(|e| Error::io(root, e))?;
    let (found, (reuse, more)) = rayon::join(|| walk::walk(&root), beside);
    load_found(&root, config, progress, found, reuse).map(|loaded| (loaded, more))
}

/// The load of the files `found` under `root` (absolute), taking from `reuse`.
fn load_found(
    root: &Path,
    config: &Config,
    progress: &dyn Progress,
    found: walk::Found,
    mut reuse: Reuse,
) -> Result<Loaded> {
    let root = root.to_path_buf();
    let folder = Folder::open(&root).ok();
    progress.total(found.articles.len() * 2);
    let no_assets = Vec::new();
    let assets_of = |path: &Path| {
        path.parent()
            .and_then(|dir| found.assets.get(dir))
            .unwrap_or(&no_assets)
    };
    let results: Vec<std::result::Result<First, Vec<Diagnostic>>> = found
        .articles
        .par_iter()
        .map(|path| {
            let first = first_look(
                (&root, folder.as_ref()),
                path,
                assets_of(path),
                config,
                &reuse,
            );
            progress.tick();
            first
        })
        .collect();

    let mut problems = found.problems;
    let mut slots = Vec::with_capacity(results.len());
    // Each file's source, filed into a map below beside the article index.
    let mut sourced = Vec::with_capacity(results.len());
    for (result, path) in results.into_iter().zip(&found.articles) {
        match result {
            Ok(First::Parse(parsed, source)) => {
                sourced.push((parsed.file.clone().into_os_string(), source));
                slots.push(Slot::Fresh(parsed));
            }
            Ok(First::Keep(file, source, taken, at)) => match reuse.take(at) {
                Some(mut kept) => {
                    let assets = assets_of(path);
                    // Files beside it came or went: the logged print no longer fits.
                    let fits = kept.article.assets == *assets;
                    kept.article.assets = assets.clone();
                    sourced.push((file.into_os_string(), source));
                    slots.push(Slot::Kept(kept, taken, fits));
                }
                // Each file is walked once, so its earlier article is taken once.
                None => problems.push(Diagnostic::new(&file, "walked twice")),
            },
            Err(mut diagnostics) => problems.append(&mut diagnostics),
        }
    }
    if !problems.is_empty() {
        problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        return Err(Error::Problems(problems));
    }

    // Two maps of every article, made side by side: one after the other, they kept a core
    // idle (each is a single thread's work).
    let (sources, index): (ByFile<Source>, links::ArticleIndex) = rayon::join(
        || sourced.into_iter().collect(),
        || {
            slots
                .iter()
                .map(|slot| match slot {
                    Slot::Fresh(p) => (p.file.clone().into_os_string(), p.path.clone()),
                    Slot::Kept(r, _, _) => (
                        r.article.file.clone().into_os_string(),
                        r.article.path.clone(),
                    ),
                })
                .collect()
        },
    );
    let urls = urls::Urls::new(&config.base_url);
    let options = markdown_options(config);
    // Each article goes straight into the list the plan takes, the rest of what the second
    // phase made into a list beside it: an article is 536 bytes, and every list of them was
    // fresh memory, dear on this machine (54 MB at 100,000 articles).
    let mut articles: Vec<Article> = Vec::with_capacity(slots.len());
    let mut made: Vec<std::result::Result<Made, Vec<Diagnostic>>> = Vec::with_capacity(slots.len());
    slots
        .into_par_iter()
        .map(|slot| {
            let done = match slot {
                Slot::Kept(kept, taken, fits) if links_still_resolve(&kept, &index) => {
                    Ok((kept.article, kept.links, taken, fits.then_some(kept.print)))
                }
                // A linked article moved: its URL is in this body, which is made again.
                Slot::Kept(kept, _, _) => {
                    let assets = kept.article.assets;
                    parse_one(&root, &root.join(&kept.article.file), &assets, config).map(
                        |parsed| {
                            let (article, links) = render_one(parsed, &index, &urls, &options);
                            (article, links, Taken::Made, None)
                        },
                    )
                }
                Slot::Fresh(parsed) => {
                    let (article, links) = render_one(*parsed, &index, &urls, &options);
                    Ok((article, links, Taken::Made, None))
                }
            };
            progress.tick();
            match done {
                Ok((article, links, taken, print)) => (article, Ok((links, taken, print))),
                // Its place is kept by an empty article: the load fails.
                Err(diagnostics) => (Article::default(), Err(diagnostics)),
            }
        })
        .unzip_into_vecs(&mut articles, &mut made);
    // How each article was taken, and its links, apart: the maps below are made side by side.
    let mut taken = Vec::with_capacity(made.len());
    let mut body_links = Vec::with_capacity(made.len());
    for result in made {
        match result {
            Ok((links, how, print)) => {
                taken.push((how, print));
                body_links.push(links);
            }
            Err(mut diagnostics) => problems.append(&mut diagnostics),
        }
    }
    if !problems.is_empty() {
        problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        return Err(Error::Problems(problems));
    }
    let file = |article: &Article| article.file.clone().into_os_string();
    // Each map is one thread's work (a path copied and hashed per article): one after the
    // other, they kept a core idle. Sized at once: grown by doubling, each map was made three
    // or four times over.
    let ((prints, vouched), links) = rayon::join(
        || {
            rayon::join(
                || {
                    let mut prints =
                        ByFile::with_capacity_and_hasher(articles.len(), Default::default());
                    prints.extend(
                        taken
                            .iter()
                            .zip(&articles)
                            .filter_map(|(&(_, print), a)| Some((file(a), print?))),
                    );
                    prints
                },
                || {
                    let mut vouched =
                        Files::with_capacity_and_hasher(articles.len(), Default::default());
                    vouched.extend(
                        taken
                            .iter()
                            .zip(&articles)
                            .filter(|((how, _), _)| *how == Taken::ByStamp)
                            .map(|(_, a)| file(a)),
                    );
                    vouched
                },
            )
        },
        || {
            body_links
                .into_iter()
                .zip(&articles)
                .filter(|(links, _)| !links.is_empty())
                .map(|(links, a)| (file(a), links))
                .collect::<ByFile<_>>()
        },
    );
    Ok(Loaded {
        reused: taken.iter().filter(|(how, _)| *how != Taken::Made).count(),
        articles,
        links,
        warnings: found.warnings,
        sources,
        vouched,
        prints,
    })
}

/// What the second phase made besides an article: its body links, how it was taken, and its
/// logged print when that still fits.
type Made = (Vec<BodyLink>, Taken, Option<u128>);

/// How the load came by an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Taken {
    /// Read and rendered.
    Made,
    /// From the earlier load, after comparing the file's bytes.
    ByHash,
    /// From the earlier load, by the file's stamp alone.
    ByStamp,
}

/// What the first phase made of one file.
enum First {
    /// Unchanged since the earlier load: take its article (where [`Reuse`] has it), as
    /// [`Taken`] says.
    Keep(PathBuf, Source, Taken, usize),
    /// New or changed: read and checked.
    Parse(Box<Parsed>, Source),
}

/// One article between the phases, in walk order.
enum Slot {
    Fresh(Box<Parsed>),
    /// With whether the logged print still fits it.
    Kept(Box<Reused>, Taken, bool),
}

/// The first phase for one file under `root` (opened as `folder`): the earlier article when
/// the file is unchanged, else the file read and checked.
fn first_look(
    (root, folder): (&Path, Option<&Folder>),
    path: &Path,
    assets: &[PathBuf],
    config: &Config,
    reuse: &Reuse,
) -> std::result::Result<First, Vec<Diagnostic>> {
    let file = walk::relative(root, path);
    let unreadable = |e: std::io::Error| vec![Diagnostic::new(&file, format!("cannot read: {e}"))];
    // Inside the site's folder, opened once; by full path when it could not be opened.
    let stamp = match folder {
        Some(folder) => folder.stamp_through(&file),
        None => std::fs::metadata(path).map(|m| Stamp::of(&m)),
    }
    .map_err(unreadable)?;
    if let Some((at, kept)) = reuse.by_stamp(&file, &stamp) {
        let source = Source {
            stamp,
            hash: kept.source.hash,
        };
        return Ok(First::Keep(file, source, Taken::ByStamp, at));
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    let source = Source {
        stamp,
        hash: reuse::content_hash(&bytes),
    };
    if let Some(at) = reuse.by_hash(&file, source.hash) {
        return Ok(First::Keep(file, source, Taken::ByHash, at));
    }
    let parsed = parse_bytes(file, path, &bytes, assets, config)?;
    Ok(First::Parse(Box::new(parsed), source))
}

/// True when every body link of `kept` still points where it did when it was rendered.
fn links_still_resolve(kept: &Reused, index: &links::ArticleIndex) -> bool {
    let article = &kept.article;
    kept.links
        .iter()
        .all(|link| links::classify(&link.dest, &article.file, &article.path, index) == link.target)
}

/// One file after the first phase: front matter checked, page path known, body not rendered.
pub struct Parsed {
    file: PathBuf,
    /// The whole file, normalised; the body is its suffix from `body_start`.
    text: String,
    body_start: usize,
    body_line: usize,
    front_matter: front_matter::FrontMatter,
    slug: String,
    path: String,
    assets: Vec<PathBuf>,
}

/// Reads and checks one article; `path` is absolute, messages name it relative to `root`.
fn parse_one(
    root: &Path,
    path: &Path,
    assets: &[PathBuf],
    config: &Config,
) -> std::result::Result<Parsed, Vec<Diagnostic>> {
    let file = walk::relative(root, path);
    let bytes = std::fs::read(path)
        .map_err(|e| vec![Diagnostic::new(&file, format!("cannot read: {e}"))])?;
    parse_bytes(file, path, &bytes, assets, config)
}

/// Checks one article read from `path` (absolute), named `file` in messages.
fn parse_bytes(
    file: PathBuf,
    path: &Path,
    bytes: &[u8],
    assets: &[PathBuf],
    config: &Config,
) -> std::result::Result<Parsed, Vec<Diagnostic>> {
    let text =
        decode(bytes).map_err(|(line, message)| vec![Diagnostic::at(&file, line, message)])?;
    let split = front_matter::split(&text, &file).map_err(|d| vec![d])?;
    let fm = front_matter::parse(&split, &file, &config.timezone, config.title_from_filename)?;
    // The body is always a suffix of the text.
    let body_start = text.len() - split.body.len();
    let body_line = split.body_line;
    let name = front_matter::file_name(path).unwrap_or_default();
    let slug = article_slug(
        fm.slug.as_deref(),
        &fm.title,
        name,
        config.slug_from_filename,
    );
    Ok(Parsed {
        path: urls::permalink(&config.permalink, &fm.date, &slug),
        file,
        body_start,
        body_line,
        text,
        front_matter: fm,
        slug,
        assets: assets.to_vec(),
    })
}

/// Renders one article's body, rewriting links to other articles' `.md` files into their URLs.
fn render_one(
    one: Parsed,
    index: &links::ArticleIndex,
    urls: &urls::Urls,
    options: &markdown::Options,
) -> (Article, Vec<BodyLink>) {
    let body = one.text.get(one.body_start..).unwrap_or_default();
    let resolve = |dest: &str| links::rewrite(dest, &one.file, &one.path, index, urls);
    let rendered = markdown::render_resolved(body, options, &resolve);
    let body_links = located_links(&rendered.links, body, one.body_line, &one, index);

    let fm = one.front_matter;
    // A front-matter summary that renders to no text (only a comment) gives way to the body's.
    let (summary, summary_html) = fm
        .summary
        .as_deref()
        .and_then(|text| markdown::render_summary(text, &resolve))
        .or(rendered.summary)
        .map_or_else(Default::default, |s| (s.text, s.html));
    let search_words = crate::words::body_words(&rendered.html, &[&fm.title, &summary]);
    let article = Article {
        path: one.path,
        file: one.file,
        title: fm.title,
        date: fm.date,
        updated: fm.updated,
        tags: fm.tags,
        authors: fm.authors,
        summary,
        summary_html,
        search_words: search_words.into(),
        body_html: rendered.html.into(),
        headings: Headings::new(&rendered.headings),
        word_count: rendered.word_count,
        reading_minutes: markdown::reading_minutes(rendered.word_count),
        slug: one.slug,
        source: fm.source,
        source_url: fm.source_url,
        image: fm.image,
        image_caption: fm.image_caption,
        image_alt: fm.image_alt,
        aliases: fm.aliases,
        draft: fm.draft,
        featured: fm.featured,
        extra: fm.extra,
        assets: one.assets,
    };
    (article, body_links)
}

/// Body links with their file line (byte offsets in the body counted in newlines) and target.
fn located_links(
    found: &[markdown::Link],
    body: &str,
    body_line: usize,
    one: &Parsed,
    index: &links::ArticleIndex,
) -> Vec<BodyLink> {
    let mut line = body_line;
    let mut counted = 0;
    found
        .iter()
        .map(|link| {
            // Links come in document order, so the newline count only moves forward.
            let upto = link.offset.clamp(counted, body.len());
            line += body
                .as_bytes()
                .get(counted..upto)
                .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count());
            counted = upto;
            BodyLink {
                line,
                dest: link.dest.clone(),
                image: link.image,
                target: links::classify(&link.dest, &one.file, &one.path, index),
            }
        })
        .collect()
}

/// The front-matter `slug` as written (made safe), else the file name's (its date dropped) when
/// the site asks for it, else one from the title, else from the file name. Both ways of making
/// a slug guarantee that a slug such as `../x` can never leave its folder.
fn article_slug(written: Option<&str>, title: &str, name: &str, from_name: bool) -> String {
    let (_, undated) = front_matter::dated_name(name);
    let kept = |text: &str| Some(slug::keep_written(text)).filter(|s| slug::is_safe_segment(s));
    written
        .and_then(kept)
        .or_else(|| from_name.then(|| kept(undated)).flatten())
        .unwrap_or_else(|| slug::slug_or_fallback(title, undated))
}

/// File bytes -> text ready for [`front_matter::split`]. On bad UTF-8, returns the line
/// and a message naming the byte offset.
fn decode(bytes: &[u8]) -> std::result::Result<String, (usize, String)> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes
            .get(..at)
            .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count())
            + 1;
        (
            line,
            format!("invalid UTF-8 at byte {at}; save the file as UTF-8"),
        )
    })?;
    Ok(front_matter::normalise(text).into_owned())
}

/// Phase one of [`load_site`] for the one file at `path` (a `*.md` file under `root/content`,
/// absolute or relative to `root`) with the given `assets` (files beside it, absolute): front
/// matter read and checked, page path computed. For `serve`'s incremental rebuilds, which know
/// the folder's assets from the previous load.
pub fn parse_file(root: &Path, path: &Path, assets: &[PathBuf], config: &Config) -> Result<Parsed> {
    let root = std::path::absolute(root).map_err(|e| Error::io(root, e))?;
    let path = root.join(path);
    parse_one(&root, &path, assets, config).map_err(Error::Problems)
}

/// Phase two of [`load_site`] for one parsed file: its body rendered, links to other articles'
/// `.md` files resolved through `index` (every article's page, by file), with its body links.
pub fn render_file(
    parsed: Parsed,
    index: &links::ArticleIndex,
    urls: &urls::Urls,
    config: &Config,
) -> (Article, Vec<BodyLink>) {
    render_one(parsed, index, urls, &markdown_options(config))
}

/// How the site's Markdown is rendered.
fn markdown_options(config: &Config) -> markdown::Options {
    markdown::Options {
        raw_html: config.raw_html,
    }
}

impl Parsed {
    /// The article's file, relative to the site root.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The site path of its page.
    pub fn page_path(&self) -> &str {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::config::SiteTz;

    fn site() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    fn write(root: &Path, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, bytes).unwrap();
        path
    }

    fn problems(root: &Path) -> Vec<String> {
        match load(root, &Config::default()) {
            Err(Error::Problems(list)) => list.iter().map(|d| d.to_string()).collect(),
            other => panic!("expected problems, got {other:?}"),
        }
    }

    const BODY: &str = "First paragraph of the story.\n\nSecond paragraph, longer.\n";

    #[test]
    fn missing_content_folder_means_no_articles() {
        let dir = site();
        assert_eq!(load(dir.path(), &Config::default()).unwrap(), Vec::new());
    }

    #[test]
    fn a_good_article_has_every_field() {
        let dir = site();
        let root = dir.path();
        let text = format!(
            "---\ntitle: Floods <in> the north\ndate: 2024-11-27 21:30\nupdated: 2024-11-28T00:00:00Z\n\
             tags: flood, weather\nauthor: Ann\nsummary: Rivers & roads.\nsource: Dawn\n\
             source_url: https://dawn.com/x\nimage: lead.jpg\nimage_alt: A river\ndraft: true\n\
             mood: grim\n---\n{BODY}"
        );
        write(root, "content/2024/11/27/floods.md", text);
        let config = Config {
            timezone: SiteTz::parse("+05:00").unwrap(),
            ..Config::default()
        };
        let articles = load(root, &config).unwrap();
        assert_eq!(articles.len(), 1);
        let a = &articles[0];
        let rendered = markdown::render_with(BODY, &markdown::Options::default());
        assert_eq!(a.file, PathBuf::from("content/2024/11/27/floods.md"));
        assert_eq!(a.title, "Floods <in> the north");
        assert_eq!(a.date.to_rfc3339(), "2024-11-27T21:30:00+05:00");
        assert_eq!(
            a.updated.map(|d| d.to_rfc3339()).as_deref(),
            Some("2024-11-28T05:00:00+05:00")
        );
        assert_eq!(a.tags, vec!["flood", "weather"]);
        assert_eq!(a.authors, vec!["Ann"]);
        assert_eq!(a.summary, "Rivers & roads.");
        assert_eq!(a.summary_html, "<p>Rivers &amp; roads.</p>");
        assert_eq!(a.body_html, Body::from(rendered.html));
        // Found once here, for every later search index; "the" is in the title, which the index
        // holds apart.
        assert_eq!(
            a.search_words,
            Body::from("first longer of paragraph second story")
        );
        assert_eq!(a.headings.list().unwrap(), rendered.headings);
        assert_eq!(a.word_count, rendered.word_count);
        assert_eq!(
            a.reading_minutes,
            markdown::reading_minutes(rendered.word_count)
        );
        let slug = slug::slug_or_fallback("Floods <in> the north", "floods");
        assert_eq!(a.slug, slug);
        assert_eq!(a.path, format!("/2024/11/27/{slug}/"));
        assert_eq!(a.source.as_deref(), Some("Dawn"));
        assert_eq!(a.source_url.as_deref(), Some("https://dawn.com/x"));
        assert_eq!(a.image.as_deref(), Some("lead.jpg"));
        assert_eq!(a.image_caption, None);
        assert_eq!(a.image_alt.as_deref(), Some("A river"));
        assert!(a.draft);
        assert_eq!(a.extra.get("mood"), Some(&serde_json::json!("grim")));
        assert_eq!(a.assets, Vec::<PathBuf>::new());
    }

    #[test]
    fn summary_comes_from_the_markdown_when_front_matter_has_none() {
        let dir = site();
        write(
            dir.path(),
            "content/a.md",
            format!("---\ntitle: A\ndate: 2024-11-27\n---\n{BODY}"),
        );
        write(
            dir.path(),
            "content/b.md",
            "---\ntitle: B\ndate: 2024-11-27\n---\n",
        );
        let articles = load(dir.path(), &Config::default()).unwrap();
        let summary = markdown::render_with(BODY, &markdown::Options::default())
            .summary
            .unwrap();
        assert_eq!(articles[0].summary, summary.text);
        assert_eq!(articles[0].summary_html, summary.html);
        assert_eq!(articles[1].summary, "");
        assert_eq!(articles[1].summary_html, "");
    }

    #[test]
    fn slugs_are_always_safe_and_fall_back_to_title_then_file_name() {
        let dir = site();
        let head = "date: 2024-11-27\n";
        write(
            dir.path(),
            "content/1.md",
            format!("---\ntitle: T\nslug: ../../Etc Passwd\n{head}---\n"),
        );
        write(
            dir.path(),
            "content/2.md",
            format!("---\ntitle: Good Title\nslug: '///'\n{head}---\n"),
        );
        write(
            dir.path(),
            "content/3-stem.md",
            format!("---\ntitle: '!!!'\n{head}---\n"),
        );
        let articles = load(dir.path(), &Config::default()).unwrap();
        let slugs: Vec<&str> = articles.iter().map(|a| a.slug.as_str()).collect();
        assert_eq!(
            slugs,
            vec![
                "Etc-Passwd",
                slug::slug_or_fallback("Good Title", "2").as_str(),
                slug::slug_or_fallback("!!!", "3-stem").as_str(),
            ]
        );
        for a in &articles {
            assert!(slug::is_safe_segment(&a.slug), "{:?}", a.slug);
            assert!(!a.path.contains(".."), "{}", a.path);
            assert!(urls::output_file(&a.path).is_ok(), "{}", a.path);
        }
    }

    #[test]
    fn slugs_and_titles_from_file_names_when_the_site_asks() {
        let dir = site();
        let root = dir.path();
        write(
            root,
            "content/2015-05-15-Rust-1.0.md",
            "---\ntitle: Announcing Rust 1.0\n---\n",
        );
        write(
            root,
            "content/2016-09-07-no_title.markdown",
            "---\ntags: [x]\n---\nBody.\n",
        );
        write(
            root,
            "content/bundle/index.md",
            "---\ndate: 2016-01-02\n---\n",
        );
        write(
            root,
            "content/kept.md",
            "---\ntitle: T\ndate: 2016-01-03\nslug: My Post.v2\n---\n",
        );
        let by_file = |articles: Vec<Article>| -> Vec<(String, String, String)> {
            let mut all: Vec<_> = articles
                .into_iter()
                .map(|a| (a.file.display().to_string(), a.title, a.path))
                .collect();
            all.sort();
            all
        };
        // By default a missing title is an error naming the file.
        let err = load(root, &Config::default()).unwrap_err().to_string();
        assert!(
            err.contains("content/2016-09-07-no_title.markdown:1: title: missing"),
            "{err}"
        );
        assert!(
            err.contains("content/bundle/index.md:1: title: missing"),
            "{err}"
        );
        let config = Config {
            slug_from_filename: true,
            title_from_filename: true,
            ..Config::default()
        };
        assert_eq!(
            by_file(load(root, &config).unwrap()),
            vec![
                (
                    "content/2015-05-15-Rust-1.0.md".into(),
                    "Announcing Rust 1.0".into(),
                    "/2015/05/15/Rust-1.0/".into()
                ),
                (
                    "content/2016-09-07-no_title.markdown".into(),
                    "No Title".into(),
                    "/2016/09/07/no_title/".into()
                ),
                (
                    "content/bundle/index.md".into(),
                    "Bundle".into(),
                    "/2016/01/02/bundle/".into()
                ),
                (
                    "content/kept.md".into(),
                    "T".into(),
                    "/2016/01/03/My-Post.v2/".into()
                ),
            ]
        );
        // Titles from names alone: slugs still come from titles.
        let config = Config {
            title_from_filename: true,
            ..Config::default()
        };
        let paths: Vec<String> = by_file(load(root, &config).unwrap())
            .into_iter()
            .map(|a| a.2)
            .collect();
        assert_eq!(
            paths,
            vec![
                "/2015/05/15/announcing-rust-1-0/",
                "/2016/09/07/no-title/",
                "/2016/01/02/bundle/",
                "/2016/01/03/My-Post.v2/"
            ]
        );
    }

    #[test]
    fn every_bad_file_is_reported_sorted_by_file_and_line() {
        let dir = site();
        let root = dir.path();
        write(root, "content/b.md", "---\ntitle: 3\ndate: soon\n---\n");
        write(root, "content/a/z.md", "no front matter\n");
        write(root, "content/c.md", "");
        write(
            root,
            "content/a/ok.md",
            "---\ntitle: Fine\ndate: 2024-11-27\n---\n",
        );
        fs::create_dir_all(root.join("content/folder.md")).unwrap();
        let expected_date = format!("date: {}, found \"soon\"", dates::EXPECTED);
        assert_eq!(
            problems(root),
            vec![
                "content/a/z.md:1: no front matter: an article starts with a --- line, then at \
                 least title and date, then another --- line"
                    .to_string(),
                "content/b.md:2: title: expected a string, found a number".to_string(),
                format!("content/b.md:3: {expected_date}"),
                "content/c.md: empty file: an article starts with front matter between --- \
                 lines, with at least title and date"
                    .to_string(),
                "content/folder.md: is a folder, but names ending in .md are for articles; \
                 rename the folder"
                    .to_string(),
            ]
        );
    }

    #[test]
    fn invalid_utf8_names_the_byte_offset_and_line() {
        let dir = site();
        let mut bytes = b"---\ntitle: caf".to_vec();
        bytes.extend_from_slice(&[0xC3, 0x28]);
        bytes.extend_from_slice(b"\ndate: 2024-11-27\n---\n");
        write(dir.path(), "content/x.md", bytes);
        assert_eq!(
            problems(dir.path()),
            vec!["content/x.md:2: invalid UTF-8 at byte 14; save the file as UTF-8"]
        );
    }

    #[test]
    fn crlf_and_bom_files_load() {
        let dir = site();
        write(
            dir.path(),
            "content/x.md",
            "\u{feff}---\r\ntitle: Win\r\ndate: 2024-11-27\r\n---\r\nHello\r\n",
        );
        let articles = load(dir.path(), &Config::default()).unwrap();
        assert_eq!(articles[0].title, "Win");
        let rendered = markdown::render_with("Hello\n", &markdown::Options::default());
        assert_eq!(articles[0].body_html, Body::from(rendered.html));
    }

    #[test]
    fn assets_are_the_other_visible_files_beside_the_article() {
        let dir = site();
        let root = dir.path();
        let article = "---\ntitle: A\ndate: 2024-11-27\n---\n";
        write(root, "content/2024/11/27/one.md", article);
        write(root, "content/2024/11/27/two.MD", article);
        let photo = write(root, "content/2024/11/27/photo.jpg", "jpg");
        let chart = write(root, "content/2024/11/27/chart.svg", "svg");
        write(root, "content/2024/11/27/.secret.png", "hidden");
        write(root, "content/2024/11/27/sub/deep.png", "deeper");
        write(root, "content/2024/11/28/three.md", article);
        write(root, "content/.drafts/hidden.md", "not even read");
        let articles = load(root, &Config::default()).unwrap();
        let files: Vec<&Path> = articles.iter().map(|a| a.file.as_path()).collect();
        assert_eq!(
            files,
            vec![
                Path::new("content/2024/11/27/one.md"),
                Path::new("content/2024/11/27/two.MD"),
                Path::new("content/2024/11/28/three.md"),
            ]
        );
        assert_eq!(articles[0].assets, vec![chart.clone(), photo.clone()]);
        assert_eq!(articles[1].assets, vec![chart, photo]);
        assert!(articles[0].assets.iter().all(|p| p.is_absolute()));
        assert_eq!(articles[2].assets, Vec::<PathBuf>::new());
    }

    fn warnings(root: &Path) -> (Vec<PathBuf>, Vec<String>) {
        let loaded = load_site(root, &Config::default(), &NoProgress).unwrap();
        let files = loaded.articles.into_iter().map(|a| a.file).collect();
        let warnings = loaded.warnings.iter().map(|d| d.to_string()).collect();
        (files, warnings)
    }

    #[cfg(unix)]
    #[test]
    fn links_inside_the_site_are_followed_and_others_skipped_with_a_warning() {
        use std::os::unix::fs::symlink;
        let outside = site();
        let secret = write(
            outside.path(),
            "secret.md",
            "---\ntitle: S\ndate: 2024-11-27\n---\n",
        );
        write(
            outside.path(),
            "dir/leak.md",
            "---\ntitle: L\ndate: 2024-11-27\n---\n",
        );
        let dir = site();
        let root = dir.path();
        let article = "---\ntitle: A\ndate: 2024-11-27\n---\n";
        write(root, "shared/real.md", article);
        let photo = write(root, "shared/photo.jpg", "jpg");
        write(root, "shared/sub/inner.md", article);
        write(root, "content/2024/own.md", article);
        symlink(
            root.join("shared/real.md"),
            root.join("content/2024/linked.md"),
        )
        .unwrap();
        symlink(&photo, root.join("content/2024/photo.jpg")).unwrap();
        symlink(root.join("shared/sub"), root.join("content/sub")).unwrap();
        symlink(&secret, root.join("content/secret.md")).unwrap();
        symlink(outside.path().join("dir"), root.join("content/outside")).unwrap();
        symlink(root.join("content"), root.join("content/2024/loop")).unwrap();
        symlink(root.join("missing.md"), root.join("content/broken.md")).unwrap();

        let (files, warnings) = warnings(root);
        assert_eq!(
            files,
            vec![
                PathBuf::from("content/2024/linked.md"),
                PathBuf::from("content/2024/own.md"),
                PathBuf::from("content/sub/inner.md"),
            ]
        );
        let secret = fs::canonicalize(&secret).unwrap();
        let leak = fs::canonicalize(outside.path().join("dir")).unwrap();
        assert_eq!(
            warnings,
            vec![
                "content/2024: 1 file (photo.jpg) beside 2 articles (linked.md, own.md) is \
                 copied next to each of their pages; give each file the folder of the one \
                 article that uses it (story/index.md beside it), or put it in static/ to \
                 publish it once"
                    .to_string(),
                "content/2024/loop: link loops back to content; skipped".to_string(),
                "content/broken.md: link points to nothing (broken link); skipped".to_string(),
                format!(
                    "content/outside: link to {} points outside the site; skipped (put the \
                     file itself in the site)",
                    leak.display()
                ),
                format!(
                    "content/secret.md: link to {} points outside the site; skipped (put the \
                     file itself in the site)",
                    secret.display()
                ),
            ]
        );
        // The linked photo is an asset of the folder holding the link, read through it.
        let articles = load(root, &Config::default()).unwrap();
        assert_eq!(
            articles[0].assets,
            vec![root.join("content/2024/photo.jpg")]
        );
        assert_eq!(fs::read(&articles[0].assets[0]).unwrap(), b"jpg");
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_content_folder_is_walked() {
        let shared = site();
        write(
            shared.path(),
            "a.md",
            "---\ntitle: A\ndate: 2024-11-27\n---\n",
        );
        let dir = site();
        std::os::unix::fs::symlink(shared.path(), dir.path().join("content")).unwrap();
        let (files, warnings) = warnings(dir.path());
        assert_eq!(files, vec![PathBuf::from("content/a.md")]);
        assert_eq!(warnings, Vec::<String>::new());
    }

    #[test]
    fn content_that_is_a_file_is_an_error() {
        let dir = site();
        write(dir.path(), "content", "oops");
        assert_eq!(
            problems(dir.path()),
            vec!["content: is not a folder: articles go in the content/ folder"]
        );
    }
}
