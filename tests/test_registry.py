"""The site registry: what crawler/sites.toml holds, how broken entries are reported, `baotinh sites`."""
from __future__ import annotations

import json
import textwrap

import pytest

from conftest import run_baotinh
from crawler.extract.families import FAMILIES
from crawler.registry import (DEFAULT_REGISTRY, KNOWN_FAMILIES, RegistryError, get_site, load_registry,
                              load_sites, site_for_url)

# The 34 provincial-level units after the 1 July 2025 merger.
UNITS_2025 = {
    "Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Huế", "Cần Thơ", "Tuyên Quang", "Lào Cai",
    "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên", "Ninh Bình", "Quảng Trị", "Quảng Ngãi", "Gia Lai",
    "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Đồng Nai", "Tây Ninh", "Vĩnh Long", "Đồng Tháp", "An Giang",
    "Cà Mau", "Cao Bằng", "Lạng Sơn", "Lai Châu", "Điện Biên", "Sơn La", "Quảng Ninh", "Thanh Hóa",
    "Nghệ An", "Hà Tĩnh",
}

GOOD = """
[sites.alpha]
newspaper = "Báo Alpha"
province = "Lạng Sơn"
domains = ["alpha.vn"]
base_url = "https://alpha.vn/"
"""


def write(tmp_path, text: str):
    path = tmp_path / "sites.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_bundled_registry_loads_without_errors():
    sites, errors = load_registry(DEFAULT_REGISTRY)
    assert errors == []
    current = [s for s in sites.values() if s.status == "current"]
    assert {s.province for s in current} == UNITS_2025
    assert len(current) == 34
    legacy = [s for s in sites.values() if s.status == "legacy"]
    assert len(legacy) >= 20
    for site in legacy:
        assert site.merged_into in sites and sites[site.merged_into].status == "current"
        assert site.former_provinces and site.province == sites[site.merged_into].province


def test_the_sample_sites_keep_their_crawl_keys():
    site = get_site("baolaocai", DEFAULT_REGISTRY)
    assert site.listings == ("/", "/thoi-su", "/kinh-te", "/xa-hoi")
    assert site.sitemaps == ("/sitemap.xml",)
    assert site.article_pattern == r"-post\d+\.html$"
    assert get_site("baolangson", DEFAULT_REGISTRY).family == "content-detail"
    assert get_site("baocantho", DEFAULT_REGISTRY).listing_pattern == r"^/(thoi-su|kinh-te|xa-hoi)/?(\?p=\d+)?$"


def test_registry_families_are_the_extraction_families():
    assert KNOWN_FAMILIES == set(FAMILIES) | {"generic"}


@pytest.mark.parametrize("url, name", [
    ("https://baolaocai.vn/x-post1.html", "baolaocai"),
    ("https://www.baotayninh.vn/x-a1.html", "baotayninh"),
    ("https://dongkhoi.baovinhlong.vn/x-a1.html", "dongkhoi"),      # not baovinhlong (baovinhlong.vn)
    ("https://baovinhlong.vn/x", "baovinhlong"),
    ("https://bbk.baothainguyen.vn/x", "baobackan"),
    ("https://baothuathienhue.vn/x", "huengaynay"),
    ("https://plo.vn/x-post1.html", None),
    ("https://notbaolaocai.vn/x", None),
    ("not a url", None),
])
def test_site_for_url_takes_the_most_specific_domain(url, name):
    site = site_for_url(url, load_sites(DEFAULT_REGISTRY))
    assert (site.name if site else None) == name


