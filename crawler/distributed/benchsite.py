"""A generated newspaper for load tests: N copies of one sample-site article, distinct slugs and
titles, listed on paginated sections, plus the registry entry that crawls it.

    mirror, registry, paths = generate_site(tmp / "bench", articles=1500)
    env = {"BAOTINH_SITES": str(registry)}   # the `benchsite` spider exists in that registry
    MirrorServer("benchsite", mirror).start()

Used by tests/test_distributed*.py and by `python -m crawler.distributed.bench`.
"""
from __future__ import annotations

import html
from pathlib import Path

from crawler.sample_site import FIXTURES

SITE = "benchsite"
DOMAIN = "benchsite.example"
TEMPLATE = FIXTURES / "baolaocai" / "sa-pa-don-hon-3-trieu-luot-khach-trong-10-thang-post426055.html"
TEMPLATE_SLUG = "sa-pa-don-hon-3-trieu-luot-khach-trong-10-thang-post426055"
TEMPLATE_TITLE = "Sa Pa đón hơn 3 triệu lượt khách trong 10 tháng"
SECTIONS = ("thoi-su", "kinh-te", "xa-hoi", "van-hoa", "the-thao", "giao-duc", "du-lich", "nong-nghiep")

REGISTRY = """[sites.{site}]
newspaper = "Báo Thử Tải"
province = "Lào Cai"
domains = ["{domain}"]
base_url = "https://{domain}/"
family = "article-cms"
listings = [{listings}]
article_pattern = '-post\\d+\\.html$'
listing_pattern = '^/({sections})(\\?page=\\d+)?$'
notes = "Generated for load tests (crawler/distributed/benchsite.py)."
"""


def article_path(number: int) -> str:
    return f"/bai-thu-tai-so-{number}-post{700000 + number}.html"


def _listing(title: str, links: list[tuple[str, str]], next_url: str | None) -> str:
    items = "\n".join(f'<li class="story"><a class="cms-link" href="{href}" title="{html.escape(text)}">'
                      f"{html.escape(text)}</a></li>" for href, text in links)
    following = f'<a rel="next" href="{next_url}">Trang sau</a>' if next_url else ""
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
            f"<body><ul>\n{items}\n</ul>{following}</body></html>\n")


def generate_site(root: Path, *, articles: int = 1500, sections: int = 4, per_page: int = 50,
                  site: str = SITE) -> tuple[Path, Path, list[str]]:
    """Write the mirror into root/site and a registry into root/sites.toml; return (mirror
    directory, registry file, the article paths in the order they are listed)."""
    root = Path(root)
    mirror = root / site
    mirror.mkdir(parents=True, exist_ok=True)
    template = TEMPLATE.read_text(encoding="utf-8").replace("https://baolaocai.vn/", f"https://{DOMAIN}/")
    names = SECTIONS[:max(1, min(sections, len(SECTIONS)))]
    paths = [article_path(n) for n in range(1, articles + 1)]
    for number, path in enumerate(paths, start=1):
        page = template.replace(TEMPLATE_SLUG, path[1:-5]).replace(TEMPLATE_TITLE, f"Bài thử tải số {number}")
        (mirror / path[1:]).write_text(page, encoding="utf-8")
    numbers = {path: number for number, path in enumerate(paths, start=1)}
    share = -(-len(paths) // len(names))
    for index, section in enumerate(names):
        mine = paths[index * share:(index + 1) * share]
        pages = [mine[i:i + per_page] for i in range(0, len(mine), per_page)] or [[]]
        for number, chunk in enumerate(pages, start=1):
            name = f"{section}.html" if number == 1 else f"{section}@page={number}.html"
            following = f"/{section}?page={number + 1}" if number < len(pages) else None
            links = [(p, f"Bài thử tải số {numbers[p]}") for p in chunk]
            (mirror / name).write_text(_listing(f"{section} trang {number}", links, following), encoding="utf-8")
    (mirror / "index.html").write_text(_listing("Báo Thử Tải", [(f"/{s}", s) for s in names], None),
                                       encoding="utf-8")
    (mirror / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    registry = root / "sites.toml"
    registry.write_text(REGISTRY.format(site=site, domain=DOMAIN, listings=", ".join(f'"/{s}"' for s in names),
                                        sections="|".join(names)), encoding="utf-8")
    return mirror, registry, paths
