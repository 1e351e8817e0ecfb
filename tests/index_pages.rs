//! Index pages a news reader navigates by (issue 3): taxonomy term lists and term pages, date
//! archives, pagination, feeds for everything, article navigation and the sitemap, checked on a
//! 50-article fixture against expectations computed independently from the generated data.

mod common;
#[path = "index_pages/fixture.rs"]
mod fixture;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset};
use common::{TestSite, attrs, texts};
use fixture::{FEED_LIMIT, Item, PAGINATE, TAXONOMIES};
use percent_encoding::percent_decode_str;
use scraper::Html;

const ROOT: &str = "https://example.org/";
const SUB: &str = "https://example.org/news/";

/// The fixture, built at `base_url`.
fn built(base_url: &str) -> (TestSite, Vec<Item>) {
    let (site, items) = fixture::site(base_url, "full");
    site.build_ok();
    (site, items)
}

/// A link as read back from a page: percent-decoded, so it compares with plain site paths.
fn decoded(href: &str) -> String {
    percent_decode_str(href).decode_utf8_lossy().into_owned()
}

/// The output file of a site path: `/x/` -> `x/index.html`.
fn file_of(path: &str) -> String {
    let rel = path.trim_start_matches('/');
    if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    }
}

/// Decoded hrefs of every element matching `selector`.
fn hrefs(doc: &Html, selector: &str) -> Vec<String> {
    attrs(doc, selector, "href")
        .iter()
        .map(|h| decoded(h))
        .collect()
}

/// The article links of a list page, in order.
fn cards(doc: &Html) -> Vec<String> {
    hrefs(doc, "main article.card .card-title a")
}

fn paths(items: &[Item], indices: &[usize]) -> Vec<String> {
    indices.iter().map(|&i| items[i].path()).collect()
}

/// Checks one page of a paginated list: its articles and its paginator. Returns the number of
/// pages checked (the list's pages plus the `/page/1/` redirect).
fn check_list(
    site: &TestSite,
    items: &[Item],
    dir: &str,
    list: &[usize],
    per_page: usize,
) -> usize {
    let pages = fixture::paginate(dir, list, per_page);
    for (n, (path, on_page)) in pages.iter().enumerate() {
        let doc = site.html(&file_of(path));
        assert_eq!(cards(&doc), paths(items, on_page), "articles on {path}");
        let nav = "nav.pagination";
        if pages.len() == 1 {
            assert!(texts(&doc, nav).is_empty(), "{path} has no paginator");
            continue;
        }
        let previous: Vec<String> = n
            .checked_sub(1)
            .map(|p| pages[p].0.clone())
            .into_iter()
            .collect();
        let next: Vec<String> = pages.get(n + 1).map(|p| p.0.clone()).into_iter().collect();
        assert_eq!(
            hrefs(&doc, &format!("{nav} a[rel=prev]")),
            previous,
            "prev on {path}"
        );
        assert_eq!(
            hrefs(&doc, &format!("{nav} a[rel=next]")),
            next,
            "next on {path}"
        );
        // The first, the last and two on each side of the current page, "…" where numbers skip.
        let shown: Vec<usize> = (0..pages.len())
            .filter(|&k| k == 0 || k + 1 == pages.len() || k.abs_diff(n) <= 2)
            .collect();
        let mut numbers = Vec::new();
        for (i, &k) in shown.iter().enumerate() {
            if i > 0 && k > shown[i - 1] + 1 {
                numbers.push("…".to_string());
            }
            numbers.push((k + 1).to_string());
        }
        assert_eq!(
            texts(&doc, &format!("{nav} ol li")),
            numbers,
            "numbers on {path}"
        );
        let others: Vec<String> = shown
            .iter()
            .filter(|&&k| k != n)
            .map(|&k| pages[k].0.clone())
            .collect();
        assert_eq!(
            hrefs(&doc, &format!("{nav} ol li a")),
            others,
            "page links on {path}"
        );
        assert_eq!(
            texts(&doc, &format!("{nav} [aria-current=page]")),
            vec![(n + 1).to_string()],
            "current page on {path}"
        );
    }
    // Page 1 lives at the list's own URL; `/page/1/` only sends the reader there.
    let redirect = site.html(&file_of(&format!("{dir}page/1/")));
    assert_eq!(
        hrefs(&redirect, "link[rel=canonical]"),
        vec![format!("{ROOT}{}", &dir[1..])]
    );
    let refresh: Vec<String> = attrs(&redirect, "meta[http-equiv=refresh]", "content")
        .iter()
        .map(|c| decoded(c.trim_start_matches("0; url=")))
        .collect();
    assert_eq!(refresh, vec![dir.to_string()]);
    assert!(cards(&redirect).is_empty());
    assert!(
        !site
            .public()
            .join(file_of(&format!("{dir}page/{}/", pages.len() + 1)))
            .exists(),
        "no page after the last one for {dir}"
    );
    pages.len() + 1
}

