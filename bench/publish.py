#!/usr/bin/env python3
"""Publish builds of two or more Gazette binaries, side by side: the `gazette build` that follows
one new article (the newest, so every home, year and month page moves by one) on an otherwise
unchanged site.

Each binary gets its own copy of the bench corpus (the settings fingerprint holds the binary, so
two binaries on one site would make each other's builds full ones). Per round and binary: add the
article, time the build (wall, user and system time, peak memory of the child), remove it, and
build again so the next round starts from the same site. Rounds alternate the binaries, so a
machine that slows down mid-run slows all of them alike, and the order flips every round (the
first binary of a fixed order came out slower). Prints medians.

    bench/publish.py --size 10000 --rounds 5 --gazette OLD_BINARY --gazette NEW_BINARY
"""
import os, resource, shutil, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import sides  # noqa: E402

ARTICLE = "content/bench-publish.md"


def build(binary, site):
    """One build; returns (wall s, user s, system s, peak MB) of that child alone. Peak memory
    needs GNU time (`/usr/bin/time`); without it the peak is NaN."""
    gnu_time = os.path.exists("/usr/bin/time")
    cmd = (["/usr/bin/time", "-f", "%e %U %S %M"] if gnu_time else []) + [binary, "-q", "build"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=site, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{binary} build failed in {site}:\n{done.stderr[-2000:]}")
    if gnu_time:
        wall, user, system, peak_kb = done.stderr.strip().splitlines()[-1].split()
        return float(wall), float(user), float(system), int(peak_kb) / 1024
    return (wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime,
            float("nan"))


def publish_once(binary, site):
    """Adds the newest article, builds (measured), removes it and builds again."""
    article = os.path.join(site, ARTICLE)
    os.makedirs(os.path.dirname(article), exist_ok=True)
    # Dated an hour ago: newer than every corpus article, and not in the future.
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    with open(article, "w") as f:
        f.write(f"---\ntitle: Bench publish\ndate: {when}\ntags: [bench]\n---\nPublished.\n")
    measured = build(binary, site)
    os.remove(article)
    build(binary, site)
    return measured


def main():
    args = sides.parser(__doc__).parse_args()
    source = sides.corpus_site(args)
    sites = []
    for n, binary in enumerate(args.gazette):
        # Copies made by this script only; made again each run, so they match the corpus.
        site = os.path.join(args.out, f"publish-{args.size}-{n}")
        if os.path.isdir(site):
            shutil.rmtree(site)
        shutil.copytree(source, site, ignore=shutil.ignore_patterns("public", ".public.*"))
        # A first build (full when the binary is new to this copy), then one publish to warm
        # what a publish leaves behind (the spare files of the patch).
        build(os.path.abspath(binary), site)
        publish_once(os.path.abspath(binary), site)
        sites.append(site)
    results = {binary: [] for binary in args.gazette}
    for binary, site in sides.alternating(list(zip(args.gazette, sites)), args.rounds):
        results[binary].append(publish_once(os.path.abspath(binary), site))
    print(f"publish into {args.size} articles, medians of {args.rounds} alternating rounds")
    print("| binary | wall s | user s | system s | peak MB |")
    print("| --- | --- | --- | --- | --- |")
    for binary, rows in results.items():
        wall, user, system, peak = (statistics.median(col) for col in zip(*rows))
        print(f"| {binary} | {wall:.2f} | {user:.2f} | {system:.2f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
