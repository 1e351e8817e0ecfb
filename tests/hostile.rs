//! Bad content, faults and hostile input (issue 7), through the real `gazette` binary: every
//! problem is reported with its file and line in one run, the exit code is 1, and the previous
//! output is left byte-for-byte as it was.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{TestSite, attrs, texts};

const TOML: &str = "title = \"Hostile\"\nbase_url = \"https://example.org/\"\ntimezone = \"UTC\"\n";
const STOPPED: &str = "error: the build stopped; the previous output was left as it was\n";

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A site with one good article, built once by the binary; returns it and its output.
fn built_site(toml: &str) -> (TestSite, BTreeMap<PathBuf, Vec<u8>>) {
    let site = TestSite::new(toml);
    site.article(
        "2024/11/27/good.md",
        "title: Good\ndate: 2024-11-27",
        "A good story.\n",
    );
    build_ok(&site);
    let before = site.snapshot();
    assert!(before.contains_key(Path::new("index.html")));
    assert!(before.len() > 10, "{:?}", before.keys());
    (site, before)
}

fn build_ok(site: &TestSite) -> String {
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stderr(&out)
}

/// Runs the build, expects exit code 1 with exactly these problems, and an untouched output.
fn fails_with(site: &TestSite, before: &BTreeMap<PathBuf, Vec<u8>>, problems: &[String]) {
    let out = site.run(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let expected: String = problems.iter().map(|p| format!("error: {p}\n")).collect();
    let expected = format!("{expected}{STOPPED}");
    assert_eq!(err, expected);
    assert!(
        site.snapshot() == *before,
        "a failed build must leave the previous output byte-for-byte as it was"
    );
}

/// The classic "billion laughs": each level lists the one before nine times.
fn billion_laughs() -> String {
    let mut yaml = String::from("title: a\ndate: 2024-11-27\nl0: &l0 lol\n");
    for level in 1..=9 {
        let refs = vec![format!("*l{}", level - 1); 9].join(", ");
        yaml.push_str(&format!("l{level}: &l{level} [{refs}]\n"));
    }
    yaml
}

/// About 40 KB: a 20,000-item list and three levels of 33 aliases, 718 million values.
fn multiplying_aliases() -> String {
    let zeros = vec!["0"; 20_000].join(",");
    let mut yaml = format!("title: a\ndate: 2024-11-27\na0: &a0 [{zeros}]\n");
    for level in 1..=3 {
        let refs = vec![format!("*a{}", level - 1); 33].join(", ");
        yaml.push_str(&format!("a{level}: &a{level} [{refs}]\n"));
    }
    yaml
}

#[test]
fn every_kind_of_bad_content_is_reported_in_one_run() {
    let (site, before) = built_site(TOML);
    let fm = |rel: &str, yaml: &str| site.write(rel, format!("---\n{yaml}---\nBody.\n"));
    site.write("content/a/no-front-matter.md", "Just a story.\n");
    site.write(
        "content/b/unclosed.md",
        "---\ntitle: x\ndate: 2024-11-27\n\nBody.\n",
    );
    fm(
        "content/c/quote.md",
        "title: \"Floods in the north\ndate: 2024-11-27\n",
    );
    fm("content/d/tab.md", "title: a\n\tdate: 2024-11-27\n");
    fm(
        "content/e/indent.md",
        "tags:\n  - a\n - b\ntitle: a\ndate: 2024-11-27\n",
    );
    fm("content/f/yesterday.md", "title: a\ndate: yesterday\n");
    site.write("content/g/empty.md", "");
    let mut latin1 = b"---\ntitle: Caf".to_vec();
    latin1.push(0xE9); // "é" in Latin-1: not UTF-8
    latin1.extend_from_slice(b"\ndate: 2024-11-27\n---\n");
    site.write("content/h/latin1.md", latin1);
    fm("content/i/laughs.md", &billion_laughs());
    let multiply = multiplying_aliases();
    assert!(
        (40_000..45_000).contains(&multiply.len()),
        "{}",
        multiply.len()
    );
    fm("content/j/multiply.md", &multiply);
    let brackets = format!(
        "title: a\ndate: 2024-11-27\nx: {}\n",
        "[".repeat(200 * 1024)
    );
    fm("content/k/brackets.md", &brackets);
    std::fs::create_dir_all(site.root.join("content/l/folder.md")).unwrap();
    fm(
        "content/m/types.md",
        "title: [a]\ndate: 2024-11-27 25:00\ntags: {a: 1}\ndraft: maybe\n",
    );

    let expected_date = "expected YYYY-MM-DD, YYYY-MM-DD HH:MM or RFC 3339 \
                         (2024-11-27T21:30:00+05:00)";
    let expansion = format!(
        "front matter expands to more than {} values through its aliases (*name); write the \
         values out instead",
        gazette::content::front_matter::MAX_VALUES
    );
    fails_with(
        &site,
        &before,
        &[
            "content/a/no-front-matter.md:1: no front matter: an article starts with a --- line, \
             then at least title and date, then another --- line"
                .into(),
            "content/b/unclosed.md:1: front matter opened here is never closed by a --- line"
                .into(),
            "content/c/quote.md:4: invalid YAML: found unexpected end of stream at line 4 \
             column 1, while scanning a quoted scalar at line 2 column 8"
                .into(),
            "content/d/tab.md:3: this line is indented with a tab, and YAML cannot be indented \
             with tabs: indent it with spaces"
                .into(),
            "content/e/indent.md:4: invalid YAML: did not find expected key at line 4 column 2, \
             while parsing a block mapping"
                .into(),
            format!("content/f/yesterday.md:3: date: {expected_date}, found \"yesterday\""),
            "content/g/empty.md: empty file: an article starts with front matter between --- \
             lines, with at least title and date"
                .into(),
            "content/h/latin1.md:2: invalid UTF-8 at byte 14; save the file as UTF-8".into(),
            format!("content/i/laughs.md:1: {expansion}"),
            format!("content/j/multiply.md:1: {expansion}"),
            format!(
                "content/k/brackets.md:1: front matter is {} bytes, more than the limit of 64 \
                 KiB; put long text in the body",
                brackets.len()
            ),
            "content/l/folder.md: is a folder, but names ending in .md are for articles; rename \
             the folder"
                .into(),
            "content/m/types.md:2: title: expected a string, found a list".into(),
            "content/m/types.md:3: date: \"2024-11-27 25:00\" is not a real date and time".into(),
            "content/m/types.md:4: tags: expected a list of strings, found a mapping".into(),
            "content/m/types.md:5: draft: expected true or false, found \"maybe\"".into(),
        ],
    );
}

#[test]
fn odd_but_valid_content_is_accepted() {
    let site = TestSite::new(
        &format!("{TOML}timezone = \"+05:00\"\n").replace("timezone = \"UTC\"\n", ""),
    );
    let article = |rel: &str, title: &str, date: &str, extra: &str| {
        site.article(
            rel,
            &format!("title: {title}\ndate: {date}\n{extra}"),
            "Body.\n",
        );
    };
    article(
        "a.md",
        "Day only",
        "2024-11-27",
        "tags: \"floods, Weather ,, rescue\"",
    );
    article("b.md", "With time", "2024-11-27 21:30", "");
    article("c.md", "With seconds", "2024-11-27T21:30:45", "");
    article("d.md", "With offset", "2024-11-27T21:30:00-03:00", "");
    article("e.md", "In UTC", "2024-11-27T21:30:00Z", "");
    // A byte-order mark and Windows line ends, as some editors save.
    site.write(
        "content/f.md",
        "\u{feff}---\r\ntitle: Windows\r\ndate: 2024-11-26\r\n---\r\nFirst line\r\nsecond line\r\n",
    );
    build_ok(&site);
    let date = |slug: &str| {
        attrs(
            &site.html(&format!("{slug}/index.html")),
            "article time",
            "datetime",
        )[0]
        .clone()
    };
    assert_eq!(date("2024/11/27/day-only"), "2024-11-27T00:00:00+05:00");
    assert_eq!(date("2024/11/27/with-time"), "2024-11-27T21:30:00+05:00");
    assert_eq!(date("2024/11/27/with-seconds"), "2024-11-27T21:30:45+05:00");
    // 21:30 at -03:00 is 05:30 the next day at +05:00: the site's timezone places it.
    assert_eq!(date("2024/11/28/with-offset"), "2024-11-28T05:30:00+05:00");
    assert_eq!(date("2024/11/28/in-utc"), "2024-11-28T02:30:00+05:00");
    let doc = site.html("2024/11/27/day-only/index.html");
    assert_eq!(
        texts(&doc, "ul.tags a"),
        vec!["floods", "Weather", "rescue"]
    );
    for tag in ["floods", "weather", "rescue"] {
        assert!(
            site.public()
                .join(format!("tags/{tag}/index.html"))
                .is_file(),
            "{tag}"
        );
    }
    let windows = site.read("2024/11/26/windows/index.html");
    assert!(
        windows.contains("<p>First line\nsecond line</p>"),
        "{windows}"
    );
    assert!(!windows.contains('\r') && !windows.contains('\u{feff}'));
}

#[test]
fn a_ten_megabyte_article_is_built() {
    let site = TestSite::new(TOML);
    let paragraph = "The *council* met on **Tuesday** to discuss the [budget](https://example.org/b) \
                     and `roads`; residents said the plan \"ignores\" the north. ";
    let mut body = String::with_capacity(10 * 1024 * 1024 + 4096);
    let mut section = 0;
    while body.len() < 10 * 1024 * 1024 {
        if body.len() / 100_000 >= section {
            section += 1;
            body.push_str(&format!("## Section {section}\n\n"));
        }
        body.push_str(&paragraph.repeat(4));
        body.push_str("\n\n");
    }
    body.push_str("The very last line.\n");
    site.article("big.md", "title: Big\ndate: 2024-11-27", &body);
    build_ok(&site);
    let page = site.read("2024/11/27/big/index.html");
    assert!(page.len() > 10 * 1024 * 1024, "{}", page.len());
    assert!(page.contains("<p>The very last line.</p>"));
    assert!(page.contains(&format!(
        "<h2 id=\"section-{section}\">Section {section}</h2>"
    )));
}

#[test]
fn deeply_nested_markdown_does_not_overflow_the_stack() {
    // The real binary runs Markdown on rayon's worker threads and templates on the main
    // thread's stack; neither may recurse per level of nesting.
    let site = TestSite::new(TOML);
    let depth = 50_000;
    site.article(
        "quotes.md",
        "title: Quotes\ndate: 2024-11-27",
        &format!("{} deep\n", ">".repeat(depth)),
    );
    site.article(
        "lists.md",
        "title: Lists\ndate: 2024-11-27",
        &format!("{}deep\n", "- ".repeat(depth)),
    );
    let indented: String = (0..1_000)
        .map(|i| format!("{}- item {i}\n", "  ".repeat(i)))
        .collect();
    site.article(
        "indented.md",
        "title: Indented\ndate: 2024-11-27",
        &indented,
    );
    site.article(
        "inline.md",
        "title: Inline\ndate: 2024-11-27",
        &format!(
            "{}x{}\n\n{}x{}\n",
            "[".repeat(depth),
            "]".repeat(depth),
            "*".repeat(depth),
            "*".repeat(depth)
        ),
    );
    build_ok(&site);
    // Counted against another article page, which has the same theme chrome (a nav list).
    let count = |name: &str, tag: &str| {
        site.read(&format!("2024/11/27/{name}/index.html"))
            .matches(tag)
            .count()
    };
    assert_eq!(
        count("quotes", "<blockquote>") - count("inline", "<blockquote>"),
        depth
    );
    assert_eq!(count("lists", "<ul>") - count("inline", "<ul>"), depth);
    assert_eq!(count("indented", "<li>") - count("inline", "<li>"), 1_000);
    assert!(site.read("2024/11/27/inline/index.html").contains("x"));
}

/// Every file and folder under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut paths: Vec<String> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| {
            let e = e.unwrap();
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    paths.sort();
    paths
}

