"""Only for `scrapyd-deploy`: scrapyd-client (2.x) builds its egg by running `python setup.py
bdist_egg`, and would write a setup.py of its own (wrong name, no package data) if none existed.
Everything else about the package is in pyproject.toml.

Scrapyd finds a project's settings through the egg's `scrapy` entry point (settings =
crawler.settings). pyproject.toml should declare it under [project.entry-points.scrapy]; until
it does, it is added here. setuptools ignores entry points passed to setup() when pyproject.toml
has a [project] table, so it is set on the distribution after pyproject.toml has been applied.
"""
from setuptools import setup
from setuptools.dist import Distribution

SCRAPY_ENTRY_POINT = "settings = crawler.settings"


class ProjectDistribution(Distribution):
    def parse_config_files(self, *args, **kwargs):
        super().parse_config_files(*args, **kwargs)
        entry_points = dict(self.entry_points or {})
        if not entry_points.get("scrapy"):
            entry_points["scrapy"] = [SCRAPY_ENTRY_POINT]
            self.entry_points = entry_points


setup(distclass=ProjectDistribution)
