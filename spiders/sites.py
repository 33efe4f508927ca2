"""One spider per registry entry: `scrapy list` shows them, `scrapy crawl NAME` runs one.

A site that needs more than configuration gets a tiny subclass in its own module instead;
entries named in SPECIALIZED are skipped here. A broken registry never breaks the import:
its problems are logged (file and line) and the sites that load still get their spiders.
"""
import logging

from crawler.registry import RegistryError, load_registry
from spiders.base import NewsSpider

logger = logging.getLogger(__name__)
SPECIALIZED: set[str] = set()


def _spider_class(name: str) -> type[NewsSpider]:
    class_name = "".join(part.capitalize() for part in name.replace("-", "_").split("_")) + "Spider"
    return type(class_name, (NewsSpider,), {"name": name, "site_name": name, "__module__": __name__})


def _spider_classes() -> dict[str, type[NewsSpider]]:
    try:
        sites, errors = load_registry()
    except RegistryError as exc:
        logger.error("%s", exc)
        return {}
    for error in errors:
        logger.error("%s", error)
    classes = (_spider_class(name) for name in sites if name not in SPECIALIZED)
    return {cls.__name__: cls for cls in classes}


globals().update(_spider_classes())
