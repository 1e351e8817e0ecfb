//! Headless Chromium for tests of pages meant for people, and a tiny static server to load them
//! from. A missing browser skips the test unless `GAZETTE_REQUIRE_BROWSER=1` (set by CI).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;

/// The Chromium binary, or `None` (after saying so) when it is missing and not required.
pub fn chromium() -> Option<PathBuf> {
    let candidates = ["chromium", "chromium-browser", "google-chrome"];
    let found = std::env::var_os("GAZETTE_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| {
            candidates.iter().find_map(|name| {
                std::env::var_os("PATH").and_then(|paths| {
                    std::env::split_paths(&paths)
                        .map(|dir| dir.join(name))
                        .find(|p| p.is_file())
                })
            })
        });
    if found.is_none() {
        if std::env::var("GAZETTE_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("GAZETTE_REQUIRE_BROWSER=1 but no chromium found (apt-get install chromium)");
        }
        eprintln!("skipping browser test: chromium not found");
    }
    found
}

/// Runs `tests/browser/<script>` with Node (playwright-core driving Chromium), or `None` (after
/// saying so) when Chromium, Node or the npm packages are missing and not required.
pub fn node_script(script: &str, args: &[&str]) -> Option<std::process::Output> {
    chromium()?;
    let dir = super::repo().join("tests/browser");
    let ready = dir.join("node_modules/playwright-core").is_dir()
        && Command::new("node").arg("--version").output().is_ok();
    if !ready {
        if std::env::var("GAZETTE_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!(
                "GAZETTE_REQUIRE_BROWSER=1 but node or tests/browser/node_modules is missing (npm ci --prefix tests/browser)"
            );
        }
        eprintln!("skipping browser test: run `npm ci --prefix tests/browser` first");
        return None;
    }
    let output = Command::new("node")
        .arg(dir.join(script))
        .args(args)
        .output()
        .expect("run node");
    Some(output)
}

/// Chromium's flags for tests (headless, kept off the network), one a line. `launch.mjs` reads
/// the same file, so the Rust and the Node tests run the same browser.
const FLAGS: &str = include_str!("../browser/chromium-flags.txt");

/// Chromium with [`FLAGS`] and a fresh profile folder.
pub fn headless(chromium: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(chromium);
    cmd.args(FLAGS.lines().map(str::trim).filter(|flag| !flag.is_empty()))
        .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// The DOM of `url` after the page loaded and ran its scripts, or `None` if skipped.
pub fn dump_dom(url: &str) -> Option<String> {
    let chromium = chromium()?;
    let profile = tempfile::tempdir().expect("profile dir");
    let output = headless(&chromium, profile.path())
        .args(["--dump-dom", "--virtual-time-budget=3000", url])
        .output()
        .expect("run chromium");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Serves files under `root` on a free loopback port (GET only, nothing outside `root`) until
/// the process exits. Returns `http://127.0.0.1:PORT`.
pub fn serve(root: &Path) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let root = root.to_path_buf();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            thread::spawn(move || respond(stream, &root));
        }
    });
    format!("http://{addr}")
}

fn respond(mut stream: TcpStream, root: &Path) {
    let mut line = String::new();
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut header = String::new();
    while reader
        .read_line(&mut header)
        .map(|n| n > 2)
        .unwrap_or(false)
    {
        header.clear();
    }
    let raw = line.split_whitespace().nth(1).unwrap_or("/");
    let path = percent_decode(raw.split(['?', '#']).next().unwrap_or("/"));
    let safe = path.split('/').all(|s| s != ".." && !s.contains('\\'));
    let mut file = root.join(path.trim_start_matches('/'));
    if file.is_dir() {
        file = file.join("index.html");
    }
    let (status, body, mime) = match (safe, std::fs::read(&file)) {
        (true, Ok(body)) => ("200 OK", body, mime(&file)),
        _ => (
            "404 Not Found",
            std::fs::read(root.join("404.html")).unwrap_or_default(),
            "text/html; charset=utf-8",
        ),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

fn mime(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("xml") => "application/xml",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}
