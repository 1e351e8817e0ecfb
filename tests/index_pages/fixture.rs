//! The index-pages fixture: 50 articles over three years, generated deterministically, and the
//! pages a reader should find, computed here from the generated data alone (never from Gazette's
//! own model), so the tests compare two independent answers.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc};

use crate::common::TestSite;

/// Site-wide articles per list page.
pub const PAGINATE: usize = 4;
/// Per-taxonomy overrides: tags 5, authors 3, sources the site's 4.
pub const TAXONOMIES: &[(&str, usize)] = &[("tags", 5), ("authors", 3), ("sources", PAGINATE)];
/// Articles per feed.
pub const FEED_LIMIT: usize = 10;
/// Text only the body (never the summary) holds, to tell full feeds from summary feeds.
pub const BODY_ONLY: &str = "BODY-ONLY-MARKER";

/// Karachi is UTC+5 all year (no daylight saving since 2009).
pub fn karachi() -> FixedOffset {
    FixedOffset::east_opt(5 * 3600).expect("offset")
}

/// Local days in Karachi with their number of articles: several years, months and days, days
/// with more articles than `paginate` (6 and 9), and a year boundary crossed only in local time.
const DAYS: &[(&str, usize)] = &[
    ("2022-03-14", 1),
    ("2022-03-20", 2),
    ("2022-07-04", 1),
    ("2022-07-05", 2),
    ("2022-12-31", 1),
    ("2023-01-01", 3),
    ("2023-01-15", 1),
    ("2023-06-10", 6),
    ("2023-06-11", 1),
    ("2023-06-12", 1),
    ("2023-11-27", 2),
    ("2024-02-29", 9),
    ("2024-03-01", 2),
    ("2024-05-01", 4),
    ("2024-05-20", 2),
    ("2024-08-14", 5),
    ("2024-11-26", 3),
    ("2024-11-27", 4),
];

const TOPICS: &[&str] = &[
    "budget talks",
    "monsoon rains",
    "cricket series",
    "power cuts",
    "court ruling",
    "trade deal",
    "fuel prices",
];

/// One generated article.
#[derive(Debug, Clone)]
pub struct Item {
    /// Generation number, oldest first.
    pub n: usize,
    pub title: String,
    pub slug: String,
    /// Publication time in Karachi.
    pub date: DateTime<FixedOffset>,
    pub updated: Option<DateTime<FixedOffset>>,
    /// Tags as written in the front matter.
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    pub source: Option<String>,
    pub source_url: Option<String>,
    /// Front-matter summary, if any (else the first paragraph is the summary).
    pub summary: Option<String>,
    /// `content/` folder of the Markdown file.
    pub folder: String,
    /// Has a `chart.png` beside it, shown in its first paragraph.
    pub chart: bool,
}

impl Item {
    /// Site path of the article page (default permalink, local date).
    pub fn path(&self) -> String {
        format!("{}{}/", day_path(self.day()), self.slug)
    }

    /// The local day.
    pub fn day(&self) -> NaiveDate {
        self.date.date_naive()
    }

    /// Newest of published and updated.
    pub fn lastmod(&self) -> DateTime<FixedOffset> {
        self.updated.map_or(self.date, |u| u.max(self.date))
    }

    /// The summary as text: the front-matter summary, else the first paragraph's text.
    pub fn summary_text(&self) -> String {
        if let Some(summary) = &self.summary {
            summary.clone()
        } else if self.chart {
            format!("Story {} in one chart:", self.n)
        } else if self.n == 5 {
            // The footnote reference reads as its number.
            "Officials confirmed the figures.1 More to follow.".to_string()
        } else {
            format!("First paragraph of story {}.", self.n)
        }
    }

    /// Values of a taxonomy's field.
    pub fn field(&self, taxonomy: &str) -> Vec<String> {
        match taxonomy {
            "tags" => self.tags.clone(),
            "authors" => self.authors.clone(),
            "sources" => self.source.iter().cloned().collect(),
            other => panic!("no taxonomy {other}"),
        }
    }