#[test]
fn hostile_slugs_stay_inside_the_output() {
    let site = TestSite::new(TOML);
    let slugs = [
        "../../../../tmp/escaped",
        "/etc/passwd",
        "..\\\\..\\\\windows",
        "a\\0b",
        "\\x01\\x1f\\x7f",
        "..",
        ".",
        "/",
        "%2e%2e%2f",
    ];
    for (i, slug) in slugs.iter().enumerate() {
        site.article(
            &format!("s{i}.md"),
            &format!("title: Story {i}\ndate: 2024-11-27\nslug: \"{slug}\""),
            "x",
        );
    }
    build_ok(&site);
    // Nothing was written beside the site, and nothing in it but the output.
    let outer = site.root.parent().unwrap();
    assert_eq!(
        tree(outer)
            .iter()
            .filter(|p| !p.starts_with("site/"))
            .collect::<Vec<_>>(),
        vec!["site"]
    );
    let mut top: Vec<String> = std::fs::read_dir(&site.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    // Besides the output, only the build cache's files (beside it, never inside it).
    assert_eq!(
        top,
        vec![
            ".public.gazette-cache",
            ".public.gazette-cache-articles",
            ".public.gazette-cache-related",
            ".public.gazette-cache-search",
            "content",
            "public",
            "site.toml",
            "themes"
        ]
    );
    let mut pages: Vec<String> = std::fs::read_dir(site.public().join("2024/11/27"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "index.html" && name != "page")
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        // Control characters (NUL too) are removed when the file is read, so `a\0b` is `ab`
        // and control characters alone leave nothing: the title gives the slug, as it does for
        // `..`, `.` and `/`.
        vec![
            "2e-2e-2f",
            "ab",
            "etc-passwd",
            "story-4",
            "story-5",
            "story-6",
            "story-7",
            "tmp-escaped",
            "windows"
        ]
    );
}

#[test]
fn unsafe_permalink_patterns_are_refused() {
    for (pattern, message) in [
        ("/../{slug}/", "`/../{slug}/` has an unsafe segment `..`"),
        (
            "/{year}/../../{slug}/",
            "`/{year}/../../{slug}/` has an unsafe segment `..`",
        ),
        (
            "/a\\\\b/{slug}/",
            "`/a\\b/{slug}/` has an unsafe segment `a\\b`",
        ),
        (
            "{slug}",
            "`{slug}` must start with `/` and end with `/` or `.html`, e.g. \
             `/{year}/{month}/{day}/{slug}/` or `/{year}/{month}/{day}/{slug}.html`",
        ),
    ] {
        let (site, before) = built_site(TOML);
        site.write("site.toml", format!("{TOML}permalink = \"{pattern}\"\n"));
        fails_with(
            &site,
            &before,
            &[format!("./site.toml:4: permalink: {message}")],
        );
    }
}

#[test]
fn two_articles_with_one_url_are_an_error_naming_both() {
    let (site, before) = built_site(TOML);
    site.article(
        "2024/11/27/a.md",
        "title: Floods in the north\ndate: 2024-11-27",
        "x",
    );
    site.article(
        "2024/11/27/b.md",
        "title: Floods\ndate: 2024-11-27 10:00\nslug: floods-in-the-north",
        "x",
    );
    // Letter case alone does not keep URLs apart on macOS and Windows hosts.
    site.article(
        "2024/11/27/Upper.md",
        "title: RIVERS RISE\ndate: 2024-11-27",
        "x",
    );
    site.article(
        "2024/11/27/lower.md",
        "title: rivers rise\ndate: 2024-11-27",
        "x",
    );
    fails_with(
        &site,
        &before,
        &[
            "content/2024/11/27/a.md: URL /2024/11/27/floods-in-the-north/ is also produced by \
             content/2024/11/27/b.md; give one of them a different `slug`"
                .into(),
            "content/2024/11/27/lower.md: URL /2024/11/27/rivers-rise/ is also produced by \
             content/2024/11/27/Upper.md; give one of them a different `slug`"
                .into(),
        ],
    );
}

#[test]
fn an_article_url_differing_from_a_page_only_in_case_is_an_error() {
    // Slugs are lowercase, but a permalink pattern may hold capitals.
    let toml = format!("{TOML}permalink = \"/Tags/{{slug}}/\"\n");
    let (site, before) = built_site(&toml);
    site.article(
        "floods.md",
        "title: Floods\ndate: 2024-11-27\ntags: [floods]",
        "x",
    );
    fails_with(
        &site,
        &before,
        &[
            "content/floods.md: URL /Tags/floods/ is also produced by Gazette's own page \
           /tags/floods/; give one of them a different `slug`"
                .into(),
        ],
    );
}

/// Text of the first element matching `selector`, exactly as parsed (no whitespace folding:
/// U+2028 is whitespace to Rust).
fn raw_text(doc: &scraper::Html, selector: &str) -> String {
    let sel = scraper::Selector::parse(selector).unwrap();
    let element = doc
        .select(&sel)
        .next()
        .unwrap_or_else(|| panic!("no {selector}"));
    element.text().collect()
}

/// Every HTML file of the output, parsed, with its path.
fn html_pages(site: &TestSite) -> Vec<(String, scraper::Html)> {
    site.files()
        .into_iter()
        .filter(|f| f.ends_with(".html"))
        .map(|f| {
            let doc = site.html(&f);
            (f, doc)
        })
        .collect()
}

/// No element that runs script of the content's making: `<script>` other than JSON-LD data or
/// the theme's own search script file (`/search.<hash>.js`, nothing inline), `on*` attributes,
/// or `javascript:` links.
fn assert_inert(rel: &str, doc: &scraper::Html) {
    let all = scraper::Selector::parse("*").unwrap();
    for element in doc.select(&all) {
        let e = element.value();
        if e.name() == "script" {
            let theme_file = e.attr("src").is_some_and(|src| {
                src.strip_prefix("/search.")
                    .and_then(|rest| rest.strip_suffix(".js"))
                    .is_some_and(|hash| {
                        hash.len() == 10 && hash.chars().all(|c| c.is_ascii_hexdigit())
                    })
            }) && element.text().all(str::is_empty);
            assert!(
                theme_file || e.attr("type") == Some("application/ld+json"),
                "{rel}: a live <script> {:?}",
                element.html()
            );
        }
        for (name, value) in e.attrs() {
            assert!(
                !name.starts_with("on"),
                "{rel}: <{} {name}={value:?}>",
                e.name()
            );
            let scheme: String = value
                .chars()
                .filter(|c| !c.is_whitespace())
                .take(11)
                .collect();
            assert!(
                !scheme.eq_ignore_ascii_case("javascript:"),
                "{rel}: {name}={value:?}"
            );
        }
    }
}

#[test]
fn hostile_values_are_escaped_in_every_output_format() {
    // Quotes, markup, a CDATA end, a JavaScript line separator and a control character.
    let nasty = "Q \"dq\" 'sq' <script>alert(1)</script> ]]> &amp; \u{2028} \u{7} end";
    // The same as a double-quoted string, which YAML and TOML write alike.
    let quoted = format!(
        "\"{}\"",
        nasty
            .replace('"', "\\\"")
            .replace('\u{2028}', "\\u2028")
            .replace('\u{7}', "\\u0007")
    );
    // The site's own strings differ from the article's, so page titles show both.
    let toml_quoted = quoted.replacen('"', "\"Site ", 1);
    // No page can show U+0007 (and XML 1.0 cannot carry it at all, even escaped): every
    // output drops it, from the site's strings as from the article's.
    let nasty = nasty.replace('\u{7}', "");
    let nasty = nasty.as_str();
    let site_nasty = format!("Site {nasty}");
    let nasty_xml = nasty.to_string();
    let site_nasty_xml = site_nasty.clone();
    // The summary is Markdown (with raw HTML shown as text): it reads back with the entity
    // decoded, and its plain text (meta tags, JSON, search) has its whitespace folded.
    let summary_shown = nasty.replace("&amp;", "&");
    let summary_text = "Q \"dq\" 'sq' <script>alert(1)</script> ]]> & end";
    let source_url = "https://example.org/report?a=1&b=\"<x>\"";
    let image = "https://example.org/lead.jpg?\"onerror=alert(1)";
    let site = TestSite::new(&format!(
        "title = {toml_quoted}\ndescription = {toml_quoted}\nauthor = {toml_quoted}\n\
         base_url = \"https://example.org/\"\ntimezone = \"UTC\"\n"
    ));
    site.article(
        "x.md",
        &format!(
            "title: {quoted}\ndate: 2024-11-27\nsummary: {quoted}\nauthor: {quoted}\n\
             source: {quoted}\nsource_url: '{source_url}'\nimage: '{image}'\n\
             image_caption: {quoted}\nimage_alt: {quoted}\ntags: [{quoted}]\nmood: {quoted}"
        ),
        "Body with <b>raw HTML</b>, a [bad link](javascript:alert(1)) and \
         <a href=\"https://example.org/\">a good one</a>.\n",
    );
    build_ok(&site);
    let files = site.files();
    let article_rel = files
        .iter()
        .find(|f| {
            f.starts_with("2024/11/27/")
                && f.ends_with("/index.html")
                && f.matches('/').count() == 4
        })
        .unwrap_or_else(|| panic!("{files:?}"))
        .clone();

    // HTML: text and attributes read back exactly, and nothing runs.
    for (rel, doc) in html_pages(&site) {
        assert_inert(&rel, &doc);
    }
    let doc = site.html(&article_rel);
    assert_eq!(raw_text(&doc, "h1"), nasty);
    assert_eq!(raw_text(&doc, "title"), format!("{nasty} · {site_nasty}"));
    assert_eq!(raw_text(&doc, ".tagline"), site_nasty);
    assert_eq!(raw_text(&doc, ".byline .authors"), nasty);
    assert_eq!(raw_text(&doc, ".source a"), nasty);
    assert_eq!(attrs(&doc, ".source a", "href"), vec![source_url]);
    assert_eq!(raw_text(&doc, "figcaption"), nasty);
    assert_eq!(attrs(&doc, "figure img", "alt"), vec![nasty]);
    assert_eq!(attrs(&doc, "figure img", "src"), vec![image]);
    // Tag names are shown with their spaces folded (tags differing in spacing are one tag).
    let tag = nasty.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(raw_text(&doc, "ul.tags a"), tag);
    assert_eq!(
        attrs(&doc, "meta[property='og:title']", "content"),
        vec![nasty]
    );
    assert_eq!(
        attrs(&doc, "meta[name=description]", "content"),
        vec![summary_text]
    );
    assert!(raw_text(&doc, ".site-footer").contains(&format!("{site_nasty} · {site_nasty}")));
    // The body keeps its raw HTML but loses the script link (its `#` made root-relative, as
    // every link of a body is, so summaries work on any page).
    assert_eq!(texts(&doc, ".content b"), vec!["raw HTML"]);
    assert_eq!(
        attrs(&doc, ".content a", "href"),
        vec![
            "/2024/11/27/q-dq-sq-script-alert-1-script-amp-end/#",
            "https://example.org/"
        ]
    );
    // JSON-LD: data that parses back to the same values, with nothing to close the element.
    let ld_text = raw_text(&doc, "script[type='application/ld+json']");
    assert!(!ld_text.contains(['<', '>']), "{ld_text}");
    let ld: serde_json::Value = serde_json::from_str(&ld_text).unwrap();
    assert_eq!(ld["headline"], nasty);
    assert_eq!(ld["description"], summary_text);
    assert_eq!(ld["author"][0]["name"], nasty);
    assert_eq!(ld["publisher"]["name"], site_nasty);
    assert_eq!(ld["image"], image);
    let home = site.html("index.html");
    assert_eq!(raw_text(&home, "title"), site_nasty);

    // XML: feeds and sitemap parse, with the exact values less what XML cannot hold.
    for rel in ["atom.xml", "rss.xml"] {
        let feed = feed_rs::parser::parse(site.read(rel).as_bytes())
            .unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(feed.title.unwrap().content, site_nasty_xml, "{rel}");
        let entry = &feed.entries[0];
        assert_eq!(entry.title.as_ref().unwrap().content, nasty_xml, "{rel}");
        // Summaries and bodies are HTML inside XML; escaped twice, they read back as HTML
        // that runs nothing. Atom's summary is the front-matter summary (RSS has only the body).
        let summary = scraper::Html::parse_fragment(&entry.summary.as_ref().unwrap().content);
        assert_inert(rel, &summary);
        if rel == "atom.xml" {
            assert_eq!(raw_text(&summary, "p"), summary_shown, "{rel}");
        }
        let body = entry.content.as_ref().and_then(|c| c.body.clone());
        let body = body.unwrap_or_else(|| entry.summary.as_ref().unwrap().content.clone());
        let body = scraper::Html::parse_fragment(&body);
        assert_inert(rel, &body);
        // Feed readers get absolute links; the neutralised one points at the article itself.
        let page = format!(
            "https://example.org/{}",
            article_rel.trim_end_matches("index.html")
        );
        assert_eq!(
            attrs(&body, "a", "href"),
            vec![format!("{page}#"), "https://example.org/".to_string()],
            "{rel}"
        );
        assert!(
            entry
                .links
                .iter()
                .any(|l| l.href.starts_with("https://example.org/2024/11/27/")),
            "{rel}"
        );
    }
    let atom = feed_rs::parser::parse(site.read("atom.xml").as_bytes()).unwrap();
    assert_eq!(
        atom.entries[0].authors[0].name.as_deref(),
        Some(nasty_xml.as_str())
    );
    for rel in files.iter().filter(|f| f.ends_with(".xml")) {
        let xml = site.read(rel);
        assert!(!xml.contains("<script>alert"), "{rel}");
        let mut reader = quick_xml::Reader::from_str(&xml);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{rel}: {e}"),
            }
        }
    }

    // JSON Feed: serialised data, exact values.
    let json: serde_json::Value = serde_json::from_str(&site.read("feed.json")).unwrap();
    assert_eq!(json["title"], site_nasty);
    assert_eq!(json["description"], site_nasty);
    assert_eq!(json["items"][0]["title"], nasty);
    assert_eq!(json["items"][0]["summary"], summary_text);
    assert_eq!(json["items"][0]["authors"][0]["name"], nasty);
    assert_eq!(json["items"][0]["tags"][0], tag);
    assert_eq!(json["items"][0]["image"], image);
    assert_eq!(json["items"][0]["external_url"], source_url);

    // Search index: serialised data the search script shows as text, exact values.
    let index: serde_json::Value = serde_json::from_str(&site.read("search-index.json")).unwrap();
    assert_eq!(index["docs"][0][1], nasty);
    assert_eq!(index["docs"][0][3], summary_text);
    assert_eq!(index["tags"][0][0], tag);
}

