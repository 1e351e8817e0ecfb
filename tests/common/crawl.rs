//! A real web server and a crawler, to prove a built site works where it is published: nginx
//! (the Debian package) runs in the foreground with its own config in a temp dir on a free
//! loopback port, and a small crawler (ureq for HTTP, scraper for HTML, quick-xml and feed-rs for
//! sitemaps and feeds) follows every link inside the site. A missing nginx skips the test unless
//! `GAZETTE_REQUIRE_BROWSER=1` (set by CI, which installs it).

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// nginx serving one folder; stopped when dropped.
pub struct Nginx {
    child: Child,
    dir: TempDir,
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
}

/// The nginx binary, or `None` (after saying so) when it is missing and not required.
pub fn nginx_binary() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from));
    let found = dirs
        .into_iter()
        .map(|d| d.join("nginx"))
        .find(|p| p.is_file());
    if found.is_none() {
        if std::env::var("GAZETTE_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("GAZETTE_REQUIRE_BROWSER=1 but nginx is missing (apt-get install nginx)");
        }
        eprintln!("skipping nginx test: nginx not found (apt-get install nginx)");
    }
    found
}

impl Nginx {
    /// Serves `public` at `mount` (`/` or `/news/`), with `error_page 404` set to the site's
    /// `404.html`. The folder may not exist yet: nginx reads files per request.
    pub fn start(public: &Path, mount: &str) -> Option<Nginx> {
        let binary = nginx_binary()?;
        // A port picked free can be taken before nginx binds it: try a few.
        let mut last_error = String::new();
        for _ in 0..3 {
            let dir = tempfile::tempdir().expect("nginx dir");
            let port = free_port();
            std::fs::write(
                dir.path().join("nginx.conf"),
                config(dir.path(), public, mount, port),
            )
            .expect("nginx.conf");
            let mut child = nginx_in(&binary, dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start nginx");
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Some(Nginx {
                        child,
                        dir,
                        origin: format!("http://127.0.0.1:{port}"),
                    });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let output = child.wait_with_output().expect("nginx output");
            last_error = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stderr),
                std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default()
            );
        }
        panic!("nginx did not start:\n{last_error}");
    }

    /// The server's error log so far (for failure messages).
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `nginx -t` on a configuration holding `server_block`: `Some(report)` (empty when valid),
/// or `None` when nginx is missing and not required.
pub fn check_server_block(server_block: &str) -> Option<String> {
    let binary = nginx_binary()?;
    let dir = tempfile::tempdir().expect("nginx dir");
    let d = dir.path().display();
    let conf = format!(
        "pid {d}/nginx.pid;\nerror_log {d}/error.log warn;\nevents {{ worker_connections 64; }}\n\
         http {{\n  client_body_temp_path {d}/client_body;\n  proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         access_log off;\n{server_block}\n}}\n"
    );
    std::fs::write(dir.path().join("nginx.conf"), conf).expect("nginx.conf");
    let output = nginx_in(&binary, dir.path())
        .arg("-t")
        .output()
        .expect("nginx -t");
    Some(if output.status.success() {
        String::new()
    } else {
        String::from_utf8_lossy(&output.stderr).into_owned()
    })
}

/// nginx with its prefix, error log and `nginx.conf` all in `dir`.
fn nginx_in(binary: &Path, dir: &Path) -> Command {
    let mut command = Command::new(binary);
    command
        .arg("-p")
        .arg(dir)
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-c")
        .arg(dir.join("nginx.conf"));
    command
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// The whole config: foreground, one process (no privilege drop, so it can read the temp
/// folders of the test), every path inside `dir`.
fn config(dir: &Path, public: &Path, mount: &str, port: u16) -> String {
    let d = dir.display();
    let public = public.display();
    let location = site_locations(&public.to_string(), mount);
    let mime = if Path::new("/etc/nginx/mime.types").is_file() {
        "include /etc/nginx/mime.types;"
    } else {
        "types { text/html html; text/css css; text/javascript js; application/json json; application/xml xml; }"
    };
    format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
         error_log {d}/error.log warn;\nevents {{ worker_connections 64; }}\n\
         http {{\n  {mime}\n  default_type application/octet-stream;\n  access_log off;\n\
         client_body_temp_path {d}/client_body;\n  proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         server {{\n    listen 127.0.0.1:{port};\n    server_name localhost;\n    {location}\n  }}\n}}\n"
    )
}

/// The `server` lines that publish a Gazette site: the folder at `mount` (`/` or `/news/`), the
/// site's 404 page for missing addresses, and fingerprinted stylesheets and scripts cached for a
/// year (their name changes whenever their bytes do). The README's nginx recipe is this.
pub fn site_locations(public: &str, mount: &str) -> String {
    let cache = r#"location ~ "\.[0-9a-f]{10}\.(css|js)$" {
            add_header Cache-Control "public, max-age=31536000, immutable";
        }"#;
    if mount == "/" {
        format!(
            "root {public};\n    error_page 404 /404.html;\n    location / {{\n        {cache}\n    }}"
        )
    } else {
        format!(
            "error_page 404 {mount}404.html;\n    location {mount} {{\n        alias {public}/;\n        {cache}\n    }}"
        )
    }
}

