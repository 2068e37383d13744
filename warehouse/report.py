"""`creditlens report`: one self-contained HTML page of charts over the warehouse.

The charts are drawn here as inline SVG, from the documented views, so the page
needs no network, no script and no chart library: it opens from an e-mail
attachment or an archive years later exactly as it was written, and each number on
it can be checked with a query against the view named in its caption.  Every chart
is an <svg> that always has content: a chart without data says so.
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
import random
from datetime import date, datetime, timezone
from importlib import resources
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

import duckdb

from warehouse.atomic_files import replacing

PALETTE = ["#2f6f9f", "#d9822b", "#3f9c6d", "#c2455a", "#7c5fb0", "#8c6d46", "#d16fb0", "#5f7a8c", "#b5a32e", "#2aa1b5"]
TOP_THEMES = 6
TOP_TOPICS = 10
TOP_BARS = 12
NETWORK_NODES = 20
NETWORK_EDGES = 45
FIGURE_ROWS = 25
PROVENANCE_GROUPS = 15
QUOTED_ROWS = 15
TOPIC_TERMS = 10
LEGEND_ENTRY = 130  # width of one legend entry of the network chart
WIDTH = 960


def _asset(name: str) -> str:
    return (resources.files("warehouse") / "report_assets" / name).read_text(encoding="utf-8")


def _e(text) -> str:
    return html.escape(str(text if text is not None else ""), quote=True)


def _link(url, label: str, title) -> str:
    """`label` linked to `url` when it is an http(s) URL; other schemes (`javascript:`,
    `data:`, `file:`) come from untrusted pages and corpora and stay plain text."""
    if urlsplit(str(url or "")).scheme.lower() not in ("http", "https"):
        return f'<span title="{_e(title)}">{_e(label)}</span>'
    return f'<a href="{_e(url)}" title="{_e(title)}">{_e(label)}</a>'


def _content_security_policy(css: str) -> str:
    """Nothing may load or run but the report's own style sheet, allowed by its hash: no
    script at all (the report has none), no inline event handler, no remote resource."""
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; style-src 'sha256-{digest}'; script-src 'none'; "
            "img-src 'none'; base-uri 'none'; form-action 'none'")


def _number(value: float) -> str:
    if value is None:
        return "–"
    if abs(value - round(value)) < 1e-9:
        return f"{int(round(value)):,}"
    return f"{value:,.2f}"


def _short(text: str, limit: int) -> str:
    text = str(text or "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _nice_ceiling(value: float, whole: bool) -> tuple[float, float]:
    """A round upper bound for an axis and its tick step (about five ticks);
    `whole` keeps the step a whole number, for counts."""
    if value <= 0:
        return 1.0, (1.0 if whole else 0.25)
    raw = value / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1.0, math.ceil(step))
    return step * math.ceil(value / step), step


def _svg(height: int, body: list[str], label: str, width: int = WIDTH) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{_e(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">' + "".join(body) + "</svg>"
    )


def _empty(label: str, message: str) -> str:
    return _svg(80, [f'<text class="empty" x="{WIDTH / 2}" y="45" text-anchor="middle">{_e(message)}</text>'], label)


# -- charts ---------------------------------------------------------------------------


def line_chart(label: str, x_values: list[date], series: dict[str, list[float]], percent: bool = False,
               date_format: str = "%b %Y", area: bool = False) -> str:
    """Lines over time sharing one x axis; a legend when there is more than one line."""
    if not x_values or not series:
        return _empty(label, "No dated articles yet")
    left, right, top, bottom = 64, 40, 14, 34
    legend_rows = 0 if len(series) == 1 else math.ceil(len(series) / 3)
    plot_h = 230
    height = top + plot_h + bottom + legend_rows * 22 + (6 if legend_rows else 0)
    plot_w = WIDTH - left - right
    peak = max((v for values in series.values() for v in values), default=0)
    y_max, step = _nice_ceiling(peak * 100 if percent else peak, whole=not percent)
    scale = 100 if percent else 1

    def x(i: int) -> float:
        return left + (plot_w / 2 if len(x_values) == 1 else i * plot_w / (len(x_values) - 1))

    def y(v: float) -> float:
        return top + plot_h - (v * scale / y_max) * plot_h

    body = ['<g class="grid">']
    ticks = [step * i for i in range(int(round(y_max / step)) + 1)]
    body += [f'<line x1="{left}" x2="{WIDTH - right}" y1="{y(t / scale):.1f}" y2="{y(t / scale):.1f}"/>' for t in ticks]
    body.append('</g><g class="axis">')
    for t in ticks:
        text = f"{t:g}%" if percent else _number(t)
        body.append(f'<text x="{left - 8}" y="{y(t / scale) + 4:.1f}" text-anchor="end">{text}</text>')
    every = max(1, math.ceil(len(x_values) / 8))
    for i in range(0, len(x_values), every):
        body.append(f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{top + plot_h}" y2="{top + plot_h + 4}"/>')
        body.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 18}" text-anchor="middle">'
                    f'{_e(x_values[i].strftime(date_format))}</text>')
    body.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{top + plot_h}" y2="{top + plot_h}"/></g>')
    for n, (name, values) in enumerate(series.items()):
        color = PALETTE[n % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        if area and n == 0 and len(values) > 1:
            body.append(f'<polygon fill="{color}" fill-opacity="0.12" stroke="none" '
                        f'points="{x(0):.1f},{y(0):.1f} {points} {x(len(values) - 1):.1f},{y(0):.1f}"/>')
        body.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" stroke-linejoin="round" points="{points}"/>')
        if len(values) <= 60:
            for i, v in enumerate(values):
                shown = f"{v * 100:.1f}%" if percent else _number(v)
                body.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{color}">'
                            f'<title>{_e(name)}, {x_values[i].strftime(date_format)}: {shown}</title></circle>')
    if legend_rows:
        for n, name in enumerate(series):
            lx = left + (n % 3) * (plot_w / 3)
            ly = top + plot_h + bottom + 6 + (n // 3) * 22
            body.append(f'<rect x="{lx:.1f}" y="{ly}" width="12" height="12" rx="2" fill="{PALETTE[n % len(PALETTE)]}"/>')
            body.append(f'<text x="{lx + 18:.1f}" y="{ly + 11}">{_e(_short(name, 40))}</text>')
    return _svg(height, body, label)


def bar_chart(label: str, bars: list[tuple[str, float, str]], unit: str = "articles", width: int = WIDTH // 2) -> str:
    """Horizontal bars, largest first: (name, value, tooltip); half width, to sit in pairs."""
    if not bars:
        return _empty(label, "Nothing to rank yet")
    left, right, row, top = 180, 64, 26, 6
    height = top + row * len(bars) + 6
    peak = max(value for _, value, _ in bars) or 1
    body = []
    for n, (name, value, tip) in enumerate(bars):
        y0 = top + n * row
        w = (width - left - right) * value / peak
        body.append(f'<text x="{left - 10}" y="{y0 + 16}" text-anchor="end">{_e(_short(name, 25))}</text>')
        body.append(f'<rect x="{left}" y="{y0 + 4}" width="{max(w, 1):.1f}" height="{row - 9}" rx="3" '
                    f'fill="{PALETTE[0]}"><title>{_e(tip)}: {_number(value)} {unit}</title></rect>')
        body.append(f'<text x="{left + w + 8:.1f}" y="{y0 + 16}">{_number(value)}</text>')
    return _svg(height, body, label, width)


def _layout(nodes: list[str], edges: list[tuple[str, str, float]], width: float, height: float) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold force layout, seeded so that the same data draws the same picture."""
    rng = random.Random(42)
    pos = {n: [width / 2 + math.cos(2 * math.pi * i / len(nodes)) * width / 3 + rng.uniform(-5, 5),
               height / 2 + math.sin(2 * math.pi * i / len(nodes)) * height / 3 + rng.uniform(-5, 5)]
           for i, n in enumerate(nodes)}
    k = math.sqrt(width * height / max(len(nodes), 1)) * 0.75
    strongest = max((w for _, _, w in edges), default=1)
    temperature = width / 8
    for _ in range(300):
        shift = {n: [0.0, 0.0] for n in nodes}
        for i, a in enumerate(nodes):
            for b in nodes[i + 1:]:
                dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
                d = max(math.hypot(dx, dy), 0.01)
                f = k * k / d
                shift[a][0] += dx / d * f
                shift[a][1] += dy / d * f
                shift[b][0] -= dx / d * f
                shift[b][1] -= dy / d * f
        for a, b, w in edges:
            dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
            d = max(math.hypot(dx, dy), 0.01)
            f = d * d / k * (0.5 + w / strongest)
            shift[a][0] -= dx / d * f
            shift[a][1] -= dy / d * f
            shift[b][0] += dx / d * f
            shift[b][1] += dy / d * f
        for n in nodes:
            dx, dy = shift[n]
            d = max(math.hypot(dx, dy), 0.01)
            pos[n][0] += dx / d * min(d, temperature)
            pos[n][1] += dy / d * min(d, temperature)
            # gravity keeps unconnected nodes from drifting to the edge
            pos[n][0] += (width / 2 - pos[n][0]) * 0.02
            pos[n][1] += (height / 2 - pos[n][1]) * 0.02
        temperature = max(temperature * 0.97, 1.0)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
    return {n: ((p[0] - min(xs)) / span_x if len(nodes) > 1 else 0.5,
                (p[1] - min(ys)) / span_y if len(nodes) > 1 else 0.5) for n, p in pos.items()}


