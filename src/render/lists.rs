//! List page variables: `articles`, the day-grouped `days` digest, `paginator`, and the `term`
//! or `period` a list belongs to (with its neighbouring periods), made from the page's
//! [`ListInputs`].

use chrono::{Datelike, NaiveDate};
use tera::Value;

use serde::Serialize;

use super::pages::{Feed, PageCards, Shared, Vars, describe, page_feeds, page_view};
use super::views::{
    DayView, PageNumber, PaginatorView, PeriodView, TaxonomyView, TermView, to_value,
};
use crate::site::{ListKind, ListPage, Page, Paginator};
use crate::urls::Urls;

/// `YYYY-MM-DD`.
fn ymd(date: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

fn day_number<S: serde::Serializer>(day: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i32(day.num_days_from_ce())
}

/// Everything of the model a list page's variables are made from, besides the settings (in
/// every key's salt), the URLs, the `site` view and the cards of its articles (each made from
/// its [`ArticleInputs`](super::articles::ArticleInputs)). Page keys fingerprint this value
/// ([`super::keys`]) and [`vars`] reads nothing else of the model, so a list page keyed by it
/// cannot miss an input.
#[derive(Serialize)]
pub struct ListInputs<'a> {
    /// `page.kind`, `page.title`, `page.description`.
    page: (&'static str, String, String),
    /// The feeds the page advertises.
    feeds: Vec<Feed>,
    list: &'a ListKind,
    paginator: &'a Paginator,
    /// What the page shows of each of its articles besides the card, in order.
    items: Vec<Item<'a>>,
    /// A term's list: the term and its taxonomy.
    term: Option<ListTerm<'a>>,
    /// A date archive's neighbouring periods.
    older_period: Option<Period<'a>>,
    newer_period: Option<Period<'a>>,
}

/// One article of a list, as the list itself (not its card) uses it.
#[derive(Serialize)]
struct Item<'a> {
    /// Index into the site's articles, for its card.
    #[serde(skip)]
    index: usize,
    featured: bool,
    /// The day section it goes in (keyed as a day number: formatting it for every item of
    /// every list was a quarter of the time taken to key every page).
    #[serde(serialize_with = "day_number")]
    day: NaiveDate,
    day_path: Option<&'a str>,
}

#[derive(Serialize)]
struct ListTerm<'a> {
    taxonomy: &'a str,
    taxonomy_path: &'a str,
    name: &'a str,
    slug: &'a str,
    path: &'a str,
    count: usize,
}

#[derive(Serialize)]
struct Period<'a> {
    path: &'a str,
    title: Option<&'a str>,
}

/// The inputs of the list page `page` (of kind `list`).
pub fn inputs<'a>(
    shared: &'a Shared<'_>,
    page: &Page,
    list: &'a ListPage,
) -> Result<ListInputs<'a>, String> {
    let site = shared.site;
    let page_texts = describe(site, page);
    let feeds = page_feeds(shared, Some(&list.list), &page_texts.1);
    let items = list
        .items
        .iter()
        .filter_map(|&i| {
            let article = site.articles.get(i)?;
            Some(Item {
                index: i,
                featured: article.featured,
                day: article.date.date_naive(),
                day_path: site.links.get(i).map(|l| l.day_path.as_str()),
            })
        })
        .collect();
    let term = match &list.list {
        ListKind::Term { taxonomy, term } => {
            let tax = site.taxonomies.get(*taxonomy).ok_or_else(|| {
                format!("the plan names taxonomy {taxonomy}, which does not exist")
            })?;
            let t = tax
                .terms
                .get(*term)
                .ok_or_else(|| format!("the plan names term {term}, which does not exist"))?;
            Some(ListTerm {
                taxonomy: &tax.name,
                taxonomy_path: &tax.path,
                name: &t.name,
                slug: &t.slug,
                path: &t.path,
                count: t.articles.len(),
            })
        }
        _ => None,
    };
    let period = |p: &'a Option<String>| {
        p.as_deref().map(|path| Period {
            path,
            title: shared.period_title(path),
        })
    };
    Ok(ListInputs {
        page: page_texts,
        feeds,
        list: &list.list,
        paginator: &list.paginator,
        items,
        term,
        older_period: period(&list.older_period),
        newer_period: period(&list.newer_period),
    })
}