/// One response.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, or empty.
    pub content_type: String,
    /// `Cache-Control`, or empty.
    pub cache_control: String,
    /// The body.
    pub body: Vec<u8>,
}

/// GET `url` without following redirects (a redirect is not a working link here).
pub fn fetch(url: &str) -> Fetched {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut response = agent
        .get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let content_type = header("content-type");
    let cache_control = header("cache-control");
    let body = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .unwrap_or_else(|e| panic!("GET {url}: body: {e}"));
    Fetched {
        status,
        content_type,
        cache_control,
        body,
    }
}

/// What a crawl found.
#[derive(Debug, Default)]
pub struct Crawl {
    /// Every URL inside the site that was fetched, with its response status.
    pub visited: BTreeMap<String, u16>,
    /// `"<url> (linked from <page>): <problem>"` for every link that does not answer 200, and
    /// for every link to the same server outside the site's folder.
    pub broken: Vec<String>,
    /// Content types by URL (for checks on stylesheets and scripts).
    pub content_types: BTreeMap<String, String>,
}

/// Crawls from `start`, following every `a[href]`, `link[href]`, `img[src]`, `script[src]`,
/// `form[action]` and `[data-search-index]` of HTML pages, every `<loc>` of sitemaps and every
/// link (and link in entry content) of feeds, as long as it stays under `site` (the site's
/// root URL, e.g. `http://127.0.0.1:8080/news/`).
pub fn crawl(start: &str, site: &str) -> Crawl {
    let site_url = url::Url::parse(site).expect("site URL");
    let mut crawl = Crawl::default();
    let mut queue: VecDeque<(String, String)> =
        VecDeque::from([(start.to_string(), "(start)".into())]);
    let mut seen: BTreeSet<String> = BTreeSet::from([start.to_string()]);
    while let Some((url, from)) = queue.pop_front() {
        let response = fetch(&url);
        crawl.visited.insert(url.clone(), response.status);
        crawl
            .content_types
            .insert(url.clone(), response.content_type.clone());
        if response.status != 200 {
            crawl.broken.push(format!(
                "{url} (linked from {from}): status {}",
                response.status
            ));
            continue;
        }
        let page = url::Url::parse(&url).expect("crawled URL");
        for link in links_of(&page, &response) {
            let Ok(mut target) = page.join(&link) else {
                crawl
                    .broken
                    .push(format!("{link} (linked from {url}): not a URL"));
                continue;
            };
            target.set_fragment(None);
            if target.origin() != site_url.origin() {
                continue;
            }
            if !target.path().starts_with(site_url.path()) {
                crawl.broken.push(format!(
                    "{target} (linked from {url}): outside the site's folder {}",
                    site_url.path()
                ));
                continue;
            }
            let target = target.to_string();
            if seen.insert(target.clone()) {
                queue.push_back((target, url.clone()));
            }
        }
    }
    crawl
}

/// The links of one response, as written (resolved by the caller).
fn links_of(page: &url::Url, response: &Fetched) -> Vec<String> {
    let text = String::from_utf8_lossy(&response.body);
    let path = page.path();
    if response.content_type.starts_with("text/html") {
        html_links(&text)
    } else if path.ends_with("sitemap.xml") {
        sitemap_locs(&text)
    } else if path.ends_with(".xml") || path.ends_with("feed.json") {
        feed_links(&response.body)
    } else {
        Vec::new()
    }
}

/// Link targets in an HTML document or fragment.
pub fn html_links(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let mut links = Vec::new();
    for (selector, attr) in [
        ("a[href]", "href"),
        ("link[href]", "href"),
        ("img[src]", "src"),
        ("script[src]", "src"),
        ("form[action]", "action"),
        ("[data-search-index]", "data-search-index"),
    ] {
        let sel = scraper::Selector::parse(selector).expect("selector");
        links.extend(
            doc.select(&sel)
                .filter_map(|e| e.value().attr(attr).map(str::to_string)),
        );
    }
    links
}

/// Every `<loc>` of a sitemap.
pub fn sitemap_locs(xml: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut locs = Vec::new();
    let mut in_loc = false;
    loop {
        match reader.read_event().expect("sitemap XML") {
            Event::Start(e) if e.name().as_ref() == "loc" => in_loc = true,
            Event::End(e) if e.name().as_ref() == "loc" => in_loc = false,
            Event::Text(t) if in_loc => locs.push(t.xml10_content().to_string()),
            Event::Eof => break,
            _ => {}
        }
    }
    locs
}

/// Links of a feed (Atom, RSS or JSON Feed): the feed's own, each entry's, and every link inside
/// entry content.
fn feed_links(body: &[u8]) -> Vec<String> {
    let feed = feed_rs::parser::parse(body).expect("feed parses");
    let mut links: Vec<String> = feed.links.iter().map(|l| l.href.clone()).collect();
    for entry in &feed.entries {
        links.extend(entry.links.iter().map(|l| l.href.clone()));
        if let Some(body) = entry.content.as_ref().and_then(|c| c.body.as_ref()) {
            links.extend(html_links(body));
        }
        if let Some(summary) = &entry.summary {
            links.extend(html_links(&summary.content));
        }
    }
    links
}
