"""The traps of extraction, one table per kind (pages are small, written for each case).

Whole pages of every CMS family are in tests/fixtures (tests/test_fixtures.py); here each case
isolates one rule: where the date comes from, what the byline is, what leaves the body, how
bytes become text, and that nothing ever raises.
"""
from __future__ import annotations

import gzip
import logging
import unicodedata

import pytest

from crawler.extract import extract_page
from crawler.registry import get_site

URL = "https://tin.example/bai-viet-a123.html"

PARAGRAPHS = (
    "<p>Sáng 20/3, Ủy ban nhân dân xã tổ chức hội nghị triển khai kế hoạch phát triển vùng "
    "nguyên liệu gỗ rừng trồng, với sự tham gia của đại diện các thôn và doanh nghiệp.</p>"
    "<p>Theo kế hoạch, đến cuối năm, toàn xã trồng mới 150 ha rừng, trong đó ưu tiên các loài "
    "cây bản địa và mô hình trồng rừng gỗ lớn có chứng chỉ quản lý bền vững.</p>"
    "<p>Các hộ tham gia được hỗ trợ cây giống, phân bón và tập huấn kỹ thuật, đồng thời được "
    "doanh nghiệp ký hợp đồng bao tiêu sản phẩm với giá ổn định trong nhiều năm.</p>"
)


