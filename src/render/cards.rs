//! `render_card(card=card, level=3, date_format="%H:%M")`: an article's card rendered through
//! `partials/card.html` and reused on every page that shows it with the same setting. A news
//! site shows each article on many lists (home, every tag, year, month, day, related), so
//! rendering each card once instead of on every page saves most of the template work of list
//! pages. `gazette build` also keeps the cards between builds ([`CardCache::with_earlier`]): a
//! publish moves every home, year and month page by one, and their cards were half the time
//! spent rendering them.
//!
//! The partial sees only `card`, `card_level`, `card_date_format` and `site`, which is what
//! makes its output safe to reuse: a card is found by a fingerprint of all four. Each render
//! has its own cache ([`super::Theme`] keeps none); cards of an earlier build are offered only
//! for the same theme and settings.

use std::cell::Cell;
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use tera::{Context, Kwargs, State, Tera, TeraResult, Value};

use crate::fingerprint::Fingerprint;

/// The partial `render_card` renders.
pub const PARTIAL: &str = "partials/card.html";

/// Where the cards of an earlier build come from, asked the first time a card is needed (a
/// build that renders no list page never reads them).
pub type Earlier = Box<dyn FnOnce() -> KeptCards + Send>;

/// Cards kept from an earlier build: one buffer that holds their HTML (the card file, mapped),
/// and each card's HTML, borrowed from it, by key (no allocation per card, no copy of the
/// file, and each card's UTF-8 checked once, when the file is read: checking it again at each
/// use was 2% of a publish's CPU at 100,000 articles).
#[derive(Debug)]
pub struct KeptCards {
    found: Found,
}

/// The HTML of each card, by key.
type ByKey<'a> = rustc_hash::FxHashMap<u128, &'a str>;

self_cell::self_cell!(
    struct Found {
        owner: CardBytes,
        #[covariant]
        dependent: ByKey,
    }
    impl {Debug}
);

/// The bytes kept cards lie in.
#[derive(Debug)]
pub enum CardBytes {
    Owned(Vec<u8>),
    /// A card file mapped into memory: its pages are the page cache's, shared, where reading it
    /// took 74 MB of fresh memory at 100,000 articles (and fresh pages are dear).
    Mapped(memmap2::Mmap),
}

impl Default for CardBytes {
    fn default() -> CardBytes {
        CardBytes::Owned(Vec::new())
    }
}

impl std::ops::Deref for CardBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            CardBytes::Owned(bytes) => bytes,
            CardBytes::Mapped(map) => map,
        }
    }
}

impl Default for KeptCards {
    fn default() -> KeptCards {
        KeptCards::within(CardBytes::default(), |_| Vec::new())
    }
}

impl KeptCards {
    /// Cards as `(key, HTML)`.
    #[cfg(test)]
    pub fn new<'a>(cards: impl IntoIterator<Item = (u128, &'a str)>) -> KeptCards {
        let mut bytes = Vec::new();
        let mut at = Vec::new();
        for (key, html) in cards {
            at.push((key, bytes.len(), html.len()));
            bytes.extend_from_slice(html.as_bytes());
        }
        KeptCards::within(CardBytes::Owned(bytes), |bytes| {
            at.iter()
                .filter_map(|&(key, start, len)| {
                    Some((
                        key,
                        std::str::from_utf8(bytes.get(start..start + len)?).ok()?,
                    ))
                })
                .collect()
        })
    }

    /// The cards `find` finds in `bytes`, as `(key, HTML)` borrowed from them.
    pub fn within(
        bytes: CardBytes,
        find: impl for<'a> FnOnce(&'a [u8]) -> Vec<(u128, &'a str)>,
    ) -> KeptCards {
        let found = Found::new(bytes, |bytes| {
            let found = find(bytes);
            // Sized at once: grown by doubling, the table was made four times over.
            let mut by_key = ByKey::with_capacity_and_hasher(found.len(), Default::default());
            by_key.extend(found);
            by_key
        });
        KeptCards { found }
    }

    /// The HTML of the card `key`.
    pub fn get(&self, key: u128) -> Option<&str> {
        self.found.borrow_dependent().get(&key).copied()
    }

    /// How many cards there are.
    pub fn len(&self) -> usize {
        self.found.borrow_dependent().len()
    }

    /// True without cards.
    pub fn is_empty(&self) -> bool {
        self.found.borrow_dependent().is_empty()
    }

    /// Every card as `(key, HTML)`.
    pub fn iter(&self) -> impl Iterator<Item = (u128, &str)> {
        self.found
            .borrow_dependent()
            .iter()
            .map(|(key, html)| (*key, *html))
    }
}

