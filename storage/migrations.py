"""Schema migrations keyed on PRAGMA user_version.

MIGRATIONS is the schema's history: migration N turns a version N-1 database into version N,
and a new database simply runs them all. Never edit a migration that has shipped; append one:

    @migration(4, "raw pages kept for re-extraction")
    def _raw_pages(db):
        db.execute("CREATE TABLE raw_pages (...)")

The decorator refuses a number that is not the next one (two branches both adding
"migration 4" fail loudly at import instead of silently skipping one). Each migration runs
in its own BEGIN IMMEDIATE transaction together with its user_version bump, so a failure
leaves the database exactly at the previous version, and two processes opening an old
database at once upgrade it only once. Write migrations as plain SQL, frozen in time (no
helper whose output may change later); use Python only for data SQL cannot compute.
"""
from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from storage.db import user_version, write_transaction
from storage.errors import StorageError

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[tuple[int, str, Migration]] = []


def migration(version: int, description: str) -> Callable[[Migration], Migration]:
    def register(function: Migration) -> Migration:
        expected = len(MIGRATIONS) + 1
        if version != expected:
            raise RuntimeError(f"migration {version} ({description!r}) registered where {expected} was expected")
        MIGRATIONS.append((version, description, function))
        return function
    return register


def schema_version() -> int:
    """The version a database has once open_database has migrated it."""
    return len(MIGRATIONS)


def migrate(db: sqlite_utils.Database, target: int | None = None) -> int:
    """Apply every pending migration (up to `target`, for tests); return the new version."""
    target = schema_version() if target is None else target
    current = user_version(db)
    if current > schema_version():
        raise StorageError(f"the database has schema version {current}, newer than this baotinh "
                           f"understands ({schema_version()}); upgrade baotinh")
    for version, description, function in MIGRATIONS[current:target]:
        with write_transaction(db):
            if user_version(db) >= version:  # another process got here first
                continue
            try:
                function(db)
            except StorageError:
                raise
            except Exception as exc:
                raise StorageError(f"migration {version} ({description}) failed: {exc}") from exc
            db.execute(f"PRAGMA user_version = {version}")
    return user_version(db)


def _run(db: sqlite_utils.Database, script: str) -> None:
    """Execute `;`-separated statements one by one (executescript would COMMIT mid-migration)."""
    for statement in _statements(script):
        db.execute(statement)


def _statements(script: str) -> list[str]:
    """Split on `;` at the end of a line; trigger bodies end their inner statements with `;`
    too, so a CREATE TRIGGER runs until its closing `END;`."""
    statements, current = [], []
    for line in script.strip().splitlines():
        current.append(line)
        text = "\n".join(current).strip()
        if text.endswith(";"):
            in_trigger = text.upper().startswith("CREATE TRIGGER")
            if not in_trigger or text.upper().endswith("END;"):
                statements.append(text)
                current = []
    if "\n".join(current).strip():
        statements.append("\n".join(current).strip())
    return statements


@migration(1, "articles, authors, images and crawl runs")
def _core(db):
    _run(db, """
CREATE TABLE crawl_runs (
    id INTEGER PRIMARY KEY,
    spider TEXT NOT NULL,
    site TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    finish_reason TEXT,
    stats TEXT
);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    canonical_url TEXT NOT NULL UNIQUE,
    site TEXT NOT NULL,
    title TEXT,
    lead TEXT,
    body TEXT,
    published_at TEXT,
    published_raw TEXT,
    modified_at TEXT,
    modified_raw TEXT,
    byline_raw TEXT,
    source TEXT,
    category TEXT,
    tags TEXT,
    language TEXT,
    word_count INTEGER,
    content_sha256 TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    crawl_run_id INTEGER REFERENCES crawl_runs(id)
);
CREATE INDEX articles_site_published ON articles(site, published_at);
CREATE TABLE authors (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL UNIQUE
);
CREATE TABLE article_authors (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES authors(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (article_id, position)
);
CREATE TABLE images (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    caption TEXT,
    credit TEXT,
    PRIMARY KEY (article_id, position)
);
""")


@migration(2, "research database: sites, provinces, article versions, run details, browse view")
def _research(db):
    _run(db, """
CREATE TABLE sites (
    name TEXT PRIMARY KEY,
    newspaper TEXT,
    province TEXT,
    former_province TEXT,
    domain TEXT,
    base_url TEXT,
    family TEXT,
    updated_at TEXT
);
ALTER TABLE articles ADD COLUMN province TEXT;
ALTER TABLE crawl_runs ADD COLUMN mode TEXT;
ALTER TABLE crawl_runs ADD COLUMN scheduled_by TEXT;
ALTER TABLE crawl_runs ADD COLUMN args TEXT;
CREATE INDEX crawl_runs_site_started ON crawl_runs(site, started_at);
CREATE INDEX articles_published ON articles(published_at);
CREATE INDEX article_authors_author ON article_authors(author_id);
CREATE TABLE article_versions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    title TEXT,
    lead TEXT,
    body TEXT,
    published_at TEXT,
    published_raw TEXT,
    modified_at TEXT,
    modified_raw TEXT,
    byline_raw TEXT,
    authors TEXT,
    tags TEXT,
    content_sha256 TEXT NOT NULL,
    first_seen_at TEXT,
    last_seen_at TEXT,
    replaced_at TEXT NOT NULL,
    crawl_run_id INTEGER
);
CREATE INDEX article_versions_article ON article_versions(article_id);
CREATE VIEW articles_browse AS
SELECT
    a.id,
    a.published_at,
    substr(a.published_at, 1, 7) AS month,
    a.site,
    a.province,
    a.title,
    (SELECT json_group_array(name) FROM (
        SELECT au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id
        WHERE aa.article_id = a.id ORDER BY aa.position)) AS authors,
    a.category,
    a.word_count,
    a.canonical_url AS url
FROM articles a;
""")


