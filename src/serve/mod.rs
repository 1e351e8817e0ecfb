//! `gazette serve`: build the site into a folder of its own, serve it over HTTP, watch the inputs,
//! rebuild incrementally on every change and reload every open tab (or show the error there).
//!
//! The library never prints: what happens is reported as [`Event`]s to the caller's callback.

mod http;
mod live;
mod paths;
mod watch;

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use crate::error::{Diagnostic, Error, Result};

pub use crate::engine::rebuild::{Changes, Done, Job, Pending, Rebuild, Rebuilder};
pub use live::{EVENTS_PATH, SCRIPT_PATH};

/// What `gazette serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site folder (holds `site.toml`).
    pub root: PathBuf,
    /// Address to listen on; anything but loopback is reachable from other machines.
    pub bind: IpAddr,
    /// Port to listen on; 0 picks a free one.
    pub port: u16,
    /// Publish drafts too.
    pub drafts: bool,
    /// Open the site in a browser once it is served.
    pub open: bool,
    /// Fast rendering: write the changed pages the tabs show first, reload them, then write the
    /// rest (requests for those wait until they are written). Off: everything before the reload.
    pub fast_render: bool,
}

/// Something the terminal should hear about.
#[derive(Debug, Clone)]
pub enum Event {
    /// Worth a warning (such as a server reachable from other machines).
    Warning(String),
    /// The first build finished.
    Built(Rebuild),
    /// The site is served.
    Listening {
        /// The address to open.
        url: String,
        /// The folder being served (removed on exit).
        output: PathBuf,
    },
    /// A change was rebuilt.
    Rebuilt {
        /// What changed.
        cause: String,
        /// What the rebuild did.
        rebuild: Rebuild,
    },
    /// Right after a rebuild's reload, the changed pages fast rendering left pending were
    /// written (`unchecked` of them were not: a new save came first).
    Flushed(Rebuild),
    /// After a rebuild (and the tabs' reload), the pages it left for later were written: the
    /// search index.
    Finished(Rebuild),
    /// A build failed; the last good site is still served.
    Failed {
        /// What changed, or `None` for the first build.
        cause: Option<String>,
        /// The problems, one per entry (`file:line: message`).
        problems: Vec<String>,
    },
    /// The server stopped.
    Stopped,
}

/// The one line for the terminal; the warnings of a rebuild and the problems of a failed one
/// are not part of it (they are printed one per line by the caller).
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Warning(message) => write!(f, "{message}"),
            Event::Built(r) => {
                write!(
                    f,
                    "built {} into {} in {} ms",
                    crate::counted(r.articles, "article"),
                    crate::counted(r.pages, "page"),
                    r.elapsed.as_millis()
                )
            }
            Event::Listening { url, output } => write!(
                f,
                "serving {url} (from {}); watching for changes, Ctrl-C to stop",
                output.display()
            ),
            Event::Rebuilt { cause, rebuild: r } => {
                let kind = if r.full { "full rebuild: " } else { "" };
                write!(
                    f,
                    "{kind}rebuilt {}, {} written, {} removed ({cause}) in {} ms",
                    crate::counted(r.rendered.len(), "page"),
                    crate::counted(r.written.len(), "file"),
                    r.removed.len(),
                    r.elapsed.as_millis()
                )
            }
            Event::Flushed(r) => {
                write!(
                    f,
                    "then {} pending {}, {} written in {} ms",
                    r.rendered.len(),
                    if r.rendered.len() == 1 {
                        "page"
                    } else {
                        "pages"
                    },
                    crate::counted(r.written.len(), "file"),
                    r.elapsed.as_millis()
                )?;
                if r.unchecked > 0 {
                    write!(f, " ({} left for after the next save)", r.unchecked)?;
                }
                Ok(())
            }
            Event::Finished(r) => write!(
                f,
                "then {}: {} written in {} ms",
                r.rendered.join(", "),
                crate::counted(r.written.len(), "file"),
                r.elapsed.as_millis()
            ),
            Event::Failed { cause, .. } => {
                let after = cause
                    .as_ref()
                    .map(|c| format!(" after {c}"))
                    .unwrap_or_default();
                write!(
                    f,
                    "the build failed{after}; still serving the last good site"
                )
            }
            Event::Stopped => write!(f, "stopped"),
        }
    }
}

/// The base URL pages link to when served at `addr`: a wildcard bind links to loopback.
pub fn base_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        ip if ip.is_unspecified() => IpAddr::from([127, 0, 0, 1]),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, addr.port()))
}

