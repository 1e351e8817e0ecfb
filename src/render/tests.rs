//! Renders a small hand-built site with the real default theme and reads the HTML back.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use scraper::{ElementRef, Html, Selector};

use super::*;
use crate::config::Config;
use crate::content::Article;
use crate::site::{ArticleLinks, Day, ListKind, ListPage, Month, Paginator, Taxonomy, Term, Year};

const NASTY: &str = r#"<script>alert(1)</script> "q""#;

fn article(title: &str, when: &str, slug: &str, tags: &[&str]) -> Article {
    Article {
        tags: tags.iter().map(|t| t.to_string()).collect(),
        summary: format!("About {title}"),
        summary_html: "<p>About <em>it</em></p>".into(),
        body_html: "<p>Body text.</p>\n<h2 id=\"more\">More</h2>".into(),
        word_count: 3,
        ..Article::sample(title, slug, when)
    }
}

fn links(newer: Option<usize>, older: Option<usize>, day: &str, tags: Vec<usize>) -> ArticleLinks {
    ArticleLinks {
        newer,
        older,
        related: Vec::new(),
        day_path: day.into(),
        terms: vec![tags],
    }
}

fn page(path: &str, kind: PageKind) -> Page {
    Page {
        path: path.into(),
        kind,
        lastmod: None,
        in_sitemap: true,
    }
}

fn list(list: ListKind, items: Vec<usize>, path: &str) -> PageKind {
    PageKind::List(ListPage {
        list,
        paginator: Paginator {
            current: 1,
            total: 1,
            per_page: 10,
            total_items: items.len(),
            base: path.into(),
        },
        items,
        older_period: None,
        newer_period: None,
    })
}

/// Page `current` of a two-page home list.
fn home_page(current: usize, items: Vec<usize>) -> PageKind {
    PageKind::List(ListPage {
        list: ListKind::Home,
        items,
        paginator: Paginator {
            current,
            total: 2,
            per_page: 3,
            total_items: 4,
            base: "/".into(),
        },
        older_period: None,
        newer_period: None,
    })
}

/// Three articles (two on 27 November, one on the 26th), one tag, and one page of each kind.
fn sample_site() -> Site {
    let config = Config {
        title: "The Daily".into(),
        base_url: "https://example.org/news/".into(),
        author: Some("Desk".into()),
        ..Config::default()
    };
    let mut first = article(NASTY, "2024-11-27T21:30:00+05:00", "first", &["PTI"]);
    first.image = Some("photo.jpg".into());
    first.image_alt = Some("A photo".into());
    first.image_caption = Some("Credit: AP".into());
    first.source = Some("Dawn".into());
    first.source_url = Some("https://dawn.example/x?a=1&b=2".into());
    first.authors = vec!["A. Writer".into()];
    let mut second = article("Second", "2024-11-27T09:00:00+05:00", "second", &["PTI"]);
    second.image_caption = Some("Handout".into());
    let third = article("Third", "2024-11-26T18:00:00+05:00", "third", &[]);
    let d27 = NaiveDate::from_ymd_opt(2024, 11, 27).unwrap();
    let d26 = NaiveDate::from_ymd_opt(2024, 11, 26).unwrap();
    let mut first_links = links(None, Some(1), "/2024/11/27/", vec![0]);
    first_links.related = vec![1];
    Site {
        config,
        articles: vec![first, second, third],
        links: vec![
            first_links,
            links(Some(0), Some(2), "/2024/11/27/", vec![0]),
            links(Some(1), None, "/2024/11/26/", vec![]),
        ],
        taxonomies: vec![Taxonomy {
            name: "tags".into(),
            path: "/tags/".into(),
            paginate: 10,
            terms: vec![Term {
                name: "PTI".into(),
                slug: "pti".into(),
                path: "/tags/pti/".into(),
                articles: vec![0, 1],
            }],
        }],
        years: vec![Year {
            year: 2024,
            path: "/2024/".into(),
            articles: vec![0, 1, 2],
            months: vec![Month {
                month: 11,
                path: "/2024/11/".into(),
                articles: vec![0, 1, 2],
                days: vec![
                    Day {
                        date: d27,
                        path: "/2024/11/27/".into(),
                        articles: vec![0, 1],
                    },
                    Day {
                        date: d26,
                        path: "/2024/11/26/".into(),
                        articles: vec![2],
                    },
                ],
            }],
        }],
        pages: vec![
            page("/", home_page(1, vec![0, 1, 2])),
            page("/page/2/", home_page(2, vec![2])),
            page("/2024/11/27/first/", PageKind::Article(0)),
            page("/2024/11/27/second/", PageKind::Article(1)),
            page("/2024/11/26/third/", PageKind::Article(2)),
            page(
                "/tags/pti/",
                list(
                    ListKind::Term {
                        taxonomy: 0,
                        term: 0,
                    },
                    vec![0, 1],
                    "/tags/pti/",
                ),
            ),
            page("/tags/", PageKind::TermIndex(0)),
            page(
                "/2024/",
                list(ListKind::Year(2024), vec![0, 1, 2], "/2024/"),
            ),
            page(
                "/2024/11/",
                list(ListKind::Month(2024, 11), vec![0, 1, 2], "/2024/11/"),
            ),
            page(
                "/2024/11/27/",
                list(ListKind::Day(d27), vec![0, 1], "/2024/11/27/"),
            ),
            page("/archive/", PageKind::ArchiveIndex),
            page("/404.html", PageKind::NotFound),
            page("/page/1/", PageKind::Redirect("/a&b/".into())),
        ],
        warnings: Vec::new(),
    }
}

