"""A generated provincial-newspaper site for the benchmarks, and the server that serves it.

    generate(root, n)            write n articles + paginated section listings into root/<SITE>/
    registry_file(path, ...)     a one-site registry (BAOTINH_SITES) whose entry crawls that mirror
    SiteServer(root, kind)       serve it on 127.0.0.1 from a separate process (own GIL, own core)

    .venv/bin/python benchmarks/sitegen.py generate DIR --articles 5000
    .venv/bin/python benchmarks/sitegen.py serve DIR [--kind twisted|threading]

The pages follow the article-cms layout of tests/fixtures/baolaocai/ (Báo Lào Cai's CMS): the
same header, menu, breadcrumbs, article__title/__meta/__sapo/__body, signature div.t1 > span.t2,
tags, related stories, "Đọc nhiều" / "Tin mới" sidebars and footer, so a page costs what a real
page of that family costs to fetch and extract (about 20-35 KB). Titles, leads, bodies (3 to 14
paragraphs, 0 to 3 captioned photos, some sub-headings), publication times (2015-2025), bylines
(names, "Tin, ảnh: …", capitals, several authors, agency credits) and categories vary with a fixed
seed, so every run serves the same bytes.

Listings: /thoi-su, /kinh-te, /xa-hoi with ?page=N (PER_PAGE stories a page, newest first, page
links and rel=next), and a home page / that links the sections and the latest stories; every
article is linked from exactly one section chain. Files use the mirror layout of
docs/architecture.md (`/xa-hoi?page=2` -> `xa-hoi@page=2.html`), so crawler.sample_site serves
them as well as the Twisted server here.
"""
from __future__ import annotations

import argparse
import html
import os
import random
import subprocess
import sys
import threading
import time
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path[0] != str(ROOT):  # the project's packages first (benchmarks/storage.py is not `storage`)
    sys.path.insert(0, str(ROOT))

SITE = "benchlaocai"          # registry name of the generated site (see registry_file)
DOMAIN = "baolaocai.vn"       # absolute links in the pages use the real domain, as the real site does
SEED = 20260110
PER_PAGE = 20
FIRST_ID = 300_000
SECTIONS = [("thoi-su", "Thời sự"), ("kinh-te", "Kinh tế"), ("xa-hoi", "Xã hội")]
_TZ = timezone(timedelta(hours=7))

PLACES = """Sa Pa|Bát Xát|Bảo Thắng|Bảo Yên|Bắc Hà|Mường Khương|Si Ma Cai|Văn Bàn|Cam Đường|Bản Hồ|Tả Van|
Y Tý|Phong Hải|Lào Cai|Cốc Lếu|Kim Thành|Phố Lu|Nghĩa Lộ|Mù Cang Chải|Trạm Tấu|Lục Yên|Yên Bình|
Văn Chấn|Trấn Yên|Bản Xèo|Tả Phời|Hợp Thành|Gia Phú|Xuân Quang|Thanh Bình""".replace("\n", "").split("|")
SUBJECTS = ["UBND tỉnh", "Tỉnh ủy", "Sở Nông nghiệp và Môi trường", "Sở Y tế", "Sở Giáo dục và Đào tạo",
            "Bộ đội Biên phòng tỉnh", "Công an tỉnh", "Hội Nông dân tỉnh", "Đoàn Thanh niên", "Hội Liên hiệp Phụ nữ",
            "Ngân hàng Chính sách xã hội", "Ban Quản lý khu kinh tế", "Sở Văn hóa, Thể thao và Du lịch",
            "Bệnh viện Đa khoa tỉnh", "Hợp tác xã nông nghiệp", "Trường Phổ thông Dân tộc nội trú"]
ACTIONS = ["đẩy nhanh tiến độ", "triển khai", "tổng kết", "ra mắt mô hình", "kiểm tra", "hỗ trợ", "mở rộng",
           "nâng cao chất lượng", "khánh thành", "phát động", "tháo gỡ vướng mắc trong", "khởi công",
           "bàn giao", "sơ kết", "thúc đẩy", "tăng cường"]
OBJECTS = ["dự án nâng cấp tuyến đường liên xã", "vùng trồng chè đạt chuẩn VietGAP", "chương trình xây dựng nông thôn mới",
           "mô hình tổ dân phố không rác thải nhựa", "khám, tư vấn từ xa cho tuyến xã", "xuất khẩu nông sản qua cửa khẩu",
           "chuyển đổi số trong cải cách hành chính", "nhà ở cho hộ nghèo", "phòng chống thiên tai mùa mưa lũ",
           "lễ hội văn hóa các dân tộc", "giải bóng chuyền hơi", "trồng rừng gỗ lớn", "du lịch cộng đồng",
           "sản phẩm OCOP", "điểm trường vùng cao", "tiêm chủng mở rộng", "tín dụng chính sách",
           "hạ tầng khu công nghiệp", "bảo vệ chủ quyền biên giới", "chính quyền địa phương hai cấp"]
