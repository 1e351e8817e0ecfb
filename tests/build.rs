//! End-to-end builds of real sites in temp dirs: the pages the foundation promises, parsed.

mod common;

use common::{TestSite, attrs, texts};

fn toml(paginate: usize) -> String {
    format!(
        "title = \"Test Digest\"\nbase_url = \"https://example.org/\"\npaginate = {paginate}\ntimezone = \"UTC\"\n"
    )
}

/// Seven articles over four days, newest first: (path, title, date).
const ARTICLES: &[(&str, &str, &str)] = &[
    ("2024/11/29/g.md", "Seventh", "2024-11-29 08:00"),
    ("2024/11/28/f.md", "Sixth", "2024-11-28 18:00"),
    ("2024/11/28/e.md", "Fifth", "2024-11-28 09:00"),
    ("2024/11/27/d.md", "Fourth", "2024-11-27 23:59"),
    ("2024/11/27/c.md", "Third", "2024-11-27 12:00"),
    ("2024/11/27/b.md", "Second", "2024-11-27 00:00"),
    ("2024/10/01/a.md", "First", "2024-10-01"),
];

fn seven(paginate: usize) -> TestSite {
    let site = TestSite::new(&toml(paginate));
    for (path, title, date) in ARTICLES {
        site.article(
            path,
            &format!("title: {title}\ndate: {date}\ntags: [news]"),
            &format!("The {title} story.\n"),
        );
    }
    site
}

#[test]
fn seed_article_page_has_title_date_tags_and_headings() {
    let site = TestSite::sample();
    site.build_ok();
    let page_dir = std::fs::read_dir(site.public().join("2024/11/27"))
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.path().join("index.html").is_file())
        .expect("the seed article page");
    let rel = format!(
        "2024/11/27/{}/index.html",
        page_dir.file_name().to_string_lossy()
    );
    let doc = site.html(&rel);
    let h1 = texts(&doc, "h1");
    assert_eq!(h1.len(), 1);
    assert!(h1[0].contains("Imran Khan"), "{h1:?}");
    let times = attrs(&doc, "article time[datetime]", "datetime");
    assert!(
        times.iter().any(|t| t.starts_with("2024-11-27")),
        "{times:?}"
    );
    let h2 = texts(&doc, "h2");
    assert!(
        h2.contains(&"Midnight Repression Drama".to_string()),
        "{h2:?}"
    );
    assert!(
        h2.contains(&"PAKISTAN GOVERNMENT ALLEGES FOREIGN HAND IN PROTESTS".to_string()),
        "{h2:?}"
    );
    let tag_links = attrs(&doc, "a[rel~=tag]", "href");
    for tag in ["pakistan", "imran-khan", "pti", "protests", "islamabad"] {
        assert!(
            tag_links.contains(&format!("/tags/{tag}/")),
            "{tag} missing in {tag_links:?}"
        );
    }
    let body = texts(&doc, "article");
    assert!(body[0].contains("450 protesters were arrested"));
}

#[test]
fn home_pages_hold_every_article_once_in_date_order() {
    let site = seven(3);
    site.build_ok();
    let mut seen = Vec::new();
    for rel in ["index.html", "page/2/index.html", "page/3/index.html"] {
        let doc = site.html(rel);
        // Page 1's lead story first, then the digest's cards.
        seen.extend(texts(&doc, "main article .card-title a"));
    }
    let expected: Vec<String> = ARTICLES.iter().map(|a| a.1.to_string()).collect();
    assert_eq!(seen, expected);
    assert!(!site.public().join("page/4/index.html").exists());
    let redirect = site.read("page/1/index.html");
    assert!(redirect.contains("http-equiv=\"refresh\""), "{redirect}");
}