def page(article: str, *, head: str = "", chrome: str = "", title: str = "Trồng rừng gỗ lớn ở vùng cao") -> str:
    """A news page: a header "today" bar, the article, a sidebar with times, a licence footer."""
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>{title} - Báo Ví Dụ</title>
<meta property="og:title" content="{title} - Báo Ví Dụ"><meta property="og:site_name" content="Báo Ví Dụ">
{head}</head><body>
<div class="top-header"><span class="date-today">Thứ hai, 25/10/2021</span></div>
<nav class="menu"><a href="/">Trang chủ</a> <a href="/kinh-te">Kinh tế</a></nav>
<div class="main"><div class="col-left">{article}</div>
<div class="sidebar"><h3>Tin mới</h3><ul>
<li><a href="/a-1.html">Một tin khác ở thanh bên</a> <span class="time">24/10/2021 09:15</span></li>
<li><a href="/a-2.html">Tin thứ hai ở thanh bên</a> <time datetime="2021-10-23T08:00:00+07:00">23/10/2021</time></li>
</ul></div></div>{chrome}
<footer class="footer">Giấy phép số 12/GP-BTTTT cấp ngày 02-12-2021.</footer>
</body></html>"""


def article(body: str = PARAGRAPHS, *, meta: str = '<div class="meta"><span class="post-date">20/03/2024 10:30</span></div>',
            title: str = "Trồng rừng gỗ lớn ở vùng cao") -> str:
    return f'<div class="detail"><h1>{title}</h1>{meta}<div class="detail-content">{body}</div></div>'


def run(html: str | bytes, url: str = URL, **kwargs) -> dict:
    data = html.encode("utf-8") if isinstance(html, str) else html
    return extract_page(data, url, **kwargs)


# -- the publication date comes from the article, never from page chrome -----------------------

@pytest.mark.parametrize("html, published", [
    pytest.param(page(article()), "20/03/2024 10:30", id="header-today-and-sidebar-ignored"),
    pytest.param(page(article(meta="")), None, id="no-article-date-no-chrome-date"),
    pytest.param(page(article(PARAGRAPHS + "<p>Ngày 13/7/2023, dự án được phê duyệt.</p>", meta="")), None,
                 id="date-inside-body-is-not-publication-date"),
    pytest.param(page(article(meta='<div class="meta"><time datetime="2024-03-20T10:30:00+07:00">20/03/2024</time></div>')),
                 "2024-03-20T10:30:00+07:00", id="article-header-time-datetime"),
    pytest.param(page(article(), head='<meta property="article:published_time" content="2024-03-20T10:30:40+07:00">'),
                 "2024-03-20T10:30:40+07:00", id="agreeing-machine-value-kept-for-precision"),
    pytest.param(page(article(), head='<script type="application/ld+json">{"@type": "NewsArticle", '
                                      '"datePublished": "2024-03-20"}</script>'),
                 "20/03/2024 10:30", id="date-only-jsonld-loses-to-visible-time"),
    pytest.param(page(article(meta='<div class="meta"><span class="post-date">20/03/2024</span></div>'),
                      head='<meta property="article:published_time" content="2024-03-20T10:30:00+07:00">'),
                 "2024-03-20T10:30:00+07:00", id="date-only-visible-keeps-machine-time"),
    pytest.param(page(article(meta='<div class="meta"><span class="post-date">Cập nhật: 21/03/2024 08:00</span>'
                                   '<span class="post-time">20/03/2024 10:30</span></div>')),
                 "20/03/2024 10:30", id="update-line-is-not-publication"),
])
def test_publication_date_source(html, published):
    assert run(html)["published_raw"] == published


def test_machine_visible_conflict_keeps_visible_and_reports(caplog):
    html = page(article(), head='<meta property="article:published_time" content="2024-03-20T03:30:00+07:00">')
    with caplog.at_level(logging.DEBUG, logger="crawler.extract.published"):
        raw = run(html)
    assert raw["published_raw"] == "20/03/2024 10:30"
    assert "date_conflict machine=2024-03-20T03:30:00+07:00 visible=20/03/2024 10:30" in raw["problems"]
    assert any("2024-03-20T03:30:00+07:00" in r.getMessage() and "20/03/2024 10:30" in r.getMessage()
               for r in caplog.records)


def test_machine_only_is_flagged_no_visible_date():
    raw = run(page(article(meta=""), head='<script type="application/ld+json">{"@type": "NewsArticle", '
                                          '"datePublished": "2024-03-20T10:30:00+07:00"}</script>'))
    assert raw["published_raw"] == "2024-03-20T10:30:00+07:00"
    assert "no_visible_date" in raw["problems"]


# -- bylines ---------------------------------------------------------------------------------

@pytest.mark.parametrize("ending, byline, last_paragraph", [
    pytest.param('<p style="text-align: right;"><strong>Tin, ảnh: P.Y</strong></p>', "Tin, ảnh: P.Y",
                 "bao tiêu sản phẩm", id="right-aligned-bold-labelled"),
    pytest.param("<p>TRÍ DŨNG</p>", "TRÍ DŨNG", "bao tiêu sản phẩm", id="capitals-last-line"),
    pytest.param("<p><strong>Thu Hà - Minh Đức</strong></p><div><strong>Từ khóa:</strong> <a>rừng</a></div>"
                 "<h3>Tin liên quan</h3><ul><li><a href='/x.html'>Một bài cũ về rừng</a></li></ul>",
                 "Thu Hà - Minh Đức", "bao tiêu sản phẩm", id="bold-signature-before-keyword-blocks"),
    pytest.param('<style>.t1 {text-align: right} .t2 {font-weight: bold}</style><div class="t1"><span class="t2">'
                 'Anh Dũng</span></div>', "Anh Dũng", "bao tiêu sản phẩm", id="css-class-styled-signature"),
    pytest.param('<p class="Normal" style="text-align:right;"><strong>Hà Thu</strong> <em>(tổng hợp)</em></p>',
                 "Hà Thu (tổng hợp)", "bao tiêu sản phẩm", id="signature-with-note"),
    pytest.param("<p>Theo TTXVN</p>", "Theo TTXVN", "bao tiêu sản phẩm", id="agency-credit"),
    pytest.param("<p><em>Ảnh: Hoàng Hà</em></p>", None, "bao tiêu sản phẩm", id="photo-credit-is-not-a-byline"),
    pytest.param("<p>Hội nghị kết thúc lúc 11 giờ cùng ngày.</p>", None, "kết thúc lúc 11 giờ",
                 id="short-last-sentence-stays"),
])
def test_byline_at_the_end_of_the_body(ending, byline, last_paragraph):
    raw = run(page(article(PARAGRAPHS + ending)))
    assert raw["byline_raw"] == byline
    assert last_paragraph in raw["body"].split("\n\n")[-1]
    if byline:
        assert byline not in raw["body"]


def test_capitals_subheading_inside_the_body_stays():
    body = PARAGRAPHS[:200] + "</p><p>HƯỚNG ĐẾN RỪNG GỖ LỚN</p>" + PARAGRAPHS + "<p>NGỌC ANH</p>"
    raw = run(page(article("<p>" + body.split("<p>", 1)[1])))
    assert "HƯỚNG ĐẾN RỪNG GỖ LỚN" in raw["body"].split("\n\n")
    assert raw["byline_raw"] == "NGỌC ANH"


@pytest.mark.parametrize("markup, byline", [
    pytest.param('<div class="author cms-author"><a class="name">THUẬN VĂN - </a><a class="name">LÊ ÁNH</a></div>',
                 "THUẬN VĂN - LÊ ÁNH", id="cms-author"),
    pytest.param('<div class="author-make tr"><span class="uppercase bold">Lương Ý </span></div>', "Lương Ý",
                 id="author-make"),
    pytest.param('<div class="the-article-credit"><p class="author">Anh Nguyễn</p></div>', "Anh Nguyễn",
                 id="the-article-credit"),
    pytest.param('<a href="/tac-gia/tri-tuc-3617.htm">Tri Túc</a>', "Tri Túc", id="author-page-link"),
])
def test_author_elements(markup, byline):
    raw = run(page(f'<div class="detail"><h1>Trồng rừng gỗ lớn ở vùng cao</h1><div class="meta">{markup}'
                   f'<span class="post-date">20/03/2024 10:30</span></div><div class="detail-content">'
                   f'{PARAGRAPHS}</div></div>'))
    assert raw["byline_raw"] == byline
    assert byline not in raw["body"]


def test_visible_byline_beats_meta_and_site_names_are_not_authors():
    head = ('<meta name="author" content="Báo Ví Dụ"><script type="application/ld+json">{"@type": "NewsArticle",'
            ' "author": [{"@type": "Person", "name": "Lò Văn Sơn"}, {"@type": "Organization", "name": "Báo Ví Dụ"}]}'
            '</script>')
    raw = run(page(article(PARAGRAPHS + '<p style="text-align:right"><b>Lò Sơn</b></p>'), head=head))
    assert raw["byline_raw"] == "Lò Sơn"
    assert raw["author_meta"] == ["Lò Văn Sơn"]


# -- what leaves the body --------------------------------------------------------------------

def test_captions_and_credits_go_to_images():
    body = (PARAGRAPHS
            + '<figure><img src="/anh/1.jpg"><figcaption>Trồng rừng ở xã Nà Hang. Ảnh: THUẬN VĂN</figcaption></figure>'
            + '<p><img data-src="/anh/2.jpg" src="data:image/gif;base64,R0lGOD"></p>'
            + '<p style="text-align: center;"><em>Người dân chăm sóc cây giống.</em></p>'
            + '<table class="picture"><tr><td><img src="https://cdn.example/3.jpg"></td></tr>'
            + '<tr><td class="pCaption">Vườn ươm của hợp tác xã (Ảnh: Reuters).</td></tr></table>'
            + '<p><img src="/anh/4.jpg"></p><p><em>Ảnh: Hoàng Hà</em></p>'
            + "<p>Sau hội nghị, các đại biểu đi thăm vườn ươm của hợp tác xã.</p>")
    raw = run(page(article(body)))
    assert raw["images"] == [
        {"url": "https://tin.example/anh/1.jpg", "caption": "Trồng rừng ở xã Nà Hang.", "credit": "THUẬN VĂN"},
        {"url": "https://tin.example/anh/2.jpg", "caption": "Người dân chăm sóc cây giống.", "credit": None},
        {"url": "https://cdn.example/3.jpg", "caption": "Vườn ươm của hợp tác xã", "credit": "Reuters"},
        {"url": "https://tin.example/anh/4.jpg", "caption": None, "credit": "Hoàng Hà"},
    ]
    for text in ("Nà Hang", "chăm sóc cây giống", "Vườn ươm của", "Hoàng Hà"):
        assert text not in raw["body"]
    assert raw["body"].endswith("đi thăm vườn ươm của hợp tác xã.")


@pytest.mark.parametrize("insert, gone", [
    pytest.param("<h3>Tin liên quan</h3><ul><li><a href='/b.html'>Bài cũ về trồng rừng ở xã bên</a></li>"
                 "<li><a href='/c.html'>Một bài cũ nữa về giống cây</a></li></ul>", "Bài cũ", id="tin-lien-quan"),
    pytest.param('<div class="box-related"><a href="/b.html">Bài cũ về trồng rừng</a></div>', "Bài cũ",
                 id="related-box-class"),
    pytest.param("<p>Xem thêm: <a href='/b.html'>Bài cũ về trồng rừng gỗ lớn</a></p>", "Bài cũ", id="xem-them-link"),
    pytest.param('<div class="sda_middle"><div id="sdaWeb_SdaArticleMiddle">Quảng cáo giữa bài</div></div>',
                 "Quảng cáo", id="ad-slot"),
    pytest.param('<script>var x = "mã theo dõi";</script><style>.a{color:red}</style>', "mã theo dõi", id="script"),
    pytest.param('<div class="social-share"><a>Chia sẻ Facebook</a></div>', "Chia sẻ", id="share-bar"),
    pytest.param("<p>{{ item.title }}</p><p><span>{{ related.sapo }}</span></p>", "{{", id="template-text"),
    pytest.param('<p style="display:none">Đoạn ẩn không hiển thị</p>', "Đoạn ẩn", id="hidden"),
])
def test_chrome_inside_the_body_is_dropped(insert, gone):
    body = PARAGRAPHS.replace("</p>", "</p>" + insert, 1)
    raw = run(page(article(body)))
    assert gone not in raw["body"]
    assert len(raw["body"].split("\n\n")) == 3


def test_comments_and_keywords_end_the_body():
    body = PARAGRAPHS + ('<div class="kw"><b>Từ khóa:</b> <a>rừng gỗ lớn</a>, <a>vùng cao</a></div>'
                         '<div class="yk"><h3>Ý kiến bạn đọc</h3><p>Một bạn đọc viết bình luận rất dài về chính '
                         'sách trồng rừng của xã trong nhiều năm qua.</p></div>')
    raw = run(page(article(body)))
    assert "bình luận" not in raw["body"] and "Từ khóa" not in raw["body"]
    assert raw["tags"] == ["rừng gỗ lớn", "vùng cao"]


def test_paragraphs_written_as_bare_divs_keep_their_breaks():
    body = "".join(f"<div> {p} <br></div>" for p in PARAGRAPHS.replace("</p>", "").split("<p>") if p)
    raw = run(page(article(body)))
    assert len(raw["body"].split("\n\n")) == 3


def test_dateline_stays_in_the_body():
    raw = run(page(article("<p><strong>(CTO)</strong> - " + PARAGRAPHS[3:])))
    assert raw["body"].startswith("(CTO) - Sáng 20/3")


# -- title, lead, page kinds ------------------------------------------------------------------

def test_title_is_the_article_h1_not_the_category_h1():
    html = page('<div id="colcate1"><div class="titlecate"><h1><a href="/thoi-su">THỜI SỰ</a> &gt; '
                '<a href="/thoi-su/can-tho">Cần Thơ</a></h1></div><span class="pubdate">08/01/2026 - 18:21</span>'
                '<h1 class="fw700">Trồng rừng gỗ lớn ở vùng cao&nbsp;<span class="sprite"></span></h1>'
                f'<div id="newscontents"><div class="content-fck">{PARAGRAPHS}</div></div></div>')
    raw = run(html, url="https://baocantho.com.vn/trong-rung-a1.html")
    assert raw["title"] == "Trồng rừng gỗ lớn ở vùng cao"
    assert raw["published_raw"] == "08/01/2026 - 18:21"
    assert raw["category"] == "Thời sự"


@pytest.mark.parametrize("og_title", ["Trồng rừng gỗ lớn ở vùng cao - Báo Ví Dụ",
                                      "Trồng rừng gỗ lớn ở vùng cao | VTC News"])
def test_title_from_og_title_without_site_suffix(og_title):
    html = page(f'<div class="detail"><div class="title">x</div><div class="detail-content">{PARAGRAPHS}</div></div>',
                title=og_title.split(" - ")[0].split(" | ")[0])
    html = html.replace('content="Trồng rừng gỗ lớn ở vùng cao - Báo Ví Dụ"', f'content="{og_title}"')
    assert run(html)["title"] == "Trồng rừng gỗ lớn ở vùng cao"


def test_lead_is_the_sapo_not_body():
    raw = run(page('<div class="detail"><h1>Trồng rừng gỗ lớn ở vùng cao</h1><h2 class="sapo">Xã vùng cao đặt '
                   'mục tiêu trồng mới 150 ha rừng gỗ lớn trong năm nay.</h2>'
                   f'<div class="detail-content">{PARAGRAPHS}</div></div>'))
    assert raw["lead"].startswith("Xã vùng cao đặt mục tiêu")
    assert not raw["body"].startswith("Xã vùng cao")


def test_listing_page_is_not_an_article():
    items = "".join(f'<div class="item"><h3><a href="/bai-{i}.html">Tiêu đề bài viết số {i} về kinh tế địa '
                    f'phương</a></h3><p>Tóm tắt ngắn của bài viết số {i}, nói về tình hình sản xuất và tiêu thụ nông '
                    f'sản trong tuần.</p></div>' for i in range(20))
    raw = run(page(f'<h1>Kinh tế</h1><div class="list-news">{items}</div>'),
              url="https://tin.example/kinh-te")
    assert raw["is_article"] is False
    assert "not_article" in raw["problems"]


def test_registry_site_selectors_come_first():
    site = get_site("baophutho")  # selectors: title h1.pTitle, lead p.pHead, body #dcontent
    raw = run(page('<h1>Báo Phú Thọ</h1><h1 class="pTitle">Trồng rừng gỗ lớn ở vùng cao</h1>'
                   '<p class="pHead">Sapo của bài viết về trồng rừng gỗ lớn ở vùng cao.</p>'
                   f'<div id="dcontent">{PARAGRAPHS}</div><div class="other">{PARAGRAPHS}{PARAGRAPHS}</div>'),
              url="https://baophutho.vn/trong-rung-123.htm", site=site)
    assert raw["family"] == "site:baophutho"
    assert raw["title"] == "Trồng rừng gỗ lớn ở vùng cao"
    assert raw["lead"] == "Sapo của bài viết về trồng rừng gỗ lớn ở vùng cao."
    assert len(raw["body"].split("\n\n")) == 3


# -- bytes to text ----------------------------------------------------------------------------

def _cp1258(text: str) -> bytes:
    """Vietnamese in windows-1258: precomposed vowels, tones as combining marks."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for i, mark in enumerate(marks):
            try:
                rest = "".join(marks[:i] + marks[i + 1:])
                out += unicodedata.normalize("NFC", base + mark).encode("cp1258") + rest.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            out += (base + "".join(marks)).encode("cp1258")
    return bytes(out)