WORDS = """người dân cán bộ địa phương tỉnh xã phường thôn bản năm nay kế hoạch mục tiêu kết quả đạt được
hoàn thành tăng trưởng bình quân tỷ đồng triệu đồng diện tích hecta cây trồng lúa ngô chè quế rừng bảo vệ
môi trường mưa lũ sạt lở khắc phục hậu quả hỗ trợ kịp thời chỉ đạo lãnh đạo sở ngành đoàn thể mặt trận
hôm nay vừa qua thời gian tới tiếp tục đẩy mạnh nâng cao chất lượng hiệu quả quản lý nhà nước cải cách
hành chính chuyển đổi số trực tuyến tiếp cận thông tin tuyên truyền vận động tham gia tích cực đóng góp
ý kiến thảo luận thống nhất quyết định nghị quyết quy định kiểm tra giám sát khó khăn vướng mắc giải pháp
đề xuất kiến nghị tháo gỡ thu hút nguồn lực hạ tầng điện nước sạch nhà ở đất đai giải phóng mặt bằng bồi
thường tái định cư sản phẩm đặc sản thương hiệu chứng nhận an toàn thực phẩm chăn nuôi gia súc dịch bệnh
thời tiết rét đậm mùa vụ thu hoạch năng suất sản lượng giá cả tiêu thụ học sinh giáo viên trường lớp bệnh
viện trạm y tế khám chữa bệnh du khách lượt khách doanh thu dịch vụ homestay đồng bào dân tộc thiểu số
""".split()
SURNAMES = "Nguyễn Trần Lê Phạm Hoàng Vũ Đặng Bùi Đỗ Hà Lương Nông Triệu Lục Sùng Giàng Vàng Lù".split()
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Thu", "Quang", "Ngọc", "Hữu", ""]
GIVEN = "Ly Dũng Anh Hùng Lan Hương Tuấn Hà Thu Hoa Long Sơn Hải Yến Quang Thảo Linh Bình Chinh Mai".split()
AGENCIES = ["Theo TTXVN", "Theo VOV", "Nguồn: Cổng TTĐT tỉnh", "Theo Báo Nhân Dân"]

PIXEL = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="


def slugify(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    out, dash = [], False
    for c in text:
        if c.isascii() and c.isalnum():
            out.append(c)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def _name(rng: random.Random) -> str:
    middle = rng.choice(MIDDLE)
    return " ".join(p for p in (rng.choice(SURNAMES), middle, rng.choice(GIVEN)) if p)


def _short(name: str) -> str:
    parts = name.split()
    return parts[-1] if len(parts) < 2 else f"{parts[-1]}" if len(parts) == 2 else " ".join(parts[-2:])


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    if rng.random() < 0.5:
        words.insert(rng.randrange(len(words)), rng.choice(PLACES))
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), f"{rng.randint(2, 980)}{rng.choice(['%', ' hộ', ' km', ' ha', ' tỷ đồng'])}")
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


