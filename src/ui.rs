//! Terminal output of the `gazette` binary (not part of the library): message levels (`-q`,
//! `-v`), colors only on a terminal and never with `NO_COLOR`, the progress bar, the link table.

use std::fmt::Display;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use gazette::check::ExternalLink;
use gazette::error::Error;
use gazette::{Progress, Stage};

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const GOOD: Style = AnsiColor::Green.on_default();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

/// How much to say. `anstream` drops the color codes when the stream is not a terminal, or
/// `NO_COLOR` is set (and forces them with `CLICOLOR_FORCE`).
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    quiet: bool,
    verbose: bool,
}

impl Ui {
    pub fn new(quiet: bool, verbose: bool) -> Ui {
        Ui {
            quiet,
            verbose: verbose && !quiet,
        }
    }

    /// Always shown, on stderr.
    pub fn error(&self, message: impl Display) {
        anstream::eprintln!("{ERROR}error:{ERROR:#} {message}");
    }

    /// Every problem of an error, one line each.
    pub fn error_report(&self, error: &Error) {
        match error {
            Error::Problems(list) => list.iter().for_each(|d| self.error(d)),
            other => self.error(other),
        }
    }

    /// Not with `-q`; on stderr.
    pub fn warning(&self, message: impl Display) {
        if !self.quiet {
            anstream::eprintln!("{WARNING}warning:{WARNING:#} {message}");
        }
    }

    /// The summary of a command: not with `-q`; on stdout.
    pub fn info(&self, message: impl Display) {
        if !self.quiet {
            anstream::println!("{BOLD}{message}{BOLD:#}");
        }
    }

    /// Only with `-v`; on stderr.
    pub fn detail(&self, message: impl Display) {
        if self.verbose {
            anstream::eprintln!("{DIM}{message}{DIM:#}");
        }
    }

    /// What the command produced (a path): always, on stdout, plain.
    pub fn result(&self, message: impl Display) {
        println!("{message}");
    }

    /// The table of external links: URL, status, where linked from. Not with `-q` (broken
    /// links are printed as errors anyway).
    pub fn link_table(&self, links: &[ExternalLink]) {
        if self.quiet || links.is_empty() {
            return;
        }
        let statuses: Vec<String> = links.iter().map(|l| l.status.to_string()).collect();
        let status_width = statuses
            .iter()
            .map(|s| s.chars().count())
            .chain(["STATUS".len()])
            .max()
            .unwrap_or(6);
        let url_width = links
            .iter()
            .map(|l| l.url.chars().count())
            .chain(["URL".len()])
            .max()
            .unwrap_or(3);
        anstream::println!(
            "{BOLD}{:<url_width$}  {:<status_width$}  LINKED FROM{BOLD:#}",
            "URL",
            "STATUS"
        );
        for (link, status) in links.iter().zip(statuses) {
            let style = if link.status.is_ok() { GOOD } else { ERROR };
            let sources: Vec<String> = link.sources.iter().map(|s| s.to_string()).collect();
            anstream::println!(
                "{:<url_width$}  {style}{status:<status_width$}{style:#}  {}",
                link.url,
                sources.join(", ")
            );
        }
    }
}

/// The progress bar of a long command, drawn on stderr only when it is a terminal (and never
/// with `-q`), and only once the command has run for a moment, so quick builds stay quiet;
/// with `-v`, also one line per finished stage with its time.
pub struct Bar {
    bar: ProgressBar,
    verbose: bool,
    /// Whether the bar may be drawn at all.
    drawable: bool,
    shown: AtomicBool,
    started: Instant,
}

/// How long a command runs before its progress bar appears.
const SHOW_AFTER: Duration = Duration::from_millis(300);

impl Bar {
    pub fn new(ui: &Ui) -> Bar {
        Bar {
            bar: ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
            verbose: ui.verbose,
            drawable: !ui.quiet && std::io::stderr().is_terminal(),
            shown: AtomicBool::new(false),
            started: Instant::now(),
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// Starts drawing once the command has taken long enough.
    fn maybe_show(&self) {
        if self.drawable
            && self.started.elapsed() >= SHOW_AFTER
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

impl Progress for Bar {
    fn stage(&self, stage: Stage) {
        self.maybe_show();
        self.bar.set_position(0);
        self.bar.unset_length();
        self.bar.set_prefix(stage.name());
        if let Ok(style) = ProgressStyle::with_template("{prefix:>8} {spinner}") {
            self.bar.set_style(style);
        }
    }

    fn total(&self, total: usize) {
        self.bar.set_length(total as u64);
        if let Ok(style) = ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len}") {
            self.bar.set_style(style.progress_chars("=> "));
        }
    }

    fn tick(&self) {
        // A bar that is never drawn needs no count: each tick takes the bar's lock, from every
        // core at once (200,000 ticks in the load of 100,000 articles).
        if self.drawable {
            self.bar.inc(1);
            self.maybe_show();
        }
    }

    fn done(&self, stage: Stage, what: &str, elapsed: Duration) {
        if self.verbose {
            self.bar.suspend(|| {
                anstream::eprintln!(
                    "{DIM}{:>8}  {what} in {:.1} ms{DIM:#}",
                    stage.name(),
                    elapsed.as_secs_f64() * 1000.0
                );
            });
        }
    }
}
