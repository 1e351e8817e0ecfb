//! Publishing: the sample digest served by a real nginx at the root and under a sub-path (and
//! minified) with zero broken links, files for static hosts copied as they are, fingerprinted
//! assets, and rebuilds that touch only what changed (`--list-changed`).

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::SystemTime;

use common::crawl::{
    Nginx, check_server_block, crawl, fetch, html_links, site_locations, sitemap_locs,
};
use common::{TestSite, attrs};

/// The sample digest plus what it lacks to exercise every kind of link: an article with a lead
/// image beside it, an inline image, a body link written as a site path, a `source_url` that is a
/// site path, and files static hosts read.
fn sample_plus() -> TestSite {
    let site = TestSite::sample();
    site.article(
        "2025/01/20/photo-story.md",
        "title: A photo story\ndate: 2025-01-20 10:00\ntags: [pakistan]\nimage: lead.png\n\
         image_alt: A test pattern\nsource: Earlier report\n\
         source_url: /2024/11/27/imran-khans-supporters-end-islamabad-protest-after-midnight-crackdown/",
        "See [the earlier report](/2024/11/27/imran-khans-supporters-end-islamabad-protest-after-midnight-crackdown/) \
         and [the tags](/tags/).\n\n![Inline pattern](inline.png)\n",
    );
    site.write("content/2025/01/20/lead.png", PNG);
    site.write("content/2025/01/20/inline.png", PNG);
    site.write("static/CNAME", "news.example.org\n");
    site.write("static/_redirects", "/old/* /news/:splat 301\n");
    site.write("static/.nojekyll", "");
    site
}

/// A 1x1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xff, 0xff, 0x3f,
    0x00, 0x05, 0xfe, 0x02, 0xfe, 0xa7, 0x35, 0x81, 0x84, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