#[test]
fn script_urls_in_front_matter_are_refused() {
    let (site, before) = built_site(TOML);
    site.article(
        "x.md",
        "title: x\ndate: 2024-11-27\nsource_url: javascript:alert(1)\nimage: ' JaVaScRiPt:alert(1)'",
        "x",
    );
    fails_with(
        &site,
        &before,
        &[
            "content/x.md:4: source_url: expected an http(s) URL or a site path starting with /, \
             found \"javascript:alert(1)\""
                .into(),
            "content/x.md:5: image: a javascript: URL is not an image; use a file name or an \
             http(s) URL"
                .into(),
        ],
    );
}

#[test]
fn raw_html_can_be_switched_off_in_site_toml() {
    let body = "<script>alert(1)</script>\n\nText with <b onclick=\"x()\">bold</b> and a \
                [link](javascript:alert(1)).\n";
    let site = TestSite::new(TOML);
    site.article("x.md", "title: Raw\ndate: 2024-11-27", body);
    build_ok(&site);
    let doc = site.html("2024/11/27/raw/index.html");
    assert_eq!(
        attrs(&doc, ".content b", "onclick"),
        vec!["x()"],
        "raw HTML is kept by default"
    );
    assert_eq!(attrs(&doc, ".content a", "href"), vec!["/2024/11/27/raw/#"]);

    site.write("site.toml", format!("{TOML}raw_html = false\n"));
    build_ok(&site);
    let doc = site.html("2024/11/27/raw/index.html");
    assert_inert("raw", &doc);
    assert_eq!(texts(&doc, ".content b"), Vec::<String>::new());
    assert_eq!(
        texts(&doc, ".content p"),
        vec![
            "<script>alert(1)</script>",
            "Text with <b onclick=\"x()\">bold</b> and a link."
        ]
    );
    assert_eq!(attrs(&doc, ".content a", "href"), vec!["/2024/11/27/raw/#"]);

    // The setting reaches the second load phase, where links to other articles' `.md` files
    // are rewritten: both apply to the same body.
    site.article(
        "y.md",
        "title: Other\ndate: 2024-11-26",
        "See [raw](x.md) and <i>this</i>.\n",
    );
    build_ok(&site);
    let doc = site.html("2024/11/26/other/index.html");
    assert_eq!(
        attrs(&doc, ".content a", "href"),
        vec!["https://example.org/2024/11/27/raw/"]
    );
    assert_eq!(texts(&doc, ".content i"), Vec::<String>::new());
    assert_eq!(texts(&doc, ".content p"), vec!["See raw and <i>this</i>."]);
}