class Article:
    """Everything one generated article shows; article(i) is the same for a given seed."""

    __slots__ = ("index", "id", "title", "slug", "lead", "_paragraphs", "section", "when", "byline",
                 "images", "tags", "path", "seed")

    def __init__(self, index: int, n: int, seed: int = SEED):
        rng = random.Random(seed * 1_000_003 + index)
        self.index = index
        self.id = FIRST_ID + index
        place = rng.choice(PLACES)
        pattern = rng.randrange(4)
        if pattern == 0:
            title = f"{place} {rng.choice(ACTIONS)} {rng.choice(OBJECTS)}"
        elif pattern == 1:
            title = f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)} {rng.choice(OBJECTS)} tại {place}"
        elif pattern == 2:
            title = f"{rng.choice(OBJECTS).capitalize()}: {place} {rng.choice(ACTIONS)} {rng.randint(2, 40)} công trình"
        else:
            title = f"{place} đón hơn {rng.randint(2, 900)} {rng.choice(['nghìn', 'triệu'])} lượt khách trong {rng.randint(2, 11)} tháng"
        self.title = title[0].upper() + title[1:]
        self.slug = slugify(self.title)[:90].strip("-")
        self.path = f"/{self.slug}-post{self.id}.html"
        # Newest first: article 0 is the latest; the site spans 2015 to 2025.
        span = (datetime(2025, 12, 31, 18, 0, tzinfo=_TZ) - datetime(2015, 1, 1, 7, 0, tzinfo=_TZ)).total_seconds()
        step = span / max(n, 1)
        self.when = datetime(2025, 12, 31, 18, 0, tzinfo=_TZ) - timedelta(
            seconds=int(index * step + rng.random() * step * 0.8))
        self.when = self.when.replace(hour=6 + self.when.hour % 16)  # newsroom hours
        day = f"{self.when.day}/{self.when.month}"
        self.lead = (f"{rng.choice(['Sáng', 'Chiều', 'Tối', 'Ngày'])} {day}, {rng.choice(SUBJECTS)} đã "
                     f"{rng.choice(ACTIONS)} {rng.choice(OBJECTS)} tại {place}. " + _sentence(rng, 14, 28))
        self.seed = seed
        self._paragraphs = None
        self.section = SECTIONS[index % len(SECTIONS)]
        style = rng.randrange(10)
        author = _name(rng)
        if style < 4:
            self.byline = author
        elif style < 6:
            self.byline = f"Tin, ảnh: {author}"
        elif style == 6:
            self.byline = author.upper()
        elif style == 7:
            self.byline = f"{author} - {_name(rng)}"
        elif style == 8:
            self.byline = f"{author} (Tổng hợp)"
        else:
            self.byline = rng.choice(AGENCIES)
        self.images = []
        for k in range(rng.choice((0, 1, 1, 1, 2, 3))):
            credit = author if rng.random() < 0.7 else _name(rng)
            self.images.append((f"/uploads/{self.when:%Y/%m/%d}/{self.slug[:40]}-{k + 1}.jpg",
                                _sentence(rng, 6, 14).rstrip("."), credit))
        self.tags = list(dict.fromkeys([place, *rng.sample(OBJECTS, 2)]))

    @property
    def paragraphs(self) -> list[tuple[str, str]]:
        """The body, made on first use (listings and sidebars only need the fields above)."""
        if self._paragraphs is None:
            rng = random.Random(self.seed * 2_000_003 + self.index)
            self._paragraphs = []
            for k in range(rng.randint(3, 14)):
                text = " ".join(_sentence(rng, 10, 26) for _ in range(rng.randint(2, 5)))
                if k and rng.random() < 0.12:
                    self._paragraphs.append(("h", _sentence(rng, 5, 10).rstrip(".")))
                self._paragraphs.append(("p", text))
        return self._paragraphs

    @property
    def url(self) -> str:
        return f"https://{DOMAIN}{self.path}"

    def iso(self) -> str:
        return self.when.strftime("%Y-%m-%dT%H:%M:%S%z")

    def shown(self) -> str:
        return self.when.strftime("%d/%m/%Y %H:%M")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


_HEAD = """<!DOCTYPE html> <html lang="vi"> <head> <title>{title} | Báo Lào Cai điện tử</title> <meta name="description" content="{description}"/>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge"/>
<meta content="width=device-width, initial-scale=1, maximum-scale=5, user-scalable=yes" name="viewport"/>
<meta http-equiv="content-language" content="vi" />
<meta name="apple-mobile-web-app-title" content="Báo Lào Cai điện tử"/>
<link rel="shortcut icon" href="/assets/web/styles/img/favicon.ico" type="image/x-icon" />
<meta name="author" content="Báo Lào Cai điện tử" />
<meta name="copyright" content="Copyright © 2026 by Báo Lào Cai điện tử" />
<meta name="GENERATOR" content="Báo Lào Cai điện tử" />
<meta content="Báo Lào Cai điện tử" itemprop="sourceOrganization" name="source"/>
<meta content="news" itemprop="genre" name="medium"/>
<meta name="robots" content="noarchive, max-image-preview:large, index, follow" />
<link rel="canonical" href="{canonical}" />{extra_links}
<meta property="og:site_name" content="Báo Lào Cai điện tử"/>
<meta property="og:type" content="{og_type}"/>
<meta property="og:url" content="https://baolaocai.vn{canonical}"/>
<meta property="og:title" content="{title}"/>
<meta property="og:description" content="{description}"/>
{meta}<script type="application/ld+json">
{{ "@context": "http://schema.org", "@type": "Organization", "name": "Báo Lào Cai điện tử", "url": "https://baolaocai.vn", "logo": "https://baolaocai.vn/assets/web/styles/img/logo.png", "foundingDate": "1963" }}
</script>
{scripts}<script async src="https://www.googletagmanager.com/gtag/js?id=G-LCI2025ABC"></script>
<script> window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}} gtag('js', new Date()); gtag('config', 'G-LCI2025ABC'); </script>
<link rel="stylesheet" href="/assets/web/styles/css/main.min-1.0.53.css">
</head>
"""


