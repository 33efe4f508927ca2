"""CMS family rules: the selectors shared by every paper that runs the same vendor's CMS.

A rule set has the shape of a registry entry's `selectors` table (docs/sites.md): for each field
(title, lead, body, date, author, category, tags, remove) a list of CSS selectors tried in
order. `signature` selectors recognise the family on a page whose site is unknown or whose
registry entry says "generic", so a new paper on a known CMS works without any entry.

Sources: /work/shared/notes/selectors.md §CMS families (verified on saved baolaocai, plo and
baocantho pages; the others from other crawlers' configurations).
"""
from __future__ import annotations

FIELDS = ("title", "lead", "body", "date", "author", "category", "tags", "remove")

FAMILIES: dict[str, dict[str, list[str]]] = {
    # baolaocai, plo.vn, baogialai, baohatinh (also tienphong, vietnamplus).
    "article-cms": {
        "signature": ["div.article__body.cms-body", "h1.article__title.cms-title"],
        "title": ["h1.article__title", "h1.cms-title"],
        "lead": ["div.article__sapo", ".cms-desc"],
        "body": ["div.article__body.cms-body", "div[itemprop=articleBody].article__body",
                 "div.article__body"],
        "date": ["time.article__time", ".article__meta time", ".article__header time"],
        "author": [".article__meta .cms-author", ".article__header .cms-author",
                   ".article__author .cms-author", ".article__author",
                   ".article__body > .t1 > .t2"],  # baolaocai's right-aligned bold signature
        "category": [".breadcrumbs a", ".breadcrumb a", ".article__breadcrumb a"],
        "tags": [".article__tags a", ".article__tag a", ".article__topic a"],
        "remove": [".sda_middle", "[id^=sdaWeb_]", ".ads_middle", "[id^=adsWeb_]", "[id^=adsMobile_]"],
    },
    # baolangson, baocaobang, baoquangninh, baohungyen.
    "content-detail": {
        "signature": ["#content-detail"],
        "title": [".content-article h1.name", "h1.name", ".content-article h1", ".detail-title h1"],
        "lead": [".content-article .sapo", "#content-detail > h2:first-child", ".content-article h2.sapo",
                 ".sapo"],
        "body": ["#content-detail", ".content-detail", ".content-article .detail"],
        "date": [".content-article .date-detail", ".detail-meta .date-detail", ".content-article .date-time",
                 ".content-article .detail-time", ".content-article .post-date"],
        "author": [".content-article .author", "#content-detail + .author"],
        "category": [".breadcrumb a", ".breadcrumbs a", ".content-article .cate a"],
        "tags": [".tags-list a", ".box-tags a", ".tag-list a"],
        "remove": [".block-news-list", ".box-related", ".related-news"],
    },
    # baocantho, dongkhoi.baovinhlong.vn, travinh.baovinhlong.vn.
    "content-fck": {
        "signature": ["#newscontents .content-fck", "div.content-fck"],
        "title": ["#colcate1 h1.fw700", "#colcate1 > h1", "#newscontents h1"],
        "lead": [".detail-desc", ".sapo"],
        "body": ["#newscontents .content-fck", "div.content-fck", "#newscontents"],
        "date": ["span.pubdate", ".pubdate"],
        "author": [],
        "category": [".titlecate h1 a", ".titlecate a"],
        "tags": [".block_tag a.tag_item", ".block_tag a"],
        "remove": ["[class^=AMN_res]"],
    },
    # baohaiphong, baodanang, hanoimoi, baonghean (also baotintuc, congly).
    "b-maincontent": {
        "signature": [".b-maincontent .entry", ".sc-longform-header-title"],
        "title": [".sc-longform-header-title", "h1.block-sc-title", ".b-maincontent h1"],
        "lead": [".sc-longform-header-sapo", "p.block-sc-sapo", ".block-sc-sapo"],
        "body": [".b-maincontent .entry", "article.entry", ".b-maincontent .entry-content"],
        "date": [".sc-longform-header-date", ".block-sc-publish-time", ".sc-longform-header-meta time",
                 ".sc-longform-header-meta .date"],
        "author": [".sc-longform-header-author", ".block-sc-author", ".entry .author"],
        "category": [".sc-longform-header-cat a", ".breadcrumb a", ".b-breadcrumb a"],
        "tags": [".sc-tags a", ".b-tags a", ".entry-tags a"],
        "remove": [".sc-longform-header", ".sc-related-articles", ".sc-related"],
    },
    # baotuyenquang, baodaklak.
    "article-content": {
        "signature": ["div.article_content div.content#content"],
        "title": ["h1.media-heading", ".article_content h1"],
        "lead": ["div.article_content div.content#content > p:first-child > strong"],
        "body": ["div.article_content div.content#content", "div.article_content"],
        "date": ["div.article_content div.date", ".article_content .date", "div.date"],
        "author": [".article_content .author", ".article_content .tacgia"],
        "category": [".breadcrumb a", ".article_content .cat a"],
        "tags": [".article_content .tags a", ".box-tags a"],
        "remove": ["div.date", "ul.social", "div.bd02", "h1.media-heading"],
    },
    # baobinhduong, baodongthap.
    "singular-content": {
        "signature": ["#contentNews .singular-content", ".singular-content"],
        "title": ["#contentNews h1.title", "h1.title", ".singular-title"],
        "lead": ["#contentNews .singular-sapo", ".singular-sapo", "#contentNews .sapo"],
        "body": ["#contentNews .singular-content", ".singular-content"],
        "date": ["#contentNews .singular-meta .date", "#contentNews .post-date", "#contentNews .date",
                 ".singular-meta time"],
        "author": ["#contentNews .singular-author", "#contentNews .author"],
        "category": [".breadcrumb a", "#contentNews .cat a"],
        "tags": [".singular-tags a", "#contentNews .tags a"],
        "remove": [".singular-related", ".related-posts"],
    },
}

FAMILY_NAMES = tuple(FAMILIES)