/// (name, site path, count) of every term on a term list page of a site built at `base`.
fn term_list(site: &TestSite, base: &str, taxonomy: &str) -> Vec<(String, String, usize)> {
    let base_path = &base["https://example.org".len()..];
    let doc = site.html(&format!("{taxonomy}/index.html"));
    let names = texts(&doc, "ul.term-list li a");
    let links: Vec<String> = hrefs(&doc, "ul.term-list li a")
        .iter()
        .map(|h| {
            format!(
                "/{}",
                h.strip_prefix(base_path).expect("link under the base")
            )
        })
        .collect();
    let counts: Vec<usize> = texts(&doc, "ul.term-list li .count")
        .iter()
        .map(|c| c.trim_matches(['(', ')']).parse().expect("count"))
        .collect();
    assert_eq!(names.len(), links.len());
    assert_eq!(names.len(), counts.len());
    names
        .into_iter()
        .zip(links)
        .zip(counts)
        .map(|((n, l), c)| (n, l, c))
        .collect()
}

#[test]
fn term_lists_and_term_pages_hold_the_right_articles() {
    let (site, items) = built(ROOT);
    let mut checked = 0;
    for (taxonomy, per_page) in TAXONOMIES {
        let expected = fixture::terms(&items, taxonomy);
        let listed = term_list(&site, ROOT, taxonomy);
        let names: Vec<&str> = listed.iter().map(|t| t.0.as_str()).collect();
        let expected_names: Vec<&str> = expected.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, expected_names, "{taxonomy}: by count, then name");
        let counts: Vec<usize> = listed.iter().map(|t| t.2).collect();
        let expected_counts: Vec<usize> = expected.iter().map(|t| t.articles.len()).collect();
        assert_eq!(counts, expected_counts, "{taxonomy} counts");

        let mut slugs = BTreeSet::new();
        for ((name, href, _), term) in listed.iter().zip(&expected) {
            let slug = href
                .strip_prefix(&format!("/{taxonomy}/"))
                .and_then(|s| s.strip_suffix('/'))
                .unwrap_or_else(|| panic!("{href} is not a term page of {taxonomy}"));
            assert!(
                !slug.is_empty() && !slug.contains('/'),
                "{name}: slug `{slug}`"
            );
            if let Some(want) = fixture::expected_slug(taxonomy, name) {
                assert_eq!(slug, want, "slug of {name}");
            }
            assert!(slugs.insert(slug.to_string()), "two terms share {slug}");
            checked += check_list(&site, &items, href, &term.articles, *per_page);
            let doc = site.html(&file_of(href));
            assert_eq!(texts(&doc, "main h1"), vec![name.clone()]);
        }
        // No page for a spelling variant: one folder per term, nothing else.
        let folders: BTreeSet<String> = std::fs::read_dir(site.public().join(taxonomy))
            .expect("taxonomy folder")
            .map(|e| e.expect("entry"))
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(folders, slugs, "{taxonomy}: one folder per term");
    }
    // Pages + redirects. Tags (5 a page): PTI 17 -> 4, Pakistan 25 -> 5, Economy 15 -> 3,
    // Cricket 7 -> 2, Urdu 13 -> 3, Chinese 8 -> 2, three with 1 or 2 -> 1 each: 22 + 9.
    // Authors (3 a page): 14 -> 5, 13 -> 5, 12 -> 4: 14 + 3. Sources (4): 3 x 15 -> 4: 12 + 3.
    assert_eq!(checked, 31 + 17 + 15, "term list pages checked");
}

