#!/usr/bin/env python3
"""Lighthouse scores of the default theme: the sample digest's home, article, tag and search pages.

Installs Lighthouse 12.2.3 (npm, into bench/out/lighthouse, once), builds the sample digest with
the given binary into a temp folder, serves it on loopback and runs Lighthouse in Debian's
headless Chromium on each page, mobile (Lighthouse's default emulation) and desktop. Prints the
four category scores and the cumulative layout shift per page (the search page with a query, so
its results come in), and exits 1 when any score is under 100 or any layout shifts (the search
page's SEO score aside: it is kept out of search engines on purpose).

    bench/lighthouse.py [--gazette target/release/gazette]
"""
import argparse, atexit, functools, http.server, json, os, shutil, subprocess, sys, tempfile, threading

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
VERSION = "12.2.3"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
FLAGS = ("--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
         "--disable-component-update --disable-sync")


def lighthouse(out):
    prefix = os.path.join(out, "lighthouse")
    cli = os.path.join(prefix, "node_modules", "lighthouse", "cli", "index.js")
    if not os.path.exists(cli):
        os.makedirs(prefix, exist_ok=True)
        subprocess.run(["npm", "i", "-E", f"lighthouse@{VERSION}", "--prefix", prefix,
                        "--no-audit", "--no-fund", "--silent"], check=True)
    return cli


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder):
    handler = functools.partial(Quiet, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gazette", default=os.path.join(REPO, "target", "release", "gazette"))
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    args = ap.parse_args()
    cli = lighthouse(args.out)
    work = tempfile.mkdtemp(prefix="gazette-lighthouse-")
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    public = os.path.join(work, "public")
    subprocess.run([os.path.abspath(args.gazette), "-q", "build", "-o", public,
                    "--base-url", "http://127.0.0.1/"], cwd=REPO, check=True)
    origin = serve(public)
    article = next(
        d for d in os.listdir(os.path.join(public, "2024", "11", "27"))
        if os.path.isdir(os.path.join(public, "2024", "11", "27", d)) and d != "page"
    )
    pages = ["/", f"/2024/11/27/{article}/", "/tags/pakistan/", "/search/?q=pakistan"]
    env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    worst = 100
    print(f"| page | form factor | {' | '.join(CATEGORIES)} | CLS |")
    print(f"| --- | --- |{' --- |' * len(CATEGORIES)} --- |")
    for page in pages:
        for preset in ["mobile", "desktop"]:
            report = os.path.join(work, "report.json")
            cmd = ["node", cli, origin + page, "--quiet", "--output=json", f"--output-path={report}",
                   f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={FLAGS} "
                   f"--user-data-dir={os.path.join(work, 'profile-' + preset)}"]
            if preset == "desktop":
                cmd.append("--preset=desktop")
            subprocess.run(cmd, env=env, check=True)
            with open(report) as f:
                data = json.load(f)
            scores = [round(100 * (data["categories"][c]["score"] or 0)) for c in CATEGORIES]
            cls = data["audits"]["cumulative-layout-shift"]["numericValue"]
            # The search page is kept out of search engines on purpose (noindex), which
            # Lighthouse's SEO score counts against it; its layout must not shift.
            judged = scores[:3] if page.startswith("/search/") else scores
            worst = min(worst, *judged, 100 if cls == 0 else 0)
            print(f"| {page} | {preset} | {' | '.join(map(str, scores))} | {cls:.3f} |")
            for c in CATEGORIES:
                for ref in data["categories"][c]["auditRefs"]:
                    audit = data["audits"][ref["id"]]
                    if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                        print(f"    {c}: {audit['id']} ({audit['score']}): {audit['title']}")
    sys.exit(0 if worst == 100 else 1)


if __name__ == "__main__":
    main()