#[cfg(unix)]
#[test]
fn links_in_content_are_followed_only_inside_the_site() {
    use std::os::unix::fs::symlink;
    let (site, _) = built_site(TOML);
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.md");
    std::fs::write(
        &secret,
        "---\ntitle: Secret\ndate: 2024-11-27\n---\nPrivate.\n",
    )
    .unwrap();
    site.article(
        "../shared/wire.md",
        "title: Wire story\ndate: 2024-11-27",
        "From the wire.\n",
    );
    site.write("shared/photo.jpg", "JPEG");
    let content = site.root.join("content");
    std::fs::create_dir_all(content.join("2024/11/27")).unwrap();
    symlink(
        site.root.join("shared/wire.md"),
        content.join("2024/11/27/wire.md"),
    )
    .unwrap();
    symlink(
        site.root.join("shared/photo.jpg"),
        content.join("2024/11/27/photo.jpg"),
    )
    .unwrap();
    symlink(&secret, content.join("secret.md")).unwrap();
    symlink("/etc", content.join("etc")).unwrap();
    symlink(&content, content.join("2024/loop")).unwrap();
    symlink("missing.md", content.join("broken.md")).unwrap();

    let warnings = build_ok(&site);
    let secret = std::fs::canonicalize(&secret).unwrap();
    let expected = format!(
        "warning: content/2024/11/27: 1 file (photo.jpg) beside 2 articles (good.md, wire.md) \
         is copied next to each of their pages; give each file the folder of the one article \
         that uses it (story/index.md beside it), or put it in static/ to publish it once\n\
         warning: content/2024/loop: link loops back to content; skipped\n\
         warning: content/broken.md: link points to nothing (broken link); skipped\n\
         warning: content/etc: link to /etc points outside the site; skipped (put the file \
         itself in the site)\n\
         warning: content/secret.md: link to {} points outside the site; skipped (put the \
         file itself in the site)\n",
        secret.display()
    );
    assert_eq!(warnings, expected);
    // `check` loads the same way and reports the same skipped links, as warnings only.
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), expected);
    let doc = site.html("2024/11/27/wire-story/index.html");
    assert_eq!(texts(&doc, "h1"), vec!["Wire story"]);
    // The shared photo sits beside each article page of the folder holding the link.
    assert_eq!(site.read("2024/11/27/wire-story/photo.jpg"), "JPEG");
    assert_eq!(site.read("2024/11/27/good/photo.jpg"), "JPEG");
    let files = site.files();
    assert!(
        !files
            .iter()
            .any(|f| f.contains("secret") || f.contains("passwd")),
        "{files:?}"
    );
}