#[test]
fn tags_merge_spellings_keep_unicode_and_split_slug_clashes() {
    let (site, items) = fixture::site(ROOT, "full");
    let report = site.build_ok();
    let tags = term_list(&site, ROOT, "tags");
    let find = |name: &str| tags.iter().find(|t| t.0 == name).cloned();
    // `PTI` (9 times), `pti` (4), ` Pti ` (4) and a doubled `  pti`: one tag, most common spelling.
    let pti = find("PTI").expect("PTI listed");
    assert_eq!((pti.1.as_str(), pti.2), ("/tags/pti/", 17));
    assert!(find("pti").is_none() && find("Pti").is_none());
    assert_eq!(find("Economy").map(|t| t.2), Some(15));
    // Readable unicode slugs, on disk as written.
    assert_eq!(
        find("عمران خان").map(|t| t.1),
        Some("/tags/عمران-خان/".to_string())
    );
    assert_eq!(
        find("巴基斯坦").map(|t| t.1),
        Some("/tags/巴基斯坦/".to_string())
    );
    assert!(site.public().join("tags/عمران-خان/index.html").is_file());
    assert!(site.public().join("tags/巴基斯坦/atom.xml").is_file());
    // A tag with no letters still gets a non-empty slug and its page.
    let bangs = find("!!!").expect("!!! listed");
    assert_eq!(bangs.2, 1);
    assert!(bangs.1.len() > "/tags//".len(), "{bangs:?}");
    assert_eq!(
        cards(&site.html(&file_of(&bangs.1))),
        vec![items_with(&items, 15)]
    );
    // Two different tags making the same slug: distinct pages, a suffix and a warning.
    let plain = find("K Electric").expect("K Electric");
    let dashed = find("K-Electric").expect("K-Electric");
    assert_eq!((plain.1.as_str(), plain.2), ("/tags/k-electric/", 2));
    assert_eq!((dashed.1.as_str(), dashed.2), ("/tags/k-electric-2/", 1));
    assert_eq!(
        cards(&site.html("tags/k-electric-2/index.html")),
        vec![items_with(&items, 30)]
    );
    let warnings: Vec<String> = report.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings,
        vec![
            "content/2024/03/story-30.md: tags: `K Electric` and `K-Electric` both make the slug \
             `k-electric`, so `K-Electric` gets a numbered one; spell them alike to merge them, \
             or more differently to keep them apart"
        ]
    );
    // The command line shows it too.
    let out = site.run(&["build"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: ") && stderr.contains("k-electric"),
        "{stderr}"
    );
}

/// The path of the article generated as number `n`.
fn items_with(items: &[Item], n: usize) -> String {
    items.iter().find(|i| i.n == n).expect("article").path()
}

