"""The sites table, mirrored from the registry (crawler/sites.toml)."""
from __future__ import annotations

import sqlite_utils

from storage.dates import now_iso
from storage.db import storage_errors, write_transaction

SITE_COLUMNS = ("name", "newspaper", "province", "former_province", "domain", "base_url", "family")


def sync_sites(db: sqlite_utils.Database, sites: list[dict]) -> int:
    """Upsert registry rows (dicts with SITE_COLUMNS; other keys ignored, e.g. Site.as_row()).

    Sites missing from `sites` are kept (a partial registry never deletes history). Articles
    of these sites whose province differs from the registry's get it (filled in after the
    fact for articles stored before their site was known). Returns the number of sites.
    """
    stamp = now_iso()
    rows = []
    for site in sites:
        if not site.get("name"):
            continue
        row = {key: site.get(key) for key in SITE_COLUMNS}
        if isinstance(row["former_province"], (list, tuple)):
            row["former_province"] = ", ".join(row["former_province"]) or None
        rows.append({**row, "updated_at": stamp})
    with storage_errors("cannot update the sites table"), write_transaction(db):
        columns = (*SITE_COLUMNS, "updated_at")
        db.conn.executemany(
            f"INSERT INTO sites ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT(name) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in columns[1:])}",
            [tuple(row[c] for c in columns) for row in rows])
        names = [row["name"] for row in rows]
        for start in range(0, len(names), 500):
            chunk = names[start:start + 500]
            db.execute(
                "UPDATE articles SET province = (SELECT s.province FROM sites s WHERE s.name = articles.site) "
                f"WHERE site IN ({', '.join('?' * len(chunk))}) AND province IS NOT "
                "(SELECT s.province FROM sites s WHERE s.name = articles.site)", chunk)
    return len(rows)
