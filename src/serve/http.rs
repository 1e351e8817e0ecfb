//! The HTTP side of `serve` (hyper on tokio): files of the output folder with their content type,
//! the live-reload script and event stream, and limits that keep slow or hostile clients from
//! holding the server: a cap on open connections, a deadline for request headers, and an idle
//! deadline on every connection.

use std::convert::Infallible;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::{Body, Frame, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc};
use tokio::time::{Instant, Sleep};

use super::live::{self, Hub};
use super::paths::{self, Target};
use crate::engine::rebuild::Pending;

/// Connections served at once; more wait in the kernel's accept queue.
const MAX_CONNECTIONS: usize = 512;
/// A client has this long to send a request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection that neither reads nor writes for this long is closed (event streams write a
/// ping every [`PING`], so they stay open).
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// How often event streams get a keep-alive comment.
pub const PING: Duration = Duration::from_secs(15);

type ResponseBody = BoxBody<Bytes, Infallible>;

/// The 404 page while the site has no `404.html` of its own.
const NO_SITE: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
    <title>Not found</title></head><body><h1>Not found</h1><p>Nothing is served at this \
    address (yet).</p></body></html>\n";

/// What every request handler shares.
pub struct Server {
    /// The served folder (canonical).
    pub root: PathBuf,
    /// Live-reload state.
    pub hub: Arc<Hub>,
    /// Files written after the reload, which requests for them wait for.
    pub pending: Arc<Pending>,
}

/// How long a request waits for a pending file before it is served what is there.
pub const PENDING_WAIT: Duration = Duration::from_secs(5);

/// Accepts connections until `shutdown` resolves.
pub async fn run(
    listener: TcpListener,
    server: Arc<Server>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let limit = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = limit.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
            () = &mut shutdown => return,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors or a connection reset before accept: breathe, retry.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => return,
        };
        let _ = stream.set_nodelay(true);
        let server = server.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let io = TokioIo::new(Idle::new(stream, IDLE_TIMEOUT));
            let service = service_fn(move |request| {
                let server = server.clone();
                async move { Ok::<_, Infallible>(handle(&server, request).await) }
            });
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(io, service)
                .await;
        });
    }
}

async fn handle(server: &Server, request: Request<Incoming>) -> Response<ResponseBody> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let path = request.uri().path().to_string();
    match path.as_str() {
        live::SCRIPT_PATH => respond(
            StatusCode::OK,
            "text/javascript; charset=utf-8",
            Bytes::from_static(live::SCRIPT.as_bytes()),
        ),
        live::EVENTS_PATH => events(&server.hub, request.uri().query()),
        _ => {
            let root = server.root.clone();
            let hub = server.hub.clone();
            let pending = server.pending.clone();
            tokio::task::spawn_blocking(move || {
                pending.wait_for(&paths::candidates(&path), PENDING_WAIT);
                file_response(&root, &path, hub.build())
            })
            .await
            .unwrap_or_else(|_| text(StatusCode::INTERNAL_SERVER_ERROR, "internal error\n"))
        }
    }
}

