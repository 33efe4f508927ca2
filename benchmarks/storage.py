"""Storage benchmark: ArticleWriter ingest rate against SQLite's own floor, and search latency.

    .venv/bin/python benchmarks/storage.py                 # 100,000 articles (a few minutes)
    .venv/bin/python benchmarks/storage.py --articles 20000  # quick check

Articles are generated with a fixed seed: about 500 words of Vietnamese-looking prose built
from real syllables (Zipf-distributed, so common words are common), plus a few place names
drawn from a large pool (what makes a query selective). They go through ArticleWriter, the
writer the crawl pipeline uses: write_many() in batches, then write() one by one (a commit
per article) on a subset.

The floor is SQLite itself, same rows, same run: executemany() into one plain table with the
item's columns and an external-content FTS5 index (same tokenizer) kept by a trigger, in the
same batches, with the pragmas open_database sets (WAL and storage.db.PRAGMAS: synchronous=NORMAL,
page cache, in-memory temporary storage).
Our rate / floor rate is the price of everything the archive adds. To say where it goes, a
second floor ("schema floor") executemany()s the same rows into our real articles table: its
unique URL indexes, site/date indexes and đ-folding FTS triggers. floor -> schema floor is the
schema's price, schema floor -> writer the writer's (upsert lookup, content hash, NFC, author
get-or-create, article_authors and images rows). The three ingest batch by batch in turn, so
that all see the same machine load. write() one by one (a commit per article, what the crawl
pipeline does) is compared the same way, article by article in turn, with both floors storing
each of the same rows in a transaction of its own.

Also importable: run(n) -> dict of the figures printed.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage import ArticleWriter, open_database, search, sync_sites  # noqa: E402
from storage.db import PRAGMAS  # noqa: E402
from storage.ftsquery import fold_query  # noqa: E402

SEED = 20240305
SITES = ["baolangson", "baolaocai", "baocantho", "baohagiang", "baoquangninh", "baothaibinh",
         "baonghean", "baodanang", "baodaklak", "baocamau"]
SYLLABLES = """
người của và các có được cho là trong với những đã một này không đến để khi năm về ra từ
theo tại cũng như trên nhiều công tác phát triển kinh tế xã hội tỉnh huyện xã thành phố
nhân dân cán bộ đảng viên chính quyền địa phương đồng chí bí thư chủ tịch ủy ban hội đồng
sản xuất nông nghiệp nông thôn mới chương trình dự án đầu tư xây dựng giao thông đường
trường học giáo dục học sinh sinh viên y tế bệnh viện sức khỏe văn hóa du lịch lễ hội
truyền thống dân tộc thiểu số miền núi biên giới quốc phòng an ninh trật tự lực lượng
công an quân đội bộ đội doanh nghiệp hợp tác thị trường hàng hóa xuất khẩu nhập khẩu cửa
khẩu thương mại dịch vụ ngân hàng vốn vay hộ nghèo giảm nghèo việc làm lao động thu nhập
đời sống gia đình thanh niên phụ nữ trẻ em người cao tuổi cựu chiến binh hội nghị tổng
kết triển khai nhiệm vụ kế hoạch mục tiêu chỉ tiêu kết quả đạt hoàn thành tăng trưởng
bình quân tỷ đồng triệu đồng diện tích hecta cây trồng lúa ngô chè hồi quế rừng bảo vệ
môi trường thiên tai mưa lũ sạt lở khắc phục hậu quả hỗ trợ kịp thời chỉ đạo lãnh đạo
thường trực tỉnh ủy huyện ủy sở ban ngành đoàn thể mặt trận tổ quốc chiều sáng ngày tháng
hôm nay vừa qua thời gian tới tiếp tục đẩy mạnh nâng cao chất lượng hiệu quả quản lý
nhà nước cải cách hành chính chuyển đổi số điện tử trực tuyến người dân tiếp cận thông
tin tuyên truyền vận động tham gia tích cực đóng góp ý kiến thảo luận thống nhất quyết
định ban hành nghị quyết chỉ thị quy định pháp luật vi phạm xử lý kiểm tra giám sát
thanh tra phòng chống tham nhũng lãng phí tiết kiệm khó khăn vướng mắc giải pháp đề xuất
kiến nghị tháo gỡ thúc đẩy thu hút nguồn lực hạ tầng điện nước sạch nhà ở đất đai giải
phóng mặt bằng bồi thường tái định cư khu công nghiệp cụm nhà máy sản phẩm ocop đặc sản
thương hiệu chứng nhận an toàn thực phẩm chăn nuôi gia súc gia cầm dịch bệnh tiêm phòng
vắc xin thời tiết nắng nóng rét đậm mùa vụ thu hoạch năng suất sản lượng giá cả tiêu thụ
""".split()
PLACE_PARTS = """Khuổi Nặm Bản Pác Nà Hang Lũng Phìn Cốc Xả Tà Lùng Bó Mười Nà Sầm Đồng Đăng Lộc
Bình Cao Lộc Tràng Định Văn Quan Bắc Sơn Hữu Lũng Chi Lăng Đình Lập Bằng Mạc Thất Khê Hoàng Đồng
Tân Thanh Na Dương Quảng Lạc Yên Trạch Mai Pha Gia Cát Hợp Thành Xuân Long Tú Đoạn Hòa Bình""".split()
SURNAMES = "Nguyễn Trần Lê Phạm Hoàng Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Nông Hà Lương Đoàn Triệu Lục".split()
GIVEN = "Trí Dũng Anh Hùng Lan Hương Minh Tuấn Hà Thu Hoa Long Sơn Hải Yến Quang Thảo Linh Đức Bình".split()


class Corpus:
    """Deterministic article generator: article(i) is the same for every call with the same seed."""

    def __init__(self, seed: int = SEED, places: int = 5000):
        rng = random.Random(seed)
        self.seed = seed
        self.vocab = list(dict.fromkeys(SYLLABLES))
        rng.shuffle(self.vocab)
        weights = [1 / (rank + 1) for rank in range(len(self.vocab))]
        total, acc, self.cum = sum(weights), 0.0, []
        for w in weights:
            acc += w / total
            self.cum.append(acc)
        self.places = sorted({f"{rng.choice(PLACE_PARTS)} {rng.choice(PLACE_PARTS)} {rng.choice(PLACE_PARTS)}"
                              for _ in range(places * 2)})[:places]
        self.authors = [f"{s} {g}" for s in SURNAMES for g in GIVEN]

    def _sentence(self, rng: random.Random, words: int) -> str:
        text = " ".join(rng.choices(self.vocab, cum_weights=self.cum, k=words))
        return text[0].upper() + text[1:]

    def article(self, i: int) -> dict:
        rng = random.Random(self.seed * 1_000_003 + i)
        site = SITES[i % len(SITES)]
        places = rng.sample(self.places, 2)
        sentences = [self._sentence(rng, rng.randint(12, 24)) for _ in range(27)]
        sentences[rng.randrange(len(sentences))] += f" tại {places[0]}"
        sentences[rng.randrange(len(sentences))] += f", {places[1]}"
        paragraphs, k = [], 0
        while k < len(sentences):
            step = rng.randint(3, 6)
            paragraphs.append(". ".join(sentences[k:k + step]) + ".")
            k += step
        day = 1 + i % 28
        month = 1 + (i // 28) % 12
        year = 2015 + (i // 336) % 11
        return {
            "url": f"https://{site}.vn/bai-viet-{i}.html",
            "canonical_url": f"https://{site}.vn/bai-viet-{i}.html",
            "site": site,
            "title": self._sentence(rng, rng.randint(8, 14)) + f" ở {places[0]}",
            "lead": self._sentence(rng, rng.randint(30, 45)) + ".",
            "body": "\n\n".join(paragraphs),
            "published_at": f"{year:04d}-{month:02d}-{day:02d}T{rng.randint(6, 22):02d}:{rng.randint(0, 59):02d}:00+07:00",
            "published_raw": f"{day:02d}/{month:02d}/{year:04d}",
            "authors": rng.sample(self.authors, rng.choice((1, 1, 1, 2))),
            "byline_raw": None,
            "category": rng.choice(["Thời sự", "Kinh tế", "Văn hóa - Xã hội", "Quốc phòng - An ninh"]),
            "tags": rng.sample(self.vocab[:60], 3),
            "images": [{"url": f"https://{site}.vn/img/{i}-{j}.jpg", "caption": self._sentence(rng, 10),
                        "credit": "Ảnh: TTXVN"} for j in range(rng.randint(0, 3))],
            "language": "vi",
            "fetched_at": "2026-01-15T08:00:00+07:00",
        }

    def batches(self, start: int, stop: int, size: int):
        for first in range(start, stop, size):
            yield [self.article(i) for i in range(first, min(stop, first + size))]


FLOOR_SCHEMA = """
CREATE TABLE articles (id INTEGER PRIMARY KEY, url TEXT, canonical_url TEXT, site TEXT, title TEXT, lead TEXT,
    body TEXT, published_at TEXT, published_raw TEXT, byline_raw TEXT, category TEXT, tags TEXT, language TEXT,
    authors TEXT, images TEXT, fetched_at TEXT);