#[cfg(unix)]
#[test]
fn odd_files_in_content_are_errors_with_their_path() {
    use std::os::unix::fs::PermissionsExt;
    let (site, before) = built_site(TOML);
    let fifo = site.root.join("content/pipe.md");
    rustix::fs::mknodat(
        rustix::fs::CWD,
        &fifo,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o644),
        0,
    )
    .unwrap();
    site.article("locked.md", "title: Locked\ndate: 2024-11-27", "x");
    site.article("shut/inner.md", "title: Inner\ndate: 2024-11-27", "x");
    let locked = site.root.join("content/locked.md");
    let shut = site.root.join("content/shut");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(&shut, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads whatever the permissions say, so the unreadable cases can only be checked as
    // an ordinary user (`cargo test` in CI may run as root); the FIFO is checked either way.
    let privileged = std::fs::read(&locked).is_ok();
    let mut problems = vec![];
    if !privileged {
        problems
            .push("content/locked.md: cannot read: Permission denied (os error 13)".to_string());
    }
    problems.push("content/pipe.md: is not a regular file".to_string());
    if !privileged {
        problems.push("content/shut: cannot read: Permission denied (os error 13)".to_string());
    }
    fails_with(&site, &before, &problems);
    std::fs::set_permissions(&shut, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn output_that_cannot_be_written_is_an_error_with_its_path() {
    let (site, before) = built_site(TOML);
    for (output, message) in [
        // /proc refuses new entries even to root.
        (
            "/proc/gazette-out",
            "/proc/.gazette-out.gazette-staging: No such file or directory (os error 2)",
        ),
        (
            "site.toml/public",
            "site.toml/public: Not a directory (os error 20)",
        ),
    ] {
        let out = site.run(&["build", "--output", output]);
        assert_eq!(out.status.code(), Some(1), "{output}");
        assert_eq!(stderr(&out), format!("error: {message}\n{STOPPED}"));
    }
    assert!(site.snapshot() == before);
}

#[cfg(unix)]
#[test]
fn a_read_only_output_folder_is_an_error_not_a_panic() {
    use std::os::unix::fs::PermissionsExt;
    let (site, before) = built_site(TOML);
    site.article("new.md", "title: New\ndate: 2024-11-27", "x");
    // The staging folder goes beside the output, so a read-only site root stops the build.
    std::fs::set_permissions(&site.root, std::fs::Permissions::from_mode(0o555)).unwrap();
    let probe = site.root.join(".probe");
    let privileged = std::fs::write(&probe, "").is_ok();
    let out = site.run(&["build"]);
    std::fs::set_permissions(&site.root, std::fs::Permissions::from_mode(0o755)).unwrap();
    if privileged {
        // Root writes anyway: nothing to check but that the build went through.
        let _ = std::fs::remove_file(&probe);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        return;
    }
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "error: {}: Permission denied (os error 13)\n{STOPPED}",
            std::fs::canonicalize(&site.root)
                .unwrap()
                .join(".public.gazette-staging")
                .display()
        )
    );
    assert!(site.snapshot() == before);
}

