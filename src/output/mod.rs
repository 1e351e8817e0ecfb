//! Writing the site, through one [`Sink`] whose mode says where: for a full build everything goes
//! into a staging folder beside the output, which is swapped in only when complete; an
//! incremental build stages only the changed files ([`Patch`]); `serve` replaces files of its
//! folder one by one ([`Served`]); `check` keeps nothing. Gazette's marker file guards every folder it may delete; files whose bytes
//! are unchanged keep their old inode and mtime.

mod guard;
mod patch;
mod served;
mod sink;
mod spares;
mod stage;
mod staging;
mod statics;
mod swap;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Diagnostic, Result};

pub use patch::Patch;
pub use served::Served;
pub use sink::Sink;
pub use staging::Staging;

/// Name of the marker file Gazette puts in every output (and staging) folder it owns.
pub const MARKER: &str = ".gazette-output";

/// One file of the site, crossing from render to output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the output root, `/`-separated (`2024/11/27/x/index.html`).
    pub path: String,
    /// What goes in it.
    pub contents: Contents,
}

/// The bytes of an [`OutputFile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    /// Rendered bytes.
    Bytes(Vec<u8>),
    /// A file to copy as-is (static files, article images).
    Copy(PathBuf),
}

/// What a write did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files written with new bytes.
    pub written: usize,
    /// Files whose bytes were unchanged (kept with their mtime).
    pub unchanged: usize,
    /// Paths (relative, sorted) that are new or changed since the previous build.
    pub changed: Vec<String>,
    /// Paths (relative, sorted) that the previous build had and this one does not.
    pub removed: Vec<String>,
}

/// Writes `files` as the complete new content of `out_dir`, atomically.
///
/// Refuses an `out_dir` that is `/`, the home folder, a site folder (holds `site.toml`), a file,
/// or a non-empty folder without [`MARKER`]; refuses unsafe, duplicate or conflicting paths.
/// The new tree is built in `.<name>.gazette-staging` beside `out_dir` and swapped in whole; on
/// any error before the swap, `out_dir` is untouched and the staging folder is removed.
pub fn write_site(out_dir: &Path, files: Vec<OutputFile>) -> Result<WriteReport> {
    // Every path is checked before anything is touched; [`Staging`] checks them again as they
    // come, for callers that stream.
    guard::check_paths(out_dir, &files)?;
    let staging = Staging::begin(out_dir)?;
    files.par_iter().try_for_each(|file| staging.write(file))?;
    staging.commit()
}

/// `<parent>/.<name>.<suffix>` for the output folder `out_dir` (symlinks resolved, as the
/// writer resolves them): where Gazette keeps a file of its own beside the output.
pub fn work_file(out_dir: &Path, suffix: &str) -> Result<PathBuf> {
    let places = guard::places(out_dir)?;
    let name = places
        .out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parent = places.out.parent().unwrap_or(Path::new("/"));
    Ok(parent.join(format!(".{name}.{suffix}")))
}

