//! The `gazette` binary end to end: `init`, `new`, `check` (with a local HTTP server for
//! `--external`), links between articles' Markdown files, and what the terminal gets (`-q`, `-v`,
//! colors, no progress bar when piped).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use common::{TestSite, attrs, gazette_in, snapshot};

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

const TOML: &str = "title = \"T\"\nbase_url = \"https://example.org/\"\ntimezone = \"UTC\"\n";

// ---------------------------------------------------------------- init

#[test]
fn init_then_build_works_in_an_empty_folder_without_this_repository() {
    let dir = tempfile::tempdir().unwrap();
    let out = gazette_in(dir.path(), &["init", "news"]).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("Created a new site in news"),
        "{}",
        stdout(&out)
    );
    let site = dir.path().join("news");
    for file in [
        "site.toml",
        ".gitignore",
        "themes/default/templates/base.html",
        "themes/default/static/style.css",
    ] {
        assert!(site.join(file).is_file(), "{file} missing");
    }

    let out = gazette_in(&site, &["build"]).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let home = std::fs::read_to_string(site.join("public/index.html")).unwrap();
    let doc = scraper::Html::parse_document(&home);
    let links = attrs(&doc, "a", "href");
    let article = links
        .iter()
        .find(|href| href.ends_with("/welcome-to-your-digest/"))
        .unwrap_or_else(|| panic!("no link to the first article in {links:?}"));
    let page = site
        .join("public")
        .join(article.trim_start_matches('/'))
        .join("index.html");
    let page = std::fs::read_to_string(page).unwrap();
    assert!(page.contains("Welcome to your digest"));
    assert!(page.contains("Next steps"));
}

#[test]
fn init_refuses_a_folder_with_files_and_force_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.toml"), "title = \"Mine\"\n").unwrap();
    let out = gazette_in(dir.path(), &["init"]).output().unwrap();
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("is not empty"), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let out = gazette_in(dir.path(), &["init", "--force"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "warning: ./site.toml: already exists; left as it was\n"
    );
    let toml = std::fs::read_to_string(dir.path().join("site.toml")).unwrap();
    assert_eq!(toml, "title = \"Mine\"\n");
    assert!(
        dir.path()
            .join("themes/default/templates/index.html")
            .is_file()
    );
}

// ---------------------------------------------------------------- new