/// Runs the dev server until Ctrl-C (or SIGTERM), reporting to `report`. Errors only for what
/// stops it from starting (no site here, the port is taken); a broken build is reported and
/// served around.
pub fn serve(options: ServeOptions, report: impl Fn(&Event) + Send + Sync + 'static) -> Result<()> {
    let report = Arc::new(report);
    let root = std::fs::canonicalize(&options.root).map_err(|e| Error::io(&options.root, e))?;
    if !root.join("site.toml").is_file() {
        crate::load_config(&root, None)?;
    }
    let addr = SocketAddr::new(options.bind, options.port);
    let listener = std::net::TcpListener::bind(addr).map_err(|e| {
        Error::problem(Diagnostic::new(
            format!("--bind {} --port {}", options.bind, options.port),
            format!("cannot listen there: {e}; pick another --port (0 picks a free one)"),
        ))
    })?;
    let local = listener.local_addr().map_err(|e| Error::io(&root, e))?;
    if !options.bind.is_loopback() {
        report(&Event::Warning(format!(
            "listening on {}: other machines on the network can read this site (drafts \
             included with --drafts); use --bind 127.0.0.1 to keep it local",
            options.bind
        )));
    }
    let out = tempfile::Builder::new()
        .prefix("gazette-serve-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let out_root = std::fs::canonicalize(out.path()).map_err(|e| Error::io(out.path(), e))?;
    let url = base_url(local);
    let hub = Arc::new(live::Hub::default());

    let mut rebuilder = Rebuilder::new(&root, &out_root, options.drafts, &url);
    if options.fast_render {
        let tabs = hub.clone();
        // The site paths of the pages the tabs show, from their request paths.
        rebuilder.fast_render(move || {
            let files = tabs
                .open_paths()
                .into_iter()
                .flat_map(|p| paths::candidates(&p));
            files.map(|file| crate::urls::site_path_of(&file)).collect()
        });
    }
    let pending = rebuilder.pending();
    match rebuilder.full() {
        Ok(built) => {
            report(&Event::Built(built));
            hub.reload();
        }
        Err(error) => {
            let problems = problem_lines(&error);
            hub.fail(&problems.join("\n"));
            report(&Event::Failed {
                cause: None,
                problems,
            });
        }
    }
    let mut watcher = watch::Watch::new(&root)?;
    watcher.watch_links();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io(&root, e))?;
    let stop = Arc::new(AtomicBool::new(false));
    let rebuilds = spawn_rebuilds(
        rebuilder,
        watcher,
        hub.clone(),
        report.clone(),
        stop.clone(),
    );

    let served = runtime.block_on(async {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let server = Arc::new(http::Server {
            root: out_root.clone(),
            hub: hub.clone(),
            pending,
        });
        let pinger = hub.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(http::PING);
            loop {
                every.tick().await;
                pinger.ping();
            }
        });
        report(&Event::Listening {
            url: url.clone(),
            output: out_root.clone(),
        });
        if options.open {
            open_browser(&url);
        }
        http::run(listener, server, shutdown_signal()).await;
        Ok::<(), std::io::Error>(())
    });
    stop.store(true, Ordering::Relaxed);
    let _ = rebuilds.join();
    runtime.shutdown_timeout(Duration::from_millis(200));
    report(&Event::Stopped);
    drop(out);
    served.map_err(|e| Error::io(&root, e))
}

/// The rebuild loop on its own thread: wait for a burst of changes, rebuild, tell the tabs.
/// Once the files have been left alone for [`LATER_AFTER`], render what the rebuilds left for
/// later on another thread, one job at a time, and write it when it is done (if still current).
fn spawn_rebuilds(
    mut rebuilder: Rebuilder,
    mut watcher: watch::Watch,
    hub: Arc<live::Hub>,
    report: Arc<impl Fn(&Event) + Send + Sync + 'static>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut running: Option<mpsc::Receiver<Done>> = None;
        // Whether a job may be needed. Cleared when none is, or when one failed (it would
        // fail the same way until something changes).
        let mut dirty = false;
        let mut last_change = Instant::now();
        let mut wait = None;
        while let Some(batch) = watcher.next_batch(&stop, wait) {
            if batch.rescan || !batch.paths.is_empty() {
                dirty = true;
                last_change = Instant::now();
                if rebuild(&mut rebuilder, &batch, &hub, &*report) {
                    watcher.watch_links();
                }
            }
            if rebuilder.has_left() {
                // The tabs are reloading: what they did not need first is written now (their
                // requests for it wait until it is), unless the next save comes first.
                match guarded(&mut rebuilder, |r| r.flush_until(&|| watcher.has_news())) {
                    Ok(None) => {}
                    Ok(Some(flushed)) => report(&Event::Flushed(flushed)),
                    Err(error) => failed(&hub, &*report, None, &error),
                }
            }
            if let Some(done) = running.as_ref().map(mpsc::Receiver::try_recv) {
                match done {
                    Ok(done) => {
                        running = None;
                        match guarded(&mut rebuilder, |r| r.accept(done)) {
                            Ok(None) => {}
                            Ok(Some(rebuild)) => report(&Event::Finished(rebuild)),
                            Err(error) => {
                                dirty = false;
                                failed(&hub, &*report, None, &error);
                            }
                        }
                    }
                    Err(mpsc::TryRecvError::Empty) => {}
                    // The job's thread is gone without an answer.
                    Err(mpsc::TryRecvError::Disconnected) => running = None,
                }
            }
            let quiet = last_change.elapsed();
            if running.is_none() && dirty && quiet >= LATER_AFTER {
                match guarded(&mut rebuilder, |r| r.later()) {
                    Ok(Some(job)) => {
                        let (tx, rx) = mpsc::channel();
                        std::thread::spawn(move || {
                            let _ = tx.send(job.run());
                        });
                        running = Some(rx);
                    }
                    _ => dirty = false,
                }
            }
            wait = match (&running, dirty) {
                (Some(_), _) => Some(LATER_POLL),
                (None, true) => Some(LATER_AFTER.saturating_sub(last_change.elapsed())),
                (None, false) => None,
            };
        }
    })
}