HTML = page(article())
TITLE = "Trồng rừng gỗ lớn ở vùng cao"


@pytest.mark.parametrize("data, headers", [
    pytest.param(HTML.encode("utf-8"), None, id="utf-8-declared"),
    pytest.param(HTML.replace('<meta charset="utf-8">', "").encode("utf-8"), None, id="utf-8-undeclared"),
    pytest.param(HTML.replace('<meta charset="utf-8">', "").encode("utf-8"), {"Content-Type": "text/html"},
                 id="utf-8-header-without-charset"),
    pytest.param(_cp1258(HTML.replace('charset="utf-8"', 'charset="windows-1258"')), None, id="cp1258-meta"),
    pytest.param(_cp1258(HTML.replace('<meta charset="utf-8">', "")), None, id="cp1258-sniffed"),
    pytest.param(_cp1258(HTML), {"content-type": "text/html; charset=windows-1258"}, id="cp1258-header-wins"),
    pytest.param(_cp1258(HTML.replace('<meta charset="utf-8">', "")), {b"Content-Type": [b"text/html; charset=iso-8859-1"]},
                 id="latin1-declared-but-vietnamese"),
    pytest.param(HTML.replace('charset="utf-8"', 'charset="windows-1258"').encode("utf-8"), None,
                 id="utf-8-under-a-stale-cp1258-declaration"),
    pytest.param(gzip.compress(HTML.encode("utf-8")), None, id="gzip"),
    pytest.param(gzip.compress(_cp1258(HTML.replace('<meta charset="utf-8">', "")), mtime=0), None, id="gzip-cp1258"),
    pytest.param(b"\xef\xbb\xbf" + HTML.encode("utf-8"), None, id="bom"),
    pytest.param(unicodedata.normalize("NFD", HTML).encode("utf-8"), None, id="nfd-text"),
])
def test_bytes_are_decoded_to_nfc_text(data, headers):
    raw = extract_page(data, URL, headers=headers)
    assert raw["title"] == TITLE
    assert raw["body"].startswith("Sáng 20/3, Ủy ban nhân dân xã")
    assert unicodedata.is_normalized("NFC", raw["body"])
    assert raw["is_article"] is True