@migration(3, "full-text search: FTS5 over title, lead and body with đ folded to d")
def _search(db):
    # articles_search is the "folded copy" the index is built from: a view, so the text is
    # not stored twice and 'rebuild' / 'integrity-check' can always re-read it. The triggers
    # apply the same folding (storage.folding.INDEX_FOLD_SQL) and keep the index in sync
    # whoever writes, in plain SQL (no application function needed).
    _run(db, """
CREATE VIEW articles_search AS
SELECT id,
    replace(replace(title, 'đ', 'd'), 'Đ', 'D') AS title,
    replace(replace(lead, 'đ', 'd'), 'Đ', 'D') AS lead,
    replace(replace(body, 'đ', 'd'), 'Đ', 'D') AS body
FROM articles;
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, lead, body,
    content='articles_search', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, lead, body) VALUES (new.id,
        replace(replace(new.title, 'đ', 'd'), 'Đ', 'D'),
        replace(replace(new.lead, 'đ', 'd'), 'Đ', 'D'),
        replace(replace(new.body, 'đ', 'd'), 'Đ', 'D'));
END;
CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, lead, body) VALUES ('delete', old.id,
        replace(replace(old.title, 'đ', 'd'), 'Đ', 'D'),
        replace(replace(old.lead, 'đ', 'd'), 'Đ', 'D'),
        replace(replace(old.body, 'đ', 'd'), 'Đ', 'D'));
END;
CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, lead, body ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, lead, body) VALUES ('delete', old.id,
        replace(replace(old.title, 'đ', 'd'), 'Đ', 'D'),
        replace(replace(old.lead, 'đ', 'd'), 'Đ', 'D'),
        replace(replace(old.body, 'đ', 'd'), 'Đ', 'D'));
    INSERT INTO articles_fts(rowid, title, lead, body) VALUES (new.id,
        replace(replace(new.title, 'đ', 'd'), 'Đ', 'D'),
        replace(replace(new.lead, 'đ', 'd'), 'Đ', 'D'),
        replace(replace(new.body, 'đ', 'd'), 'Đ', 'D'));
END;
CREATE TRIGGER articles_children_ad AFTER DELETE ON articles BEGIN
    DELETE FROM article_authors WHERE article_id = old.id;
    DELETE FROM images WHERE article_id = old.id;
    DELETE FROM article_versions WHERE article_id = old.id;
END;
INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
""")


@migration(4, "scheduling: per-site crawl locks and each schedule entry's last check")
def _scheduling(db):
    # crawl_locks: at most one row per site (the PRIMARY KEY makes acquiring a single INSERT
    # that fails on conflict); token identifies one acquisition, so a release or a stale-lock
    # clean-up never deletes a newer holder's row. pid/host for local crawls, job (and the
    # Scrapyd URL as host) for crawls handed to Scrapyd. refreshed_at is the holder's last
    # heartbeat. schedule_checks: the last time `baotinh schedule run-due` checked each entry.
    _run(db, """
CREATE TABLE crawl_locks (
    site TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    owner TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER,
    job TEXT,
    acquired_at TEXT NOT NULL,
    refreshed_at TEXT NOT NULL
);
CREATE TABLE schedule_checks (
    entry TEXT PRIMARY KEY,
    checked_at TEXT NOT NULL
);
""")


@migration(5, "raw pages: every fetched listing and article page, bodies deduplicated by digest")
def _raw_pages(db):
    # payloads: one row per distinct body (sha256 hex of the body as received, transfer gzip
    # decoded), zlib-compressed. captures: one row per fetch, referencing its payload; a
    # capture whose digest an earlier capture already had is a revisit (WARC export). headers
    # are the response headers as the server sent them, JSON [[name, value], ...].
    _run(db, """
CREATE TABLE payloads (
    digest TEXT PRIMARY KEY,
    length INTEGER NOT NULL,
    compression TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE TABLE captures (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    final_url TEXT NOT NULL,
    method TEXT NOT NULL DEFAULT 'GET',
    status INTEGER NOT NULL,
    protocol TEXT,
    headers TEXT NOT NULL,
    request_headers TEXT,
    fetched_at TEXT NOT NULL,
    digest TEXT NOT NULL REFERENCES payloads(digest),
    crawl_run_id INTEGER
);
CREATE INDEX captures_site_fetched ON captures(site, fetched_at);
CREATE INDEX captures_final_url ON captures(final_url);
CREATE INDEX captures_digest ON captures(digest);
""")
