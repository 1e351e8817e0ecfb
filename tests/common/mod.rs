//! The one shared helper for integration tests: a site in a temp dir (fixture or hand-written,
//! with the repository's default theme), built through the library or the real binary, and its
//! output read back and parsed.

#![allow(dead_code)]

pub mod browser;
pub mod crawl;
pub mod links;

pub use links::broken_links_in;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// The repository root (holds `themes/default`, `content/`, `site.toml`).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies a folder tree (files only, following nothing special).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(from).expect("inside");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

/// A site folder in a temp dir.
pub struct TestSite {
    _dir: TempDir,
    /// The site root.
    pub root: PathBuf,
}

impl TestSite {
    /// An empty site with the given `site.toml` and the repository's default theme.
    pub fn new(site_toml: &str) -> TestSite {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("content")).expect("mkdir");
        copy_tree(&repo().join("themes"), &root.join("themes"));
        std::fs::write(root.join("site.toml"), site_toml).expect("site.toml");
        TestSite { _dir: dir, root }
    }

    /// A copy of `tests/fixtures/<name>` with the default theme.
    pub fn fixture(name: &str) -> TestSite {
        let site = TestSite::new("");
        copy_tree(&repo().join("tests/fixtures").join(name), &site.root);
        site
    }

    /// A copy of the repository's own sample digest.
    pub fn sample() -> TestSite {
        let site = TestSite::new("");
        copy_tree(&repo().join("content"), &site.root.join("content"));
        std::fs::copy(repo().join("site.toml"), site.root.join("site.toml")).expect("copy");
        site
    }

    /// Writes a file under the site root, creating folders.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, contents).expect("write");
    }

    /// Writes `content/<rel>` with YAML front matter and a body.
    pub fn article(&self, rel: &str, front_matter: &str, body: &str) {
        self.write(
            &format!("content/{rel}"),
            format!("---\n{}\n---\n{body}", front_matter.trim()),
        );
    }

    /// Builds through the library with default options.
    pub fn build(&self) -> gazette::error::Result<gazette::BuildReport> {
        gazette::build(&gazette::BuildOptions {
            root: self.root.clone(),
            ..Default::default()
        })
    }

    /// Builds and panics with the error text on failure.
    pub fn build_ok(&self) -> gazette::BuildReport {
        match self.build() {
            Ok(report) => report,
            Err(e) => panic!("build failed:\n{e}"),
        }
    }

    /// Runs the real `gazette` binary in the site root.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run gazette")
    }

    /// The real `gazette` binary in the site root with `NO_COLOR=1`, to adjust before running
    /// (other environment, spawn instead of wait).
    pub fn command(&self, args: &[&str]) -> Command {
        gazette_in(&self.root, args)
    }

    /// The output folder.
    pub fn public(&self) -> PathBuf {
        self.root.join("public")
    }

    /// A file of the output as text.
    pub fn read(&self, rel: &str) -> String {
        let path = self.public().join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// A page of the output, parsed.
    pub fn html(&self, rel: &str) -> scraper::Html {
        scraper::Html::parse_document(&self.read(rel))
    }

    /// Every file under the output with its bytes (to prove a failed build changed nothing).
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        snapshot(&self.public())
    }

    /// Every broken internal link of the output (see [`links`]), for the `base_url` in
    /// `site.toml`. Empty means every `href`/`src` inside the site names a generated file.
    pub fn broken_links(&self) -> Vec<String> {
        let config = gazette::config::Config::load(&self.root.join("site.toml"))
            .unwrap_or_else(|e| panic!("site.toml: {e}"));
        broken_links_in(&self.public(), &config.base_url)
    }

    /// Every file of the output, relative, `/`-separated, sorted.
    pub fn files(&self) -> Vec<String> {
        self.snapshot()
            .keys()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect()
    }
}

/// The real `gazette` binary with `args`, run in `dir`, with `NO_COLOR=1`.
pub fn gazette_in(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gazette"));
    command.args(args).current_dir(dir).env("NO_COLOR", "1");
    command
}

/// Every file under `dir` with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return files;
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .expect("inside")
                .to_path_buf();
            files.insert(rel, std::fs::read(entry.path()).expect("read"));
        }
    }
    files
}

/// Every broken internal link of `site`'s output: `common::broken_links(&site)`.
pub fn broken_links(site: &TestSite) -> Vec<String> {
    site.broken_links()
}

/// Texts of every element matching a CSS selector.
pub fn texts(doc: &scraper::Html, selector: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).expect("selector");
    doc.select(&sel)
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Values of an attribute on every element matching a CSS selector.
pub fn attrs(doc: &scraper::Html, selector: &str, attr: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).expect("selector");
    doc.select(&sel)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}
