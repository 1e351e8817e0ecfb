//! Incremental `gazette build`: after any edit, a build that uses the build cache writes
//! exactly what a clean build writes, file for file, and reports exactly the files it changed.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::TestSite;

/// A small deterministic generator (xorshift), so a failing batch can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const TAGS: &[&str] = &["world", "politics", "sport", "science", "Zürich"];

/// The files a clean build of `site` writes (`--full` into a new folder), without the marker.
fn clean_build(site: &TestSite) -> BTreeMap<PathBuf, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("public");
    gazette::build(&gazette::BuildOptions {
        root: site.root.clone(),
        output: Some(dir.clone()),
        full: true,
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("clean build failed: {e}"));
    without_marker(common::snapshot(&dir))
}

fn without_marker(mut files: BTreeMap<PathBuf, Vec<u8>>) -> BTreeMap<PathBuf, Vec<u8>> {
    files.remove(Path::new(gazette::output::MARKER));
    files
}

/// Paths (relative, `/`-separated) whose bytes differ between two snapshots, and those gone.
fn differences(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
) -> (Vec<String>, Vec<String>) {
    let name = |p: &PathBuf| p.to_string_lossy().replace('\\', "/");
    let changed = after
        .iter()
        .filter(|(p, bytes)| before.get(*p) != Some(*bytes))
        .map(|(p, _)| name(p))
        .collect();
    let removed = before
        .keys()
        .filter(|p| !after.contains_key(*p))
        .map(name)
        .collect();
    (changed, removed)
}

/// Article `n` with a title, a day in November 2024, tags, an old address that changes with
/// the day (a body edit below drops it) and a body that links to another article's Markdown
/// file (so moving that article changes this body).
fn story(site: &TestSite, n: usize, title: &str, day: usize, tags: &[&str], draft: bool) {
    let link = if n > 0 {
        format!(
            "See [the earlier story](../../{:02}/story-{:02}.md).\n",
            day.max(1),
            n - 1
        )
    } else {
        String::new()
    };
    site.article(
        &format!("2024/11/{day:02}/story-{n:02}.md"),
        &format!(
            "title: \"{title}\"\ndate: 2024-11-{day:02}T{:02}:00:00Z\ntags: [{}]\ndraft: {draft}\n\
             aliases: [/old/{n}-{day}.html]",
            n % 24,
            tags.join(", ")
        ),
        &format!("Lead of {title}.\n\n{link}\nMore text for story {n}.\n"),
    );
}