@pytest.mark.parametrize("data, headers, problem", [
    pytest.param(b"", None, "not_html", id="empty"),
    pytest.param(b"   \n", None, "not_html", id="blank"),
    pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", None, "not_html", id="pdf"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, "not_html", id="png"),
    pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF", None, "not_html", id="jpeg"),
    pytest.param(b"<html><body><p>x</p></body></html>", {"Content-Type": "application/pdf"}, "not_html",
                 id="pdf-content-type"),
    pytest.param(b"\x1f\x8b\x08\x00garbage", None, "bad_gzip", id="broken-gzip"),
    pytest.param(gzip.compress(HTML.encode())[:200], None, "truncated_gzip", id="truncated-gzip"),
    pytest.param(b"just some plain text, no markup at all", None, "not_html", id="plain-text"),
    pytest.param(b"<html><body><div><p>Unclosed <b>tags <table><tr><td>cell", None, "not_article",
                 id="malformed-html"),
    pytest.param(bytes(range(256)) * 4, None, "not_html", id="binary-noise"),
    pytest.param(b"<?xml version='1.0' encoding='utf-8'?><html><body><h1>X</h1></body></html>", None,
                 "not_article", id="xml-declaration"),
])
def test_bad_input_is_not_an_article_and_never_raises(data, headers, problem):
    raw = extract_page(data, URL, headers=headers)
    assert raw["is_article"] is False
    assert any(p.split(" ")[0] == problem for p in raw["problems"]), raw["problems"]
    assert set(raw) >= {"title", "lead", "body", "published_raw", "modified_raw", "byline_raw", "author_meta",
                        "canonical_url", "category", "tags", "images", "language", "is_article", "family"}


