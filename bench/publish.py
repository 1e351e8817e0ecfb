#!/usr/bin/env python3
"""Publish builds of two or more Gazette binaries, side by side: the `gazette build` that follows
one new article (the newest, so every home, year and month page moves by one) on an otherwise
unchanged site.

Each binary gets its own copy of the bench corpus (the settings fingerprint holds the binary, so
two binaries on one site would make each other's builds full ones). Per round and binary: add the
article, time the build (wall, user and system time, peak memory of the child), remove it, and
build again so the next round starts from the same site. Rounds alternate the binaries, so a
machine that slows down mid-run slows all of them alike, and the order flips every round (the
first binary of a fixed order came out slower). Half way through, the binaries move on to each
other's copies (each builds its new copy in full first): at 100,000 articles one copy of the
corpus was 0.2-0.3 s slower than the other for the whole of a run, and which one changed from
run to run. Prints medians, and each half's.

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
    halves = {binary: ([], []) for binary in args.gazette}
    first = (args.rounds + 1) // 2
    for half, rounds in enumerate((first, args.rounds - first)):
        if half == 1 and len(sites) > 1:
            # Each binary on the next one's copy, built in full there and warmed as above.
            sites = sites[1:] + sites[:1]
            for binary, site in zip(args.gazette, sites):
                build(os.path.abspath(binary), site)
                publish_once(os.path.abspath(binary), site)
        for binary, site in sides.alternating(list(zip(args.gazette, sites)), rounds):
            measured = publish_once(os.path.abspath(binary), site)
            results[binary].append(measured)
            halves[binary][half].append(measured[0])
    print(f"publish into {args.size} articles, medians of {args.rounds} alternating rounds")
    print("| binary | wall s | user s | system s | peak MB | wall s by copy |")
    print("| --- | --- | --- | --- | --- | --- |")
    for binary, rows in results.items():
        wall, user, system, peak = (statistics.median(col) for col in zip(*rows))
        by_copy = " / ".join(f"{statistics.median(h):.2f}" for h in halves[binary] if h)
        print(f"| {binary} | {wall:.2f} | {user:.2f} | {system:.2f} | {peak:.0f} | {by_copy} |")


if __name__ == "__main__":
    main()