#[test]
fn archives_list_each_period_and_link_their_neighbours() {
    let (site, items) = built(ROOT);
    let mut checked = 0;
    let all: Vec<usize> = (0..items.len()).collect();
    checked += check_list(&site, &items, "/", &all, PAGINATE);
    let [years, months, days] = fixture::periods(&items);
    for (level, periods) in [("year", &years), ("month", &months), ("day", &days)] {
        for (i, period) in periods.iter().enumerate() {
            checked += check_list(&site, &items, &period.path, &period.articles, PAGINATE);
            let newer: Vec<String> = i
                .checked_sub(1)
                .map(|j| periods[j].path.clone())
                .into_iter()
                .collect();
            let older: Vec<String> = periods
                .get(i + 1)
                .map(|p| p.path.clone())
                .into_iter()
                .collect();
            // Every page of the period links the same neighbours.
            for (path, _) in fixture::paginate(&period.path, &period.articles, PAGINATE) {
                let doc = site.html(&file_of(&path));
                assert_eq!(
                    hrefs(&doc, "nav.period-nav a.newer"),
                    newer,
                    "{level} {path}"
                );
                assert_eq!(
                    hrefs(&doc, "nav.period-nav a.older"),
                    older,
                    "{level} {path}"
                );
            }
        }
    }
    assert_eq!((years.len(), months.len(), days.len()), (3, 11, 18));
    // Pages + redirects: home 50 -> 13 + 1; years 29, 14, 7 -> 8 + 4 + 2 and 3; months 17
    // pages and 11; days 22 pages (6 -> 2, 9 -> 3, 5 -> 2) and 18.
    assert_eq!(checked, (13 + 1) + (14 + 3) + (17 + 11) + (22 + 18));
    // No archive page for a period without articles.
    let mut day_pages = BTreeSet::new();
    for file in site.files() {
        let parts: Vec<&str> = file.split('/').collect();
        if let [y, m, d, "index.html"] = parts.as_slice()
            && y.len() == 4
            && y.chars()
                .chain(m.chars())
                .chain(d.chars())
                .all(|c| c.is_ascii_digit())
        {
            day_pages.insert(format!("/{y}/{m}/{d}/"));
        }
    }
    let expected: BTreeSet<String> = days.iter().map(|d| d.path.clone()).collect();
    assert_eq!(day_pages, expected);
    // Neighbours are named, so they are not confused with the paginator's newer/older links.
    for (file, newer, older) in [
        (
            "2024/02/29/page/2/index.html",
            "← 1 March 2024",
            "27 November 2023 →",
        ),
        ("2023/01/index.html", "← June 2023", "December 2022 →"),
        ("2023/index.html", "← 2024", "2022 →"),
    ] {
        let doc = site.html(file);
        assert_eq!(
            texts(&doc, "nav.period-nav a"),
            vec![newer, older],
            "{file}"
        );
    }
    // Days are the site's (Karachi): 00:30 on 1 January 2023 there is still 2022 in UTC.
    let new_year = site.html("2023/01/01/index.html");
    assert_eq!(cards(&new_year).len(), 3);
    assert!(!site.public().join("2022/12/30/index.html").exists());
}

#[test]
fn the_day_page_is_the_days_digest() {
    let (site, items) = built(ROOT);
    let [_, _, days] = fixture::periods(&items);
    let day = days.iter().find(|d| d.path == "/2024/11/26/").expect("day");
    let doc = site.html("2024/11/26/index.html");
    let sel = scraper::Selector::parse("main article.card").expect("selector");
    let found: Vec<_> = doc.select(&sel).collect();
    assert_eq!(found.len(), day.articles.len());
    for (card, &i) in found.iter().zip(&day.articles) {
        let item = &items[i];
        let card = Html::parse_fragment(&card.html());
        let summary = texts(&card, ".summary").join(" ");
        match &item.summary {
            Some(s) => assert_eq!(summary, *s),
            None => assert_eq!(summary, format!("First paragraph of story {}.", item.n)),
        }
        let source: Vec<String> = item.source.iter().cloned().collect();
        assert_eq!(texts(&card, ".source"), source);
        let tags = texts(&card, ".tags a");
        assert_eq!(tags.len(), item.tags.len(), "{tags:?}");
    }
}

#[test]
fn the_archive_and_tag_overviews_count_the_data() {
    let (site, items) = built(ROOT);
    let [years, months, _] = fixture::periods(&items);
    let doc = site.html("archive/index.html");
    let year_links = hrefs(&doc, "section.archive-year h2 a");
    let year_counts = texts(&doc, "section.archive-year h2 .count");
    let expected: Vec<(String, String)> = years
        .iter()
        .map(|y| (y.path.clone(), format!("({})", y.articles.len())))
        .collect();
    assert_eq!(
        year_links.into_iter().zip(year_counts).collect::<Vec<_>>(),
        expected
    );
    let month_links = hrefs(&doc, "ul.month-list li a");
    let month_counts = texts(&doc, "ul.month-list li .count");
    let expected: Vec<(String, String)> = months
        .iter()
        .map(|m| (m.path.clone(), format!("({})", m.articles.len())))
        .collect();
    assert_eq!(
        month_links
            .into_iter()
            .zip(month_counts)
            .collect::<Vec<_>>(),
        expected
    );
    // The counts by hand: 2024 has 29 articles, 2023 has 14 and 2022 has 7.
    let by_year: Vec<usize> = years.iter().map(|y| y.articles.len()).collect();
    assert_eq!(by_year, vec![29, 14, 7]);
}

