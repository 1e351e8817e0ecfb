//! `gazette build` on the engine: open the session, load (reusing cached articles), plan,
//! render the pages whose key changed, and write them: in full through a staging folder that is
//! swapped in, or, when the cache describes the output, as a patch of the changed files.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use rayon::prelude::*;
use serde::Serialize;

use super::Session;
use super::cache::{self, FileRecord, Stored};
use super::untouched::Untouched;
use crate::content::body::LogFile;
use crate::content::{self, BodyLink, ByFile, Reuse, Source, reuse::nanos};
use crate::error::Result;
use crate::output::{self, Contents, Sink};
use crate::render::{self, CardCache, Keying};
use crate::{
    BuildOptions, BuildReport, CacheUse, Progress, SEARCH_INDEX_FILE, Stage, search, site, stage,
};

/// Builds the site as [`crate::build_with`] describes.
///
/// The texts of the articles taken from the build cache (bodies, search words, headings) are
/// checked only when read, so damage to one shows while the pages are rendered: a build that
/// read such a text builds again in full, with a note saying why (the output is changed only
/// after the render, and the full build makes all of it afresh).
pub fn build(options: &BuildOptions, progress: &dyn Progress) -> Result<BuildReport> {
    let read_log = OnceLock::new();
    let built = build_once(options, progress, &read_log);
    let Some(log) = read_log.get().filter(|log| log.failed()) else {
        return built;
    };
    let why = match &built {
        Err(e) => format!(" ({})", e.to_string().lines().next().unwrap_or_default()),
        Ok(_) => String::new(),
    };
    let full = BuildOptions {
        full: true,
        ..options.clone()
    };
    let mut report = build_once(&full, progress, &OnceLock::new())?;
    report.cache.note = Some(format!(
        "the build cache's article log {} is damaged{why}; built everything",
        log.path().display()
    ));
    Ok(report)
}