/// The file a path leads to, or the site's 404 page.
fn file_response(root: &Path, raw: &str, build: u64) -> Response<ResponseBody> {
    match paths::resolve(root, raw) {
        Target::File(file) => match std::fs::read(&file) {
            Ok(bytes) => page(StatusCode::OK, &file, bytes, build),
            Err(_) => not_found(root, build),
        },
        Target::Redirect(location) => {
            let mut response = text(StatusCode::MOVED_PERMANENTLY, "moved\n");
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
        Target::NotFound => not_found(root, build),
    }
}

fn not_found(root: &Path, build: u64) -> Response<ResponseBody> {
    let page404 = paths::inside(root, &root.join("404.html"));
    match page404.and_then(|file| std::fs::read(&file).ok().map(|b| (file, b))) {
        Some((file, bytes)) => page(StatusCode::NOT_FOUND, &file, bytes, build),
        // No site yet (the first build failed): still HTML, so the tab shows the error and
        // reloads once the site is there.
        None => page(
            StatusCode::NOT_FOUND,
            Path::new("404.html"),
            NO_SITE.as_bytes().to_vec(),
            build,
        ),
    }
}

/// A file's bytes with its content type; HTML gets the live-reload script.
fn page(status: StatusCode, file: &Path, bytes: Vec<u8>, build: u64) -> Response<ResponseBody> {
    let mime = content_type(file);
    let bytes = if mime.starts_with("text/html") {
        live::inject(&bytes, build)
    } else {
        bytes
    };
    respond(status, mime, Bytes::from(bytes))
}

fn text(status: StatusCode, message: &'static str) -> Response<ResponseBody> {
    respond(
        status,
        "text/plain; charset=utf-8",
        Bytes::from_static(message.as_bytes()),
    )
}

fn respond(status: StatusCode, mime: &'static str, bytes: Bytes) -> Response<ResponseBody> {
    let mut response = Response::new(Full::new(bytes).boxed());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    // Every reload must show what is on disk now.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The Server-Sent Events stream of one tab; `?path=` says which page it shows.
fn events(hub: &Hub, query: Option<&str>) -> Response<ResponseBody> {
    let shows = query.and_then(|q| {
        q.split('&')
            .find_map(|pair| pair.strip_prefix("path="))
            .and_then(|p| percent_encoding::percent_decode_str(p).decode_utf8().ok())
            .map(|p| p.into_owned())
    });
    let body = EventStream(hub.subscribe(shows));
    let mut response = Response::new(BoxBody::new(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A response body fed by the hub, one frame per event; it ends when the hub drops the tab.
struct EventStream(mpsc::Receiver<Bytes>);

impl Body for EventStream {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0
            .poll_recv(cx)
            .map(|next| next.map(|b| Ok(Frame::data(b))))
    }
}

/// The content type of a served file, by extension.
pub fn content_type(file: &Path) -> &'static str {
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" if name == "feed.json" => "application/feed+json; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" if name == "atom.xml" => "application/atom+xml; charset=utf-8",
        "xml" if name == "rss.xml" => "application/rss+xml; charset=utf-8",
        "xml" | "xsl" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "wasm" => "application/wasm",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// A connection that fails with `TimedOut` once it has neither read nor written anything for
/// `idle`: idle keep-alive connections and clients that stop reading are let go.
struct Idle<T> {
    io: T,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl<T> Idle<T> {
    fn new(io: T, idle: Duration) -> Self {
        Idle {
            io,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
        }
    }

    fn progressed(&mut self) {
        let next = Instant::now() + self.idle;
        self.deadline.as_mut().reset(next);
    }

    /// Called when the inner I/O is pending: pending too, unless the deadline passed.
    fn waiting<R>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<R>> {
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::ErrorKind::TimedOut.into())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Idle<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(result) => {
                this.progressed();
                Poll::Ready(result)
            }
            Poll::Pending => this.waiting(cx),
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Idle<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.io).poll_write(cx, buf) {
            Poll::Ready(result) => {
                this.progressed();
                Poll::Ready(result)
            }
            Poll::Pending => this.waiting(cx),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.io).poll_flush(cx) {
            Poll::Ready(result) => Poll::Ready(result),
            Poll::Pending => this.waiting(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_by_extension() {
        for (file, mime) in [
            ("a/index.html", "text/html; charset=utf-8"),
            ("INDEX.HTM", "text/html; charset=utf-8"),
            ("style.css", "text/css; charset=utf-8"),
            ("atom.xml", "application/atom+xml; charset=utf-8"),
            ("rss.xml", "application/rss+xml; charset=utf-8"),
            ("sitemap.xml", "application/xml; charset=utf-8"),
            ("feed.json", "application/feed+json; charset=utf-8"),
            ("robots.txt", "text/plain; charset=utf-8"),
            ("photo.JPG", "image/jpeg"),
            ("icon.svg", "image/svg+xml"),
            ("blob", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(file)), mime, "{file}");
        }
    }
}