/// A site folder whose `themes/default` is a copy of the real default theme.
fn site_dir(overrides: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    for entry in walkdir::WalkDir::new(&theme) {
        let entry = entry.unwrap();
        let target = dir
            .path()
            .join("themes/default")
            .join(entry.path().strip_prefix(&theme).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    for (path, text) in overrides {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn render(overrides: &[(&str, &str)]) -> Result<HashMap<String, String>> {
    let site = sample_site();
    let dir = site_dir(overrides);
    let theme = Theme::load(dir.path(), &site.config)?;
    let urls = Urls::new(&site.config.base_url);
    let files = render_site(&site, &theme, &urls)?;
    Ok(files
        .into_iter()
        .map(|f| match f.contents {
            Contents::Bytes(b) => (f.path, String::from_utf8(b).unwrap()),
            Contents::Copy(p) => panic!("render copied {}", p.display()),
        })
        .collect())
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

fn text(e: &ElementRef<'_>) -> String {
    e.text().collect::<String>()
}

fn attr(e: &ElementRef<'_>, name: &str) -> String {
    e.value().attr(name).unwrap_or_default().to_string()
}

#[test]
fn pages_rendered_a_batch_at_a_time_are_the_pages_rendered_at_once() {
    // Each batch builds only the card views no earlier batch built: a batch of one page at a
    // time must still show every card.
    let site = sample_site();
    let dir = site_dir(&[]);
    let theme = Theme::load(dir.path(), &site.config).unwrap();
    let urls = Urls::new(&site.config.base_url);
    // Last page first: the article pages (a few cards each) before the lists that show all.
    let indices: Vec<usize> = (0..site.pages.len()).rev().collect();
    let bytes = |f: OutputFile| match f.contents {
        Contents::Bytes(b) => (f.path, b),
        Contents::Copy(p) => panic!("render copied {}", p.display()),
    };
    let at_once: HashMap<String, Vec<u8>> = render_site(&site, &theme, &urls)
        .unwrap()
        .into_iter()
        .map(bytes)
        .collect();
    let mut batches = 0;
    let mut one_by_one = HashMap::new();
    let mut each = |batch: &[usize], files: Vec<OutputFile>| -> Result<bool> {
        assert_eq!(batch.len(), 1);
        batches += 1;
        one_by_one.extend(files.into_iter().map(bytes));
        Ok(true)
    };
    super::render_batches(&site, &theme, &urls, (&indices, 1), (&mut each, &|| false)).unwrap();
    assert_eq!(batches, site.pages.len());
    let cards = Selector::parse("article").unwrap();
    let home = Html::parse_document(std::str::from_utf8(&one_by_one["index.html"]).unwrap());
    assert!(
        home.select(&cards).count() >= 2,
        "the home page shows cards"
    );
    assert_eq!(one_by_one.len(), at_once.len());
    for (path, bytes) in &at_once {
        assert!(one_by_one.get(path) == Some(bytes), "{path} differs");
    }
}

#[test]
fn every_page_gets_its_file() {
    let files = render(&[]).unwrap();
    let mut paths: Vec<&str> = files.keys().map(String::as_str).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "2024/11/26/third/index.html",
            "2024/11/27/first/index.html",
            "2024/11/27/index.html",
            "2024/11/27/second/index.html",
            "2024/11/index.html",
            "2024/index.html",
            "404.html",
            "archive/index.html",
            "index.html",
            "page/1/index.html",
            "page/2/index.html",
            "tags/index.html",
            "tags/pti/index.html",
        ]
    );
    for (path, html) in &files {
        if path == "page/1/index.html" {
            continue;
        }
        let doc = Html::parse_document(html);
        assert_eq!(select(&doc, "h1").len(), 1, "one h1 in {path}");
        // The stylesheet is linked under its fingerprinted name, with the base path.
        let stylesheet = attr(&select(&doc, "link[rel=stylesheet]")[0], "href");
        assert!(
            stylesheet.starts_with("/news/style.") && stylesheet.ends_with(".css"),
            "{stylesheet}"
        );
        assert_ne!(stylesheet, "/news/style.css");
        for a in select(&doc, "a[href]") {
            let href = attr(&a, "href");
            assert!(
                href.starts_with("/news/")
                    || href.starts_with("https://")
                    || ["#main", "#feeds"].contains(&href.as_str()),
                "{path}: link {href} does not carry the base path"
            );
        }
    }
}

#[test]
fn the_article_page_shows_the_article() {
    let files = render(&[]).unwrap();
    let doc = Html::parse_document(&files["2024/11/27/first/index.html"]);
    let h1 = select(&doc, "h1");
    assert_eq!(h1.len(), 1);
    assert_eq!(text(&h1[0]), NASTY);
    assert!(text(&select(&doc, "title")[0]).starts_with(NASTY));
    let time = select(&doc, ".byline time");
    assert_eq!(attr(&time[0], "datetime"), "2024-11-27T21:30:00+05:00");
    assert_eq!(text(&time[0]), "27 November 2024, 21:30");
    let tags: Vec<String> = select(&doc, ".article-footer .tags a")
        .iter()
        .map(|a| attr(a, "href"))
        .collect();
    assert_eq!(tags, ["/news/tags/pti/"]);
    assert_eq!(text(&select(&doc, ".authors")[0]), "A. Writer");
    let img = &select(&doc, "figure.lead img")[0];
    assert_eq!(attr(img, "src"), "/news/2024/11/27/first/photo.jpg");
    assert_eq!(attr(img, "alt"), "A photo");
    assert_eq!(
        text(&select(&doc, "figure.lead figcaption")[0]),
        "Credit: AP"
    );
    let source = &select(&doc, ".source a")[0];
    assert_eq!(attr(source, "href"), "https://dawn.example/x?a=1&b=2");
    assert_eq!(
        attr(&select(&doc, ".day-link a")[0], "href"),
        "/news/2024/11/27/"
    );
    assert_eq!(
        attr(&select(&doc, "link[rel=canonical]")[0], "href"),
        "https://example.org/news/2024/11/27/first/"
    );
    assert_eq!(
        attr(&select(&doc, ".article-nav .older")[0], "href"),
        "/news/2024/11/27/second/"
    );
    assert_eq!(text(&select(&doc, ".related .related-list a")[0]), "Second");
    assert_eq!(text(&select(&doc, ".content h2")[0]), "More");

    // The title never becomes markup: the only script is the JSON-LD, which reads back exactly.
    let scripts = select(&doc, "script");
    assert_eq!(scripts.len(), 1);
    assert_eq!(attr(&scripts[0], "type"), "application/ld+json");
    let ld: serde_json::Value = serde_json::from_str(&text(&scripts[0])).unwrap();
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["headline"], NASTY);
    assert_eq!(ld["datePublished"], "2024-11-27T21:30:00+05:00");
    assert_eq!(ld["author"][0]["name"], "A. Writer");
    // Not listed under `organizations` in site.toml: a person.
    assert_eq!(ld["author"][0]["@type"], "Person");
    assert_eq!(ld["publisher"]["name"], "The Daily");
    assert_eq!(
        ld["image"],
        "https://example.org/news/2024/11/27/first/photo.jpg"
    );
    assert_eq!(
        ld["mainEntityOfPage"],
        "https://example.org/news/2024/11/27/first/"
    );
}

#[test]
fn a_caption_without_an_image_is_not_shown_and_authors_fall_back() {
    let files = render(&[]).unwrap();
    let doc = Html::parse_document(&files["2024/11/27/second/index.html"]);
    // A caption with nothing to describe would float under the byline (the plan warns).
    assert!(select(&doc, "figure, figcaption, .caption").is_empty());
    assert!(!files["2024/11/27/second/index.html"].contains("Handout"));
    assert_eq!(text(&select(&doc, ".authors")[0]), "Desk");
    let ld: serde_json::Value = serde_json::from_str(&text(&select(&doc, "script")[0])).unwrap();
    assert_eq!(ld["author"][0]["name"], "Desk");
    assert!(ld.get("image").is_none());
}

#[test]
fn the_home_page_is_a_digest_grouped_by_day() {
    let files = render(&[]).unwrap();
    let doc = Html::parse_document(&files["index.html"]);
    assert_eq!(text(&select(&doc, "h1")[0]), "The Daily");
    let days = select(&doc, "section.day");
    let dates: Vec<String> = days
        .iter()
        .map(|d| attr(&select_in(d, "h2 time")[0], "datetime"))
        .collect();
    assert_eq!(dates, ["2024-11-27", "2024-11-26"]);
    assert_eq!(
        attr(&select_in(&days[0], "h2 a")[0], "href"),
        "/news/2024/11/27/"
    );
    let titles = |day: &ElementRef<'_>| -> Vec<String> {
        select_in(day, "article.card h3").iter().map(text).collect()
    };
    // The newest article leads the page, and the digest goes on without it.
    let lead = &select(&doc, ".lead-story")[0];
    assert_eq!(text(&select_in(lead, ".card-title")[0]), NASTY);
    assert_eq!(titles(&days[0]), ["Second"]);
    assert_eq!(titles(&days[1]), ["Third"]);
    assert_eq!(
        attr(&select_in(lead, "time")[0], "datetime"),
        "2024-11-27T21:30:00+05:00"
    );
    assert_eq!(text(&select_in(lead, ".summary em")[0]), "it");
    let rail: Vec<String> = select(&doc, ".latest .headlines a")
        .iter()
        .map(text)
        .collect();
    assert_eq!(rail, ["Second", "Third"]);
    assert!(select(&doc, "script").is_empty());
    let feeds: Vec<String> = select(&doc, "link[rel=alternate]")
        .iter()
        .map(|l| attr(l, "href"))
        .collect();
    assert_eq!(
        feeds,
        ["/news/atom.xml", "/news/rss.xml", "/news/feed.json"]
    );
}

#[test]
fn list_pages_link_to_each_other() {
    let files = render(&[]).unwrap();
    let first = Html::parse_document(&files["index.html"]);
    assert_eq!(
        attr(&select(&first, ".pagination a[rel=next]")[0], "href"),
        "/news/page/2/"
    );
    assert!(select(&first, ".pagination a[rel=prev]").is_empty());
    assert_eq!(
        text(&select(&first, ".pagination [aria-current=page]")[0]),
        "1"
    );
    let second = Html::parse_document(&files["page/2/index.html"]);
    assert_eq!(
        attr(&select(&second, ".pagination a[rel=prev]")[0], "href"),
        "/news/"
    );
    assert_eq!(text(&select(&second, "title")[0]), "Page 2 · The Daily");
    assert_eq!(select(&second, "article.card").len(), 1);
}

fn select_in<'a>(e: &ElementRef<'a>, css: &str) -> Vec<ElementRef<'a>> {
    e.select(&Selector::parse(css).unwrap()).collect()
}