/// One build; `read_log` is given the article log the build cache's articles were read from.
fn build_once(
    options: &BuildOptions,
    progress: &dyn Progress,
    read_log: &OnceLock<Arc<LogFile>>,
) -> Result<BuildReport> {
    let started = Instant::now();
    let taken_at_ns = nanos(SystemTime::now());
    let root = &options.root;
    let session = stage(
        progress,
        Stage::Theme,
        || Session::open(root, options.base_url.as_deref(), options.drafts),
        |s| format!("theme `{}`", s.config.theme),
    )?;
    let output_dir = match &options.output {
        Some(dir) => dir.clone(),
        None => root.join(&session.config.output_dir),
    };
    let cache_path = cache::path_for(&output_dir)?;
    if !options.full && cache_path.exists() {
        small_pages_only();
    }
    // The plan the last build kept is read on a thread of its own from the start (it depends
    // on nothing else; read between the load and the plan, it kept a core idle for 40 ms at
    // 100,000 articles). Used only with the rest of the cache.
    let related_path = cache::related_path(&cache_path);
    let reading_plan = (!options.full).then(|| {
        let (path, settings) = (related_path.clone(), session.settings);
        std::thread::spawn(move || cache::read_related(&path, settings))
    });
    // The cache is read while `content/` is walked.
    let (loaded, (prior_files, prior_log, note)) = stage(
        progress,
        Stage::Load,
        || {
            session.load_beside(progress, || {
                let (prior, note) = prior_cache(options, &session, &cache_path);
                match prior {
                    Some(stored) => {
                        if let Some(texts) = &stored.texts {
                            let _ = read_log.set(Arc::clone(texts));
                        }
                        // A later entry of the log for the same file stands for it.
                        let reuse = Reuse::new(stored.articles);
                        // The output's files are stamped from now on, in what the build leaves
                        // idle (see `untouched`).
                        let files = Arc::new(stored.files);
                        let untouched = Untouched::start(&output_dir, &files);
                        (reuse, (Some((files, untouched)), Some(stored.log), note))
                    }
                    None => (Reuse::default(), (None, None, note)),
                }
            })
        },
        |(l, _)| crate::counted(l.articles.len(), "article"),
    )?;
    let mut link_warnings = loaded.broken_markdown_links();
    let content::Loaded {
        articles,
        links,
        warnings: skipped,
        sources,
        reused: articles_reused,
        vouched,
        mut prints,
    } = loaded;
    // What the last build kept of its plan, when its cache is used: an article whose print
    // differs from the one it was planned with (or that was made anew) counts as changed.
    let earlier_plan = reading_plan
        .and_then(|reading| reading.join().ok().flatten())
        .filter(|_| prior_files.is_some())
        .map(|(planned, related)| {
            let changed: content::Files = related
                .files()
                .iter()
                .zip(&planned)
                .filter(|(file, print)| prints.get(file.as_os_str()) != Some(*print))
                .map(|(file, _)| file.as_os_str().to_owned())
                .collect();
            (related, changed)
        });
    let mut site = stage(
        progress,
        Stage::Plan,
        || {
            let earlier = earlier_plan
                .as_ref()
                .map(|(related, changed)| (related, changed));
            session.plan_carrying(articles, options.drafts, earlier)
        },
        |s| {
            format!(
                "{} published, {}",
                crate::counted(s.articles.len(), "article"),
                crate::counted(s.pages.len(), "page")
            )
        },
    )?;
    link_warnings.extend(crate::check::links_to_unpublished(&site, &links));

    let salt = session.salt();
    let Session {
        theme, settings, ..
    } = session;
    let copied = crate::copied_files(&site, &theme)?;
    // A patch needs the output the cache describes. A new theme is patched in too: its
    // fingerprint is in every key, so every page is rendered again, but only the files whose
    // bytes differ are written (a template most pages do not use changes few files), and no
    // tree of 15,000 files is swapped and deleted.
    let (patch_from, untouched) = prior_files.unzip();
    // Each page's output file, made once: the patch, the check of what is current and the
    // records all need it.
    let outputs: Vec<Option<String>> = site
        .pages
        .par_iter()
        .map(|p| crate::urls::output_file(&p.path).ok())
        .collect();
    let sink = match &patch_from {
        Some(_) => {
            let mut paths: Vec<&str> = outputs.iter().flatten().map(String::as_str).collect();
            paths.extend(copied.iter().map(|f| f.path.as_str()));
            match output::Patch::begin(&output_dir, &paths) {
                Ok(patch) => Sink::Patch(patch),
                // The output is gone or not ours any more: write it whole (which refuses a
                // folder that is not ours with the full explanation).
                Err(_) => Sink::Full(output::Staging::begin(&output_dir)?),
            }
        }
        None => Sink::Full(output::Staging::begin(&output_dir)?),
    };
    let patching = matches!(sink, Sink::Patch(_));
    let known = if patching {
        patch_from.as_deref()
    } else {
        None
    };

    // Written files are stamped inside the output folder, opened once (after the write; files
    // left alone were checked against their stamps by `untouched`).
    let stamp_in = |folder: Option<&content::Folder>, path: &str| {
        folder.and_then(|folder| folder.stamp_of(Path::new(path)).ok())
    };
    // Which pages were left out as current, by plan index.
    let current: Vec<AtomicBool> = (0..site.pages.len())
        .map(|_| AtomicBool::new(false))
        .collect();
    let is_current = |i: usize, key: u128| -> bool {
        let Some(known) = known else { return false };
        let Some(path) = outputs.get(i).and_then(Option::as_deref) else {
            return false;
        };
        let Some(&(made_from, stamp)) = known.get(path) else {
            return false;
        };
        let same = made_from == Some(key)
            && stamp.is_some()
            && untouched.as_ref().is_some_and(|u| u.is_untouched(path));
        if same && let Some(flag) = current.get(i) {
            flag.store(true, Ordering::Relaxed);
        }
        same
    };
    // Every article's print, once: taken from the log, or made now for the articles made anew.
    // The page keys and the log's new entries both use them.
    let made: Vec<(std::ffi::OsString, u128)> = site
        .articles
        .par_iter()
        .filter(|article| !prints.contains_key(article.file.as_os_str()))
        .map(|article| {
            (
                article.file.clone().into_os_string(),
                render::article_print(article),
            )
        })
        .collect();
    prints.extend(made);
    // The article log is written before the render, and the bodies it holds are left there,
    // read again when a page needs them: held through the render, the bodies and search words
    // of a clean build of 100,000 articles were 430 MB of its peak memory. The meta that
    // vouches for the log is written after the output.
    let mut logged = log_articles(
        &cache_path,
        (settings, taken_at_ns),
        &site,
        (&links, &sources, &prints),
        (prior_log, &vouched),
    );
    let bodies_logged = match &mut logged {
        Ok(log) => log.leave_bodies(&mut site.articles),
        Err(_) => 0,
    };
    // The plan is kept for the next build (written while this one renders), unless the kept
    // one is this very plan: the same files in the same order, none changed.
    let planned_again = earlier_plan.as_ref().is_some_and(|(related, changed)| {
        changed.is_empty()
            && related.files().len() == site.articles.len()
            && related
                .files()
                .iter()
                .zip(&site.articles)
                .all(|(f, a)| f.as_os_str() == a.file.as_os_str())
    });
    // By plan index: the page keys take each article's print from here, not by its file's path
    // (a lookup of 100,000 paths was a sixth of keying every page).
    let article_prints: Option<Vec<u128>> = site
        .articles
        .par_iter()
        .map(|article| prints.get(article.file.as_os_str()).copied())
        .collect();
    let known_print = |i: usize, article: &content::Article| match &article_prints {
        Some(by_index) => by_index.get(i).copied(),
        None => prints.get(article.file.as_os_str()).copied(),
    };
    let keeping_plan = article_prints
        .clone()
        .filter(|_| !planned_again)
        .map(|planned| {
            let kept = (planned, site::Related::of(&site));
            Writing::start(&related_path, move |path| {
                cache::write_related(path, settings, &kept)
            })
        });
    // An incremental build takes the cards of the last one with this theme and settings, and
    // keeps all it renders for the next. A full build keeps a card only from its second use
    // and saves none: holding every card would raise its peak memory.
    let cards_path = cache::cards_path(&cache_path);
    let cards = Arc::new(match patching {
        false => CardCache::default(),
        true => {
            let path = cards_path.clone();
            CardCache::with_earlier(Box::new(move || cache::read_cards(&path, salt)))
        }
    });
    // The search index's postings are carried over from the last build, and kept by every
    // build (a full one too: the next publish needs them).
    let search_path = cache::search_path(&cache_path);
    let search = article_prints.clone().map(|prints| {
        let path = search_path.clone();
        let earlier: Option<search::Earlier> =
            patching.then(|| Box::new(move || cache::read_search(&path, settings)) as _);
        Arc::new(search::Memory::new(prints, earlier))
    });
    let keying = Keying {
        salt,
        current: &is_current,
        known: Some(&known_print),
        cards: Some(&cards),
        search: search.as_ref(),
    };
    let urls = crate::urls::Urls::new(&site.config.base_url);
    let writing = AtomicU64::new(0);
    let search_index_bytes = AtomicUsize::new(0);
    let minify = site.config.minify;
    let keyed = stage(
        progress,
        Stage::Render,
        || {
            progress.total(site.pages.len());
            render::render_site_keyed(&site, &theme, &urls, Some(&keying), &|_, file, _| {
                let file = crate::finished(file, minify);
                if file.path == SEARCH_INDEX_FILE
                    && let Contents::Bytes(bytes) = &file.contents
                {
                    search_index_bytes.store(bytes.len(), Ordering::Relaxed);
                }
                let started = Instant::now();
                let written = sink.write(&file).map(|_| ());
                let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
                writing.fetch_add(nanos, Ordering::Relaxed);
                progress.tick();
                written
            })
        },
        |k| {
            let writing = Duration::from_nanos(writing.load(Ordering::Relaxed));
            format!(
                "{} rendered ({:.1} s of thread time writing)",
                crate::counted(k.sent, "page"),
                writing.as_secs_f64()
            )
        },
    )?;
    let pages_rendered = keyed.sent;
    // Cards are kept for the next build when this one rendered enough of them (up to four per
    // article: the settings a theme shows cards with are few). Written as soon as the render
    // ends (the file depends on nothing else), on a thread of their own that then frees them:
    // writing 74 MB of cards at 100,000 articles took up to 0.24 s of the build's own thread.
    let card_limit = 4 * site.articles.len() + 1024;
    let keeping_cards = Writing::start(&cards_path, move |path| {
        let kept = match patching && cards.worth_keeping() {
            true => cards.keep_with(card_limit, |keep| cache::write_cards(path, salt, keep)),
            false => Ok(()),
        };
        drop(cards);
        kept
    });
    // Written beside the output's files (25 MB at 100,000 articles), joined before the report.
    let keeping_postings = search
        .as_deref()
        .and_then(search::Memory::take)
        .map(|kept| {
            Writing::start(&search_path, move |path| {
                cache::write_search(path, settings, &kept)
            })
        });

    // Every file of the new output, with the key it was made from.
    let mut records: Vec<FileRecord> = Vec::with_capacity(site.pages.len() + copied.len());
    // How many of the new output's files the last one had: all of them means it had no other
    // file to delete (each path is the output's once).
    let mut known_again = 0;
    for (i, (key, path)) in keyed.keys.iter().zip(outputs).enumerate() {
        let (Some(key), Some(path)) = (key, path) else {
            continue;
        };
        let before = known.and_then(|k| k.get(&path));
        known_again += usize::from(before.is_some());
        let kept = current.get(i).is_some_and(|c| c.load(Ordering::Relaxed));
        // A file left alone keeps the stamp it was checked against; others are stamped below.
        let stamp = before.filter(|_| kept).and_then(|&(_, stamp)| stamp);
        records.push(FileRecord {
            path,
            key: Some(*key),
            stamp,
        });
    }
    records.extend(copied.iter().map(|f| {
        known_again += usize::from(known.is_some_and(|k| k.contains_key(&f.path)));
        FileRecord {
            path: f.path.clone(),
            key: None,
            stamp: None,
        }
    }));
    let total = records.len();
    let nothing_stale = known.is_none_or(|k| k.len() == known_again);

    let write = stage(
        progress,
        Stage::Write,
        || {
            copied
                .par_iter()
                .try_for_each(|file| sink.write(file).map(|_| ()))?;
            // From here the output changes: a cache describing the old one must not survive
            // a build stopped half way.
            if !nothing_stale {
                let new: rustc_hash::FxHashSet<&str> =
                    records.iter().map(|r| r.path.as_str()).collect();
                for stale in known.into_iter().flat_map(|k| k.keys()) {
                    if !new.contains(stale.as_str()) {
                        sink.remove(stale)?;
                    }
                }
            }
            if !sink.unchanged() {
                cache::remove(&cache_path)?;
            }
            sink.commit(total)
        },
        |w| format!("{} written, {} unchanged", w.written, w.unchanged),
    )?;

    // Stamp what was written (in the folder as it is now: a full build swapped a new one in),
    // then keep the cache for the next build. A cache that cannot be written costs the next
    // build its speed, not its correctness: it is a warning.
    let output_after = content::Folder::open(&output_dir).ok();
    records
        .par_iter_mut()
        .filter(|r| r.key.is_some() && r.stamp.is_none())
        .for_each(|r| r.stamp = stamp_in(output_after.as_ref(), &r.path));
    let mut warnings = skipped;
    warnings.extend(theme.warnings().iter().cloned());
    warnings.extend(site.warnings.iter().cloned());
    warnings.extend(link_warnings);
    if let Some(Err(e)) = keeping_plan.map(Writing::finish) {
        warnings.push(crate::error::Diagnostic::new(
            &related_path,
            format!(
                "the plan's related lists were not kept ({e}); the next build counts them all \
                 again"
            ),
        ));
    }
    if let Some(Err(e)) = keeping_postings.map(Writing::finish) {
        warnings.push(crate::error::Diagnostic::new(
            &search_path,
            format!(
                "the search index's postings were not kept ({e}); the next build reads every \
                 article's words again"
            ),
        ));
    }
    // Every published article's log entry still standing, nothing written or removed, every
    // file as the cache has it: the cache already says all this one would (entries of deleted
    // articles in the log are never used).
    let same_cache = write.changed.is_empty()
        && write.removed.is_empty()
        && vouched.len() == site.articles.len()
        && known.is_some_and(|k| {
            k.len() == records.len()
                && records
                    .iter()
                    .all(|r| k.get(&r.path) == Some(&(r.key, r.stamp)))
        });
    let saved = match logged {
        Ok(log) if !same_cache => cache::write_meta(&cache_path, settings, &records, log),
        Ok(_) => Ok(()),
        Err(e) => Err(e),
    };
    if let Err(e) = saved {
        warnings.push(crate::error::Diagnostic::new(
            &cache_path,
            format!("the build cache was not saved ({e}); the next build will be a full one"),
        ));
    }

    // Joined last: the thread frees the cards after writing them.
    if let Err(e) = keeping_cards.finish() {
        warnings.push(crate::error::Diagnostic::new(
            &cards_path,
            format!("the cards were not kept ({e}); the next build renders them again"),
        ));
    }

    // A search index left as it was is still the site's index.
    let mut search_index_bytes = search_index_bytes.into_inner();
    if search_index_bytes == 0 {
        search_index_bytes = std::fs::metadata(output_dir.join(SEARCH_INDEX_FILE))
            .map_or(0, |m| usize::try_from(m.len()).unwrap_or(usize::MAX));
    }
    let report = BuildReport {
        articles: site.articles.len(),
        pages: site.pages.len(),
        output_dir,
        write,
        warnings,
        elapsed: started.elapsed(),
        search_index_bytes,
        cache: CacheUse {
            note,
            incremental: patching,
            articles_reused,
            pages_rendered,
            bodies_logged,
        },
        notes: crate::feeds::robots_note(&urls).into_iter().collect(),
        extra_keys: site.extra_keys_note(),
        held: crate::Held::new((
            site, theme, prints, links, sources, patch_from, keyed, vouched,
        )),
    };
    Ok(report)
}