def _header(active: str | None) -> str:
    menu = [("/", "ic-home", "Trang chủ")] + [(f"/{slug}", "active" if slug == active else "", name)
                                            for slug, name in SECTIONS] + \
        [("/van-hoa", "", "Văn hóa"), ("/du-lich", "", "Du lịch"), ("/phap-luat", "", "Pháp luật"),
         ("/the-thao", "", "Thể thao"), ("/the-gioi", "", "Thế giới")]
    items = " ".join(f'<li> <a class="{cls}" href="{href}" title="{name}">{name}</a> </li>' for href, cls, name in menu)
    return (
        '<body class=""> <header class="site-header "> <div class="container"> <div class="top-header"> <div class="left"> '
        '<a href="javascript:void(0);" id="today">Thứ sáu, 09/01/2026</a> <a href="tel:+84900000000" title="Hotline"> '
        '<i class="ic-phone"></i> Hotline: 0900 000 000 </a> <a href="mailto:toasoan@baolaocai.vn" title="Mail gửi tòa soạn"> '
        '<i class="ic-mail"></i> Mail gửi tòa soạn </a> <a href="/lien-he-quang-cao" title="Liên hệ quảng cáo"> '
        '<i class="ic-promo"></i> Liên hệ quảng cáo </a> </div> <div class="right"> <div class="social"> '
        '<a href="https://www.facebook.com/baolaocaidientu" class="fb" target="_parent" title="Tương tác với Báo Lào Cai trên Facebook">fb</a> '
        '<a href="https://zalo.me/baolaocai" class="zl" target="_parent" title="Tương tác với Báo Lào Cai trên Zalo">zl</a> '
        '</div> </div> </div>\n<div class="content-header"> <div class="weather" id="header-weather">Sa Pa 9°C</div> '
        '<a class="logo" href="/" title="Báo Lào Cai điện tử">Báo Lào Cai điện tử</a> <div class="search"> '
        '<input type="text" class="input-search txtsearch" placeholder="Nhập từ khóa cần tìm"> '
        '<i class="ic-search btn_search"></i> </div> </div> </div>\n'
        f'<div class="navigation sticky"> <ul class="menu"> {items} </ul> </div> </header>\n')


_FOOTER = """<footer class="site-footer container"> <div class="row"> <div class="row"> <a href="/" class="logo" title="Báo Lào Cai điện tử">Báo Lào Cai điện tử</a> <div class="info"> <p> <span class="bold">Tổng Biên tập</span>: Phạm Văn Thắng </p>
<p> <span class="bold">Phó Tổng Biên tập</span>: <span>Lương Thị Hoa</span> - <span>Đỗ Minh Quân</span></p>
<p> <span class="bold">Điện thoại</span>: 0214.3800.000 </p>
<p> <span class="bold">Email</span>: <a href="mailto:toasoan@baolaocai.vn">toasoan@baolaocai.vn</a> </p> </div> </div> <div class="info align-left"> <p> <span class="bold">Trụ sở</span>: đường Hoàng Liên, phường Cam Đường, tỉnh Lào Cai.
</p>
<p>Giấy phép số <span class="bold">98/GP-BTTTT</span>, cấp ngày 14/04/2022</p> </div> </div> <div class="row"> <p class="text"> Không được sao chép, phát hành lại nội dung khi chưa có sự đồng ý bằng văn bản của Báo Lào Cai. </p> </div> </footer> <div class="back-to-top"></div>
<script src="/assets/web/js/main.min-1.0.40.js"></script>
<script src="/assets/web/js/detail.min-1.0.26.js"></script>
<div id="sdaWeb_SdaBalloon" class="rennab " data-platform="1" data-position="Web_SdaBalloon" style="display:none"> </div> <div id="fb-root"></div>
</body> </html>
"""


def _ad(position: str) -> str:
    return (f'<div id="sdaWeb_Sda{position}" class="rennab " data-platform="1" data-position="Web_Sda{position}" '
            f'style="display:none"> </div>')


def _story(a: Article, *, thumb: bool, meta: bool, summary: bool, cate: bool = False) -> str:
    title = _e(a.title)
    parts = [f'<article class="story" data-id="{a.id}">']
    if thumb:
        src = a.images[0][0] if a.images else f"/uploads/{a.when:%Y/%m/%d}/{a.slug[:40]}.jpg"
        parts.append(f'<figure class="story__thumb"> <a class="cms-link" href="{a.path}" title="{title}"> '
                     f'<img class="lazyload" src="{PIXEL}" data-src="{src}" alt="{title}"> <noscript><img src="{src}" '
                     f'alt="{title}" class="image-fallback"></noscript> </a> </figure>')
    parts.append(f'<h2 class="story__heading" data-tracking="{a.id}"> <a class="cms-link" href="{a.path}" '
                 f'title="{title}"> {title} </a> </h2>')
    if meta:
        cate_link = (f'<a href="/{a.section[0]}" class="title-cate" title="{a.section[1]}"> {a.section[1]} </a> '
                     if cate else "")
        parts.append(f'<div class="story__meta"> {cate_link}<time class="time" datetime="{a.iso()}" '
                     f'data-time="{int(a.when.timestamp())}" data-friendly="true"> {a.shown()} </time> </div>')
    if summary:
        parts.append(f'<div class="story__summary story__shorten"> {_e(a.lead)} </div>')
    parts.append("</article>")
    return " ".join(parts)


