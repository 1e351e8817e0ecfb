//! Search without a server: the index the build writes, and the search page driven in headless
//! Chromium (a reader types queries and sees the right articles, best first).

mod common;

use common::{TestSite, attrs};

/// Five articles where one word family (`falcon...`) sits in a different field of each, dated
/// so that the newest has the weakest match: ranking must beat date order.
fn falcons() -> TestSite {
    let site = TestSite::new(
        "title = \"Bird News\"\nbase_url = \"https://example.org/news/\"\ntimezone = \"UTC\"\n",
    );
    site.article(
        "2024/11/01/title.md",
        "title: Falcon lands on the tower\ndate: 2024-11-01 09:00\ntags: [city]\nsummary: A bird on a roof.",
        "Crowds gathered below. Full report.\n",
    );
    site.article(
        "2024/11/02/tag.md",
        "title: Birds of the coast\ndate: 2024-11-02 09:00\ntags: [falconry, coast]\nsummary: Gulls and terns.",
        "Waders too. Report follows.\n",
    );
    site.article(
        "2024/11/03/summary.md",
        "title: Morning count\ndate: 2024-11-03 09:00\ntags: [survey]\nsummary: Two falcons and a heron.",
        "The count ran late, says the report.\n",
    );
    site.article(
        "2024/11/04/body.md",
        "title: Club meeting\ndate: 2024-11-04 09:00\ntags: [club]\nsummary: Notes from the meeting.",
        "The club heard from a falconer about training.\n",
    );
    site.article(
        "2024/11/05/other.md",
        "title: Weather week\ndate: 2024-11-05 09:00\ntags: [weather]\nsummary: Rain all week.",
        "Nothing about birds of prey. Report ends.\n",
    );
    site.article(
        "2024/11/06/urdu.md",
        "title: عمران خان کی ریلی\ndate: 2024-11-06 09:00\ntags: [پاکستان]\nsummary: اسلام آباد میں ریلی۔",
        "ریلی ختم ہو گئی۔\n",
    );
    site
}

/// The search index a build under `/news/` wrote, parsed.
fn index_of(www: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(www.join("news/search-index.json")).unwrap()).unwrap()
}

/// `search.mjs` typing `queries` on the site served at `origin` under `/news/`: its report,
/// with no page error; `None` when the browser is missing (and allowed to be).
fn search_report(origin: &str, queries: &[&str]) -> Option<serde_json::Value> {
    let start = format!("{origin}/news/");
    let mut args = vec![start.as_str()];
    args.extend(queries);
    let out = common::browser::node_script("search.mjs", &args)?;
    assert!(
        out.status.success(),
        "search.mjs failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["errors"], serde_json::json!([]));
    Some(report)
}

/// The result titles of search `n` of a [`search_report`].
fn titles(report: &serde_json::Value, n: usize) -> Vec<String> {
    report["searches"][n]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_string())
        .collect()
}

