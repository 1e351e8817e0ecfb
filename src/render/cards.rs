//! `render_card(card=card, level=3, date_format="%H:%M")`: an article's card rendered through
//! `partials/card.html` and reused on every page that shows it with the same setting. A news
//! site shows each article on many lists (home, every tag, year, month, day, related), so
//! rendering each card twice (it is kept from its second use on) instead of on every page saves
//! most of the template work of list pages.
//!
//! The partial sees only `card`, `card_level`, `card_date_format` and `site`, which is what
//! makes its output safe to reuse. Each render has its own cache ([`super::Theme`] keeps none),
//! and an entry is reused only for an equal card value.

use std::cell::Cell;
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use tera::{Context, Kwargs, State, Tera, TeraResult, Value};

/// The partial `render_card` renders.
pub const PARTIAL: &str = "partials/card.html";

/// Rendered cards of one render, by card URL and setting.
#[derive(Default)]
pub struct CardCache {
    /// The compiled theme, to render the partial with (set once the theme is compiled).
    tera: OnceLock<Tera>,
    entries: Mutex<Entries>,
}

/// A card is kept from its second use on: a card shown once (as on a day's page, where each
/// article appears once) would only cost memory.
#[derive(Default)]
struct Entries {
    /// Rendered cards, by [`key`].
    kept: HashMap<u64, Entry>,
    /// Keys of the cards rendered once so far.
    seen: HashSet<u64>,
}

struct Entry {
    level: Option<i64>,
    date_format: Option<String>,
    /// The card the HTML was rendered from: a different card under the same URL is rendered anew.
    card: Value,
    html: Value,
}

thread_local! {
    /// True while this thread renders a card, so a partial that calls `render_card` itself
    /// gets an error instead of endless recursion.
    static IN_CARD: Cell<bool> = const { Cell::new(false) };
}

/// The hash of a card's URL and setting; an entry is used only when all of them, and the
/// whole card, are equal, so a collision costs a render, never a wrong card.
fn key(url: &str, level: Option<i64>, date_format: Option<&str>) -> u64 {
    let mut hasher = DefaultHasher::new();
    (url, level, date_format).hash(&mut hasher);
    hasher.finish()
}

impl CardCache {
    /// Hands over the compiled theme; later calls are ignored.
    pub fn set_tera(&self, tera: Tera) {
        let _ = self.tera.set(tera);
    }

    /// Number of cards kept, for tests.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().kept.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The HTML of `card` with this setting, rendered now or taken from the cache.
    fn card(
        &self,
        card: Value,
        level: Option<i64>,
        date_format: Option<&str>,
        state: &State,
    ) -> TeraResult<Value> {
        let key = card
            .get_from_path("url")
            .and_then(Value::as_str)
            .map(|url| key(url, level, date_format));
        let mut keep = false;
        if let Some(key) = key {
            let mut entries = self.lock();
            if let Some(entry) = entries.kept.get(&key)
                && entry.level == level
                && entry.date_format.as_deref() == date_format
                && entry.card == card
            {
                return Ok(entry.html.clone());
            }
            keep = !entries.seen.insert(key);
        }
        let html = self.render(&card, level, date_format, state)?;
        if let (Some(key), true) = (key, keep) {
            let entry = Entry {
                level,
                date_format: date_format.map(str::to_string),
                card,
                html: html.clone(),
            };
            self.lock().kept.insert(key, entry);
        }
        Ok(html)
    }

    fn render(
        &self,
        card: &Value,
        level: Option<i64>,
        date_format: Option<&str>,
        state: &State,
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
        if let Some(site) = state.get::<Value>("site")? {
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
        let cache = Arc::new(CardCache::default());
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
        let mut context = Context::new();
        context.insert_value("cards", Value::from(cards));
        context.insert_value("site", Value::from("The <Site>"));
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
        assert_eq!(cache.len(), 2);

        // The same URL with another title is rendered anew, not taken from the cache.
        let out = render(&tera, vec![card("/a/", "Changed")]);
        assert!(out.starts_with("<h2>Changed</h2>"), "{out}");
        // Shown again: kept now.
        render(&tera, vec![b.clone()]);
        assert_eq!(cache.len(), 4);
    }

    #[test]
    fn a_card_without_url_is_rendered_but_not_kept() {
        let (tera, cache) = theme(PARTIAL_TEXT);
        let mut map = tera::Map::new();
        map.insert("title".into(), Value::from("No link"));
        let out = render(&tera, vec![Value::from(map.clone()), Value::from(map)]);
        assert!(out.starts_with("<h2>No link</h2>"), "{out}");
        assert_eq!(cache.len(), 0);
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
