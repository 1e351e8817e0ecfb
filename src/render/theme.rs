//! Loading a theme: read its templates (and the site's overrides), compile them with Tera, and turn
//! every template problem into a [`Diagnostic`] that names the real file and line.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tera::{Context, ErrorKind, Tera};
use walkdir::WalkDir;

use super::cards::CardCache;
use crate::assets::Assets;
use crate::config::Config;
use crate::error::{Diagnostic, Error, Result};
use crate::fingerprint::Fingerprint;
use crate::output::OutputFile;
use crate::urls::Urls;

/// Templates every theme must provide: one per kind of HTML page the model plans.
pub const REQUIRED: &[&str] = &[
    "index.html",
    "article.html",
    "term.html",
    "period.html",
    "terms.html",
    "archive.html",
    "404.html",
];

/// A loaded theme: compiled templates plus its static files, ready to publish.
pub struct Theme {
    /// Theme `static/` then site `static/` (later folders win).
    pub static_dirs: Vec<PathBuf>,
    /// The static files as published (stylesheets and scripts fingerprinted, and minified with
    /// `minify = true`); the `asset()` function links to these names.
    assets: Assets,
    /// The compiled templates, with Gazette's functions and filters.
    tera: Tera,
    /// The links the `url()` and `abs_url()` functions build.
    urls: Urls,
    /// Template name -> its file, relative to the site root, for messages.
    files: HashMap<String, PathBuf>,
    /// Every template's name and text and every asset's published name: what a rendered page
    /// can take from the theme besides its variables.
    fingerprint: u128,
    /// Links in the template and static folders that were left out, with why.
    warnings: Vec<Diagnostic>,
}

/// One template source, before compiling.
struct Source {
    /// The file, relative to the site root.
    file: PathBuf,
    /// Its text.
    text: String,
}

impl Theme {
    /// Loads `themes/<config.theme>/templates/` under `root`, then `root/templates/` overrides.
    pub fn load(root: &Path, config: &Config) -> Result<Theme> {
        let theme_rel = Path::new("themes").join(&config.theme);
        let templates_rel = theme_rel.join("templates");
        if !root.join(&templates_rel).is_dir() {
            return Err(Error::problem(Diagnostic::new(
                &templates_rel,
                format!(
                    "theme `{}` not found: there is no folder {}; fix `theme` in site.toml",
                    config.theme,
                    templates_rel.display()
                ),
            )));
        }

        let mut problems = Vec::new();
        let mut sources = BTreeMap::new();
        let mut warnings = Vec::new();
        for dir in [templates_rel.as_path(), Path::new("templates")] {
            read_templates(root, dir, &mut sources, &mut problems, &mut warnings);
        }
        for name in REQUIRED {
            if !sources.contains_key(*name) {
                problems.push(Diagnostic::new(
                    templates_rel.join(name),
                    format!(
                        "theme `{}` has no `{name}`; add it to the theme or to templates/",
                        config.theme
                    ),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(Error::Problems(problems));
        }

        let urls = Urls::new(&config.base_url);
        let files: HashMap<String, PathBuf> = sources
            .iter()
            .map(|(name, source)| (name.clone(), source.file.clone()))
            .collect();
        let static_dirs = vec![root.join(&theme_rel).join("static"), root.join("static")];
        let assets = crate::assets::prepare(&static_dirs, config.minify)?;
        warnings.extend(assets.skipped.iter().map(|skipped| Diagnostic {
            path: relative(root, &skipped.path),
            ..skipped.clone()
        }));
        let mut fingerprint = Fingerprint::new();
        for (name, source) in &sources {
            fingerprint.str(name).str(&source.text);
        }
        for (name, published) in &assets.published {
            fingerprint.str(name).str(published);
        }
        let tera = compile(&sources, &urls, &assets, &files, &templates_rel)?;
        Ok(Theme {
            static_dirs,
            assets,
            tera,
            urls,
            files,
            fingerprint: fingerprint.finish(),
            warnings,
        })
    }

    /// A fingerprint of everything a page can take from the theme besides its variables: the
    /// templates (with the site's overrides) and the published names of the static files.
    pub fn fingerprint(&self) -> u128 {
        self.fingerprint
    }

    /// What one render renders pages with: the compiled templates, with a `render_card` that
    /// keeps its cards for this render only. The theme itself is never changed by a render,
    /// so renders cannot see each other's cards.
    pub(crate) fn renderer(&self) -> Renderer<'_> {
        self.renderer_with(Arc::new(CardCache::default()))
    }

    /// [`Theme::renderer`] keeping its cards in `cards` (which may offer an earlier build's).
    pub(crate) fn renderer_with(&self, cards: Arc<CardCache>) -> Renderer<'_> {
        let mut tera = self.tera.clone();
        super::cards::register(&mut tera, &cards);
        // `render_card` renders through its own copy of the templates.
        cards.set_tera(tera.clone());
        Renderer {
            theme: self,
            tera,
            cards,
        }
    }

    /// What the template and static folders hold that is left out (links), each with why:
    /// warnings for every command that loads the theme.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The static files to publish, as `asset()` names them.
    pub fn static_files(&self) -> &[OutputFile] {
        &self.assets.files
    }

    /// True when the theme (or the site) has a template called `name`.
    pub fn has_template(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// The links this theme's `url()` function builds.
    pub fn urls(&self) -> &Urls {
        &self.urls
    }

    /// Tera's report, plus the real file of the template that failed when it is not `name`.
    fn describe(&self, error: &tera::Error) -> String {
        let mut message = error.to_string();
        if let ErrorKind::RenderingError(report) = error.kind()
            && let Some(file) = self.files.get(report.filename())
        {
            message.push_str(&format!("\n(template file: {})", file.display()));
        }
        message
    }
}

/// The templates of one render ([`Theme::renderer`]).
pub(crate) struct Renderer<'t> {
    theme: &'t Theme,
    tera: Tera,
    /// Owns the cards `render_card` keeps (the function holds them weakly).
    cards: Arc<CardCache>,
}

impl Renderer<'_> {
    /// The cards `render_card` keeps.
    pub(crate) fn cards(&self) -> &CardCache {
        &self.cards
    }

