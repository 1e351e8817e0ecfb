//! Links to other sites, checked over HTTP: `HEAD` first (cheap), `GET` when a server refuses
//! or mishandles `HEAD`; a fixed number of requests in flight, each with a time limit.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use ureq::Agent;

use super::{CheckOptions, Location};
use crate::Progress;

/// One external URL and what it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalLink {
    /// The URL as linked.
    pub url: String,
    /// What the server said.
    pub status: LinkStatus,
    /// Every place that links to it.
    pub sources: Vec<Location>,
}

/// The outcome of checking one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkStatus {
    /// A success or redirect status (redirects are followed).
    Ok(u16),
    /// A client or server error status (`404`, `500`).
    Broken(u16),
    /// No answer: timeout, unknown host, refused connection, bad TLS, bad URL.
    Failed(String),
}

impl LinkStatus {
    /// Whether the link works.
    pub fn is_ok(&self) -> bool {
        matches!(self, LinkStatus::Ok(_))
    }
}

impl std::fmt::Display for LinkStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkStatus::Ok(code) | LinkStatus::Broken(code) => write!(f, "{code}"),
            LinkStatus::Failed(why) => write!(f, "{why}"),
        }
    }
}

/// Checks every URL with `options.concurrency` requests in flight, each limited to
/// `options.timeout`; one `progress` tick per URL. Results keep the order of `urls`.
pub(super) fn check_urls(
    urls: Vec<(String, Vec<Location>)>,
    options: &CheckOptions,
    progress: &dyn Progress,
) -> Vec<ExternalLink> {
    let agent: Agent = Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .http_status_as_error(false)
        .user_agent(concat!("gazette-link-check/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let next = AtomicUsize::new(0);
    let statuses: Mutex<Vec<Option<LinkStatus>>> = Mutex::new(vec![None; urls.len()]);
    let workers = options.concurrency.clamp(1, urls.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((url, _)) = urls.get(i) else {
                        break;
                    };
                    let status = probe(&agent, url);
                    if let Ok(mut all) = statuses.lock()
                        && let Some(slot) = all.get_mut(i)
                    {
                        *slot = Some(status);
                    }
                    progress.tick();
                }
            });
        }
    });
    let statuses = statuses.into_inner().unwrap_or_else(|e| e.into_inner());
    urls.into_iter()
        .zip(statuses)
        .map(|((url, sources), status)| ExternalLink {
            url,
            status: status.unwrap_or_else(|| LinkStatus::Failed("not checked".into())),
            sources,
        })
        .collect()
}

/// `HEAD`, then `GET` unless `HEAD` succeeded or ran out of time (a second wait would only
/// double the wait for a dead host).
fn probe(agent: &Agent, url: &str) -> LinkStatus {
    let head = status_of(agent.head(url).call());
    match &head {
        LinkStatus::Ok(_) => head,
        LinkStatus::Failed(why) if why.starts_with("timed out") => head,
        _ => match status_of(agent.get(url).call()) {
            // The body is not read: dropping the response closes the connection.
            LinkStatus::Failed(_) if matches!(head, LinkStatus::Broken(_)) => head,
            get => get,
        },
    }
}

fn status_of(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> LinkStatus {
    match result {
        Ok(response) => {
            let code = response.status().as_u16();
            if code < 400 {
                LinkStatus::Ok(code)
            } else {
                LinkStatus::Broken(code)
            }
        }
        // Short words, for a table column; the details rarely help the writer.
        Err(e) => LinkStatus::Failed(match e {
            ureq::Error::Timeout(_) => "timed out".into(),
            ureq::Error::HostNotFound => "unknown host".into(),
            ureq::Error::Io(io) => io.kind().to_string(),
            ureq::Error::ConnectionFailed => "connection failed".into(),
            ureq::Error::TooManyRedirects => "too many redirects".into(),
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) => "TLS error".into(),
            ureq::Error::BadUri(_) => "bad URL".into(),
            other => other.to_string(),
        }),
    }
}
