"""`baotinh coverage --html FILE`: one self-contained HTML page about the archive.

Everything is inline: CSS in a <style> element, one SVG chart per site drawn here, no script,
no font, no image, no link to anything outside the file, so it opens in any browser offline.
Every piece of text from the database goes through html.escape.
"""
from __future__ import annotations

import html
from datetime import timedelta

from crawler.coverage import (
    FIELDS, Coverage, SiteCoverage, describe_gap, field_coverage, gap_runs, period_start,
)

COLORS = {"bar": "#3b6ea5", "low": "#e8590c", "low_band": "#ffe8cc", "empty": "#fbd5d5", "empty_mark": "#c92a2a",
          "after": "#adb5bd", "median": "#495057", "grid": "#e9ecef", "axis": "#868e96"}
CSS = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
       color: #212529; margin: 0; background: #f8f9fa; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid #dee2e6; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 0; }
.meta, .note { color: #6c757d; }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e9ecef; text-align: left; vertical-align: top; }
th { background: #f1f3f5; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.site { background: #fff; border: 1px solid #dee2e6; border-radius: 6px; padding: 12px 14px;
        margin: 12px 0; }
.site header { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
.site svg { display: block; width: 100%; height: auto; margin-top: 6px; }
.gaps { margin: 6px 0 0; padding-left: 18px; }
.gaps li.empty { color: #c92a2a; } .gaps li.low { color: #d9480f; } .gaps li.after_last { color: #495057; }
.ok { color: #2b8a3e; }
details { margin: 2px 0 0 18px; color: #495057; } summary { cursor: pointer; }
td.when { white-space: nowrap; }
.legend { display: flex; gap: 18px; flex-wrap: wrap; align-items: center; margin: 4px 0 8px; }
.legend span { display: inline-flex; gap: 6px; align-items: center; }
.sw { display: inline-block; width: 14px; height: 12px; border: 1px solid #ced4da; }
.share { position: relative; min-width: 64px; }
.share i { position: absolute; left: 0; top: 3px; bottom: 3px; background: #d3f9d8; z-index: 0; }
.share i.mid { background: #fff3bf; } .share i.bad { background: #ffe3e3; }
.share b { position: relative; font-weight: 400; z-index: 1; }
.authors { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; }
.authors ol { margin: 6px 0 0; padding-left: 22px; }
.authors li { display: flex; justify-content: space-between; gap: 8px; }
.authors li::marker { color: #868e96; }
"""


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _num(value: float) -> str:
    return f"{value:g}" if value != int(value) else f"{int(value)}"


def short_time(value) -> str:
    """"2025-01-02T08:00:00+07:00" -> "2025-01-02 08:00" (stored times are all +07:00)."""
    if not value:
        return "–"
    text = str(value)
    if len(text) >= 16 and text[10] == "T":
        return f"{text[:10]} {text[11:16]}"
    return text


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


def render_report(coverage: Coverage, *, runs: list[dict] | None = None,
                  authors: dict[str, list[dict]] | None = None, fields: dict[str, dict] | None = None,
                  source: str = "", generated_at: str = "") -> str:
    runs, authors, fields = runs or [], authors or {}, fields or {}
    by = coverage.by
    span = f"{coverage.periods[0]} … {coverage.periods[-1]}" if coverage.periods else "no dated articles"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>baotinh coverage — {esc(source)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        "<h1>Archive coverage</h1>",
        f'<p class="meta">{esc(source)} · articles per {esc(by)} · {esc(span)}'
        + (f" · generated {esc(generated_at)}" if generated_at else "") + "</p>",
    ]
    parts += _summary(coverage, fields)
    parts.append(f"<h2>Articles per {esc(by)}</h2>")
    parts.append(_legend(by))
    for index, site in enumerate(coverage.sites):
        parts.append(_site_section(site, coverage, index))
    parts += _runs_table(runs)
    parts += _authors(coverage, authors)
    parts.append('<p class="note">Self-contained report written by <code>baotinh coverage --html</code>: '
                 "no scripts and nothing loaded from elsewhere.</p>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


# --- sections ------------------------------------------------------------------------------

def _summary(coverage: Coverage, fields: dict[str, dict]) -> list[str]:
    by = coverage.by
    rows = ["<h2>Sites</h2>", "<table><thead><tr><th>Site</th><th>Newspaper</th><th>Province</th>"
            f'<th class="num">Articles</th><th class="num">Undated</th><th>First {esc(by)}</th>'
            f'<th>Last {esc(by)}</th><th class="num">Median / {esc(by)}</th><th>Gaps</th>'
            '<th class="num">published_at</th><th class="num">authors</th><th class="num">body</th>'
            "</tr></thead><tbody>"]
    for s in coverage.sites:
        kinds = {}
        for cell in s.gaps:
            kinds[cell.gap] = kinds.get(cell.gap, 0) + 1
        gaps = ", ".join(f"{n} {_GAP_WORD[k]}" for k, n in kinds.items()) or '<span class="ok">none</span>'
        f = fields.get(s.site) or {}
        shares = [_share_cell((f.get(name) / f["articles"]) if f.get("articles") else None) for name in FIELDS]
        rows.append(f"<tr><td>{esc(s.site)}</td><td>{esc(s.label)}</td><td>{esc(s.province)}</td>"
                    f'<td class="num">{s.total}</td><td class="num">{s.undated}</td>'
                    f'<td class="when">{esc(s.first or "–")}</td><td class="when">{esc(s.last or "–")}</td>'
                    f'<td class="num">{esc(_num(s.median))}</td><td>{gaps}</td>{"".join(shares)}</tr>')
    rows.append("</tbody></table>")
    rows.append('<p class="note">Articles: dated articles in the periods shown. Undated: no usable '
                "published_at, counted but not placed in any period. Field shares are over all stored "
                "articles of the site.</p>")
    return rows


GAP_ITEMS = 8  # gap lines shown under a chart; the rest fold into <details>
_GAP_WORD = {"empty": "empty", "low": "low", "after_last": "after last"}


def _legend(by: str) -> str:
    def swatch(style: str, label: str) -> str:
        return f'<span><i class="sw" style="{style}"></i>{esc(label)}</span>'
    return ('<div class="legend">'
            + swatch(f"background:{COLORS['bar']}", f"articles per {by}")
            + swatch(f"background:{COLORS['low']};border-color:{COLORS['low_band']}",
                     "! low: under ¼ of the site's median")
            + swatch(f"background:{COLORS['empty']};border-color:{COLORS['empty_mark']}",
                     "× no articles between the site's first and last")
            + swatch(f"background:repeating-linear-gradient(45deg,{COLORS['after']} 0 2px,#fff 2px 5px)",
                     "after the site's last article")
            + swatch(f"border-top:2px dashed {COLORS['median']};height:0;border-left:0;border-right:0;"
                     "border-bottom:0", "median")
            + "</div>")


def _site_section(site: SiteCoverage, coverage: Coverage, index: int) -> str:
    title = esc(site.site) + (f" — {esc(site.label)}" if site.label else "")
    facts = (f"{site.total} dated articles · median {esc(_num(site.median))}/{esc(coverage.by)}"
             f" · undated {site.undated}"
             + (f" · first {esc(site.first)} · last {esc(site.last)}" if site.first else ""))
    items = []
    for kind, cells in gap_runs(site):
        span = cells[0].period if len(cells) == 1 else f"{cells[0].period} … {cells[-1].period}"
        items.append(f'<li class="{kind}">{esc(span)}: {esc(describe_gap(kind, cells, site))}</li>')
    if not items:
        gaps = '<p class="ok">No gaps in the periods shown.</p>'
    elif len(items) <= GAP_ITEMS:
        gaps = f'<ul class="gaps">{"".join(items)}</ul>'
    else:
        gaps = (f'<ul class="gaps">{"".join(items[:GAP_ITEMS])}</ul><details><summary>'
                f'{len(items) - GAP_ITEMS} more gaps</summary><ul class="gaps">'
                f'{"".join(items[GAP_ITEMS:])}</ul></details>')
    return (f'<section class="site" id="site-{index}" data-site="{esc(site.site)}">'
            f'<header><h3>{title}</h3><span class="meta">{facts}</span></header>'
            f"{site_chart(site, coverage.by, index)}{gaps}</section>")


def _share_cell(share: float | None) -> str:
    if share is None:
        return '<td class="num">–</td>'
    level = "" if share >= 0.9 else "mid" if share >= 0.5 else "bad"
    return (f'<td class="num share"><i class="{level}" style="width:{share * 100:.0f}%"></i>'
            f"<b>{_pct(share)}</b></td>")


def _runs_table(runs: list[dict]) -> list[str]:
    out = ["<h2>Field coverage per crawl run</h2>"]
    if not runs:
        return out + ['<p class="note">No crawl runs recorded.</p>']
    out.append("<table><thead><tr><th>Run</th><th>Site</th><th>Started</th><th>Finished</th>"
               '<th>Finish reason</th><th class="num">Articles</th><th class="num">published_at</th>'
               '<th class="num">authors</th><th class="num">body</th><th>From</th></tr></thead><tbody>')
    for run in runs:
        cover = field_coverage(run)
        source = {"stats": "run stats", "articles": "stored articles"}.get(cover["source"], "–")
        out.append(f"<tr><td>{esc(run.get('id'))}</td><td>{esc(run.get('site') or run.get('spider'))}</td>"
                   f'<td class="when">{esc(short_time(run.get("started_at")))}</td>'
                   f'<td class="when">{esc(short_time(run.get("finished_at")))}</td>'
                   f"<td>{esc(run.get('finish_reason') or '–')}</td>"
                   f'<td class="num">{cover["articles"]}</td>'
                   + "".join(_share_cell(cover["shares"][f]) for f in FIELDS)
                   + f"<td>{esc(source)}</td></tr>")
    out.append("</tbody></table>")
    out.append('<p class="note">Share of the articles each run stored that have a publication date, '
               "at least one author, a body: from the run's stats when it recorded field counts, "
               "otherwise counted from the articles linked to the run. Latest runs first.</p>")
    return out


def _authors(coverage: Coverage, authors: dict[str, list[dict]]) -> list[str]:
    out = ["<h2>Top authors per site</h2>", '<div class="authors">']
    for s in coverage.sites:
        rows = authors.get(s.site) or []
        body = ("<ol>" + "".join(f"<li><span>{esc(a['name'])}</span><span class=\"meta\">{esc(a['articles'])}"
                                 "</span></li>" for a in rows) + "</ol>") if rows \
            else '<p class="note">No authors recorded.</p>'
        out.append(f'<div class="site"><h3>{esc(s.site)}</h3>{body}</div>')
    out.append("</div>")
    return out


# --- the chart -----------------------------------------------------------------------------

WIDTH, HEIGHT = 960, 190
LEFT, RIGHT, TOP, BOTTOM = 44, 78, 14, 34


def site_chart(site: SiteCoverage, by: str, index: int) -> str:
    """An inline SVG bar chart of one site's articles per period, gaps marked."""
    cells = site.cells
    n = max(1, len(cells))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / n
    pad = step * 0.15 if step >= 4 else 0
    peak = max(1, site.peak)
    base = TOP + plot_h

    def y(value: float) -> float:
        return base - value / peak * plot_h

    hatch = f"hatch{index}"
    out = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
           f'aria-label="{esc(site.site)}: articles per {esc(by)}">',
           f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
           f'patternTransform="rotate(45)"><rect width="2.5" height="6" fill="{COLORS["after"]}"/></pattern></defs>']
    # grid and y labels
    for value in sorted({0, peak, peak // 2} if peak > 1 else {0, peak}):
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                   f'stroke="{COLORS["grid"]}"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11" '
                   f'fill="{COLORS["axis"]}">{value}</text>')
    marks = []
    for i, cell in enumerate(cells):
        x = LEFT + i * step
        tip = f"{cell.period}: {cell.articles} article{'s' if cell.articles != 1 else ''}"
        if cell.gap == "after_last":
            out.append(f'<rect x="{x:.1f}" y="{TOP}" width="{step:.1f}" height="{plot_h}" '
                       f'fill="url(#{hatch})" opacity="0.55"><title>{esc(tip)} — after the last article'
                       f"</title></rect>")
        elif cell.gap == "empty":
            out.append(f'<rect x="{x:.1f}" y="{TOP}" width="{step:.1f}" height="{plot_h}" '
                       f'fill="{COLORS["empty"]}"><title>{esc(tip)} — gap: none stored</title></rect>')
            marks.append(f'<text x="{x + step / 2:.1f}" y="{base - 4}" text-anchor="middle" '
                         f'font-size="{min(14, max(8, step * 0.8)):.0f}" font-weight="700" '
                         f'fill="{COLORS["empty_mark"]}">×</text>')
        elif cell.articles:
            if cell.gap == "low":
                out.append(f'<rect x="{x:.1f}" y="{TOP}" width="{step:.1f}" height="{plot_h}" '
                           f'fill="{COLORS["low_band"]}"/>')
            color = COLORS["low"] if cell.gap == "low" else COLORS["bar"]
            note = f" — low: under a quarter of the median {_num(site.median)}" if cell.gap == "low" else ""
            top = y(cell.articles)
            out.append(f'<rect x="{x + pad:.1f}" y="{top:.1f}" width="{max(0.6, step - 2 * pad):.1f}" '
                       f'height="{base - top:.1f}" fill="{color}"><title>{esc(tip + note)}</title></rect>')
            if cell.gap == "low":
                marks.append(f'<text x="{x + step / 2:.1f}" y="{top - 4:.1f}" text-anchor="middle" '
                             f'font-size="12" font-weight="700" fill="{COLORS["low"]}">!</text>')
    out += marks
    if site.median:
        ym = y(site.median)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ym:.1f}" y2="{ym:.1f}" '
                   f'stroke="{COLORS["median"]}" stroke-dasharray="5 4" stroke-width="1"/>')
        out.append(f'<text x="{WIDTH - RIGHT + 6}" y="{ym + 4:.1f}" font-size="11" '
                   f'fill="{COLORS["median"]}">median {esc(_num(site.median))}</text>')
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}" stroke="{COLORS["axis"]}"/>')
    out += _x_labels([c.period for c in cells], by, step, base)
    out.append("</svg>")
    return "".join(out)


def _x_labels(periods: list[str], by: str, step: float, base: float) -> list[str]:
    """Ticks and labels under the axis: years (month, week) or months (day) on the second line;
    on the first, month numbers (every month, or every quarter, or each week that starts a month)
    when there is room for them."""
    out, free = [], -1e9
    if by == "month":
        minor_every = 1 if step >= 16 else 3 if step >= 6 else 0
    elif by == "week":
        minor_every = 1 if step * 4.35 >= 18 else 0
    else:
        minor_every = 0
    label_y = base + (27 if minor_every else 14)
    for i, key in enumerate(periods):
        x = LEFT + i * step
        start = period_start(key, by)
        if by == "month":
            major, text = i == 0 or start.month == 1, str(start.year)
            month_starts = True
        elif by == "week":
            major, text = i == 0 or key.endswith("W01"), key[:4]
            thursday = start + timedelta(days=3)
            month_starts = thursday.month != (thursday - timedelta(days=7)).month
        else:
            major, text = i == 0 or start.day == 1, key[:7]
            month_starts = False
        month = (start + timedelta(days=3)).month if by == "week" else start.month
        if minor_every and month_starts and (month - 1) % minor_every == 0:
            out.append(f'<text x="{x + step / 2:.1f}" y="{base + 13}" text-anchor="middle" font-size="10" '
                       f'fill="{COLORS["axis"]}">{month:02d}</text>')
        if major:
            out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{base}" y2="{base + 28}" stroke="{COLORS["axis"]}" '
                       'stroke-width="0.8"/>')
            if x >= free:
                out.append(f'<text x="{x + 3:.1f}" y="{label_y}" font-size="11" '
                           f'fill="{COLORS["axis"]}">{esc(text)}</text>')
                free = x + 7 * len(text) + 10
        elif month_starts and by == "week":
            out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{base}" y2="{base + 4}" stroke="{COLORS["axis"]}"/>')
    return out
