"""ArticleWriter: the one way articles get into the archive (upsert, versions, authors, images).

The full-text index follows the articles table through triggers (migration 3), so the writer
never touches it.

Speed (benchmarks/storage.py): SQLite's own work (the row, its indexes, FTS5) is most of the
cost, so the Python side is kept small: the body is encoded to UTF-8 once for both the content
hash and the word count, URLs of a batch are looked up in one query, rows go in with
executemany() on the raw connection, author ids are cached.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from crawler.normalize.text import clean_space, fold
from storage.db import write_transaction
from storage.dates import now_iso, to_iso
from storage.errors import StorageError, describe

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"

# Columns set from the item's content (the upsert replaces all of them on "updated").
_CONTENT = ("title", "lead", "body", "published_at", "published_raw", "modified_at", "modified_raw",
            "byline_raw", "source", "category", "tags", "language", "word_count", "content_sha256")
_INSERT = ("INSERT INTO articles (id, url, canonical_url, site, province, " + ", ".join(_CONTENT) +
           ", first_seen_at, last_seen_at, crawl_run_id) VALUES (" + ", ".join("?" * (len(_CONTENT) + 8)) + ")")
_UPDATE = ("UPDATE articles SET canonical_url = ?, province = coalesce(?, province), " +
           ", ".join(f"{c} = ?" for c in _CONTENT) +
           ", last_seen_at = max(last_seen_at, ?), crawl_run_id = ? WHERE id = ?")
_TOUCH = "UPDATE articles SET last_seen_at = max(last_seen_at, ?), canonical_url = ? WHERE id = ?"
_ARCHIVE = """
INSERT INTO article_versions (article_id, title, lead, body, published_at, published_raw, modified_at,
    modified_raw, byline_raw, authors, tags, content_sha256, first_seen_at, last_seen_at, replaced_at,
    crawl_run_id)
SELECT a.id, a.title, a.lead, a.body, a.published_at, a.published_raw, a.modified_at, a.modified_raw,
    a.byline_raw,
    (SELECT json_group_array(name) FROM (SELECT au.name FROM article_authors aa
        JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id ORDER BY aa.position)),
    a.tags, a.content_sha256,
    coalesce((SELECT max(v.replaced_at) FROM article_versions v WHERE v.article_id = a.id), a.first_seen_at),
    a.last_seen_at, ?, a.crawl_run_id
