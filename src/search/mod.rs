//! The search index (`/search-index.json`): what the search page's script needs to find articles
//! by the words of their title, summary, tags and body, serialised with serde_json.
//!
//! Built for size. Titles, summaries and tags are stored once per article (the script shows them
//! and searches them directly). Body words go into a sorted dictionary, each word with the list of
//! articles that use it: article numbers as gaps from the previous one, each gap a base-32 varint
//! written with URL-safe characters, so a word used by many articles costs about one character per
//! article. A body word already in the article's title, summary or tags is not repeated there,
//! and a word used by more than half of all articles (`the`, `and`) lists the articles that do
//! *not* use it instead, after a `!`: whichever list is shorter. A build carries the postings
//! over to the next one ([`postings`], [`Memory`]).

use std::borrow::Cow;
use std::sync::{Mutex, PoisonError};

use chrono::Datelike;
use rayon::prelude::*;
use serde::Serialize;

use crate::fingerprint::Fingerprint;
use crate::site::Site;
use crate::urls::Urls;
use crate::words::words;

mod postings;

pub use postings::Kept;
use postings::{Words, complement};
#[cfg(test)]
use postings::{decode, encode};

/// Version of the index format; the script refuses an index of another version.
pub const FORMAT: u32 = 2;

/// The index as written.
#[derive(Debug, Serialize)]
struct Index<'a> {
    /// [`FORMAT`].
    v: u32,
    /// Href of the site root (`/news/`); every `url` below is relative to it.
    base: String,
    /// Tags as `[name, url]`; articles refer to them by position.
    tags: Vec<(&'a str, String)>,
    /// Articles, newest first: `[url, title, date (YYYY-MM-DD), summary, [tag numbers]]`.
    docs: Vec<(String, &'a str, String, &'a str, &'a [usize])>,
    /// Body words, sorted.
    words: Vec<&'a str>,
    /// For each of `words`, the articles using it, or `!` and those not using it (see the module
    /// header).
    postings: Vec<Cow<'a, str>>,
}

/// Where the postings of the last index come from, asked the first time an index is made.
pub type Earlier = Box<dyn FnOnce() -> Option<Kept> + Send>;

/// The postings one index is made from, carried between builds ([`postings`]): what the last
/// build kept, and what this one made, for the caller to keep.
pub struct Memory {
    /// Each article's print (by index in the plan), the fingerprint of all it is loaded as.
    prints: Vec<u128>,
    earlier: Mutex<Option<Earlier>>,
    made: Mutex<Option<Kept>>,
}

impl Memory {
    /// A memory for a site whose articles have these `prints` (by index in the plan), offered
    /// the postings `earlier` gives.
    pub fn new(prints: Vec<u128>, earlier: Option<Earlier>) -> Memory {
        Memory {
            prints,
            earlier: Mutex::new(earlier),
            made: Mutex::new(None),
        }
    }

    /// What the last index made was made from, to keep for the next build (None when no index
    /// was made).
    pub fn take(&self) -> Option<Kept> {
        self.made
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    fn earlier(&self) -> Option<Kept> {
        let load = self
            .earlier
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        load.and_then(|load| load())
    }
}

/// The search index of the site as JSON bytes.
pub fn index(site: &Site, urls: &Urls) -> Result<Vec<u8>, String> {
    index_with(site, urls, None)
}

/// [`index`], with the postings of the last index taken from `memory` (when its articles are
/// still the same at the end) and this one's left there.
pub fn index_with(site: &Site, urls: &Urls, memory: Option<&Memory>) -> Result<Vec<u8>, String> {
    let base = urls.path("/");
    let relative = |site_path: &str| {
        let href = urls.path(site_path);
        match href.strip_prefix(&base) {
            Some(rest) => rest.to_string(),
            None => href,
        }
    };
    let tag_terms = site.taxonomies.first().map_or(&[][..], |t| &t.terms[..]);
    let tags = tag_terms
        .iter()
        .map(|t| (t.name.as_str(), relative(&t.path)))
        .collect();
    let terms: Vec<Vec<usize>> = (0..site.articles.len())
        .map(|n| doc_tags(site, n))
        .collect();

    let docs: Vec<_> = site
        .articles
        .par_iter()
        .zip(&terms)
        .map(|(article, terms)| {
            (
                relative(&article.path),
                article.title.as_str(),
                day_of(&article.date),
                article.summary.as_str(),
                terms.as_slice(),
            )
        })
        .collect();

    let term_words: Vec<Vec<String>> = tag_terms.iter().map(|t| words(&t.name)).collect();
    // The body words of the first `count` articles (read from the build cache's log for the
    // articles taken from there).
    let read = |count: usize| -> Result<Vec<Cow<'_, str>>, String> {
        site.articles
            .get(..count)
            .unwrap_or_default()
            .par_iter()
            .map(body_words)
            .collect()
    };
    let memory = memory.filter(|m| m.prints.len() == site.articles.len());
    let prints = memory.map(|m| search_prints(site, &m.prints, &terms));
    let earlier = match (memory, &prints) {
        (Some(memory), Some(prints)) => memory
            .earlier()
            .and_then(|kept| Some((postings::head(&kept, prints)?, kept))),
        _ => None,
    };
    let carried = match earlier {
        Some((head, kept)) => {
            let bodies = read(head.0)?;
            let words = Words::new((&term_words, &terms), &bodies);
            postings::moved(kept, head, &words).transpose()?
        }
        None => None,
    };
    let postings = match carried {
        Some(postings) => postings,
        None => postings::all(&Words::new(
            (&term_words, &terms),
            &read(site.articles.len())?,
        ))?,
    };

    let total = u32::try_from(docs.len()).map_err(|_| "too many articles to index".to_string())?;
    let written: Vec<Cow<'_, str>> = postings
        .par_iter()
        .map(|(_, posting)| {
            if posting.count as usize * 2 > total as usize {
                Cow::Owned(complement(&posting.encoded, total))
            } else {
                Cow::Borrowed(posting.encoded.as_str())
            }
        })
        .collect();
    let index = Index {
        v: FORMAT,
        base,
        tags,
        docs,
        words: postings.iter().map(|(word, _)| word.as_str()).collect(),
        postings: written,
    };
    // Room for the whole index at once: grown by doubling, the buffer was copied a dozen times
    // into fresh memory (35 MB at 100,000 articles).
    let room = index
        .docs
        .iter()
        .map(|d| d.0.len() + d.1.len() + d.3.len() + 40)
        .sum::<usize>()
        + index.words.iter().map(|w| w.len() + 3).sum::<usize>()
        + index.postings.iter().map(|p| p.len() + 3).sum::<usize>()
        + index
            .tags
            .iter()
            .map(|t| t.0.len() + t.1.len() + 8)
            .sum::<usize>()
        + 64;
    let mut bytes = Vec::with_capacity(room);
    serde_json::to_writer(&mut bytes, &index).map_err(|e| format!("search index: {e}"))?;
    drop(index);
    if let (Some(memory), Some(prints)) = (memory, prints) {
        *memory.made.lock().unwrap_or_else(PoisonError::into_inner) = Some(Kept {
            prints,
            words: postings,
        });
    }
    Ok(bytes)
}

/// An article's body words: found at load and kept with it (in the build cache's log, for an
/// article taken from there), or, for an article made without loading (in a test), found here.
fn body_words(article: &crate::content::Article) -> Result<Cow<'_, str>, String> {
    if article.search_words.is_empty() && !article.body_html.is_empty() {
        let body = article.body_html.text()?;
        let found = crate::words::body_words(&body, &[&article.title, &article.summary]);
        return Ok(Cow::Owned(found));
    }
    article.search_words.text()
}

