"""--since/--until: one parser (crawler.cli.common.date_bound) for every command that takes them,
and for the schedule file's since/until. YYYY, YYYY-MM or YYYY-MM-DD; --since is the start of
the period, --until its end, both inclusive; one wording for a bad date and for an empty range."""
from __future__ import annotations

import json
from datetime import date

import pytest

from crawler.cli import build_parser, main
from crawler.cli.common import CLIError, date_bound, date_options, date_range
from crawler.crawl_options import CrawlPlan
from crawler.crawl_options import modes
from storage import ArticleWriter, open_database
from storage.raw_pages import RawPageWriter

# published_at / fetched_at of the stored articles and pages: the edges of 2024 and of June.
STAMPS = ["2023-12-31T23:59:00+07:00", "2024-01-01T00:00:00+07:00", "2024-06-01", "2024-06-30T23:59:59+07:00",
          "2024-07-01T00:00:00+07:00", "2024-12-31T22:00:00+07:00", "2025-01-01T00:00:00+07:00"]

# (range given, what it means, how many of STAMPS it holds)
RANGES = [
    (("2024", "2024"), (date(2024, 1, 1), date(2024, 12, 31)), 5),
    (("2024-06", "2024-06"), (date(2024, 6, 1), date(2024, 6, 30)), 2),
    (("2024-06-30", "2024-07-01"), (date(2024, 6, 30), date(2024, 7, 1)), 2),
    (("2024-06-15", "2024-06"), (date(2024, 6, 15), date(2024, 6, 30)), 1),
    ((None, "2024-01"), (None, date(2024, 1, 31)), 2),
    (("2024-07", None), (date(2024, 7, 1), None), 3),
    (("2024-02", "2024-02"), (date(2024, 2, 1), date(2024, 2, 29)), 0),
]
BAD_DATES = ["someday", "2024-13", "2024-02-30", "24-06", "2024/06/01", "2024-6-1", "20240601", "2024-06-01T08:00"]

FORMS = "(use YYYY-MM-DD, YYYY-MM or YYYY)"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("dates") / "baotinh.db"
    db = open_database(path)
    ArticleWriter(db).write_many([
        {"url": f"https://baolangson.vn/{n}.html", "site": "baolangson", "title": f"Lễ hội {n}", "lead": "Sapo.",
         "body": "Lễ hội mùa xuân.", "published_at": stamp, "authors": ["Trí Dũng"], "fetched_at": stamp}
        for n, stamp in enumerate(STAMPS)])
    pages = RawPageWriter(db)
    for n, stamp in enumerate(STAMPS):
        pages.write({"site": "baolangson", "kind": "article", "url": f"https://baolangson.vn/{n}.html",
                     "status": 200, "headers": {"Content-Type": "text/html"}, "body": f"<p>{n}</p>".encode(),
                     "fetched_at": stamp})
    db.close()
    return path


def command(name: str, tmp_path, archive) -> list[str]:
    """The command line of each command that takes --since/--until (crawl never gets to crawl:
    the dates are checked first, and the mirror address answers nothing)."""
    return {
        "crawl": ["crawl", "baolangson", "--base-url", "http://127.0.0.1:9/", "--db", str(tmp_path / "x.db")],
        "export": ["export", "--db", str(archive)],
        "search": ["search", "lễ hội", "--format", "json", "--db", str(archive)],
        "coverage": ["coverage", "--by", "day", "--format", "json", "--db", str(archive)],
        "export-warc": ["export-warc", "-o", str(tmp_path / "x.warc.gz"), "--db", str(archive)],
    }[name]


COMMANDS = ["crawl", "export", "search", "coverage", "export-warc"]


# -- the parser ------------------------------------------------------------------------------

@pytest.mark.parametrize("given, meant, _count", RANGES)
def test_date_range(given, meant, _count):
    assert date_range(*given) == meant


@pytest.mark.parametrize("text", BAD_DATES + ["", " ", "0000"])
def test_date_bound_rejects(text):
    with pytest.raises(ValueError) as exc:
        date_bound(text)
    assert str(exc.value) == f"invalid since {text!r}: not a date {FORMS}"


def test_date_bound_takes_dates_and_years_from_files():
    assert date_bound(date(2024, 2, 3), end=True) == date(2024, 2, 3)
    assert date_bound(2024) == date(2024, 1, 1) and date_bound(2024, end=True) == date(2024, 12, 31)
    assert date_bound(" 2024-02 ", end=True) == date(2024, 2, 29)
    for value in (True, 24, 2024.0, [2024]):
        with pytest.raises(ValueError, match="not a date"):
            date_bound(value)


def test_date_options_errors_are_cli_errors():
    class Args:
        since, until = "2024-07", "2024-06"
    with pytest.raises(CLIError, match=r"^--since 2024-07 is after --until 2024-06$"):
        date_options(Args)


