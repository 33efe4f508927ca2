"""Every user error is one clear line and a non-zero exit, never a traceback."""
import socket

import pytest

from conftest import ROOT, run_baotinh


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("args, message", [
    (["crawl", "khong-co-bao-nay"], "unknown site"),
    (["crawl", "baolangson", "--base-url", "not a url"], "not an http(s) URL"),
    (["extract", "/no/such/file.html", "--url", "https://baolangson.vn/x-1234567.html"], "cannot read"),
    (["extract", str(ROOT / "pyproject.toml"), "--url", "baolangson.vn/x"], "not an http(s) URL"),
    (["extract", str(ROOT / "pyproject.toml"), "--url", "https://baolangson.vn/x.html", "--site", "nope"],
     "unknown site"),
])
def test_user_errors_are_one_line(tmp_path, args, message):
    result = run_baotinh(*args, "--db", tmp_path / "x.db") if args[0] == "crawl" else run_baotinh(*args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_server_is_one_error_and_non_zero(tmp_path):
    port = free_port()  # nothing listens there
    result = run_baotinh("crawl", "baolaocai", "--base-url", f"http://127.0.0.1:{port}/",
                         "--db", tmp_path / "x.db")
    assert result.returncode == 3
    assert "did not answer" in result.stderr
    assert "Traceback" not in result.stderr


def test_extract_prints_one_json_article():
    import json

    page = ROOT / "tests" / "fixtures" / "baolaocai"
    article = next(p for p in sorted(page.glob("*.html")) if p.with_suffix(".json").exists())
    expected = json.loads(article.with_suffix(".json").read_text(encoding="utf-8"))
    result = run_baotinh("extract", article, "--url", expected["url"])
    assert result.returncode == 0, result.stderr
    item = json.loads(result.stdout)
    assert item["title"] == expected["title"]
    assert item["authors"] == expected["authors"]
    assert isinstance(item["published_at"], str)


@pytest.mark.parametrize("content, reason", [
    (bytes(range(256)) * 20, "not_html"),                          # arbitrary binary
    (bytes(range(1, 32)) * 100 + b"<p>abc</p>" * 300, "not_html"),  # control bytes, no NUL
    (b"%PDF-1.7\n" + b"x" * 500, "not_html"),
    (b"\x1f\x8b\x08\x00" + b"\x00" * 20, "gzip"),                  # broken gzip
])
def test_extract_refuses_what_is_not_a_page(tmp_path, content, reason):
    page = tmp_path / "page.html"
    page.write_bytes(content)
    result = run_baotinh("extract", page, "--url", "https://baolangson.vn/x-1234567.html")
    assert result.returncode == 1
    assert "is not a readable HTML page" in result.stderr and reason in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr


@pytest.mark.parametrize("registry", ["[sites.x\nnewspaper = 'a'\n", None])
def test_scrapy_list_survives_a_broken_or_missing_registry(tmp_path, registry):
    import os
    import subprocess
    import sys

    path = tmp_path / "sites.toml"
    if registry is not None:
        path.write_text(registry, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "scrapy", "list"], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "BAOTINH_SITES": str(path)}, timeout=60)
    assert result.returncode == 0
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr
