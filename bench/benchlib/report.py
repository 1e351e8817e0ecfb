"""Presenting results: the terminal table, the Markdown table and the hand-written SVG chart."""

from xml.sax.saxutils import escape

TOOLS = ("gazette", "hugo")
COLOURS = {"gazette": "#1f5f99", "hugo": "#e0457b"}
LABELS = {"gazette": "Gazette", "hugo": "Hugo"}


def fmt_ratio(value):
    return "—" if value is None else f"{value:.2f}×"


def ratio_words(value):
    """'Gazette 3.1× faster' style wording for a Gazette/Hugo wall-time ratio."""
    if value is None:
        return ""
    if value <= 1:
        return f"Gazette {1 / value:.1f}× faster" if value > 0 else ""
    return f"Gazette {value:.1f}× slower"


def rows(size):
    """(tool, stats) for each tool that ran at this size, in a fixed order."""
    return [(t, size["tools"][t]) for t in TOOLS if t in size["tools"]]


def text_table(size, runs, warmup):
    n = size["n"]
    lines = [f"N = {n:,} articles ({runs} timed run{'s' if runs != 1 else ''}"
             f"{' after 1 warm-up' if warmup else ', no warm-up'} per tool)",
             f"  {'tool':<9}{'wall s':>9}{'CPU s':>9}{'peak MiB':>10}{'pages':>9}"]
    for tool, st in rows(size):
        if st.get("error"):
            lines.append(f"  {tool:<9}  FAILED: {st['error'].splitlines()[0]}")
            continue
        m = st["median"]
        lines.append(f"  {tool:<9}{m['wall_s']:>9.3f}{m['cpu_s']:>9.3f}"
                     f"{m['peak_rss_mib']:>10.1f}{st['pages']:>9}")
    r = size.get("ratio") or {}
    if r.get("wall") is not None:
        lines.append(f"  Gazette/Hugo: wall {fmt_ratio(r['wall'])}, peak RSS "
                     f"{fmt_ratio(r['peak_rss'])}  ({ratio_words(r['wall'])})")
    return "\n".join(lines)


def runs_words(results):
    """How many timed runs each size had, and whether a warm-up build came first."""
    groups = []
    for size in results["sizes"]:
        key = (size.get("runs", results["runs"]), size.get("warmup", results["warmup"]))
        if groups and groups[-1][0] == key:
            groups[-1][1].append(size["n"])
        else:
            groups.append((key, [size["n"]]))
    parts = []
    for (runs, warmup), sizes in groups:
        where = " and ".join(f"{n:,}" for n in sizes)
        after = ", after one untimed warm-up build each" if warmup else ""
        if not warmup and results["warmup"]:
            after = ", no warm-up build (the corpus was read once instead)"
        parts.append(f"{runs} timed per tool at {where} articles{after}")
    return "; ".join(parts)