#[test]
fn random_edit_batches_leave_exactly_what_a_clean_build_writes() {
    let site = TestSite::new(
        "title = \"Wire\"\nbase_url = \"https://example.org/news/\"\npaginate = 4\nfeed_limit = 5\n",
    );
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // Which stories exist, by number: (title, day, tags, draft).
    let mut stories: BTreeMap<usize, (String, usize, Vec<&str>, bool)> = BTreeMap::new();
    for n in 0..24 {
        let entry = (
            format!("Story {n}"),
            1 + n % 9,
            vec![TAGS[n % TAGS.len()]],
            false,
        );
        story(&site, n, &entry.0, entry.1, &entry.2, entry.3);
        stories.insert(n, entry);
    }
    site.write("static/notice.txt", "first\n");
    let first = site.build_ok();
    assert!(!first.cache.incremental, "the first build has no cache");
    assert_eq!(without_marker(site.snapshot()), clean_build(&site));

    let mut next = 24;
    let mut incremental = 0;
    let mut skipped_pages = 0;
    for batch in 0..30 {
        let mut did = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let keys: Vec<usize> = stories.keys().copied().collect();
            let pick = keys[rng.below(keys.len())];
            match rng.below(10) {
                0 => {
                    let entry = (
                        format!("Story {next}"),
                        1 + rng.below(9),
                        vec![TAGS[rng.below(5)]],
                        false,
                    );
                    story(&site, next, &entry.0, entry.1, &entry.2, entry.3);
                    stories.insert(next, entry);
                    did.push(format!("add {next}"));
                    next += 1;
                }
                1 => {
                    let e = &stories[&pick];
                    site.article(
                        &format!("2024/11/{:02}/story-{pick:02}.md", e.1),
                        &format!("title: \"{}\"\ndate: 2024-11-{:02}T{:02}:00:00Z\ntags: [{}]\ndraft: {}", e.0, e.1, pick % 24, e.2.join(", "), e.3),
                        &format!("A new body, batch {batch}.\n"),
                    );
                    did.push(format!("edit body {pick}"));
                }
                2 => {
                    let e = stories.get_mut(&pick).unwrap();
                    e.0 = format!("Story {pick} retitled in batch {batch}");
                    story(&site, pick, &e.0, e.1, &e.2, e.3);
                    did.push(format!("retitle {pick}"));
                }
                3 => {
                    // Another day: the file moves too, as a writer would file it.
                    let e = stories.get_mut(&pick).unwrap();
                    std::fs::remove_file(
                        site.root
                            .join(format!("content/2024/11/{:02}/story-{pick:02}.md", e.1)),
                    )
                    .unwrap();
                    e.1 = 1 + rng.below(9);
                    story(&site, pick, &e.0, e.1, &e.2, e.3);
                    did.push(format!("redate {pick}"));
                }
                4 => {
                    let e = stories.get_mut(&pick).unwrap();
                    e.2 = vec![TAGS[rng.below(5)], TAGS[rng.below(5)]];
                    e.2.dedup();
                    story(&site, pick, &e.0, e.1, &e.2, e.3);
                    did.push(format!("retag {pick}"));
                }
                5 if stories.len() > 3 => {
                    let e = stories.remove(&pick).unwrap();
                    std::fs::remove_file(
                        site.root
                            .join(format!("content/2024/11/{:02}/story-{pick:02}.md", e.1)),
                    )
                    .unwrap();
                    did.push(format!("delete {pick}"));
                }
                6 => {
                    let e = stories.get_mut(&pick).unwrap();
                    e.3 = !e.3;
                    story(&site, pick, &e.0, e.1, &e.2, e.3);
                    did.push(format!("draft {pick} = {}", e.3));
                }
                7 if batch % 2 == 0 => {
                    let theme = std::fs::read_to_string(
                        site.root.join("themes/default/templates/404.html"),
                    )
                    .unwrap();
                    let edited = theme.replacen(
                        "{% endblock",
                        &format!("<p>Edited in batch {batch}.</p>{{% endblock"),
                        1,
                    );
                    assert_ne!(edited, theme);
                    site.write("templates/404.html", edited);
                    did.push("template".into());
                }
                7 => {
                    // The card partial: cards kept from the last build must not be used.
                    let theme = std::fs::read_to_string(
                        site.root
                            .join("themes/default/templates/partials/card.html"),
                    )
                    .unwrap();
                    let edited =
                        theme.replacen("</article>", &format!("<!-- {batch} --></article>"), 1);
                    assert_ne!(edited, theme);
                    site.write("templates/partials/card.html", edited);
                    did.push("card template".into());
                }
                8 => {
                    // A file beside an article comes or goes: the article's files change, not
                    // its Markdown.
                    let e = &stories[&pick];
                    let photo = site
                        .root
                        .join(format!("content/2024/11/{:02}/photo-{batch}.jpg", e.1));
                    let there: Vec<PathBuf> = std::fs::read_dir(photo.parent().unwrap())
                        .unwrap()
                        .map(|entry| entry.unwrap().path())
                        .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
                        .collect();
                    match there.first() {
                        Some(old) if batch % 2 == 0 => std::fs::remove_file(old).unwrap(),
                        _ => std::fs::write(&photo, format!("jpeg {batch}")).unwrap(),
                    }
                    did.push(format!("file beside {pick}"));
                }
                _ => {
                    site.write("static/notice.txt", format!("batch {batch}\n"));
                    did.push("static file".into());
                }
            }
        }
        let before = without_marker(site.snapshot());
        let report = site.build_ok();
        let after = without_marker(site.snapshot());
        assert!(
            after == clean_build(&site),
            "batch {batch} ({did:?}): the incremental build differs from a clean build: {:?}",
            differences(&clean_build(&site), &after)
        );
        let (changed, removed) = differences(&before, &after);
        assert_eq!(report.write.changed, changed, "batch {batch} ({did:?})");
        assert_eq!(report.write.removed, removed, "batch {batch} ({did:?})");
        if report.cache.incremental {
            incremental += 1;
            skipped_pages += report.pages - report.cache.pages_rendered;
        }
    }
    // The cache was really used, and really saved work.
    assert!(
        incremental >= 20,
        "only {incremental} of 30 builds were incremental"
    );
    assert!(skipped_pages > 0, "no incremental build left a page out");
}