    fn markdown(&self, all: &[Item]) -> String {
        let mut fm = vec![
            format!("title: {}", json(&self.title)),
            format!("slug: {}", self.slug),
            format!(
                "date: {}",
                self.date.with_timezone(&Utc).format("%Y-%m-%dT%H:%M:%SZ")
            ),
            format!("tags: {}", json(&self.tags)),
        ];
        if let Some(updated) = self.updated {
            fm.push(format!(
                "updated: {}",
                updated.with_timezone(&Utc).format("%Y-%m-%dT%H:%M:%SZ")
            ));
        }
        match self.authors.as_slice() {
            [] => {}
            [one] => fm.push(format!("author: {}", json(one))),
            many => fm.push(format!("author: {}", json(&many))),
        }
        if let Some(source) = &self.source {
            fm.push(format!("source: {}", json(source)));
        }
        if let Some(url) = &self.source_url {
            fm.push(format!("source_url: {}", json(url)));
        }
        if let Some(summary) = &self.summary {
            fm.push(format!("summary: {}", json(summary)));
        }
        let first = if self.chart {
            format!(
                "Story {} in one chart: ![Chart of the figures](chart.png)",
                self.n
            )
        } else if self.n == 5 {
            "Officials confirmed the figures.[^1] More to follow.".to_string()
        } else {
            format!("First paragraph of story {}.", self.n)
        };
        let neighbour = &all[(self.n + 1) % all.len()];
        let mut body = format!(
            "{first}\n\n{BODY_ONLY} {n}: see [PTI coverage](/tags/pti/), [the day's digest](../), \
             [the next story]({next}), [عمران خان](/tags/عمران-خان/) and \
             [elsewhere](https://example.com/story/{n}).\n",
            n = self.n,
            next = neighbour.path(),
        );
        if self.n == 5 {
            body.push_str("\n[^1]: Source: the ministry.\n");
        }
        format!("---\n{}\n---\n{body}", fm.join("\n"))
    }
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("json")
}

/// `/2024/11/27/`.
pub fn day_path(day: NaiveDate) -> String {
    format!("/{:04}/{:02}/{:02}/", day.year(), day.month(), day.day())
}

/// The 50 articles, newest first.
pub fn items() -> Vec<Item> {
    let mut items = Vec::new();
    let mut n = 0;
    for (day, count) in DAYS {
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("day");
        for k in 0..*count {
            // 00:30, 03:07, ... local: early ones fall on the previous day in UTC.
            let minutes = 30 + 157 * k as i64;
            let naive = day.and_hms_opt(0, 0, 0).expect("midnight") + Duration::minutes(minutes);
            let date = karachi()
                .from_local_datetime(&naive)
                .single()
                .expect("date");
            items.push(generate(n, date));
            n += 1;
        }
    }
    assert_eq!(items.len(), 50, "the fixture promises 50 articles");
    // Article 8 cites article 3's page as its source, a site path.
    let cited = items[3].path();
    items[8].source_url = Some(cited);
    items.reverse();
    items
}

