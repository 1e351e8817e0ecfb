//! The search index (`/search-index.json`): what the search page's script needs to find articles
//! by the words of their title, summary, tags and body, serialised with serde_json.
//!
//! Built for size. Titles, summaries and tags are stored once per article (the script shows them
//! and searches them directly). Body words go into a sorted dictionary, each word with the list of
//! articles that use it: article numbers as gaps from the previous one, each gap a base-32 varint
//! written with URL-safe characters, so a word used by many articles costs about one character per
//! article. A body word already in the article's title, summary or tags is not repeated there,
//! and a word used by more than half of all articles (`the`, `and`) lists the articles that do
//! *not* use it instead, after a `!`: whichever list is shorter.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::site::Site;
use crate::urls::Urls;
use crate::words::words;

/// Version of the index format; the script refuses an index of another version.
pub const FORMAT: u32 = 2;

/// Digits of the posting encoding: the first 32 end a number, the last 32 carry 5 more bits.
const DIGITS: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

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
    docs: Vec<(String, &'a str, String, &'a str, Vec<usize>)>,
    /// Body words, sorted.
    words: Vec<String>,
    /// For each of `words`, the articles using it, or `!` and those not using it (see the module
    /// header).
    postings: Vec<String>,
}

/// The search index of the site as JSON bytes.
pub fn index(site: &Site, urls: &Urls) -> Result<Vec<u8>, String> {
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

    let docs: Vec<_> = site
        .articles
        .par_iter()
        .enumerate()
        .map(|(n, article)| {
            (
                relative(&article.path),
                article.title.as_str(),
                article.date.format("%Y-%m-%d").to_string(),
                article.summary.as_str(),
                doc_tags(site, n),
            )
        })
        .collect();

    // An article made without loading (in a test) has its body words found here.
    let found: Vec<Option<String>> = site
        .articles
        .par_iter()
        .map(|a| {
            if a.search_words.is_empty() && !a.body_html.is_empty() {
                let body = a.body_html.html()?;
                Ok(Some(crate::words::body_words(
                    &body,
                    &[&a.title, &a.summary],
                )))
            } else {
                Ok(None)
            }
        })
        .collect::<Result<_, String>>()?;
    // One article after another straight into the postings, words borrowed from the articles
    // as bytes and hashed with FxHash: owned words, SipHash, `str::split` and a list of words
    // per article each cost more than the postings themselves. A word of the article's tags is
    // marked in its posting before the article's words go in, instead of every word being
    // looked for among the tag words.
    let tag_words: Vec<Vec<String>> = tag_terms.iter().map(|t| words(&t.name)).collect();
    let mut postings: FxHashMap<&[u8], Posting> = FxHashMap::default();
    for (n, article) in site.articles.iter().enumerate() {
        let number = u32::try_from(n).map_err(|_| "too many articles to index".to_string())?;
        let mark = number.checked_add(1).ok_or("too many articles to index")?;
        for word in doc_tags(site, n)
            .iter()
            .filter_map(|&t| tag_words.get(t))
            .flatten()
        {
            postings.entry(word.as_bytes()).or_default().shown_by = mark;
        }
        let body = match found.get(n) {
            Some(Some(words)) => words.as_str(),
            _ => article.search_words.as_str(),
        };
        for word in body.as_bytes().split(|&b| b == b' ') {
            if word.is_empty() {
                continue;
            }
            let posting = postings.entry(word).or_default();
            if posting.shown_by != mark {
                posting.push(number);
            }
        }
    }
    // Words split from text at spaces are text; a tag word no body used has no posting.
    let mut postings: Vec<(&str, Posting)> = postings
        .into_iter()
        .filter(|(_, posting)| posting.count > 0)
        .filter_map(|(word, posting)| Some((std::str::from_utf8(word).ok()?, posting)))
        .collect();
    postings.sort_unstable_by(|a, b| a.0.cmp(b.0));

    let total = u32::try_from(docs.len()).map_err(|_| "too many articles to index".to_string())?;
    let (words, postings) = postings
        .into_par_iter()
        .map(|(word, posting)| {
            let encoded = if posting.count as usize * 2 > total as usize {
                format!("!{}", encode(&complement(&decode(&posting.encoded), total)))
            } else {
                posting.encoded
            };
            (word.to_string(), encoded)
        })
        .unzip();
    let index = Index {
        v: FORMAT,
        base,
        tags,
        docs,
        words,
        postings,
    };
    serde_json::to_vec(&index).map_err(|e| format!("search index: {e}"))
}

