"""The one item baotinh produces: an Article.

Field meanings are documented in docs/schema.md; extraction fills the raw fields, the
normalize pipeline fills the parsed ones and keeps the raw strings beside them.
"""
import scrapy

ARTICLE_FIELDS = (
    "url",            # the URL fetched, tracking parameters and fragment removed
    "canonical_url",  # the page's rel=canonical (or og:url), else url
    "site",           # registry name, e.g. "baolangson"
    "title",
    "lead",           # sapo / description paragraph
    "body",           # paragraphs separated by one blank line
    "published_at",   # ISO 8601 with +07:00, or YYYY-MM-DD when the page gives no time
    "published_raw",  # the string published_at was parsed from
    "modified_at",
    "modified_raw",
    "authors",        # list of person names, NFC, Vietnamese title case
    "byline_raw",     # the byline text as printed
    "author_meta",    # author values from meta tags / JSON-LD (often the site's own name)
    "source",         # credited agency or outlet (TTXVN, VOV, ...)
    "category",
    "tags",           # list of strings
    "images",         # list of {"url": ..., "caption": ..., "credit": ...}
    "language",
    "fetched_at",     # ISO 8601 with +07:00
    # Not stored: what the spider tells the pipelines about the page.
    "page_type",      # "article" or "other" (listing, video hub, ...)
    "problems",       # extraction problems, logged and counted by the pipelines
)


class Article(scrapy.Item):
    locals().update({name: scrapy.Field() for name in ARTICLE_FIELDS})
