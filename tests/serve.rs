//! `gazette serve`: incremental rebuilds render exactly the pages an edit touches and leave the
//! same files a full build writes; the server never leaves its folder; the reload script never
//! reaches `public/`; and in a real browser a save reloads the open tab or shows the error.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::TestSite;
use gazette::serve::{Rebuild, Rebuilder};

const BASE: &str = "http://127.0.0.1:1111/";

/// `n` stories, one a day from 2024-01-01 at 10:00 UTC, tagged `t0`..`t9` by number, except
/// that story `solo` carries only the tag `solo` (so no other story lists it as related).
fn stories(n: usize, solo: usize) -> TestSite {
    let site = TestSite::new(
        "title = \"Wire\"\nbase_url = \"https://example.org/\"\npaginate = 10\nfeed_limit = 20\n",
    );
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    for i in 0..n {
        let day = start + chrono::Days::new(i as u64);
        let tag = if i == solo {
            "solo".to_string()
        } else {
            format!("t{}", i % 10)
        };
        site.article(
            &format!("{}/story-{i:03}.md", day.format("%Y/%m/%d")),
            &format!("title: Story {i:03}\ndate: {day}T10:00:00Z\ntags: [{tag}]"),
            &format!("Lead paragraph of story {i}.\n\nMore about it.\n"),
        );
    }
    site
}

fn root_of(site: &TestSite) -> PathBuf {
    std::fs::canonicalize(&site.root).unwrap()
}

/// Applies changes to the given site-relative paths, as the watcher would report them, without
/// what the rebuild leaves for later (the search index).
fn update(rebuilder: &mut Rebuilder, rel: &[&str]) -> gazette::error::Result<Option<Rebuild>> {
    let paths: Vec<PathBuf> = rel.iter().map(|p| rebuilder.root().join(p)).collect();
    let changes = rebuilder.changes(&paths);
    rebuilder.update(&changes)
}

/// [`update`], then the pages fast rendering left pending (counted in the rebuild, as written
/// by it) and what it left for later, as the server does.
fn apply(rebuilder: &mut Rebuilder, rel: &[&str]) -> gazette::error::Result<Option<Rebuild>> {
    let mut rebuild = update(rebuilder, rel)?;
    if let Some(r) = rebuild.as_mut() {
        if let Some(flushed) = rebuilder.flush()? {
            r.rendered.extend(flushed.rendered);
            r.rendered.sort();
            r.written.extend(flushed.written);
            r.written.sort();
        }
        assert!(rebuilder.pending().is_empty());
        rebuilder.finish()?;
    }
    Ok(rebuild)
}

/// A rebuilder for `site` writing into `out`; with `fast`, fast rendering for a tab on
/// `/page/2/`.
fn rebuilder(site: &TestSite, out: &Path, fast: bool) -> Rebuilder {
    let mut rebuilder = Rebuilder::new(&root_of(site), out, false, BASE);
    if fast {
        rebuilder.fast_render(|| vec!["/page/2/".to_string()]);
    }
    rebuilder
}

/// What `gazette build` writes for the site with the served base URL (without its marker).
fn full_build(site: &TestSite) -> BTreeMap<PathBuf, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("public");
    gazette::build(&gazette::BuildOptions {
        root: site.root.clone(),
        output: Some(dir.clone()),
        base_url: Some(BASE.to_string()),
        drafts: false,
        full: true,
    })
    .unwrap_or_else(|e| panic!("build failed: {e}"));
    let mut files = common::snapshot(&dir);
    files.remove(Path::new(gazette::output::MARKER));
    files
}

/// Asserts that the served folder `out` holds exactly what `gazette build` writes for `site`,
/// naming the files that differ.
fn same_as_build(out: &Path, site: &TestSite, what: &str) {
    let differ = changed_files(&full_build(site), &common::snapshot(out));
    assert!(differ.is_empty(), "{what}: these files differ: {differ:?}");
}

fn changed_files(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
) -> Vec<String> {
    let mut paths: BTreeSet<&PathBuf> = BTreeSet::new();
    paths.extend(
        after
            .iter()
            .filter(|(p, b)| before.get(*p) != Some(*b))
            .map(|(p, _)| p),
    );
    paths.extend(before.keys().filter(|p| !after.contains_key(*p)));
    paths.iter().map(|p| p.display().to_string()).collect()
}

#[test]
fn editing_one_of_200_articles_renders_only_the_pages_that_show_it() {
    let site = stories(200, 194);
    let out = tempfile::tempdir().unwrap();
    let mut rebuilder = Rebuilder::new(&root_of(&site), out.path(), false, BASE);
    let first = rebuilder.full().unwrap();
    assert_eq!(first.articles, 200);
    assert_eq!(first.rendered.len(), first.pages);
    let before = common::snapshot(out.path());

    // Story 194 is 2024-07-13: sixth newest, so on the first page of home, year and month, and
    // in the site feeds; its neighbours are stories 193 and 195.
    let file = "content/2024/07/13/story-194.md";
    site.article(
        "2024/07/13/story-194.md",
        "title: Story 194\ndate: 2024-07-13T10:00:00Z\ntags: [solo]",
        "A rewritten lead paragraph.\n\nMore about it.\n",
    );
    let rebuild = update(&mut rebuilder, &[file]).unwrap().expect("a rebuild");
    assert!(!rebuild.full);
    assert!(!rebuild.replanned, "a text edit is swapped into the plan");
    // The search index is left for later: the tabs reload without waiting for it.
    let later = rebuilder.finish().unwrap().expect("the search index");
    assert_eq!(later.rendered, ["/search-index.json"]);
    assert_eq!(later.written, ["search-index.json"]);
    assert_eq!(rebuilder.finish().unwrap(), None);
    assert_eq!(
        rebuild.rendered,
        [
            "/",
            "/2024/",
            "/2024/07/",
            "/2024/07/12/story-193/",
            "/2024/07/13/",
            "/2024/07/13/story-194/",
            "/2024/07/14/story-195/",
            "/atom.xml",
            "/feed.json",
            "/rss.xml",
            "/tags/solo/",
            "/tags/solo/atom.xml",
            "/tags/solo/feed.json",
            "/tags/solo/rss.xml",
        ]
    );
    // Written: exactly the files whose bytes changed; the neighbours show only the title, so
    // they were rendered but left alone.
    let after = common::snapshot(out.path());
    let mut both = [rebuild.written.clone(), later.written].concat();
    both.sort();
    assert_eq!(both, changed_files(&before, &after));
    assert_eq!(
        rebuild.written,
        [
            "2024/07/13/index.html",
            "2024/07/13/story-194/index.html",
            "2024/07/index.html",
            "2024/index.html",
            "atom.xml",
            "feed.json",
            "index.html",
            "rss.xml",
            "tags/solo/atom.xml",
            "tags/solo/feed.json",
            "tags/solo/index.html",
            "tags/solo/rss.xml",
        ]
    );
    assert!(rebuild.removed.is_empty());
    same_as_build(out.path(), &site, "edit");

    // Saving again without a change renders nothing.
    let again = apply(&mut rebuilder, &[file]).unwrap().expect("a rebuild");
    assert_eq!(again.rendered, Vec::<String>::new());
    assert_eq!(again.written, Vec::<String>::new());
}

