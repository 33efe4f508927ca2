-- The archive as baotinh wrote it at schema version 1 (storage for issue 4: articles, authors,
-- images, crawl runs; no sites, provinces, article versions or full-text search).
-- A frozen snapshot for tests/test_migrations.py: never edit it to follow later migrations.
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
PRAGMA user_version = 1;