FROM articles a WHERE a.id = ?"""
_LOOKUP_ONE = ("SELECT id, url, canonical_url, content_sha256 FROM articles "
               "WHERE canonical_url = ? OR url = ? OR canonical_url = ? OR url = ?")
_LOOKUP_SAME = "SELECT id, url, canonical_url, content_sha256 FROM articles WHERE canonical_url = ? OR url = ?"
_LOOKUP_MANY = "SELECT url, canonical_url FROM articles WHERE canonical_url IN ({0}) OR url IN ({0})"
_LINK = "INSERT INTO article_authors (article_id, author_id, position) VALUES (?, ?, ?)"
_IMAGE = "INSERT INTO images (article_id, position, url, caption, credit) VALUES (?, ?, ?, ?, ?)"


def _text(value) -> str | None:
    if value is None:
        return None
    if value.__class__ is not str:
        value = str(value)
    return value if value and not value.isspace() else None


def _nfc(value) -> str | None:
    """NFC text, None for a missing or empty value (whitespace-only text is kept, as given)."""
    return unicodedata.normalize("NFC", value) or None if value else None


_JSON = json.JSONEncoder(ensure_ascii=False).encode  # == json.dumps(x, ensure_ascii=False), minus its set-up

# word_count() counts what len(text.split()) counts, in a third of the time (no list of words):
# over the UTF-8 bytes, each byte str.split() splits on becomes 0 and every other byte 1; read as
# one integer v (byte i = bits 8i..8i+7), a word ends at each 1-byte followed by a 0-byte or by
# the end, so the words are the bits set in v and not in v >> 8. str.split() also splits on a few
# non-ASCII spaces (U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F,
# U+3000): text that may hold one (UTF-8 lead byte C2, E2 or E3, or U+1680) and does is counted
# by str.split() itself.
_SPLIT_BYTES = b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "
_WORD_BYTES = bytes(0 if byte in _SPLIT_BYTES else 1 for byte in range(256))
_WIDE_SPACE = re.compile("[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def word_count(text: str, encoded: bytes | None = None) -> int:
    """len(text.split()), faster; `encoded` is text.encode() if the caller has it already."""
    if encoded is None:
        encoded = text.encode()
    if (b"\xc2" in encoded or b"\xe2" in encoded or b"\xe3" in encoded or "\u1680" in text) \
            and _WIDE_SPACE.search(text):
        return len(text.split())
    v = int.from_bytes(encoded.translate(_WORD_BYTES), "little")
    return (((v >> 8) ^ v) & v).bit_count()


@functools.lru_cache(maxsize=8192)
def _author_key(name: str) -> tuple[str, str]:
    """(name_folded, display name) for one byline name; bylines repeat, so cached."""
    name = clean_space(name)
    return fold(name), name


def _caps_score(name: str) -> int:
    """Which spelling of a name to display: "Trí Dũng" (2) > "trí dũng" (1) > "TRÍ DŨNG" (0)."""
    if name.isupper():
        return 0
    return 1 if name.islower() else 2


def content_hash(title, lead, body, published_at, authors_folded: list[str]) -> str:
    """sha256 over what makes two crawls of an article "the same content": title, lead, body,
    published_at and the authors (folded, so a change of capitalization is no new version)."""
    parts = [title or "", lead or "", body or "", published_at or "", *authors_folded]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _content_hash(title, lead, encoded_body: bytes, published_at, authors: list) -> str:
    """content_hash() with the body already encoded (UTF-8 is concatenative: same digest)."""
    parts = [(title or "").encode(), (lead or "").encode(), encoded_body, (published_at or "").encode()]
    parts.extend(folded.encode() for folded, _ in authors)
    return hashlib.sha256(b"\x1f".join(parts)).hexdigest()


@dataclass(slots=True)
class _Article:
    """An item checked and reduced to what is stored."""
    url: str
    canonical: str
    site: str
    content: tuple          # values for _CONTENT, in order
    fetched_at: str
    authors: list           # [(name_folded, display name)]
    images: list            # [(url, caption, credit)]

    @property
    def sha(self) -> str:
        return self.content[-1]


class ArticleWriter:
    """Upserts article items (dicts with the fields of crawler.items.ARTICLE_FIELDS).

    write() commits before returning, so a stored article survives a killed crawler; write_many()
    stores a batch in one transaction (all or nothing). Both report "new", "updated" or
    "unchanged" per item. Any failure raises StorageError and rolls the transaction back.
    """

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self._authors: dict[str, tuple[int, str]] = {}   # name_folded -> (id, display name)
        self._provinces: dict[str, str | None] = {}

    def write(self, item: dict, *, crawl_run_id: int | None = None) -> str:
        return self.write_many([item], crawl_run_id=crawl_run_id)[0]

    def write_many(self, items: Iterable[dict], *, crawl_run_id: int | None = None) -> list[str]:
        items = list(items)
        if not items:
            return []
        current = None
        try:
            articles = []
            for current in items:
                articles.append(self._prepare(current))
            current = items[0] if len(items) == 1 else None
            with write_transaction(self.db):
                if len(articles) == 1:
                    return [self._upsert(articles[0], crawl_run_id)]
                return self._store(articles, crawl_run_id)
        except sqlite3.Error as exc:
            self._forget()
            what = current.get("url") if isinstance(current, dict) else f"{len(items)} article(s)"
            raise StorageError(f"cannot store {what or 'article'}: {describe(exc)}") from exc
        except BaseException:
            self._forget()
            raise

    def _forget(self) -> None:
        """A rolled-back transaction may have created authors we cached: drop the caches."""
        self._authors.clear()
        self._provinces.clear()

    @staticmethod
    def _prepare(item: dict) -> _Article:
        if not isinstance(item, dict):
            raise StorageError(f"an article must be a dict, not {type(item).__name__}")
        get = item.get
        url = _text(get("url"))
        site = _text(get("site"))
        if not url:
            raise StorageError("article has no url")
        if not site:
            raise StorageError(f"article has no site: {url}")
        title, lead, body = _nfc(get("title")), _nfc(get("lead")), _nfc(get("body"))
        encoded_body = body.encode() if body else b""
        published_at = to_iso(get("published_at"))
        authors, seen = [], set()
        for name in get("authors") or ():
            folded, name = _author_key(name) if isinstance(name, str) else ("", "")
            if folded and folded not in seen:
                seen.add(folded)
                authors.append((folded, name))
        images = []
        for image in get("images") or ():
            if isinstance(image, str):
                image = {"url": image}
            if isinstance(image, dict) and _text(image.get("url")):
                images.append((image["url"], _text(image.get("caption")), _text(image.get("credit"))))
        tags = get("tags")
        content = (title, lead, body, published_at, _text(get("published_raw")),
                   to_iso(get("modified_at")), _text(get("modified_raw")),
                   _text(get("byline_raw")), _text(get("source")), _text(get("category")),
                   _JSON([tags] if isinstance(tags, str) else list(tags)) if tags else "[]",
                   _text(get("language")), word_count(body, encoded_body) if body else 0,
                   _content_hash(title, lead, encoded_body, published_at, authors))
        return _Article(url=url, canonical=_text(get("canonical_url")) or url, site=site, content=content,
                        fetched_at=to_iso(get("fetched_at")) or now_iso(), authors=authors, images=images)

    def _store(self, articles: list[_Article], crawl_run_id) -> list[str]:
        """New articles whose URLs appear nowhere else are inserted in bulk (executemany, ids
        assigned here under the write lock); the rest go one by one, in order, after them."""
        known = self._known_keys(articles)
        bulk, later, claimed = [], [], set()
        for index, article in enumerate(articles):
            keys = {article.url, article.canonical}
            if keys & known or keys & claimed:
                later.append(index)
            else:
                bulk.append(index)
                claimed |= keys
        statuses: list[str] = [NEW] * len(articles)
        if bulk:
            self._insert([articles[i] for i in bulk], crawl_run_id)
        for index in later:
            statuses[index] = self._upsert(articles[index], crawl_run_id)
        return statuses

    def _known_keys(self, articles: list[_Article]) -> set[str]:
        keys = list({key for a in articles for key in (a.url, a.canonical)})
        known: set[str] = set()
        execute = self.db.conn.execute
        for start in range(0, len(keys), 400):
            chunk = keys[start:start + 400]
            marks = ", ".join("?" * len(chunk))
            for url, canonical in execute(_LOOKUP_MANY.format(marks), chunk + chunk):
                known.add(url)
                known.add(canonical)
        return known

    def _insert(self, articles: list[_Article], crawl_run_id) -> None:
        conn = self.db.conn
        if len(articles) == 1:  # write(): SQLite assigns the id
            a = articles[0]
            article_id = conn.execute(_INSERT, (None, a.url, a.canonical, a.site, self._province(a.site),
                                                *a.content, a.fetched_at, a.fetched_at, crawl_run_id)).lastrowid
            self._children(article_id, a)
            return
        # ids assigned here, under the write lock, so that the children rows can go in bulk too
        next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM articles").fetchone()[0]
        rows, links, images = [], [], []
        province, author_id = self._province, self._author_id
        for article_id, a in enumerate(articles, next_id):
            rows.append((article_id, a.url, a.canonical, a.site, province(a.site), *a.content,
                         a.fetched_at, a.fetched_at, crawl_run_id))
            if a.authors:
                links.extend((article_id, author_id(folded, name), position)
                             for position, (folded, name) in enumerate(a.authors))
            if a.images:
                images.extend((article_id, position, *image) for position, image in enumerate(a.images))
        conn.executemany(_INSERT, rows)
        if links:
            conn.executemany(_LINK, links)
        if images:
            conn.executemany(_IMAGE, images)

    def _children(self, article_id: int, a: _Article) -> None:
        """article_authors and images rows of one article."""
        conn = self.db.conn
        if a.authors:
            conn.executemany(_LINK, [(article_id, self._author_id(folded, name), position)
                                     for position, (folded, name) in enumerate(a.authors)])
        if a.images:
            conn.executemany(_IMAGE, [(article_id, position, *image) for position, image in enumerate(a.images)])

    def _upsert(self, a: _Article, crawl_run_id) -> str:
        existing = self._find(a.url, a.canonical)
        if existing is None:
            self._insert([a], crawl_run_id)
            return NEW
        article_id, canonical, old_sha = existing
        execute = self.db.conn.execute
        if old_sha == a.sha:
            execute(_TOUCH, (a.fetched_at, canonical, article_id))
            return UNCHANGED
        execute(_ARCHIVE, (a.fetched_at, article_id))
        execute(_UPDATE, (canonical, self._province(a.site), *a.content, a.fetched_at, crawl_run_id, article_id))
        execute("DELETE FROM article_authors WHERE article_id = ?", (article_id,))
        execute("DELETE FROM images WHERE article_id = ?", (article_id,))
        self._children(article_id, a)
        return UPDATED

    def _find(self, url: str, canonical: str):
        """The stored article an item is, as (id, canonical_url to keep, content_sha256), or None.

        Matched on canonical_url first, then on the fetched url (the page's canonical changed, or
        the earlier crawl saw none). url is never rewritten: it stays the first URL stored, so
        known_urls keeps covering it; canonical_url follows the page unless another row has it.
        """
        if url == canonical:  # the usual case: two index probes instead of four
            rows = self.db.conn.execute(_LOOKUP_SAME, (url, url)).fetchall()
        else:
            rows = self.db.conn.execute(_LOOKUP_ONE, (canonical, url, url, canonical)).fetchall()
        if not rows:
            return None
        ranked = sorted(rows, key=lambda r: (r[2] != canonical, r[1] != url, r[1] != canonical))
        article_id, _, stored_canonical, sha = ranked[0]
        taken = any(r[2] == canonical and r[0] != article_id for r in rows)
        return article_id, (stored_canonical if taken else canonical), sha

    def _author_id(self, folded: str, name: str) -> int:
        """Get-or-create by name_folded; the display name moves to a better-cased spelling."""
        cached = self._authors.get(folded)
        if cached is None:
            row = self.db.conn.execute("SELECT id, name FROM authors WHERE name_folded = ?", (folded,)).fetchone()
            if row is None:
                cursor = self.db.conn.execute("INSERT INTO authors (name, name_folded) VALUES (?, ?)",
                                              (name, folded))
                self._authors[folded] = (cursor.lastrowid, name)
                return cursor.lastrowid
            cached = self._authors[folded] = (row[0], row[1])
        author_id, shown = cached
        if _caps_score(name) > _caps_score(shown):
            self.db.conn.execute("UPDATE authors SET name = ? WHERE id = ?", (name, author_id))
            self._authors[folded] = (author_id, name)
        return author_id

    def _province(self, site: str) -> str | None:
        if site not in self._provinces:
            row = self.db.conn.execute("SELECT province FROM sites WHERE name = ?", (site,)).fetchone()
            if row is None:
                return None  # unknown site: not cached, sync_sites may add it later
            self._provinces[site] = row[0]
        return self._provinces[site]