fn build_under_news(site: &TestSite) -> std::path::PathBuf {
    let www = site.root.join("www");
    let out = site.run(&["build", "-o", www.join("news").to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    www
}

#[test]
fn the_index_lists_every_article_with_its_words() {
    let site = falcons();
    let www = build_under_news(&site);
    let index = index_of(&www);
    assert_eq!(index["v"], 2);
    assert_eq!(index["base"], "/news/");
    let docs = index["docs"].as_array().unwrap();
    let titles: Vec<&str> = docs.iter().map(|d| d[1].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "عمران خان کی ریلی",
            "Weather week",
            "Club meeting",
            "Morning count",
            "Birds of the coast",
            "Falcon lands on the tower"
        ]
    );
    assert_eq!(
        docs[2],
        serde_json::json!([
            "2024/11/04/club-meeting/",
            "Club meeting",
            "2024-11-04",
            "Notes from the meeting.",
            [docs[2][4][0].clone()]
        ])
    );
    let words: Vec<&str> = index["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    // Body words only, lowercased, each once; `club` and `meeting` are in the title already.
    assert!(words.contains(&"falconer"), "{words:?}");
    assert!(words.contains(&"ختم"), "{words:?}");
    assert!(!words.contains(&"club"), "{words:?}");
    let report = words.iter().position(|w| *w == "report").unwrap();
    assert!(index["postings"][report].as_str().unwrap().starts_with('!'));
    let mut sorted = words.clone();
    sorted.sort();
    assert_eq!(words, sorted);
}

#[test]
fn a_reader_finds_articles_ranked_by_where_the_words_are() {
    let site = falcons();
    let www = build_under_news(&site);
    // Without JavaScript the page says search needs it: the notice is in the HTML, not hidden,
    // and a <noscript> rule shows it (with JavaScript it never shows, so nothing moves when the
    // script starts).
    let page = site.root.join("www/news/search/index.html");
    let html = std::fs::read_to_string(page).unwrap();
    let doc = scraper::Html::parse_document(&html);
    assert_eq!(attrs(&doc, "#search-needs-js", "id").len(), 1);
    assert!(attrs(&doc, "#search-needs-js", "hidden").is_empty());
    let head = &html[..html.find("</head>").unwrap()];
    assert!(
        head.contains("<noscript><style>.search-needs-js { display: block; }</style></noscript>"),
        "{head}"
    );
    assert_eq!(
        attrs(&doc, "form[data-search-index]", "data-search-index"),
        ["/news/search-index.json"]
    );

    let origin = common::browser::serve(&www);
    let Some(report) = search_report(
        &origin,
        &[
            "falc",
            "falcon tower",
            "FALCONER",
            "عمران",
            "bird",
            "report",
            "zzzqx",
        ],
    ) else {
        return;
    };
    assert_eq!(report["noticeHidden"], true, "the script hides the notice");
    // Nothing moved while the page loaded the index and showed the first results (it once
    // shifted by 0.15 to 0.23 in Lighthouse: the notice vanished, the status line appeared).
    assert_eq!(
        report["layoutShift"], 0.0,
        "layout shift of the search page"
    );
    assert_eq!(
        report["axe"],
        serde_json::json!([]),
        "accessibility violations"
    );
    assert_eq!(report["address"], format!("{origin}/news/search/?q=falc"));

    let searches = report["searches"].as_array().unwrap();
    let titles = |n: usize| titles(&report, n);
    // Title, then tag, then summary, then body: newest first would be the reverse.
    assert_eq!(
        titles(0),
        [
            "Falcon lands on the tower",
            "Birds of the coast",
            "Morning count",
            "Club meeting"
        ]
    );
    assert_eq!(
        searches[0]["status"],
        "4 articles match \u{201c}falc\u{201d}."
    );
    assert_eq!(
        searches[0]["results"][0]["href"],
        "/news/2024/11/01/falcon-lands-on-the-tower/"
    );
    assert_eq!(
        searches[0]["results"][1]["tags"],
        serde_json::json!(["falconry", "coast"])
    );
    // Every word must match.
    assert_eq!(titles(1), ["Falcon lands on the tower"]);
    // Case does not matter; a body word is found.
    assert_eq!(titles(2), ["Club meeting"]);
    assert_eq!(
        searches[2]["status"],
        "1 article matches \u{201c}FALCONER\u{201d}."
    );
    // Other scripts are words too.
    assert_eq!(titles(3), ["عمران خان کی ریلی"]);
    // `bird` starts a word of a title, a summary and a body.
    assert_eq!(
        titles(4),
        [
            "Birds of the coast",
            "Falcon lands on the tower",
            "Weather week"
        ]
    );
    // A word in most bodies is stored as the articles without it: still exact.
    assert_eq!(
        titles(5),
        [
            "Weather week",
            "Morning count",
            "Birds of the coast",
            "Falcon lands on the tower"
        ]
    );
    assert_eq!(titles(6), Vec::<String>::new());
    assert_eq!(
        searches[6]["status"],
        "No articles match \u{201c}zzzqx\u{201d}."
    );
}

/// Three articles whose words carry accents, a letter with no decomposition, and a script
/// without spaces.
fn accented() -> TestSite {
    let site = TestSite::new(
        "title = \"World\"\nbase_url = \"https://example.org/news/\"\ntimezone = \"UTC\"\n",
    );
    site.article(
        "2024/11/01/zurich.md",
        "title: Rally in Zürich\ndate: 2024-11-01 09:00\nsummary: Crowds by the lake.",
        "Marchers filled the Bahnhofstraße by noon.\n",
    );
    site.article(
        "2024/11/02/sao-paulo.md",
        "title: SÃO PAULO VOTES\ndate: 2024-11-02 09:00\nsummary: Turnout was high.",
        "Queues in Ørestad too, oddly.\n",
    );
    site.article(
        "2024/11/03/beijing.md",
        "title: 北京新闻\ndate: 2024-11-03 09:00\nsummary: 新闻摘要",
        "عمران خان کی ریلی\n",
    );
    site
}

#[test]
fn the_index_folds_accents_and_case_in_body_words() {
    let site = accented();
    let www = build_under_news(&site);
    let index = index_of(&www);
    assert_eq!(index["v"], 2);
    let words: Vec<&str> = index["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    for folded in ["bahnhofstrasse", "orestad", "عمران"] {
        assert!(words.contains(&folded), "{folded} not in {words:?}");
    }
    assert!(
        !words.iter().any(|w| w.contains(['ß', 'Ø', 'ø'])),
        "{words:?}"
    );
    // Titles and summaries are kept as written: the page shows them.
    assert_eq!(index["docs"][2][1], "Rally in Zürich");
}

#[test]
fn a_reader_finds_words_however_their_accents_are_typed() {
    let site = accented();
    let www = build_under_news(&site);
    let origin = common::browser::serve(&www);
    let Some(report) = search_report(
        &origin,
        &[
            "zurich",
            "ZÜRICH",
            "bahnhofstrasse",
            "Bahnhofstraße",
            "sao paulo",
            "orestad",
            "北京",
            "عمران",
        ],
    ) else {
        return;
    };
    let searches = report["searches"].as_array().unwrap();
    let titles = |n: usize| titles(&report, n);
    // Without accents and in capitals, the title is found; the body's ß is found as ss and
    // as itself.
    for (n, search) in searches.iter().enumerate().take(4) {
        assert_eq!(titles(n), ["Rally in Zürich"], "{}", search["query"]);
    }
    assert_eq!(titles(4), ["SÃO PAULO VOTES"]);
    assert_eq!(titles(5), ["SÃO PAULO VOTES"]);
    // Scripts without accents to fold still work: a prefix of a run of Chinese, an Urdu word.
    assert_eq!(titles(6), ["北京新闻"]);
    assert_eq!(titles(7), ["北京新闻"]);
}