@pytest.mark.parametrize("entry, line, message", [
    ('[sites.beta]\nnewspaper = "Báo Beta"\nprovince = "Huế"\nbase_url = "https://beta.vn/"\n', 1, "missing domain"),
    ('[sites.beta]\nnewspaper = "Báo Beta"\nprovince = "Huế"\ndomains = ["beta.vn"]\nbase_url = "https://beta.vn/"\n'
     'family = "wordpress"\n', 6, "unknown family 'wordpress'"),
    ('[sites.beta]\nnewspaper = "Báo Beta"\nprovince = "Huế"\ndomains = ["beta.vn"]\nbase_url = "https://beta.vn/"\n'
     'artcle_pattern = "x"\n', 6, "unknown key 'artcle_pattern'"),
    ('[sites.beta]\nnewspaper = "Báo Beta\nprovince = "Huế"\n', 2, "bad TOML"),
    ('[sites.beta]\nnewspaper = "Báo Beta"\nprovince = "Huế"\ndomains = ["https://beta.vn/"]\n'
     'base_url = "https://beta.vn/"\n', 4, "is not a host name"),
    ('[sites.beta]\nnewspaper = "Báo Beta"\nprovince = "Huế"\ndomains = ["beta.vn"]\nbase_url = "https://beta.vn/"\n'
     '[sites.beta.selectors]\nbody = "div[[["\n', 6, "is not CSS"),
    ('[sites.beta]\nnewspaper = "Báo Beta"\nprovince = "Huế"\ndomains = ["beta.vn"]\nbase_url = "https://beta.vn/"\n'
     'selectors = { bodyy = "#content" }\n', 6, "selectors.bodyy is not a field"),
    ('[sites.beta]\nnewspaper = "Báo Beta"\nprovince = "Huế"\ndomains = ["beta.vn"]\nbase_url = "https://beta.vn/"\n'
     'politeness = { delay = 3 }\n', 6, "politeness.delay is not a setting"),
    ('[sites.beta]\nnewspaper = "Báo Beta"\nprovince = "Huế"\ndomains = ["beta.vn"]\nbase_url = "https://beta.vn/"\n'
     'article_pattern = "(unclosed"\n', 6, "not a valid regular expression"),
    ('[sites.beta]\nnewspaper = "Báo Beta"\nprovince = "Huế"\ndomains = ["beta.vn"]\nbase_url = "https://beta.vn/"\n'
     'status = "legacy"\nmerged_into = "gamma"\n', 7, "merged_into 'gamma' is not a site"),
    ('[site.beta]\nnewspaper = "Báo Beta"\n', 1, "is not [sites.NAME]"),
    ('[sites.beta]\nnewspaper = "Báo Beta"\nprovince = "Huế"\ndomains = ["beta.vn"]\nbase_url = "ftp://beta.vn/"\n',
     5, "not an http(s) URL"),
    # Coverage thresholds: the key's own line, in a sub-table, inline or dotted.
    ('[sites.beta]\nnewspaper = "Báo Beta"\nprovince = "Huế"\ndomains = ["beta.vn"]\nbase_url = "https://beta.vn/"\n'
     '[sites.beta.coverage]\nsince = 2012\nauthors = "half"\n', 8,
     "site beta: coverage.authors = 'half' is not a threshold: give a fraction from 0 to 1 or a percentage up to 100"),
    ('[sites.beta]\nnewspaper = "Báo Beta"\nprovince = "Huế"\ndomains = ["beta.vn"]\nbase_url = "https://beta.vn/"\n'
     'coverage = { title = 0.9, body = 150 }\n', 6, "coverage.body = 150 is not a threshold"),
    ('[sites.beta]\nnewspaper = "Báo Beta"\nprovince = "Huế"\ndomains = ["beta.vn"]\nbase_url = "https://beta.vn/"\n'
     'coverage.title = 0.9\ncoverage.published_at = -1\n', 7, "coverage.published_at = -1 is not a threshold"),
    ('[sites.beta]\nnewspaper = "Báo Beta"\nprovince = "Huế"\ndomains = ["beta.vn"]\nbase_url = "https://beta.vn/"\n'
     '[sites.beta.coverage]\ntags = true\n', 7, "coverage.tags = True is not a threshold"),
    ('[sites.beta]\nnewspaper = "Báo Beta"\nprovince = "Huế"\ndomains = ["beta.vn"]\nbase_url = "https://beta.vn/"\n'
     '[sites.beta.coverage]\nbody = nan\n', 7, "coverage.body = nan is not a threshold"),
    ('[sites.beta]\nnewspaper = "Báo Beta"\nprovince = "Huế"\ndomains = ["beta.vn"]\nbase_url = "https://beta.vn/"\n'
     'coverage = "high"\n', 6, "coverage must be a table"),
])
def test_a_broken_entry_is_reported_with_its_line_and_the_others_load(tmp_path, entry, line, message):
    path = write(tmp_path, GOOD + "\n" + entry + "\n" + GOOD.replace("alpha", "omega"))
    sites, errors = load_registry(path)
    assert set(sites) == {"alpha", "omega"}
    assert len(errors) == 1, errors
    first_line_of_entry = GOOD.count("\n") + 2
    assert errors[0].startswith(f"{path}:{first_line_of_entry + line - 1}: ")
    assert message in errors[0]


@pytest.mark.parametrize("value", [0, 0.5, 1, 1.5, 50, 95, 100, 0.0, 100.0])
def test_coverage_thresholds_the_monitor_accepts_load(tmp_path, value):
    from crawler.monitoring import as_fraction

    path = write(tmp_path, GOOD + f"coverage = {{ authors = {value}, since = 2012, note = \"x\" }}\n")
    sites, errors = load_registry(path)
    assert errors == []
    assert sites["alpha"].coverage == {"authors": value, "since": 2012, "note": "x"}
    assert as_fraction(value) is not None


@pytest.mark.parametrize("value", ['"half"', '"90"', "150", "-0.1", "100.5", "true", "inf", "nan", "[0.5]"])
def test_coverage_thresholds_the_monitor_would_ignore_are_errors(tmp_path, value):
    from crawler.monitoring import as_fraction

    path = write(tmp_path, GOOD + f"[sites.alpha.coverage]\nbody = {value}\n")
    sites, errors = load_registry(path)
    assert sites == {} and len(errors) == 1
    assert errors[0].startswith(f"{path}:{GOOD.count(chr(10)) + 2}: site alpha: coverage.body = ")
    import tomllib
    parsed = tomllib.loads(f"v = {value}")["v"]
    # Stricter than the monitor only for text ("90": thresholds are numbers) and for NaN, which
    # as_fraction lets through but no fill rate can ever be compared with.
    fraction = as_fraction(parsed)
    assert fraction is None or isinstance(parsed, str) or fraction != fraction