def _sidebar(popular: list[Article], latest: list[Article]) -> str:
    return (
        '<div class="sub-col sidebar-right"> <div id="sidebar-top-1"> ' + _ad("Right1") + "\n"
        '<section class="hot-news fyi-position"> <h3 class="box-heading"> <span class="title">Đọc nhiều</span> </h3> '
        '<div class="box-content" data-source="mostread-news"> '
        + " ".join(_story(a, thumb=False, meta=False, summary=False) for a in popular) + " </div> </section>\n"
        + _ad("Right2") + "\n"
        '<section class="latest-news fyi-position"> <h3 class="box-heading"> <span class="title">Tin mới</span> </h3> '
        '<div class="box-content" data-source="latest-news"> '
        + " ".join(_story(a, thumb=False, meta=True, summary=False) for a in latest) + " </div> </section>\n"
        '<section class="slide fyi-position"> <div class="wrap-heading"> <h3 class="box-heading"> <a class="title" '
        'href="/epaper" title="Đọc báo in"> Đọc báo in </a> </h3> </div> <div class="box-content"> <article class="story"> '
        '<h2 class="story__heading"> <a class="cms-link" href="/epaper/thuong-ky-so-120" title="Báo Lào Cai Thường kỳ số '
        '120 ra ngày 9/1/2026"> Báo Lào Cai Thường kỳ số 120 ra ngày 9/1/2026 </a> </h2> </article> </div> </section>\n'
        "</div> </div>\n")


