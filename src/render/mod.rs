//! The only place that knows Tera: load the theme (with site overrides), register Gazette's
//! filters and functions, build each page's context from small views, and render every page of the
//! plan into an [`OutputFile`].

mod articles;
mod functions;
mod lists;
mod pages;
mod redirect;
mod theme;
pub mod views;

use rayon::prelude::*;
use tera::Value;

use crate::error::{Diagnostic, Error, Result};
use crate::output::{Contents, OutputFile};
use crate::site::{Page, PageKind, Site};
use crate::urls::Urls;

pub use theme::{REQUIRED, Theme};

/// Renders every page of the plan (HTML through templates, feeds and sitemap through
/// [`crate::feeds`]), in parallel. On failure, the error of the first failing page in plan order.
pub fn render_site(site: &Site, theme: &Theme, urls: &Urls) -> Result<Vec<OutputFile>> {
    render_site_with(site, theme, urls, &|| {})
}

/// [`render_site`], calling `tick` once per page rendered (from worker threads), for progress.
pub fn render_site_with(
    site: &Site,
    theme: &Theme,
    urls: &Urls,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<OutputFile>> {
    // Each card is built once and shared (cheaply cloned) by every list that shows it.
    let cards: Vec<Value> = (0..site.articles.len())
        .into_par_iter()
        .map(|i| {
            articles::card(site, urls, i)
                .map(|card| views::to_value(&card))
                .unwrap_or_else(|| Ok(Value::none()))
        })
        .collect::<std::result::Result<_, String>>()
        .map_err(|message| Error::Render {
            template: "(cards)".into(),
            page: "/".into(),
            message,
        })?;
    let shared = pages::Shared::new(site, urls, cards).map_err(|message| Error::Render {
        template: "(site)".into(),
        page: "/".into(),
        message,
    })?;

    // The search page is optional: a theme without `search.html` publishes only the index.
    let has_search = theme.has_template("search.html");
    let rendered: Vec<Result<OutputFile>> = site
        .pages
        .par_iter()
        .filter_map(|page| {
            let file = (has_search || page.kind != PageKind::Search)
                .then(|| render_page(&shared, theme, page));
            // Skipped pages tick too, so progress reaches the plan's page count.
            tick();
            file
        })
        .collect();
    rendered.into_iter().collect()
}

fn render_page(shared: &pages::Shared<'_>, theme: &Theme, page: &Page) -> Result<OutputFile> {
    let site = shared.site;
    let urls = shared.urls;
    let path = crate::urls::output_file(&page.path).map_err(|message| {
        let input = match &page.kind {
            PageKind::Article(i) => site.articles.get(*i).map(|a| a.file.clone()),
            _ => None,
        };
        Error::problem(Diagnostic::new(
            input.unwrap_or_else(|| page.path.clone().into()),
            message,
        ))
    })?;
    let bytes = match &page.kind {
        PageKind::Feed(feed) => crate::feeds::feed(site, &page.path, feed, urls),
        PageKind::Sitemap => crate::feeds::sitemap(site, urls),
        PageKind::Robots => crate::feeds::robots(urls),
        PageKind::SearchIndex => {
            crate::search::index(site, urls).map_err(|message| Error::Render {
                template: "(search index)".into(),
                page: page.path.clone(),
                message,
            })?
        }
        PageKind::Redirect(to) => {
            redirect::redirect_html(urls, to, &site.config.language).into_bytes()
        }
        kind => {
            let Some(template) = pages::template_for(kind) else {
                return Err(Error::Render {
                    template: String::new(),
                    page: page.path.clone(),
                    message: "no template for this kind of page".into(),
                });
            };
            let context = pages::context(shared, page).map_err(|message| Error::Render {
                template: template.into(),
                page: page.path.clone(),
                message,
            })?;
            theme.render(template, &context, &page.path)?.into_bytes()
        }
    };
    Ok(OutputFile {
        path,
        contents: Contents::Bytes(bytes),
    })
}

#[cfg(test)]
mod tests;
