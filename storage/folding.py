"""Search folding: what the full-text index sees, and the same folding for queries.

The FTS5 index (tokenizer `unicode61 remove_diacritics 2`) is fed the articles' NFC text with
đ→d and Đ→D (SQL: replace(replace(x, 'đ', 'd'), 'Đ', 'D'), in the articles_search view and the
triggers of migration 3). SQLite's tokenizer then removes every other diacritic and folds
case, but never touches đ, so without that mapping "dong chi" would not find "Đồng chí".

For Vietnamese, tokenizer(index_fold(text)) is exactly crawler.normalize.text.fold(text)
split into words, for every letter of the alphabet, NFC or NFD
(tests/test_storage_folding.py checks all of them). Doing the folding in SQL rather than in
Python keeps the index consistent whoever writes (sqlite3 shell, Datasette, a migration) and
costs nothing: fold() itself takes ~0.5 ms per 500-word article, more than indexing it.

Query terms go through fold() (fold_term); highlighting (storage.snippets) uses fold() on
single letters to build accent-insensitive patterns.
"""
from __future__ import annotations

import re
import unicodedata

from crawler.normalize.text import fold, nfc

INDEX_FOLD_SQL = "replace(replace({}, 'đ', 'd'), 'Đ', 'D')"


def index_fold(text: str | None) -> str:
    """Python twin of INDEX_FOLD_SQL: the text the FTS tokenizer is given (before its own folding)."""
    return nfc(text).replace("đ", "d").replace("Đ", "D")


def fold_term(word: str) -> str:
    """One query word folded like the index: fold(word) when it is what SQLite's tokenizer makes
    of the indexed text (Latin letters folded one for one: all of Vietnamese), otherwise the
    index's own transform, left for the tokenizer to fold the same way on both sides (non-Latin
    scripts, ß, ligatures...)."""
    word = nfc(word)
    folded = fold(word)
    if folded.isascii() and len(folded) == len(" ".join(word.split())):
        return folded
    return " ".join(index_fold(word).split())


def _variant_classes() -> dict[str, str]:
    """For highlighting: every precomposed Latin letter grouped under its folded ASCII letter,
    so "d" -> "[DdĐđ...]" and "o" -> "[OoÒòÓó...ƠơỚớ...]"."""
    groups: dict[str, set[str]] = {}
    for code in list(range(0x20, 0x250)) + list(range(0x1E00, 0x1F00)):
        char = chr(code)
        folded = fold(char)
        if len(folded) == 1 and folded.isascii() and folded.isalnum() and unicodedata.category(char)[0] in "LN":
            groups.setdefault(folded, set()).add(char)
    return {key: "[" + "".join(re.escape(c) for c in sorted(chars)) + "]" for key, chars in groups.items()}


_VARIANTS: dict[str, str] | None = None


def accent_insensitive_pattern(folded_term: str) -> str:
    """A regex matching a folded query term in NFC text, whatever the accents or case there."""
    global _VARIANTS
    if _VARIANTS is None:
        _VARIANTS = _variant_classes()
    return "".join(_VARIANTS.get(ch, re.escape(ch)) for ch in folded_term)