#[test]
fn lists_terms_and_archive_link_through_the_base_path() {
    let files = render(&[]).unwrap();
    let term = Html::parse_document(&files["tags/pti/index.html"]);
    assert_eq!(text(&select(&term, "h1")[0]), "PTI");
    let feeds: Vec<String> = select(&term, "link[rel=alternate]")
        .iter()
        .map(|l| attr(l, "href"))
        .collect();
    assert_eq!(feeds[0], "/news/tags/pti/atom.xml");
    assert_eq!(
        attr(&select(&term, "link[rel=alternate]")[0], "title"),
        "The Daily — PTI (Atom)"
    );
    assert_eq!(select(&term, "article.card").len(), 2);

    let terms = Html::parse_document(&files["tags/index.html"]);
    let item = &select(&terms, ".term-list li")[0];
    assert_eq!(text(item), "PTI (2)");
    assert_eq!(attr(&select_in(item, "a")[0], "href"), "/news/tags/pti/");

    let archive = Html::parse_document(&files["archive/index.html"]);
    assert_eq!(text(&select(&archive, ".month-list li")[0]), "November (3)");

    let day = Html::parse_document(&files["2024/11/27/index.html"]);
    assert_eq!(text(&select(&day, "h1")[0]), "Wednesday 27 November 2024");
    assert_eq!(select(&day, "article.card h2").len(), 2);
    let month = Html::parse_document(&files["2024/11/index.html"]);
    assert_eq!(text(&select(&month, "h1")[0]), "November 2024");
}

