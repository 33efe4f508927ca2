"""`baotinh export-warc`: raw pages as WARC/1.1 that warcio reads back and indexers index.

Two crawls of baolangson (the second with --full, through gzip) give every page twice with the
same decoded bytes: the export must hold one response per distinct body and a revisit for each
repeat, with payload digests equal to the stored sha256 of the decoded body.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_baotinh
from crawler.sample_site import serve_sample_site
from test_modes import crawl, query, served

WARCIO = Path(sys.executable).with_name("warcio")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("warc")
    db = tmp / "a.db"
    with served("baolangson") as server:
        crawl("baolangson", server, db)
    (gz,) = serve_sample_site(0, sites=["baolangson"], gzip_responses=True)
    try:
        crawl("baolangson", gz, db, "--full")
    finally:
        gz.stop()
    output = tmp / "baolangson.warc.gz"
    result = run_baotinh("export-warc", "-o", output, "--db", db)
    assert result.returncode == 0, result.stderr[-3000:]
    return db, output, result.stdout


def read_records(path):
    from warcio.archiveiterator import ArchiveIterator

    records = []
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream, check_digests=True):
            records.append({
                "type": record.rec_type,
                "headers": dict(record.rec_headers.headers),
                "http": dict(record.http_headers.headers) if record.http_headers else {},
                "status": record.http_headers.get_statuscode() if record.http_headers else None,
                "payload": record.content_stream().read(),
                "digest_ok": record.digest_checker.passed is not False,
            })
    return records


def stored_captures(db):
    return query(db, "SELECT c.id, c.final_url, c.digest, c.headers FROM captures c ORDER BY c.id")


def test_record_counts_match_the_stored_pages(archive):
    db, output, stdout = archive
    captures = stored_captures(db)
    digests = {digest for _, _, digest, _ in captures}
    records = read_records(output)
    kinds = [r["type"] for r in records]
    assert kinds[0] == "warcinfo" and kinds.count("warcinfo") == 1
    assert kinds.count("request") == len(captures)
    assert kinds.count("response") == len(digests)
    assert kinds.count("revisit") == len(captures) - len(digests) > 0
    assert all(r["headers"]["WARC-Type"] != "warcinfo" or r is records[0] for r in records)
    assert all(r["digest_ok"] for r in records)
    assert f"{len(captures)} pages, {len(digests)} responses, {len(captures) - len(digests)} revisits" in stdout


def test_payload_digests_are_the_stored_ones(archive):
    db, output, _ = archive
    captures = stored_captures(db)
    bodies = dict(query(db, "SELECT digest, body FROM payloads"))
    responses = [r for r in read_records(output) if r["type"] == "response"]
    assert {hashlib.sha256(r["payload"]).hexdigest() for r in responses} == set(bodies)
    for record in responses:
        hexdigest = hashlib.sha256(record["payload"]).hexdigest()
        b32 = base64.b32encode(bytes.fromhex(hexdigest)).decode()
        assert record["headers"]["WARC-Payload-Digest"] == f"sha256:{b32}"
        assert int(record["http"]["Content-Length"]) == len(record["payload"])
    # revisits name the stored digest and the response they repeat
    response_ids = {r["headers"]["WARC-Record-ID"] for r in responses}
    revisits = [r for r in read_records(output) if r["type"] == "revisit"]
    stored_b32 = {"sha256:" + base64.b32encode(bytes.fromhex(d)).decode() for _, _, d, _ in captures}
    for record in revisits:
        assert record["headers"]["WARC-Payload-Digest"] in stored_b32
        assert record["headers"]["WARC-Refers-To"] in response_ids
        assert record["headers"]["WARC-Profile"].endswith("/revisit/identical-payload-digest")


def test_gzip_transfer_is_decoded_and_noted(archive):
    db, output, _ = archive
    gzipped = [url for _, url, _, headers in stored_captures(db)
               if any(k.lower() == "content-encoding" and v == "gzip" for k, v in json.loads(headers))]
    assert gzipped, "the second crawl went through gzip"
    revisits = [r for r in read_records(output) if r["type"] == "revisit"
                and r["headers"]["WARC-Target-URI"] in set(gzipped)]
    assert revisits and all(r["http"].get("X-Archive-Orig-Content-Encoding") == "gzip" for r in revisits)
    assert all("Content-Encoding" not in r["http"] for r in revisits)


def test_warcio_check_and_index_accept_the_file(archive):
    _, output, _ = archive
    check = subprocess.run([str(WARCIO), "check", str(output)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    index = subprocess.run([str(WARCIO), "index", "-f", "warc-type,warc-target-uri,warc-payload-digest", str(output)],
                           capture_output=True, text=True)
    assert index.returncode == 0, index.stderr
    lines = [json.loads(line) for line in index.stdout.splitlines()]
    assert len(lines) == len(read_records(output))
    assert {line["warc-type"] for line in lines} == {"warcinfo", "request", "response", "revisit"}


def _pywb_python() -> str | None:
    try:
        import pywb  # noqa: F401
        return sys.executable
    except ImportError:
        return os.environ.get("BAOTINH_PYWB_PYTHON")


def test_pywb_indexes_the_file(archive):
    """pywb's own CDX indexer. pywb cannot share this virtualenv (it pins redis<3 and older
    cryptography); `make test` builds .venv-pywb and points BAOTINH_PYWB_PYTHON at it."""
    python = _pywb_python()
    if not python:
        pytest.skip("pywb not installed here; set BAOTINH_PYWB_PYTHON to a Python with pywb")
    db, output, _ = archive
    result = subprocess.run([python, "-m", "pywb.indexer.cdxindexer", "-j", str(output)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line.split(" ", 2)[2]) for line in result.stdout.splitlines() if not line.startswith(" CDX")]
    captures = stored_captures(db)
    digests = {d for _, _, d, _ in captures}
    assert len(entries) == len(captures)
    assert sum(e["mime"] == "warc/revisit" for e in entries) == len(captures) - len(digests)
    assert {e["digest"] for e in entries} == {"sha256:" + base64.b32encode(bytes.fromhex(d)).decode() for d in digests}


def test_filters_and_errors(archive, tmp_path):
    db, _, _ = archive
    result = run_baotinh("export-warc", "-o", tmp_path / "x.warc.gz", "--site", "baolaocai", "--db", db)
    assert result.returncode == 1 and "no stored pages for baolaocai" in result.stderr
    assert not (tmp_path / "x.warc.gz").exists()
    result = run_baotinh("export-warc", "-o", tmp_path / "x.warc.gz", "--since", "2999-01-01", "--db", db)
    assert result.returncode == 1 and "in that date range" in result.stderr
    result = run_baotinh("export-warc", "-o", tmp_path / "x.warc.gz", "--since", "someday", "--db", db)
    assert result.returncode == 2 and "invalid since" in result.stderr
    result = run_baotinh("export-warc", "-o", tmp_path / "x.warc.gz", "--site", "baolangson", "--db", db)
    assert result.returncode == 0 and (tmp_path / "x.warc.gz").stat().st_size > 0
    assert not list(tmp_path.glob(".*.part"))
    shutil.rmtree(tmp_path, ignore_errors=True)
