//! Live reload: the script the server adds to every HTML response (never to files), and the hub
//! that tells every open tab, over Server-Sent Events, to reload or to show a build error.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use tokio::sync::mpsc;

/// Where the script is served.
pub const SCRIPT_PATH: &str = "/__gazette/live.js";
/// Where tabs listen for events.
pub const EVENTS_PATH: &str = "/__gazette/events";

/// The live-reload script. A tab compares the build it was served from with the server's on
/// every (re)connection, reloads on `reload`, and shows `failure` messages in a dismissable
/// overlay whose text is set with `textContent`, so a message is never read as HTML.
pub const SCRIPT: &str = r#"(() => {
  "use strict";
  const me = document.currentScript;
  const build = me ? me.dataset.build : "";
  const source = new EventSource("/__gazette/events?path=" + encodeURIComponent(location.pathname));
  source.addEventListener("hello", (e) => {
    if (JSON.parse(e.data).build !== build) location.reload();
  });
  source.addEventListener("reload", () => location.reload());
  source.addEventListener("failure", (e) => show(JSON.parse(e.data).message));
  function show(message) {
    let box = document.getElementById("gazette-overlay");
    if (!box) {
      box = document.createElement("div");
      box.id = "gazette-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;max-height:60vh;overflow:auto;" +
        "z-index:2147483647;background:#fff5f5;color:#1a1a1a;border:2px solid #c00;" +
        "border-radius:6px;padding:1rem 3rem 1rem 1rem;font:14px/1.4 system-ui,sans-serif;" +
        "box-shadow:0 4px 24px rgba(0,0,0,.3)";
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "\u00d7";
      close.setAttribute("aria-label", "Dismiss");
      close.style.cssText = "position:absolute;top:.5rem;right:.5rem;font-size:1.5rem;" +
        "background:none;border:0;cursor:pointer;color:inherit";
      close.addEventListener("click", () => box.remove());
      const title = document.createElement("strong");
      title.textContent = "The last change broke the build; this page is the last good version.";
      const text = document.createElement("pre");
      text.style.cssText = "white-space:pre-wrap;margin:.5rem 0 0;font:13px/1.4 ui-monospace,monospace";
      box.append(close, title, text);
      document.body.append(box);
    }
    box.querySelector("pre").textContent = message;
  }
})();
"#;

/// The tag added to HTML responses, carrying the build the page was served from.
pub fn script_tag(build: u64) -> String {
    format!("<script src=\"{SCRIPT_PATH}\" data-build=\"{build}\"></script>")
}

/// `html` with the script tag before its last `</body>` (any case), else at the end.
pub fn inject(html: &[u8], build: u64) -> Vec<u8> {
    let tag = script_tag(build);
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let (head, tail) = html.split_at(at);
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(head);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(tail);
    out
}

/// Buffered events per tab; a tab this far behind misses events (it still gets the next
/// `hello` when it reconnects).
const BACKLOG: usize = 16;

/// Every open tab's event channel (with the request path of the page it shows), the current
/// build and the current failure.
#[derive(Default)]
pub struct Hub {
    tabs: Mutex<Vec<(mpsc::Sender<Bytes>, Option<String>)>>,
    build: AtomicU64,
    failure: Mutex<Option<String>>,
}

impl Hub {
    /// The build pages are served from now.
    pub fn build(&self) -> u64 {
        self.build.load(Ordering::SeqCst)
    }

    /// Whether the last rebuild failed.
    pub fn failing(&self) -> bool {
        self.failure.lock().map(|f| f.is_some()).unwrap_or(false)
    }

    /// A new tab showing the page at request path `shows`: it gets `hello` (and the current
    /// failure) at once, then every event.
    pub fn subscribe(&self, shows: Option<String>) -> mpsc::Receiver<Bytes> {
        let (tx, rx) = mpsc::channel(BACKLOG);
        let _ = tx.try_send(Bytes::from_static(b"retry: 1000\n\n"));
        let _ = tx.try_send(event(
            "hello",
            &serde_json::json!({ "build": self.build_id() }),
        ));
        if let Ok(failure) = self.failure.lock()
            && let Some(message) = failure.as_ref()
        {
            let _ = tx.try_send(failure_event(message));
        }
        if let Ok(mut tabs) = self.tabs.lock() {
            tabs.push((tx, shows));
        }
        rx
    }