fn generate(n: usize, date: DateTime<FixedOffset>) -> Item {
    let mut tags = Vec::new();
    if n.is_multiple_of(3) {
        tags.push(["PTI", "pti", "PTI", " Pti "][(n / 3) % 4].to_string());
    }
    if n.is_multiple_of(2) {
        tags.push("Pakistan".into());
    }
    if n % 5 == 1 {
        tags.push("Economy".into());
    }
    if n % 10 == 2 {
        tags.push("ECONOMY".into());
    }
    if n % 7 == 3 {
        tags.push("Cricket".into());
    }
    if n % 4 == 1 {
        tags.push("عمران خان".into());
    }
    if n % 6 == 5 {
        tags.push("巴基斯坦".into());
    }
    if n == 10 || n == 20 {
        tags.push("K Electric".into());
    }
    if n == 30 {
        tags.push("K-Electric".into());
    }
    if n == 15 {
        tags.push("!!!".into());
    }
    if n == 12 {
        // The same tag twice in one article counts once.
        tags.push("  pti".into());
    }
    let authors: Vec<String> = match (n, n % 4) {
        (26, _) => vec!["Chen Wei".into(), "ayesha  khan".into()],
        (_, 0) => vec!["Ayesha Khan".into()],
        (_, 1) => vec!["Bilal Ahmed".into()],
        (_, 2) => vec!["Chen Wei".into()],
        _ => Vec::new(),
    };
    let source = (n % 10 != 9).then(|| ["Dawn", "Geo News", "Xinhua"][n % 3].to_string());
    let source_url = source
        .as_ref()
        .map(|_| format!("https://news.example.com/{n}"));
    Item {
        n,
        title: format!("Story {n:02}: {}", TOPICS[n % TOPICS.len()]),
        slug: format!("story-{n:02}"),
        date,
        updated: (n % 11 == 4).then(|| date + Duration::days(3)),
        tags,
        authors,
        source,
        source_url,
        summary: (n % 3 == 1).then(|| format!("Summary of story {n} & its <context>.")),
        folder: if n == 17 {
            "charts".into()
        } else {
            format!("{:04}/{:02}", date.year(), date.month())
        },
        chart: n == 17,
    }
}

/// `site.toml` for the fixture.
pub fn site_toml(base_url: &str, feed_content: &str) -> String {
    format!(
        r#"title = "Index Test"
base_url = "{base_url}"
description = "The index pages fixture"
paginate = {PAGINATE}
timezone = "Asia/Karachi"
feed_limit = {FEED_LIMIT}
feed_content = "{feed_content}"

[[taxonomies]]
name = "tags"
paginate = 5

[[taxonomies]]
name = "authors"
field = "author"
paginate = 3

[[taxonomies]]
name = "sources"
field = "source"
"#
    )
}

/// A site holding the fixture.
pub fn site(base_url: &str, feed_content: &str) -> (TestSite, Vec<Item>) {
    let site = TestSite::new(&site_toml(base_url, feed_content));
    let items = items();
    let mut oldest_first = items.clone();
    oldest_first.reverse();
    for item in &items {
        site.write(
            &format!("content/{}/{}.md", item.folder, item.slug),
            item.markdown(&oldest_first),
        );
        if item.chart {
            site.write(
                &format!("content/{}/chart.png", item.folder),
                b"\x89PNG fake",
            );
        }
    }
    (site, items)
}

/// The grouping key of a term: trimmed, inner spaces collapsed, lowercase.
pub fn key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// One expected term.
#[derive(Debug, Clone)]
pub struct Term {
    /// Most common spelling (trimmed, spaces collapsed).
    pub name: String,
    /// Articles (indices into the newest-first items), newest first.
    pub articles: Vec<usize>,
}

/// The terms of a taxonomy, by count (descending) then name (case-insensitively).
pub fn terms(items: &[Item], taxonomy: &str) -> Vec<Term> {
    let mut groups: BTreeMap<String, (HashMap<String, usize>, Vec<usize>)> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let mut seen = Vec::new();
        for value in item.field(taxonomy) {
            let k = key(&value);
            if k.is_empty() || seen.contains(&k) {
                continue;
            }
            seen.push(k.clone());
            let group = groups.entry(k).or_default();
            let spelling = value.split_whitespace().collect::<Vec<_>>().join(" ");
            *group.0.entry(spelling).or_default() += 1;
            group.1.push(i);
        }
    }
    let mut terms: Vec<(String, Term)> = groups
        .into_iter()
        .map(|(k, (spellings, articles))| {
            let mut spellings: Vec<(String, usize)> = spellings.into_iter().collect();
            spellings.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let counts: Vec<usize> = spellings.iter().map(|s| s.1).collect();
            assert!(
                counts.len() < 2 || counts[0] > counts[1],
                "the fixture must not tie spellings: {spellings:?}"
            );
            (
                k,
                Term {
                    name: spellings[0].0.clone(),
                    articles,
                },
            )
        })
        .collect();
    terms.sort_by(|a, b| {
        b.1.articles
            .len()
            .cmp(&a.1.articles.len())
            .then(a.0.cmp(&b.0))
    });
    terms.into_iter().map(|(_, t)| t).collect()
}

