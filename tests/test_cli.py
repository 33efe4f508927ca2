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