#[test]
fn incremental_output_always_equals_a_full_build() {
    incremental_output_equals_a_full_build(false);
    incremental_output_equals_a_full_build(true);
}

fn incremental_output_equals_a_full_build(fast: bool) {
    let site = stories(30, 5);
    let out = tempfile::tempdir().unwrap();
    let mut rebuilder = rebuilder(&site, out.path(), fast);
    rebuilder.full().unwrap();
    same_as_build(out.path(), &site, "start");
    let path = |i: usize| {
        let day =
            chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(i as u64);
        (
            format!("{}/story-{i:03}.md", day.format("%Y/%m/%d")),
            day.to_string(),
        )
    };
    let check = |rebuilder: &mut Rebuilder, rel: &[&str], what: &str| {
        let rebuild = apply(rebuilder, rel)
            .unwrap_or_else(|e| panic!("{what}: {e}"))
            .unwrap_or_else(|| panic!("{what}: no rebuild"));
        same_as_build(out.path(), &site, what);
        rebuild
    };

    // New tag on one story: a new term with its pages and feeds.
    let (rel, day) = path(10);
    site.article(
        &rel,
        &format!("title: Story 010\ndate: {day}T10:00:00Z\ntags: [t3, fresh]"),
        "Body.\n",
    );
    let r = check(&mut rebuilder, &[&format!("content/{rel}")], "retag");
    assert!(
        r.written.contains(&"tags/fresh/index.html".to_string()),
        "{:?}",
        r.written
    );

    // A new title moves the page: the old one is removed.
    let (rel, day) = path(11);
    site.article(
        &rel,
        &format!("title: Renamed story\ndate: {day}T10:00:00Z\ntags: [t1]"),
        "Body.\n",
    );
    let r = check(&mut rebuilder, &[&format!("content/{rel}")], "retitle");
    assert!(r.replanned);
    assert_eq!(r.removed, ["2024/01/12/story-011/index.html"]);

    // Text-only edits after a re-plan take the in-place path; the output is still exact.
    let (rel, day) = path(9);
    site.article(
        &rel,
        &format!("title: Story 009\ndate: {day}T10:00:00Z\ntags: [t9]"),
        "New lead.\n",
    );
    let r = check(&mut rebuilder, &[&format!("content/{rel}")], "text edit");
    assert!(!r.replanned);
    assert!(
        r.written.contains(&"page/3/index.html".to_string())
            && r.written
                .contains(&"2024/01/10/story-009/index.html".to_string()),
        "{:?}",
        r.written
    );

    // A new article in a folder the site did not have.
    site.article(
        "2025/01/02/new.md",
        "title: New year\ndate: 2025-01-02T08:00:00Z",
        "Hello.\n",
    );
    check(&mut rebuilder, &["content/2025"], "new folder");

    // A deleted article.
    let (rel, _) = path(12);
    std::fs::remove_file(site.root.join("content").join(&rel)).unwrap();
    let r = check(&mut rebuilder, &[&format!("content/{rel}")], "delete");
    assert!(
        r.removed.contains(&"2024/01/13/index.html".to_string()),
        "{:?}",
        r.removed
    );

    // A broken save changes nothing on disk and names the file and line; the fix recovers.
    let good = common::snapshot(out.path());
    let (rel, day) = path(13);
    site.article(&rel, "title: Story 013\ndate: soon", "Body.\n");
    let err = apply(&mut rebuilder, &[&format!("content/{rel}")])
        .unwrap_err()
        .to_string();
    assert!(err.starts_with(&format!("content/{rel}:3: date:")), "{err}");
    assert_eq!(common::snapshot(out.path()), good);
    site.article(
        &rel,
        &format!("title: Story 013 fixed\ndate: {day}T10:00:00Z"),
        "Body.\n",
    );
    check(&mut rebuilder, &[&format!("content/{rel}")], "fixed");

    // A story turned into a draft leaves the site.
    let (rel, day) = path(14);
    site.article(
        &rel,
        &format!("title: Story 014\ndate: {day}T10:00:00Z\ndraft: true"),
        "B.\n",
    );
    check(&mut rebuilder, &[&format!("content/{rel}")], "draft");

    // A template override and a new static file: every page rendered again, articles kept.
    let not_found = std::fs::read_to_string(site.root.join("themes/default/templates/404.html"))
        .unwrap()
        .replace("Page not found", "Nothing here");
    site.write("templates/404.html", not_found);
    site.write("static/extra.css", "body { color: red }");
    let r = check(
        &mut rebuilder,
        &["templates/404.html", "static/extra.css"],
        "theme",
    );
    // Every page but the search index and the sitemap, which show no template (and which
    // `finish` found unchanged).
    assert!(
        r.full && r.rendered.len() == r.pages - 2,
        "{} of {}",
        r.rendered.len(),
        r.pages
    );
    // Stylesheets are published under a name with a hash of their bytes, as by `build`.
    assert_eq!(r.written.len(), 2, "{:?}", r.written);
    assert_eq!(r.written[0], "404.html");
    assert!(
        r.written[1].starts_with("extra.") && r.written[1].ends_with(".css"),
        "{:?}",
        r.written
    );

    // site.toml is a full rebuild.
    site.write(
        "site.toml",
        "title = \"Wire 2\"\npaginate = 10\nfeed_limit = 20\n",
    );
    let r = check(&mut rebuilder, &["site.toml"], "config");
    assert!(r.full);

    // Minified pages: an incremental rebuild minifies what it renders, as a build does.
    site.write(
        "site.toml",
        "title = \"Wire 2\"\npaginate = 10\nfeed_limit = 20\nminify = true\n",
    );
    check(&mut rebuilder, &["site.toml"], "minify");
    let (rel, day) = path(15);
    site.article(
        &rel,
        &format!("title: Story 015\ndate: {day}T10:00:00Z\ntags: [t5]"),
        "Minified   text.\n",
    );
    let r = check(
        &mut rebuilder,
        &[&format!("content/{rel}")],
        "minified edit",
    );
    assert!(!r.replanned && !r.written.is_empty(), "{:?}", r.written);
}

/// The `href`s of the links in the body of the article page at `rel` (an output path).
/// A wire of `n` stories, two a day from 2024-01-01 (at 10:00 and 12:00 UTC), each tagged `wire`
/// (a tag long enough that related lists come from a window of it) and `t0`..`t3` by number.
fn wire(n: usize) -> TestSite {
    let site = TestSite::new(
        "title = \"Wire\"\nbase_url = \"https://example.org/\"\npaginate = 10\nfeed_limit = 20\n",
    );
    for i in 0..n {
        let (rel, front) = wire_story(i, &format!("Story {i:03}"), "", &format!("t{}", i % 4));
        site.article(&rel, &front, &format!("Lead of story {i}.\n"));
    }
    site
}

