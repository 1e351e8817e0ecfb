#!/usr/bin/env python3
"""Save-to-reload latency of `gazette serve`.

Starts `gazette serve --port 0` on a site, listens to its live-reload stream like a browser tab,
then saves one article again and again and measures the time from the save to the `reload`
event. Two kinds of save: a text edit (the usual fix: only the article's text changes) and a new
headline (the article's URL moves, so the whole site is planned again). Also reports the
server's own rebuild times from its terminal lines. The article is restored afterwards.

    bench/serve-latency.py --site bench/out/corpus-10000/gazette --gazette target/release/gazette
"""

import argparse
import pathlib
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", required=True, type=pathlib.Path, help="site folder")
    parser.add_argument("--gazette", default="target/release/gazette", help="gazette binary")
    parser.add_argument("--runs", type=int, default=20, help="saves of each kind")
    parser.add_argument("--article", type=pathlib.Path, help="article to edit (default: the middle one)")
    parser.add_argument(
        "--pause",
        type=float,
        default=0.3,
        help="seconds between a reload and the next save (the search index is rendered once "
        "the files are left alone for 1 s: a longer pause saves while it is being rendered)",
    )
    args = parser.parse_args()

    articles = sorted((args.site / "content").rglob("*.md"))
    if not articles:
        print(f"no articles under {args.site}/content", file=sys.stderr)
        return 2
    article = args.article or articles[len(articles) // 2]
    original = article.read_text(encoding="utf-8")

    server = subprocess.Popen(
        [args.gazette, "serve", "--port", "0", "--root", str(args.site)],
        stdout=subprocess.PIPE,
        text=True,
    )
    lines = []
    started = threading.Event()

    def read_lines():
        # Read the terminal all along, so the server never blocks on a full pipe.
        for line in server.stdout:
            lines.append(line.rstrip())
            if line.startswith("serving "):
                started.set()
        started.set()

    reader = threading.Thread(target=read_lines, daemon=True)
    reader.start()
    try:
        started.wait()
        url = next((m.group(1) for m in map(re.compile(r"serving (http://[^ ]+)").match, lines) if m), None)
        if url is None:
            print("\n".join(lines), file=sys.stderr)
            return 1
        print(lines[0])
        results = {}
        for kind in ("text", "headline"):
            results[kind] = measure(url, article, original, kind, args.runs, args.pause)
    finally:
        article.write_text(original, encoding="utf-8")
        time.sleep(1)
        server.send_signal(signal.SIGTERM)
        # Removing the served folder of a large site takes a while.
        server.wait(timeout=600)
        reader.join(timeout=10)

    rebuilds = [line for line in lines if " changed) in " in line]
    times = [int(m.group(1)) for m in (re.search(r"in (\d+) ms$", l) for l in rebuilds) if m]
    print(
        f"site: {args.site} ({len(articles)} articles), edited {article.relative_to(args.site)}, "
        f"{args.pause} s between a reload and the next save"
    )
    for kind, (latencies, first) in results.items():
        server_ms = times[first : first + args.runs]
        print(
            f"{kind:9} save -> reload event: median {statistics.median(latencies):6.1f} ms, "
            f"min {min(latencies):6.1f}, max {max(latencies):6.1f}; "
            f"rebuild (server's line): median {statistics.median(server_ms) if server_ms else 'n/a'} ms"
        )
    return 0


def measure(url, article, original, kind, runs, pause):
    """Saves `article` `runs` times; returns the latencies (ms) and the index of the first rebuild."""
    host, port = re.match(r"http://([^:/]+):(\d+)/", url).groups()
    stream = socket.create_connection((host, int(port)))
    stream.sendall(f"GET /__gazette/events HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    stream.settimeout(30)
    buffer = bytearray()

    def wait_for(token: bytes) -> None:
        nonlocal buffer
        while token not in buffer:
            chunk = stream.recv(65536)
            if not chunk:
                raise RuntimeError("event stream closed")
            buffer += chunk
        del buffer[: buffer.index(token) + len(token)]

    wait_for(b"event: hello")
    first = measure.count
    latencies = []
    for n in range(runs):
        if kind == "text":
            text = original.replace("\n\n", f"\n\nEdit {n} at {time.time()}.\n\n", 1)
        else:
            headline = f'title: "Edited headline {n} {time.time()}"'
            text = re.sub(r"^title: .*$", headline, original, count=1, flags=re.M)
        time.sleep(pause)
        started = time.perf_counter()
        article.write_text(text, encoding="utf-8")
        wait_for(b"event: reload")
        latencies.append((time.perf_counter() - started) * 1000)
    measure.count += runs
    stream.close()
    return latencies, first


measure.count = 0

if __name__ == "__main__":
    sys.exit(main())