/// The day of `date` as `%Y-%m-%d` writes it, without parsing the format for each article.
fn day_of(date: &chrono::DateTime<chrono::FixedOffset>) -> String {
    match date.year() {
        year @ 0..=9999 => format!("{year:04}-{:02}-{:02}", date.month(), date.day()),
        _ => date.format("%Y-%m-%d").to_string(),
    }
}

/// Each article's search print: its print (all it was loaded as, body words included) with the
/// names of the tags the index shows it with (a body word in them is left out of its postings).
fn search_prints(site: &Site, prints: &[u128], terms: &[Vec<usize>]) -> Vec<u128> {
    let names = site.taxonomies.first().map_or(&[][..], |t| &t.terms[..]);
    prints
        .par_iter()
        .zip(terms)
        .map(|(print, terms)| {
            let mut f = Fingerprint::new();
            f.num(*print);
            for term in terms {
                f.str(names.get(*term).map_or("", |t| t.name.as_str()));
            }
            f.finish()
        })
        .collect()
}

/// Article number `n`'s tags, as numbers of the first taxonomy's terms.
fn doc_tags(site: &Site, n: usize) -> Vec<usize> {
    site.links
        .get(n)
        .and_then(|l| l.terms.first())
        .cloned()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::content::Article;
    use crate::site::{PlanOptions, plan};

    fn article(name: &str, date: &str, tags: &[&str], body: &str) -> crate::content::Article {
        let mut a = crate::site::tests::article(name, date, tags);
        a.title = format!("{name} headline");
        a.summary = format!("Summary of {name}.");
        a.body_html = body.into();
        a
    }

    #[test]
    fn the_index_holds_every_article_and_its_body_words() {
        let articles = vec![
            article(
                "older",
                "2024-11-26T10:00:00Z",
                &["Lahore"],
                "<p>Smog in Lahore &amp; rain</p>",
            ),
            article(
                "newer",
                "2024-11-27T10:00:00Z",
                &["PTI", "Lahore"],
                "<p>Rally; smog again</p>",
            ),
        ];
        let config = Config {
            base_url: "https://example.org/news/".into(),
            ..Config::default()
        };
        let options = PlanOptions {
            drafts: false,
            now: chrono::Utc::now(),
        };
        let site = plan(articles, config, &options).unwrap();
        let urls = Urls::new("https://example.org/news/");
        let json: serde_json::Value =
            serde_json::from_slice(&index(&site, &urls).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "v": 2,
                "base": "/news/",
                "tags": [["Lahore", "tags/lahore/"], ["PTI", "tags/pti/"]],
                "docs": [
                    ["2024/11/27/newer/", "newer headline", "2024-11-27", "Summary of newer.", [1, 0]],
                    ["2024/11/26/older/", "older headline", "2024-11-26", "Summary of older.", [0]]
                ],
                // `lahore` is a tag of both, `newer`/`older` in their titles: not repeated.
                "words": ["again", "in", "rain", "rally", "smog"],
                // `smog` is in both articles: stored as "all but none".
                "postings": ["0", "1", "1", "0", "!"],
            })
        );
    }

    #[test]
    fn an_index_carries_the_last_postings_over_while_its_last_articles_stay() {
        let older = article(
            "older",
            "2024-11-26T10:00:00Z",
            &["Lahore"],
            "<p>Smog, Lahore rain</p>",
        );
        let newer = article(
            "newer",
            "2024-11-27T10:00:00Z",
            &["PTI"],
            "<p>Rally; smog</p>",
        );
        let options = PlanOptions {
            drafts: false,
            now: chrono::Utc::now(),
        };
        let urls = Urls::new("https://example.org/news/");
        let first = plan(vec![older.clone()], Config::default(), &options).unwrap();
        let memory = Memory::new(vec![1], None);
        let alone = index_with(&first, &urls, Some(&memory)).unwrap();
        assert_eq!(alone, index(&first, &urls).unwrap());
        let kept = memory.take().unwrap();
        assert_eq!(kept.words.len(), 2, "rain and smog: lahore is a tag");

        let second = plan(vec![older, newer], Config::default(), &options).unwrap();
        let whole = index(&second, &urls).unwrap();
        let offered = |kept: Kept, prints: Vec<u128>| {
            let memory = Memory::new(prints, Some(Box::new(move || Some(kept))));
            let made = index_with(&second, &urls, Some(&memory)).unwrap();
            (made, memory.take().unwrap())
        };
        let (made, next) = offered(kept.clone(), vec![2, 1]);
        assert_eq!(made, whole);
        let fresh = Memory::new(vec![2, 1], None);
        index_with(&second, &urls, Some(&fresh)).unwrap();
        assert_eq!(Some(next), fresh.take());
        // A word only the kept postings know shows that they were used, moved by one.
        let mut planted = kept.clone();
        let mut posting = postings::Posting::default();
        posting.push(0);
        planted.words.push(("zebra".into(), posting));
        let (made, _) = offered(planted.clone(), vec![2, 1]);
        let json: serde_json::Value = serde_json::from_slice(&made).unwrap();
        assert_eq!(json["words"].as_array().unwrap().last().unwrap(), "zebra");
        assert_eq!(json["postings"].as_array().unwrap().last().unwrap(), "1");
        // The older article is not what it was: nothing is carried.
        let (made, _) = offered(planted, vec![2, 3]);
        assert_eq!(made, whole);
    }

    #[test]
    fn days_are_written_as_the_date_format_writes_them() {
        for text in [
            "2024-11-27T23:30:00-05:00",
            "0005-01-02T00:00:00Z",
            "+12345-06-07T00:00:00Z",
            "-0001-12-31T00:00:00Z",
        ] {
            let date = chrono::DateTime::parse_from_rfc3339(text)
                .or_else(|_| text.parse::<chrono::DateTime<chrono::FixedOffset>>())
                .unwrap();
            assert_eq!(day_of(&date), date.format("%Y-%m-%d").to_string(), "{text}");
        }
    }

    #[test]
    fn words_found_at_load_make_the_same_index_as_words_found_here() {
        let articles = vec![
            article(
                "a",
                "2024-11-26T10:00:00Z",
                &["x"],
                "<p>Smog &amp; Zürich rain</p>",
            ),
            article(
                "b",
                "2024-11-27T10:00:00Z",
                &["y"],
                "<p>Rally, smog: again</p>",
            ),
        ];
        let options = PlanOptions {
            drafts: false,
            now: chrono::Utc::now(),
        };
        let urls = Urls::new("/");
        let here = plan(articles.clone(), Config::default(), &options).unwrap();
        let loaded: Vec<Article> = articles
            .into_iter()
            .map(|mut a| {
                let body = a.body_html.html().unwrap().into_owned();
                a.search_words = crate::words::body_words(&body, &[&a.title, &a.summary]).into();
                a
            })
            .collect();
        assert!(loaded.iter().all(|a| !a.search_words.is_empty()));
        let at_load = plan(loaded, Config::default(), &options).unwrap();
        assert_eq!(
            index(&here, &urls).unwrap(),
            index(&at_load, &urls).unwrap()
        );
    }

    #[test]
    fn words_in_most_articles_list_the_others() {
        let articles: Vec<_> = (0..20)
            .map(|i| {
                let body = match i % 4 {
                    0 => "<p>the rare word</p>",
                    1 => "<p>a short one</p>",
                    _ => "<p>the</p>",
                };
                article(
                    &format!("a{i}"),
                    &format!("2024-11-{:02}T10:00:00Z", i + 1),
                    &[],
                    body,
                )
            })
            .collect();
        let site = plan(
            articles,
            Config::default(),
            &PlanOptions {
                drafts: false,
                now: chrono::Utc::now(),
            },
        )
        .unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&index(&site, &Urls::new("https://example.org/")).unwrap())
                .unwrap();
        assert_eq!(
            json["words"],
            serde_json::json!(["one", "rare", "short", "the", "word"])
        );
        // Newest first: a19 is article 0; bodies with `rare` are a0, a4, ... a16.
        assert_eq!(
            decode(json["postings"][1].as_str().unwrap()),
            [3, 7, 11, 15, 19]
        );
        // `the` is in 15 of 20 articles: stored as the 5 without it (a17, a13, ... a1).
        let the = json["postings"][3].as_str().unwrap();
        assert_eq!(
            the.strip_prefix('!').map(decode),
            Some(vec![2, 6, 10, 14, 18])
        );
        assert_eq!(
            complement(&encode(&[0, 2, 3]), 6),
            format!("!{}", encode(&[1, 4, 5]))
        );
        assert_eq!(complement("", 2), format!("!{}", encode(&[0, 1])));
        assert_eq!(complement(&encode(&[0, 1]), 2), "!");
        let some: Vec<u32> = (0..3000).filter(|n| n % 7 != 3 && n % 11 != 0).collect();
        let rest: Vec<u32> = (0..3000).filter(|n| n % 7 == 3 || n % 11 == 0).collect();
        assert_eq!(
            complement(&encode(&some), 3000),
            format!("!{}", encode(&rest))
        );
    }
}