/// How long the files must be left alone before the pages left for later are rendered: while
/// someone is saving again and again, the rebuilds have the machine to themselves.
const LATER_AFTER: Duration = Duration::from_millis(1000);

/// How often the rebuild loop looks whether a job it started is done.
const LATER_POLL: Duration = Duration::from_millis(20);

/// Applies one burst of changes, then reloads the tabs or shows them the error. True after a
/// full rebuild, done or failed (the links in `content/` may have changed).
fn rebuild(
    rebuilder: &mut Rebuilder,
    batch: &watch::Batch,
    hub: &live::Hub,
    report: &dyn Fn(&Event),
) -> bool {
    let root = rebuilder.root().to_path_buf();
    let changes = match batch.linked.first() {
        _ if batch.rescan => Changes::everything("(events lost by the watcher)"),
        Some(path) => Changes::everything(
            &path
                .strip_prefix(&root)
                .unwrap_or(path)
                .display()
                .to_string(),
        ),
        None => rebuilder.changes(&batch.paths),
    };
    let cause = changes.describe();
    match guarded(rebuilder, |r| r.update(&changes)) {
        Ok(None) => changes.full,
        Ok(Some(rebuild)) => {
            let touched =
                !rebuild.written.is_empty() || !rebuild.removed.is_empty() || rebuild.unchecked > 0;
            if touched || hub.failing() {
                hub.reload();
            }
            let full = changes.full || rebuild.full;
            report(&Event::Rebuilt { cause, rebuild });
            full
        }
        Err(error) => {
            failed(hub, report, Some(cause), &error);
            changes.full
        }
    }
}

/// Runs one step of the rebuilder. A bug must not leave the server without rebuilds: a panic
/// is reported as an error, and the next change starts afresh.
fn guarded<T>(
    rebuilder: &mut Rebuilder,
    step: impl FnOnce(&mut Rebuilder) -> Result<T>,
) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| step(rebuilder))).unwrap_or_else(
        |_| {
            rebuilder.forget();
            Err(Error::problem(Diagnostic::new(
                rebuilder.root(),
                "internal error while rebuilding (a bug in Gazette); the next change rebuilds \
                 everything",
            )))
        },
    )
}

/// Tells the tabs and the terminal that the rebuild after `cause` failed.
fn failed(hub: &live::Hub, report: &dyn Fn(&Event), cause: Option<String>, error: &Error) {
    let problems = problem_lines(error);
    hub.fail(&problems.join("\n"));
    report(&Event::Failed { cause, problems });
}

/// One line per problem of `error`, as the terminal and the overlay show them.
fn problem_lines(error: &Error) -> Vec<String> {
    match error {
        Error::Problems(list) => list.iter().map(ToString::to_string).collect(),
        other => vec![other.to_string()],
    }
}

/// Resolves on Ctrl-C or SIGTERM, so the served folder is removed on the way out.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Opens `url` in the desktop's browser; failing to is not an error.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let child = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Ok(mut child) = child {
        // Reap it in the background so it does not linger as a zombie.
        std::thread::spawn(move || child.wait());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_use_the_bound_address_and_loopback_for_wildcards() {
        let at = |ip: &str, port| base_url(SocketAddr::new(ip.parse().unwrap(), port));
        assert_eq!(at("127.0.0.1", 1111), "http://127.0.0.1:1111/");
        assert_eq!(at("0.0.0.0", 8080), "http://127.0.0.1:8080/");
        assert_eq!(at("::1", 1111), "http://[::1]:1111/");
        assert_eq!(at("192.168.1.5", 80), "http://192.168.1.5:80/");
    }
}