/// Every list with feeds: the site's and every term's of every taxonomy, as (site path, articles,
/// articles per page). Term paths are read from the term lists (checked against the fixture by
/// `term_lists_and_term_pages_hold_the_right_articles`).
fn feed_dirs(site: &TestSite, base: &str, items: &[Item]) -> Vec<(String, Vec<usize>, usize)> {
    let mut dirs = vec![("/".to_string(), (0..items.len()).collect(), PAGINATE)];
    for (taxonomy, per_page) in TAXONOMIES {
        let listed = term_list(site, base, taxonomy);
        for (term, (name, path, _)) in fixture::terms(items, taxonomy).into_iter().zip(listed) {
            assert_eq!(term.name, name);
            dirs.push((path, term.articles, *per_page));
        }
    }
    dirs
}

/// Every `href`/`src` inside an HTML fragment.
fn urls_in(html: &str) -> Vec<String> {
    let doc = Html::parse_fragment(html);
    let mut found = attrs(&doc, "[href]", "href");
    found.extend(attrs(&doc, "[src]", "src"));
    found
}

fn parse_feed(site: &TestSite, file: &str) -> feed_rs::model::Feed {
    feed_rs::parser::parse(site.read(file).as_bytes())
        .unwrap_or_else(|e| panic!("{file} does not parse: {e}"))
}

#[test]
fn every_feed_parses_with_absolute_urls() {
    for base in [ROOT, SUB] {
        let (site, items) = built(base);
        let mut feeds = 0;
        for (dir, list, _) in feed_dirs(&site, base, &items) {
            let expected: Vec<String> = list
                .iter()
                .take(FEED_LIMIT)
                .map(|&i| format!("{base}{}", &items[i].path()[1..]))
                .collect();
            for name in ["atom.xml", "rss.xml", "feed.json"] {
                let file = format!("{}{name}", &dir[1..]);
                let feed = parse_feed(&site, &file);
                feeds += 1;
                let links: Vec<String> = feed
                    .entries
                    .iter()
                    .map(|e| decoded(&e.links[0].href))
                    .collect();
                assert_eq!(links, expected, "{file}");
                // Stable, unique ids: the article's address.
                let ids: Vec<String> = feed.entries.iter().map(|e| decoded(&e.id)).collect();
                assert_eq!(ids, expected, "{file} ids");
                // RFC 3339 / RFC 822 dates read back as the same instants.
                let published: Vec<_> = feed.entries.iter().map(|e| e.published).collect();
                let want: Vec<_> = list
                    .iter()
                    .take(FEED_LIMIT)
                    .map(|&i| Some(items[i].date.with_timezone(&chrono::Utc)))
                    .collect();
                assert_eq!(published, want, "{file} dates");
                for link in &feed.links {
                    assert!(
                        link.href.starts_with(base),
                        "{file}: feed link {}",
                        link.href
                    );
                }
                for entry in &feed.entries {
                    assert!(entry.id.starts_with(base), "{file}: id {}", entry.id);
                    assert!(entry.published.is_some(), "{file}: dates parse");
                    let mut html = Vec::new();
                    html.extend(entry.content.as_ref().and_then(|c| c.body.clone()));
                    html.extend(entry.summary.as_ref().map(|s| s.content.clone()));
                    assert!(!html.is_empty(), "{file}: entry has HTML");
                    let body = html.join("\n");
                    assert!(body.contains(fixture::BODY_ONLY), "{file}: full content");
                    for url in html.iter().flat_map(|h| urls_in(h)) {
                        assert!(
                            url.starts_with(base) || url.starts_with("https://example.com/"),
                            "{file}: relative URL {url} in an entry"
                        );
                    }
                    for link in &entry.links {
                        assert!(link.href.starts_with("https://"), "{file}: {}", link.href);
                    }
                }
            }
        }
        // Site + 9 tags + 3 authors + 3 sources, three formats each.
        assert_eq!(feeds, 3 * (1 + 9 + 3 + 3), "feeds checked at {base}");
    }
}