    /// Renders template `name` for the page at site path `page`.
    pub(crate) fn render(&self, name: &str, context: &Context, page: &str) -> Result<String> {
        self.tera
            .render(name, context)
            .map_err(|error| Error::Render {
                template: name.to_string(),
                page: page.to_string(),
                message: self.theme.describe(&error),
            })
    }
}

/// Reads every file under `root/dir` into `sources`, keyed by its `/`-separated name relative to
/// `dir`; a later call replaces templates of the same name. Hidden files (editor swap files,
/// `.DS_Store`) are skipped.
fn read_templates(
    root: &Path,
    dir: &Path,
    sources: &mut BTreeMap<String, Source>,
    problems: &mut Vec<Diagnostic>,
    skipped: &mut Vec<Diagnostic>,
) {
    let base = root.join(dir);
    if !base.is_dir() {
        return;
    }
    let walk = WalkDir::new(&base)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().unwrap_or(&base).to_path_buf();
                problems.push(Diagnostic::new(relative(root, &path), e.to_string()));
                continue;
            }
        };
        if entry.path_is_symlink() {
            skipped.push(Diagnostic::new(
                relative(root, entry.path()),
                "is a link; skipped (templates are read from files: put the template itself \
                 here)",
            ));
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let file = relative(root, entry.path());
        let Some(name) = template_name(&base, entry.path()) else {
            problems.push(Diagnostic::new(file, "template names must be valid UTF-8"));
            continue;
        };
        match std::fs::read_to_string(entry.path()) {
            Ok(text) => {
                sources.insert(name, Source { file, text });
            }
            Err(e) => problems.push(Diagnostic::new(file, format!("cannot read template: {e}"))),
        }
    }
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// `partials/card.html` for `<base>/partials/card.html`.
fn template_name(base: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(base).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// Compiles all templates together (so `extends` and `include` resolve), reporting every syntax
/// error at once.
fn compile(
    sources: &BTreeMap<String, Source>,
    urls: &Urls,
    assets: &Assets,
    files: &HashMap<String, PathBuf>,
    templates_dir: &Path,
) -> Result<Tera> {
    let mut tera = Tera::new();
    super::functions::register(&mut tera, urls);
    super::functions::register_assets(&mut tera, urls, assets.published.clone());
    // Each render registers its own `render_card` ([`Theme::renderer`]); until then the name
    // is known, so templates compile and a stray call says what is wrong.
    super::cards::register_unavailable(&mut tera);

    // Parse each template alone first: Tera stops at the first syntax error of a batch, and a
    // user fixing templates wants them all.
    let mut problems = Vec::new();
    for (name, source) in sources {
        let mut scratch = Tera::new();
        if let Err(error) = scratch.add_raw_template(name, &source.text)
            && let ErrorKind::SyntaxError(report) = error.kind()
        {
            let open = (report.message() == "Unexpected end of input")
                .then(|| super::unclosed::unclosed(&source.text))
                .flatten();
            problems.push(match open {
                Some((line, message)) => Diagnostic::at(&source.file, line, message),
                None => report_diagnostic(
                    &source.file,
                    report.span().start_line,
                    report.span().start_col,
                    report.message(),
                ),
            });
        }
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }

    let batch = sources
        .iter()
        .map(|(name, s)| (name.as_str(), s.text.as_str()));
    tera.add_raw_templates(batch)
        .map_err(|error| Error::Problems(diagnostics(&error, files, templates_dir)))?;
    Ok(tera)
}

fn report_diagnostic(file: &Path, line: usize, col: usize, message: &str) -> Diagnostic {
    Diagnostic::at(file, line, format!("column {}: {message}", col + 1))
}

/// Turns a Tera loading error into diagnostics naming real files.
fn diagnostics(
    error: &tera::Error,
    files: &HashMap<String, PathBuf>,
    templates_dir: &Path,
) -> Vec<Diagnostic> {
    let file_of = |name: &str| {
        files
            .get(name)
            .cloned()
            .unwrap_or_else(|| templates_dir.join(name))
    };
    match error.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            vec![report_diagnostic(
                &file_of(report.filename()),
                report.span().start_line,
                report.span().start_col,
                report.message(),
            )]
        }
        ErrorKind::MissingParent { current, parent } => vec![Diagnostic::new(
            file_of(current),
            format!("extends `{parent}`, which is neither in the theme nor in templates/"),
        )],
        ErrorKind::CircularExtend {
            tpl,
            inheritance_chain,
        } => vec![Diagnostic::new(
            file_of(tpl),
            format!("circular extends: {}", inheritance_chain.join(" -> ")),
        )],
        ErrorKind::CircularInclude { tpl, include_chain } => vec![Diagnostic::new(
            file_of(tpl),
            format!("circular include: {}", include_chain.join(" -> ")),
        )],
        ErrorKind::Msg(text) => reports(text, &file_of, templates_dir),
        _ => vec![Diagnostic::new(templates_dir, error.to_string())],
    }
}