#[test]
fn new_writes_the_article_and_prints_its_path() {
    let site = TestSite::new(TOML);
    let title = "Khan: \"we will return\" #1";
    let out = site.run(&[
        "new",
        title,
        "--tags",
        "pakistan,protests",
        "--date",
        "2024-11-27 21:30",
        "--draft",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rel = "content/2024/11/27/khan-we-will-return-1.md";
    assert_eq!(stdout(&out), format!("{rel}\n"));
    let text = std::fs::read_to_string(site.root.join(rel)).unwrap();
    assert!(
        text.starts_with(
            "---\ntitle: \"Khan: \\\"we will return\\\" #1\"\ndate: 2024-11-27 21:30\n\
             tags: [\"pakistan\", \"protests\"]\ndraft: true\n---\n"
        ),
        "{text}"
    );

    // A draft: published only with --drafts, with the title exactly as typed.
    let out = site.run(&["build", "--drafts"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = site.html("2024/11/27/khan-we-will-return-1/index.html");
    assert_eq!(common::texts(&doc, "h1"), vec![title.to_string()]);
    let tags = attrs(&doc, "a[rel~=tag]", "href");
    assert_eq!(tags, vec!["/tags/pakistan/", "/tags/protests/"]);

    // --root from elsewhere prints the path under that root.
    let out = gazette_in(
        site.root.parent().unwrap(),
        &["new", "Other", "--root", "site"],
    )
    .output()
    .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("site/content/"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).trim_end().ends_with("/other.md"));
}

#[test]
fn new_refuses_with_a_clear_message() {
    let site = TestSite::new(TOML);
    let first = site.run(&["new", "Same", "--date", "2024-11-27"]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let path = site.root.join("content/2024/11/27/same.md");
    let before = std::fs::read(&path).unwrap();

    let cases: &[(&[&str], &str)] = &[
        (
            &["new", "Same", "--date", "2024-11-27 08:00"],
            "error: content/2024/11/27/same.md: already exists; `gazette new` never \
             overwrites a file: choose another title or --date, or edit that file\n",
        ),
        (
            &["new", "X", "--date", "27/11/2024"],
            "error: --date: expected YYYY-MM-DD, YYYY-MM-DD HH:MM or RFC 3339 \
             (2024-11-27T21:30:00+05:00), found \"27/11/2024\"\n",
        ),
        (
            &["new", "🎉 !!!"],
            "error: title: `🎉 !!!` has no letters or digits to name the file after; use a \
             headline with words\n",
        ),
    ];
    for (args, message) in cases {
        let out = site.run(args);
        assert_eq!(code(&out), 1, "{args:?}");
        assert_eq!(stderr(&out), *message, "{args:?}");
        assert_eq!(stdout(&out), "", "{args:?}");
    }
    assert_eq!(std::fs::read(&path).unwrap(), before, "never overwritten");

    let empty = tempfile::tempdir().unwrap();
    let out = gazette_in(empty.path(), &["new", "X"]).output().unwrap();
    assert_eq!(code(&out), 1);
    assert_eq!(
        stderr(&out),
        "error: ./site.toml: no site.toml here: run gazette in a site folder, or pass --root DIR\n"
    );
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}

// ---------------------------------------------------------------- links between articles

fn linked_site() -> TestSite {
    let site = TestSite::new(TOML);
    site.article(
        "2024/11/26/older.md",
        "title: The older story\ndate: 2024-11-26\ntags: [pti]",
        "## The part {#part}\n\nText.\n",
    );
    site.article(
        "2024/11/27/newer.md",
        "title: The newer story\ndate: 2024-11-27",
        "Intro, see [the older one](../26/older.md#part).\n\n[Itself](newer.md) and \
         [tags](/tags/).\n",
    );
    site
}

#[test]
fn links_to_markdown_files_become_page_links_at_build_time() {
    let site = linked_site();
    let out = site.run(&["build"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "no warnings");
    let older = "https://example.org/2024/11/26/the-older-story/#part";
    let doc = site.html("2024/11/27/the-newer-story/index.html");
    let hrefs = attrs(&doc, "article a", "href");
    assert!(hrefs.contains(&older.to_string()), "{hrefs:?}");
    assert!(
        hrefs.contains(&"https://example.org/2024/11/27/the-newer-story/".to_string()),
        "{hrefs:?}"
    );
    assert!(
        site.public()
            .join("2024/11/26/the-older-story/index.html")
            .is_file()
    );
    // The summary (first paragraph) shows the same link on the home page, and feeds carry it.
    let home = attrs(&site.html("index.html"), "a", "href");
    assert!(home.contains(&older.to_string()), "{home:?}");
    assert!(site.read("atom.xml").contains(older));
}

#[test]
fn a_build_warns_about_links_to_missing_or_unpublished_articles() {
    let site = linked_site();
    site.article(
        "2024/11/28/third.md",
        "title: Third\ndate: 2024-11-28",
        "One.\n\nTwo [gone](../27/gone.md).\n\n[draft](../27/draft.md)\n\n\
         See [the wire](https://example.org/x).\n",
    );
    site.article(
        "2024/11/27/draft.md",
        "title: Draft\ndate: 2024-11-27\ndraft: true",
        "Not yet.\n",
    );
    let out = site.run(&["build"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let third = "content/2024/11/28/third.md";
    assert_eq!(
        stderr(&out),
        format!(
            "warning: {third}:7: link to `../27/gone.md`: there is no article \
             content/2024/11/27/gone.md; fix the path (it is relative to this file)\n\
             warning: {third}:9: link to `../27/draft.md`: that article (/2024/11/27/draft/) is \
             not published (a draft, or dated in the future)\n"
        )
    );
    // Built again from the build cache, whose log keeps only the links through Markdown files:
    // the same warnings.
    let again = site.run(&["build"]);
    assert_eq!(stderr(&again), stderr(&out));
    assert!(
        stdout(&again).contains("(0 files written, 34 unchanged;"),
        "{}",
        stdout(&again)
    );
    let out = site.run(&["build", "--drafts"]);
    assert_eq!(
        stderr(&out).lines().count(),
        1,
        "published with --drafts: {}",
        stderr(&out)
    );
}

// ---------------------------------------------------------------- check

#[test]
fn check_passes_on_the_sample_digest_and_writes_nothing() {
    let site = TestSite::sample();
    let before = snapshot(&site.root);
    let out = site.run(&["check"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    // The how-to article shows a key of the writer's own (`level:`) for templates.
    assert!(
        stdout(&out).starts_with(
            "note: front-matter keys that are no Gazette field, kept for templates as \
             article.extra.<key>: level (1 article)\nChecked 7 articles, 92 pages"
        ),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).ends_with(": 0 errors, 0 warnings\n"),
        "{}",
        stdout(&out)
    );
    assert_eq!(snapshot(&site.root), before, "check wrote something");
    assert!(!site.public().exists());
}

#[test]
fn check_reports_broken_links_with_file_and_line() {
    let site = linked_site();
    site.article(
        "2024/11/28/third.md",
        "title: Third\ndate: 2024-11-28",
        "One.\n\n[ok](../27/newer.md) and [gone](../27/gone.md)\n\n\
         Then [nowhere](/2024/11/27/nope/) and [home](/).\n",
    );
    let before = snapshot(&site.root);
    let out = site.run(&["check"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert_eq!(
        stderr(&out),
        "error: content/2024/11/28/third.md:7: link to `../27/gone.md`: there is no article \
         content/2024/11/27/gone.md; fix the path (it is relative to this file)\n\
         error: content/2024/11/28/third.md:9: link to `/2024/11/27/nope/`: the site has no \
         page or file at /2024/11/27/nope/\n"
    );
    assert!(
        stdout(&out).ends_with(": 2 errors, 0 warnings\n"),
        "{}",
        stdout(&out)
    );
    assert_eq!(snapshot(&site.root), before);
}

#[test]
fn check_names_other_generators_syntax_and_missing_lead_images() {
    let site = linked_site();
    site.article(
        "2024/11/28/moved.md",
        "title: Moved from Jekyll\ndate: 2024-11-28\nimage: photo.jpg",
        "Intro.\n\n{% include note.html %}\n\nSee `{{ page.url }}` and {{< youtube abc >}}.\n\n\
         ```\n{{ site.title }}\n```\n",
    );
    site.article(
        "2024/11/28/pictured/index.md",
        "title: Pictured\ndate: 2024-11-28\nimage: ./lead.jpg",
        "Text.\n",
    );
    site.write("content/2024/11/28/pictured/lead.jpg", "jpeg");
    site.write("static/img/ok.png", "png");
    site.article(
        "2024/11/28/static-image.md",
        "title: Static image\ndate: 2024-11-28\nimage: /img/ok.png",
        "Text.\n",
    );
    let out = site.run(&["check"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert_eq!(
        stderr(&out),
        "error: content/2024/11/28/moved.md:4: image `photo.jpg`: the site has no file at \
         /2024/11/28/moved-from-jekyll/photo.jpg; put the image beside the article (or in \
         static/), or fix the path (relative paths start at the article page's folder)\n\
         warning: content/2024/11/28/moved.md:8: `{% include note.html %}` looks like a template \
         tag (Liquid, Nunjucks or a Zola shortcode) from another generator; Gazette shows it as \
         text: replace it with Markdown or HTML (or put it in `code` to show it)\n\
         warning: content/2024/11/28/moved.md:10: `{{< youtube abc >}}` looks like a Hugo shortcode \
         from another generator; Gazette shows it as text: replace it with Markdown or HTML (or \
         put it in `code` to show it)\n"
    );
    assert!(
        stdout(&out).ends_with(": 1 error, 2 warnings\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn categories_become_a_taxonomy_and_other_keys_are_counted_once() {
    let site = TestSite::new(TOML);
    let front = |title: &str, extra: &str| format!("title: {title}\ndate: 2024-11-27\n{extra}");
    site.article(
        "a.md",
        &front(
            "A",
            "categories: [Release notes, Rust]\nlayout: post\ncomments: true",
        ),
        "x\n",
    );
    site.article(
        "b.md",
        &front("B", "categories: Release notes\nlayout: post"),
        "x\n",
    );
    site.article("c.md", &front("C", "layout: page"), "x\n");
    // Not configured: categories is one more key kept for templates.
    let out = site.run(&["check"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let note = "note: front-matter keys that are no Gazette field, kept for templates as \
                article.extra.<key>: ";
    assert!(
        stdout(&out).starts_with(&format!(
            "{note}layout (3 articles), categories (2 articles), comments (1 article)\nChecked 3 articles"
        )),
        "{}",
        stdout(&out)
    );
    site.write(
        "site.toml",
        format!("{TOML}\n[[taxonomies]]\nname = \"categories\"\n"),
    );
    let out = site.run(&["check"]);
    assert!(
        stdout(&out).starts_with(&format!(
            "{note}layout (3 articles), comments (1 article)\n"
        )),
        "{}",
        stdout(&out)
    );
    // A plain build says nothing about them; -v does.
    let plain = site.run(&["build"]);
    assert!(!format!("{}{}", stdout(&plain), stderr(&plain)).contains("front-matter keys"));
    let verbose = stderr(&site.run(&["-v", "build"]));
    assert!(
        verbose.contains(&format!(
            "{note}layout (3 articles), comments (1 article)\n"
        )),
        "{verbose}"
    );
    let doc = site.html("categories/release-notes/index.html");
    let titles = common::texts(&doc, "main h3 a");
    assert_eq!(titles, vec!["A", "B"], "the term page lists both articles");
    let index = site.html("categories/index.html");
    let terms = common::texts(&index, "main a");
    assert!(
        terms.iter().any(|t| t.starts_with("Release notes")),
        "{terms:?}"
    );
    assert!(terms.iter().any(|t| t.starts_with("Rust")), "{terms:?}");
}

#[test]
fn check_renders_every_template_and_reports_the_broken_one() {
    let site = linked_site();
    site.write(
        "templates/term.html",
        "{% extends \"base.html\" %}{% block content %}{{ term.name | upper }}\
         {{ page.no_such_thing.deeper }}{% endblock %}",
    );
    let out = site.run(&["check"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.starts_with("error: templates/term.html: rendering /tags/"),
        "{err}"
    );
    assert!(!site.public().exists());
}

#[test]
fn check_reports_front_matter_and_template_syntax_together() {
    let site = linked_site();
    site.article(
        "2024/11/28/bad.md",
        "title: [unclosed\ndate: 2024-11-28",
        "x\n",
    );
    site.write("templates/404.html", "{% if %}");
    let out = site.run(&["check"]);
    assert_eq!(code(&out), 1);
    let lines: Vec<String> = stderr(&out)
        .lines()
        .map(|l| l.split(':').take(3).collect::<Vec<_>>().join(":"))
        .collect();
    assert_eq!(
        lines,
        vec![
            "error: content/2024/11/28/bad.md:3",
            "error: templates/404.html:1"
        ],
        "{}",
        stderr(&out)
    );
}

// ---------------------------------------------------------------- check --external

/// A tiny HTTP server: `/ok` 200, `/missing` 404, `/no-head` 405 to HEAD and 200 to GET,
/// `/slow` answers after 4 s. Returns its `http://127.0.0.1:PORT`.
fn link_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    address
}

fn answer(mut stream: TcpStream) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header == "\r\n" => break,
            Ok(_) => {}
        }
    }
    let mut parts = request.split_whitespace();
    let method = parts.next().unwrap_or("");
    let path = parts.next().unwrap_or("");
    let status = match (method, path) {
        (_, "/ok") => "200 OK",
        ("HEAD", "/no-head") => "405 Method Not Allowed",
        ("GET", "/no-head") => "200 OK",
        (_, "/slow") => {
            std::thread::sleep(Duration::from_secs(4));
            "200 OK"
        }
        _ => "404 Not Found",
    };
    let body = if method == "HEAD" { "" } else { "body" };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: 4\r\nConnection: close\r\n\r\n{body}"
    );
}

#[test]
fn check_external_asks_every_url_once_and_prints_a_table() {
    let server = link_server();
    let site = TestSite::new(TOML);
    site.article(
        "2024/11/27/a.md",
        "title: A\ndate: 2024-11-27",
        &format!(
            "[ok]({server}/ok) [gone]({server}/missing)\n\n[again]({server}/ok) \
             [no head]({server}/no-head)\n\n[slow]({server}/slow)\n"
        ),
    );
    let out = site.run(&["check", "--external", "--timeout", "1"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let a = "content/2024/11/27/a.md";
    assert_eq!(
        stderr(&out),
        format!(
            "error: {a}:5: link to {server}/missing: 404\n\
             error: {a}:9: link to {server}/slow: timed out\n"
        )
    );
    let table: Vec<Vec<String>> = stdout(&out)
        .lines()
        .take(5)
        .map(|line| {
            line.split("  ")
                .filter(|c| !c.is_empty())
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect();
    let row =
        |url: &str, status: &str, from: &str| vec![url.to_string(), status.into(), from.into()];
    assert_eq!(
        table,
        vec![
            row("URL", "STATUS", "LINKED FROM"),
            row(&format!("{server}/missing"), "404", &format!("{a}:5")),
            row(&format!("{server}/no-head"), "200", &format!("{a}:7")),
            row(&format!("{server}/ok"), "200", &format!("{a}:5, {a}:7")),
            row(&format!("{server}/slow"), "timed out", &format!("{a}:9")),
        ]
    );
    assert!(
        stdout(&out).contains("4 external URLs (2 broken)"),
        "{}",
        stdout(&out)
    );
}

// ---------------------------------------------------------------- terminal output

/// A site whose build prints a warning (an article dated in the future), so there is output
/// that could be colored.
fn warning_site() -> TestSite {
    let site = linked_site();
    site.article(
        "2999/01/01/later.md",
        "title: Later\ndate: 2999-01-01",
        "x\n",
    );
    site
}

#[test]
fn quiet_prints_nothing_on_success_but_still_errors() {
    let site = warning_site();
    for args in [
        &["-q", "build"][..],
        &["build", "--quiet"],
        &["check", "-q"],
    ] {
        let out = site.run(args);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{args:?}");
        assert_eq!(stderr(&out), "", "{args:?}");
    }
    site.write("templates/index.html", "{% if %}");
    let out = site.run(&["-q", "build"]);
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).starts_with("error: templates/index.html:1:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn verbose_explains_stages_and_files() {
    let site = linked_site();
    let out = site.run(&["build", "-v"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    for stage in ["load", "plan", "theme", "render", "write"] {
        assert!(
            err.lines()
                .any(|l| l.trim_start().starts_with(stage) && l.ends_with(" ms")),
            "{stage} missing in {err}"
        );
    }
    assert!(err.contains("written   index.html\n"), "{err}");
    let out = site.run(&["build", "-v"]);
    assert!(stderr(&out).contains("0 written, "), "{}", stderr(&out));
    assert!(!stderr(&out).contains("written   "), "nothing new to list");
}

#[test]
fn colors_only_when_forced_and_never_with_no_color() {
    let site = warning_site();
    let forced = site
        .command(&["build"])
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(stderr(&forced).contains("\x1b["), "colors can be forced");

    let no_color = site
        .command(&["build"])
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert_eq!(code(&no_color), 0);
    assert!(stderr(&no_color).starts_with("warning: content/2999/01/01/later.md: dated"));
    assert!(!stderr(&no_color).contains('\x1b'), "NO_COLOR wins");
    assert!(!stdout(&no_color).contains('\x1b'));
}

#[test]
fn piped_output_has_no_colors_and_no_progress_bar() {
    let site = warning_site();
    for args in [&["build", "-v"][..], &["check", "-v"]] {
        let out = site
            .command(args)
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        for text in [stdout(&out), stderr(&out)] {
            assert!(!text.contains('\x1b'), "{args:?}: {text:?}");
            assert!(!text.contains('\r'), "{args:?}: {text:?}");
        }
    }
}

#[test]
fn global_flags_work_before_and_after_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = gazette_in(dir.path(), &["init", "s", "-q"])
        .output()
        .unwrap();
    assert_eq!(
        (code(&out), stdout(&out), stderr(&out)),
        (0, String::new(), String::new())
    );
    let site = dir.path().join("s");
    let out = gazette_in(&site, &["-v", "check"]).output().unwrap();
    assert_eq!(code(&out), 0);
    assert!(stderr(&out).contains("links"), "{}", stderr(&out));
    let out = gazette_in(&site, &["-q", "-v", "build"]).output().unwrap();
    assert_eq!(code(&out), 2, "-q and -v conflict");
    assert!(Path::new(&site).join("site.toml").is_file());
}