#[test]
fn summary_feeds_carry_only_summaries() {
    let (site, items) = fixture::site(ROOT, "summary");
    site.build_ok();
    let mut entries = 0;
    for (dir, list, _) in feed_dirs(&site, ROOT, &items) {
        for name in ["atom.xml", "rss.xml", "feed.json"] {
            let file = format!("{}{name}", &dir[1..]);
            let text = site.read(&file);
            assert!(!text.contains(fixture::BODY_ONLY), "{file} holds a body");
            let feed = parse_feed(&site, &file);
            assert_eq!(feed.entries.len(), list.len().min(FEED_LIMIT), "{file}");
            for (entry, &i) in feed.entries.iter().zip(&list) {
                let html = entry
                    .content
                    .as_ref()
                    .and_then(|c| c.body.clone())
                    .or_else(|| entry.summary.as_ref().map(|s| s.content.clone()))
                    .expect("entry text");
                let got = Html::parse_fragment(&html)
                    .root_element()
                    .text()
                    .collect::<String>();
                // `&` and `<context>` in summaries come back as written: escaped once.
                assert_eq!(got.trim(), items[i].summary_text(), "{file}");
                entries += 1;
            }
        }
    }
    // Site 10, tags 10+10+10+10+8+7+2+1+1, authors 10 x 3, sources 10 x 3; three formats.
    assert_eq!(entries, 3 * (10 + 59 + 30 + 30));
}

#[test]
fn every_html_page_advertises_its_feeds() {
    let (site, items) = built(SUB);
    let term_dirs: BTreeSet<String> = feed_dirs(&site, SUB, &items)
        .into_iter()
        .map(|d| format!("/news{}", d.0))
        .collect();
    let mut pages = 0;
    for file in site.files().into_iter().filter(|f| f.ends_with(".html")) {
        let text = site.read(&file);
        if text.contains("http-equiv=\"refresh\"") {
            continue;
        }
        pages += 1;
        let doc = Html::parse_document(&text);
        let feeds: Vec<(String, String)> = attrs(&doc, "link[rel=alternate]", "type")
            .into_iter()
            .zip(hrefs(&doc, "link[rel=alternate]"))
            .collect();
        let mut want = Vec::new();
        // A term page (first page or later) also offers the term's own feeds, first.
        let dir = format!("/news/{}", file.trim_end_matches("index.html"));
        let list_dir = match dir.split_once("/page/") {
            Some((d, _)) => format!("{d}/"),
            None => dir,
        };
        if list_dir != "/news/" && term_dirs.contains(&list_dir) {
            want.extend(feed_set(&list_dir));
        }
        want.extend(feed_set("/news/"));
        assert_eq!(feeds, want, "{file}");
    }
    // 50 articles, 48 term pages (22 tags, 14 authors, 12 sources), 3 term lists, the archive,
    // 13 home pages, 53 period pages (14 years, 17 months, 22 days), the search page and the 404
    // page.
    assert_eq!(pages, 50 + 48 + 3 + 1 + 13 + 53 + 1 + 1);
}

fn feed_set(dir: &str) -> Vec<(String, String)> {
    vec![
        ("application/atom+xml".into(), format!("{dir}atom.xml")),
        ("application/rss+xml".into(), format!("{dir}rss.xml")),
        ("application/feed+json".into(), format!("{dir}feed.json")),
    ]
}