#[cfg(unix)]
#[test]
fn a_build_killed_half_way_leaves_the_previous_site_and_is_cleaned_up_next_time() {
    use std::os::unix::process::ExitStatusExt;
    use std::time::{Duration, Instant};
    // Big enough that writing the staging folder takes a visible moment (490 pages, 13 MB),
    // small enough that a debug build, which indexes every body word for search and shows every
    // first paragraph on list pages, takes seconds: 20 KB bodies of short paragraphs.
    let site = TestSite::new("title = \"First\"\n");
    let body = ("Words of the story. ".repeat(50) + "\n\n").repeat(20);
    for i in 0..250 {
        site.article(
            &format!("2024/{:02}/{:02}/a{i}.md", 1 + i % 12, 1 + i % 28),
            &format!(
                "title: Story {i}\ndate: 2024-{:02}-{:02}",
                1 + i % 12,
                1 + i % 28
            ),
            &body,
        );
    }
    build_ok(&site);
    let before = site.snapshot();
    // A new title changes every page, so the next build rewrites them all.
    site.write("site.toml", "title = \"Second\"\n");
    let staging = site.root.join(".public.gazette-staging");
    assert!(!staging.exists());

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gazette"))
        .arg("build")
        .current_dir(&site.root)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    // Kill it (SIGKILL) as soon as pages are landing in the staging folder.
    loop {
        let landing = std::fs::read_dir(&staging).map(|d| d.count()).unwrap_or(0);
        if landing >= 2 {
            child.kill().unwrap();
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build ended before it could be killed"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no staging folder appeared"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "{status:?}");
    assert!(staging.is_dir(), "the killed build left its staging folder");
    assert!(
        site.snapshot() == before,
        "the previous site must be intact, byte for byte"
    );

    // The next build clears the stale staging folder and completes.
    build_ok(&site);
    assert!(!staging.exists());
    let mut names: Vec<String> = std::fs::read_dir(&site.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    names.sort();
    // No staging or old folder is left: only the build cache's files.
    assert_eq!(
        names,
        vec![
            ".public.gazette-cache",
            ".public.gazette-cache-articles",
            ".public.gazette-cache-related",
            ".public.gazette-cache-search"
        ]
    );
    assert_eq!(
        texts(&site.html("index.html"), ".site-title"),
        vec!["Second"]
    );
}

#[test]
fn template_syntax_errors_name_the_file_line_and_column() {
    let (site, before) = built_site(TOML);
    let terms = site.root.join("themes/default/templates/terms.html");
    std::fs::write(&terms, "{% extends \"base.html\" %}\n{% block content %}{% for t in %}{% endfor %}\n{% endblock content %}\n").unwrap();
    site.write(
        "templates/article.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ article.title }</h1>\n{% endblock content %}\n",
    );
    fails_with(
        &site,
        &before,
        &[
            "templates/article.html:3: column 22: Found `}` but expected }}.".into(),
            "themes/default/templates/terms.html:2: column 32: Found `%}` but expected one of: \
             integer, float, string, bool, ident, `-`, `not`, `<`, `{`, `[` or `(`"
                .into(),
        ],
    );
}

/// Runs a build that must fail on a template: exit code 1, untouched output, and an error whose
/// lines include each of `parts` (the list of available names after them is Tera's and may
/// grow with the theme's views, so it is not pinned).
fn fails_in_template(site: &TestSite, before: &BTreeMap<PathBuf, Vec<u8>>, parts: &[String]) {
    let out = site.run(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for part in parts {
        assert!(err.contains(part.as_str()), "{part:?} not in:\n{err}");
    }
    assert!(err.ends_with(STOPPED), "{err}");
    assert!(site.snapshot() == *before);
}

#[test]
fn undefined_variables_in_templates_name_the_file_line_and_column() {
    let (site, before) = built_site(TOML);
    site.write(
        "templates/article.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ article.title }}</h1>\n  <p>{{ nope }}</p>\n{% endblock content %}\n",
    );
    fails_in_template(
        &site,
        &before,
        &[
            "error: template article.html (rendering /2024/11/27/good/): error: Variable `nope` \
             is not defined."
                .into(),
            " --> article.html:4:9\n  |\n4 |   <p>{{ nope }}</p>\n  |         ^^^^\n".into(),
            "\n(template file: templates/article.html)\n".into(),
        ],
    );

    // In a theme template that the page's template extends.
    std::fs::remove_file(site.root.join("templates/article.html")).unwrap();
    let base = site.root.join("themes/default/templates/base.html");
    let text = std::fs::read_to_string(&base).unwrap();
    let main = "<main id=\"main\" class=\"wrap\">";
    let line = 1 + text.lines().position(|l| l.contains(main)).unwrap();
    let column = 1 + text.lines().nth(line - 1).unwrap().find(main).unwrap() + main.len() + 8;
    std::fs::write(
        &base,
        text.replace(main, &format!("{main}{{{{ page.missing }}}}")),
    )
    .unwrap();
    fails_in_template(
        &site,
        &before,
        &[
            "error: template article.html (rendering /2024/11/27/good/): error: Field `missing` \
             is not defined."
                .into(),
            format!("--> base.html:{line}:{column}\n"),
            "\n(template file: themes/default/templates/base.html)\n".into(),
        ],
    );
}

/// Property tests: whatever a slug, title or site path holds, the output path stays inside.
mod properties {
    use std::path::{Component, Path};

    use chrono::{DateTime, FixedOffset};
    use gazette::slug::{is_safe_segment, slug_or_fallback, slugify};
    use gazette::urls::{output_file, permalink, validate_permalink};
    use proptest::prelude::*;

    /// Strings built from the pieces path attacks are made of, mixed with arbitrary text.
    fn hostile() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("..".to_string()),
            Just(".".to_string()),
            Just("/".to_string()),
            Just("\\".to_string()),
            Just("\0".to_string()),
            Just("%2e%2e%2f".to_string()),
            Just("C:".to_string()),
            Just(" ".to_string()),
            Just("\u{202e}".to_string()),
            Just("\u{200b}".to_string()),
            Just("~".to_string()),
            any::<char>().prop_map(String::from),
            "[a-zA-Z0-9]{1,4}",
            "\\PC{1,3}",
            "[\\x00-\\x1f\\x7f]",
        ];
        prop::collection::vec(piece, 0..16).prop_map(|pieces| pieces.concat())
    }

    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![hostile(), any::<String>()]
    }

    /// A relative path of plain names: joined to any folder, it stays inside it.
    fn assert_inside(rel: &str) {
        assert!(!rel.is_empty());
        assert!(!rel.contains(['\\', '\0']), "{rel:?}");
        let path = Path::new(rel);
        assert!(path.is_relative(), "{rel:?}");
        for component in path.components() {
            assert!(
                matches!(component, Component::Normal(_)),
                "{rel:?}: {component:?}"
            );
        }
        for segment in rel.split('/') {
            assert!(is_safe_segment(segment), "{rel:?}: {segment:?}");
        }
        let out = Path::new("/srv/site/public");
        assert!(out.join(path).starts_with(out));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        #[test]
        fn slugify_gives_a_safe_segment_or_nothing(text in any_text()) {
            let slug = slugify(&text);
            prop_assert!(slug.is_empty() || is_safe_segment(&slug), "{text:?} -> {slug:?}");
            prop_assert!(!slug.contains(['.', '/', '\\']), "{text:?} -> {slug:?}");
            prop_assert!(!slug.chars().any(char::is_control), "{text:?} -> {slug:?}");
            prop_assert_eq!(slugify(&slug), slug.clone(), "slugify is idempotent");
        }

        #[test]
        fn slug_or_fallback_is_always_safe(text in any_text(), seed in any_text()) {
            let slug = slug_or_fallback(&text, &seed);
            prop_assert!(is_safe_segment(&slug), "{text:?} / {seed:?} -> {slug:?}");
            assert_inside(&slug);
        }

        #[test]
        fn output_file_refuses_or_stays_inside(path in any_text()) {
            if let Ok(rel) = output_file(&path) {
                assert_inside(&rel);
            }
        }

        #[test]
        fn output_file_of_slash_joined_text_refuses_or_stays_inside(
            segments in prop::collection::vec(hostile(), 0..5),
            trailing in any::<bool>(),
        ) {
            let mut path = format!("/{}", segments.join("/"));
            if trailing {
                path.push('/');
            }
            if let Ok(rel) = output_file(&path) {
                assert_inside(&rel);
            }
        }

        #[test]
        fn permalinks_with_any_slug_stay_inside(
            slug in any_text(),
            seconds in -62_000_000_000i64..250_000_000_000,
            offset in -86_399i32..86_399,
            pattern in prop_oneof![
                Just("/{year}/{month}/{day}/{slug}/"),
                Just("/{slug}/"),
                Just("/news/{year}/{slug}-story/"),
                Just("/{year}-{month}-{day}-{slug}/"),
            ],
        ) {
            prop_assert!(validate_permalink(pattern).is_ok());
            let offset = FixedOffset::east_opt(offset).unwrap();
            let date = DateTime::from_timestamp(seconds, 0).unwrap().with_timezone(&offset);
            // Whatever reaches the pattern, the one door refuses or keeps it inside...
            if let Ok(rel) = output_file(&permalink(pattern, &date, &slug)) {
                assert_inside(&rel);
            }
            // ...and what the loader puts there (a safe slug) always gets through.
            let safe = slug_or_fallback(&slug, "x");
            let rel = output_file(&permalink(pattern, &date, &safe));
            prop_assert!(rel.is_ok(), "{pattern} {date} {safe:?}: {rel:?}");
            assert_inside(&rel.unwrap());
        }
    }
}