/// File (under `content/`) and front matter of story `i` of [`wire`]: its own day and hour
/// unless `date` is given, tagged `wire` and `tags`.
fn wire_story(i: usize, title: &str, date: &str, tags: &str) -> (String, String) {
    let day =
        chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(i as u64 / 2);
    let date = if date.is_empty() {
        format!("{day}T{}:00:00Z", if i.is_multiple_of(2) { 10 } else { 12 })
    } else {
        date.to_string()
    };
    (
        format!("{}/story-{i:03}.md", day.format("%Y/%m/%d")),
        format!("title: {title}\ndate: {date}\ntags: [wire, {tags}]"),
    )
}

#[test]
fn every_kind_of_one_article_edit_leaves_what_a_full_build_writes() {
    every_kind_of_edit_leaves_what_a_full_build_writes(false);
    every_kind_of_edit_leaves_what_a_full_build_writes(true);
}

fn every_kind_of_edit_leaves_what_a_full_build_writes(fast: bool) {
    let site = wire(130);
    let out = tempfile::tempdir().unwrap();
    let mut rebuilder = rebuilder(&site, out.path(), fast);
    rebuilder.full().unwrap();
    let edit = |rebuilder: &mut Rebuilder, i: usize, title: &str, date: &str, tags: &str| {
        let (rel, front) = wire_story(i, title, date, tags);
        site.article(&rel, &front, &format!("Lead of story {i}.\n"));
        let rebuild = apply(rebuilder, &[&format!("content/{rel}")])
            .unwrap_or_else(|e| panic!("{title}: {e}"))
            .unwrap_or_else(|| panic!("{title}: no rebuild"));
        same_as_build(out.path(), &site, title);
        rebuild
    };
    let has = |r: &Rebuild, file: &str| r.written.iter().any(|w| w == file);
    let gone = |r: &Rebuild, file: &str| r.removed.iter().any(|w| w == file);

    // A new headline moves the page.
    let r = edit(&mut rebuilder, 80, "Story 080 renamed", "", "t0");
    assert!(r.replanned);
    assert!(
        gone(&r, "2024/02/10/story-080/index.html"),
        "{:?}",
        r.removed
    );
    // The same day, a later hour: the two stories of 2024-02-10 swap places.
    let r = edit(
        &mut rebuilder,
        80,
        "Story 080 renamed",
        "2024-02-10T14:00:00Z",
        "t0",
    );
    assert!(has(&r, "2024/02/10/index.html"), "{:?}", r.written);
    // The same time as its neighbour: the title decides the order.
    edit(
        &mut rebuilder,
        81,
        "AAA story 081",
        "2024-02-10T14:00:00Z",
        "t1",
    );
    // Another day, month and year: a year that had no story appears...
    let r = edit(
        &mut rebuilder,
        100,
        "Story 100",
        "2023-12-15T09:00:00Z",
        "t0",
    );
    assert!(has(&r, "2023/index.html"), "{:?}", r.written);
    // ... and goes when the story moves back.
    let r = edit(&mut rebuilder, 100, "Story 100", "", "t0");
    assert!(gone(&r, "2023/index.html"), "{:?}", r.removed);
    // A tag that appears, then disappears.
    let r = edit(&mut rebuilder, 90, "Story 090", "", "t2, fresh");
    assert!(has(&r, "tags/fresh/index.html"), "{:?}", r.written);
    let r = edit(&mut rebuilder, 90, "Story 090", "", "t2");
    assert!(gone(&r, "tags/fresh/index.html"), "{:?}", r.removed);
    // An old address appears (a redirect page), then goes.
    let (rel, front) = wire_story(90, "Story 090", "", "t2");
    site.article(
        &rel,
        &format!("{front}\naliases: [/old/story-90.html]"),
        "Lead of story 90.\n",
    );
    let r = apply(&mut rebuilder, &[&format!("content/{rel}")])
        .unwrap()
        .unwrap();
    same_as_build(out.path(), &site, "alias added");
    assert!(has(&r, "old/story-90.html"), "{:?}", r.written);
    let r = edit(&mut rebuilder, 90, "Story 090", "", "t2");
    assert!(gone(&r, "old/story-90.html"), "{:?}", r.removed);
    // Every other field a page shows: byline, source, lead image, summary, then back.
    for (what, extra) in [
        ("byline", "author: [Ann Reporter, Wire Desk]"),
        ("source", "source: Dawn\nsource_url: https://dawn.example/x"),
        (
            "image",
            "image: https://img.example/a.jpg\nimage_alt: A crowd\nimage_caption: \"Photo: Ann\"",
        ),
        ("summary", "summary: A **new** summary."),
        ("back", ""),
    ] {
        let (rel, front) = wire_story(124, "Story 124", "", "t0");
        site.article(&rel, &format!("{front}\n{extra}"), "Lead of story 124.\n");
        apply(&mut rebuilder, &[&format!("content/{rel}")])
            .unwrap()
            .unwrap();
        same_as_build(out.path(), &site, what);
    }
    // A story on the home page's first page asks to lead it, then stops asking (the home page
    // may be left for later with fast rendering: only the output is compared).
    let (rel, front) = wire_story(125, "Story 125", "", "t1");
    site.article(
        &rel,
        &format!("{front}\nfeatured: true"),
        "Lead of story 125.\n",
    );
    apply(&mut rebuilder, &[&format!("content/{rel}")])
        .unwrap()
        .unwrap();
    same_as_build(out.path(), &site, "featured");
    edit(&mut rebuilder, 125, "Story 125", "", "t1");
    // A term whose page count changes: `t1` has 33 stories (4 pages of 10); with 30 left, its
    // fourth page goes.
    edit(&mut rebuilder, 1, "Story 001", "", "t0");
    edit(&mut rebuilder, 5, "Story 005", "", "t0");
    let r = edit(&mut rebuilder, 9, "Story 009", "", "t0");
    assert!(gone(&r, "tags/t1/page/4/index.html"), "{:?}", r.removed);
    // Related lists change: a story that shared only `wire` with its neighbours now shares a
    // second tag with some of them.
    let r = edit(&mut rebuilder, 60, "Story 060", "", "t0, t1");
    assert!(r.rendered.len() > 20, "{:?}", r.rendered);

    // A new story, then the same story deleted; a draft; two files in one save.
    let (rel, front) = wire_story(200, "Late story", "2024-02-10T11:00:00Z", "t3");
    site.article(&rel, &front, "New.\n");
    let r = apply(&mut rebuilder, &[&format!("content/{rel}")])
        .unwrap()
        .unwrap();
    same_as_build(out.path(), &site, "new story");
    assert!(
        has(&r, "2024/02/10/late-story/index.html"),
        "{:?}",
        r.written
    );
    std::fs::remove_file(site.root.join("content").join(&rel)).unwrap();
    let r = apply(&mut rebuilder, &[&format!("content/{rel}")])
        .unwrap()
        .unwrap();
    same_as_build(out.path(), &site, "deleted story");
    assert!(
        gone(&r, "2024/02/10/late-story/index.html"),
        "{:?}",
        r.removed
    );
    let (rel, front) = wire_story(70, "Story 070", "", "t2");
    site.article(&rel, &format!("{front}\ndraft: true"), "Draft.\n");
    apply(&mut rebuilder, &[&format!("content/{rel}")])
        .unwrap()
        .unwrap();
    same_as_build(out.path(), &site, "draft");
    let (a, front_a) = wire_story(71, "Story 071 again", "", "t3");
    let (b, front_b) = wire_story(12, "Story 012", "2024-03-01T08:00:00Z", "t0, fresh");
    site.article(&a, &front_a, "A.\n");
    site.article(&b, &front_b, "B.\n");
    apply(
        &mut rebuilder,
        &[&format!("content/{a}"), &format!("content/{b}")],
    )
    .unwrap()
    .unwrap();
    same_as_build(out.path(), &site, "two files");
}