def test_an_internal_error_becomes_a_problem(monkeypatch):
    import crawler.extract.extractor as extractor

    def boom(*args, **kwargs):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(extractor, "extract", boom)
    raw = extract_page(HTML.encode(), URL)
    assert raw["is_article"] is False
    assert raw["problems"] == ["extract_error RuntimeError: kaputt"]


def test_metadata_fields():
    head = ('<link rel="canonical" href="/bai-viet-a123.html"><meta property="article:tag" content="rừng">'
            '<meta property="article:tag" content="vùng cao"><meta property="article:modified_time" '
            'content="2024-03-21T09:00:00+07:00">')
    raw = run(page(article(), head=head).replace('lang="vi"', 'lang="vi-VN"'))
    assert raw["canonical_url"] == "https://tin.example/bai-viet-a123.html"
    assert raw["modified_raw"] == "2024-03-21T09:00:00+07:00"
    assert raw["language"] == "vi"
    assert raw["tags"] == ["rừng", "vùng cao"]


def _mirror_pages():
    from crawler.sample_site import FIXTURES

    for html in sorted(FIXTURES.glob("*/*.html")):
        yield pytest.param(html, html.with_suffix(".json").is_file(), id=f"{html.parent.name}/{html.stem}")


@pytest.mark.parametrize("html, is_article", list(_mirror_pages()))
def test_fixture_pages_are_told_apart_from_listings(html, is_article):
    """Every fixture page with an expected item is an article; home and section pages are not."""
    raw = extract_page(html.read_bytes(), f"https://{html.parent.name}.example/{html.stem}")
    assert raw["is_article"] is is_article, raw["problems"]