#[test]
fn home_groups_articles_by_day() {
    let site = seven(20);
    site.build_ok();
    let doc = site.html("index.html");
    // The newest story leads page 1; the digest of the other six follows, by day (the 29th
    // had only the lead).
    assert_eq!(texts(&doc, ".lead-story .card-title a"), ["Seventh"]);
    let days = attrs(&doc, "main section.day > h2 time[datetime]", "datetime");
    assert_eq!(days, vec!["2024-11-28", "2024-11-27", "2024-10-01"]);
    let sel = scraper::Selector::parse("main section.day").unwrap();
    let per_day: Vec<usize> = doc
        .select(&sel)
        .map(|s| {
            s.select(&scraper::Selector::parse("article").unwrap())
                .count()
        })
        .collect();
    assert_eq!(per_day, vec![2, 3, 1]);
    // Page 2 has no lead: every day of its articles has its section.
    let second = seven(3);
    second.build_ok();
    let page2 = second.html("page/2/index.html");
    assert!(texts(&page2, ".lead-story").is_empty());
    assert_eq!(
        attrs(&page2, "main section.day > h2 time[datetime]", "datetime"),
        vec!["2024-11-27"]
    );
}

#[test]
fn sitemap_lists_every_page() {
    let site = seven(3);
    site.build_ok();
    let xml = site.read("sitemap.xml");
    let doc = roxmltree_like(&xml);
    let mut locs: Vec<String> = doc;
    locs.sort();
    let mut pages: Vec<String> = site
        .files()
        .into_iter()
        // The 404 and search pages have nothing for crawlers to index.
        .filter(|f| f.ends_with(".html") && f != "404.html" && f != "search/index.html")
        .filter(|f| !site.read(f).contains("http-equiv=\"refresh\""))
        .map(|f| format!("https://example.org/{}", f.trim_end_matches("index.html")))
        .collect();
    pages.sort();
    assert_eq!(locs, pages);
    assert!(
        site.read("robots.txt")
            .contains("Sitemap: https://example.org/sitemap.xml")
    );
}

/// The `<loc>` values of a sitemap, read with an XML parser.
fn roxmltree_like(xml: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut locs = Vec::new();
    let mut in_loc = false;
    loop {
        match reader.read_event().expect("sitemap is well-formed XML") {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == "loc" => in_loc = true,
            quick_xml::events::Event::End(e) if e.name().as_ref() == "loc" => in_loc = false,
            quick_xml::events::Event::Text(t) if in_loc => locs.push(t.xml10_content().to_string()),
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    locs
}

#[test]
fn atom_feed_parses_with_absolute_links() {
    let site = seven(3);
    site.write(
        "site.toml",
        toml(3).replace("https://example.org/", "https://example.org/news/"),
    );
    site.build_ok();
    let feed = feed_rs::parser::parse(site.read("atom.xml").as_bytes()).expect("atom parses");
    assert_eq!(feed.entries.len(), 7);
    assert_eq!(feed.entries[0].title.as_ref().unwrap().content, "Seventh");
    for entry in &feed.entries {
        let href = &entry.links[0].href;
        assert!(href.starts_with("https://example.org/news/2024/"), "{href}");
    }
}

#[test]
fn bad_front_matter_fails_with_file_and_line_and_keeps_output() {
    let site = seven(3);
    site.build_ok();
    let before = site.snapshot();
    site.article("2024/11/30/bad.md", "title: Bad\ndate: yesterday", "x");
    site.article(
        "2024/11/30/worse.md",
        "title: [unclosed\ndate: 2024-11-30",
        "x",
    );
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("content/2024/11/30/bad.md:3: date:"),
        "{stderr}"
    );
    assert!(stderr.contains("content/2024/11/30/worse.md:"), "{stderr}");
    assert_eq!(
        site.snapshot(),
        before,
        "a failed build must not touch public/"
    );
}

#[test]
fn script_in_title_is_escaped_everywhere() {
    let site = TestSite::new(&toml(20));
    let title = "<script>alert(\"x\")</script> & friends";
    site.article(
        "2024/11/27/x.md",
        &format!("title: '{title}'\ndate: 2024-11-27\ntags: ['<b>tag</b>']\nsummary: '<img src=x onerror=alert(1)>'"),
        "Body.\n",
    );
    site.build_ok();
    let article = site.html("2024/11/27/script-alert-x-script-friends/index.html");
    assert_eq!(texts(&article, "h1"), vec![title.to_string()]);
    let script = scraper::Selector::parse("script").unwrap();
    for rel in [
        "index.html",
        "2024/11/27/script-alert-x-script-friends/index.html",
        "tags/index.html",
        "2024/11/27/index.html",
    ] {
        let doc = site.html(rel);
        for s in doc.select(&script) {
            assert_eq!(
                s.value().attr("type"),
                Some("application/ld+json"),
                "{rel} has a real script element"
            );
        }
        let img = scraper::Selector::parse("img[onerror]").unwrap();
        assert_eq!(doc.select(&img).count(), 0, "{rel}");
        let b = scraper::Selector::parse("b").unwrap();
        assert_eq!(doc.select(&b).count(), 0, "{rel}");
    }
    let feed = feed_rs::parser::parse(site.read("atom.xml").as_bytes()).unwrap();
    assert_eq!(feed.entries[0].title.as_ref().unwrap().content, title);
}

#[test]
fn unknown_site_toml_key_names_key_and_suggestion() {
    let site = TestSite::new("title = \"x\"\npaginat = 3\n");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("site.toml:2: unknown key `paginat`; did you mean `paginate`?"),
        "{stderr}"
    );
}

