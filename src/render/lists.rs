//! List page variables: `articles`, the day-grouped `days` digest, `paginator`, and the `term`
//! or `period` a list belongs to (with its neighbouring periods).

use chrono::{Datelike, NaiveDate};
use tera::Value;

use super::pages::{Shared, Vars};
use super::views::{
    DayView, PageNumber, PaginatorView, PeriodView, TaxonomyView, TermView, to_value,
};
use crate::site::{ListKind, ListPage, Paginator};
use crate::urls::Urls;

/// `YYYY-MM-DD`.
fn ymd(date: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// `articles`, `lead`, `latest` and `days_after_lead` (home page 1), `days`, `paginator`, and
/// the term or period variables of a list page.
pub fn list_context(shared: &Shared<'_>, list: &ListPage, ctx: &mut Vars) -> Result<(), String> {
    let site = shared.site;
    let urls = shared.urls;
    let card = |i: &usize| shared.cards.get(*i).cloned();
    let articles: Vec<Value> = list.items.iter().filter_map(card).collect();
    ctx.insert_value("articles", to_value(&articles)?);

    // The front page's lead story: the newest article marked `featured` among the page's,
    // else the newest. `days` keeps every article (a theme may not show a lead);
    // `days_after_lead` is the digest without it, so a theme that shows it shows it once.
    let front = matches!(list.list, ListKind::Home) && list.paginator.current == 1;
    let lead = front
        .then(|| {
            let featured = |i: &&usize| site.articles.get(**i).is_some_and(|a| a.featured);
            list.items.iter().find(featured).or(list.items.first())
        })
        .flatten()
        .copied();
    ctx.insert_value("lead", to_value(&lead.and_then(|i| card(&i)))?);
    let latest: Option<Vec<Value>> = lead.map(|lead| {
        let others = list.items.iter().filter(|&&i| i != lead);
        others.filter_map(card).collect()
    });
    ctx.insert_value("latest", to_value(&latest)?);
    ctx.insert_value("days", to_value(&days(shared, &list.items, None))?);
    let after = lead.map(|lead| days(shared, &list.items, Some(lead)));
    ctx.insert_value("days_after_lead", to_value(&after)?);
    ctx.insert_value("paginator", to_value(&paginator(urls, &list.paginator))?);

    match &list.list {
        ListKind::Home => {}
        ListKind::Term { taxonomy, term } => {
            let tax = site.taxonomies.get(*taxonomy).ok_or_else(|| {
                format!("the plan names taxonomy {taxonomy}, which does not exist")
            })?;
            let t = tax
                .terms
                .get(*term)
                .ok_or_else(|| format!("the plan names term {term}, which does not exist"))?;
            let term_view = TermView {
                name: t.name.clone(),
                slug: t.slug.clone(),
                url: urls.path(&t.path),
                count: t.articles.len(),
            };
            let tax_view = TaxonomyView {
                name: tax.name.clone(),
                url: urls.path(&tax.path),
                terms: None,
            };
            ctx.insert_value("term", to_value(&term_view)?);
            ctx.insert_value("taxonomy", to_value(&tax_view)?);
        }
        ListKind::Year(_) | ListKind::Month(..) | ListKind::Day(_) => {
            let period = match &list.list {
                ListKind::Year(y) => PeriodView {
                    kind: "year",
                    year: *y,
                    month: None,
                    day: None,
                    date: format!("{y:04}-01-01"),
                },
                ListKind::Month(y, m) => PeriodView {
                    kind: "month",
                    year: *y,
                    month: Some(*m),
                    day: None,
                    date: format!("{y:04}-{m:02}-01"),
                },
                ListKind::Day(d) => PeriodView {
                    kind: "day",
                    year: d.year(),
                    month: Some(d.month()),
                    day: Some(d.day()),
                    date: ymd(*d),
                },
                ListKind::Home | ListKind::Term { .. } => return Ok(()),
            };
            let href = |p: &Option<String>| p.as_deref().map(|p| urls.path(p));
            ctx.insert_value("period", to_value(&period)?);
            let title = |p: &Option<String>| p.as_deref().and_then(|p| shared.period_title(p));
            ctx.insert_value("older_period", to_value(&href(&list.older_period))?);
            ctx.insert_value("newer_period", to_value(&href(&list.newer_period))?);
            ctx.insert_value("older_period_title", to_value(&title(&list.older_period))?);
            ctx.insert_value("newer_period_title", to_value(&title(&list.newer_period))?);
        }
    }
    Ok(())
}

/// The digest of `items` (but `leave_out`): consecutive articles of one day share a section.
fn days(shared: &Shared<'_>, items: &[usize], leave_out: Option<usize>) -> Vec<DayView> {
    let site = shared.site;
    let mut days: Vec<DayView> = Vec::new();
    for &i in items.iter().filter(|&&i| Some(i) != leave_out) {
        let (Some(article), Some(card)) = (site.articles.get(i), shared.cards.get(i).cloned())
        else {
            continue;
        };
        let date = ymd(article.date.date_naive());
        match days.last_mut() {
            Some(day) if day.date == date => day.articles.push(card),
            _ => days.push(DayView {
                date,
                url: site
                    .links
                    .get(i)
                    .map(|l| shared.urls.path(&l.day_path))
                    .unwrap_or_default(),
                articles: vec![card],
            }),
        }
    }
    days
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