fn build(site: &TestSite, args: &[&str]) -> String {
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    let out = site.run(&all);
    assert!(
        out.status.success(),
        "gazette {all:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Output files no link reaches by design: redirect pages (`page/1/`), the 404 page, files for
/// crawlers and hosts, and Gazette's marker.
fn unlinked_by_design(site: &TestSite, file: &str) -> bool {
    matches!(
        file,
        "404.html"
            | "robots.txt"
            | "sitemap.xml"
            | ".gazette-output"
            | "CNAME"
            | "_redirects"
            | ".nojekyll"
    ) || (file.ends_with(".html") && site.read(file).contains("http-equiv"))
}

/// Serves the sample (plus extras) with nginx at `mount`, builds it for that address, crawls it
/// from the home page and checks every link, every page, the sitemap and the 404 page.
fn crawl_through_nginx(mount: &str, minify: bool) {
    let site = sample_plus();
    if minify {
        let toml = std::fs::read_to_string(site.root.join("site.toml")).unwrap();
        site.write("site.toml", format!("{toml}\nminify = true\n"));
    }
    let Some(server) = Nginx::start(&site.public(), mount) else {
        return;
    };
    let base = format!("{}{mount}", server.origin);
    build(&site, &["--base-url", &base]);

    let result = crawl(&base, &base);
    assert!(
        result.broken.is_empty(),
        "broken links under {base}:\n{}\nnginx log:\n{}",
        result.broken.join("\n"),
        server.error_log()
    );

    // Every page and file of the output is reached, except those no link is meant to reach.
    let unreached: Vec<String> = site
        .files()
        .into_iter()
        .filter(|file| {
            let url = format!("{base}{}", file.trim_end_matches("index.html"));
            !result.visited.contains_key(&url) && !unlinked_by_design(&site, file)
        })
        .collect();
    assert_eq!(unreached, Vec::<String>::new(), "files no link reaches");
    assert!(
        result.visited.len() > 70,
        "only {} URLs crawled",
        result.visited.len()
    );

    // The sitemap names only pages the crawl reached; robots.txt points at the sitemap.
    let sitemap = fetch(&format!("{base}sitemap.xml"));
    assert_eq!(sitemap.status, 200);
    let locs = sitemap_locs(&String::from_utf8_lossy(&sitemap.body));
    assert!(locs.len() > 30, "{locs:?}");
    for loc in &locs {
        assert_eq!(result.visited.get(loc), Some(&200), "sitemap entry {loc}");
    }
    let robots = fetch(&format!("{base}robots.txt"));
    assert_eq!(robots.status, 200);
    assert!(
        String::from_utf8_lossy(&robots.body).contains(&format!("Sitemap: {base}sitemap.xml")),
        "{}",
        String::from_utf8_lossy(&robots.body)
    );

    // Stylesheets and scripts are served with their types, under fingerprinted names.
    let typed: BTreeMap<&str, &str> = result
        .content_types
        .iter()
        .filter(|(url, _)| url.ends_with(".css") || url.ends_with(".js"))
        .map(|(url, kind)| (url.as_str(), kind.as_str()))
        .collect();
    assert_eq!(typed.len(), 3, "{typed:?}");
    for (url, kind) in typed {
        let name = url.rsplit('/').next().unwrap();
        let parts: Vec<&str> = name.split('.').collect();
        assert_eq!(parts.len(), 3, "{name} is not name.hash.ext");
        assert!(parts[1].len() == 10 && parts[1].chars().all(|c| c.is_ascii_hexdigit()));
        let expected = if url.ends_with(".css") {
            "text/css"
        } else {
            "javascript"
        };
        assert!(kind.contains(expected), "{url}: {kind}");
        assert_eq!(
            fetch(url).cache_control,
            "public, max-age=31536000, immutable",
            "{url}"
        );
    }

    // Pages are not cached forever: only fingerprinted names are.
    assert_eq!(fetch(&base).cache_control, "");

    // A missing address gets the site's own 404 page, with status 404, at any depth.
    for missing in ["no-such-page/", "2024/11/27/gone/", "tags/nope/atom.xml"] {
        let response = fetch(&format!("{base}{missing}"));
        assert_eq!(response.status, 404, "{missing}");
        assert_eq!(
            response.body,
            std::fs::read(site.public().join("404.html")).unwrap(),
            "{missing} must get 404.html"
        );
        // Its links work from where it is shown.
        let links = html_links(&String::from_utf8_lossy(&response.body));
        assert!(
            links.iter().any(|l| l == &format!("{mount}search/")),
            "{links:?}"
        );
    }
}

#[test]
fn nginx_under_a_sub_path_has_no_broken_links() {
    crawl_through_nginx("/news/", false);
}

#[test]
fn nginx_at_the_root_has_no_broken_links() {
    crawl_through_nginx("/", false);
}

#[test]
fn minified_site_under_a_sub_path_has_no_broken_links() {
    crawl_through_nginx("/news/", true);
}

#[test]
fn every_link_of_a_sub_path_build_carries_the_sub_path() {
    let site = sample_plus();
    let out = build(&site, &["--base-url", "https://example.org/news/"]);
    // Crawlers never read /news/robots.txt: the build says so, with the line for the root one.
    let notes: Vec<&str> = out.lines().filter(|l| l.starts_with("note: ")).collect();
    assert_eq!(notes.len(), 1, "{out}");
    assert!(
        notes[0].contains("robots.txt only at the host root")
            && notes[0].ends_with(
                "add this line to https://example.org/robots.txt: Sitemap: \
                 https://example.org/news/sitemap.xml"
            ),
        "{out}"
    );
    let at_root = build(&site, &["--base-url", "https://example.org/"]);
    assert!(!at_root.contains("note: "), "{at_root}");
    build(&site, &["--base-url", "https://example.org/news/"]);
    let base = "https://example.org/news/";
    let mut checked = 0;
    for file in site.files() {
        if !file.ends_with(".html") {
            continue;
        }
        let doc = site.html(&file);
        let mut links = html_links(&site.read(&file));
        links.extend(attrs(
            &doc,
            "meta[property='og:url'], meta[property='og:image']",
            "content",
        ));
        for link in links {
            checked += 1;
            let fine = link.starts_with("/news/")
                || link.starts_with('#')
                || link.starts_with(base)
                || (link.starts_with("https://") && !link.starts_with("https://example.org/"))
                || !link.contains('/');
            assert!(fine, "{file}: `{link}` does not carry /news/");
        }
        for canonical in attrs(&doc, "link[rel=canonical]", "href") {
            assert!(canonical.starts_with(base), "{file}: canonical {canonical}");
        }
    }
    assert!(checked > 1000, "only {checked} links checked");
    for loc in sitemap_locs(&site.read("sitemap.xml")) {
        assert!(loc.starts_with(base), "sitemap: {loc}");
    }
    let story = site.html("2025/01/20/a-photo-story/index.html");
    assert_eq!(
        attrs(&story, ".content a", "href"),
        [
            "/news/2024/11/27/imran-khans-supporters-end-islamabad-protest-after-midnight-crackdown/",
            "/news/tags/"
        ]
    );
    assert_eq!(
        attrs(&story, ".source a", "href"),
        ["/news/2024/11/27/imran-khans-supporters-end-islamabad-protest-after-midnight-crackdown/"]
    );
    assert_eq!(
        attrs(&story, "meta[property='og:image']", "content"),
        ["https://example.org/news/2025/01/20/a-photo-story/lead.png"]
    );
    assert!(
        site.read("robots.txt")
            .contains("Sitemap: https://example.org/news/sitemap.xml")
    );
}

#[test]
fn files_for_static_hosts_are_copied_as_they_are_and_assets_are_fingerprinted() {
    let site = sample_plus();
    site.write(
        "static/.well-known/security.txt",
        "Contact: mailto:desk@example.org\n",
    );
    let summary = build(&site, &[]);
    for (file, bytes) in [
        ("CNAME", &b"news.example.org\n"[..]),
        ("_redirects", b"/old/* /news/:splat 301\n"),
        (".nojekyll", b""),
        (
            ".well-known/security.txt",
            b"Contact: mailto:desk@example.org\n",
        ),
    ] {
        assert_eq!(
            std::fs::read(site.public().join(file)).unwrap(),
            bytes,
            "{file}"
        );
    }
    let files = site.files();
    assert!(!files.contains(&"style.css".to_string()), "{files:?}");
    assert!(!files.contains(&"search.js".to_string()), "{files:?}");
    let styles: Vec<&String> = files
        .iter()
        .filter(|f| f.starts_with("style.") && f.ends_with(".css"))
        .collect();
    assert_eq!(styles.len(), 1, "{files:?}");
    let theme_css = std::fs::read(common::repo().join("themes/default/static/style.css")).unwrap();
    assert_eq!(
        std::fs::read(site.public().join(styles[0])).unwrap(),
        theme_css
    );
    for page in [
        "index.html",
        "tags/index.html",
        "search/index.html",
        "404.html",
    ] {
        assert_eq!(
            attrs(&site.html(page), "link[rel=stylesheet]", "href")[0],
            format!("/{}", styles[0]),
            "{page}"
        );
    }
    let scripts = attrs(&site.html("search/index.html"), "script[src]", "src");
    assert_eq!(scripts.len(), 1);
    assert!(files.contains(&scripts[0].trim_start_matches('/').to_string()));
    // The build reports the search index's size.
    let size = std::fs::metadata(site.public().join("search-index.json"))
        .unwrap()
        .len();
    assert!(size > 1000);
    assert!(summary.contains("; search index "), "{summary}");
}

/// (inode, mtime) of every published file under `dir` (Gazette's marker is not published).
fn file_stamps(dir: &Path) -> BTreeMap<String, (u64, SystemTime)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && e.file_name() != ".gazette-output")
        .map(|e| {
            let meta = e.metadata().unwrap();
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, (meta.ino(), meta.modified().unwrap()))
        })
        .collect()
}