def network_chart(label: str, nodes: list[tuple[str, str, str, int]], edges: list[tuple[str, str, int]]) -> str:
    """Entities as circles sized by articles, lines weighted by shared articles.
    nodes: (entity_id, name, kind, articles); edges: (entity_a, entity_b, articles)."""
    if not nodes:
        return _empty(label, "No entities yet")
    height, pad = 460, 60
    ids = [n[0] for n in nodes]
    place = _layout(ids, [(a, b, float(w)) for a, b, w in edges], WIDTH, height)

    def xy(entity_id: str) -> tuple[float, float]:
        px, py = place[entity_id]
        return pad + 80 + px * (WIDTH - 2 * pad - 160), pad + py * (height - 2 * pad)

    kinds = sorted({n[2] for n in nodes})
    color = {kind: PALETTE[i % len(PALETTE)] for i, kind in enumerate(kinds)}
    most = max(n[3] for n in nodes) or 1
    strongest = max((w for _, _, w in edges), default=1)
    body = ['<g stroke="#9aa5b1" stroke-linecap="round">']
    names = {n[0]: n[1] for n in nodes}
    for a, b, w in edges:
        (x1, y1), (x2, y2) = xy(a), xy(b)
        body.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                    f'stroke-width="{1 + 5 * w / strongest:.1f}" stroke-opacity="0.55">'
                    f'<title>{_e(names[a])} and {_e(names[b])}: {w} articles together</title></line>')
    body.append("</g>")
    for entity_id, name, kind, articles in nodes:
        cx, cy = xy(entity_id)
        r = 5 + 15 * math.sqrt(articles / most)
        body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{color[kind]}" fill-opacity="0.85" '
                    f'stroke="#ffffff" stroke-width="1.5"><title>{_e(name)} ({_e(kind)}): {articles} articles</title></circle>')
        body.append(f'<text class="node-label" x="{cx:.1f}" y="{cy - r - 4:.1f}" text-anchor="middle">'
                    f'{_e(_short(name, 28))}</text>')
    # the legend wraps onto as many rows as the kinds need, below the network
    per_row = (WIDTH - 32) // LEGEND_ENTRY
    legend_top = height
    for i, kind in enumerate(kinds):
        lx, ly = 16 + (i % per_row) * LEGEND_ENTRY, legend_top + (i // per_row) * 22
        body.append(f'<rect x="{lx}" y="{ly}" width="12" height="12" rx="6" fill="{color[kind]}"/>')
        body.append(f'<text x="{lx + 18}" y="{ly + 10}">{_e(_short(kind, 16))}</text>')
    return _svg(legend_top + math.ceil(len(kinds) / per_row) * 22 + 4, body, label)


# -- the page -------------------------------------------------------------------------


def _section(title: str, note: str, content: str) -> str:
    return f'<section class="chart"><h2>{_e(title)}</h2><p class="note">{note}</p>{content}</section>'


def _crawled(con) -> bool:
    """Whether anything was crawled (or read from WARC): a corpus brought as JSONL or CSV has no
    pages, so "share of everything crawled" would be a flat 100 % of nothing in particular."""
    return con.execute("SELECT count(*) FROM pages").fetchone()[0] > 0


def _attention(con, crawled: bool) -> list[str]:
    span = con.execute("SELECT count(*) FROM attention_daily").fetchone()[0]
    view, column, fmt = ("attention_weekly", "week", "%d %b %Y") if span <= 731 else ("attention_monthly", "month", "%b %Y")
    rows = con.execute(f"SELECT {column}, articles, stories, share_of_all FROM {view} ORDER BY 1").fetchall()
    when = [r[0] for r in rows]
    unit = "week" if column == "week" else "month"
    counts = line_chart("Attention over time", when, {"Relevant articles": [r[1] for r in rows],
                                                      "Stories (syndicated copies once)": [r[2] for r in rows]},
                        date_format=fmt, area=True)
    share = line_chart("Share of all crawled articles", when, {"Share of all crawled articles": [r[3] or 0 for r in rows]},
                       percent=True, date_format=fmt, area=True)
    attention = _section("Attention over time", f"Relevant articles and stories per {unit} (view <code>{view}</code>).",
                         counts)
    if not crawled:
        return [attention]
    return [
        attention,
        _section("Attention as a share of everything crawled",
                 f"Relevant articles as a share of all crawled articles per {unit} (<code>{view}.share_of_all</code>).",
                 share),
    ]


def _themes(con) -> str:
    top = [r[0] for r in con.execute(
        "SELECT theme FROM theme_trends GROUP BY theme ORDER BY sum(articles) DESC, theme LIMIT ?", [TOP_THEMES]
    ).fetchall()]
    rows = con.execute(
        "SELECT month, theme, name, articles FROM theme_trends WHERE list_contains(?, theme) ORDER BY month", [top]
    ).fetchall()
    months = sorted({r[0] for r in rows})
    names = {r[1]: r[2] for r in rows}
    values = {(r[0], r[1]): r[3] for r in rows}
    series = {names[t]: [values.get((m, t), 0) for m in months] for t in top}
    return _section("Themes over time", f"Relevant articles per month for the {len(top) or 'no'} most frequent themes "
                    "(view <code>theme_trends</code>).", line_chart("Themes over time", months, series))


def _topics(con) -> str:
    top = [r[0] for r in con.execute(
        "SELECT topic_id FROM topic_trends GROUP BY topic_id ORDER BY sum(weight) DESC, topic_id LIMIT ?", [TOP_TOPICS]
    ).fetchall()]
    rows = con.execute(
        "SELECT month, topic_id, label, share_of_month FROM topic_trends WHERE list_contains(?, topic_id) ORDER BY month",
        [top],
    ).fetchall()
    months = sorted({r[0] for r in rows})
    labels = {r[1]: f"{r[1]}: {r[2]}" for r in rows}
    values = {(r[0], r[1]): r[3] for r in rows}
    series = {labels[t]: [values.get((m, t), 0) for m in months] for t in top}
    chart = line_chart("Topics over time", months, series, percent=True) if series else _empty(
        "Topics over time", "No current topic model yet (creditlens topics fit)")
    return _section("Topics over time", "Each topic's share of the month's topic weight in the current model "
                    "(view <code>topic_trends</code>).", chart)


CROSSLINGUAL_ROWS = 20


def _languages(con) -> str:
    rows = con.execute("SELECT month, language, articles FROM language_monthly ORDER BY month, language").fetchall()
    months = sorted({r[0] for r in rows})
    languages = sorted({r[1] for r in rows}, key=lambda lang: (-sum(r[2] for r in rows if r[1] == lang), lang))
    values = {(r[0], r[1]): r[2] for r in rows}
    series = {lang: [values.get((m, lang), 0) for m in months] for lang in languages}
    chart = line_chart("Coverage by language", months, series)
    stories = con.execute(
        "SELECT story_id, published_at, language, source, title, url, themes, shared_figures FROM crosslingual_stories "
        "ORDER BY story_id, published_at LIMIT ?", [CROSSLINGUAL_ROWS]
    ).fetchall()
    if stories:
        lines = ["<table><thead><tr><th>Story</th><th>Date</th><th>Language</th><th>Source</th><th>Article</th>"
                 "<th>Themes</th><th>Shared figures</th></tr></thead><tbody>"]
        for story_id, published_at, language, source, title, url, themes, figures in stories:
            lines.append(
                f'<tr><td>{_e(story_id)}</td><td class="when">{published_at:%Y-%m-%d}</td><td>{_e(language)}</td>'
                f'<td>{_e(source)}</td><td>{_link(url, _short(title, 120), title)}</td>'
                f'<td>{_e(", ".join(themes or []))}</td><td>{_e(", ".join(figures or []))}</td></tr>'
            )
        lines.append("</tbody></table>")
        table = "".join(lines)
    else:
        table = "<p>No story reported in more than one language yet.</p>"
    return _section("Coverage by language", "Relevant articles per month in each language (view "
                    "<code>language_monthly</code>), and stories reported in more than one language, side by side "
                    "(view <code>crosslingual_stories</code>).", chart + table)


def _sources(con) -> str:
    rows = con.execute("SELECT source, name, articles FROM top_sources WHERE articles > 0 LIMIT ?", [TOP_BARS]).fetchall()
    bars = [(name or source or "unknown", n, name or source or "unknown") for source, name, n in rows]
    return _section("Top sources", "Outlets by relevant articles (view <code>top_sources</code>).",
                    bar_chart("Top sources", bars))


def _entities(con) -> str:
    rows = con.execute("SELECT entity_id, name, type, label, articles FROM top_entities LIMIT ?", [TOP_BARS]).fetchall()
    bars = [(name or eid, n, f"{name} ({kind or label})") for eid, name, kind, label, n in rows]
    return _section("Top entities", "People, organisations and places by the relevant articles naming them "
                    "(view <code>top_entities</code>).", bar_chart("Top entities", bars))


def _network(con) -> str:
    nodes = [(eid, name or eid, kind or label or "other", n) for eid, name, kind, label, n in con.execute(
        "SELECT entity_id, name, type, label, articles FROM top_entities LIMIT ?", [NETWORK_NODES]
    ).fetchall()]
    ids = [n[0] for n in nodes]
    edges = con.execute(
        "SELECT entity_a, entity_b, articles FROM entity_cooccurrence "
        "WHERE list_contains(?, entity_a) AND list_contains(?, entity_b) LIMIT ?",
        [ids, ids, NETWORK_EDGES],
    ).fetchall()
    return _section("Who appears with whom", f"The {len(nodes)} most mentioned entities; a line joins two entities "
                    "named in the same relevant articles, thicker for more articles (view <code>entity_cooccurrence</code>).",
                    network_chart("Co-occurrence network of the main entities", nodes, edges))


def _figures(con) -> str:
    rows = con.execute(
        "SELECT published_at, source, subject, value, unit, sentence, url, title FROM reported_figures "
        "ORDER BY published_at DESC NULLS LAST, article_id LIMIT ?", [FIGURE_ROWS]
    ).fetchall()
    if not rows:
        note = "Figures reported in relevant articles (view <code>reported_figures</code>)."
        body = "<p>No figures reported yet.</p>"
    else:
        note = (f"The {len(rows)} most recent figures reported in relevant articles "
                "(view <code>reported_figures</code>; trends in <code>figures_over_time</code>).")
        lines = ["<table><thead><tr><th>Date</th><th>Source</th><th>What</th><th>Value</th><th>Sentence</th></tr></thead><tbody>"]
        for published_at, source, subject, value, unit, sentence, url, title in rows:
            when = published_at.strftime("%Y-%m-%d") if published_at else "undated"
            lines.append(
                f'<tr><td class="when">{when}</td><td>{_e(source)}</td><td>{_e(subject)}</td>'
                f'<td class="num">{_number(value)} {_e(unit)}</td>'
                f'<td>{_link(url, _short(sentence, 220), title)}</td></tr>'
            )
        lines.append("</tbody></table>")
        body = "".join(lines)
    return _section("Reported figures", note, body)


def _provenance(con) -> str:
    """The figures that travelled: who reported each first, who repeated it, who changed it."""
    groups = con.execute(
        "SELECT group_id FROM figure_provenance GROUP BY group_id "
        "ORDER BY max(reports) DESC, min(first_published_at), group_id LIMIT ?", [PROVENANCE_GROUPS]
    ).fetchall()
    rows = con.execute(
        "SELECT group_id, subject, unit, first_value, position, day, source, reported_value, reported_unit, "
        "value_changed, is_copy, url, title, changed_by FROM figure_provenance WHERE list_contains(?, group_id) "
        "ORDER BY first_published_at, group_id, position", [[g for (g,) in groups]]
    ).fetchall()
    note = ("Figures reported by two articles or more: the same subject and unit, values equal up to rounding "
            "(at most 5% apart) or through an article's own currency conversion "
            "(view <code>figure_provenance</code>; rules in <code>warehouse/provenance.py</code>).")
    if not rows:
        return _section("Where the numbers come from", note,
                        "<p>No figure has been reported by more than one article yet.</p>")
    by_group: dict[str, list[tuple]] = {}
    for row in rows:
        by_group.setdefault(row[0], []).append(row)
    lines = ["<table><thead><tr><th>Figure</th><th>First reported</th><th>Repeated by</th><th>Changed by</th>"
             "</tr></thead><tbody>"]
    for reports in by_group.values():
        _, subject, unit, first_value, *_ = reports[0]
        cells = []
        for _, _, _, _, position, day, source, value, reported_unit, changed, is_copy, url, title, _ in reports:
            shown = f"{day:%Y-%m-%d} {source}"
            if changed:
                shown += f": {_number(value)} {reported_unit}"
            elif is_copy:
                shown += " (copy)"
            cells.append(_link(url, shown, title))
        changed_by = reports[0][-1]
        lines.append(
            f"<tr><td><strong>{_number(first_value)} {_e(unit)}</strong><br>{_e(subject)}</td>"
            f"<td>{cells[0]}</td><td>{'<br>'.join(cells[1:])}</td>"
            f"<td>{_e(', '.join(changed_by)) if changed_by else 'nobody'}</td></tr>"
        )
    lines.append("</tbody></table>")
    return _section("Where the numbers come from", note, "".join(lines))


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """An HTML table; cells are HTML already (escaped by the caller), a number cell marked <td class="num">."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(cell if cell.startswith("<td") else f"<td>{cell}</td>" for cell in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _num_cell(value) -> str:
    return f'<td class="num">{_number(value)}</td>'


def _quoted(con) -> str:
    rows = con.execute(
        "SELECT speaker, organisation, quotes, articles, sources, latest_quote FROM quotes_by_speaker LIMIT ?",
        [QUOTED_ROWS],
    ).fetchall()
    if not rows:
        return _section("Who is quoted", "Speakers quoted in relevant articles (view <code>quotes_by_speaker</code>).",
                        "<p>No quotes found yet.</p>")
    table = _table(["Speaker", "Organisation", "Quotes", "Articles", "Outlets", "Latest quote"], [
        [_e(speaker), _e(organisation), _num_cell(quotes), _num_cell(articles), _num_cell(sources), _e(_short(latest, 200))]
        for speaker, organisation, quotes, articles, sources, latest in rows
    ])
    return _section("Who is quoted", f"The {len(rows)} most quoted speakers in relevant articles "
                    "(views <code>quotes_by_speaker</code>, <code>quotes_detail</code>).", table)


def _topic_terms(con) -> str:
    rows = con.execute(
        "SELECT t.topic_id, t.label, count(m.article_id), t.terms[1:?] "
        "FROM current_topics t LEFT JOIN article_main_topic m USING (topic_id) GROUP BY ALL ORDER BY t.topic_id",
        [TOPIC_TERMS],
    ).fetchall()
    if not rows:
        return _section("Topic terms", "The current topic model's topics (view <code>current_topics</code>).",
                        "<p>No current topic model yet (creditlens topics fit).</p>")
    table = _table(["Topic", "Label", "Articles", "Top terms"], [
        [_num_cell(topic_id), _e(label), _num_cell(articles), _e(", ".join(terms))]
        for topic_id, label, articles, terms in rows
    ])
    return _section("Topic terms", f"The top {TOPIC_TERMS} terms of each topic of the current model, strongest first, "
                    "and the articles whose main topic it is (views <code>current_topics</code>, "
                    "<code>article_main_topic</code>).", table)


def _facts(con, crawled: bool) -> tuple[str, str]:
    articles, stories, sources, first, last = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE is_original), count(DISTINCT source), min(day), max(day) "
        "FROM relevant_articles"
    ).fetchone()
    stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    facts = [("Relevant articles", _number(articles)), ("Stories", _number(stories)), ("Outlets", _number(sources)),
             ("Articles crawled" if crawled else "Articles in the corpus", _number(stored))]
    html_facts = "\n".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in facts)
    period = f"{first:%d %B %Y} to {last:%d %B %Y}" if first else "no dated articles yet"
    return html_facts, f"Media coverage of credit systems, {period}."


def write_report(con: duckdb.DuckDBPyConnection, out: Path) -> Path:
    """Write the report to `out` (via a temporary file renamed into place) and return it."""
    out = Path(out)
    # DuckDB draws a progress bar on the terminal for long queries; a report is one command's output.
    con.execute("SET enable_progress_bar = false")
    crawled = _crawled(con)
    facts, lede = _facts(con, crawled)
    sections = _attention(con, crawled) + [
        _languages(con),
        _themes(con),
        _topics(con),
        _topic_terms(con),
        '<div class="pair">' + _sources(con) + _entities(con) + "</div>",
        _network(con),
        _quoted(con),
        _figures(con),
        _provenance(con),
    ]
    database = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    css = "\n" + _asset("report.css") + "\n"  # exactly what sits between <style> and </style>
    page = Template(_asset("report.html")).substitute(
        title="creditlens coverage report",
        csp=_content_security_policy(css),  # our own text: no character to escape in an attribute
        css=css,
        lede=_e(lede),
        facts=facts,
        sections="\n".join(sections),
        generated=datetime.now(timezone.utc).strftime("%d %B %Y %H:%M UTC"),
        database=_e(Path(database[0]).name if database and database[0] else "memory"),
    )
    with replacing(out) as part:
        part.write_text(page, encoding="utf-8")
    return out
