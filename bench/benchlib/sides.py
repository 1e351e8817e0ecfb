"""What the side-by-side scripts share (`publish.py`, `clean.py`): their common arguments, the
bench corpus with the current theme's templates, and rounds that alternate the binaries."""

import argparse
import os

from . import corpus

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parser(doc):
    """An argument parser with --size, --rounds, --gazette (two or more) and --out."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--size", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--gazette", action="append", required=True,
                    help="a binary to time (give two or more)")
    ap.add_argument("--out", default=os.path.join(BENCH, "out"))
    return ap


def corpus_site(args):
    """The corpus of args.size articles (made once under args.out) with the current theme's
    templates; its Gazette site folder."""
    dest, _ = corpus.ensure(args.size, args.out)
    corpus.refresh_templates(dest, os.path.join(BENCH, "..", "themes", "default"))
    return os.path.join(dest, "gazette")


def alternating(items, rounds):
    """Each item once per round, the order flipped every round: two copies of one binary
    measured in a fixed order differed by 10% in wall time and 45 MB in peak memory, the first
    one worse."""
    for round_ in range(rounds):
        yield from (items if round_ % 2 == 0 else items[::-1])