#[test]
fn the_redirect_page_refreshes_to_the_escaped_url() {
    let files = render(&[]).unwrap();
    let html = &files["page/1/index.html"];
    assert!(html.contains("content=\"0; url=/news/a&amp;b/\""), "{html}");
    let doc = Html::parse_document(html);
    let refresh = &select(&doc, "meta[http-equiv=refresh]")[0];
    assert_eq!(attr(refresh, "content"), "0; url=/news/a&b/");
    assert_eq!(
        attr(&select(&doc, "link[rel=canonical]")[0], "href"),
        "https://example.org/news/a&b/"
    );
    assert_eq!(
        attr(&select(&doc, "meta[name=robots]")[0], "content"),
        "noindex"
    );
    assert_eq!(attr(&select(&doc, "body a")[0], "href"), "/news/a&b/");
}

#[test]
fn a_site_template_overrides_the_theme() {
    let files = render(&[(
        "templates/article.html",
        "{% extends \"base.html\" %}{% block content %}<h1>Mine: {{ article.title }}</h1>{% endblock content %}",
    )])
    .unwrap();
    let doc = Html::parse_document(&files["2024/11/27/second/index.html"]);
    assert_eq!(text(&select(&doc, "h1")[0]), "Mine: Second");
}

#[test]
fn a_syntax_error_names_the_file_and_line() {
    let err = render(&[("templates/term.html", "<p>\n{% if %}</p>")]).unwrap_err();
    let Error::Problems(problems) = err else {
        panic!("expected problems, got {err}");
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].path, PathBuf::from("templates/term.html"));
    assert_eq!(problems[0].line, Some(2));

    let err = render(&[("themes/default/templates/archive.html", "a\nb\n{{ x ")]).unwrap_err();
    let Error::Problems(problems) = err else {
        panic!("expected problems, got {err}");
    };
    assert_eq!(
        problems[0].path,
        PathBuf::from("themes/default/templates/archive.html")
    );
    assert_eq!(problems[0].line, Some(3));
}