def test_threshold_fields_are_the_counted_fields():
    from crawler.pipelines import COUNTED_FIELDS
    from crawler.registry import THRESHOLD_FIELDS

    assert THRESHOLD_FIELDS == COUNTED_FIELDS


def test_unknown_site_names_the_load_errors(tmp_path):
    """A broken header hides every site after it: the message must say so, with file and line."""
    path = write(tmp_path, "[sites.baolangson\nnewspaper = \"Báo Lạng Sơn\"\n")
    with pytest.raises(RegistryError) as exc:
        get_site("baolangson", path)
    message = str(exc.value)
    assert message.startswith("unknown site 'baolangson'; known sites: none; the sites file has an error: "
                              f"{path}:1: bad TOML")
    assert "\n" not in message
    # Several errors: how many, and the first one.
    path = write(tmp_path, GOOD + "\n[sites.beta]\nnewspaper = 1\n\n[sites.gamma]\nprovince = 2\n")
    with pytest.raises(RegistryError, match=r"unknown site 'delta'; known sites: alpha; the sites file has 2 errors "
                                            r"\(`baotinh sites` lists them\), the first: .*:9: site beta: newspaper"):
        get_site("delta", path)
    # A site whose own entry is broken: that entry's error.
    with pytest.raises(RegistryError, match=r":9: site beta: newspaper must be a non-empty string \(2 errors"):
        get_site("beta", path)


def test_crawl_of_a_site_hidden_by_a_broken_file_names_the_file(tmp_path):
    path = write(tmp_path, "[sites.baolangson\nnewspaper = \"Báo Lạng Sơn\"\n")
    result = run_baotinh("crawl", "baolangson", "--db", tmp_path / "a.db", env={"BAOTINH_SITES": str(path)})
    assert result.returncode == 2
    assert result.stderr.strip() == (f"baotinh crawl: error: unknown site 'baolangson'; known sites: none; the sites "
                                     f"file has an error: {path}:1: bad TOML: Expected ']' at the end of a table "
                                     f"declaration")


def test_selectors_in_every_form(tmp_path):
    path = write(tmp_path, GOOD + textwrap.dedent("""\
        selectors.body = "#content"
        selectors.remove = [".ads", ".related"]

        [sites.beta]
        newspaper = "Báo Beta"
        province = "Huế"
        domains = "beta.vn"
        base_url = "https://beta.vn/"

          [sites.beta.selectors]  # indented sub-table
          title = "h1.title"
        """))
    sites, errors = load_registry(path)
    assert errors == []
    assert sites["alpha"].selectors == {"body": ["#content"], "remove": [".ads", ".related"]}
    assert sites["beta"].selectors == {"title": ["h1.title"]}


def test_defined_twice_and_unknown_names(tmp_path):
    path = write(tmp_path, GOOD + GOOD)
    sites, errors = load_registry(path)
    assert list(sites) == ["alpha"] and "defined twice" in errors[0]
    with pytest.raises(RegistryError, match="unknown site 'nope'"):
        get_site("nope", path)
    with pytest.raises(RegistryError, match="cannot read"):
        load_registry(tmp_path / "missing.toml")


def test_changes_to_the_file_are_seen(tmp_path):
    path = write(tmp_path, GOOD)
    assert list(load_sites(path)) == ["alpha"]
    path.write_text(GOOD + GOOD.replace("alpha", "beta") + "\n# longer\n", encoding="utf-8")
    assert list(load_sites(path)) == ["alpha", "beta"]


def test_baotinh_sites_table_and_json():
    table = run_baotinh("sites")
    assert table.returncode == 0, table.stderr
    header = table.stdout.splitlines()[0].split()
    assert header == ["name", "province", "domain", "family", "selectors", "status"]
    assert "baolaocai" in table.stdout and "34 current papers (34 provincial-level units)" in table.stdout
    listing = run_baotinh("sites", "--format", "json")
    records = json.loads(listing.stdout)
    assert {r["name"] for r in records} == set(load_sites(DEFAULT_REGISTRY))
    phutho = next(r for r in records if r["name"] == "baophutho")
    assert phutho["selectors"]["body"] == ["#dcontent"] and phutho["status"] == "current"


def test_baotinh_sites_reports_broken_entries_and_exits_1(tmp_path):
    path = write(tmp_path, GOOD + '\n[sites.beta]\nnewspaper = "Báo Beta"\n')
    result = run_baotinh("sites", "--file", str(path))
    assert result.returncode == 1
    assert "alpha" in result.stdout
    assert f"{path}:8: site beta: missing province" in result.stderr
    assert "Traceback" not in result.stderr
    missing = run_baotinh("sites", "--file", str(tmp_path / "none.toml"))
    assert missing.returncode == 2 and "cannot read the sites file" in missing.stderr
