//! The `gazette` command line: parse arguments, call the library, print, set the exit code.

mod ui;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use gazette::counted;

use ui::{Bar, Ui};

// A build allocates many short-lived strings on every core; glibc's malloc spent a fifth of a
// 100,000-article build in malloc/free/consolidate (perf), more the larger the heap grew.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "gazette",
    version,
    about = "A static site generator for news digests"
)]
struct Cli {
    /// Print nothing but errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Explain what happens: every stage with its time, every file written.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (default `public/`).
    Build {
        /// Site folder (holds site.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder (default: `output_dir` from site.toml, else `public`).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Base URL, replacing `base_url` from site.toml.
        #[arg(long)]
        base_url: Option<String>,
        /// Include articles marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// After the summary, list the files a deploy must upload (new or changed) and, prefixed
        /// `deleted `, those to remove; one per line, relative to the output folder (with -q,
        /// only the list).
        #[arg(long)]
        list_changed: bool,
        /// Ignore the build cache: read every article and render every page (the cache is
        /// written again for the next build).
        #[arg(long)]
        full: bool,
    },
    /// Create a new site (site.toml, a first article, the default theme) that builds at once.
    Init {
        /// Folder for the site; created if missing, must be empty.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Also fill a folder that is not empty (existing files are still never overwritten).
        #[arg(long)]
        force: bool,
    },
    /// Write a new article `content/YYYY/MM/DD/<slug>.md` and print its path.
    New {
        /// The headline.
        title: String,
        /// Tags, separated by commas: `--tags pakistan,protests`.
        #[arg(long, value_delimiter = ',')]
        tags: Vec<String>,
        /// Publication date, as in front matter (`2024-11-27`, `2024-11-27 21:30`, RFC 3339);
        /// default: now, in the site's timezone.
        #[arg(long)]
        date: Option<String>,
        /// Mark it `draft: true`.
        #[arg(long)]
        draft: bool,
        /// Site folder (holds site.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Turn a Jekyll, Hugo, Zola or Eleventy site into a Gazette site, keeping every old URL.
    Import {
        /// The generator that made SRC: jekyll, hugo, zola or eleventy.
        generator: gazette::import::Generator,
        /// The site to import.
        src: PathBuf,
        /// Folder for the Gazette site (created if missing).
        #[arg(default_value = ".")]
        dest: PathBuf,
        /// Overwrite files that already exist in DEST (nothing is ever deleted).
        #[arg(long)]
        force: bool,
    },
    /// Check front matter, templates and links without writing anything.
    Check {
        /// Site folder (holds site.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Check drafts as if published.
        #[arg(long)]
        drafts: bool,
        /// Also check links to other sites over HTTP.
        #[arg(long)]
        external: bool,
        /// Seconds allowed for each external request.
        #[arg(long, default_value_t = 10, value_name = "SECONDS")]
        timeout: u64,
        /// External requests in flight at once.
        #[arg(long, default_value_t = 8, value_name = "N")]
        jobs: usize,
    },
    /// Serve the site locally, rebuilding and reloading open pages on every change.
    Serve {
        /// Site folder (holds site.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Port to listen on (0 picks a free port).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on; anything but loopback is reachable from other machines.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Include articles marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Open the site in a browser.
        #[arg(long)]
        open: bool,
        /// Write the changed pages open tabs show before reloading them, the rest right after
        /// (`--fast-render=false`: everything before the reload).
        #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
        fast_render: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ui = Ui::new(cli.quiet, cli.verbose);
    let ok = match cli.command {
        Command::Build {
            root,
            output,
            base_url,
            drafts,
            list_changed,
            full,
        } => build(
            &ui,
            &gazette::BuildOptions {
                root,
                output,
                base_url,
                drafts,
                full,
            },
            list_changed,
        ),
        Command::Init { dir, force } => init(&ui, &dir, force),
        Command::New {
            title,
            tags,
            date,
            draft,
            root,
        } => new(
            &ui,
            &gazette::NewArticle {
                root,
                title,
                tags,
                date,
                draft,
            },
        ),
        Command::Import {
            generator,
            src,
            dest,
            force,
        } => import(
            &ui,
            &gazette::import::ImportOptions {
                generator,
                src,
                dest,
                force,
            },
        ),
        Command::Check {
            root,
            drafts,
            external,
            timeout,
            jobs,
        } => check(
            &ui,
            &gazette::CheckOptions {
                root,
                drafts,
                external,
                timeout: Duration::from_secs(timeout.max(1)),
                concurrency: jobs.max(1),
            },
        ),
        Command::Serve {
            root,
            port,
            bind,
            drafts,
            open,
            fast_render,
        } => serve(
            ui,
            gazette::serve::ServeOptions {
                root,
                bind,
                port,
                drafts,
                open,
                fast_render,
            },
        ),
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn build(ui: &Ui, options: &gazette::BuildOptions, list_changed: bool) -> bool {
    let bar = Bar::new(ui);
    let result = gazette::build_with(options, &bar);
    bar.finish();
    match result {
        Ok(report) => {
            for warning in &report.warnings {
                ui.warning(warning);
            }
            for path in &report.write.changed {
                ui.detail(format_args!("written   {path}"));
            }
            for path in &report.write.removed {
                ui.detail(format_args!("removed   {path}"));
            }
            if let Some(note) = &report.cache.note {
                ui.info(format_args!("Build cache: {note}"));
            }
            ui.info(format_args!(
                "Built {} into {} in {} ms ({} written, {} unchanged; search index {}) -> {}",
                counted(report.articles, "article"),
                counted(report.pages, "page"),
                report.elapsed.as_millis(),
                counted(report.write.written, "file"),
                report.write.unchanged,
                human_size(report.search_index_bytes),
                report.output_dir.display()
            ));
            for note in &report.notes {
                ui.info(format_args!("note: {note}"));
            }
            if let Some(keys) = &report.extra_keys {
                ui.detail(format_args!("note: {keys}"));
            }
            if report.cache.incremental {
                ui.detail(format_args!(
                    "incremental: {} taken from the build cache, {} of {} rendered",
                    counted(report.cache.articles_reused, "article"),
                    report.cache.pages_rendered,
                    counted(report.pages, "page")
                ));
            }
            // The list is what the command produced for a deploy script, so it is printed even
            // with --quiet.
            if list_changed {
                for path in &report.write.changed {
                    ui.result(path);
                }
                for path in &report.write.removed {
                    ui.result(format_args!("deleted {path}"));
                }
            }
            report.held.leave();
            true
        }
        Err(error) => {
            ui.error_report(&error);
            ui.error(format_args!(
                "the build stopped; the previous output was left as it was"
            ));
            false
        }
    }
}

fn serve(ui: Ui, options: gazette::serve::ServeOptions) -> bool {
    match gazette::serve::serve(options, move |event| serve_event(&ui, event)) {
        Ok(()) => true,
        Err(error) => {
            ui.error_report(&error);
            false
        }
    }
}

/// One event of `serve`, printed like `build` prints: warnings and errors on stderr, the
/// one-line summaries on stdout (not with `-q`), every file written or removed with `-v`. The
/// address served is the command's result, so it is printed even with `-q`.
fn serve_event(ui: &Ui, event: &gazette::serve::Event) {
    use gazette::serve::Event;
    let details = |rebuild: &gazette::serve::Rebuild| {
        for warning in &rebuild.warnings {
            ui.warning(warning);
        }
        for path in &rebuild.written {
            ui.detail(format_args!("written   {path}"));
        }
        for path in &rebuild.removed {
            ui.detail(format_args!("removed   {path}"));
        }
    };
    match event {
        Event::Warning(message) => ui.warning(message),
        Event::Built(rebuild) | Event::Rebuilt { rebuild, .. } => {
            details(rebuild);
            ui.info(event);
        }
        Event::Flushed(rebuild) => {
            details(rebuild);
            ui.info(event);
        }
        Event::Finished(rebuild) => {
            details(rebuild);
            ui.detail(event);
        }
        Event::Listening { .. } => ui.result(event),
        Event::Failed { problems, .. } => {
            ui.error(event);
            problems.iter().for_each(|problem| ui.error(problem));
        }
        Event::Stopped => ui.info(event),
    }
}

fn init(ui: &Ui, dir: &Path, force: bool) -> bool {
    match gazette::init(dir, force) {
        Ok(report) => {
            for path in &report.created {
                ui.detail(format_args!("created   {}", dir.join(path).display()));
            }
            for path in &report.skipped {
                ui.warning(format_args!(
                    "{}: already exists; left as it was",
                    dir.join(path).display()
                ));
            }
            ui.info(format_args!(
                "Created a new site in {} ({}). Build it with: gazette build --root {}",
                dir.display(),
                counted(report.created.len(), "file"),
                dir.display()
            ));
            true
        }
        Err(error) => {
            ui.error_report(&error);
            false
        }
    }
}

fn new(ui: &Ui, options: &gazette::NewArticle) -> bool {
    match gazette::new_article(options) {
        Ok(rel) => {
            // The path is the command's result, so it is printed even with --quiet.
            let shown = if options.root == Path::new(".") {
                rel
            } else {
                options.root.join(rel)
            };
            ui.result(format_args!("{}", shown.display()));
            true
        }
        Err(error) => {
            ui.error_report(&error);
            false
        }
    }
}

/// Prints what an import did and what is left for a person: results on stdout, every finding
/// needing a look as a warning with its file and line.
fn import(ui: &Ui, options: &gazette::import::ImportOptions) -> bool {
    let report = match gazette::import::import(options) {
        Ok(report) => report,
        Err(error) => {
            ui.error_report(&error);
            return false;
        }
    };
    for path in &report.written {
        ui.detail(format_args!(
            "written   {}",
            options.dest.join(path).display()
        ));
    }
    for finding in report.templates.iter().chain(&report.attention) {
        ui.warning(finding);
    }
    ui.info(format_args!(
        "Imported {} ({}) from {} into {}: {} copied, {} (aliases), {} theme files written; \
         permalink {}",
        counted(report.posts, "post"),
        counted(report.drafts, "draft"),
        options.src.display(),
        options.dest.display(),
        counted(report.files_copied, "file"),
        counted(report.aliases, "redirect"),
        report.theme_files,
        report.permalink
    ));
    if !report.extra_keys.is_empty() {
        let keys: Vec<String> = report
            .extra_keys
            .iter()
            .map(|(key, n)| format!("{key} ({n})"))
            .collect();
        ui.info(format_args!(
            "Front-matter keys kept as they were (in `extra`): {}",
            keys.join(", ")
        ));
    }
    ui.info(format_args!(
        "Needs a person: {} of template syntax, {}",
        counted(report.templates.len(), "piece"),
        counted(report.attention.len(), "other note")
    ));
    true
}

fn check(ui: &Ui, options: &gazette::CheckOptions) -> bool {
    let bar = Bar::new(ui);
    let result = gazette::check_with(options, &bar);
    bar.finish();
    let report = match result {
        Ok(report) => report,
        Err(error) => {
            ui.error_report(&error);
            return false;
        }
    };
    for error in &report.errors {
        ui.error(error);
    }
    for link in report.external.iter().filter(|l| !l.status.is_ok()) {
        for source in &link.sources {
            ui.error(format_args!(
                "{source}: link to {}: {}",
                link.url, link.status
            ));
        }
    }
    for warning in &report.warnings {
        ui.warning(warning);
    }
    if options.external {
        ui.link_table(&report.external);
    }
    let broken = report.external.iter().filter(|l| !l.status.is_ok()).count();
    let external = if options.external {
        format!(
            ", {} external URLs ({broken} broken)",
            report.external.len()
        )
    } else {
        String::new()
    };
    if let Some(keys) = &report.extra_keys {
        ui.info(format_args!("note: {keys}"));
    }
    ui.info(format_args!(
        "Checked {}, {}, {}{external} in {} ms: {}, {}",
        counted(report.articles, "article"),
        counted(report.pages, "page"),
        counted(report.internal_links, "internal link"),
        report.elapsed.as_millis(),
        counted(report.errors.len() + broken, "error"),
        counted(report.warnings.len(), "warning"),
    ));
    report.passed()
}

/// `950 B`, `9.5 KB`, `3.2 MB` (units of 1024).
fn human_size(bytes: usize) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{:.1} KB", b / KB)
    } else {
        format!("{:.1} MB", b / (KB * KB))
    }
}