#[test]
fn article_pages_link_tags_day_neighbours_and_related() {
    let (site, items) = built(ROOT);
    let tag_paths: Vec<(String, String)> = fixture::terms(&items, "tags")
        .into_iter()
        .zip(term_list(&site, ROOT, "tags"))
        .map(|(term, listed)| (fixture::key(&term.name), listed.1))
        .collect();
    let tag_href = |name: &str| -> String {
        let k = fixture::key(name);
        let found = tag_paths.iter().find(|t| t.0 == k).expect("term");
        found.1.clone()
    };
    // Authors and sources by key: their term pages are checked against the fixture elsewhere.
    let term_href = |taxonomy: &str, name: &str| -> String {
        let k = fixture::key(name);
        let listed = term_list(&site, ROOT, taxonomy);
        listed
            .into_iter()
            .find(|t| fixture::key(&t.0) == k)
            .expect("term")
            .1
    };
    for (i, item) in items.iter().enumerate() {
        let doc = site.html(&file_of(&item.path()));
        let mut want_tags: Vec<String> = Vec::new();
        let mut keys = Vec::new();
        for tag in &item.tags {
            if !keys.contains(&fixture::key(tag)) {
                keys.push(fixture::key(tag));
                want_tags.push(tag_href(tag));
            }
        }
        let got_tags = hrefs(&doc, "footer.article-footer .tags a[rel=tag]");
        assert_eq!(got_tags, want_tags, "{}", item.path());
        for taxonomy in ["authors", "sources"] {
            let mut want: Vec<String> = Vec::new();
            for name in item.field(taxonomy) {
                let href = term_href(taxonomy, &name);
                if !want.contains(&href) {
                    want.push(href);
                }
            }
            let got = hrefs(&doc, &format!("footer.article-footer .terms-{taxonomy} a"));
            // The first link is the taxonomy's term list.
            let want: Vec<String> = match want.is_empty() {
                true => Vec::new(),
                false => std::iter::once(format!("/{taxonomy}/"))
                    .chain(want)
                    .collect(),
            };
            assert_eq!(got, want, "{taxonomy} of {}", item.path());
        }
        assert_eq!(
            hrefs(&doc, ".day-link a"),
            vec![fixture::day_path(item.day())]
        );
        let newer: Vec<String> = i
            .checked_sub(1)
            .map(|j| items[j].path())
            .into_iter()
            .collect();
        let older: Vec<String> = items.get(i + 1).map(|o| o.path()).into_iter().collect();
        assert_eq!(
            hrefs(&doc, "nav.article-nav a.newer"),
            newer,
            "{}",
            item.path()
        );
        assert_eq!(
            hrefs(&doc, "nav.article-nav a.older"),
            older,
            "{}",
            item.path()
        );
        assert_eq!(
            hrefs(&doc, "section.related .related-list a"),
            paths(&items, &fixture::related(&items, i)),
            "related of {}",
            item.path()
        );
    }
}

#[test]
fn related_articles_by_hand() {
    let (site, items) = built(ROOT);
    // Story 30 (1 March 2024, 00:30) is tagged PTI, Pakistan and K-Electric; no other story
    // has K-Electric, so the most any shares is two: PTI and Pakistan, the multiples of 6
    // (0, 6, 12, 18, 24, 36, 42, 48). By distance: 24 (29 Feb, 08:21: 16 hours), 36 (20 May:
    // 80 days), 42 (14 Aug: 166 days), 18 (12 June 2023: 263 days), 12 (10 June 2023: 265
    // days); 48 (27 Nov: 271 days) and 6 (2022) are left out.
    let doc = site.html("2024/03/01/story-30/index.html");
    let related: Vec<String> = texts(&doc, "section.related .related-list a");
    assert_eq!(
        related,
        vec![
            "Story 24: power cuts",
            "Story 36: monsoon rains",
            "Story 42: budget talks",
            "Story 18: court ruling",
            "Story 12: trade deal",
        ]
    );
    assert_eq!(items.len(), 50);
}

#[test]
fn the_sitemap_lists_every_page_with_the_newest_date_it_shows() {
    let (site, items) = built(ROOT);
    let xml = site.read("sitemap.xml");
    let listed = sitemap_entries(&xml);
    // Every HTML page but the 404 page, the search page (no content of its own) and redirects.
    let mut pages: BTreeSet<String> = BTreeSet::new();
    for file in site.files().into_iter().filter(|f| f.ends_with(".html")) {
        if file == "404.html"
            || file == "search/index.html"
            || site.read(&file).contains("http-equiv=\"refresh\"")
        {
            continue;
        }
        pages.insert(format!("/{}", file.trim_end_matches("index.html")));
    }
    let locs: BTreeSet<String> = listed.keys().cloned().collect();
    assert_eq!(locs, pages);

    // What each page shows, from the fixture: articles, list pages, overviews.
    let mut expected: BTreeMap<String, Option<DateTime<FixedOffset>>> = BTreeMap::new();
    let newest = |list: &[usize]| list.iter().map(|&i| items[i].lastmod()).max();
    for (i, item) in items.iter().enumerate() {
        expected.insert(item.path(), newest(&[i]));
    }
    let all: Vec<usize> = (0..items.len()).collect();
    let mut lists: Vec<(String, Vec<usize>, usize)> = vec![("/".into(), all.clone(), PAGINATE)];
    for (taxonomy, _) in TAXONOMIES {
        let terms = fixture::terms(&items, taxonomy);
        let tagged: Vec<usize> = terms.iter().flat_map(|t| t.articles.clone()).collect();
        expected.insert(format!("/{taxonomy}/"), newest(&tagged));
    }
    lists.extend(feed_dirs(&site, ROOT, &items).into_iter().skip(1));
    expected.insert("/archive/".into(), newest(&all));
    for periods in fixture::periods(&items) {
        for p in periods {
            lists.push((p.path, p.articles, PAGINATE));
        }
    }
    for (dir, list, per_page) in lists {
        for (path, on_page) in fixture::paginate(&dir, &list, per_page) {
            expected.insert(path, newest(&on_page));
        }
    }
    let mut compared = 0;
    for (path, want) in &expected {
        let got = listed
            .get(path)
            .unwrap_or_else(|| panic!("{path} not in the sitemap"));
        let got = got
            .as_deref()
            .map(|d| DateTime::parse_from_rfc3339(d).expect("lastmod is RFC 3339"));
        assert_eq!(got, *want, "lastmod of {path}");
        compared += 1;
    }
    assert_eq!(compared, locs.len());
}