/// The variables of a list page: `site`, `page`, `articles`, `lead`, `latest` and
/// `days_after_lead` (home page 1), `days`, `paginator`, and the term or period variables.
pub fn vars(
    shared: &Shared<'_>,
    page: &Page,
    inputs: &ListInputs<'_>,
    cards: &PageCards<'_>,
) -> Result<Vars, String> {
    let urls = shared.urls;
    let mut ctx = Vars::default();
    ctx.insert_value("site", shared.site_value());
    let feeds = inputs.feeds.iter().map(|f| f.view(urls)).collect();
    let page_view = page_view(urls, page, inputs.page.clone(), feeds, (None, None));
    ctx.insert_value("page", to_value(&page_view)?);

    let card = |item: &Item<'_>| cards.get(item.index);
    let articles: Vec<Value> = inputs.items.iter().filter_map(card).collect();
    ctx.insert_value("articles", to_value(&articles)?);

    // The front page's lead story: the newest article marked `featured` among the page's,
    // else the newest. `days` keeps every article (a theme may not show a lead);
    // `days_after_lead` is the digest without it, so a theme that shows it shows it once.
    let front = matches!(inputs.list, ListKind::Home) && inputs.paginator.current == 1;
    let lead = front
        .then(|| {
            let featured = inputs.items.iter().position(|item| item.featured);
            featured.or((!inputs.items.is_empty()).then_some(0))
        })
        .flatten();
    let lead_card = lead.and_then(|k| inputs.items.get(k)).and_then(card);
    ctx.insert_value("lead", to_value(&lead_card)?);
    let latest: Option<Vec<Value>> = lead.map(|lead| {
        let others = inputs.items.iter().enumerate().filter(|(k, _)| *k != lead);
        others.filter_map(|(_, item)| card(item)).collect()
    });
    ctx.insert_value("latest", to_value(&latest)?);
    ctx.insert_value("days", to_value(&days(shared, cards, &inputs.items, None))?);
    let after = lead.map(|lead| days(shared, cards, &inputs.items, Some(lead)));
    ctx.insert_value("days_after_lead", to_value(&after)?);
    ctx.insert_value("paginator", to_value(&paginator(urls, inputs.paginator))?);

    if let Some(t) = &inputs.term {
        let term_view = TermView {
            name: t.name.to_string(),
            slug: t.slug.to_string(),
            url: urls.path(t.path),
            count: t.count,
        };
        let tax_view = TaxonomyView {
            name: t.taxonomy.to_string(),
            url: urls.path(t.taxonomy_path),
            terms: None,
        };
        ctx.insert_value("term", to_value(&term_view)?);
        ctx.insert_value("taxonomy", to_value(&tax_view)?);
    }
    let period = match inputs.list {
        ListKind::Year(y) => Some(PeriodView {
            kind: "year",
            year: *y,
            month: None,
            day: None,
            date: format!("{y:04}-01-01"),
        }),
        ListKind::Month(y, m) => Some(PeriodView {
            kind: "month",
            year: *y,
            month: Some(*m),
            day: None,
            date: format!("{y:04}-{m:02}-01"),
        }),
        ListKind::Day(d) => Some(PeriodView {
            kind: "day",
            year: d.year(),
            month: Some(d.month()),
            day: Some(d.day()),
            date: ymd(*d),
        }),
        ListKind::Home | ListKind::Term { .. } => None,
    };
    if let Some(period) = period {
        let href = |p: &Option<Period<'_>>| p.as_ref().map(|p| urls.path(p.path));
        let title = |p: &Option<Period<'_>>| p.as_ref().and_then(|p| p.title.map(str::to_string));
        ctx.insert_value("period", to_value(&period)?);
        ctx.insert_value("older_period", to_value(&href(&inputs.older_period))?);
        ctx.insert_value("newer_period", to_value(&href(&inputs.newer_period))?);
        ctx.insert_value(
            "older_period_title",
            to_value(&title(&inputs.older_period))?,
        );
        ctx.insert_value(
            "newer_period_title",
            to_value(&title(&inputs.newer_period))?,
        );
    }
    Ok(ctx)
}

impl ListInputs<'_> {
    /// Indices of the articles the page shows (their inputs go into its key).
    pub fn articles(&self) -> impl Iterator<Item = usize> + '_ {
        self.items.iter().map(|item| item.index)
    }
}

/// The digest of `items` (but the one at position `leave_out`): consecutive articles of one
/// day share a section.
fn days(
    shared: &Shared<'_>,
    cards: &PageCards<'_>,
    items: &[Item<'_>],
    leave_out: Option<usize>,
) -> Vec<DayView> {
    let mut days: Vec<(NaiveDate, DayView)> = Vec::new();
    for (k, item) in items.iter().enumerate() {
        if Some(k) == leave_out {
            continue;
        }
        let Some(card) = cards.get(item.index) else {
            continue;
        };
        match days.last_mut() {
            Some((date, day)) if *date == item.day => day.articles.push(card),
            _ => days.push((
                item.day,
                DayView {
                    date: ymd(item.day),
                    url: item
                        .day_path
                        .map(|path| shared.urls.path(path))
                        .unwrap_or_default(),
                    articles: vec![card],
                },
            )),
        }
    }
    days.into_iter().map(|(_, day)| day).collect()
}

fn paginator(urls: &Urls, p: &Paginator) -> PaginatorView {
    let mut previous_number = 0;
    let pages = p
        .window()
        .into_iter()
        .map(|number| {
            let gap_before = number > previous_number + 1;
            previous_number = number;
            PageNumber {
                number,
                url: urls.path(&p.path(number)),
                current: number == p.current,
                gap_before,
            }
        })
        .collect();
    PaginatorView {
        current: p.current,
        total: p.total,
        per_page: p.per_page,
        total_items: p.total_items,
        previous: p.previous().map(|s| urls.path(&s)),
        next: p.next().map(|s| urls.path(&s)),
        first: urls.path(&p.path(1)),
        last: urls.path(&p.path(p.total)),
        pages,
    }
}