/// Expected slugs for the readable terms (by display name).
pub fn expected_slug(taxonomy: &str, name: &str) -> Option<&'static str> {
    Some(match (taxonomy, name) {
        ("tags", "PTI") => "pti",
        ("tags", "Pakistan") => "pakistan",
        ("tags", "Economy") => "economy",
        ("tags", "Cricket") => "cricket",
        ("tags", "عمران خان") => "عمران-خان",
        ("tags", "巴基斯坦") => "巴基斯坦",
        // Both spellings make `k-electric`; the one whose key sorts first keeps it.
        ("tags", "K Electric") => "k-electric",
        ("tags", "K-Electric") => "k-electric-2",
        ("authors", "Ayesha Khan") => "ayesha-khan",
        ("authors", "Bilal Ahmed") => "bilal-ahmed",
        ("authors", "Chen Wei") => "chen-wei",
        ("sources", "Dawn") => "dawn",
        ("sources", "Geo News") => "geo-news",
        ("sources", "Xinhua") => "xinhua",
        _ => return None,
    })
}

/// A paginated list split into pages: (site path of each page, items on it).
pub fn paginate(dir: &str, items: &[usize], per_page: usize) -> Vec<(String, Vec<usize>)> {
    let mut pages: Vec<(String, Vec<usize>)> = items
        .chunks(per_page)
        .enumerate()
        .map(|(i, chunk)| {
            let path = if i == 0 {
                dir.to_string()
            } else {
                format!("{dir}page/{}/", i + 1)
            };
            (path, chunk.to_vec())
        })
        .collect();
    if pages.is_empty() {
        pages.push((dir.to_string(), Vec::new()));
    }
    pages
}

/// One archive period: its site path and its articles, newest first.
#[derive(Debug, Clone)]
pub struct Period {
    pub path: String,
    pub articles: Vec<usize>,
}

/// Years, months and days with articles, each newest first.
pub fn periods(items: &[Item]) -> [Vec<Period>; 3] {
    let mut years: Vec<Period> = Vec::new();
    let mut months: Vec<Period> = Vec::new();
    let mut days: Vec<Period> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let d = item.day();
        let keys = [
            format!("/{:04}/", d.year()),
            format!("/{:04}/{:02}/", d.year(), d.month()),
            day_path(d),
        ];
        for (list, path) in [&mut years, &mut months, &mut days].into_iter().zip(keys) {
            match list.last_mut() {
                Some(p) if p.path == path => p.articles.push(i),
                _ => list.push(Period {
                    path,
                    articles: vec![i],
                }),
            }
        }
    }
    [years, months, days]
}

/// Up to 5 related articles: most shared tags, then closest date, then newest.
pub fn related(items: &[Item], i: usize) -> Vec<usize> {
    let keys = |item: &Item| -> Vec<String> {
        let mut keys: Vec<String> = item.tags.iter().map(|t| key(t)).collect();
        keys.sort();
        keys.dedup();
        keys
    };
    let mine = keys(&items[i]);
    let mut candidates: Vec<(usize, usize, i64)> = items
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .map(|(j, other)| {
            let shared = keys(other).iter().filter(|k| mine.contains(k)).count();
            let distance = (other.date - items[i].date).num_seconds().abs();
            (j, shared, distance)
        })
        .filter(|c| c.1 > 0)
        .collect();
    candidates.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)).then(a.0.cmp(&b.0)));
    candidates.into_iter().take(5).map(|c| c.0).collect()
}
