"""datasette/metadata.json against a real archive, through Datasette's own test client."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from storage import ArticleWriter, open_database, sync_sites

METADATA = Path(__file__).resolve().parent.parent / "datasette" / "metadata.json"


def test_metadata_is_valid_json_for_the_baotinh_database():
    metadata = json.loads(METADATA.read_text(encoding="utf-8"))
    tables = metadata["databases"]["baotinh"]["tables"]
    assert tables["articles"]["fts_table"] == "articles_fts" and tables["articles"]["fts_pk"] == "id"
    assert set(metadata["databases"]["baotinh"]["queries"]) >= {
        "articles_per_site_per_month", "top_authors", "articles_by_author"}


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "baotinh.db"  # Datasette names the database after the file: "baotinh"
    db = open_database(path)
    sync_sites(db, [{"name": "baolangson", "newspaper": "Báo Lạng Sơn", "province": "Lạng Sơn"},
                    {"name": "baolaocai", "newspaper": "Báo Lào Cai", "province": "Lào Cai"}])
    ArticleWriter(db).write_many([
        {"url": "https://baolangson.vn/1.html", "site": "baolangson", "title": "Đồng chí Bí thư thăm đồn biên phòng",
         "body": "Nội dung.", "published_at": "2024-03-05T08:00:00+07:00", "authors": ["Trí Dũng", "Hoàng Anh"]},
        {"url": "https://baolangson.vn/2.html", "site": "baolangson", "title": "Chợ phiên vùng cao",
         "body": "Đông vui.", "published_at": "2024-03-20T08:00:00+07:00", "authors": ["Trí Dũng"]},
        {"url": "https://baolaocai.vn/3.html", "site": "baolaocai", "title": "Sa Pa mùa lúa chín",
         "body": "Đồng bào thu hoạch.", "published_at": "2024-04-02T08:00:00+07:00", "authors": ["Lê Minh"]},
    ])
    db.close()
    return path


def get_all(path: Path, urls: list[str]) -> list:
    datasette_app = pytest.importorskip("datasette.app")
    metadata = json.loads(METADATA.read_text(encoding="utf-8"))

    async def fetch():
        ds = datasette_app.Datasette([str(path)], metadata=metadata)
        return [await ds.client.get(url) for url in urls]

    return asyncio.run(fetch())


def test_datasette_search_facets_and_canned_queries(archive):
    (search, browse_search, prefix, browse, per_month, top, by_author, canned_search, index) = get_all(archive, [
        "/baotinh/articles.json?_search=dong+chi&_shape=array",
        "/baotinh/articles_browse.json?_search=dong+chi&_shape=array",
        "/baotinh/articles.json?_search=dong*&_shape=array",
        "/baotinh/articles_browse.json?_extra=facet_results",
        "/baotinh/articles_per_site_per_month.json?site=&_shape=array",
        "/baotinh/top_authors.json?site=baolangson&_shape=array",
        "/baotinh/articles_by_author.json?author=tri+dung&_shape=array",
        "/baotinh/search.json?q=%C4%90%E1%BB%93ng+ch%C3%AD&_shape=array",  # "Đồng chí", đ included
        "/baotinh.json",
    ])
    for response in (search, browse_search, prefix, browse, per_month, top, by_author, canned_search, index):
        assert response.status_code == 200, response.text[:300]
    # ?_search=dong chi on the articles table finds "Đồng chí"
    assert [r["title"] for r in search.json()] == ["Đồng chí Bí thư thăm đồn biên phòng"]
    assert [r["title"] for r in browse_search.json()] == ["Đồng chí Bí thư thăm đồn biên phòng"]
    assert sorted(r["id"] for r in prefix.json()) == [1, 2, 3]  # raw FTS syntax works: Đồng, Đông, Đồng
    facets = browse.json()["facet_results"]
    assert {f["value"]: f["count"] for f in facets["site"]["results"]} == {"baolangson": 2, "baolaocai": 1}
    assert {f["value"]: f["count"] for f in facets["authors"]["results"]} == {
        "Trí Dũng": 2, "Hoàng Anh": 1, "Lê Minh": 1}
    assert {f["value"]: f["count"] for f in facets["month"]["results"]} == {"2024-03": 2, "2024-04": 1}
    assert per_month.json() == [
        {"site": "baolangson", "newspaper": "Báo Lạng Sơn", "month": "2024-03", "articles": 2},
        {"site": "baolaocai", "newspaper": "Báo Lào Cai", "month": "2024-04", "articles": 1}]
    assert [(r["author"], r["articles"]) for r in top.json()] == [("Trí Dũng", 2), ("Hoàng Anh", 1)]
    assert [r["url"] for r in by_author.json()] == ["https://baolangson.vn/2.html", "https://baolangson.vn/1.html"]
    assert [r["title"] for r in canned_search.json()] == ["Đồng chí Bí thư thăm đồn biên phòng"]
    assert "articles_fts" in {t["name"] for t in index.json()["tables"] if t["hidden"]}
