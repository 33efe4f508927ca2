"""One test over every fixture pair: a new site or page needs a fixture, not test code.

tests/fixtures/<site>/<page>.html is a page as the server sent it; <page>.json beside it is
the item our extraction and normalization must produce from it (every key given is compared).
"""
import gzip
import json

import pytest

from conftest import REFERENCE, fixture_pairs
from crawler.article import build_article
from crawler.extract import extract_page
from crawler.registry import get_site

PAIRS = fixture_pairs()


def load_page(expected_path):
    html = expected_path.with_suffix(".html")
    if html.is_file():
        return html.read_bytes()
    return gzip.decompress(expected_path.with_suffix(".html.gz").read_bytes())


def test_there_are_fixture_pairs():
    assert len(PAIRS) >= 24


@pytest.mark.parametrize("expected_path", PAIRS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_page_extracts_to_expected_item(expected_path):
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    site = get_site(expected["site"]) if expected.get("site") else None
    raw = extract_page(load_page(expected_path), expected["url"], site=site)
    item, _problems = build_article(raw, url=expected["url"], site=site, fetched_at=REFERENCE)
    assert {key: item.get(key) for key in expected} == expected