/// Rendered cards of one render, by [`key`].
#[derive(Default)]
pub struct CardCache {
    /// The compiled theme, to render the partial with (set once the theme is compiled).
    tera: OnceLock<Tera>,
    /// Cards of this render, by [`url_key`].
    entries: Mutex<Entries>,
    /// Cards rendered in this render, by [`CardCache::key`], when they are kept for the next
    /// build (the only cards such a render holds: it finds every card by its key, and holds
    /// no card view).
    fresh: Mutex<HashMap<u128, Value>>,
    /// Cards an earlier build rendered with the same theme and settings.
    earlier: OnceLock<KeptCards>,
    load_earlier: Mutex<Option<Earlier>>,
    /// The fingerprint of the last `site` value seen, by the address of its map (it is the
    /// same value for every card of a render).
    site_print: Mutex<Option<(usize, u128)>>,
    /// The fingerprint of what each card view this render built was made from, by the address
    /// of its map, with the card (whose map then keeps its address): a card's key is made
    /// without fingerprinting its value, which took 7% of a publish's CPU at 10,000 articles.
    known: Mutex<HashMap<usize, (u128, Value)>>,
    /// Keep every card it renders, by key (to save them for the next build). Any other cache
    /// keeps, by URL, only the cards shown a second time: a card shown once (as on a day's
    /// page, where each article appears once) would only cost memory.
    keep_all: bool,
}

/// The cards of one render, found by URL and setting (and checked whole).
#[derive(Default)]
struct Entries {
    kept: HashMap<u64, Entry>,
    /// Keys of the cards rendered once and not kept.
    seen: HashSet<u64>,
}

struct Entry {
    level: Option<i64>,
    date_format: Option<String>,
    /// The card the HTML was rendered from: a different card under the same URL is rendered anew.
    card: Value,
    html: Value,
}

/// The hash of a card's URL and setting, to find it within one render; an entry is used only
/// when the setting and the whole card are equal, so a collision costs a render, never a wrong
/// card.
fn url_key(url: &str, level: Option<i64>, date_format: Option<&str>) -> u64 {
    let mut hasher = DefaultHasher::new();
    (url, level, date_format).hash(&mut hasher);
    hasher.finish()
}

thread_local! {
    /// True while this thread renders a card, so a partial that calls `render_card` itself
    /// gets an error instead of endless recursion.
    static IN_CARD: Cell<bool> = const { Cell::new(false) };
}

/// The fingerprint of a value, the same in every run (Tera's maps iterate in a random order).
fn print(value: &Value) -> TeraResult<u128> {
    super::pages::value_print(value).map_err(tera::Error::message)
}

impl CardCache {
    /// A cache that also offers the cards `earlier` gives (those an earlier build rendered with
    /// this theme and these settings).
    pub fn with_earlier(earlier: Earlier) -> CardCache {
        CardCache {
            load_earlier: Mutex::new(Some(earlier)),
            keep_all: true,
            ..CardCache::default()
        }
    }