/// Every file under `dirs` as [`Contents::Copy`]; a file in a later folder replaces the same path
/// from an earlier one. Missing folders are skipped, as are `.git/` and editor leftovers (see
/// [`crate::content::is_editor_leftover`]); other hidden files such as `.nojekyll` are kept.
/// Links are followed only to files inside their folder; every other link (outside, to a
/// folder, broken) is left out with a warning, the second value. A file whose name is not a
/// safe path segment is an error. Sorted by path.
pub fn static_files(dirs: &[PathBuf]) -> Result<(Vec<OutputFile>, Vec<Diagnostic>)> {
    statics::static_files(dirs)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::fs;
    use std::os::unix::fs::MetadataExt;
    use std::path::Path;

    use super::*;
    use crate::error::Error;

    fn page(path: &str, bytes: &str) -> OutputFile {
        OutputFile {
            path: path.to_string(),
            contents: Contents::Bytes(bytes.as_bytes().to_vec()),
        }
    }

    fn copy(path: &str, src: &Path) -> OutputFile {
        OutputFile {
            path: path.to_string(),
            contents: Contents::Copy(src.to_path_buf()),
        }
    }

    /// Every entry under `dir` (relative path -> contents, `None` for folders).
    fn snapshot(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
        walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(|e| {
                let e = e.unwrap();
                let rel = e
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let body = e.file_type().is_file().then(|| fs::read(e.path()).unwrap());
                (rel, body)
            })
            .collect()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn site() -> Vec<OutputFile> {
        vec![
            page("index.html", "<h1>home</h1>"),
            page("2024/11/27/x/index.html", "<p>x</p>"),
            page("feed.xml", "<feed/>"),
        ]
    }

    #[test]
    fn first_build_then_incremental_builds() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");

        let report = write_site(&out, site()).unwrap();
        assert_eq!(report.written, 3);
        assert_eq!(report.unchanged, 0);
        assert_eq!(
            report.changed,
            ["2024/11/27/x/index.html", "feed.xml", "index.html"]
        );
        assert!(report.removed.is_empty());
        assert!(out.join(MARKER).is_file());
        assert_eq!(
            fs::read(out.join("2024/11/27/x/index.html")).unwrap(),
            b"<p>x</p>"
        );
        assert_eq!(names(tmp.path()), ["public"]);

        let before: Vec<(u64, std::time::SystemTime)> = ["index.html", "feed.xml"]
            .iter()
            .map(|p| {
                let m = fs::metadata(out.join(p)).unwrap();
                (m.ino(), m.modified().unwrap())
            })
            .collect();
        let report = write_site(&out, site()).unwrap();
        assert_eq!(
            report,
            WriteReport {
                written: 0,
                unchanged: 3,
                changed: vec![],
                removed: vec![],
            }
        );
        let after: Vec<(u64, std::time::SystemTime)> = ["index.html", "feed.xml"]
            .iter()
            .map(|p| {
                let m = fs::metadata(out.join(p)).unwrap();
                (m.ino(), m.modified().unwrap())
            })
            .collect();
        assert_eq!(before, after);
        assert_eq!(names(tmp.path()), ["public"]);

        // Change one file, drop another.
        let files = vec![
            page("index.html", "<h1>home, again</h1>"),
            page("2024/11/27/x/index.html", "<p>x</p>"),
        ];
        let report = write_site(&out, files).unwrap();
        assert_eq!(report.written, 1);
        assert_eq!(report.unchanged, 1);
        assert_eq!(report.changed, ["index.html"]);
        assert_eq!(report.removed, ["feed.xml"]);
        assert_eq!(
            fs::read(out.join("index.html")).unwrap(),
            b"<h1>home, again</h1>"
        );
        assert!(!out.join("feed.xml").exists());
        assert_eq!(names(&out), [MARKER, "2024", "index.html"]);
        assert_eq!(names(tmp.path()), ["public"]);
    }

    #[test]
    fn same_length_different_bytes_is_rewritten() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_site(&out, vec![page("a.txt", "aaaa")]).unwrap();
        let report = write_site(&out, vec![page("a.txt", "aaab")]).unwrap();
        assert_eq!(report.changed, ["a.txt"]);
        assert_eq!(fs::read(out.join("a.txt")).unwrap(), b"aaab");
    }

    #[test]
    fn copies_compare_with_the_previous_output() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("style.css");
        fs::write(&src, "body{}").unwrap();
        let out = tmp.path().join("public");

        let report = write_site(&out, vec![copy("css/style.css", &src)]).unwrap();
        assert_eq!(report.changed, ["css/style.css"]);
        let ino = fs::metadata(out.join("css/style.css")).unwrap().ino();

        let report = write_site(&out, vec![copy("css/style.css", &src)]).unwrap();
        assert_eq!((report.written, report.unchanged), (0, 1));
        assert_eq!(fs::metadata(out.join("css/style.css")).unwrap().ino(), ino);

        fs::write(&src, "body{color:red}").unwrap();
        let report = write_site(&out, vec![copy("css/style.css", &src)]).unwrap();
        assert_eq!(report.changed, ["css/style.css"]);
        assert_eq!(
            fs::read(out.join("css/style.css")).unwrap(),
            b"body{color:red}"
        );
    }

    #[test]
    fn foreign_non_empty_folder_is_refused_and_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("docs");
        fs::create_dir_all(out.join("sub")).unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        fs::write(out.join("sub/deep.txt"), "also mine").unwrap();
        let before = snapshot(tmp.path());

        let err = write_site(&out, site()).unwrap_err();
        match &err {
            Error::Output { path, message } => {
                assert_eq!(path, &out);
                assert!(message.contains("was not created by Gazette"), "{message}");
                assert!(message.contains("choose another --output"), "{message}");
            }
            other => panic!("unexpected error {other:?}"),
        }
        assert_eq!(snapshot(tmp.path()), before);
    }

    #[test]
    fn empty_existing_folder_is_used() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        fs::create_dir(&out).unwrap();
        let report = write_site(&out, site()).unwrap();
        assert_eq!(report.written, 3);
        assert_eq!(names(&out), [MARKER, "2024", "feed.xml", "index.html"]);
        assert_eq!(names(tmp.path()), ["public"]);
    }

    #[test]
    fn dangerous_outputs_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("site.toml"), "title = 'x'").unwrap();
        let file = tmp.path().join("a-file");
        fs::write(&file, "x").unwrap();
        let before = snapshot(tmp.path());

        for (dir, expected) in [
            (Path::new("/"), "root folder"),
            (tmp.path(), "site.toml"),
            (file.as_path(), "is a file"),
        ] {
            match write_site(dir, site()) {
                Err(Error::Output { message, .. }) => {
                    assert!(message.contains(expected), "{dir:?}: {message}")
                }
                other => panic!("{dir:?}: unexpected {other:?}"),
            }
        }
        assert_eq!(snapshot(tmp.path()), before);
    }

    #[test]
    fn failed_write_leaves_previous_output_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_site(&out, site()).unwrap();
        let before = snapshot(tmp.path());

        let missing = tmp.path().join("missing.png");
        let mut files = site();
        files[0] = page("index.html", "<h1>new home</h1>");
        files.push(copy("img/missing.png", &missing));
        match write_site(&out, files) {
            Err(Error::Io { path, .. }) => assert_eq!(path, missing),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(snapshot(tmp.path()), before);
        assert_eq!(names(tmp.path()), ["public"]);
    }

    #[test]
    fn stale_staging_with_marker_is_cleaned() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        for stale in [".public.gazette-staging", ".public.gazette-old"] {
            let stale = tmp.path().join(stale);
            fs::create_dir_all(stale.join("half")).unwrap();
            fs::write(stale.join(MARKER), "").unwrap();
            fs::write(stale.join("half/written.html"), "x").unwrap();
        }
        write_site(&out, site()).unwrap();
        assert_eq!(names(tmp.path()), ["public"]);
    }

    #[test]
    fn stale_staging_without_marker_is_refused_and_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_site(&out, site()).unwrap();
        let stale = tmp.path().join(".public.gazette-staging");
        fs::create_dir(&stale).unwrap();
        fs::write(stale.join("precious.txt"), "keep me").unwrap();
        let before = snapshot(tmp.path());

        match write_site(&out, vec![page("index.html", "changed")]) {
            Err(Error::Output { path, message }) => {
                assert_eq!(
                    path,
                    fs::canonicalize(tmp.path())
                        .unwrap()
                        .join(".public.gazette-staging")
                );
                assert!(message.contains("not created by Gazette"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(snapshot(tmp.path()), before);
    }

    #[test]
    fn unsafe_and_conflicting_paths_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let site_dir = tmp.path().join("site");
        fs::create_dir(&site_dir).unwrap();
        let out = site_dir.join("public");
        let before = snapshot(tmp.path());
        for bad in [
            "../x",
            "/abs",
            "a/../../b",
            "a\\b",
            "a\0b",
            "",
            "a//b",
            "./a",
            "a/",
            MARKER,
        ] {
            let files = vec![page("index.html", "ok"), page(bad, "evil")];
            match write_site(&out, files) {
                Err(Error::Output { .. }) => {}
                other => panic!("{bad:?}: unexpected {other:?}"),
            }
        }
        for files in [
            vec![page("a.html", "1"), page("a.html", "2")],
            vec![page("a", "1"), page("a/b.html", "2")],
            vec![page("x/y/z", "1"), page("x/y", "2")],
        ] {
            match write_site(&out, files) {
                Err(Error::Output { path, .. }) => assert!(path.starts_with(&out), "{path:?}"),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(snapshot(tmp.path()), before);
    }

    #[test]
    fn fallback_swap_by_renames() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_site(&out, site()).unwrap();
        let staging = Staging::begin(&out).unwrap();
        staging.write(&page("new.html", "n")).unwrap();
        staging.swap_by_renames().unwrap();
        assert_eq!(names(&out), [MARKER, "new.html"]);
        assert_eq!(names(tmp.path()), ["public"]);
    }

    #[test]
    fn streamed_writes_from_many_threads() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first: Vec<OutputFile> = (0..200)
            .map(|i| {
                page(
                    &format!("{}/{}/{i}/index.html", i % 3, i % 7),
                    &i.to_string(),
                )
            })
            .collect();
        let staging = Staging::begin(&out).unwrap();
        first
            .par_iter()
            .try_for_each(|file| staging.write(file))
            .unwrap();
        // Nothing is visible before the commit.
        assert!(!out.exists());
        let report = staging.commit().unwrap();
        assert_eq!((report.written, report.unchanged), (200, 0));
        assert_eq!(report.changed.len(), 200);
        assert_eq!(report.changed[0], "0/0/0/index.html");
        assert_eq!(fs::read(out.join("2/5/26/index.html")).unwrap(), b"26");

        // Again, with one page changed and one gone: the rest are kept as they were.
        let ino = fs::metadata(out.join("0/0/0/index.html")).unwrap().ino();
        let mut second = first.clone();
        second[26] = page("2/5/26/index.html", "new");
        second.pop();
        let staging = Staging::begin(&out).unwrap();
        second
            .par_iter()
            .try_for_each(|file| staging.write(file))
            .unwrap();
        let report = staging.commit().unwrap();
        assert_eq!((report.written, report.unchanged), (1, 198));
        assert_eq!(report.changed, ["2/5/26/index.html"]);
        assert_eq!(report.removed, ["1/3/199/index.html"]);
        assert_eq!(
            fs::metadata(out.join("0/0/0/index.html")).unwrap().ino(),
            ino
        );
        assert_eq!(names(tmp.path()), ["public"]);
    }

    #[test]
    fn streamed_duplicates_and_conflicts_are_refused_in_either_order() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_site(&out, site()).unwrap();
        let before = snapshot(tmp.path());
        let cases: [(&str, &str, &str); 4] = [
            ("a.html", "a.html", "two files of the site want this path"),
            (
                "a",
                "a/b.html",
                "is both a file and the folder of \"a/b.html\"",
            ),
            (
                "a/b.html",
                "a",
                "is both a file and the folder of \"a/b.html\"",
            ),
            ("x/y/z", "x/y", "is both a file and the folder of \"x/y/z\""),
        ];
        for (first, second, expected) in cases {
            let staging = Staging::begin(&out).unwrap();
            staging.write(&page(first, "1")).unwrap();
            match staging.write(&page(second, "2")) {
                Err(Error::Output { path, message }) => {
                    assert!(
                        message.contains(expected),
                        "{first} then {second}: {message}"
                    );
                    assert!(path.starts_with(&out), "{path:?}");
                }
                other => panic!("{first} then {second}: unexpected {other:?}"),
            }
            drop(staging);
            // Dropped without commit: the output is as it was, the staging folder gone.
            assert_eq!(snapshot(tmp.path()), before);
        }
        let staging = Staging::begin(&out).unwrap();
        for bad in ["../x", "a//b", MARKER] {
            assert!(matches!(
                staging.write(&page(bad, "x")),
                Err(Error::Output { .. })
            ));
        }
    }

    #[test]
    fn output_through_a_link_replaces_the_target() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("www");
        fs::create_dir(&real).unwrap();
        let link = tmp.path().join("public");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_site(&link, site()).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(names(&real), [MARKER, "2024", "feed.xml", "index.html"]);
        assert_eq!(names(tmp.path()), ["public", "www"]);
    }

    #[test]
    fn static_files_override_and_keep_hidden_files() {
        let tmp = tempfile::tempdir().unwrap();
        let theme = tmp.path().join("theme-static");
        let own = tmp.path().join("static");
        fs::create_dir_all(theme.join("css")).unwrap();
        fs::create_dir_all(theme.join(".git/objects")).unwrap();
        fs::create_dir_all(own.join("css")).unwrap();
        fs::write(theme.join("css/style.css"), "theme").unwrap();
        fs::write(theme.join("css/extra.css"), "extra").unwrap();
        fs::write(theme.join(".git/objects/x"), "git").unwrap();
        fs::write(theme.join(".DS_Store"), "mac").unwrap();
        fs::write(own.join("css/style.css"), "own").unwrap();
        fs::write(own.join(".nojekyll"), "").unwrap();
        let outside = tmp.path().join("secret.txt");
        fs::write(&outside, "secret").unwrap();
        std::os::unix::fs::symlink(&outside, own.join("leak.txt")).unwrap();
        std::os::unix::fs::symlink(own.join(".nojekyll"), own.join("alias")).unwrap();

        let dirs = [theme.clone(), tmp.path().join("missing"), own.clone()];
        fs::create_dir(own.join("sub")).unwrap();
        std::os::unix::fs::symlink(own.join("sub"), own.join("dirlink")).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("nowhere"), own.join("broken")).unwrap();
        fs::write(own.join("notes.txt~"), "backup").unwrap();
        fs::write(own.join(".style.css.swp"), "swap").unwrap();
        let (files, skipped) = static_files(&dirs).unwrap();
        let skipped: Vec<String> = skipped.iter().map(|d| d.to_string()).collect();
        let outside = fs::canonicalize(&outside).unwrap();
        assert_eq!(
            skipped,
            [
                format!(
                    "{}: link points to nothing (broken link); skipped",
                    own.join("broken").display()
                ),
                format!(
                    "{}: link to the folder {} is not followed; skipped (link each file, or move \
                     the folder here)",
                    own.join("dirlink").display(),
                    fs::canonicalize(own.join("sub")).unwrap().display()
                ),
                format!(
                    "{}: link to {} points outside its static folder; skipped (put the file \
                     itself in the folder)",
                    own.join("leak.txt").display(),
                    outside.display()
                ),
            ]
        );
        let got: Vec<(&str, &Contents)> = files
            .iter()
            .map(|f| (f.path.as_str(), &f.contents))
            .collect();
        assert_eq!(
            got,
            [
                (".nojekyll", &Contents::Copy(own.join(".nojekyll"))),
                ("alias", &Contents::Copy(own.join("alias"))),
                (
                    "css/extra.css",
                    &Contents::Copy(theme.join("css/extra.css"))
                ),
                ("css/style.css", &Contents::Copy(own.join("css/style.css"))),
            ]
        );
    }

    #[test]
    fn static_files_refuse_unsafe_names() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("static");
        fs::create_dir(&dir).unwrap();
        let bad = dir.join("a\\b.css");
        fs::write(&bad, "x").unwrap();
        match static_files(&[dir]).map(|(files, _)| files) {
            Err(Error::Problems(problems)) => {
                assert_eq!(problems.len(), 1);
                assert_eq!(problems[0].path, bad);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