#[test]
fn a_saved_link_to_an_unpublished_article_is_reported_for_that_file_only() {
    let site = wire(4);
    site.article(
        "2024/01/01/story-000.md",
        "title: Story 000\ndate: 2024-01-01T10:00:00Z\ntags: [wire]",
        "See [the next one](story-001.md) and [nothing](none.md).\n",
    );
    site.article(
        "2024/01/01/story-001.md",
        "title: Story 001\ndate: 2024-01-01T12:00:00Z\ndraft: true",
        "Draft.\n",
    );
    site.article(
        "2024/01/02/story-002.md",
        "title: Story 002\ndate: 2024-01-02T10:00:00Z\ntags: [wire]",
        "Also [the draft](../01/story-001.md).\n",
    );
    let out = tempfile::tempdir().unwrap();
    let mut rebuilder = Rebuilder::new(&root_of(&site), out.path(), false, BASE);
    rebuilder.full().unwrap();
    // A text edit (swapped into the plan) and a new headline (planned again) of story 000.
    for title in ["Story 000", "Story 000 renamed"] {
        site.article(
            "2024/01/01/story-000.md",
            &format!("title: {title}\ndate: 2024-01-01T10:00:00Z\ntags: [wire]"),
            "See [the next one](story-001.md) and [nothing](none.md) again.\n",
        );
        let r = apply(&mut rebuilder, &["content/2024/01/01/story-000.md"])
            .unwrap()
            .unwrap();
        let warnings: Vec<String> = r.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(
            warnings,
            [
                "content/2024/01/01/story-000.md:6: link to `none.md`: there is no article \
                 content/2024/01/01/none.md; fix the path (it is relative to this file)",
                "content/2024/01/01/story-000.md:6: link to `story-001.md`: that article \
                 (/2024/01/01/story-001/) is not published (a draft, or dated in the future)",
            ],
            "{title}"
        );
        same_as_build(out.path(), &site, title);
    }
}

fn body_links(out: &Path, rel: &str) -> Vec<String> {
    let html = std::fs::read_to_string(out.join(rel)).unwrap();
    let doc = scraper::Html::parse_document(&html);
    common::attrs(&doc, "div.content a", "href")
}

#[test]
fn links_to_an_article_follow_it_when_it_moves_appears_or_goes() {
    let site = TestSite::new("title = \"Wire\"\n");
    site.article(
        "2024/11/27/a.md",
        "title: A\ndate: 2024-11-27T10:00:00Z",
        "See [b](b.md) and [c](../28/c.md#later).\n",
    );
    site.article(
        "2024/11/27/b.md",
        "title: B\ndate: 2024-11-27T09:00:00Z",
        "Story B.\n",
    );
    let out = tempfile::tempdir().unwrap();
    let mut rebuilder = Rebuilder::new(&root_of(&site), out.path(), false, BASE);
    let first = rebuilder.full().unwrap();
    // c.md does not exist yet: the link stays as written (made root-relative, as on every
    // page), and the build says so.
    assert_eq!(
        first
            .warnings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [
            "content/2024/11/27/a.md:5: link to `../28/c.md#later`: there is no article \
          content/2024/11/28/c.md; fix the path (it is relative to this file)"
        ]
    );
    let a_page = "2024/11/27/a/index.html";
    assert_eq!(
        body_links(out.path(), a_page),
        [
            format!("{BASE}2024/11/27/b/"),
            "/2024/11/27/28/c.md#later".to_string()
        ]
    );
    same_as_build(out.path(), &site, "links: start");

    // B's new title moves its page: A, whose file did not change, links the new URL.
    site.article(
        "2024/11/27/b.md",
        "title: B renamed\ndate: 2024-11-27T09:00:00Z",
        "Story B.\n",
    );
    let r = apply(&mut rebuilder, &["content/2024/11/27/b.md"])
        .unwrap()
        .unwrap();
    assert!(r.replanned);
    assert!(r.written.contains(&a_page.to_string()), "{:?}", r.written);
    assert_eq!(
        body_links(out.path(), a_page),
        [
            format!("{BASE}2024/11/27/b-renamed/"),
            "/2024/11/27/28/c.md#later".to_string()
        ]
    );
    same_as_build(out.path(), &site, "links: B moved");

    // C appears: the link A already had now leads to it.
    site.article(
        "2024/11/28/c.md",
        "title: C\ndate: 2024-11-28T10:00:00Z",
        "Story C.\n",
    );
    apply(&mut rebuilder, &["content/2024/11/28"])
        .unwrap()
        .unwrap();
    assert_eq!(
        body_links(out.path(), a_page),
        [
            format!("{BASE}2024/11/27/b-renamed/"),
            format!("{BASE}2024/11/28/c/#later")
        ]
    );
    same_as_build(out.path(), &site, "links: C appeared");

    // B goes: A's link to it is left as written again.
    std::fs::remove_file(site.root.join("content/2024/11/27/b.md")).unwrap();
    apply(&mut rebuilder, &["content/2024/11/27/b.md"])
        .unwrap()
        .unwrap();
    assert_eq!(
        body_links(out.path(), a_page),
        [
            "/2024/11/27/a/b.md".to_string(),
            format!("{BASE}2024/11/28/c/#later")
        ]
    );
    same_as_build(out.path(), &site, "links: B deleted");

    // A text edit to A that links a missing file is swapped in place, and warned about.
    site.article(
        "2024/11/27/a.md",
        "title: A\ndate: 2024-11-27T10:00:00Z",
        "See [c](../28/c.md) and [gone](gone.md).\n",
    );
    let r = apply(&mut rebuilder, &["content/2024/11/27/a.md"])
        .unwrap()
        .unwrap();
    assert!(!r.replanned);
    assert_eq!(
        r.warnings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [
            "content/2024/11/27/a.md:5: link to `gone.md`: there is no article \
          content/2024/11/27/gone.md; fix the path (it is relative to this file)"
        ]
    );
    same_as_build(out.path(), &site, "links: A edited");
}

