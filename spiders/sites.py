"""One spider per registry entry: `scrapy list` shows them, `scrapy crawl NAME` runs one.

A site that needs more than configuration gets a tiny subclass in its own module instead;
entries named in SPECIALIZED are skipped here.
"""
from crawler.registry import load_sites
from spiders.base import NewsSpider

SPECIALIZED: set[str] = set()


def _spider_class(name: str) -> type[NewsSpider]:
    class_name = "".join(part.capitalize() for part in name.replace("-", "_").split("_")) + "Spider"
    return type(class_name, (NewsSpider,), {"name": name, "site_name": name, "__module__": __name__})


for _name in load_sites():
    if _name not in SPECIALIZED:
        _cls = _spider_class(_name)
        globals()[_cls.__name__] = _cls
# The loop names would otherwise be seen by Scrapy's loader as a second spider class.
del _name, _cls
