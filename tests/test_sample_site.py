"""The sample-site server: byte-exact fixtures, mirror layout, gzip, one port per site."""
import gzip
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from conftest import ROOT
from crawler.sample_site import FIXTURES, resolve


@pytest.mark.parametrize("target, expected", [
    ("/", "index.html"),
    ("/thoi-su", "thoi-su.html"),
    ("/robots.txt", "robots.txt"),
    ("/sitemap.xml", "sitemap.xml"),
    ("/khong-co-trang-nay.html", None),
    ("/../conftest.py", None),
])
def test_mirror_layout(target, expected):
    root = FIXTURES / "baolangson"
    found = resolve(root, target)
    assert (found.relative_to(root.resolve()).as_posix() if found else None) == expected


def test_query_strings_map_to_files():
    root = FIXTURES / "baocantho"
    found = resolve(root, "/thoi-su?p=2")
    assert found is not None and found.name == "thoi-su@p=2.html"


def fetch(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


@pytest.mark.parametrize("site", ["baolangson", "baolaocai", "baocantho"])
def test_serves_fixture_bytes_unchanged(sample_site, site):
    status, _, body = fetch(sample_site[site].base_url)
    assert status == 200
    assert body == (FIXTURES / site / "index.html").read_bytes()


def test_unknown_path_is_404(sample_site):
    with pytest.raises(urllib.error.HTTPError) as info:
        fetch(sample_site["baolaocai"].base_url + "khong-co.html")
    assert info.value.code == 404


def test_gzip_on_request():
    from crawler.sample_site import serve_sample_site

    (server,) = serve_sample_site(0, sites=["baolaocai"], gzip_responses=True)
    try:
        _, headers, body = fetch(server.base_url, **{"Accept-Encoding": "gzip"})
        assert headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body) == (FIXTURES / "baolaocai" / "index.html").read_bytes()
    finally:
        server.stop()


def test_command_prints_one_line_per_site_when_listening():
    process = subprocess.Popen([sys.executable, "-m", "crawler.cli", "sample-site", "--port", "0"],
                               stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        lines = [process.stdout.readline().split() for _ in range(3)]
        assert {name for name, _ in lines} >= {"baolangson", "baolaocai", "baocantho"}
        for _, base_url in lines:
            assert base_url.startswith("http://127.0.0.1:")
            assert fetch(base_url + "robots.txt")[0] == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
