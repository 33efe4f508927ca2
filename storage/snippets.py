"""Highlighted snippets computed on the original text (the index only holds folded text).

A matched word is wrapped in [ ] (MARK_START / MARK_END): "… họp với [Đồng] [chí] Nguyễn …".
Matching is accent- and case-insensitive through a regex per folded term, so it runs on the
stored NFC text at C speed and marks the words the folded index matched.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

from storage.folding import accent_insensitive_pattern

MARK_START, MARK_END, ELLIPSIS = "[", "]", "…"
WINDOW = 220   # characters of context in a snippet
BEFORE = 60    # of which before the first highlighted word
MAX_MATCHES = 500
_PREFIX_END, _WORD_END = r"\w*", r"(?!\w)"


def term_regex(terms: list[tuple[str, bool]]) -> re.Pattern | None:
    """An alternation over the query's folded terms, one named group per term (longest first;
    a prefix term takes the rest of the word)."""
    unique = sorted(set(terms), key=lambda t: (-len(t[0]), t))
    parts = [f"(?P<t{i}>{accent_insensitive_pattern(term)}{_PREFIX_END if prefix else _WORD_END})"
             for i, (term, prefix) in enumerate(unique)]
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Move start back and end forward to whitespace, so no word is cut."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def _best_anchor(matches: list[re.Match]) -> int:
    """Index of the match that starts the window holding the most distinct terms (earliest wins)."""
    span = WINDOW - BEFORE
    counts: Counter = Counter()
    best, best_score, j = 0, 0, 0
    for i, first in enumerate(matches):
        while j < len(matches) and matches[j].end() <= first.start() + span:
            counts[matches[j].lastgroup] += 1
            j += 1
        score = len(counts)
        if score > best_score:
            best, best_score = i, score
        counts[first.lastgroup] -= 1
        if not counts[first.lastgroup]:
            del counts[first.lastgroup]
    return best


def snippet(text: str | None, pattern: re.Pattern | None) -> str:
    """About WINDOW characters of `text` around the densest cluster of query terms, marked."""
    text = unicodedata.normalize("NFC", text or "")
    if not text:
        return ""
    matches = []
    if pattern is not None:
        for match in pattern.finditer(text):
            matches.append(match)
            if len(matches) >= MAX_MATCHES:
                break
    if matches:
        anchor = matches[_best_anchor(matches)].start()
        start = max(0, anchor - BEFORE)
    else:
        start = 0
    start, end = _widen(text, start, min(len(text), start + WINDOW))
    pieces, position = [], start
    for match in matches:
        if start <= match.start() and match.end() <= end:
            pieces.append(text[position:match.start()])
            pieces.append(MARK_START + match.group() + MARK_END)
            position = match.end()
    pieces.append(text[position:end])
    body = " ".join("".join(pieces).split())
    return (f"{ELLIPSIS} " if start > 0 else "") + body + (f" {ELLIPSIS}" if end < len(text) else "")