/// Asks the kernel for small pages only from here on: no transparent huge pages for the
/// process. Called for a build that will most likely patch the output: on a virtual machine
/// that hands free memory back to its host (a balloon with free page reporting, as on this
/// project's machine), free 2 MB blocks are what it hands back, so each huge page touched had
/// to be fetched from the host again. Publishing into 100,000 articles took 2.34-2.49 s with
/// huge pages against 2.01-2.08 s without (medians of eight alternating publishes of one binary
/// on one site, `MIMALLOC_ALLOW_THP=0`), in rounds of 1.8-3.2 s against 1.9-2.5 s. A clean
/// build keeps them: it fills a heap of over a gigabyte, where fewer TLB misses count (its user
/// time was up to 3 s higher at 100,000 articles without them).
fn small_pages_only() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

/// A cache file being written on a thread of its own while the build goes on. Joined when
/// dropped too, so that a build stopped by an error on the way does not exit with the file
/// half written (its temporary file left beside the output).
struct Writing {
    thread: Option<std::thread::JoinHandle<Result<()>>>,
    path: PathBuf,
}

impl Writing {
    /// Starts `write` (given `path`) on a new thread.
    fn start(path: &Path, write: impl FnOnce(&Path) -> Result<()> + Send + 'static) -> Writing {
        let at = path.to_path_buf();
        Writing {
            thread: Some(std::thread::spawn(move || write(&at))),
            path: path.to_path_buf(),
        }
    }