def markdown(results):
    env = results["machine"]
    tools = results["tools"]
    out = ["# Gazette vs Hugo: full builds", ""]
    out.append(f"- Date: {results['generated']}")
    out.append(f"- Machine: {env['cpu']}, {env['cores']} cores, {env['memory_gib']} GiB, "
               f"{env['os']}")
    for t in TOOLS:
        if tools.get(t):
            out.append(f"- {LABELS[t]}: {tools[t]['version']}")
    out.append(f"- Runs: {runs_words(results)}; the two tools alternate within a run. "
               "Values are medians.")
    for note in results.get("notes", []):
        out.append(f"- Note: {note}")
    out += ["", "| Articles | Tool | Wall (s) | CPU (s) | Peak RSS (MiB) | Pages "
                "| Gazette/Hugo wall | Gazette/Hugo RSS |",
            "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for size in results["sizes"]:
        r = size.get("ratio") or {}
        for i, (tool, st) in enumerate(rows(size)):
            ratios = (f"{fmt_ratio(r.get('wall'))} | {fmt_ratio(r.get('peak_rss'))}"
                      if i == 0 else " | ")
            if st.get("error"):
                out.append(f"| {size['n']:,} | {LABELS[tool]} | failed | | | | {ratios} |")
                continue
            m = st["median"]
            out.append(f"| {size['n']:,} | {LABELS[tool]} | {m['wall_s']:.3f} | "
                       f"{m['cpu_s']:.3f} | {m['peak_rss_mib']:.1f} | {st['pages']:,} | "
                       f"{ratios} |")
    out += ["", "Wall: elapsed time of the build command. CPU: user + system time of that "
            "process. Peak RSS: its largest resident memory. Pages: .html files written. "
            "Ratios below 1 mean Gazette used less.", ""]
    return "\n".join(out)


def svg_chart(results):
    """Grouped bars of median wall time, one panel per size, each scaled to its own maximum."""
    sizes = [s for s in results["sizes"] if rows(s)]
    panel_w, panel_h, top, bottom, left = 230, 250, 70, 96, 20
    width = max(600, left * 2 + panel_w * len(sizes))
    height = top + panel_h + bottom
    bar_w = 64
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif" '
             'role="img" aria-labelledby="title">',
             '<title id="title">Median full-build wall time, Gazette vs Hugo</title>',
             f'<rect width="{width}" height="{height}" fill="#fff"/>',
             f'<text x="{left}" y="26" font-size="17" font-weight="700" fill="#222">'
             'Full build, median wall time (lower is better)</text>']
    lx = left
    for tool in TOOLS:
        if any(tool in s["tools"] for s in sizes):
            parts.append(f'<rect x="{lx}" y="40" width="12" height="12" fill="{COLOURS[tool]}"/>')
            parts.append(f'<text x="{lx + 17}" y="50" font-size="13" fill="#222">'
                         f'{LABELS[tool]}</text>')
            lx += 90
    base_y = top + panel_h
    for i, size in enumerate(sizes):
        x0 = left + i * panel_w
        walls = {t: st["median"]["wall_s"] for t, st in rows(size) if not st.get("error")}
        peak = max(walls.values(), default=0) or 1
        parts.append(f'<line x1="{x0 + 20}" y1="{base_y}" x2="{x0 + panel_w - 20}" '
                     f'y2="{base_y}" stroke="#888"/>')
        for j, tool in enumerate(TOOLS):
            bx = x0 + panel_w / 2 - bar_w - 4 + j * (bar_w + 8)
            if tool not in size["tools"]:
                if any(tool in other["tools"] for other in sizes):
                    parts.append(f'<text x="{bx + bar_w / 2}" y="{base_y - 6}" font-size="12" '
                                 f'text-anchor="middle" fill="#888">not run</text>')
                continue
            if tool not in walls:
                parts.append(f'<text x="{bx + bar_w / 2}" y="{base_y - 6}" font-size="12" '
                             f'text-anchor="middle" fill="#b00">failed</text>')
                continue
            h = max(1.0, (panel_h - 30) * walls[tool] / peak)
            parts.append(f'<rect x="{bx}" y="{base_y - h:.1f}" width="{bar_w}" height="{h:.1f}" '
                         f'fill="{COLOURS[tool]}"><title>{LABELS[tool]}: '
                         f'{walls[tool]:.3f} s</title></rect>')
            parts.append(f'<text x="{bx + bar_w / 2}" y="{base_y - h - 6:.1f}" font-size="13" '
                         f'text-anchor="middle" fill="#222">{fmt_seconds(walls[tool])}</text>')
        parts.append(f'<text x="{x0 + panel_w / 2}" y="{base_y + 22}" font-size="14" '
                     f'text-anchor="middle" fill="#222">{size["n"]:,} articles</text>')
        ratio = size.get("ratio") or {}
        words = ratio_words(ratio.get("wall"))
        gazette = size["tools"].get("gazette", {}).get("median")
        if not words and gazette:
            parts.append(f'<text x="{x0 + panel_w / 2}" y="{base_y + 42}" font-size="12" '
                         f'text-anchor="middle" fill="#666">Gazette peak memory '
                         f'{gazette["peak_rss_mib"]:,.0f} MiB</text>')
        if words:
            parts.append(f'<text x="{x0 + panel_w / 2}" y="{base_y + 42}" font-size="13" '
                         f'text-anchor="middle" fill="#444">{escape(words)}</text>')
            parts.append(f'<text x="{x0 + panel_w / 2}" y="{base_y + 60}" font-size="12" '
                         f'text-anchor="middle" fill="#666">peak memory '
                         f'{fmt_ratio(ratio.get("peak_rss"))} of Hugo\'s</text>')
    parts.append(f'<text x="{left}" y="{height - 8}" font-size="11" fill="#666">'
                 'Each panel is scaled to its own slowest bar. '
                 f'{escape(results["machine"]["cpu"])}, {results["machine"]["cores"]} cores.'
                 '</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def fmt_seconds(s):
    if s >= 100:
        return f"{s:.0f} s"
    if s >= 10:
        return f"{s:.1f} s"
    return f"{s:.2f} s"
