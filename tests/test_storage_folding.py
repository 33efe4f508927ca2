"""The folding contract: SQLite's tokenizer on the index's text == fold() for Vietnamese,
and the query folding that preserves FTS5 syntax."""
from __future__ import annotations

import sqlite3
import unicodedata

import pytest

from crawler.normalize.text import fold
from storage import SearchError
from storage.folding import INDEX_FOLD_SQL, fold_term, index_fold
from storage.ftsquery import fold_query

VIETNAMESE = ("aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ")
VIETNAMESE += VIETNAMESE.upper()


@pytest.fixture(scope="module")
def tokens():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")

    def tokenize(text: str, *, sql_fold: bool = False) -> list[str]:
        conn.execute("DELETE FROM t")
        if sql_fold:
            conn.execute(f"INSERT INTO t(x) VALUES ({INDEX_FOLD_SQL.format('?')})", (text,))
        else:
            conn.execute("INSERT INTO t(x) VALUES (?)", (index_fold(text),))
        return [r[0] for r in conn.execute("SELECT term FROM v ORDER BY offset")]

    return tokenize


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_every_vietnamese_letter_is_indexed_as_fold_makes_it(tokens, form):
    for letter in VIETNAMESE:
        word = unicodedata.normalize(form, f"x{letter}x")
        assert tokens(word) == [fold(word)], letter
        assert tokens(word, sql_fold=True) == [fold(word)], letter


def test_a_sentence_is_indexed_as_its_folded_words(tokens):
    text = "ĐỒNG CHÍ Đoàn Văn Bình, Bí thư Tỉnh ủy Lạng Sơn: “Phát triển bền vững”."
    assert tokens(text) == fold(text).replace(",", "").replace(":", "").replace("“", "").replace(
        "”", "").replace(".", "").split()


@pytest.mark.parametrize("word, folded", [
    ("Đồng", "dong"), ("LẠNG", "lang"), (unicodedata.normalize("NFD", "Lạng"), "lang"), ("Đoàn", "doan"),
    ("covid-19", "covid-19"),
    ("ß", "ß"),          # fold() gives "ss", the tokenizer keeps ß: keep what the index has
    ("Łódź", "Łódź"),    # not all-ASCII after fold: left to the tokenizer (it folds both sides alike)
])
def test_fold_term(word, folded):
    assert fold_term(word) == folded


@pytest.mark.parametrize("query, fts", [
    ("Đồng chí", "dong chi"),
    ("LẠNG SƠN", "lang son"),
    (unicodedata.normalize("NFD", "lạng sơn"), "lang son"),
    ('"Lạng Sơn"', '"lang son"'),
    ("Lạng*", "lang*"),
    ('"Lạng Sơn"*', '"lang son"*'),
    ("Lạng AND Sơn OR Cao NOT Bằng", "lang AND son OR cao NOT bang"),
    ("and or not", "and or not"),                       # lowercase: plain words
    ("(Lạng OR Cao) Sơn", "( lang OR cao ) AND son"),   # FTS5 needs the AND next to a group
    ("Sơn (Lạng OR Cao)", "son AND ( lang OR cao )"),
    ("NEAR(Đồng chí, 5)", "NEAR ( dong chi , 5 )"),
    ("title:Đoàn", "title: doan"),
    ("Title:Đoàn", "title: doan"),
    ('title:"Lạng Sơn"', 'title: "lang son"'),
    ("{title lead}: Đoàn", "{title lead}: doan"),
    ("-body: Đoàn", "-body: doan"),
    ("^Đồng", "^dong"),
    ("COVID-19", '"covid-19"'),
    ("10:30", '"10:30"'),
    ("Lạng Sơn, Cao Bằng", "lang son cao bang"),
    ("Lạng — Sơn", "lang son"),
    ('"say ""hi"""', '"say ""hi"""'),
])
def test_fold_query_keeps_fts_syntax(query, fts):
    assert fold_query(query).fts == fts


def test_terms_to_highlight_skip_negated_ones():
    assert fold_query("Đồng NOT chí").terms == [("dong", False)]
    assert fold_query("Đồng NOT (chí OR bí) thư").terms == [("dong", False), ("thu", False)]
    assert fold_query('lang* "Sơn La"').terms == [("lang", True), ("son", False), ("la", False)]


@pytest.mark.parametrize("query, message", [
    ("", "empty search query"),
    ("   ", "empty search query"),
    ("— * ,", "empty search query"),
    ('"Lạng Sơn', "unterminated quote"),
    ("{title nope}: x", "unknown column 'nope'"),
])
def test_queries_that_cannot_be_folded(query, message):
    with pytest.raises(SearchError, match=message):
        fold_query(query)
