#!/usr/bin/env python3
"""Incremental `gazette build` against a clean one, and against Hugo's build, on the bench corpus.

For each size: clean builds (`--full`, each into a new folder), then, from one full build, each
repeated --runs times, the build after: nothing changed, one article published (dated an hour
ago, so the newest), one article's body edited, one article deleted, one template edited. Hugo has no incremental mode: its column is
its plain build of the same corpus, for scale (run with --hugo; at 100,000 articles one Hugo
build takes ~20 min).
Medians in seconds. Every edit is undone before the next run, so each run starts from the same site.

    bench/incremental.py --sizes 10000 --runs 5 --gazette target/release/gazette [--hugo]
"""
import argparse, os, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import corpus, measure  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd, cwd):
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    took = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr.decode()[-2000:]}")
    return took


def edits(site):
    """(name, do, undo) for each edit, on the Gazette site folder `site`."""
    content = os.path.join(site, "content")
    first = None
    for dirpath, _, files in sorted(os.walk(content)):
        md = sorted(f for f in files if f.endswith(".md"))
        if md:
            first = os.path.join(dirpath, md[0])
            break
    with open(first) as f:
        original = f.read()
    new = os.path.join(content, "2099-bench-new.md")
    # Dated an hour ago: the newest published article, as a newsroom publishes. (Until
    # 2026-12 this was dated 2030, which left it out as a future article and timed a build
    # that published nothing new.)
    an_hour_ago = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    added = f"---\ntitle: Bench addition\ndate: {an_hour_ago}\ntags: [bench]\n---\nAdded.\n"
    template = os.path.join(site, "themes", "default", "templates", "404.html")
    with open(template) as f:
        tpl = f.read()
    moved = first + ".bench-away"

    def write(path, text):
        with open(path, "w") as f:
            f.write(text)

    return [
        ("nothing changed", lambda: None, lambda: None),
        ("one article published (newest)", lambda: write(new, added), lambda: os.remove(new)),
        ("one body edited", lambda: write(first, original + "\nOne more line.\n"),
         lambda: write(first, original)),
        ("one article deleted", lambda: os.rename(first, moved), lambda: os.rename(moved, first)),
        ("template edited", lambda: write(template, tpl.replace("{% endblock", "<p>x</p>{% endblock", 1)),
         lambda: write(template, tpl)),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--gazette", default=os.path.join(HERE, "..", "target", "release", "gazette"))
    ap.add_argument("--hugo", nargs="?", const="hugo", default=None)
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    args = ap.parse_args()
    gazette = os.path.abspath(args.gazette)
    for n in (int(s) for s in args.sizes.split(",")):
        dest, _ = corpus.ensure(n, args.out)
        corpus.refresh_templates(dest, os.path.join(HERE, "..", "themes", "default"))
        site = os.path.join(dest, "gazette")
        out = os.path.join(args.out, f"incremental-{n}")
        for old in [out] + [f"{out}-clean-{k}" for k in range(args.runs)]:
            measure.remove_output(old)
        build = [gazette, "-q", "build", "-o", out]
        timed(build + ["--full"], site)  # warm-up, and the cache the runs start from
        # Clean builds each into a new folder, as bench/run does: replacing a full output
        # deletes ~15,000 files, which this filesystem makes the next builds pay for.
        clean = [timed([gazette, "-q", "build", "--full", "-o", f"{out}-clean-{k}"], site)
                 for k in range(args.runs)]
        rows = [("clean build (--full, new folder)", clean, None)]
        for name, do, undo in edits(site):
            g, h = [], []
            for _ in range(args.runs):
                do()
                g.append(timed(build, site))
                if args.hugo:
                    h.append(timed([args.hugo, "--quiet", "-d", out + "-hugo"], os.path.join(dest, "hugo")))
                undo()
                timed(build, site)  # back to the starting site, untimed
            rows.append((name, g, h or None))
        print(f"\n{n} articles, median of {args.runs} runs (s):")
        print(f"| after | gazette build | {'hugo build | ' if args.hugo else ''}")
        print(f"| --- | --- | {'--- | ' if args.hugo else ''}")
        for name, g, h in rows:
            hugo = f" {statistics.median(h):.2f} |" if h else (" |" if args.hugo else "")
            print(f"| {name} | {statistics.median(g):.3f} |{hugo}")
        for old in [out] + [f"{out}-clean-{k}" for k in range(args.runs)]:
            measure.remove_output(old)


if __name__ == "__main__":
    main()