/// A site of `n` stories, enough that a build takes a moment.
fn wire(n: usize) -> TestSite {
    let site = TestSite::new("title = \"Wire\"\nbase_url = \"https://example.org/\"\n");
    for i in 0..n {
        story(
            &site,
            i,
            &format!("Story {i}"),
            1 + i % 28,
            &[TAGS[i % TAGS.len()]],
            false,
        );
    }
    site
}

#[test]
fn a_build_killed_at_any_moment_leaves_a_cache_the_next_build_can_trust() {
    let site = wire(60);
    assert!(site.run(&["build"]).status.success());
    let binary_build = || {
        let out = site.run(&["build"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    for (round, delay_ms) in [0u64, 5, 15, 30, 60, 120].into_iter().enumerate() {
        // Change something every round, so the killed build has work to do.
        story(
            &site,
            round,
            &format!("Killed round {round}"),
            3,
            &["world"],
            false,
        );
        let mut child = site
            .command(&["build"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        binary_build();
        assert!(
            without_marker(site.snapshot()) == clean_build(&site),
            "round {round} (killed after {delay_ms} ms): the next build differs from a clean build"
        );
    }
}

#[test]
fn a_damaged_or_foreign_cache_means_a_full_build_with_a_note() {
    let site = wire(8);
    assert!(site.run(&["build"]).status.success());
    let cache = site.root.join(".public.gazette-cache");
    assert!(cache.is_file(), "the cache lives beside the output");
    assert!(
        !site.files().iter().any(|f| f.contains("gazette-cache")),
        "the cache is never inside the output (a deploy would publish it)"
    );

    // Damaged: one byte flipped.
    let mut bytes = std::fs::read(&cache).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&cache, &bytes).unwrap();
    story(
        &site,
        2,
        "Edited while the cache was damaged",
        3,
        &["world"],
        false,
    );
    let out = site.run(&["build"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let notes: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("Build cache:"))
        .collect();
    assert_eq!(notes.len(), 1, "{text}");
    assert!(notes[0].contains("damaged"), "{text}");
    assert!(without_marker(site.snapshot()) == clean_build(&site));

    // From another version.
    std::fs::write(&cache, "gazette build cache 0\nwhatever").unwrap();
    let out = site.run(&["build"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("another version of Gazette"));
    // The next build has a good cache again, and says nothing about it.
    let out = site.run(&["build"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Build cache:"));

    // The article log damaged (the meta beside it intact): in what it says of an article.
    let log = site.root.join(".public.gazette-cache-articles");
    // One bit flipped inside the first `text` of the log.
    let damage = |text: &str| {
        let mut bytes = std::fs::read(&log).unwrap();
        let at = bytes
            .windows(text.len())
            .position(|w| w == text.as_bytes())
            .unwrap_or_else(|| panic!("{text} is in the log"));
        bytes[at + 2] ^= 0x20;
        std::fs::write(&log, &bytes).unwrap();
    };
    damage("Story 5");
    story(
        &site,
        3,
        "Edited while the log was damaged",
        4,
        &["world"],
        false,
    );
    let out = site.run(&["build"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Build cache:") && text.contains("article log") && text.contains("damaged"),
        "{text}"
    );
    assert!(without_marker(site.snapshot()) == clean_build(&site));

    // In an article's text: found when a page reads it (the feeds show every body), and the
    // build starts again in full.
    damage("More text for story 6");
    story(
        &site,
        8,
        "Published while a body was damaged",
        9,
        &["world"],
        false,
    );
    let out = site.run(&["build"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let notes: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("Build cache:"))
        .collect();
    assert_eq!(notes.len(), 1, "{text}");
    assert!(
        notes[0].contains("article log") && notes[0].contains("is damaged"),
        "{text}"
    );
    assert!(without_marker(site.snapshot()) == clean_build(&site));
    // The full build left a whole cache: the next build uses it and says nothing about it.
    let out = site.run(&["build"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Build cache:"));
    // Gone: the same, a full build with a note.
    std::fs::remove_file(&log).unwrap();
    let out = site.run(&["build"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("is missing"));
    assert!(without_marker(site.snapshot()) == clean_build(&site));

    // `--full` ignores it and says so.
    let out = site.run(&["build", "--full"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Build cache: --full"));
}

#[test]
fn an_output_file_changed_or_deleted_by_hand_is_written_again() {
    let site = wire(8);
    site.build_ok();
    let home = site.public().join("index.html");
    let good = std::fs::read(&home).unwrap();
    std::fs::write(&home, "<p>vandalised</p>").unwrap();
    std::fs::remove_file(site.public().join("atom.xml")).unwrap();
    let report = site.build_ok();
    assert!(report.cache.incremental);
    assert_eq!(std::fs::read(&home).unwrap(), good);
    assert!(without_marker(site.snapshot()) == clean_build(&site));
    assert_eq!(report.write.changed, ["atom.xml", "index.html"]);
}

#[test]
fn an_unchanged_site_renders_no_page_and_writes_nothing() {
    let site = wire(12);
    site.build_ok();
    let report = site.build_ok();
    assert!(report.cache.incremental);
    assert_eq!(report.cache.pages_rendered, 0);
    assert_eq!(report.cache.articles_reused, 12);
    assert_eq!(report.write.written, 0);
    assert!(report.write.changed.is_empty() && report.write.removed.is_empty());
    // A build that patches the output asks for small pages only (see `small_pages_only`).
    #[cfg(target_os = "linux")]
    assert_eq!(
        rustix::thread::transparent_huge_pages_are_disabled().ok(),
        Some(true)
    );
}

/// A build writes the article log before it renders, and its pages read the bodies it wrote
/// from there; a build that fails after writing it leaves the last build's cache as it was.
#[test]
fn bodies_are_read_back_from_the_log_and_a_failed_build_keeps_the_last_cache() {
    let site = wire(12);
    let report = site.build_ok();
    assert_eq!(report.cache.bodies_logged, 12);
    assert!(without_marker(site.snapshot()) == clean_build(&site));
    // One new story: only its body was in memory.
    story(&site, 12, "Story 12", 13, &["world"], false);
    let report = site.build_ok();
    assert_eq!(report.cache.bodies_logged, 1);
    assert!(without_marker(site.snapshot()) == clean_build(&site));

    // A full build writes a log afresh, then fails in a template: the log it wrote is gone and
    // the last build's cache is used by the next build.
    let template = site.root.join("themes/default/templates/article.html");
    let good = std::fs::read_to_string(&template).unwrap();
    let end = good.rfind("{% endblock content %}").unwrap();
    let broken = format!(
        "{}{{{{ page.no_such_thing.deeper }}}}{}",
        &good[..end],
        &good[end..]
    );
    std::fs::write(&template, broken).unwrap();
    let out = site.run(&["build", "--full"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("no_such_thing"), "{said}");
    let beside: Vec<String> = std::fs::read_dir(&site.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("gazette-cache"))
        .collect();
    assert!(!beside.iter().any(|n| n.ends_with(".tmp")), "{beside:?}");
    std::fs::write(&template, good).unwrap();
    let report = site.build_ok();
    assert!(report.cache.note.is_none(), "{:?}", report.cache.note);
    assert_eq!(report.cache.articles_reused, 13);
    assert!(without_marker(site.snapshot()) == clean_build(&site));
}

#[test]
fn the_cache_log_records_each_article_again_only_when_its_stamp_cannot_vouch_for_it() {
    let site = wire(8);
    site.build_ok();
    let log = site.root.join(".public.gazette-cache-articles");
    let meta = site.root.join(".public.gazette-cache");
    let len = || std::fs::metadata(&log).unwrap().len();
    let first = len();
    // The stories were written just before that build began: their stamps could hide a second
    // save, so they were compared by their bytes, and are logged again once settled.
    std::thread::sleep(Duration::from_millis(2_100));
    site.build_ok();
    let settled = len();
    assert!(settled > first + first / 2, "{first} -> {settled}");
    // Unchanged: the cache is not written at all (nor its log opened for writing).
    let written = std::fs::metadata(&meta).unwrap().modified().unwrap();
    let logged = std::fs::metadata(&log).unwrap().modified().unwrap();
    site.build_ok();
    assert_eq!(len(), settled);
    assert_eq!(std::fs::metadata(&log).unwrap().modified().unwrap(), logged);
    assert_eq!(
        std::fs::metadata(&meta).unwrap().modified().unwrap(),
        written
    );
    // One new story: only it is appended.
    story(&site, 8, "Story 8", 9, &["world"], false);
    site.build_ok();
    let grown = len() - settled;
    assert!(
        grown > 0 && grown < first / 4,
        "{first} bytes, then {grown} more"
    );
    assert!(without_marker(site.snapshot()) == clean_build(&site));
}

/// A site large enough that an edit leaves most related lists alone (each article's related
/// candidates are its 50 neighbours on each side in each of its tags): after each edit, the
/// build carries the other lists over from the last build's plan and still writes exactly
/// what a clean build writes.
#[test]
fn related_lists_carried_from_the_last_plan_are_those_a_clean_build_counts() {
    let site =
        TestSite::new("title = \"Wire\"\nbase_url = \"https://example.org/\"\npaginate = 50\n");
    let file = |n: usize| format!("2024/{:02}/{:02}/item-{n:03}.md", 1 + n % 12, 1 + n % 28);
    let write = |n: usize, date: &str, tags: &str, body: &str| {
        site.article(
            &file(n),
            &format!("title: \"Item {n}\"\ndate: {date}\ntags: [{tags}]"),
            body,
        );
    };
    let date = |n: usize| {
        format!(
            "2024-{:02}-{:02}T{:02}:00:00Z",
            1 + n % 12,
            1 + n % 28,
            n % 24
        )
    };
    let tags = |n: usize| match n % 5 {
        0 => "world, sport",
        1 | 2 => "world",
        _ => "sport",
    };
    for n in 0..300 {
        write(n, &date(n), tags(n), &format!("Body of item {n}.\n"));
    }
    site.build_ok();
    assert!(site.root.join(".public.gazette-cache-related").is_file());
    let edits: [(&str, &dyn Fn()); 5] = [
        ("retag", &|| {
            write(150, &date(150), "science, sport", "Body of item 150.\n")
        }),
        ("publish", &|| {
            write(300, "2024-12-31T23:00:00Z", "world", "The newest.\n")
        }),
        ("redate", &|| {
            write(
                200,
                "2024-06-15T12:30:00Z",
                tags(200),
                "Body of item 200.\n",
            )
        }),
        ("delete", &|| {
            std::fs::remove_file(site.root.join("content").join(file(100))).unwrap()
        }),
        ("body", &|| write(50, &date(50), tags(50), "A new body.\n")),
    ];
    for (what, edit) in edits {
        edit();
        let report = site.build_ok();
        assert!(report.cache.incremental, "{what}");
        assert!(
            without_marker(site.snapshot()) == clean_build(&site),
            "after the {what}, the output differs from a clean build"
        );
    }
}
