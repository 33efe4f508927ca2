"""Which publication date to keep: article-scoped machine values against the visible date line.

The machine value (JSON-LD datePublished, article:published_time, the article header's
time[datetime]) is kept when the page's own date line agrees with it to the minute, since it
carries seconds and an offset. When they disagree the visible article date wins (it is what the
paper printed; machine values are often the CMS's creation time or a UTC time labelled local),
and the disagreement is logged and returned as a problem. A date-only machine value ("2026-01-08")
loses to a visible date with a time on the same day.
"""
from __future__ import annotations

import logging
from datetime import date, datetime

from crawler.normalize.dates import parse_date

log = logging.getLogger(__name__)

AGREE_SECONDS = 60


def _first(values) -> tuple[str | None, date | datetime | None]:
    for value in values:
        parsed = parse_date(value)
        if parsed is not None:
            return value, parsed
    return None, None


def choose_published(machine: list[str], visible: list[str], *, url: str = "") -> tuple[str | None, list[str]]:
    """(published_raw, problems) from machine values and visible date lines, best first."""
    m_raw, m_val = _first(machine)
    v_raw, v_val = _first(visible)
    if v_val is None:
        return m_raw, ["no_visible_date"] if m_raw else ["no_date"]
    if m_val is None:
        return v_raw, []
    m_time, v_time = isinstance(m_val, datetime), isinstance(v_val, datetime)
    if m_time and v_time:
        agree = abs((m_val - v_val).total_seconds()) <= AGREE_SECONDS
        keep_machine = True
    elif v_time:  # date-only machine value: the visible time is more precise
        agree, keep_machine = v_val.date() == m_val, False
    elif m_time:
        agree, keep_machine = m_val.date() == v_val, True
    else:
        agree, keep_machine = m_val == v_val, True
    if agree:
        return (m_raw if keep_machine else v_raw), []
    log.debug("date conflict on %s: machine %r, visible %r; keeping the visible date", url, m_raw, v_raw)
    return v_raw, [f"date_conflict machine={m_raw} visible={v_raw}"]
