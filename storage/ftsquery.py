"""User query -> FTS5 MATCH expression over the folded index, syntax preserved.

Supported syntax (SQLite FTS5's own, see docs/schema.md): implicit AND between words,
uppercase AND / OR / NOT, parentheses, "phrases", prefix* (also "phrase"*), ^initial,
NEAR(a b, N), column filters title: / lead: / body: / {title lead}: and phrase + phrase.
Operator words are recognized *before* folding, so only uppercase AND/OR/NOT/NEAR are
operators; every term and phrase is folded like the index (storage.folding.fold_term:
no accents, đ→d, lower case).

Forgiving where FTS5 would fail on something a person obviously meant: a word holding
punctuation ("covid-19", "10:30") becomes a quoted phrase; a comma outside NEAR() counts
as a space; a parenthesized group next to a term gets the AND FTS5 requires there.
Everything else malformed (dangling operator, unbalanced parenthesis or quote) is left for
FTS5 to reject, and storage.search turns its complaint into SearchError.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from storage.errors import SearchError
from storage.folding import fold_term

COLUMNS = ("title", "lead", "body")
_TOKEN = re.compile(r'''
    (?P<space>\s+)
  | (?P<colset>-?\{[^{}"]*\}\s*:)
  | (?P<string>"(?:[^"]|"")*"\*?)
  | (?P<quote>")
  | (?P<open>\()
  | (?P<close>\))
  | (?P<comma>,)
  | (?P<word>[^\s"(),]+)
''', re.X)
_COLUMN_PREFIX = re.compile(r"-?[A-Za-z]+:")
_BARE = re.compile(r"[a-z0-9_]+")
_TERM = re.compile(r"\w+")
OPERATORS = ("AND", "OR", "NOT")


@dataclass
class FoldedQuery:
    fts: str                                                     # the MATCH expression
    terms: list[tuple[str, bool]] = field(default_factory=list)  # (folded word, prefix?) to highlight


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _column(name: str) -> str:
    name = name.lower()
    if name not in COLUMNS:
        raise SearchError(f"unknown column {name!r} in search query (columns: {', '.join(COLUMNS)})")
    return name


class _Builder:
    def __init__(self):
        self.out: list[str] = []
        self.terms: list[tuple[str, bool]] = []
        self.phrases = 0
        self.last = None            # "operand", "close", "op", "open", "column", "near"
        self.groups: list[bool] = []  # open parentheses, True for NEAR(...)
        self.negated_depth = None   # inside NOT (...): not highlighted
        self.pending_not = False

    def start_operand(self) -> None:
        """FTS5 accepts juxtaposition (implicit AND) between phrases but not next to a
        parenthesized group: add the AND there."""
        if self.last == "close" or (self.last == "operand" and self.out and self.out[-1] == ")"):
            self.out.append("AND")

    def phrase(self, token: str, folded: str, prefix: bool) -> None:
        if self.last not in ("column", "near_open"):
            self.start_operand()
        self.out.append(token)
        self.phrases += 1
        words = _TERM.findall(folded)
        if not (self.pending_not or self.negated_depth is not None):
            self.terms.extend((w, prefix and i == len(words) - 1) for i, w in enumerate(words))
        self.pending_not = False
        self.last = "operand"

    def open(self, near: bool) -> None:
        if not near and self.last in ("operand", "close"):
            self.out.append("AND")
        self.groups.append(near)
        if self.pending_not and self.negated_depth is None:
            self.negated_depth = len(self.groups) - 1
        self.pending_not = False
        self.out.append("(")
        self.last = "near_open" if near else "open"

    def close(self) -> None:
        if self.groups:
            self.groups.pop()
        if self.negated_depth is not None and len(self.groups) <= self.negated_depth:
            self.negated_depth = None
        self.out.append(")")
        self.last = "close"


def fold_query(query: str) -> FoldedQuery:
    """Fold a user's query for the folded FTS index; SearchError if it cannot be one."""
    b = _Builder()
    tokens = [m for m in _TOKEN.finditer(query or "") if m.lastgroup != "space"]
    for index, match in enumerate(tokens):
        kind, text = match.lastgroup, match.group()
        next_kind = tokens[index + 1].lastgroup if index + 1 < len(tokens) else None
        if kind == "quote":
            raise SearchError("unterminated quote in search query")
        if kind == "colset":
            names = [_column(n) for n in text.strip().lstrip("-").rstrip(":").strip().strip("{}").split()]
            b.start_operand()
            b.out.append(("-" if text.startswith("-") else "") + "{" + " ".join(names) + "}:")
            b.last = "column"
        elif kind == "open":
            b.open(near=bool(b.out) and b.out[-1] == "NEAR" and b.last == "near")
        elif kind == "close":
            b.close()
        elif kind == "comma":
            if b.groups and b.groups[-1]:
                b.out.append(",")
                b.last = "comma"
        elif kind == "string":
            star = text.endswith("*")
            inner = text[1:-2 if star else -1].replace('""', '"')
            folded = " ".join(fold_term(word) for word in inner.split())
            if _TERM.search(folded):
                b.phrase(_quote(folded) + ("*" if star else ""), folded, star)
        elif text in OPERATORS:
            b.out.append(text)
            b.pending_not = text == "NOT"
            b.last = "op"
        elif text == "+":
            b.out.append("+")
            b.last = "op"
        elif text == "NEAR" and next_kind == "open":
            b.start_operand()
            b.out.append("NEAR")
            b.last = "near"
        elif b.last == "comma" and text.isdigit():
            b.out.append(text)  # the distance in NEAR(a b, 10)
            b.last = "operand"
        else:
            core = text
            prefix = _COLUMN_PREFIX.match(text)
            if prefix and prefix.group().lstrip("-").rstrip(":").lower() in COLUMNS:
                b.start_operand()
                name = prefix.group()
                b.out.append(("-" if name.startswith("-") else "") + _column(name.lstrip("-")[:-1]) + ":")
                b.last = "column"
                core = text[prefix.end():]
            caret = "^" if core.startswith("^") else ""
            star = "*" if core.endswith("*") and len(core) > len(caret) + 1 else ""
            core = core[len(caret):len(core) - len(star)]
            folded = fold_term(core)
            if _TERM.search(folded):
                token = folded if _BARE.fullmatch(folded) else _quote(folded)
                b.phrase(caret + token + star, folded, bool(star))
    if not b.phrases:
        if not (query or "").strip():
            raise SearchError("empty search query")
        operators = [m.group() for m in tokens if m.group() in (*OPERATORS, "NEAR")]
        if operators:
            raise SearchError(f"{query.strip()!r} is not a valid search query: it has no search terms, only the "
                              f"operator{'s' if len(operators) > 1 else ''} {', '.join(dict.fromkeys(operators))} "
                              f"(in lower case, and, or, not are searched as words)")
        raise SearchError(f"empty search query: {query.strip()!r} has no search terms")
    return FoldedQuery(fts=" ".join(b.out), terms=b.terms)
