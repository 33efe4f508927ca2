"""benchmarks/storage.py runs end to end on a tiny corpus (figures are not checked: no timing in tests)."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "storage.py"


def load():
    spec = importlib.util.spec_from_file_location("baotinh_storage_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_corpus_is_deterministic_vietnamese_prose():
    bench = load()
    first, again = bench.Corpus().article(7), bench.Corpus().article(7)
    assert first == again
    assert 400 <= len(first["body"].split()) <= 700
    assert any(ch in first["body"] for ch in "ạảấầẩẫậắằẳẵặđ")
    assert first["authors"] and first["site"] in bench.SITES


def test_run_returns_the_figures(tmp_path):
    result = load().run(300, batch=100, single=20, repeats=1, workdir=tmp_path)
    for key in ("writer_rate", "floor_rate", "schema_floor_rate", "ratio", "write_one_rate", "floor_one_rate",
                "schema_floor_one_rate", "write_one_ratio", "unchanged_rate", "selective_ms", "broad_ms",
                "broad_filtered_ms", "db_bytes_per_article"):
        assert result[key] > 0, key
    assert result["articles"] == 300 and result["broad_matches"] > result["selective_matches"] >= 1


def test_the_floor_runs_with_the_pragmas_of_open_database(tmp_path):
    """A fair floor: whatever open_database sets (journal, sync, cache, temporary storage), the floor has too."""
    from storage import open_database

    floor, db = load().Floor(tmp_path / "floor.db"), open_database(tmp_path / "baotinh.db")
    for pragma in ("journal_mode", "synchronous", "cache_size", "temp_store", "foreign_keys"):
        assert floor.conn.execute(f"PRAGMA {pragma}").fetchone() == db.execute(f"PRAGMA {pragma}").fetchone(), pragma
    assert db.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
    floor.conn.close()
    db.close()


def test_runs_as_a_script_from_the_repository_root():
    result = subprocess.run([sys.executable, str(SCRIPT.relative_to(ROOT)), "--articles", "200", "--single", "10",
                             "--repeats", "1", "--batch", "100"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert "writer rate" in result.stdout and "floor rate" in result.stdout
