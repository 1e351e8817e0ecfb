#!/usr/bin/env python3
"""Writes a deterministic Jekyll site for timing `gazette import jekyll`.

Posts have varied front matter (categories as a list or words, `category`, tags, excerpts,
authors, per-post permalinks, redirect_from, published: false, layout and other keys Gazette
does not know), some Liquid in their bodies (outside and inside code), a few drafts, a page
and static files.

    bench/jekyll_corpus.py OUT [--posts 300] [--seed 15]

`jekyll build` (Debian's jekyll package) builds it too, so its output can be compared file by
file with Gazette's after `gazette import jekyll OUT NEW && gazette build --root NEW`.
"""

import argparse
import datetime
import os
import random

WORDS = (
    "flood river council budget election court strike harvest port rail power water school "
    "hospital market trade bank storm road bridge health police festival museum report"
).split()
CATEGORIES = ["news", "politics", "economy", "culture", "sport", "Science"]
AUTHORS = ["Ayesha Khan", "Bilal Ahmed", "Sara Malik", "Omar Farooq"]


def sentence(rng, n=12):
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def post(rng, i, date):
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).title()
    slug = "-".join(title.lower().split()) + f"-{i}"
    fm = [f"title: \"{title}\"", "layout: post"]
    if rng.random() < 0.5:
        fm.append(f"date: {date:%Y-%m-%d %H:%M:%S} +0000")
    kind = rng.random()
    if kind < 0.3:
        fm.append("categories: [" + ", ".join(rng.sample(CATEGORIES, rng.randint(1, 2))) + "]")
    elif kind < 0.45:
        fm.append("categories: " + " ".join(rng.sample(CATEGORIES, 2)))
    elif kind < 0.55:
        fm.append(f"category: {rng.choice(CATEGORIES)}")
    if rng.random() < 0.7:
        fm.append("tags: [" + ", ".join(rng.sample(WORDS, rng.randint(1, 4))) + "]")
    if rng.random() < 0.4:
        fm.append(f"excerpt: \"{sentence(rng, 8)}\"")
    if rng.random() < 0.5:
        fm.append(f"author: {rng.choice(AUTHORS)}")
    if rng.random() < 0.05:
        fm.append(f"permalink: /stories/{slug}/")
    if rng.random() < 0.08:
        fm.append(f"redirect_from:\n  - /old/{slug}.html")
    if rng.random() < 0.03:
        fm.append("published: false")
    if rng.random() < 0.2:
        fm.append("comments: true")
    if rng.random() < 0.1:
        fm.append(f"image: /assets/img/photo-{i % 5}.jpg")
    body = []
    for p in range(rng.randint(3, 8)):
        body.append(" ".join(sentence(rng) for _ in range(rng.randint(2, 5))))
        if rng.random() < 0.08:
            body.append("{% include figure.html src=\"/assets/img/photo.jpg\" %}")
        if rng.random() < 0.05:
            body.append("Posted on {{ page.date | date: \"%b %d\" }}.")
        if rng.random() < 0.05:
            body.append("```liquid\n{{ not.a.problem }}\n```")
    text = "---\n" + "\n".join(fm) + "\n---\n" + "\n\n".join(body) + "\n"
    return f"{date:%Y-%m-%d}-{slug}.md", text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = args.out
    for d in ["_posts", "_drafts", "assets/img", "assets/css", "news/_posts", "_includes", "_layouts"]:
        os.makedirs(os.path.join(out, d), exist_ok=True)
    with open(os.path.join(out, "_config.yml"), "w") as f:
        f.write("title: Corpus Daily\ndescription: A generated Jekyll site\n"
                "url: https://example.org\nbaseurl: /daily\npermalink: date\n"
                "timezone: Asia/Karachi\nexclude: [vendor, README.md]\n")
    start = datetime.datetime(2016, 1, 1, 9, 0)
    for i in range(args.posts):
        date = start + datetime.timedelta(hours=29 * i + rng.randint(0, 20))
        name, text = post(rng, i, date)
        folder = "news/_posts" if i % 10 == 0 else "_posts"
        with open(os.path.join(out, folder, name), "w") as f:
            f.write(text)
    for i in range(5):
        with open(os.path.join(out, "_drafts", f"draft-{i}.md"), "w") as f:
            f.write(f"---\ntitle: Draft {i}\n---\n{sentence(rng)}\n")
    for i in range(5):
        with open(os.path.join(out, "assets/img", f"photo-{i}.jpg"), "wb") as f:
            f.write(bytes(rng.randrange(256) for _ in range(2048)))
    with open(os.path.join(out, "assets/css/main.css"), "w") as f:
        f.write("body { font-family: serif; }\n")
    with open(os.path.join(out, "about.md"), "w") as f:
        f.write("---\nlayout: page\ntitle: About\n---\nAbout us.\n")
    # Enough theme for Jekyll itself to build the site, to compare what it publishes.
    for name, text in [("_includes/figure.html", "<figure></figure>\n"),
                       ("_layouts/post.html", "{{ content }}\n"),
                       ("_layouts/page.html", "{{ content }}\n")]:
        with open(os.path.join(out, name), "w") as f:
            f.write(text)
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write("Not published.\n")


if __name__ == "__main__":
    main()