#[test]
fn a_search_index_rendered_for_an_older_plan_is_not_written() {
    let site = stories(30, 5);
    let out = tempfile::tempdir().unwrap();
    let mut rebuilder = Rebuilder::new(&root_of(&site), out.path(), false, BASE);
    rebuilder.full().unwrap();
    assert!(
        rebuilder.later().unwrap().is_none(),
        "a full build writes everything"
    );
    let index = out.path().join("search-index.json");
    let before = std::fs::read(&index).unwrap();

    let file = "content/2024/01/06/story-005.md";
    let head = "title: Story 005\ndate: 2024-01-06T10:00:00Z\ntags: [solo]";
    site.article("2024/01/06/story-005.md", head, "Aardvark.\n");
    update(&mut rebuilder, &[file]).unwrap().unwrap();
    let first = rebuilder
        .later()
        .unwrap()
        .expect("the search index is left for later");
    // Another save before the first job is done: its index is out of date once rendered.
    site.article("2024/01/06/story-005.md", head, "Zebra.\n");
    update(&mut rebuilder, &[file]).unwrap().unwrap();
    assert_eq!(rebuilder.accept(first.run()).unwrap(), None);
    assert_eq!(std::fs::read(&index).unwrap(), before);

    let second = rebuilder
        .later()
        .unwrap()
        .expect("a job for the current plan");
    let done = rebuilder.accept(second.run()).unwrap().expect("written");
    assert_eq!(done.written, ["search-index.json"]);
    let text = std::fs::read_to_string(&index).unwrap();
    assert!(
        text.contains("Zebra") && !text.contains("Aardvark"),
        "{text}"
    );
    assert!(rebuilder.later().unwrap().is_none());
    same_as_build(out.path(), &site, "after the second job");

    // A job started before the theme was reloaded is out of date too.
    site.article("2024/01/06/story-005.md", head, "Yak.\n");
    update(&mut rebuilder, &[file]).unwrap().unwrap();
    let third = rebuilder.later().unwrap().expect("a job");
    site.write("templates/extra.html", "unused");
    update(&mut rebuilder, &["templates/extra.html"])
        .unwrap()
        .unwrap();
    assert_eq!(rebuilder.accept(third.run()).unwrap(), None);
    assert!(rebuilder.finish().unwrap().is_some());
    same_as_build(out.path(), &site, "after a theme change");
}

#[test]
fn links_in_content_are_followed_as_by_build_and_never_out_of_the_site() {
    use std::os::unix::fs::symlink;
    let site = TestSite::new("title = \"Wire\"\n");
    site.article(
        "2024/11/27/own.md",
        "title: Own\ndate: 2024-11-27T10:00:00Z",
        "Own.\n",
    );
    site.write(
        "shared/real.md",
        "---\ntitle: Shared\ndate: 2024-11-27T09:00:00Z\n---\nShared text.\n",
    );
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("leak.md"),
        "---\ntitle: Leak\ndate: 2024-11-27T08:00:00Z\n---\nSecret.\n",
    )
    .unwrap();
    let content = site.root.join("content");
    symlink(
        site.root.join("shared/real.md"),
        content.join("2024/11/27/linked.md"),
    )
    .unwrap();
    symlink(outside.path(), content.join("outside")).unwrap();

    let out = tempfile::tempdir().unwrap();
    let mut rebuilder = Rebuilder::new(&root_of(&site), out.path(), false, BASE);
    let first = rebuilder.full().unwrap();
    assert_eq!(first.articles, 2);
    let warnings: Vec<String> = first.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings.len() == 1 && warnings[0].starts_with("content/outside: link to "),
        "{warnings:?}"
    );
    assert!(out.path().join("2024/11/27/shared/index.html").is_file());
    same_as_build(out.path(), &site, "links: start");

    // A save reported inside the linked-out folder is never read from there.
    std::fs::write(
        outside.path().join("new.md"),
        "---\ntitle: New leak\ndate: 2024-11-27T07:00:00Z\n---\nSecret.\n",
    )
    .unwrap();
    let r = apply(
        &mut rebuilder,
        &["content/outside/new.md", "content/outside/leak.md"],
    )
    .unwrap()
    .unwrap();
    assert!(r.full);
    assert_eq!(r.articles, 2);
    same_as_build(out.path(), &site, "links: outside");
    let all = common::snapshot(out.path());
    assert!(
        all.values()
            .all(|bytes| !String::from_utf8_lossy(bytes).contains("Secret")),
        "a file from outside the site was published"
    );

    // A save through the link inside the site is read as the walk reads it.
    site.write(
        "shared/real.md",
        "---\ntitle: Shared\ndate: 2024-11-27T09:00:00Z\n---\nShared, edited.\n",
    );
    let r = apply(&mut rebuilder, &["content/2024/11/27/linked.md"])
        .unwrap()
        .unwrap();
    assert!(r.full);
    same_as_build(out.path(), &site, "links: edited through the link");
}

#[test]
fn editing_the_target_of_a_link_in_content_rebuilds_the_served_page() {
    let site = TestSite::new("title = \"Wire\"\n");
    site.write(
        "shared/real.md",
        "---\ntitle: Shared\ndate: 2024-11-27T09:00:00Z\n---\nShared text.\n",
    );
    std::fs::create_dir_all(site.root.join("content/2024/11/27")).unwrap();
    std::os::unix::fs::symlink(
        site.root.join("shared/real.md"),
        site.root.join("content/2024/11/27/linked.md"),
    )
    .unwrap();
    let mut served = Served::start(&site);
    poll(&served.addr(), "/2024/11/27/shared/", "Shared text.");
    site.write(
        "shared/real.md",
        "---\ntitle: Shared\ndate: 2024-11-27T09:00:00Z\n---\nShared, edited.\n",
    );
    poll(&served.addr(), "/2024/11/27/shared/", "Shared, edited.");
    let line = served.wait_for("rebuilt ");
    assert!(line.contains("(shared/real.md changed)"), "{line}");
    served.stop();
}

#[test]
fn the_reload_script_never_reaches_public() {
    let site = TestSite::sample();
    site.build_ok();
    let files = site.snapshot();
    assert!(files.len() > 20, "{}", files.len());
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("__gazette"), "{}", path.display());
    }
}