/// Tera joins several validation reports (unknown filter, unknown include...) into one message;
/// each starts with `error: ` and has a `--> name:line:col` locus.
fn reports(text: &str, file_of: &dyn Fn(&str) -> PathBuf, templates_dir: &Path) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut message: Option<&str> = None;
    for line in text.lines() {
        if let Some(m) = line.strip_prefix("error: ") {
            message = Some(m);
        } else if let (Some(m), Some(locus)) = (message, line.trim_start().strip_prefix("--> ")) {
            let mut parts = locus.rsplitn(3, ':');
            let col = parts.next().and_then(|c| c.parse::<usize>().ok());
            let row = parts.next().and_then(|l| l.parse::<usize>().ok());
            if let (Some(col), Some(row), Some(name)) = (col, row, parts.next()) {
                out.push(report_diagnostic(
                    &file_of(name),
                    row,
                    col.saturating_sub(1),
                    m,
                ));
                message = None;
            }
        }
    }
    if out.is_empty() {
        out.push(Diagnostic::new(templates_dir, text.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn minimal(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut files: Vec<(&str, &str)> = REQUIRED
            .iter()
            .map(|name| match *name {
                "index.html" => ("themes/t/templates/index.html", "index"),
                "article.html" => ("themes/t/templates/article.html", "article"),
                "term.html" => ("themes/t/templates/term.html", "term"),
                "period.html" => ("themes/t/templates/period.html", "period"),
                "terms.html" => ("themes/t/templates/terms.html", "terms"),
                "archive.html" => ("themes/t/templates/archive.html", "archive"),
                _ => ("themes/t/templates/404.html", "404"),
            })
            .collect();
        files.extend_from_slice(extra);
        files
    }

    fn config() -> Config {
        Config {
            theme: "t".into(),
            ..Config::default()
        }
    }

    fn problems(result: Result<Theme>) -> Vec<Diagnostic> {
        match result {
            Err(Error::Problems(p)) => p,
            Err(other) => panic!("expected problems, got {other}"),
            Ok(_) => panic!("expected problems, got a theme"),
        }
    }

    #[test]
    fn a_missing_theme_says_what_to_fix() {
        let dir = site_with(&[]);
        let p = problems(Theme::load(dir.path(), &config()));
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].path, PathBuf::from("themes/t/templates"));
        assert!(
            p[0].message.contains("fix `theme` in site.toml"),
            "{}",
            p[0]
        );
    }

    #[test]
    fn every_syntax_error_is_reported_with_its_file_and_line() {
        let dir = site_with(&minimal(&[
            ("themes/t/templates/a.html", "ok\n\n{% if %}"),
            ("templates/partials/b.html", "{{ x \n"),
        ]));
        let p = problems(Theme::load(dir.path(), &config()));
        assert_eq!(p.len(), 2, "{p:?}");
        // In template-name order: `a.html`, then `partials/b.html`.
        assert_eq!(p[0].path, PathBuf::from("themes/t/templates/a.html"));
        assert_eq!(p[0].line, Some(3));
        assert!(p[0].message.starts_with("column "), "{}", p[0]);
        assert_eq!(p[1].path, PathBuf::from("templates/partials/b.html"));
        assert_eq!(p[1].line, Some(1));
        assert_eq!(p[1].message, "`{{` opened here is never closed by `}}`");
    }

    #[test]
    fn an_unclosed_tag_is_named_at_its_own_line() {
        // Tera says "Unexpected end of input" at line 3 of this 2-line file.
        let dir = site_with(&minimal(&[(
            "templates/partials/c.html",
            "<p>\n{% if page.title %}{{ page.title }}\n",
        )]));
        let p = problems(Theme::load(dir.path(), &config()));
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, Some(2));
        assert_eq!(
            p[0].message,
            "`{% if %}` opened here is never closed: add `{% endif %}`"
        );
    }

    #[test]
    fn unknown_filters_and_parents_name_the_file() {
        let dir = site_with(&minimal(&[(
            "templates/article.html",
            "line one\n{{ x | nope }}",
        )]));
        let p = problems(Theme::load(dir.path(), &config()));
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].path, PathBuf::from("templates/article.html"));
        assert_eq!(p[0].line, Some(2));
        assert!(p[0].message.contains("Unknown filter `nope`"), "{}", p[0]);

        let dir = site_with(&minimal(&[(
            "templates/404.html",
            r#"{% extends "gone.html" %}"#,
        )]));
        let p = problems(Theme::load(dir.path(), &config()));
        assert_eq!(p[0].path, PathBuf::from("templates/404.html"));
        assert!(p[0].message.contains("gone.html"), "{}", p[0]);
    }

    #[test]
    fn missing_required_templates_are_listed() {
        let dir = site_with(&[("themes/t/templates/index.html", "x")]);
        let p = problems(Theme::load(dir.path(), &config()));
        assert_eq!(p.len(), REQUIRED.len() - 1);
        assert!(
            p.iter()
                .any(|d| d.path == Path::new("themes/t/templates/term.html"))
        );
    }

    #[test]
    fn overrides_replace_and_statics_are_in_order() {
        let dir = site_with(&minimal(&[("templates/term.html", "mine")]));
        let theme = Theme::load(dir.path(), &config()).unwrap();
        let out = theme
            .renderer()
            .render("term.html", &Context::new(), "/t/")
            .unwrap();
        assert_eq!(out, "mine");
        assert_eq!(
            theme.static_dirs,
            vec![
                dir.path().join("themes/t/static"),
                dir.path().join("static")
            ]
        );
    }
}