# -- the fast paths give what the plain definitions give --------------------------------------

_SELECT_PAGE = (
    '<html><head><meta itemprop="author" content="X"></head><body>'
    '<div class="article__body cms-body" id="content"><p class="t1"><span class="t2">A</span></p>'
    '<div class="tags"><a href="/a">a</a><div class="tags"><a href="/b">b</a></div></div>'
    '<p class="t1 x">B</p><p class=" t1\tt2 ">C</p></div>'
    '<div class="tags"><a href="/c">c</a></div><h1 class="title">T</h1><p class="author">Y</p>'
    '<div id="content-detail">D</div><div class="author">E</div></body></html>'
)


@pytest.mark.parametrize("selector", [
    ".tags a", ".article__body > .t1 > .t2", "div.article__body.cms-body", "#content .t1",
    "#content-detail + .author", ".t1 ~ p", ".t1:first-child", ".t2", "h1.title", "p.t1.t2",
    ".missing a", "#content > p:first-child > span", ".tags, .author", "[class~=t1]", "* .t1",
])
def test_anchored_selectors_match_like_xpath(selector):
    """Page.select starts from the elements carrying the first class/id; XPath over the whole
    tree (dom.select) must find exactly the same elements in the same order, under any root."""
    from crawler.extract.dom import Page, select

    p = Page(_SELECT_PAGE, URL)
    for root in [None, p.body, *p.body.iter("div", "p")]:
        expected = select(p.doc if root is None else root, selector)
        assert [id(e) for e in p.select(selector, root)] == [id(e) for e in expected], (selector, root)


@pytest.mark.parametrize("text", [
    "", " ", "a", " a  b ", "a\n\n b\t c\r\n", "a\u00a0\u00a0b", "x\u200by", "\ufeffz", "a\u3000b\u2028c",
    "A\u0301 b", "đã  xong\xa0.", "a\x1cb\x85c", "soft\xadhyphen  ", "zero\u200c\u200djoin",
])
def test_clean_space_is_nfc_and_one_space(text):
    import re

    from crawler.normalize.text import clean_space

    plain = re.sub(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+", " ",
                   unicodedata.normalize("NFC", text)).strip()
    assert clean_space(text) == plain
    assert type(clean_space(text)) is str


def test_text_of_is_the_same_with_the_page_cache():
    from crawler.extract.dom import Page, text_cache, text_of

    p = Page(page(article()), URL)
    elements = list(p.body.iter())
    plain = [text_of(el) for el in elements]
    with text_cache():
        assert [text_of(el) for el in elements] == plain
        assert [text_of(el) for el in elements] == plain
