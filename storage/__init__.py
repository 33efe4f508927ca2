"""storage: the archive database, the only code in baotinh that speaks SQL (via sqlite-utils).

    db = open_database("data/baotinh.db")          # create/migrate; StorageError if unusable
    run = start_run(db, spider="baolangson", site="baolangson")
    ArticleWriter(db).write(item, crawl_run_id=run)  # "new" | "updated" | "unchanged"
    finish_run(db, run, finish_reason="finished", stats=crawler.stats.get_stats())
    search(db, '"Lạng Sơn" dong chi', site="baolangson")

Tables, columns and example queries: docs/schema.md.
"""
from storage.db import open_database, write_transaction
from storage.errors import SearchError, StorageError
from storage.migrations import schema_version
from storage.queries import count_articles, get_article, is_known, iter_articles, known_urls, top_authors
from storage.runs import finish_run, list_runs, start_run
from storage.search import search
from storage.sites import sync_sites
from storage.writer import ArticleWriter
from storage.maintenance import check_search_index, rebuild_search_index

__all__ = [
    "open_database", "write_transaction", "schema_version", "StorageError", "SearchError",
    "ArticleWriter", "known_urls", "is_known", "get_article", "iter_articles", "top_authors", "count_articles",
    "start_run", "finish_run", "list_runs", "sync_sites", "search",
    "check_search_index", "rebuild_search_index",
]