# -- every command ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize("options, message", [
    (["--since", "someday"], f"invalid since 'someday': not a date {FORMS}"),
    (["--until", "2024-02-30"], f"invalid until '2024-02-30': not a date {FORMS}"),
    (["--since", "2024-13", "--until", "2025"], f"invalid since '2024-13': not a date {FORMS}"),
    (["--since", "2024-07", "--until", "2024-06"], "--since 2024-07 is after --until 2024-06"),
    (["--since", "2025", "--until", "2024-12-31"], "--since 2025 is after --until 2024-12-31"),
])
def test_every_command_refuses_bad_dates_in_one_line(name, options, message, tmp_path, archive, capsys):
    assert main(command(name, tmp_path, archive) + options) == 2
    captured = capsys.readouterr()
    assert captured.err == f"baotinh {name}: error: {message}\n"
    assert captured.out == ""
    assert not (tmp_path / "x.warc.gz").exists() and not (tmp_path / "x.db").exists()


def _count(name: str, output: str, tmp_path) -> int:
    if name == "export":
        return len(output.splitlines())
    if name == "search":
        return len(json.loads(output))
    if name == "coverage":
        return sum(cell["articles"] for cell in json.loads(output)["sites"].get("baolangson", []))
    if name == "export-warc":
        assert output.startswith(f"{tmp_path / 'x.warc.gz'}: ")
        return int(output.split(": ")[1].split()[0])
    raise AssertionError(name)


@pytest.mark.parametrize("name", ["export", "search", "coverage", "export-warc"])
@pytest.mark.parametrize("given, _meant, count", RANGES)
def test_every_command_reads_periods_the_same_way(name, given, _meant, count, tmp_path, archive, capsys):
    options = [arg for option, value in zip(("--since", "--until"), given) if value for arg in (option, value)]
    status = main(command(name, tmp_path, archive) + options)
    captured = capsys.readouterr()
    if name == "export-warc" and count == 0:  # nothing to write is status 1, said so
        assert status == 1 and "no stored pages in that date range" in captured.err
        return
    assert status == 0, captured.err
    assert _count(name, captured.out, tmp_path) == count


@pytest.mark.parametrize("given, meant, _count", RANGES)
def test_crawl_gives_the_spider_the_resolved_days(given, meant, _count):
    options = [arg for option, value in zip(("--since", "--until"), given) if value for arg in (option, value)]
    args = build_parser().parse_args(["crawl", "baolangson", *options])
    plan = CrawlPlan(site="baolangson", db=None)
    modes.apply(args, plan)
    expected = {key: day.isoformat() for key, day in zip(("since", "until"), meant) if day}
    assert {k: v for k, v in plan.spider_args.items() if k in ("since", "until")} == expected


# -- the schedule file -----------------------------------------------------------------------

@pytest.mark.parametrize("since, until, expected", [
    ("2024", '"2024"', ("2024-01-01", "2024-12-31")),
    ('"2024-06"', '"2024-06"', ("2024-06-01", "2024-06-30")),
    ("2024-06-15", "2024-06-20", ("2024-06-15", "2024-06-20")),   # TOML dates
    ('"2024-02"', None, ("2024-02-01", None)),
])
def test_schedule_since_until_mean_what_they_mean_on_the_command_line(since, until, expected):
    from crawler.registry import load_sites
    from crawler.scheduling.config import parse_schedule

    text = (f'[entries.e]\nsite = "baolangson"\ncron = "0 6 * * *"\nmode = "backfill"\nsince = {since}\n'
            + (f"until = {until}\n" if until else ""))
    (entry,) = parse_schedule(text, "s.toml", known_sites=load_sites()).entries
    assert (entry.since, entry.until) == expected


@pytest.mark.parametrize("since, until, message", [
    ('"someday"', None, f"s.toml:1: entry e: invalid since 'someday': not a date {FORMS}"),
    ('"2024"', '"2024-13"', f"s.toml:1: entry e: invalid until '2024-13': not a date {FORMS}"),
    ('"2024-07"', '"2024-06"', "s.toml:1: entry e: since 2024-07-01 is after until 2024-06-30"),
])
def test_schedule_dates_are_worded_like_the_command_line(since, until, message):
    from crawler.registry import load_sites
    from crawler.scheduling.config import ScheduleError, parse_schedule

    text = (f'[entries.e]\nsite = "baolangson"\ncron = "0 6 * * *"\nmode = "backfill"\nsince = {since}\n'
            + (f"until = {until}\n" if until else ""))
    with pytest.raises(ScheduleError) as exc:
        parse_schedule(text, "s.toml", known_sites=load_sites())
    assert str(exc.value) == message