CREATE VIRTUAL TABLE articles_fts USING fts5(title, lead, body, content='articles', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, lead, body) VALUES (new.id, new.title, new.lead, new.body);
END;
"""
FLOOR_COLUMNS = ("url", "canonical_url", "site", "title", "lead", "body", "published_at", "published_raw",
                 "byline_raw", "category", "tags", "language", "authors", "images", "fetched_at")


class Floor:
    """SQLite alone: same rows, one plain table + FTS5 kept by a trigger, same pragmas."""

    def __init__(self, path: Path):
        import sqlite3

        self.conn = sqlite3.connect(str(path), isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        for name, value in PRAGMAS:
            self.conn.execute(f"PRAGMA {name} = {value}")
        self.conn.executescript(FLOOR_SCHEMA)
        self.sql = (f"INSERT INTO articles ({', '.join(FLOOR_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(FLOOR_COLUMNS))})")

    @staticmethod
    def rows(items: list[dict]) -> list[tuple]:
        return [tuple(json.dumps(it[c], ensure_ascii=False) if c in ("tags", "authors", "images") else it[c]
                      for c in FLOOR_COLUMNS) for it in items]

    def insert(self, rows: list[tuple]) -> float:
        start = time.perf_counter()
        self.conn.execute("BEGIN")
        self.conn.executemany(self.sql, rows)
        self.conn.execute("COMMIT")
        return time.perf_counter() - start


class SchemaFloor:
    """Our schema without the writer: the same articles rows (as the writer would store them)
    executemany()'d into the real articles table; its indexes and FTS triggers do their work.
    The gap floor -> schema floor is the schema's price, schema floor -> writer the writer's."""

    def __init__(self, path: Path):
        from storage.writer import _INSERT

        self.db = open_database(path)
        self.sql = _INSERT
        self.prepare = ArticleWriter(self.db)._prepare
        self.next_id = 1

    def rows(self, items: list[dict]) -> list[tuple]:
        rows = []
        for article in map(self.prepare, items):
            rows.append((self.next_id, article.url, article.canonical, article.site, None, *article.content,
                         article.fetched_at, article.fetched_at, None))
            self.next_id += 1
        return rows

    def insert(self, rows: list[tuple]) -> float:
        start = time.perf_counter()
        self.db.execute("BEGIN IMMEDIATE")
        self.db.conn.executemany(self.sql, rows)
        self.db.execute("COMMIT")
        return time.perf_counter() - start


def _median_ms(fn, repeats: int) -> float:
    times = []
    for r in range(repeats):
        start = time.perf_counter()
        fn(r)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _size(path: Path, db) -> int:
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.stat().st_size


def run(n: int = 100_000, *, batch: int = 500, single: int = 2_000, repeats: int = 15,
        workdir: str | Path | None = None, seed: int = SEED, progress=None) -> dict:
    """Ingest n articles three ways, interleaved batch by batch so that all three see the same
    machine load; then time searches. Returns the figures (rates in articles/s)."""
    corpus = Corpus(seed)
    own_dir = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="baotinh-bench-")) if own_dir else Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda message: None)
    try:
        for name in ("baotinh.db", "floor.db", "schema.db"):
            for suffix in ("", "-wal", "-shm"):
                (workdir / (name + suffix)).unlink(missing_ok=True)
        db_path = workdir / "baotinh.db"
        db = open_database(db_path)
        sync_sites(db, [{"name": s, "province": s[3:].title()} for s in SITES])
        writer = ArticleWriter(db)
        floor, schema = Floor(workdir / "floor.db"), SchemaFloor(workdir / "schema.db")
        spent = {"writer": 0.0, "floor": 0.0, "schema": 0.0}
        for k, items in enumerate(corpus.batches(0, n, batch)):
            floor_rows, schema_rows = floor.rows(items), schema.rows(items)
            runs = [("writer", lambda: writer.write_many(items)), ("floor", lambda: floor.insert(floor_rows)),
                    ("schema", lambda: schema.insert(schema_rows))]
            if k % 2:
                runs.reverse()
            for name, call in runs:
                start = time.perf_counter()
                call()
                spent[name] += time.perf_counter() - start
            if k % 20 == 0:
                say(f"  ingest: {k * batch + len(items):,}/{n:,}")
        rate = {name: n / seconds for name, seconds in spent.items()}

        items = [corpus.article(i) for i in range(n, n + single)]
        floor_rows, schema_rows = floor.rows(items), schema.rows(items)
        spent = {"writer": 0.0, "floor": 0.0, "schema": 0.0}
        for k, item in enumerate(items):
            runs = [("writer", lambda: writer.write(item)), ("floor", lambda: floor.insert(floor_rows[k:k + 1])),
                    ("schema", lambda: schema.insert(schema_rows[k:k + 1]))]
            if k % 2:
                runs.reverse()
            for name, call in runs:
                start = time.perf_counter()
                call()
                spent[name] += time.perf_counter() - start
        one_rate = {name: single / seconds for name, seconds in spent.items()}
        start = time.perf_counter()
        for item in items:
            writer.write(item)  # a recrawl: same content
        unchanged_rate = single / (time.perf_counter() - start)

        say("  searches")
        rng = random.Random(seed)
        picks = rng.sample(range(n), repeats)
        selective = [corpus.article(i)["title"].split(" ở ")[-1] for i in picks]
        queries = {
            "selective": lambda r: search(db, f'"{selective[r]}"'),
            "selective_filtered": lambda r: search(db, f'"{selective[r]}"', site=SITES[picks[r] % len(SITES)],
                                                   since="2015-01-01", until="2025-12-31"),
            "broad": lambda r: search(db, "phát triển"),
            "broad_filtered": lambda r: search(db, "phát triển", site=SITES[r % len(SITES)],
                                               since="2018-01-01", until="2020-12-31"),
            "broad_author": lambda r: search(db, "phát triển", author=corpus.authors[r]),
            "prefix": lambda r: search(db, "lang* OR hoang*"),
        }
        latency = {name: round(_median_ms(fn, repeats), 2) for name, fn in queries.items()}

        def matches(query: str) -> int:
            return db.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?",
                              (fold_query(query).fts,)).fetchone()[0]

        result = {
            "articles": n, "batch": batch,
            "writer_rate": round(rate["writer"]), "floor_rate": round(rate["floor"]),
            "schema_floor_rate": round(rate["schema"]), "ratio": round(rate["writer"] / rate["floor"], 3),
            "write_one_rate": round(one_rate["writer"]), "floor_one_rate": round(one_rate["floor"]),
            "schema_floor_one_rate": round(one_rate["schema"]),
            "write_one_ratio": round(one_rate["writer"] / one_rate["floor"], 3),
            "unchanged_rate": round(unchanged_rate),
            "selective_ms": latency["selective"], "selective_filtered_ms": latency["selective_filtered"],
            "broad_ms": latency["broad"], "broad_filtered_ms": latency["broad_filtered"],
            "broad_author_ms": latency["broad_author"], "prefix_ms": latency["prefix"],
            "selective_matches": statistics.median(matches(f'"{s}"') for s in selective),
            "broad_matches": matches("phát triển"),
            "db_bytes_per_article": round(_size(db_path, db) / (n + single)),
            "floor_bytes_per_article": round(_size(workdir / "floor.db", floor.conn) / (n + single)),
        }
        db.close()
        floor.conn.close()
        schema.db.close()
        return result
    finally:
        if own_dir:
            shutil.rmtree(workdir, ignore_errors=True)


def report(r: dict) -> str:
    ok = lambda good: "ok" if good else "MISSED"  # noqa: E731
    return "\n".join([
        f"articles                 {r['articles']:,} (write_many batches of {r['batch']})",
        f"writer rate              {r['writer_rate']:,} articles/s",
        f"floor rate               {r['floor_rate']:,} articles/s (SQLite alone: executemany + FTS5 trigger)",
        f"ratio                    {r['ratio']:.0%}  (target >= 80%: {ok(r['ratio'] >= 0.8)})",
        f"  schema floor           {r['schema_floor_rate']:,} articles/s "
        f"({r['schema_floor_rate'] / r['floor_rate']:.0%} of floor: our table, indexes, đ-folding FTS triggers)",
        f"write() one by one       {r['write_one_rate']:,} articles/s (a commit each)",
        f"  floor, a commit each   {r['floor_one_rate']:,} articles/s (write() at {r['write_one_ratio']:.0%} of it; "
        f"schema floor {r['schema_floor_one_rate']:,})",
        f"write() unchanged        {r['unchanged_rate']:,} articles/s (recrawl, same content)",
        f"selective query median   {r['selective_ms']} ms ({r['selective_matches']:.0f} matches; "
        f"target <= 20 ms at 100k: {ok(r['selective_ms'] <= 20)})",
        f"  + site and date filter {r['selective_filtered_ms']} ms",
        f"broad query median       {r['broad_ms']} ms ({r['broad_matches']:,} matches)",
        f"  + site and date filter {r['broad_filtered_ms']} ms",
        f"  + author filter        {r['broad_author_ms']} ms",
        f"prefix OR query median   {r['prefix_ms']} ms",
        f"database size            {r['db_bytes_per_article']:,} bytes/article "
        f"(floor {r['floor_bytes_per_article']:,})",
    ])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000, help="articles to ingest (default 100000)")
    parser.add_argument("--batch", type=int, default=500, help="write_many batch size (default 500)")
    parser.add_argument("--single", type=int, default=2_000, help="articles written one by one (default 2000)")
    parser.add_argument("--repeats", type=int, default=15, help="runs per query for the median (default 15)")
    parser.add_argument("--workdir", help="keep the databases in this directory (default: a temp dir, removed)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = run(args.articles, batch=args.batch, single=args.single, repeats=args.repeats,
                 workdir=args.workdir, progress=lambda m: print(m, file=sys.stderr, flush=True))
    print(json.dumps(result, indent=2) if args.json else report(result))
    print(f"(benchmark took {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