#[test]
fn an_undefined_variable_names_the_template_and_page() {
    let err = render(&[("templates/404.html", "<p>\n{{ nope }}</p>")]).unwrap_err();
    match err {
        Error::Render {
            template,
            page,
            message,
        } => {
            assert_eq!(template, "404.html");
            assert_eq!(page, "/404.html");
            assert!(message.contains("404.html:2:"), "{message}");
            assert!(message.contains("templates/404.html"), "{message}");
        }
        other => panic!("expected a render error, got {other}"),
    }
}

#[test]
fn theme_is_sync() {
    fn sync<T: Sync + Send>() {}
    sync::<Theme>();
}

/// Every page of `articles` planned (2 per list page) and rendered with the default theme:
/// output path -> (key, bytes).
fn keyed_pages(articles: Vec<Article>, theme: &Theme) -> HashMap<String, (u128, Vec<u8>)> {
    let options = crate::site::PlanOptions {
        drafts: false,
        now: chrono::Utc::now(),
    };
    let config = Config {
        paginate: 2,
        author: Some("Desk".into()),
        ..Config::default()
    };
    let site = crate::site::plan(articles, config, &options).unwrap();
    let urls = Urls::new(&site.config.base_url);
    let keying = Keying {
        salt: 7,
        current: &|_, _| false,
        known: None,
        cards: None,
        search: None,
    };
    let pages = std::sync::Mutex::new(HashMap::new());
    render_site_keyed(&site, theme, &urls, Some(&keying), &|_, file, key| {
        let Contents::Bytes(bytes) = file.contents else {
            panic!("copied {}", file.path)
        };
        pages
            .lock()
            .unwrap()
            .insert(file.path, (key.expect("keyed"), bytes));
        Ok(())
    })
    .unwrap();
    pages.into_inner().unwrap()
}

