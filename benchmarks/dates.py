"""Benchmark: crawler.normalize.dates.parse_date against dateparser on the test corpus.

    .venv/bin/python benchmarks/dates.py       (or: make bench-dates)

The corpus is every row of tests/test_dates.py (PARSED with their expected values, REJECTED with
None). Both parsers get the same reference per row. A result is correct when it equals the
expected value at minute precision: same moment in +07:00 to the minute, or the same day when a
day is expected (dateparser never returns a bare date, so it is credited for the right day),
or None when None is expected. Speed is the median over strings of the mean time of one call.

`run()` returns the figures as a dict so a combined benchmark can fold them in.
"""
from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crawler.normalize.dates import parse_date, to_iso  # noqa: E402

OUR_REPEATS = 200
# Compare at a fixed +07:00: the tz database gives Vietnam +08:00 before 1975, which would make
# an old moment look different from its expected string.
_PLUS7 = timezone(timedelta(hours=7))
DATEPARSER_REPEATS = 3


def load_corpus() -> list[tuple[str, datetime | None, str | None]]:
    """(text, reference, expected to_iso value or None) for every row of tests/test_dates.py."""
    # Loaded by path: "tests" is not a package, and the rows must stay where the tests are.
    spec = importlib.util.spec_from_file_location("_dates_corpus", ROOT / "tests" / "test_dates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [*module.PARSED, *((text, ref, None) for text, ref, _reason in module.REJECTED)]


def _key(value, expected: str | None, *, credit_day: bool) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if credit_day and expected is not None and "T" not in expected:
            return value.date().isoformat()
        if value.tzinfo is None:
            value = value.replace(tzinfo=_PLUS7)
        return value.astimezone(_PLUS7).isoformat(timespec="minutes")
    return to_iso(value) if isinstance(value, date) else repr(value)


def _expected_key(expected: str | None) -> str | None:
    # "2021-10-25T08:30:00+07:00" -> "2021-10-25T08:30+07:00"; days stay as they are.
    if expected is None or "T" not in expected:
        return expected
    return expected[:16] + expected[19:]


def _ours(text: str, reference: datetime | None):
    return parse_date(text, reference=reference)


def _dateparser_function():
    try:
        import dateparser
    except ImportError:
        return None

    def parse(text: str, reference: datetime | None):
        settings = {
            "DATE_ORDER": "DMY",
            "TIMEZONE": "Asia/Ho_Chi_Minh",
            "RETURN_AS_TIMEZONE_AWARE": True,
        }
        if reference is not None:
            settings["RELATIVE_BASE"] = reference.astimezone(_PLUS7).replace(tzinfo=None)
        try:
            return dateparser.parse(text, languages=["vi"], settings=settings)
        except Exception:  # a crash counts as "no answer", like None
            return None

    parse("25/10/2021", None)  # first call loads language data; keep it out of the timing
    return parse


def _measure(parse, corpus, repeats: int, *, credit_day: bool) -> dict:
    correct = 0
    misses = []
    per_call_us = []
    for text, reference, expected in corpus:
        value = parse(text, reference)
        if _key(value, expected, credit_day=credit_day) == _expected_key(expected):
            correct += 1
        else:
            misses.append((text, expected, _key(value, expected, credit_day=credit_day)))
        start = time.perf_counter_ns()
        for _ in range(repeats):
            parse(text, reference)
        per_call_us.append((time.perf_counter_ns() - start) / repeats / 1000)
    return {
        "correct": correct,
        "accuracy": correct / len(corpus),
        "median_us": statistics.median(per_call_us),
        "misses": misses,
    }


def run() -> dict:
    """Figures of one run: rows, accuracy and median µs/string of each parser, speed ratio."""
    corpus = load_corpus()
    ours = _measure(_ours, corpus, OUR_REPEATS, credit_day=False)
    result = {
        "rows": len(corpus),
        "parse_date_correct": ours["correct"],
        "parse_date_accuracy": ours["accuracy"],
        "parse_date_median_us": ours["median_us"],
        "parse_date_misses": ours["misses"],
        "dateparser_correct": None,
        "dateparser_accuracy": None,
        "dateparser_median_us": None,
        "speed_ratio": None,
    }
    other = _dateparser_function()
    if other is not None:
        theirs = _measure(other, corpus, DATEPARSER_REPEATS, credit_day=True)
        result.update(
            dateparser_correct=theirs["correct"],
            dateparser_accuracy=theirs["accuracy"],
            dateparser_median_us=theirs["median_us"],
            speed_ratio=theirs["median_us"] / ours["median_us"],
        )
    return result


def main() -> None:
    r = run()
    rows = r["rows"]
    print(f"rows: {rows}")
    print(
        f"parse_date: accuracy {r['parse_date_correct']}/{rows} ({r['parse_date_accuracy']:.1%}), "
        f"median {r['parse_date_median_us']:.1f} µs/string"
    )
    if r["dateparser_correct"] is None:
        print("dateparser: not installed (pip install dateparser) - no comparison")
    else:
        print(
            f"dateparser: accuracy {r['dateparser_correct']}/{rows} ({r['dateparser_accuracy']:.1%}), "
            f"median {r['dateparser_median_us']:.1f} µs/string"
        )
        print(f"speed ratio: parse_date is {r['speed_ratio']:.0f}x faster than dateparser")
    for text, expected, got in r["parse_date_misses"]:
        print(f"  parse_date miss: {text!r}: expected {expected}, got {got}")


if __name__ == "__main__":
    main()