    /// Waits for the file to be written.
    fn finish(mut self) -> Result<()> {
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(written)) => written,
            Some(Err(_)) => Err(crate::error::Error::io(
                &self.path,
                std::io::Error::other("the thread writing it stopped"),
            )),
            None => Ok(()),
        }
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The cache of the last build, when this build may use it, and otherwise a one-line note
/// saying why not (none for a first build).
fn prior_cache(
    options: &BuildOptions,
    session: &Session,
    path: &std::path::Path,
) -> (Option<Stored>, Option<String>) {
    if options.full {
        return (None, Some("--full: the build cache was not used".into()));
    }
    match cache::read(path, session.settings) {
        cache::Found::Usable(stored) => (Some(stored), None),
        cache::Found::OtherSettings => (
            None,
            Some(
                "site.toml, the command-line options or Gazette itself changed since the last \
                 build: building everything"
                    .into(),
            ),
        ),
        cache::Found::Missing => (None, None),
        cache::Found::Unusable(reason) => (
            None,
            Some(format!(
                "the build cache {} was not used: {reason}; building everything",
                path.display()
            )),
        ),
    }
}

/// One article as the cache keeps it ([`content::Reused`], borrowed).
#[derive(Serialize)]
struct ArticleRef<'a> {
    source: &'a Source,
    article: &'a content::Article,
    #[serde(serialize_with = "links_through_articles")]
    links: &'a [BodyLink],
    print: u128,
}