/// A running `gazette serve --port 0`, stopped (with SIGTERM, so it cleans up) on drop.
struct Served {
    child: Child,
    url: String,
    output: PathBuf,
    lines: mpsc::Receiver<String>,
    /// Lines printed before the server said it was serving.
    early: Vec<String>,
    /// Every line received so far, in order.
    log: std::cell::RefCell<Vec<String>>,
}

impl Served {
    fn start(site: &TestSite) -> Served {
        Served::start_with(site, &[])
    }

    /// Starts `gazette [flags] serve --port 0`.
    fn start_with(site: &TestSite, flags: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
            .args(flags)
            .args(["serve", "--port", "0"])
            .current_dir(&site.root)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start gazette serve");
        // stdout and stderr lines arrive on one channel, errors marked.
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let out_tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if out_tx.send(line).is_err() {
                    break;
                }
            }
        });
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(format!("stderr: {line}")).is_err() {
                    break;
                }
            }
        });
        let mut seen = Vec::new();
        loop {
            let Ok(line) = lines.recv_timeout(Duration::from_secs(15)) else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("gazette serve did not start:\n{}", seen.join("\n"));
            };
            seen.push(line.clone());
            if let Some(rest) = line.strip_prefix("serving ") {
                let (url, rest) = rest.split_once(' ').unwrap();
                let output = rest
                    .strip_prefix("(from ")
                    .and_then(|r| r.split_once(')'))
                    .map(|(dir, _)| PathBuf::from(dir))
                    .unwrap();
                return Served {
                    child,
                    url: url.to_string(),
                    output,
                    lines,
                    log: std::cell::RefCell::new(seen.clone()),
                    early: seen,
                };
            }
        }
    }

    /// Waits for a terminal line containing `needle` and returns it.
    fn wait_for(&self, needle: &str) -> String {
        if let Some(line) = self.early.iter().find(|l| l.contains(needle)) {
            return line.clone();
        }
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(15))
                .unwrap_or_else(|_| panic!("no line with {needle:?}"));
            self.log.borrow_mut().push(line.clone());
            if line.contains(needle) {
                return line;
            }
        }
    }

    /// Waits until `count` lines received so far (in any order) contain `needle`.
    fn wait_count(&self, needle: &str, count: usize) {
        let seen = || {
            self.log
                .borrow()
                .iter()
                .filter(|l| l.contains(needle))
                .count()
        };
        while seen() < count {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(15))
                .unwrap_or_else(|_| panic!("not {count} lines with {needle:?}"));
            self.log.borrow_mut().push(line);
        }
    }

    fn addr(&self) -> String {
        self.url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string()
    }

    fn stop(&mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        let mut rest = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(2)) {
            self.log.borrow_mut().push(line.clone());
            rest.push(line);
        }
        rest.join("\n")
    }
}