/// Control characters and noncharacters, typed into the file or written as YAML escapes, reach
/// no output file: not the article page, its `<title>` and meta tags, the lists, the feeds,
/// nor the search index. The words around them stay.
#[test]
fn control_characters_reach_no_output() {
    let site = TestSite::new("title = \"Controls\"\nbase_url = \"https://example.org/\"\n");
    site.write(
        "content/2024/11/27/controls.md",
        "---\ntitle: \"Control\\x1dchars\\x10in\\0title\"\ndate: 2024-11-27 09:00\n\
         tags: [\"ta\\x01g\"]\nsummary: \"Sum\\x7fmary\\uFFFE here\"\nauthor: \"Ann\\x02 Lee\"\n---\n\
         Body\u{1} with\u{1f} bells\u{7} and a \u{fffe}nonchar.\n\n```\ncode\u{0}here\n```\n",
    );
    site.build_ok();
    let bad = |c: char| {
        matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
            || (c as u32 & 0xfffe) == 0xfffe
    };
    let files = site.files();
    assert!(files.len() > 10, "{files:?}");
    for rel in &files {
        let bytes = std::fs::read(site.public().join(rel)).unwrap();
        if let Ok(text) = String::from_utf8(bytes) {
            let found: Vec<char> = text.chars().filter(|&c| bad(c)).collect();
            assert!(found.is_empty(), "{rel} holds {found:?}");
        }
    }
    let page = site.html("2024/11/27/controlcharsintitle/index.html");
    assert_eq!(texts(&page, "h1"), ["Controlcharsintitle"]);
    assert_eq!(texts(&page, "title")[0], "Controlcharsintitle · Controls");
    assert_eq!(
        attrs(&page, "meta[property='og:title']", "content"),
        ["Controlcharsintitle"]
    );
    let body = texts(&page, ".content p").join(" ");
    assert!(body.contains("Body with bells and a nonchar."), "{body}");
    assert_eq!(texts(&page, ".content pre code"), ["codehere"]);
    let index: serde_json::Value = serde_json::from_str(&site.read("search-index.json")).unwrap();
    let text = index.to_string();
    assert!(text.contains("Controlcharsintitle"), "{text}");
    assert!(text.contains("Summary here"), "{text}");
    let home = site.html("index.html");
    assert!(
        texts(&home, "a").iter().any(|t| t == "Controlcharsintitle"),
        "{:?}",
        texts(&home, "a")
    );
}

