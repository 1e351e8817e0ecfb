#!/usr/bin/env python3
"""Clean builds of two or more Gazette binaries, side by side: `gazette build` of the bench corpus
into a new, empty folder with no build cache beside it (what a first build does, and what the
issue's "clean build no slower, peak memory no higher" compares).

Each build writes a folder of its own under --into, which is deleted (with the cache files beside
it) right after it is measured. The default is a folder in /dev/shm when there is one: a build
into ext4 right after a large delete pays seconds of system time for it (see bench/README.md),
and waiting that out between builds would take hours; in memory, every binary pays the same.
Rounds alternate the binaries and flip their order every round. Wall time, the child's own user
and system time and peak memory (os.wait4), medians. Old binaries without `--full` work too: a
new folder has no cache.

    bench/clean.py --size 100000 --rounds 3 --gazette OLD_BINARY --gazette NEW_BINARY
"""
import os, statistics, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import measure, sides  # noqa: E402


def clean_build(binary, into, name):
    """One build of the corpus (the current folder) into `into/name`; its measurements."""
    out = os.path.join(into, name)
    try:
        return measure.run_once([binary, "-q", "build", "-o", out], out, out + ".log")
    finally:
        measure.remove_output(out)
        if os.path.lexists(out + ".log"):
            os.remove(out + ".log")


def main():
    ap = sides.parser(__doc__)
    ap.add_argument("--into", default="/dev/shm/gazette-clean" if os.path.isdir("/dev/shm")
                    else os.path.join(sides.BENCH, "out", "clean"),
                    help="where the builds write (each into a new folder, deleted after it)")
    args = ap.parse_args()
    site = sides.corpus_site(args)
    os.makedirs(args.into, exist_ok=True)
    binaries = [os.path.abspath(b) for b in args.gazette]
    os.chdir(site)
    # By position: the same binary may be given twice (to see the machine's own spread).
    results = [[] for _ in binaries]
    for n, binary in sides.alternating(list(enumerate(binaries)), args.rounds):
        # The last build's files written back and let go before this one starts.
        time.sleep(5)
        results[n].append(clean_build(binary, args.into, f"out-{n}"))
    print(f"clean build of {args.size} articles, medians of {args.rounds} alternating rounds")
    print("| binary | wall s | user s | system s | peak MiB | pages |")
    print("| --- | --- | --- | --- | --- | --- |")
    for binary, rows in zip(binaries, results):
        med = {k: statistics.median(r[k] for r in rows)
               for k in ("wall_s", "user_s", "sys_s", "peak_rss_mib")}
        walls = ", ".join(f"{r['wall_s']:.2f}" for r in rows)
        print(f"| {binary} | {med['wall_s']:.2f} ({walls}) | {med['user_s']:.2f} | "
              f"{med['sys_s']:.2f} | {med['peak_rss_mib']:.0f} | {rows[0]['pages']} |")


if __name__ == "__main__":
    main()