    /// The request paths of the pages the open tabs show.
    pub fn open_paths(&self) -> Vec<String> {
        let Ok(tabs) = self.tabs.lock() else {
            return Vec::new();
        };
        tabs.iter()
            .filter(|(tx, _)| !tx.is_closed())
            .filter_map(|(_, shows)| shows.clone())
            .collect()
    }

    /// A new good build is on disk: every tab reloads.
    pub fn reload(&self) {
        let build = self.build.fetch_add(1, Ordering::SeqCst) + 1;
        if let Ok(mut failure) = self.failure.lock() {
            *failure = None;
        }
        self.send(event(
            "reload",
            &serde_json::json!({ "build": build.to_string() }),
        ));
    }

    /// The last change broke the build: every tab shows `message`.
    pub fn fail(&self, message: &str) {
        if let Ok(mut failure) = self.failure.lock() {
            *failure = Some(message.to_string());
        }
        self.send(failure_event(message));
    }

    /// A comment line that keeps idle connections open and finds closed ones.
    pub fn ping(&self) {
        self.send(Bytes::from_static(b": ping\n\n"));
    }

    /// Open tabs.
    #[cfg(test)]
    pub fn tabs(&self) -> usize {
        self.tabs.lock().map(|t| t.len()).unwrap_or(0)
    }

    fn build_id(&self) -> String {
        self.build().to_string()
    }

    fn send(&self, bytes: Bytes) {
        if let Ok(mut tabs) = self.tabs.lock() {
            tabs.retain(|(tx, _)| {
                !matches!(
                    tx.try_send(bytes.clone()),
                    Err(mpsc::error::TrySendError::Closed(_))
                )
            });
        }
    }
}

fn failure_event(message: &str) -> Bytes {
    event("failure", &serde_json::json!({ "message": message }))
}

/// One SSE event; `data` is one line of JSON (serde_json escapes newlines).
fn event(name: &str, data: &serde_json::Value) -> Bytes {
    Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_goes_before_the_last_closing_body() {
        let html = b"<html><body><p>&lt;/body&gt;</p></BODY></html>";
        let out = String::from_utf8(inject(html, 7)).unwrap();
        assert_eq!(
            out,
            "<html><body><p>&lt;/body&gt;</p><script src=\"/__gazette/live.js\" \
             data-build=\"7\"></script></BODY></html>"
        );
        let bare = String::from_utf8(inject(b"<p>x", 1)).unwrap();
        assert!(bare.starts_with("<p>x<script"), "{bare}");
    }

    #[test]
    fn tabs_hear_hello_failures_and_reloads() {
        let hub = Hub::default();
        hub.fail("content/x.md:2: bad <date>\nsecond line");
        let mut rx = hub.subscribe(Some("/page/2/".into()));
        drop(hub.subscribe(None));
        assert_eq!(hub.open_paths(), ["/page/2/"]);
        let mut next = || String::from_utf8(rx.try_recv().unwrap().to_vec()).unwrap();
        assert_eq!(next(), "retry: 1000\n\n");
        assert_eq!(next(), "event: hello\ndata: {\"build\":\"0\"}\n\n");
        assert_eq!(
            next(),
            "event: failure\ndata: {\"message\":\"content/x.md:2: bad <date>\\nsecond line\"}\n\n"
        );
        assert!(hub.failing());
        hub.reload();
        assert!(!hub.failing());
        assert_eq!(hub.build(), 1);
        assert_eq!(next(), "event: reload\ndata: {\"build\":\"1\"}\n\n");
        drop(rx);
        hub.ping();
        assert_eq!(hub.tabs(), 0);
    }
}