/// A link in `static/` that leads out of it is named in a warning (by `build` and `check`),
/// like one in `content/`, and never published; editor leftovers beside an article or in
/// `static/` are not published at all.
#[test]
fn skipped_static_links_are_named_and_editor_leftovers_stay_home() {
    let site = TestSite::new(TOML);
    site.article(
        "2024/11/27/protest.md",
        "title: Protest\ndate: 2024-11-27",
        "The march.\n",
    );
    site.write(
        "content/2024/11/27/protest.md~",
        "---\ntitle: old\n---\nold draft\n",
    );
    site.write("content/2024/11/27/#protest.md#", "autosave");
    site.write("content/2024/11/27/photo.jpg", "jpeg");
    site.write("static/robots-extra.txt~", "backup");
    site.write("static/keep.txt", "kept");
    let secret = site.root.parent().unwrap().join("secret.txt");
    std::fs::write(&secret, "not for the web").unwrap();
    std::os::unix::fs::symlink(&secret, site.root.join("static/leak.txt")).unwrap();
    // A linked template is named too (templates are read from files only).
    site.write("shared.html", "<p>shared</p>");
    site.write("templates/.keep", "");
    std::os::unix::fs::symlink(
        site.root.join("shared.html"),
        site.root.join("templates/extra.html"),
    )
    .unwrap();

    let err = build_ok(&site);
    let secret = std::fs::canonicalize(&secret).unwrap();
    let warning = format!(
        "warning: templates/extra.html: is a link; skipped (templates are read from files: put \
         the template itself here)\n\
         warning: static/leak.txt: link to {} points outside its static folder; skipped (put \
         the file itself in the folder)\n",
        secret.display()
    );
    assert_eq!(err, warning);
    let files = site.files();
    assert!(files.contains(&"keep.txt".to_string()), "{files:?}");
    assert!(
        files.contains(&"2024/11/27/protest/photo.jpg".to_string()),
        "{files:?}"
    );
    for file in &files {
        assert!(
            !file.ends_with('~') && !file.contains('#') && !file.ends_with("leak.txt"),
            "{file} published"
        );
    }
    let check = site.run(&["check"]);
    assert!(stderr(&check).contains(&warning), "{}", stderr(&check));
}