class SiteModel:
    """The site's articles (generated lazily) and who links to whom."""

    def __init__(self, n: int, seed: int = SEED):
        self.n = n
        self.seed = seed
        self._cache: dict[int, Article] = {}

    def article(self, i: int) -> Article:
        found = self._cache.get(i)
        if found is None:
            found = self._cache[i] = Article(i, self.n, self.seed)
        return found

    def section_indexes(self, slug: str) -> list[int]:
        k = [s for s, _ in SECTIONS].index(slug)
        return list(range(k, self.n, len(SECTIONS)))

    def article_page(self, a: Article) -> str:
        n = self.n
        related = [self.article((a.index + d) % n) for d in (3, 6, 9) if n > 9]
        popular = [self.article((a.index * 7 + d) % n) for d in (11, 23, 37, 51) if n > 51]
        latest = [self.article(k) for k in range(min(4, n))]
        title, lead = _e(a.title), _e(a.lead)
        tags = ",".join(a.tags)
        meta = (f'<meta name="keywords" content="{_e(tags)},"/>\n<meta name="news_keywords" content="{_e(tags)},"/>\n'
                '<meta property="article:publisher" content="https://www.facebook.com/baolaocaidientu/" />\n'
                f'<meta property="article:tag" content="{_e(tags)},"/>\n'
                f'<meta property="article:section" content="{a.section[1]}" />\n'
                f'<meta property="article:published_time" content="{a.iso()}"/>\n'
                f'<meta property="article:modified_time" content="{a.iso()}"/>\n')
        image = a.images[0][0] if a.images else "/assets/web/styles/img/logo.png"
        scripts = (
            '<script type="application/ld+json">\n{ "@context":"http://schema.org", "@type":"BreadcrumbList", '
            f'"itemListElement":[ {{ "@type":"ListItem", "position":1, "item":{{ "@id":"https://baolaocai.vn/{a.section[0]}", '
            f'"name":"{a.section[1]}" }} }} ] }}\n</script>\n'
            '<script type="application/ld+json">\n{ "@context": "http://schema.org", "@type": "NewsArticle", '
            f'"mainEntityOfPage":{{ "@type":"WebPage", "@id":"{a.url}" }}, "headline": "{title}", '
            f'"description": "{lead}", "image": {{ "@type": "ImageObject", "url": "https://baolaocai.vn{image}", '
            f'"width" : 1200, "height" : 675 }}, "datePublished": "{a.iso()}", "dateModified": "{a.iso()}", '
            '"author": { "@type": "Person", "name": "" }, "publisher": { "@type": "Organization", "name": "Báo Lào Cai '
            'điện tử", "logo": { "@type": "ImageObject", "url": "https://baolaocai.vn/assets/web/styles/img/logo.png" } } }\n'
            '</script>\n<script>\nwindow.dataLayer = window.dataLayer || [];\ndataLayer.push({ \'event\': \'Pageview\', '
            f"'articleId': '{a.id}', 'articleTitle': \"{title}\", 'articleCategory': '{a.section[1]}', "
            f"'articleType': 'normal', 'articlePublishDate': '{a.iso()}' }});\n</script>\n")
        head = _HEAD.format(title=title, description=lead, canonical=a.path, extra_links="", og_type="article",
                            meta=meta, scripts=scripts)
        share = (f'<div class="article__meta"> <div class="row"> <div class="fb-like" data-href="{a.url}" data-width="" '
                 'data-layout="button_count" data-action="like" data-size="small" data-share="true"></div> '
                 '<div class="social social-share"> <a href="javascript:void(0);" class="tw" data-rel="twitter" '
                 f'data-href="{a.url}" title="Chia sẻ qua Twitter">Chia sẻ qua Twitter</a> <a href="javascript:void(0);" '
                 'class="print sendprint" title="In bài viết">In bài viết</a> <a href="javascript:void(0);" '
                 f'class="mail sendmail" data-href="{a.url}" title="Chia sẻ qua Email">Chia sẻ qua Email</a> </div> </div> </div>')
        body = []
        images = list(a.images)
        middle = max(1, len(a.paragraphs) // 2)
        for k, (kind, text) in enumerate(a.paragraphs):
            if kind == "h":
                body.append(f"<p><strong>{_e(text)}</strong></p>")
            else:
                body.append(f"<p> {_e(text)}&nbsp;\n</p>")
            if images and k % 2 == 0:
                src, caption, credit = images.pop(0)
                body.append(f'<figure class="image"> <img class="lazyload cms-photo" src="{PIXEL}" data-src="{src}" '
                            f'alt="{_e(caption)}." title="{_e(caption)}. Ảnh: {_e(credit)}" data-width="1600" '
                            f'data-height="1067" width="1000" height="667"> <figcaption> {_e(caption)}. Ảnh: '
                            f'{_e(credit)} </figcaption> </figure>')
            if k == middle:
                body.append('<div class="sda_middle"> <div id="sdaWeb_SdaArticleMiddle" class="rennab fyi" '
                            'data-platform="1" data-position="Web_SdaArticleMiddle"> </div>\n</div>')
        tag_links = " ".join(f'<a href="/tu-khoa/{slugify(t)}-tag{10000 + len(t) * 37}.html" title="{_e(t)}">#{_e(t)}</a>'
                             for t in a.tags)
        page = [
            head, _header(a.section[0]),
            '<div class="site-body"> <div class="container detail"> <div class="rennab-wrap"> ', _ad("Top"), " </div>\n",
            f'<div class="breadcrumbs"> <h2 class="main"> <a href="/{a.section[0]}" title="{a.section[1]}" '
            f'class="active">{a.section[1]}</a> </h2> </div>\n',
            '<div class="col"> <div class="main-col content-col"> <div class="article">\n',
            f'<h1 class="article__title cms-title "> {title} </h1>\n',
            f'<div class="article__meta"> <div class="row"> <time class="time" datetime="{a.iso()}"><i class="ic-calendar">'
            f'</i><span data-time="{int(a.when.timestamp())}" data-format="long" data-friendly="true">{a.shown()}</span>'
            f'</time> <meta class="cms-date" itemprop="datePublished" content="{a.iso()}"> </div> '
            + share.split('<div class="article__meta"> ', 1)[1] + "\n",
            f'<div class="article__sapo cms-desc"> <i class="laocai-icon"></i> {lead} </div>\n',
            _ad("ArticleAfterSapo"), "\n",
            '<div class="article__body zce-content-body cms-body" itemprop="articleBody">\n',
            "\n".join(body), "\n",
            f'<div class="t1"> <span class="t2">{_e(a.byline)}</span>\n</div> ', _ad("ArticleAfterBody"), " </div>\n",
            '<div class="article__tags"> <h3 class="box-heading"> <span class="title">Từ khóa:</span> </h3> '
            f'<div class="box-content"> {tag_links} </div> </div>\n', _ad("ArticleAfterTag"), "\n",
            share, "\n",
            '<div class="article__footer"> <div class="related-news"> <div class="box-heading"><span class="title">Tin liên '
            'quan</span></div> <div class="box-content" data-source="related-news"> '
            + " ".join(_story(r, thumb=False, meta=True, summary=False, cate=True) for r in related)
            + " </div> </div> </div>\n",
            f'<div class="wrap-comment" id="comment{a.id}" data-id="{a.id}" data-type="20"></div>\n',
            _ad("ArticleAfterComment"), " </div> </div>\n",
            _sidebar(popular, latest),
            "</div> </div> </div>\n", _FOOTER,
        ]
        return "".join(page)

    def listing_page(self, slug: str | None, page: int, indexes: list[int], pages: int) -> str:
        name = dict(SECTIONS).get(slug, "Trang chủ")
        path = f"/{slug}" if slug else "/"
        url = (lambda p: path if p == 1 else f"{path}?page={p}")
        extra = f'\n<link rel="next" href="{url(page + 1)}" />' if slug and page < pages else ""
        head = _HEAD.format(title=name if slug else "Báo Lào Cai điện tử", canonical=url(page), extra_links=extra,
                            description=f"Tin tức {name.lower()} tỉnh Lào Cai mới nhất.", og_type="website",
                            meta="", scripts="")
        stories = "\n".join(_story(self.article(i), thumb=True, meta=True, summary=True, cate=True) for i in indexes)
        nav = ""
        if slug and pages > 1:
            items = []
            if page > 1:
                items.append(f'<li class="page-item"><a class="page-link prev" rel="prev" href="{url(page - 1)}" '
                             'title="Trang trước">‹</a></li>')
            for p in range(max(1, page - 2), min(pages, page + 2) + 1):
                items.append(f'<li class="page-item active"><span class="page-link">{p}</span></li>' if p == page else
                             f'<li class="page-item"><a class="page-link" href="{url(p)}">{p}</a></li>')
            if page < pages:
                items.append(f'<li class="page-item"><a class="page-link next" rel="next" href="{url(page + 1)}" '
                             'title="Trang sau">›</a></li>')
            nav = f' <nav class="pagination-wrap"> <ul class="pagination"> {" ".join(items)} </ul> </nav>'
        popular = [self.article((page * 13 + d) % self.n) for d in (5, 17, 29, 41)] if self.n > 41 else []
        latest = [self.article(k) for k in range(min(4, self.n))]
        return "".join([
            head, _header(slug), '<div class="site-body"> <div class="container"> <div class="rennab-wrap"> ',
            _ad("Top"), " </div> </div>\n",
            f'<div class="breadcrumbs"> <h1 class="main"> <a href="{path}" title="{name}" class="active">{name}</a> '
            '</h1> </div>\n',
            '<div class="col"> <div class="main-col content-col"> <div class="timeline"> <div class="box-content '
            f'content-list" data-source="zone-{slug or "home"}">\n', stories, "\n</div>", nav, " </div> </div>\n",
            _sidebar(popular, latest), "</div> </div> </div>\n", _FOOTER])


def generate(root: str | Path, n: int, *, seed: int = SEED, per_page: int = PER_PAGE) -> dict:
    """Write the site into root/SITE/ (the mirror layout); return what was written."""
    site_dir = Path(root) / SITE
    site_dir.mkdir(parents=True, exist_ok=True)
    model = SiteModel(n, seed)
    started = time.perf_counter()
    total_bytes = article_bytes = listings = 0
    (site_dir / "robots.txt").write_text("User-agent: *\nDisallow: /tim-kiem\nAllow: /\n", encoding="utf-8")
    for i in range(n):
        article = model.article(i)
        data = model.article_page(article).encode("utf-8")
        (site_dir / article.path.lstrip("/")).write_bytes(data)
        article_bytes += len(data)
        article._paragraphs = None  # bodies are the bulk: keep only the fields listings show
    total_bytes += article_bytes
    for slug, _ in SECTIONS:
        indexes = model.section_indexes(slug)
        pages = max(1, -(-len(indexes) // per_page))
        for page in range(1, pages + 1):
            chunk = indexes[(page - 1) * per_page: page * per_page]
            data = model.listing_page(slug, page, chunk, pages).encode("utf-8")
            name = f"{slug}.html" if page == 1 else f"{slug}@page={page}.html"
            (site_dir / name).write_bytes(data)
            total_bytes += len(data)
            listings += 1
    data = model.listing_page(None, 1, list(range(min(per_page, n))), 1).encode("utf-8")
    (site_dir / "index.html").write_bytes(data)
    total_bytes += len(data)
    listings += 1
    return {"dir": str(site_dir), "articles": n, "listing_pages": listings, "pages": n + listings,
            "bytes": total_bytes, "mean_article_bytes": round(article_bytes / max(n, 1)),
            "seconds": round(time.perf_counter() - started, 2)}


def describe(root: str | Path) -> dict:
    """What generate() wrote under root (counted from the files)."""
    site_dir = Path(root) / SITE
    articles = article_paths(root)
    others = [p for p in site_dir.glob("*.html") if "-post" not in p.name]
    sizes = [p.stat().st_size for p in articles]
    return {"dir": str(site_dir), "articles": len(articles), "listing_pages": len(others),
            "pages": len(articles) + len(others), "bytes": sum(sizes) + sum(p.stat().st_size for p in others),
            "mean_article_bytes": round(sum(sizes) / max(len(sizes), 1))}


def article_paths(root: str | Path) -> list[Path]:
    return sorted((Path(root) / SITE).glob("*-post*.html"))


def registry_file(path: str | Path, *, name: str = SITE) -> Path:
    """A registry holding only the generated site (point BAOTINH_SITES at it)."""
    path = Path(path)
    path.write_text(f"""# Written by benchmarks/sitegen.py: the generated benchmark site (a Báo Lào Cai look-alike).
[sites.{name}]
newspaper = "Báo Lào Cai"
province = "Lào Cai"
domains = ["{DOMAIN}"]
base_url = "https://{DOMAIN}/"
family = "article-cms"
listings = ["/", "/thoi-su", "/kinh-te", "/xa-hoi"]
article_pattern = '-post\\d+\\.html$'
listing_pattern = '^/(thoi-su|kinh-te|xa-hoi)(\\?page=\\d+)?$'
""", encoding="utf-8")
    return path


# -- serving -------------------------------------------------------------------------------------


def _serve_twisted(site_dir: Path, port: int) -> None:
    """Twisted's HTTP server (C-accelerated reactor loop, no threads), the mirror layout of
    crawler.sample_site.resolve, files cached in memory after the first read."""
    from twisted.internet import reactor
    from twisted.web import resource, server

    from crawler.sample_site import CONTENT_TYPES, resolve

    cache: dict[bytes, tuple[bytes, bytes] | None] = {}

    class Mirror(resource.Resource):
        isLeaf = True

        def render_GET(self, request):  # noqa: N802 - Twisted's name
            found = cache.get(request.uri, False)
            if found is False:
                file = resolve(site_dir, request.uri.decode("latin-1"))
                found = None if file is None else (
                    CONTENT_TYPES.get(file.suffix, "application/octet-stream").encode(), file.read_bytes())
                if len(cache) < 50_000:
                    cache[request.uri] = found
            if found is None:
                request.setResponseCode(404)
                request.setHeader(b"content-type", b"text/plain")
                return b"not found\n"
            request.setHeader(b"content-type", found[0])
            return found[1]

    site = server.Site(Mirror())
    site.noisy = False
    site.log = lambda request: None  # no access log
    listening = reactor.listenTCP(port, site, interface="127.0.0.1", backlog=256)
    print(f"PORT {listening.getHost().port}", flush=True)
    _exit_with_parent(lambda: reactor.callFromThread(reactor.stop))
    reactor.run()


def _serve_threading(site_dir: Path, port: int) -> None:
    """The project's own mirror server (crawler.sample_site: ThreadingHTTPServer)."""
    from crawler.sample_site import serve_sample_site

    (server,) = serve_sample_site(port, root=site_dir.parent, sites=[site_dir.name])
    print(f"PORT {server.port}", flush=True)
    done = threading.Event()
    _exit_with_parent(done.set)
    done.wait()
    server.stop()


def _exit_with_parent(stop) -> None:
    """Stop when stdin closes: the server never outlives the benchmark that started it."""
    def watch():
        try:
            sys.stdin.read()
        finally:
            stop()
    threading.Thread(target=watch, daemon=True).start()


SERVERS = {"twisted": "Twisted Web (twisted.web.server, own process, files cached in memory)",
           "threading": "crawler.sample_site (http.server ThreadingHTTPServer, own process)"}


class SiteServer:
    """The generated site served from a child process on 127.0.0.1 (its own GIL and core)."""

    def __init__(self, root: str | Path, kind: str = "twisted"):
        if kind not in SERVERS:
            raise ValueError(f"server kind must be one of {', '.join(SERVERS)}")
        self.site_dir = Path(root) / SITE
        self.kind = kind
        self.process: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> "SiteServer":
        self.process = subprocess.Popen(
            [sys.executable, __file__, "serve", str(self.site_dir.parent), "--kind", self.kind],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"the {self.kind} server did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def description(self) -> str:
        return SERVERS[self.kind]

    def cpu_seconds(self) -> float:
        """User + system CPU the server process has used so far (from /proc)."""
        return cpu_seconds(self.process.pid) if self.process else 0.0

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            self.process.stdin.close()
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write the site into DIR/" + SITE)
    gen.add_argument("dir")
    gen.add_argument("--articles", type=int, default=5000)
    serve = sub.add_parser("serve", help="serve DIR/" + SITE + " on 127.0.0.1 until stdin closes")
    serve.add_argument("dir")
    serve.add_argument("--kind", choices=sorted(SERVERS), default="twisted")
    serve.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "generate":
        print(generate(args.dir, args.articles))
        return 0
    site_dir = Path(args.dir) / SITE
    if not (site_dir / "index.html").is_file():
        parser.error(f"no generated site in {site_dir}")
    (_serve_twisted if args.kind == "twisted" else _serve_threading)(site_dir, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
