"""The benchmark corpus: N synthetic news articles from a seeded generator, written twice, as a
Gazette site and as an equivalent Hugo site, and cached under bench/out/corpus-N."""

import datetime as dt
import json
import os
import random
import re
import shutil

from . import hugo_site, measure, words

# Bump whenever the generated articles or site.toml change, so cached corpora are rebuilt (the
# themes and Hugo layouts are rewritten on every run anyway).
GENERATOR_VERSION = 2
SEED = 20241127
TAG_POOL_SIZE = 300
# The newest article's day; fixed so the corpus does not depend on when it is generated.
LAST_DAY = dt.date(2025, 12, 31)
STAMP = "corpus.json"
# The same values stand in bench/hugo/hugo.toml.
SITE_TITLE = "Bench Daily"
BASE_URL = "https://bench.example.org/"


def tag_pool(rng):
    """About 300 tag names, in popularity order (index 0 is the most used)."""
    pool = list(dict.fromkeys(words.TOPICS + words.REGIONS + [p.lower() for p in words.PLACES]))
    seen = set(pool)
    while len(pool) < TAG_POOL_SIZE:
        name = f"{rng.choice(words.REGIONS)}-{rng.choice(words.TOPICS)}"
        if name not in seen:
            seen.add(name)
            pool.append(name)
    rng.shuffle(pool)
    return pool


def zipf_cum_weights(count, exponent=1.1):
    """Cumulative Zipf weights: tag k is picked about 1/k^s as often as the first."""
    total, cum = 0.0, []
    for rank in range(1, count + 1):
        total += 1.0 / rank**exponent
        cum.append(total)
    return cum


def span_days(n):
    """Days the corpus covers: about 20 articles a day, from 30 days up to five years."""
    return min(5 * 365 + 1, max(30, n // 20))


def slugify(text):
    """ASCII slug the way Gazette makes one (apostrophes dropped, at most 80 chars), so the file
    name is already the article's URL segment in both tools."""
    text = text.lower().replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].strip("-")


class Writer:
    """Builds one article's title, summary, tags and Markdown body from a shared random stream."""

    def __init__(self, rng, tags):
        self.rng = rng
        self.tags = tags
        self.tag_cum = zipf_cum_weights(len(tags))

    def words(self, count):
        return self.rng.choices(words.VOCAB, k=count)

    def sentence(self, low=8, high=22, inline=True):
        rng = self.rng
        ws = self.words(rng.randint(low, high))
        if inline:
            roll = rng.random()
            i = rng.randrange(len(ws))
            if roll < 0.15:
                ws[i] = f"*{ws[i]}*"
            elif roll < 0.25:
                ws[i] = f"**{ws[i]}**"
            elif roll < 0.35 and len(ws) > 3:
                i = min(i, len(ws) - 2)
                ref = f"{rng.choice(words.TOPICS)}/{rng.randrange(1, 100000)}"
                ws[i : i + 2] = [f"[{ws[i]} {ws[i + 1]}](https://example.org/{ref})"]
            if rng.random() < 0.2:
                ws.insert(rng.randrange(1, len(ws) + 1), rng.choice(words.PLACES))
            if rng.random() < 0.25 and len(ws) > 6:
                ws[len(ws) // 2] += ","
        text = " ".join(ws)
        return text[0].upper() + text[1:] + "."

    def paragraph(self):
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 5)))

    def title(self):
        rng = self.rng
        shape = rng.randrange(3)
        if shape == 0:
            text = (f"{rng.choice(words.PLACES)} {rng.choice(words.SUBJECTS)} "
                    f"{rng.choice(words.VERBS)} {rng.choice(words.OBJECTS)} "
                    f"{rng.choice(words.QUALIFIERS)}")
        elif shape == 1:
            text = (f"{rng.choice(words.SUBJECTS).capitalize()} {rng.choice(words.VERBS)} "
                    f"{rng.choice(words.PLACES)}'s {rng.choice(words.OBJECTS)}")
        else:
            text = (f"{rng.choice(words.SURNAMES)} {rng.choice(words.VERBS)} "
                    f"{rng.choice(words.OBJECTS)} as {rng.choice(words.TOPICS)} "
                    f"{rng.choice(['talks', 'row', 'crisis', 'review'])} continues")
        return text[0].upper() + text[1:]

    def pick_tags(self):
        want = self.rng.randint(2, 5)
        chosen = []
        while len(chosen) < want:
            tag = self.rng.choices(self.tags, cum_weights=self.tag_cum)[0]
            if tag not in chosen:
                chosen.append(tag)
        return chosen

    def body(self):
        """400-900 words: lead paragraphs, then `##` sections with lists and quotes."""
        rng = self.rng
        target = rng.randint(400, 900)
        blocks = [self.paragraph(), self.paragraph()]
        count = sum(len(b.split()) for b in blocks)
        while count < target:
            heading = " ".join(self.words(rng.randint(2, 5))).capitalize()
            section = [f"## {heading}", self.paragraph()]
            roll = rng.random()
            if roll < 0.35:
                section.append("\n".join(f"- {self.sentence(4, 12)}"
                                         for _ in range(rng.randint(3, 6))))
            elif roll < 0.6:
                who = f"{rng.choice(words.SURNAMES)}, {rng.choice(words.SUBJECTS)} spokesperson"
                section.append(f"> {self.sentence(10, 24, inline=False)}\n>\n> — {who}")
            section.append(self.paragraph())
            blocks.extend(section)
            count += sum(len(b.split()) for b in section)
        return "\n\n".join(blocks) + "\n"