#[test]
fn cli_flags_output_base_url_and_drafts() {
    let site = seven(20);
    site.article(
        "2024/11/29/draft.md",
        "title: Secret draft\ndate: 2024-11-29\ndraft: true",
        "x",
    );
    let out = site.run(&[
        "build",
        "-o",
        "elsewhere",
        "--base-url",
        "https://news.example.com/sub",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let home = std::fs::read_to_string(site.root.join("elsewhere/index.html")).unwrap();
    let doc = scraper::Html::parse_document(&home);
    let links = attrs(&doc, "main article h3 a", "href");
    assert!(
        links.iter().all(|l| l.starts_with("/sub/2024/")),
        "{links:?}"
    );
    assert!(!links.iter().any(|l| l.contains("secret-draft")));
    assert!(!site.public().exists());

    let out = site.run(&["build", "--drafts"]);
    assert!(out.status.success());
    assert!(
        site.public()
            .join("2024/11/29/secret-draft/index.html")
            .is_file()
    );

    let other = tempfile::tempdir().unwrap();
    let out = common::TestSite::new("").run(&[
        "build",
        "--root",
        site.root.to_str().unwrap(),
        "-o",
        other.path().join("o").to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(other.path().join("o/index.html").is_file());
}

#[test]
fn non_empty_output_without_marker_is_refused_and_kept() {
    let site = seven(20);
    site.write("public/mine.txt", "not Gazette's");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("public"), "{stderr}");
    assert_eq!(site.files(), vec!["mine.txt".to_string()]);
}

#[test]
fn future_articles_are_left_out_with_a_warning() {
    let site = seven(20);
    site.article(
        "2999/01/01/f.md",
        "title: From the future\ndate: 2999-01-01",
        "x",
    );
    let out = site.run(&["build"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("content/2999/01/01/f.md") && stderr.contains("future"),
        "{stderr}"
    );
    assert!(!site.public().join("2999").exists());
}

#[test]
fn same_url_twice_names_both_files() {
    let site = seven(20);
    site.article(
        "2024/11/29/dup.md",
        "title: Seventh\ndate: 2024-11-29 10:00",
        "x",
    );
    let err = site.build().unwrap_err().to_string();
    assert!(err.contains("content/2024/11/29/dup.md"), "{err}");
    assert!(err.contains("content/2024/11/29/g.md"), "{err}");
}

#[test]
fn template_override_static_files_and_article_assets() {
    let site = seven(20);
    site.write(
        "templates/404.html",
        "<!doctype html><title>Lost</title><h1>Custom 404</h1>",
    );
    site.write("static/extra.txt", "hello");
    site.write("static/.nojekyll", "");
    site.write("content/2024/11/29/photo.jpg", [0xff, 0xd8, 0xff]);
    site.build_ok();
    assert_eq!(texts(&site.html("404.html"), "h1"), vec!["Custom 404"]);
    assert_eq!(site.read("extra.txt"), "hello");
    assert!(site.public().join(".nojekyll").is_file());
    // The stylesheet is published under a fingerprinted name (`style.<hash>.css`).
    assert!(
        site.files()
            .iter()
            .any(|f| f.starts_with("style.") && f.ends_with(".css") && f != "style.css")
    );
    assert_eq!(
        std::fs::read(site.public().join("2024/11/29/seventh/photo.jpg")).unwrap(),
        vec![0xff, 0xd8, 0xff]
    );
}

#[test]
fn unicode_titles_give_readable_slugs() {
    let site = TestSite::new(&toml(20));
    site.article(
        "2024/11/27/u.md",
        "title: عمران خان کی رہائی\ndate: 2024-11-27",
        "x",
    );
    site.article(
        "2024/11/27/c.md",
        "title: 巴基斯坦 抗议\ndate: 2024-11-27",
        "x",
    );
    site.article("2024/11/27/e.md", "title: '!!!'\ndate: 2024-11-27", "x");
    site.build_ok();
    assert!(
        site.public()
            .join("2024/11/27/عمران-خان-کی-رہائی/index.html")
            .is_file()
    );
    assert!(
        site.public()
            .join("2024/11/27/巴基斯坦-抗议/index.html")
            .is_file()
    );
    // A title without letters falls back to the file name.
    assert!(site.public().join("2024/11/27/e/index.html").is_file());
}

#[test]
fn permalink_pattern_and_timezone_place_articles() {
    let site = TestSite::new(
        "title = \"T\"\nbase_url = \"https://example.org/\"\ntimezone = \"Asia/Karachi\"\npermalink = \"/news/{year}/{slug}/\"\n",
    );
    // 21:30 UTC is 02:30 the next day in Karachi (+05:00).
    site.article("a.md", "title: Late\ndate: 2024-11-27T21:30:00Z", "x");
    site.build_ok();
    assert!(site.public().join("news/2024/late/index.html").is_file());
    let doc = site.html("news/2024/late/index.html");
    let times = attrs(&doc, "article time[datetime]", "datetime");
    assert!(
        times.contains(&"2024-11-28T02:30:00+05:00".to_string()),
        "{times:?}"
    );
    assert!(site.public().join("2024/11/28/index.html").is_file());
}

#[test]
fn article_page_renders_in_a_browser() {
    let site = TestSite::sample();
    site.build_ok();
    let base = common::browser::serve(&site.public());
    let Some(dom) = common::browser::dump_dom(&format!("{base}/")) else {
        return;
    };
    let doc = scraper::Html::parse_document(&dom);
    assert_eq!(texts(&doc, "h1").len(), 1);
    let first = attrs(&doc, "main article h3 a", "href");
    assert!(!first.is_empty(), "home shows article links");
    let dom = common::browser::dump_dom(&format!("{base}{}", first[0])).unwrap();
    let doc = scraper::Html::parse_document(&dom);
    assert_eq!(texts(&doc, "h1").len(), 1);
    assert!(!texts(&doc, "article p").is_empty());
}

/// A front-matter summary is Markdown: HTML where HTML goes (cards, Atom), plain text in meta
/// tags, JSON-LD, the JSON Feed and the search index; never the literal `**`.
#[test]
fn markdown_in_a_front_matter_summary_is_rendered() {
    let site = TestSite::new(&toml(20));
    site.article(
        "2024/11/27/floods.md",
        "title: Floods\ndate: 2024-11-27 09:00\nsummary: \"**Floods** cut *roads* in [Sindh](/tags/).\"",
        "The body.\n",
    );
    site.build_ok();
    let home = site.html("index.html");
    assert_eq!(texts(&home, ".summary strong"), ["Floods"]);
    assert_eq!(texts(&home, ".summary em"), ["roads"]);
    assert_eq!(attrs(&home, ".summary a", "href"), ["/tags/"]);
    let page = site.html("2024/11/27/floods/index.html");
    let plain = "Floods cut roads in Sindh.";
    assert_eq!(attrs(&page, "meta[name=description]", "content"), [plain]);
    let ld: serde_json::Value =
        serde_json::from_str(&texts(&page, "script[type='application/ld+json']")[0]).unwrap();
    assert_eq!(ld["description"], plain);
    let feed: serde_json::Value = serde_json::from_str(&site.read("feed.json")).unwrap();
    assert_eq!(feed["items"][0]["summary"], plain);
    let index = site.read("search-index.json");
    assert!(index.contains(plain) && !index.contains("**"), "{index}");
    let atom = feed_rs::parser::parse(site.read("atom.xml").as_bytes()).unwrap();
    let summary = scraper::Html::parse_fragment(&atom.entries[0].summary.as_ref().unwrap().content);
    assert_eq!(texts(&summary, "strong"), ["Floods"]);
    for rel in site.files() {
        let text = std::fs::read_to_string(site.public().join(&rel)).unwrap_or_default();
        assert!(!text.contains("**Floods**"), "{rel} shows the Markdown");
    }
}

/// Every site path the sample digest quotes (a code span or link target starting with `/`, or
/// a root file such as `atom.xml`) is a page or file of its build: a sample that tells readers
/// where things are must be right. Patterns (`/YYYY/MM/DD/slug/`) are not paths.
#[test]
fn every_site_path_quoted_in_the_sample_exists() {
    let site = TestSite::sample();
    site.build_ok();
    let mut quoted = Vec::new();
    for entry in walkdir::WalkDir::new(site.root.join("content")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let mut in_fence = false;
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                in_fence = !in_fence;
                continue;
            }
            if in_fence {
                continue;
            }
            let spans = line.split('`').skip(1).step_by(2);
            let targets = line.split("](").skip(1).filter_map(|t| t.split(')').next());
            for candidate in spans.chain(targets) {
                let root_file = !candidate.contains('/')
                    && candidate.starts_with(|c: char| c.is_ascii_alphanumeric())
                    && [".html", ".xml", ".txt", ".json"]
                        .iter()
                        .any(|ext| candidate.ends_with(ext));
                let path = candidate.starts_with('/')
                    && !candidate.contains(|c: char| c.is_ascii_uppercase() || "{} ".contains(c));
                if root_file || path {
                    quoted.push((entry.path().display().to_string(), candidate.to_string()));
                }
            }
        }
    }
    assert!(quoted.len() >= 6, "{quoted:?}");
    for (file, path) in quoted {
        let rel = path.trim_start_matches('/');
        let output = if rel.is_empty() || rel.ends_with('/') {
            site.public().join(rel).join("index.html")
        } else {
            site.public().join(rel)
        };
        assert!(
            output.is_file(),
            "{file} quotes {path}, which the build does not write"
        );
    }
}

/// A site of one article: it leads the front page, with no empty digest or rail below it; a
/// site of none says so.
#[test]
fn one_article_leads_alone_and_none_is_said() {
    let site = TestSite::new(&toml(20));
    site.build_ok();
    assert_eq!(
        texts(&site.html("index.html"), "main .empty"),
        ["Nothing published yet."]
    );
    site.article(
        "2024/11/27/only.md",
        "title: Only\ndate: 2024-11-27 09:00",
        "Body.\n",
    );
    site.build_ok();
    let home = site.html("index.html");
    assert_eq!(texts(&home, ".lead-story .card-title a"), ["Only"]);
    assert!(
        texts(&home, "main .empty").is_empty(),
        "an empty digest under the lead"
    );
    assert!(texts(&home, ".latest, section.day").is_empty());
}

/// Articles kept under other generators' Markdown extensions are articles, links to them
/// become page links, and `published: false` (Jekyll, Eleventy) keeps a post out like
/// `draft: true`.
#[test]
fn other_markdown_extensions_and_published_false() {
    let site = TestSite::new(&toml(20));
    site.article(
        "2024/11/25/jekyll.markdown",
        "title: From Jekyll\ndate: 2024-11-25 09:00",
        "See [the other](../26/other.mkd).\n",
    );
    site.article(
        "2024/11/26/other.mkd",
        "title: Other\ndate: 2024-11-26 09:00",
        "x\n",
    );
    site.article(
        "2024/11/27/caps.MKDN",
        "title: Caps\ndate: 2024-11-27 09:00",
        "x\n",
    );
    site.article(
        "2024/11/27/hidden.md",
        "title: Unpublished\ndate: 2024-11-27 10:00\npublished: false",
        "x\n",
    );
    site.article(
        "2024/11/27/shown.md",
        "title: Published\ndate: 2024-11-27 11:00\npublished: true",
        "x\n",
    );
    site.build_ok();
    for page in [
        "2024/11/25/from-jekyll/index.html",
        "2024/11/26/other/index.html",
        "2024/11/27/caps/index.html",
        "2024/11/27/published/index.html",
    ] {
        assert!(site.public().join(page).is_file(), "{page} missing");
    }
    assert!(!site.public().join("2024/11/27/unpublished").exists());
    let files = site.files();
    assert!(
        !files
            .iter()
            .any(|f| f.ends_with(".markdown") || f.ends_with(".mkd")),
        "a Markdown source was copied as an asset: {files:?}"
    );
    let jekyll = site.html("2024/11/25/from-jekyll/index.html");
    assert_eq!(
        attrs(&jekyll, ".content a", "href"),
        ["https://example.org/2024/11/26/other/"]
    );
    let out = site.run(&["build", "--drafts"]);
    assert!(out.status.success());
    assert!(
        site.public()
            .join("2024/11/27/unpublished/index.html")
            .is_file()
    );
    site.article(
        "2024/11/27/bad.md",
        "title: Bad\ndate: 2024-11-27 12:00\npublished: maybe",
        "x\n",
    );
    let out = site.run(&["build"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "content/2024/11/27/bad.md:4: published: expected true or false, found \"maybe\""
        ),
        "{err}"
    );
}

/// The redirect page at `file` (an output path): where its refresh and canonical point.
fn redirect_target(site: &TestSite, file: &str) -> (String, String) {
    let doc = site.html(file);
    let refresh = attrs(&doc, "meta[http-equiv=refresh]", "content");
    let canonical = attrs(&doc, "link[rel=canonical]", "href");
    assert_eq!(refresh.len(), 1, "{file}: no meta refresh");
    assert_eq!(attrs(&doc, "meta[name=robots]", "content"), vec!["noindex"]);
    let url = refresh[0].split_once("url=").map(|(_, u)| u.to_string());
    (url.unwrap_or_default(), canonical.concat())
}

#[test]
fn aliases_and_redirect_from_leave_a_redirect_at_every_old_address() {
    let site = TestSite::new(&toml(20));
    site.article(
        "2024/11/27/moved.md",
        "title: Moved story\ndate: 2024-11-27\naliases: [/2015/05/15/moved.html, /blog/moved]\n\
         redirect_from: /old/moved/index.html",
        "Body.\n",
    );
    site.article(
        "2024/11/28/other.md",
        "title: Other\ndate: 2024-11-28",
        "x\n",
    );
    site.build_ok();
    for file in [
        "2015/05/15/moved.html",
        "blog/moved/index.html",
        "old/moved/index.html",
    ] {
        assert_eq!(
            redirect_target(&site, file),
            (
                "/2024/11/27/moved-story/".to_string(),
                "https://example.org/2024/11/27/moved-story/".to_string()
            ),
            "{file}"
        );
    }
    let doc = site.html("2024/11/27/moved-story/index.html");
    assert_eq!(texts(&doc, "h1"), vec!["Moved story"]);
    let sitemap = site.read("sitemap.xml");
    let locs = roxmltree_like(&sitemap);
    assert!(locs.contains(&"https://example.org/2024/11/27/moved-story/".to_string()));
    assert!(
        !locs
            .iter()
            .any(|l| l.contains("moved.html") || l.contains("/blog/") || l.contains("/old/")),
        "an alias is in the sitemap: {locs:?}"
    );
}

#[test]
fn an_alias_that_is_another_page_or_unsafe_is_an_error_naming_the_file() {
    let site = TestSite::new(&toml(20));
    site.article(
        "2024/11/28/other.md",
        "title: Other\ndate: 2024-11-28",
        "x\n",
    );
    site.article(
        "2024/11/27/moved.md",
        "title: Moved\ndate: 2024-11-27\naliases: [/2024/11/28/other/]",
        "x\n",
    );
    let err = site.build().unwrap_err().to_string();
    assert!(
        err.contains(
            "content/2024/11/27/moved.md: alias /2024/11/28/other/ is also the URL of \
             content/2024/11/28/other.md, and a redirect there would replace it; remove or \
             change the alias"
        ),
        "{err}"
    );
    for (alias, message) in [
        (
            "/tags/",
            "alias /tags/ is also the URL of Gazette's own page /tags/",
        ),
        ("../../etc/x", "aliases: `../../etc/x` must start with `/`"),
        (
            "/a/../../etc/",
            "aliases: `/a/../../etc/` has an unsafe path segment `..`",
        ),
        (
            "https://old.example.org/x/",
            "aliases: `https://old.example.org/x/` is a URL",
        ),
    ] {
        site.article(
            "2024/11/27/moved.md",
            &format!("title: Moved\ndate: 2024-11-27\naliases: [\"{alias}\"]"),
            "x\n",
        );
        let err = site.build().unwrap_err().to_string();
        assert!(err.contains(message), "{alias}: {err}");
        assert!(!site.public().join("etc").exists());
    }
}

#[test]
fn html_permalinks_write_files_with_their_images_beside_them() {
    let site = TestSite::new(&format!(
        "{}permalink = \"/{{year}}/{{month}}/{{day}}/{{slug}}.html\"\n",
        toml(20)
    ));
    site.article(
        "2024/11/27/story/index.md",
        "title: Story\ndate: 2024-11-27\nimage: lead.jpg\naliases: [/2024/11/27/story/]",
        "![chart](chart.png) and [the other](../../28/other.md).\n",
    );
    site.write("content/2024/11/27/story/lead.jpg", "jpeg");
    site.write("content/2024/11/27/story/chart.png", "png");
    site.article(
        "2024/11/28/other.md",
        "title: Other\ndate: 2024-11-28",
        "x\n",
    );
    site.build_ok();
    let doc = site.html("2024/11/27/story.html");
    assert_eq!(texts(&doc, "h1"), vec!["Story"]);
    assert_eq!(
        attrs(&doc, "article img[alt=chart]", "src"),
        vec!["/2024/11/27/chart.png"]
    );
    assert!(attrs(&doc, "a", "href").contains(&"https://example.org/2024/11/28/other.html".into()));
    assert_eq!(
        attrs(&doc, "meta[property='og:image']", "content"),
        vec!["https://example.org/2024/11/27/lead.jpg"]
    );
    assert_eq!(site.read("2024/11/27/chart.png"), "png");
    assert_eq!(site.read("2024/11/27/lead.jpg"), "jpeg");
    assert_eq!(
        redirect_target(&site, "2024/11/27/story/index.html").0,
        "/2024/11/27/story.html"
    );
    let home = site.html("index.html");
    assert!(attrs(&home, "a", "href").contains(&"/2024/11/27/story.html".to_string()));
    let locs = roxmltree_like(&site.read("sitemap.xml"));
    assert!(locs.contains(&"https://example.org/2024/11/27/story.html".to_string()));
    assert!(common::broken_links_in(&site.public(), "https://example.org/").is_empty());
    let check = site.run(&["check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn files_beside_several_articles_are_named_once_per_folder() {
    let site = TestSite::new(&toml(20));
    site.article(
        "2024/11/27/a.md",
        "title: A\ndate: 2024-11-27",
        "![p](photo.jpg)\n",
    );
    site.article("2024/11/27/b.md", "title: B\ndate: 2024-11-27", "x\n");
    site.write("content/2024/11/27/photo.jpg", "jpeg");
    site.article(
        "2024/11/28/own/index.md",
        "title: Own\ndate: 2024-11-28",
        "x\n",
    );
    site.write("content/2024/11/28/own/chart.png", "png");
    for command in ["build", "check"] {
        let out = site.run(&[command]);
        assert!(out.status.success(), "{command}");
        let err = String::from_utf8_lossy(&out.stderr);
        let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
        assert_eq!(
            warnings,
            vec![
                "warning: content/2024/11/27: 1 file (photo.jpg) beside 2 articles (a.md, b.md) \
                 is copied next to each of their pages; give each file the folder of the one \
                 article that uses it (story/index.md beside it), or put it in static/ to \
                 publish it once"
            ],
            "{command}"
        );
    }
    // Still published as before: beside each page, so the relative image works.
    assert_eq!(site.read("2024/11/27/a/photo.jpg"), "jpeg");
    assert_eq!(site.read("2024/11/27/b/photo.jpg"), "jpeg");
    assert_eq!(site.read("2024/11/28/own/chart.png"), "png");
}