impl Drop for Served {
    /// On a failed test: SIGTERM first, so the server removes its folder; SIGKILL if it hangs.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            for _ in 0..50 {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `head` (request line and headers, without the final blank line) and returns the
/// status code and body.
fn raw(addr: &str, head: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{head}\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn the_server_never_leaves_its_folder_and_survives_bad_clients() {
    let site = TestSite::sample();
    // A secret beside the site, and links inside the served folder pointing out of it.
    let secret = site.root.parent().unwrap().join("secret.txt");
    std::fs::write(&secret, "TOP SECRET").unwrap();
    let mut served = Served::start(&site);
    let addr = served.addr();
    std::os::unix::fs::symlink(&secret, served.output.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(site.root.parent().unwrap(), served.output.join("escape")).unwrap();

    // Clients that hold connections open without finishing a request do not block others.
    let mut idle: Vec<TcpStream> = (0..50)
        .map(|_| TcpStream::connect(&addr).unwrap())
        .collect();
    for stream in idle.iter_mut().take(10) {
        stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    }

    let (status, home) = raw(&addr, "GET / HTTP/1.1");
    assert_eq!(status, 200);
    assert!(
        home.contains("<script src=\"/__gazette/live.js\""),
        "{home}"
    );
    let on_disk = std::fs::read_to_string(served.output.join("index.html")).unwrap();
    assert!(!on_disk.contains("__gazette"));
    // Links in served pages point at the local address.
    assert!(on_disk.contains(&served.url), "{on_disk}");

    for target in [
        "/../",
        "/%2e%2e/",
        "/%2E%2E/site.toml",
        "/..%2f",
        "/..%2fsecret.txt",
        "/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "/%00",
        "//etc/passwd",
        "/leak.txt",
        "/escape/secret.txt",
        "/escape/",
        "http://example.org/../secret.txt",
    ] {
        let (status, body) = raw(&addr, &format!("GET {target} HTTP/1.1"));
        assert_eq!(status, 404, "{target}");
        assert!(body.contains("Page not found"), "{target}: {body}");
        assert!(!body.contains("TOP SECRET"), "{target}");
    }
    let (status, _) = raw(&addr, "GARBAGE");
    assert_eq!(status, 400);
    let (status, _) = raw(&addr, "POST / HTTP/1.1");
    assert_eq!(status, 405);
    drop(idle);

    let rest = served.stop();
    assert!(rest.contains("stopped"), "{rest}");
    assert!(
        !served.output.exists(),
        "the served folder is removed on exit"
    );
}

#[test]
fn a_save_reloads_the_open_tab_and_a_broken_save_shows_the_overlay() {
    let site = TestSite::new("title = \"Wire\"\n");
    let head = "title: Floods\ndate: 2024-11-27T10:00:00Z";
    site.article("2024/11/27/floods.md", head, "The original text.\n");
    site.article(
        "2024/11/26/other.md",
        "title: Other\ndate: 2024-11-26T10:00:00Z",
        "Another story.\n",
    );
    let texts = tempfile::tempdir().unwrap();
    let text = |name: &str, body: &str| {
        let path = texts.path().join(name);
        std::fs::write(&path, body).unwrap();
        path.display().to_string()
    };
    let good1 = text(
        "good1.md",
        &format!("---\n{head}\n---\nThe first edit is here.\n"),
    );
    let broken = text(
        "broken.md",
        "---\ntitle: Floods\ndate: \"<b>soon</b>\"\n---\nThe first edit is here.\n",
    );
    let good2 = text(
        "good2.md",
        &format!("---\n{head}\n---\nThe second edit is here.\n"),
    );
    let mut served = Served::start(&site);
    let url = format!("{}2024/11/27/floods/", served.url);
    let file = site.root.join("content/2024/11/27/floods.md");
    let file = file.display().to_string();
    let Some(output) =
        common::browser::node_script("serve_reload.mjs", &[&url, &file, &good1, &broken, &good2])
    else {
        return;
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).expect("json from node");
    assert_eq!(seen.get("error"), None, "{seen}");
    assert_eq!(seen["title_before"], "Floods");
    // The same tab, at the same address, reloaded by the server (no goto, no manual reload).
    assert_eq!(seen["after_first_edit"]["url"], url.as_str());
    assert!(
        seen["after_first_edit"]["navigations"].as_u64().unwrap() >= 2,
        "{seen}"
    );
    let overlay = seen["overlay"].as_str().unwrap();
    assert!(
        overlay.starts_with("content/2024/11/27/floods.md:3: date:"),
        "{overlay}"
    );
    assert!(overlay.contains("<b>soon</b>"), "shown as text: {overlay}");
    assert_eq!(seen["overlay_elements"], 0);
    assert_eq!(seen["still_first_edit"], true);
    assert_eq!(seen["second_tab_overlay"], overlay);
    assert_eq!(seen["second_tab_dismissed"], true);
    assert_eq!(seen["after_second_edit"]["url"], url.as_str());
    assert_eq!(seen["after_second_edit"]["overlay"], false);

    let lines = served.stop();
    assert!(
        lines.contains("(content/2024/11/27/floods.md changed) in "),
        "{lines}"
    );
    assert!(
        lines
            .contains("stderr: error: the build failed after content/2024/11/27/floods.md changed"),
        "{lines}"
    );
}

#[test]
fn a_site_broken_at_start_is_served_once_fixed() {
    let site = TestSite::new("title = \"Wire\"\n");
    site.article("2024/11/27/a.md", "title: A\ndate: later", "Text.\n");
    let mut served = Served::start(&site);
    let failed = served.wait_for("stderr: error: content/2024/11/27/a.md:3: date:");
    assert!(failed.contains("later"), "{failed}");
    // Nothing built yet: a 404 that still carries the reload script, so the tab recovers.
    let (status, body) = raw(&served.addr(), "GET / HTTP/1.1");
    assert_eq!(status, 404);
    assert!(body.contains("/__gazette/live.js"), "{body}");

    site.article("2024/11/27/a.md", "title: A\ndate: 2024-11-27", "Text.\n");
    let line = served.wait_for("rebuilt");
    assert!(line.starts_with("full rebuild: rebuilt "), "{line}");
    assert!(line.contains("(content/2024/11/27/a.md changed)"), "{line}");
    let (status, body) = raw(&served.addr(), "GET /2024/11/27/a/ HTTP/1.1");
    assert_eq!(status, 200);
    assert!(body.contains("<h1>A</h1>"), "{body}");
    served.stop();
}

/// Asks for `path` until its body contains `needle` (the rebuild is done), for up to 15 s.
fn poll(addr: &str, path: &str, needle: &str) -> String {
    for _ in 0..150 {
        let (status, body) = raw(addr, &format!("GET {path} HTTP/1.1"));
        if status == 200 && body.contains(needle) {
            return body;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{path} never showed {needle:?}");
}

#[test]
fn quiet_serve_prints_the_address_and_errors_only_and_verbose_lists_files() {
    let site = TestSite::new("title = \"Wire\"\n");
    let head = "title: A\ndate: 2024-11-27";
    site.article("2024/11/27/a.md", head, "Text.\n");

    let mut quiet = Served::start_with(&site, &["-q"]);
    site.article("2024/11/27/a.md", head, "Edited text.\n");
    poll(&quiet.addr(), "/2024/11/27/a/", "Edited text.");
    site.article("2024/11/27/a.md", "title: A\ndate: soon", "Text.\n");
    let error = quiet.wait_for("stderr: error: content/2024/11/27/a.md:3: date:");
    assert!(error.contains("soon"), "{error}");
    quiet.stop();
    let lines = quiet.log.borrow();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(
        lines[0].starts_with("serving http://127.0.0.1:"),
        "{lines:#?}"
    );
    assert_eq!(
        lines[1],
        "stderr: error: the build failed after content/2024/11/27/a.md changed; still serving \
         the last good site"
    );
    assert_eq!(lines[2], error);

    site.article("2024/11/27/a.md", head, "Text.\n");
    let verbose = Served::start_with(&site, &["--verbose"]);
    let page = "stderr: written   2024/11/27/a/index.html";
    let index = "stderr: written   search-index.json";
    verbose.wait_count(page, 1);
    verbose.wait_count(index, 1);
    site.article("2024/11/27/a.md", head, "Edited again.\n");
    // The rebuild, then the search index, rendered after the tabs reloaded.
    verbose.wait_count("rebuilt ", 1);
    verbose.wait_count(page, 2);
    verbose.wait_count("stderr: then /search-index.json: 1 file written in ", 1);
    verbose.wait_count(index, 2);
    // stderr lines keep their order: the page is written before the index.
    let log = verbose.log.borrow();
    let errs: Vec<&str> = log
        .iter()
        .map(String::as_str)
        .filter(|l| l.starts_with("stderr:"))
        .collect();
    let last = |line: &str| errs.iter().rposition(|l| *l == line);
    assert!(last(page) < last(index), "{errs:#?}");
}

#[test]
fn drafts_are_served_only_with_the_flag() {
    let site = TestSite::new("title = \"Wire\"\n");
    site.article("2024/11/27/a.md", "title: A\ndate: 2024-11-27", "Text.\n");
    site.article(
        "2024/11/27/b.md",
        "title: B\ndate: 2024-11-27\ndraft: true",
        "Draft.\n",
    );
    for (drafts, expected) in [(false, 1), (true, 2)] {
        let out = tempfile::tempdir().unwrap();
        let mut rebuilder = Rebuilder::new(&root_of(&site), out.path(), drafts, BASE);
        let built = rebuilder.full().unwrap();
        assert_eq!(built.articles, expected);
        assert_eq!(out.path().join("2024/11/27/b/index.html").is_file(), drafts);
        // Publishing the draft is a re-plan that brings its page in.
        site.article("2024/11/27/b.md", "title: B\ndate: 2024-11-27", "Draft.\n");
        let r = apply(&mut rebuilder, &["content/2024/11/27/b.md"])
            .unwrap()
            .unwrap();
        assert_eq!(r.articles, 2);
        assert!(out.path().join("2024/11/27/b/index.html").is_file());
        site.article(
            "2024/11/27/b.md",
            "title: B\ndate: 2024-11-27\ndraft: true",
            "Draft.\n",
        );
    }
}

/// A story newer than every one of [`stories`]: every home page after the first shifts by one.
fn newest_story(site: &TestSite) -> String {
    site.article(
        "2025/06/01/newest.md",
        "title: The newest story\ndate: 2025-06-01T10:00:00Z\ntags: [t1]",
        "Lead of the newest story.\n",
    );
    "content/2025/06/01/newest.md".to_string()
}

/// Forty stories built in full, with fast rendering, into `out`; and page 3 (a page a new
/// story moves) with its text as built.
fn forty_built_fast(out: &Path) -> (TestSite, Rebuilder, PathBuf, String) {
    let site = stories(40, 5);
    let mut rebuilder = rebuilder(&site, out, true);
    rebuilder.full().unwrap();
    let page3 = out.join("page/3/index.html");
    let old = std::fs::read_to_string(&page3).unwrap();
    (site, rebuilder, page3, old)
}

#[test]
fn with_fast_rendering_a_pending_page_is_waited_for_and_then_new() {
    let out = tempfile::tempdir().unwrap();
    let (site, mut rebuilder, page3, old) = forty_built_fast(out.path());
    let added = newest_story(&site);
    let r = update(&mut rebuilder, &[&added]).unwrap().unwrap();
    // Written before the reload: the new story's page, the first page of its lists, the tab's
    // page; the other pages are compared after it, and requests for them wait.
    for urgent in [
        "2025/06/01/the-newest-story/index.html",
        "index.html",
        "tags/t1/index.html",
        "page/2/index.html",
    ] {
        assert!(r.written.iter().any(|w| w == urgent), "{urgent}: {r:?}");
    }
    let later = [
        "page/3/index.html",
        "page/4/index.html",
        "2024/page/2/index.html",
    ];
    for later in later {
        assert!(!r.written.iter().any(|w| w == later), "{later}: {r:?}");
    }
    assert!(r.unchecked > later.len(), "{r:?}");
    let pending = rebuilder.pending();
    assert!(!pending.is_empty());
    // The pages just written and the static files are served at once.
    for now in ["index.html", "page/2/index.html", "tags/t1/index.html"] {
        assert!(
            pending.wait_for(&[now.to_string()], Duration::ZERO),
            "{now}"
        );
    }
    let css = std::fs::read_dir(out.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|name| name.ends_with(".css"))
        .expect("a stylesheet");
    assert!(
        pending.wait_for(std::slice::from_ref(&css), Duration::ZERO),
        "{css}"
    );
    assert_eq!(std::fs::read_to_string(&page3).unwrap(), old);
    let waiter = {
        let pending = pending.clone();
        let page3 = page3.clone();
        std::thread::spawn(move || {
            let file = ["page/3/index.html".to_string()];
            let waited = pending.wait_for(&file, Duration::from_secs(20));
            (waited, std::fs::read_to_string(page3).unwrap())
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        !waiter.is_finished(),
        "a request for a pending page must wait"
    );
    let flushed = rebuilder.flush().unwrap().expect("the pending pages");
    for later in later {
        assert!(
            flushed.written.iter().any(|w| w == later),
            "{later}: {flushed:?}"
        );
    }
    let (waited, served) = waiter.join().unwrap();
    assert!(waited);
    assert_ne!(served, old);
    assert_eq!(served, std::fs::read_to_string(&page3).unwrap());
    assert!(pending.is_empty());
    assert_eq!(rebuilder.flush().unwrap(), None);
    rebuilder.finish().unwrap();
    same_as_build(out.path(), &site, "after the pending pages");
}

#[test]
fn saves_that_come_before_the_pending_pages_are_written_still_end_as_a_full_build() {
    let out = tempfile::tempdir().unwrap();
    let (site, mut rebuilder, page3, old) = forty_built_fast(out.path());

    // A new story moves every list page; a save comes before any of them is written.
    let added = newest_story(&site);
    let updated = update(&mut rebuilder, &[&added]).unwrap().unwrap();
    let interrupted = rebuilder
        .flush_until(&|| true)
        .unwrap()
        .expect("the pending pages, compared");
    assert!(interrupted.written.is_empty(), "{interrupted:?}");
    // Stopped before any page was keyed: every page left is still left, changed or not.
    assert_eq!(interrupted.unchecked, updated.unchecked, "{interrupted:?}");
    assert!(interrupted.unchecked > 0 && rebuilder.has_left());
    let pending = rebuilder.pending();
    assert!(!pending.wait_for(&["page/3/index.html".to_string()], Duration::ZERO));
    assert_eq!(std::fs::read_to_string(&page3).unwrap(), old);

    // The next saves do not wait for those pages: one edits a story's text in place (the
    // pages left stay pending), one retitles another (the plan changes again).
    let (text, retitled) = (
        "content/2024/01/03/story-002.md",
        "content/2024/01/04/story-003.md",
    );
    site.article(
        "2024/01/03/story-002.md",
        "title: Story 002\ndate: 2024-01-03T10:00:00Z\ntags: [t2]",
        "A corrected lead.\n",
    );
    update(&mut rebuilder, &[text]).unwrap().unwrap();
    assert!(rebuilder.has_left());
    assert!(!pending.wait_for(&["page/3/index.html".to_string()], Duration::ZERO));
    site.article(
        "2024/01/04/story-003.md",
        "title: Story three, renamed\ndate: 2024-01-04T10:00:00Z\ntags: [t3]",
        "Lead.\n",
    );
    let last = update(&mut rebuilder, &[retitled]).unwrap().unwrap();
    assert!(last.replanned && last.unchecked > 0, "{last:?}");
    let flushed = rebuilder.flush().unwrap().expect("the pending pages");
    assert!(
        flushed.written.iter().any(|w| w == "page/3/index.html"),
        "{flushed:?}"
    );
    assert!(pending.is_empty() && !rebuilder.has_left());
    rebuilder.finish().unwrap();
    same_as_build(out.path(), &site, "after saves that came first");
}

#[test]
fn with_fast_rendering_the_open_tab_is_written_before_the_reload_and_nothing_stale_after() {
    let site = stories(40, 5);
    let served = Served::start_with(&site, &["--verbose"]);
    served.wait_count("stderr: written   page/4/index.html", 1);
    let mut events = TcpStream::connect(served.addr()).unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    write!(
        events,
        "GET /__gazette/events?path=%2Fpage%2F4%2F HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    .unwrap();
    let read_until = |events: &mut TcpStream, token: &str| {
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        let started = std::time::Instant::now();
        while !String::from_utf8_lossy(&seen).contains(token) {
            assert!(started.elapsed() < Duration::from_secs(20), "no {token:?}");
            let n = events.read(&mut buf).unwrap();
            assert!(n > 0, "the event stream closed");
            seen.extend_from_slice(&buf[..n]);
        }
    };
    read_until(&mut events, "event: hello");
    let (_, old) = raw(&served.addr(), "GET /page/3/ HTTP/1.1");
    newest_story(&site);
    read_until(&mut events, "event: reload");
    // Right after the reload: a shifted page no tab showed is new (its request waited for it).
    let (status, now) = raw(&served.addr(), "GET /page/3/ HTTP/1.1");
    assert_eq!(status, 200);
    assert_ne!(now, old);
    served.wait_count(" pending page", 1);
    served.wait_count("stderr: written   page/3/index.html", 2);
    // The tab's page was written with the rebuild (before the reload), page 3 after it: in
    // one list they would be sorted the other way round.
    let log = served.log.borrow();
    let last = |line: &str| log.iter().rposition(|l| l == line).unwrap();
    assert!(
        last("stderr: written   page/4/index.html") < last("stderr: written   page/3/index.html"),
        "{log:#?}"
    );
}