def generate(n, seed=SEED):
    """Yields the corpus's article dicts, oldest first, one at a time (100,000 bodies would hold
    about a gigabyte); deterministic for (n, seed)."""
    rng = random.Random(f"{seed}:{n}")
    writer = Writer(rng, tag_pool(random.Random(seed)))
    days = span_days(n)
    first = dt.datetime.combine(LAST_DAY - dt.timedelta(days=days - 1), dt.time())
    stamps = sorted(rng.randrange(days * 86400) for _ in range(n))
    taken = set()
    for offset in stamps:
        when = first + dt.timedelta(seconds=offset)
        title = writer.title()
        day = when.strftime("%Y/%m/%d")
        base = slugify(title)
        slug, k = base, 2
        while (day, slug) in taken:
            slug, k = f"{base}-{k}", k + 1
        taken.add((day, slug))
        yield {
            "title": title,
            "date": when,
            "slug": slug,
            "tags": writer.pick_tags(),
            "summary": writer.sentence(18, 32, inline=False),
            "body": writer.body(),
        }


def front_matter(article, extra=()):
    """YAML front matter; strings are JSON-quoted, which YAML reads as double-quoted scalars."""
    lines = [
        "---",
        f"title: {json.dumps(article['title'])}",
        f"date: {article['date'].strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"tags: {json.dumps(article['tags'])}",
        f"summary: {json.dumps(article['summary'])}",
        *extra,
        "---",
        "",
    ]
    return "\n".join(lines)


def gazette_config():
    return (f'title = "{SITE_TITLE}"\n'
            f'base_url = "{BASE_URL}"\n'
            'description = "A synthetic news digest for the Gazette benchmark."\n'
            'language = "en"\n'
            'theme = "default"\n'
            "paginate = 20\n"
            'timezone = "UTC"\n')


def write_site(articles, dest):
    """Writes the Gazette site to dest/gazette and the Hugo site to dest/hugo; returns corpus
    statistics for the manifest."""
    gazette, hugo = os.path.join(dest, "gazette"), os.path.join(dest, "hugo")
    os.makedirs(gazette)
    os.makedirs(hugo)
    with open(os.path.join(gazette, "site.toml"), "w") as f:
        f.write(gazette_config())
    made, tags = set(), set()
    words_total, first, last = 0, None, None
    for a in articles:
        day = a["date"].strftime("%Y/%m/%d")
        g_dir = os.path.join(gazette, "content", day)
        h_dir = os.path.join(hugo, "content", "posts", day)
        if day not in made:
            os.makedirs(g_dir)
            os.makedirs(h_dir)
            made.add(day)
        name = a["slug"] + ".md"
        with open(os.path.join(g_dir, name), "w") as f:
            f.write(front_matter(a) + "\n" + a["body"])
        with open(os.path.join(h_dir, name), "w") as f:
            f.write(front_matter(a, hugo_site.extra_front_matter(a)) + "\n" + a["body"])
        words_total += len(a["body"].split())
        tags.update(a["tags"])
        first = first or a
        last = a
    return {
        "first_date": first["date"].isoformat() + "Z",
        "last_date": last["date"].isoformat() + "Z",
        "days": len(made),
        "tags_used": len(tags),
        "body_words": words_total,
        # A page both tools must write, used to check the outputs match in shape.
        "newest_page": last["date"].strftime("%Y/%m/%d/") + last["slug"] + "/index.html",
    }


def ensure(n, out_root, log=print):
    """Returns (corpus dir, manifest), generating the corpus unless a current one is cached."""
    dest = os.path.join(out_root, f"corpus-{n}")
    stamp = os.path.join(dest, STAMP)
    if os.path.exists(stamp):
        with open(stamp) as f:
            manifest = json.load(f)
        if manifest.get("generator_version") == GENERATOR_VERSION and manifest.get("n") == n:
            return dest, manifest
    log(f"generating corpus of {n} articles (generator v{GENERATOR_VERSION}) ...")
    tmp = dest + ".tmp"
    # Both folders are only ever created by this function, so removing them is safe.
    measure.clear([tmp, dest], out_root)
    manifest = {"generator_version": GENERATOR_VERSION, "n": n, "seed": SEED,
                **write_site(generate(n), tmp)}
    with open(os.path.join(tmp, STAMP), "w") as f:
        json.dump(manifest, f, indent=2)
    os.rename(tmp, dest)
    return dest, manifest


def refresh_templates(corpus_dir, theme_src):
    """Copies the repository's default theme into the Gazette copy and rewrites the Hugo layouts,
    fresh each run (not cached), so theme and layout changes always take effect."""
    hugo_site.write_skeleton(os.path.join(corpus_dir, "hugo"))
    dest = os.path.join(corpus_dir, "gazette", "themes", "default")
    if os.path.exists(dest):
        shutil.rmtree(dest)
    if theme_src and os.path.isdir(theme_src):
        shutil.copytree(theme_src, dest)
        return True
    return False
