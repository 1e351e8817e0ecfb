#!/usr/bin/env python3
"""A corpus for measuring the search index: N articles whose words follow Zipf's law over a
40,000-word vocabulary, as real prose does (the benchmark corpus draws from a few hundred words,
which makes body postings unrealistically small). Deterministic.

Usage: python3 bench/search_corpus.py DIR [N]    then    gazette build --root DIR
"""

import itertools
import os
import random
import string
import sys

VOCABULARY = 40000
ZIPF_EXPONENT = 1.07


def vocabulary(size):
    words = []
    seen = set()
    i = 0
    while len(words) < size:
        r = random.Random(i)
        i += 1
        length = 2 + min(12, int(r.expovariate(0.35)))
        word = "".join(r.choice(string.ascii_lowercase) for _ in range(length))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    root, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    rng = random.Random(7)
    vocab = vocabulary(VOCABULARY)
    cum = list(itertools.accumulate(1.0 / (k + 1) ** ZIPF_EXPONENT for k in range(VOCABULARY)))

    def words(n):
        return rng.choices(vocab, cum_weights=cum, k=n)

    def sentence(low, high):
        return " ".join(words(rng.randint(low, high))).capitalize()

    os.makedirs(os.path.join(root, "content"), exist_ok=True)
    with open(os.path.join(root, "site.toml"), "w") as f:
        f.write('title = "Zipf Daily"\nbase_url = "https://example.org/"\ntimezone = "UTC"\n')
    for i in range(count):
        # 28 articles a month from 1996 on: all in the past.
        year, month, day = 1996 + i // (28 * 12), 1 + (i // 28) % 12, 1 + i % 28
        folder = os.path.join(root, "content", f"{year}", f"{month:02}", f"{day:02}")
        os.makedirs(folder, exist_ok=True)
        tags = rng.sample(vocab[:300], rng.randint(2, 5))
        paragraphs = [
            ". ".join(sentence(8, 22) for _ in range(rng.randint(2, 5))) + "."
            for _ in range(rng.randint(6, 12))
        ]
        with open(os.path.join(folder, f"a{i}.md"), "w") as f:
            f.write(
                "---\n"
                f'title: "{sentence(5, 10)}"\n'
                f"date: {year}-{month:02}-{day:02} 10:00\n"
                f"tags: [{', '.join(tags)}]\n"
                f'summary: "{sentence(18, 32)}."\n'
                "---\n\n" + "\n\n".join(paragraphs) + "\n"
            )


if __name__ == "__main__":
    main()