/// Only the body links a later build looks at (see [`content::Target::through_articles`]): a
/// news article links out often (four links each in the bench corpus), and every article taken
/// from the log held its links in memory, a third of what it took (98 MB at 100,000 articles).
fn links_through_articles<S: serde::Serializer>(
    links: &&[BodyLink],
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serializer.collect_seq(links.iter().filter(|link| link.target.through_articles()))
}

/// Writes the article log of the cache at `path` (see [`cache::write_log`]).
fn log_articles<'a>(
    path: &std::path::Path,
    (settings, taken_at_ns): (u128, i128),
    site: &'a site::Site,
    (links, sources, prints): (
        &'a ByFile<Vec<BodyLink>>,
        &'a ByFile<Source>,
        &'a ByFile<u128>,
    ),
    (prior_log, vouched): (Option<cache::Log>, &content::Files),
) -> Result<cache::NewLog> {
    // Three lookups by path for each article logged: on every core.
    let entry = |article: &'a content::Article| {
        Some(ArticleRef {
            source: sources.get(article.file.as_os_str())?,
            article,
            links: links
                .get(article.file.as_os_str())
                .map_or(&[][..], Vec::as_slice),
            print: *prints.get(article.file.as_os_str())?,
        })
    };
    // The log already holds the articles taken by their stamp as they stand; the rest (new,
    // changed, or only compared by their bytes: a racily clean file, logged again with this
    // load's time so the next build can trust its stamp) are appended.
    let new: Vec<ArticleRef<'_>> = site
        .articles
        .par_iter()
        .filter(|a| !vouched.contains(a.file.as_os_str()))
        .filter_map(entry)
        .collect();
    // Every article, only for a log written afresh.
    let all = || site.articles.par_iter().filter_map(entry).collect();
    cache::write_log(
        path,
        settings,
        taken_at_ns,
        (site.articles.len(), all, &new),
        prior_log,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Reused, Target};

    /// The log keeps the links a later build checks again (through Markdown files), and no
    /// other: the build never looks at them, and every article taken from the log would hold
    /// them in memory.
    #[test]
    fn an_article_is_logged_with_its_links_through_markdown_files_only() {
        let link = |dest: &str, target: Target| BodyLink {
            line: 3,
            dest: dest.into(),
            image: false,
            target,
        };
        let links = [
            link(
                "https://example.org/",
                Target::External("https://example.org/".into()),
            ),
            link("/about/", Target::Internal("/about/".into())),
            link(
                "b.md",
                Target::Article {
                    file: "content/b.md".into(),
                    path: "/b/".into(),
                    fragment: None,
                },
            ),
            link("gone.md", Target::MissingArticle("content/gone.md".into())),
            link("mailto:desk@example.org", Target::Other),
        ];
        let source = Source {
            stamp: content::Stamp {
                len: 10,
                inode: 1,
                mtime_ns: 5,
                ctime_ns: 5,
            },
            hash: 7,
        };
        let article = content::Article::sample("A", "a", "2024-11-27T10:00:00Z");
        let logged = rmp_serde::to_vec(&ArticleRef {
            source: &source,
            article: &article,
            links: &links,
            print: 9,
        })
        .unwrap();
        let back: Reused = rmp_serde::from_slice(&logged).unwrap();
        assert_eq!(back.links, links[2..4]);
        assert_eq!(back.print, 9);
    }
}