/// A page key is what lets a build leave a page out: two renders whose keys for a page agree
/// must have made the same bytes for it, whatever changed between them. Each change below is
/// one field of one article (or the set of articles); pages that show it must change key, and
/// the test fails if any page with an unchanged key changed.
#[test]
fn a_page_whose_key_is_unchanged_is_unchanged() {
    let dir = site_dir(&[]);
    let theme = Theme::load(dir.path(), &Config::default()).unwrap();
    let base = || {
        let mut articles: Vec<Article> = (1..=6)
            .map(|n| {
                let mut a = crate::site::tests::article(
                    &format!("story-{n}"),
                    &format!("2024-11-2{n}T10:00:00Z"),
                    if n % 2 == 0 {
                        &["rain", "city"]
                    } else {
                        &["rain"]
                    },
                );
                a.summary = format!("Summary {n}");
                a.summary_html = format!("<p>Summary {n}</p>");
                a.body_html = format!("<p>Body {n}</p>").into();
                a
            })
            .collect();
        articles[2].featured = true;
        articles
    };
    type Change = fn(&mut Vec<Article>);
    let changes: &[(&str, Change)] = &[
        ("body", |a| a[3].body_html = "<p>New body</p>".into()),
        ("summary", |a| {
            a[3].summary = "New".into();
            a[3].summary_html = "<p>New</p>".into();
        }),
        ("title", |a| a[3].title = "Retitled".into()),
        ("author", |a| a[3].authors = vec!["Ann".into()]),
        ("tag spelling", |a| {
            for article in a.iter_mut() {
                article.tags = article
                    .tags
                    .iter()
                    .map(|t| {
                        if t == "city" {
                            "City".into()
                        } else {
                            t.clone()
                        }
                    })
                    .collect();
            }
        }),
        ("new tag", |a| a[1].tags.push("storm".into())),
        ("image", |a| a[3].image = Some("/lead.jpg".into())),
        ("source", |a| a[3].source = Some("Wire".into())),
        ("extra", |a| {
            a[3].extra.insert("mood".into(), serde_json::json!("grim"));
        }),
        ("featured", |a| a[0].featured = true),
        ("updated", |a| {
            a[3].updated = Some(a[3].date + chrono::Duration::hours(2));
        }),
        ("redated", |a| a[3].date -= chrono::Duration::days(10)),
        ("added", |a| {
            a.push(crate::site::tests::article(
                "story-7",
                "2024-11-28T10:00:00Z",
                &["rain"],
            ));
        }),
        ("deleted", |a| {
            a.remove(2);
        }),
    ];
    let before = keyed_pages(base(), &theme);
    for (what, change) in changes {
        let mut articles = base();
        change(&mut articles);
        let after = keyed_pages(articles, &theme);
        let mut rekeyed = 0;
        for (path, (key, bytes)) in &after {
            let Some((old_key, old_bytes)) = before.get(path) else {
                continue;
            };
            if key == old_key {
                assert!(
                    bytes == old_bytes,
                    "{what}: {path} kept its key but its bytes changed"
                );
            } else {
                rekeyed += 1;
            }
        }
        assert!(rekeyed > 0, "{what}: no page changed key");
    }
}

