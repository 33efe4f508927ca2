"""`baotinh export` shows progress on a terminal and stays quiet in a pipe."""
from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import termios

import pytest

from conftest import BAOTINH, ROOT
from storage import ArticleWriter, open_database
from test_progress import child_env, read_all

N = 300


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("export-progress") / "a.db"
    db = open_database(path)
    ArticleWriter(db).write_many(
        {"url": f"https://baolangson.vn/bai-{i}.html", "site": "baolangson", "title": f"Bài {i}",
         "body": "Nội dung.", "published_at": f"2024-0{1 + i % 9}-1{i % 10}", "authors": ["Lê Minh"]}
        for i in range(N))
    db.close()
    return path


def test_export_bar_on_a_terminal(archive, tmp_path):
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    out = tmp_path / "a.jsonl"
    proc = subprocess.Popen([*BAOTINH, "export", "-o", str(out), "--db", str(archive)],
                            stdout=subprocess.DEVNULL, stderr=slave, env=child_env(), cwd=ROOT)
    os.close(slave)
    try:
        stderr = read_all(master, proc).decode("utf-8", "replace")
        proc.wait(timeout=60)
    finally:
        os.close(master)
    assert proc.returncode == 0, stderr
    assert "\r" in stderr and f"export: {N} articles" in stderr and "articles/s" in stderr
    assert f"exported {N} articles to" in stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == N


def test_export_piped_has_no_bar(archive):
    result = subprocess.run([*BAOTINH, "export", "--db", str(archive)], capture_output=True, text=True,
                            env=child_env(), cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"exported {N} articles\n"
    assert len(result.stdout.splitlines()) == N
