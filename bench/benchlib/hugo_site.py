"""The Hugo side of the corpus: the extra front matter only the Hugo copy carries, and the
hugo.toml, layouts and static files (kept in bench/hugo/) that make Hugo render the pages
Gazette's default theme renders, so both tools do comparable work per page."""

import json
import os
import shutil

SKELETON = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "hugo")
# Year, month and day archives come from taxonomies fed by these front-matter fields; Gazette
# derives the same archives from `date` itself.
ARCHIVE_FIELDS = (("years", "%Y"), ("months", "%Y-%m"), ("days", "%Y-%m-%d"))


def extra_front_matter(article):
    """Front-matter lines for the Hugo copy: the slug Gazette takes from the file name, and the
    archive terms."""
    lines = [f"slug: {json.dumps(article['slug'])}"]
    for field, fmt in ARCHIVE_FIELDS:
        lines.append(f"{field}: {json.dumps([article['date'].strftime(fmt)])}")
    return lines


def write_skeleton(root):
    """Copies hugo.toml, layouts/ and static/ from bench/hugo into the Hugo site at root,
    replacing earlier copies, so edits to them always take effect without a new corpus."""
    os.makedirs(root, exist_ok=True)
    for name in ("layouts", "static"):
        dest = os.path.join(root, name)
        # Both were made by this function, inside the benchmark's own corpus folder.
        if os.path.isdir(dest):
            shutil.rmtree(dest)
        shutil.copytree(os.path.join(SKELETON, name), dest)
    shutil.copyfile(os.path.join(SKELETON, "hugo.toml"), os.path.join(root, "hugo.toml"))