/// `articles` planned now with the default settings, two per list page.
fn two_per_page(articles: Vec<Article>) -> Site {
    let options = crate::site::PlanOptions {
        drafts: false,
        now: chrono::Utc::now(),
    };
    let config = Config {
        paginate: 2,
        ..Config::default()
    };
    crate::site::plan(articles, config, &options).unwrap()
}

/// Keys are precise as well as sound: a body edit changes the key of exactly the pages that
/// show the article, and [`touched_by`] finds each of them without keying the rest.
#[test]
fn a_body_edit_changes_the_keys_of_exactly_the_pages_that_show_the_article() {
    let dir = site_dir(&[]);
    let theme = Theme::load(dir.path(), &Config::default()).unwrap();
    let articles = |body_of_b: &str| -> Vec<Article> {
        ["a", "b", "c", "d"]
            .iter()
            .zip(1..)
            .map(|(name, day)| Article {
                body_html: match *name {
                    "b" => body_of_b.into(),
                    other => other.to_uppercase().into(),
                },
                ..crate::site::tests::article(
                    name,
                    &format!("2024-01-0{day}T10:00:00Z"),
                    if *name == "b" { &["y"] } else { &["x"] },
                )
            })
            .collect()
    };
    let plan = two_per_page;
    let (before, after) = (plan(articles("B")), plan(articles("B, edited")));
    let urls = Urls::new(&before.config.base_url);
    let keys = |site: &Site| page_keys(site, &theme, &urls, (7, None), &|_| true).unwrap();
    let (old, new) = (keys(&before), keys(&after));
    let changed: Vec<&str> = after
        .pages
        .iter()
        .zip(old.iter().zip(&new))
        .filter(|(_, (old, new))| old != new)
        .map(|(page, _)| page.path.as_str())
        .collect();
    let mut sorted = changed.clone();
    sorted.sort_unstable();
    // Newest first, two per page: d c | b a. b is shown on its own page, by its neighbours a
    // and c, on the second page of home, year and month, on its day and its tag, in the feeds
    // that list it and in the search index.
    assert_eq!(
        sorted,
        [
            "/2024/01/01/a/",
            "/2024/01/02/",
            "/2024/01/02/b/",
            "/2024/01/03/c/",
            "/2024/01/page/2/",
            "/2024/page/2/",
            "/atom.xml",
            "/feed.json",
            "/page/2/",
            "/rss.xml",
            "/search-index.json",
            "/tags/y/",
            "/tags/y/atom.xml",
            "/tags/y/feed.json",
            "/tags/y/rss.xml",
        ]
    );
    let b = after.articles.iter().position(|a| a.title == "b").unwrap();
    let touched = touched_by(&after, &[b]);
    for (page, hit) in after.pages.iter().zip(&touched) {
        assert!(
            *hit || !changed.contains(&page.path.as_str()),
            "{} changed key but is not touched",
            page.path
        );
    }
    let articles_and_lists = after
        .pages
        .iter()
        .zip(&touched)
        .filter(|(p, hit)| **hit && matches!(p.kind, PageKind::Article(_) | PageKind::List(_)));
    assert_eq!(articles_and_lists.count(), 8, "only those showing b");
}