    /// Takes the fingerprints of card views as they were built: of what each was made from
    /// (its article's inputs, or the view itself before it became a value), never of the value.
    pub fn know<'a>(&self, cards: impl Iterator<Item = &'a (Value, Option<u128>)>) {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        for (card, print) in cards {
            if let (Some(map), Some(print)) = (card.as_map(), print) {
                known.insert(std::ptr::from_ref(map) as usize, (*print, card.clone()));
            }
        }
    }

    /// Lets go of the fingerprints of `cards` given to [`CardCache::know`] (with the cards
    /// themselves), once the page that showed them is rendered.
    pub fn forget<'a>(&self, cards: impl Iterator<Item = &'a Value>) {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        for card in cards {
            if let Some(map) = card.as_map() {
                known.remove(&(std::ptr::from_ref(map) as usize));
            }
        }
    }

    /// Whether card keys are made at all: only a cache that keeps every card (to save them)
    /// makes them, so only it needs the views' fingerprints.
    pub fn makes_keys(&self) -> bool {
        self.keep_all
    }

    /// Lets go of the card views given to [`CardCache::know`], once the render that showed
    /// them is done (a build keeps the cache longer than the views).
    pub fn forget_views(&self) {
        *self.known.lock().unwrap_or_else(PoisonError::into_inner) = HashMap::new();
    }

    /// The fingerprint of `card` given to [`CardCache::know`], if it was.
    fn known(&self, card: &Value) -> Option<u128> {
        let address = std::ptr::from_ref(card.as_map()?) as usize;
        let known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        known.get(&address).map(|(print, _)| *print)
    }

    /// Hands over the compiled theme; later calls are ignored.
    pub fn set_tera(&self, tera: Tera) {
        let _ = self.tera.set(tera);
    }

    /// How many cards this render rendered to keep for the next build, for tests.
    #[cfg(test)]
    pub fn rendered(&self) -> usize {
        self.fresh().len()
    }

    /// Number of cards kept, for tests.
    #[cfg(test)]
    pub fn kept(&self) -> usize {
        self.lock().kept.len()
    }

    /// Whether the cards to keep differ enough from the earlier build's to be written again:
    /// some were rendered, and they are more than a sixteenth of those kept (a publish renders
    /// the new article's cards alone, which the next build renders again for less than
    /// writing them all would cost).
    pub fn worth_keeping(&self) -> bool {
        let fresh = self.fresh().len();
        let earlier = self.earlier.get().map_or(0, KeptCards::len);
        fresh > 0 && fresh * 16 >= earlier
    }

    /// Hands `keep` the cards to keep for the next build (borrowed, not copied): every card
    /// this render rendered, then those of the earlier build, up to `limit` cards in all.
    pub fn keep_with<R>(&self, limit: usize, keep: impl FnOnce(&[(u128, &str)]) -> R) -> R {
        let fresh = self.fresh();
        let earlier = self
            .earlier()
            .iter()
            .filter(|(key, _)| !fresh.contains_key(key));
        let cards: Vec<(u128, &str)> = fresh
            .iter()
            .filter_map(|(key, html)| Some((*key, html.as_str()?)))
            .chain(earlier)
            .take(limit)
            .collect();
        keep(&cards)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn fresh(&self) -> std::sync::MutexGuard<'_, HashMap<u128, Value>> {
        self.fresh.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The fingerprint of everything a card's HTML is made from (the templates aside: cards
    /// are kept for one theme).
    fn key(
        &self,
        card: &Value,
        level: Option<i64>,
        date_format: Option<&str>,
        site: Option<&Value>,
    ) -> TeraResult<u128> {
        let site_print = match site {
            None => 0,
            Some(site) => {
                let address = site.as_map().map(|m| std::ptr::from_ref(m) as usize);
                let mut last = self
                    .site_print
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                match (*last, address) {
                    (Some((seen, print)), Some(at)) if seen == at => print,
                    _ => {
                        let made = print(site)?;
                        *last = address.map(|at| (at, made));
                        made
                    }
                }
            }
        };
        let mut f = Fingerprint::new();
        // The two kinds of fingerprint apart: a view's and a value's never stand for each other.
        match self.known(card) {
            Some(view) => f.str("view").num(view),
            None => f.str("value").num(print(card)?),
        };
        f.num(site_print)
            .str(level.map(|l| l.to_string()).unwrap_or_default())
            .str(date_format.map_or(String::from("\0"), |d| format!("={d}")));
        Ok(f.finish())
    }

    fn earlier(&self) -> &KeptCards {
        self.earlier.get_or_init(|| {
            let load = self
                .load_earlier
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            load.map(|load| load()).unwrap_or_default()
        })
    }

    /// The HTML of `card` with this setting, rendered now or taken from the cache.
    fn card(
        &self,
        card: Value,
        level: Option<i64>,
        date_format: Option<&str>,
        state: &State,
    ) -> TeraResult<Value> {
        let site = state.get::<Value>("site")?;
        if self.keep_all {
            // Found by key alone (made from the view's fingerprint, not the card's value): the
            // cards of one page are let go when it is rendered, so no card is held to compare.
            let key = self.key(&card, level, date_format, site.as_ref())?;
            if let Some(html) = self.fresh().get(&key) {
                return Ok(html.clone());
            }
            if let Some(html) = self.earlier().get(key) {
                return Ok(Value::safe_string(html));
            }
            let html = self.render(&card, level, date_format, site)?;
            self.fresh().insert(key, html.clone());
            return Ok(html);
        }
        let url_key = card
            .get_from_path("url")
            .and_then(Value::as_str)
            .map(|url| url_key(url, level, date_format));
        let mut keep = false;
        if let Some(url_key) = url_key {
            let mut entries = self.lock();
            if let Some(entry) = entries.kept.get(&url_key)
                && entry.level == level
                && entry.date_format.as_deref() == date_format
                && entry.card == card
            {
                return Ok(entry.html.clone());
            }
            keep = !entries.seen.insert(url_key);
        }
        let html = self.render(&card, level, date_format, site)?;
        if let (Some(url_key), true) = (url_key, keep) {
            let entry = Entry {
                level,
                date_format: date_format.map(str::to_string),
                card,
                html: html.clone(),
            };
            self.lock().kept.insert(url_key, entry);
        }
        Ok(html)
    }

    fn render(
        &self,
        card: &Value,
        level: Option<i64>,
        date_format: Option<&str>,
        site: Option<Value>,
    ) -> TeraResult<Value> {
        let Some(tera) = self.tera.get() else {
            return Err(tera::Error::message("render_card: the theme is not ready"));
        };
        if IN_CARD.get() {
            return Err(tera::Error::message(format!(
                "render_card cannot be called from {PARTIAL} itself"
            )));
        }
        let mut context = Context::new();
        context.insert_value("card", card.clone());
        if let Some(level) = level {
            context.insert("card_level", &level);
        }
        if let Some(format) = date_format {
            context.insert("card_date_format", &format);
        }
        if let Some(site) = site {
            context.insert_value("site", site);
        }
        IN_CARD.set(true);
        let html = tera.render(PARTIAL, &context);
        IN_CARD.set(false);
        Ok(Value::safe_string(&html?))
    }
}