/// Article number `n`'s tags, as numbers of the first taxonomy's terms.
fn doc_tags(site: &Site, n: usize) -> Vec<usize> {
    site.links
        .get(n)
        .and_then(|l| l.terms.first())
        .cloned()
        .unwrap_or_default()
}

/// The article numbers below `total` that are not in `numbers` (ascending).
fn complement(numbers: &[u32], total: u32) -> Vec<u32> {
    let mut missing = Vec::with_capacity(total as usize - numbers.len().min(total as usize));
    let mut next = numbers.iter().peekable();
    for n in 0..total {
        if next.peek() == Some(&&n) {
            next.next();
        } else {
            missing.push(n);
        }
    }
    missing
}

/// The articles using one word, encoded as they are added (a byte or two per article instead of
/// four: the postings of a large site are most of the index's memory).
#[derive(Debug, Default)]
struct Posting {
    /// [`encode`] of the numbers so far.
    encoded: String,
    /// The last number added.
    last: u32,
    /// How many numbers were added.
    count: u32,
    /// One more than the number of the article whose tags show this word, while its words go
    /// in: the article is not added.
    shown_by: u32,
}

impl Posting {
    /// Adds `n`, greater than every number added before.
    fn push(&mut self, n: u32) {
        let gap = if self.count == 0 { n } else { n - self.last };
        push_gap(&mut self.encoded, gap);
        self.last = n;
        self.count += 1;
    }
}

/// Ascending article numbers as gaps, each a base-32 varint (most significant group first).
fn encode(numbers: &[u32]) -> String {
    let mut out = String::new();
    let mut previous = 0;
    for (i, &n) in numbers.iter().enumerate() {
        let gap = if i == 0 { n } else { n - previous };
        previous = n;
        push_gap(&mut out, gap);
    }
    out
}

/// One gap of [`encode`].
fn push_gap(out: &mut String, gap: u32) {
    let mut groups = [0usize; 7];
    let mut len = 0;
    let mut rest = gap;
    loop {
        if let Some(slot) = groups.get_mut(len) {
            *slot = (rest & 31) as usize;
        }
        len += 1;
        rest >>= 5;
        if rest == 0 {
            break;
        }
    }
    for j in (0..len.min(groups.len())).rev() {
        let group = groups.get(j).copied().unwrap_or(0);
        let digit = if j == 0 { group } else { group + 32 };
        out.push(char::from(DIGITS.get(digit).copied().unwrap_or(b'0')));
    }
}

/// The numbers of an [`encode`]d string (the inverse of [`encode`]).
fn decode(text: &str) -> Vec<u32> {
    let mut value_of = [0u32; 256];
    for (value, digit) in (0u32..).zip(DIGITS.iter()) {
        if let Some(slot) = value_of.get_mut(usize::from(*digit)) {
            *slot = value;
        }
    }
    let mut numbers = Vec::new();
    let (mut value, mut previous) = (0u32, 0u32);
    for c in text.bytes() {
        let digit = value_of.get(usize::from(c)).copied().unwrap_or(0);
        value = value.wrapping_mul(32).wrapping_add(digit & 31);
        if digit < 32 {
            previous = previous.wrapping_add(value);
            numbers.push(previous);
            value = 0;
        }
    }
    numbers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::content::Article;
    use crate::site::{PlanOptions, plan};

    #[test]
    fn postings_built_one_number_at_a_time_match_encode() {
        let numbers = [3, 4, 40, 41, 1100, 40_000, 1_000_000, u32::MAX];
        let mut posting = Posting::default();
        for n in numbers {
            posting.push(n);
        }
        assert_eq!(posting.encoded, encode(&numbers));
        assert_eq!(posting.count, 8);
        assert_eq!(decode(&posting.encoded), numbers);
    }

    #[test]
    fn postings_round_trip_and_are_short() {
        for numbers in [vec![0], vec![0, 1, 2, 3], vec![5, 37, 1100, 40_000, 40_001]] {
            assert_eq!(decode(&encode(&numbers)), numbers);
        }
        assert_eq!(encode(&[0, 1, 2, 31]), "011t");
        assert_eq!(encode(&[32]), "x0");
        assert_eq!(encode(&(0..100).collect::<Vec<_>>()).len(), 100);
    }

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
                a.search_words = crate::words::body_words(&body, &[&a.title, &a.summary]);
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
        assert_eq!(complement(&[0, 2, 3], 6), [1, 4, 5]);
        assert_eq!(complement(&[], 2), [0, 1]);
    }
}