#[test]
fn a_rebuild_without_changes_rewrites_nothing() {
    for minify in [false, true] {
        let site = sample_plus();
        if minify {
            site.write("site.toml", format!("{}\nminify = true\n", site_toml()));
        }
        build(&site, &[]);
        let files = file_stamps(&site.public());
        assert!(files.len() > 90);
        let before = site.snapshot();
        std::thread::sleep(std::time::Duration::from_millis(20));

        let out = build(&site, &["--list-changed"]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 1, "only the summary, no file to upload: {out}");
        assert!(
            lines[0].contains(&format!("(0 files written, {} unchanged;", files.len())),
            "{out}"
        );
        let after = file_stamps(&site.public());
        assert_eq!(
            after.keys().collect::<Vec<_>>(),
            files.keys().collect::<Vec<_>>()
        );
        let touched: Vec<&String> = files
            .iter()
            .filter(|(rel, stamp)| after.get(*rel) != Some(*stamp))
            .map(|(rel, _)| rel)
            .collect();
        assert_eq!(
            touched,
            Vec::<&String>::new(),
            "minify = {minify}: files with a new inode or mtime"
        );
        assert_eq!(site.snapshot(), before);
        assert_eq!(build(&site, &["--list-changed", "-q"]), "");
    }
}

fn site_toml() -> String {
    std::fs::read_to_string(common::repo().join("site.toml")).unwrap()
}