/// Registers a `render_card` that fails, for templates compiled outside any render.
pub fn register_unavailable(tera: &mut Tera) {
    tera.register_function("render_card", |_: Kwargs, _: &State| -> TeraResult<Value> {
        Err(tera::Error::message("render_card: no render in progress"))
    });
}

/// Registers `render_card` on `tera`; `cache` renders through the theme once it is compiled
/// ([`CardCache::set_tera`]). The function holds the cache weakly: the render owns it.
pub fn register(tera: &mut Tera, cache: &Arc<CardCache>) {
    let cache: Weak<CardCache> = Arc::downgrade(cache);
    tera.register_function(
        "render_card",
        move |kwargs: Kwargs, state: &State| -> TeraResult<Value> {
            let Some(cache) = cache.upgrade() else {
                return Err(tera::Error::message("render_card: the theme is gone"));
            };
            let card = kwargs.must_get::<Value>("card")?;
            let level = kwargs.get::<i64>("level")?;
            let date_format = kwargs.get::<&str>("date_format")?;
            cache.card(card, level, date_format, state)
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A theme of two templates: the partial, and a page that shows `cards` three ways.
    fn theme(partial: &str) -> (Tera, Arc<CardCache>) {
        theme_with(partial, CardCache::default())
    }

    fn theme_with(partial: &str, cache: CardCache) -> (Tera, Arc<CardCache>) {
        let cache = Arc::new(cache);
        let mut tera = Tera::new();
        register(&mut tera, &cache);
        tera.add_raw_templates([
            (PARTIAL, partial),
            (
                "page.html",
                r#"{% for card in cards %}{{ render_card(card=card, level=2, date_format="%H") }}|{{ render_card(card=card) }}|{% set card_level = 2 %}{% set card_date_format = "%H" %}{% include "partials/card.html" %};{% endfor %}"#,
            ),
        ])
        .unwrap();
        cache.set_tera(tera.clone());
        (tera, cache)
    }

    fn card(url: &str, title: &str) -> Value {
        let mut map = tera::Map::new();
        map.insert("url".into(), Value::from(url));
        map.insert("title".into(), Value::from(title));
        Value::from(map)
    }

    fn render(tera: &Tera, cards: Vec<Value>) -> String {
        render_for(tera, cards, "The <Site>")
    }

    fn render_for(tera: &Tera, cards: Vec<Value>, site: &str) -> String {
        let mut context = Context::new();
        context.insert_value("cards", Value::from(cards));
        context.insert_value("site", Value::from(site));
        tera.render("page.html", &context).unwrap()
    }

    const PARTIAL_TEXT: &str = "<h{{ card_level | default(value=3) }}>{{ card.title }}</h{{ card_level | default(value=3) }}> {{ card_date_format | default(value='-') }} {{ site }}";

    #[test]
    fn cards_are_rendered_once_per_setting_and_match_an_include() {
        let (tera, cache) = theme(PARTIAL_TEXT);
        let a = card("/a/", "A & B");
        let b = card("/b/", "B");
        let out = render(&tera, vec![a.clone(), b.clone(), a.clone()]);
        let a_line = "<h2>A &amp; B</h2> %H The &lt;Site&gt;|<h3>A &amp; B</h3> - The &lt;Site&gt;|<h2>A &amp; B</h2> %H The &lt;Site&gt;;";
        let b_line = "<h2>B</h2> %H The &lt;Site&gt;|<h3>B</h3> - The &lt;Site&gt;|<h2>B</h2> %H The &lt;Site&gt;;";
        assert_eq!(out, format!("{a_line}{b_line}{a_line}"));
        // `a` is shown twice with each setting, `b` once: only `a`'s cards are kept.
        assert_eq!(cache.kept(), 2);

        // The same URL with another title is rendered anew, not taken from the cache.
        let out = render(&tera, vec![card("/a/", "Changed")]);
        assert!(out.starts_with("<h2>Changed</h2>"), "{out}");
        render(&tera, vec![b.clone()]);
        // Shown again: kept now.
        assert_eq!(cache.kept(), 4);
    }

    #[test]
    fn a_card_without_url_is_rendered_but_not_kept() {
        let (tera, cache) = theme(PARTIAL_TEXT);
        let mut map = tera::Map::new();
        map.insert("title".into(), Value::from("No link"));
        let out = render(&tera, vec![Value::from(map.clone()), Value::from(map)]);
        assert!(out.starts_with("<h2>No link</h2>"), "{out}");
        assert_eq!(cache.kept(), 0);
    }

    #[test]
    fn cards_of_an_earlier_build_are_used_only_for_the_same_card_setting_and_site() {
        // A first build with no cards kept: it keeps all it renders.
        let (tera, first) = theme_with(
            PARTIAL_TEXT,
            CardCache::with_earlier(Box::new(KeptCards::default)),
        );
        let cards = vec![card("/a/", "A & B"), card("/b/", "B")];
        let out = render(&tera, cards.clone());
        let kept: Vec<(u128, String)> = first.keep_with(100, |cards| {
            cards
                .iter()
                .map(|(key, html)| (*key, html.to_string()))
                .collect()
        });
        assert_eq!(kept.len(), 4);
        let earlier_cards = || KeptCards::new(kept.iter().map(|(k, h)| (*k, h.as_str())));

        let earlier = earlier_cards();
        let (tera, second) = theme_with(
            PARTIAL_TEXT,
            CardCache::with_earlier(Box::new(move || earlier)),
        );
        assert_eq!(render(&tera, cards.clone()), out);
        assert_eq!(
            second.rendered(),
            0,
            "every card came from the earlier build"
        );
        assert_eq!(second.keep_with(100, |cards| cards.len()), 4);
        assert_eq!(
            second.keep_with(3, |cards| cards.len()),
            3,
            "kept up to the limit"
        );
        assert!(!second.worth_keeping(), "nothing new to keep");

        // A changed card, and any card under another `site`, are rendered anew.
        let earlier = earlier_cards();
        let (tera, third) = theme_with(
            PARTIAL_TEXT,
            CardCache::with_earlier(Box::new(move || earlier)),
        );
        let out = render_for(
            &tera,
            vec![card("/a/", "A & B"), card("/b/", "B!")],
            "Other",
        );
        assert!(out.contains("<h2>B!</h2> %H Other") && out.contains("<h3>A &amp; B</h3> - Other"));
        assert_eq!(third.rendered(), 4);
        assert!(third.worth_keeping());
        assert_eq!(
            third.keep_with(100, |cards| cards.len()),
            8,
            "the new cards and the earlier ones"
        );

        // An earlier build's cards are not even read when no card is shown.
        let (tera, fourth) = theme_with(
            PARTIAL_TEXT,
            CardCache::with_earlier(Box::new(|| panic!("read without need"))),
        );
        render(&tera, Vec::new());
        assert_eq!(fourth.rendered(), 0);
    }

    #[test]
    fn a_partial_that_renders_cards_itself_is_an_error() {
        let (tera, _cache) = theme("{{ render_card(card=card) }}");
        let mut context = Context::new();
        context.insert_value("cards", Value::from(vec![card("/a/", "A")]));
        let error = tera.render("page.html", &context).unwrap_err();
        let text = format!("{error:?}");
        assert!(
            text.contains("cannot be called from partials/card.html"),
            "{text}"
        );
        // The guard is reset: the thread can render cards again.
        let (tera, _cache) = theme(PARTIAL_TEXT);
        assert!(render(&tera, vec![card("/a/", "A")]).starts_with("<h2>A</h2>"));
    }
}
