"""Only for `scrapyd-deploy`: scrapyd-client (2.x) builds its egg by running `python setup.py
bdist_egg`, and would write a setup.py of its own (wrong name, no package data) if none existed.
Everything about the package, the Scrapy settings entry point included, is in pyproject.toml.
"""
from setuptools import setup

setup()