/// A render that keeps its cards leaves each page to build the cards only it shows: such a
/// render writes what one with every card built first writes, and keys those cards by what
/// they are made from (their articles' inputs), so a later render that shows them on several
/// pages (and builds them first) finds every one of them.
#[test]
fn cards_a_page_builds_for_itself_render_and_key_as_cards_built_first() {
    let dir = site_dir(&[]);
    let theme = Theme::load(dir.path(), &Config::default()).unwrap();
    let articles: Vec<Article> = (1..=9)
        .map(|n| {
            let mut a = crate::site::tests::article(
                &format!("story-{n}"),
                &format!("2024-{n:02}-1{n}T10:00:00Z"),
                &["rain"],
            );
            a.summary = format!("Summary {n}");
            a.summary_html = format!("<p>Summary {n} &amp; more</p>");
            a
        })
        .collect();
    let site = two_per_page(articles);
    let urls = Urls::new(&site.config.base_url);
    // The home pages alone: each card is shown once there.
    let home_only = |i: usize| {
        !site.pages.get(i).is_some_and(
            |p| matches!(&p.kind, PageKind::List(l) if matches!(l.list, ListKind::Home)),
        )
    };
    let render = |current: &(dyn Fn(usize, u128) -> bool + Sync),
                  cards: Option<&Arc<CardCache>>| {
        let keying = Keying {
            salt: 7,
            current,
            known: None,
            cards,
            search: None,
        };
        let files = std::sync::Mutex::new(std::collections::BTreeMap::new());
        render_site_keyed(&site, &theme, &urls, Some(&keying), &|_, file, _| {
            let Contents::Bytes(bytes) = file.contents else {
                panic!("copied {}", file.path)
            };
            files.lock().unwrap().insert(file.path, bytes);
            Ok(())
        })
        .unwrap();
        files.into_inner().unwrap()
    };
    let kept = |cards: &CardCache| -> Vec<(u128, String)> {
        cards.keep_with(usize::MAX, |all| {
            all.iter().map(|(k, html)| (*k, html.to_string())).collect()
        })
    };

    let first = Arc::new(CardCache::with_earlier(Box::new(KeptCards::default)));
    let homes = render(&|i, _| home_only(i), Some(&first));
    assert!(homes.len() >= 5, "{:?}", homes.keys());
    assert_eq!(homes, render(&|i, _| home_only(i), None));
    let first_kept = kept(&first);
    // Every card but the front page's lead (which the theme shows without `render_card`).
    assert_eq!(first_kept.len(), 8);

    let earlier = first_kept.clone();
    let second = Arc::new(CardCache::with_earlier(Box::new(move || {
        KeptCards::new(earlier.iter().map(|(k, html)| (*k, html.as_str())))
    })));
    let all = render(&|_, _| false, Some(&second));
    assert_eq!(all, render(&|_, _| false, None));
    let alone = Arc::new(CardCache::with_earlier(Box::new(KeptCards::default)));
    assert_eq!(all, render(&|_, _| false, Some(&alone)));
    // Every card the first render kept was found: only cards at other settings were rendered.
    assert_eq!(
        second.rendered() + first_kept.len(),
        alone.rendered(),
        "a card the home pages rendered was rendered again"
    );
}