/// Sitemap `<loc>` (as a decoded site path) -> `<lastmod>`.
fn sitemap_entries(xml: &str) -> BTreeMap<String, Option<String>> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut entries = BTreeMap::new();
    let mut open = String::new();
    let mut loc = String::new();
    let mut lastmod = None;
    loop {
        match reader.read_event().expect("sitemap is well-formed XML") {
            quick_xml::events::Event::Start(e) => {
                open = e.name().as_ref().to_string();
            }
            quick_xml::events::Event::Text(t) => {
                let text = t.xml10_content().to_string();
                match open.as_str() {
                    "loc" => loc = decoded(text.strip_prefix(ROOT).expect("absolute loc")),
                    "lastmod" => lastmod = Some(text),
                    _ => {}
                }
            }
            quick_xml::events::Event::End(e) if e.name().as_ref() == "url" => {
                entries.insert(format!("/{loc}"), lastmod.take());
                open.clear();
            }
            quick_xml::events::Event::End(_) => open.clear(),
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    entries
}

#[test]
fn every_internal_link_resolves_at_the_root_and_under_a_sub_path() {
    for base in [ROOT, SUB] {
        let (site, _) = built(base);
        let broken = common::broken_links(&site);
        assert!(
            broken.is_empty(),
            "{base}: {} broken:\n{}",
            broken.len(),
            broken.join("\n")
        );
        // Checked against the other base, the same output is broken: the checker really looks.
        let other = if base == ROOT { SUB } else { ROOT };
        assert!(!common::broken_links_in(&site.public(), other).is_empty());
    }
}

#[test]
fn the_link_checker_finds_what_is_broken() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write(
        "index.html",
        r##"<a href="/news/a/">ok</a> <a href="/news/missing/">missing</a>
        <a href="/a/">outside base</a> <a href="a/#top">ok fragment</a> <a href="a/#nope">bad fragment</a>
        <img src="/news/img.png"> <a href="https://example.org/news/a/">absolute ok</a>
        <a href="https://example.org/news/gone/">absolute missing</a> <a href="https://other.org/x">external</a>
        <a href="mailto:x@y.z">mail</a> <a href="#main">no such id</a> <a href="../../up">above</a>
        <a href="/news/%D8%B9/">encoded ok</a>"##,
    );
    write(
        "a/index.html",
        r#"<h1 id="top">A</h1><a href="../">up ok</a>"#,
    );
    write("ع/index.html", "x");
    let broken = common::broken_links_in(dir.path(), SUB);
    let values: Vec<&str> = broken
        .iter()
        .map(|b| b.split('"').nth(1).expect("value"))
        .collect();
    assert_eq!(
        values,
        vec![
            "/news/missing/",
            "/a/",
            "a/#nope",
            "/news/img.png",
            "https://example.org/news/gone/",
            "#main",
            "../../up",
        ],
        "{broken:#?}"
    );
}

#[test]
fn the_sample_digest_has_no_broken_links() {
    let site = TestSite::sample();
    site.build_ok();
    let broken = common::broken_links(&site);
    assert!(broken.is_empty(), "{}", broken.join("\n"));
    let out = site.run(&["build", "--base-url", SUB]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let broken = common::broken_links_in(&site.public(), SUB);
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}
