#!/usr/bin/env python3
"""Save-to-reload latency of `gazette serve`.

Starts `gazette serve --port 0` on a site, listens to its live-reload stream like a browser tab
on the home page (`?path=/`, which fast rendering writes before the reload), then saves one article again and again and measures the time from the save to the `reload`
event. Kinds of save (`--kinds`, all by default):

- text: only the article's text changes (the usual fix);
- headline: a new title, so the article's URL moves;
- tags: the article's tags swapped for another article's, and back;
- date: the article moved one more day back each time (a new day, its URL moves);
- new: a new article added on the same day, with the same tags;
- delete: the articles `new` added deleted one by one (needs `new` first).

Also reports the server's own rebuild times from its terminal lines, and how long the pages fast
rendering left for after the reload took (`--fast-render=false` turns it off). The article is restored and
the added articles are removed afterwards.

    bench/serve-latency.py --site bench/out/corpus-10000/gazette --gazette target/release/gazette
"""

import argparse
import datetime
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
    parser.add_argument(
        "--fast-render",
        choices=["true", "false"],
        default="true",
        help="passed to `gazette serve --fast-render=` (false: every changed page is written before the reload)",
    )
    parser.add_argument("--article", type=pathlib.Path, help="article to edit (default: the middle one)")
    parser.add_argument(
        "--kinds",
        default=",".join(KINDS),
        help=f"comma-separated kinds of save to measure, in order (default: {','.join(KINDS)})",
    )
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
    # Another article's tags, from far away in the corpus, for the `tags` kind.
    other = articles[len(articles) // 5].read_text(encoding="utf-8")
    other_tags = re.search(r"^tags: .*$", other, flags=re.M)
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        print(f"unknown kinds {unknown}; known: {KINDS}", file=sys.stderr)
        return 2
    edit = Editor(article, original, other_tags.group(0) if other_tags else "tags: []")

    server = subprocess.Popen(
        [args.gazette, "serve", "--port", "0", "--root", str(args.site), f"--fast-render={args.fast_render}"],
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
        for kind in kinds:
            results[kind] = measure(url, edit, kind, args.runs, args.pause, lines)
    finally:
        edit.restore()
        time.sleep(1)
        server.send_signal(signal.SIGTERM)
        # Removing the served folder of a large site takes a while.
        server.wait(timeout=600)
        reader.join(timeout=10)

    print(
        f"site: {args.site} ({len(articles)} articles), edited {article.relative_to(args.site)}, "
        f"{args.pause} s between a reload and the next save"
    )
    for kind, (latencies, server_ms, counts, pending) in results.items():
        print(
            f"{kind:9} save -> reload event: median {statistics.median(latencies):6.1f} ms, "
            f"min {min(latencies):6.1f}, max {max(latencies):6.1f}; "
            f"rebuild (server's line): median {statistics.median(server_ms) if server_ms else 'n/a'} ms, "
            f"min {min(server_ms) if server_ms else 'n/a'}, max {max(server_ms) if server_ms else 'n/a'}"
        )
        if counts:
            rendered = statistics.median(c[0] for c in counts)
            written = statistics.median(c[1] for c in counts)
            removed = statistics.median(c[2] for c in counts)
            print(f"{'':9} median pages rendered {rendered}, files written {written}, removed {removed}")
        if pending:
            print(f"{'':9} pending pages written after the reload ({len(pending)} times): median {statistics.median(pending)} ms")
    return 0


KINDS = ["text", "headline", "tags", "date", "new", "delete"]


class Editor:
    """Makes one save of each kind to the edited article (or beside it), and undoes them all."""

    def __init__(self, article, original, other_tags):
        self.article = article
        self.original = original
        self.other_tags = other_tags
        self.added = []
        date = re.search(r"^date: (\S+)$", original, flags=re.M)
        self.date = datetime.datetime.fromisoformat(date.group(1).replace("Z", "+00:00"))

    def save(self, kind, n):
        original = self.original
        if kind == "text":
            text = original.replace("\n\n", f"\n\nEdit {n} at {time.time()}.\n\n", 1)
        elif kind == "headline":
            headline = f'title: "Edited headline {n} {time.time()}"'
            text = re.sub(r"^title: .*$", headline, original, count=1, flags=re.M)
        elif kind == "tags":
            tags = self.other_tags if n % 2 == 0 else re.search(r"^tags: .*$", original, flags=re.M).group(0)
            text = re.sub(r"^tags: .*$", lambda _: tags, original, count=1, flags=re.M)
        elif kind == "date":
            moved = (self.date - datetime.timedelta(days=n + 1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            text = re.sub(r"^date: .*$", f"date: {moved}", original, count=1, flags=re.M)
        elif kind == "new":
            path = self.article.with_name(f"gazette-bench-new-{n}-{int(time.time() * 1000)}.md")
            text = re.sub(r"^title: .*$", f'title: "Bench new article {n}"', original, count=1, flags=re.M)
            self.added.append(path)
            path.write_text(text, encoding="utf-8")
            return
        elif kind == "delete":
            if not self.added:
                raise RuntimeError("`delete` deletes what `new` added: measure `new` first")
            self.added.pop(0).unlink()
            return
        self.article.write_text(text, encoding="utf-8")

    def restore(self):
        self.article.write_text(self.original, encoding="utf-8")
        for path in self.added:
            path.unlink(missing_ok=True)
        self.added.clear()


def rebuild_times(lines):
    """The server's rebuild times (ms) so far, from its terminal lines."""
    found = (re.search(r" changed\) in (\d+) ms$", line) for line in list(lines))
    return [int(m.group(1)) for m in found if m]


def rebuild_pages(lines):
    """Pages rendered and files written by each rebuild so far, from the server's lines."""
    found = (re.search(r"rebuilt (\d+) pages?, (\d+) files? written, (\d+) removed \(", l) for l in list(lines))
    return [(int(m.group(1)), int(m.group(2)), int(m.group(3))) for m in found if m]


def pending_times(lines):
    """Times (ms) of the pending pages fast rendering wrote after each reload, so far."""
    found = (re.search(r"^then \d+ pending pages?, \d+ files? written in (\d+) ms$", l) for l in list(lines))
    return [int(m.group(1)) for m in found if m]


def measure(url, edit, kind, runs, pause, lines):
    """Saves `runs` times; returns the latencies (ms) and the server's rebuild times (ms)."""
    host, port = re.match(r"http://([^:/]+):(\d+)/", url).groups()
    stream = socket.create_connection((host, int(port)))
    # As a tab on the home page would (fast rendering writes it before the reload).
    stream.sendall(f"GET /__gazette/events?path=/ HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
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
    first = len(pending_times(lines))
    latencies = []
    server_ms = []
    counts = []
    for n in range(runs):
        time.sleep(pause)
        before = len(rebuild_times(lines))
        started = time.perf_counter()
        edit.save(kind, n)
        wait_for(b"event: reload")
        latencies.append((time.perf_counter() - started) * 1000)
        # The line is printed around the event: give the reader thread a moment to see it.
        deadline = time.time() + 5
        while len(rebuild_times(lines)) <= before and time.time() < deadline:
            time.sleep(0.005)
        times = rebuild_times(lines)
        if len(times) == before + 1:
            server_ms.append(times[-1])
            counts.append(rebuild_pages(lines)[-1])
    stream.close()
    # Lets the last rebuild's pending pages be written and reported.
    time.sleep(pause)
    return latencies, server_ms, counts, pending_times(lines)[first:]

if __name__ == "__main__":
    sys.exit(main())