#[test]
fn list_changed_names_exactly_what_an_edit_touched() {
    let site = TestSite::new(
        "title = \"Small\"\nbase_url = \"https://example.org/\"\ntimezone = \"UTC\"\n",
    );
    let first = "title: First\ndate: 2024-11-27 09:00\ntags: [alpha]\nsummary: The first.";
    site.article("2024/11/27/first.md", first, "Body one.\n");
    site.article(
        "2024/11/28/second.md",
        "title: Second\ndate: 2024-11-28 09:00\ntags: [beta]\nsummary: The second.",
        "Body two.\n",
    );
    build(&site, &[]);

    // A body edit: the article, the feeds that carry its content, and the search index.
    site.article("2024/11/27/first.md", first, "Body one, corrected.\n");
    let out = build(&site, &["--list-changed", "-q"]);
    assert_eq!(
        out,
        "2024/11/27/first/index.html\natom.xml\nfeed.json\nrss.xml\nsearch-index.json\n\
         tags/alpha/atom.xml\ntags/alpha/feed.json\ntags/alpha/rss.xml\n"
    );
    let summary = build(&site, &["--list-changed"]);
    assert!(summary.starts_with("Built 2 articles"), "{summary}");
    assert_eq!(summary.lines().count(), 1, "{summary}");

    // Removing an article: what changed, then what a deploy must delete.
    std::fs::remove_file(site.root.join("content/2024/11/28/second.md")).unwrap();
    let out = build(&site, &["--list-changed", "-q"]);
    let lines: Vec<&str> = out.lines().collect();
    let deleted: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("deleted "))
        .collect();
    assert_eq!(
        deleted,
        [
            "2024/11/28/index.html",
            "2024/11/28/page/1/index.html",
            "2024/11/28/second/index.html",
            "tags/beta/atom.xml",
            "tags/beta/feed.json",
            "tags/beta/index.html",
            "tags/beta/page/1/index.html",
            "tags/beta/rss.xml",
        ]
    );
    let first_deleted = lines
        .iter()
        .position(|l| l.starts_with("deleted "))
        .unwrap();
    assert!(lines[..first_deleted].contains(&"index.html"), "{out}");
    assert!(
        lines[..first_deleted].contains(&"search-index.json"),
        "{out}"
    );
    for line in &lines[..first_deleted] {
        assert!(
            site.public().join(line).is_file(),
            "{line} listed but not written"
        );
    }

    // One article left: the summary counts it in the singular.
    let summary = build(&site, &[]);
    assert!(
        summary.starts_with("Built 1 article into ") && !summary.contains("1 articles"),
        "{summary}"
    );
}

/// The fenced code block after `<!-- recipe:NAME -->` in the README.
fn recipe(name: &str) -> String {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    let marker = format!("<!-- recipe:{name} -->");
    let after = &readme[readme
        .find(&marker)
        .unwrap_or_else(|| panic!("no {marker}"))..];
    let open = after.find("```").unwrap();
    let body = &after[open..];
    let start = body.find('\n').unwrap() + 1;
    let end = body[start..].find("```").unwrap();
    body[start..start + end].to_string()
}

/// The arguments after `gazette` of the first `gazette build` in `text`, with the hosts'
/// variables filled in.
fn build_args(text: &str) -> Vec<String> {
    let at = text.find("gazette build").expect("a gazette build command");
    let line = text[at + "gazette ".len()..].lines().next().unwrap();
    let line = line.split("&&").next().unwrap();
    line.replace(
        "${{ steps.pages.outputs.base_url }}",
        "https://owner.github.io/repo",
    )
    .replace("$URL", "https://news.netlify.app")
    .split_whitespace()
    .map(|arg| arg.trim_matches('"').to_string())
    .collect()
}

#[test]
fn readme_recipes_parse_and_their_build_commands_work() {
    let workflow: serde_yaml::Value = serde_yaml::from_str(&recipe("github-pages")).unwrap();
    let steps = workflow["jobs"]["build"]["steps"].as_sequence().unwrap();
    assert!(steps.iter().any(|s| s["with"]["path"] == "public"));
    let run = steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find(|r| r.contains("gazette build"))
        .unwrap();
    let netlify: toml::Table = toml::from_str(&recipe("netlify")).unwrap();
    assert_eq!(netlify["build"]["publish"].as_str(), Some("public"));
    let netlify_command = netlify["build"]["command"].as_str().unwrap().to_string();

    for (text, base_path) in [
        (run.to_string(), "/repo/"),
        (netlify_command, "/"),
        (recipe("cloudflare-pages"), "/"),
        (recipe("s3"), "/"),
    ] {
        let args = build_args(&text);
        let site = sample_plus();
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = site.run(&refs);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stylesheet = &attrs(&site.html("index.html"), "link[rel=stylesheet]", "href")[0];
        assert!(
            stylesheet.starts_with(&format!("{base_path}style.")),
            "{args:?}: {stylesheet}"
        );
    }

    let nginx = recipe("nginx");
    assert!(
        nginx.contains(&site_locations("/srv/news/public", "/news/")),
        "the README's nginx recipe must be what the crawl tests serve with:\n{nginx}\n{}",
        site_locations("/srv/news/public", "/news/")
    );
    if let Some(report) = check_server_block(&nginx) {
        assert_eq!(report, "", "nginx -t on the README's recipe");
    }
}
