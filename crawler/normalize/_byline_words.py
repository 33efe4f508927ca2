"""Vocabulary for crawler.normalize.bylines.

Keys are NFC-casefolded and keep their diacritics: "Tiền Phong" (a newspaper) must not swallow
"Tiến Phong" (a person). bylines.py adds diacritic-free keys for text that is printed without
diacritics ("TUOI TRE ONLINE"), and only applies those to text that has none.
"""
from __future__ import annotations

# News agencies and outlets whose name is not self-describing, with the spelling we report.
# Names that start with "Báo ", "Tạp chí ", "Đài ..." or look like a domain need no entry.
KNOWN_OUTLETS = {
    # Agencies (Vietnamese and foreign).
    "ttxvn": "TTXVN", "vna": "VNA", "ttxvn/vna": "TTXVN/VNA", "thông tấn xã việt nam": "TTXVN",
    "vov": "VOV", "vtv": "VTV", "htv": "HTV", "vtc": "VTC", "vtc news": "VTC News",
    "reuters": "Reuters", "afp": "AFP", "ap": "AP", "xinhua": "Xinhua", "tân hoa xã": "Tân Hoa Xã",
    "ttxvn/tân hoa xã": "TTXVN/Tân Hoa Xã", "bbc": "BBC", "cnn": "CNN", "bloomberg": "Bloomberg",
    "yonhap": "Yonhap", "kyodo": "Kyodo", "tass": "TASS", "sputnik": "Sputnik", "ria novosti": "RIA Novosti",
    "dpa": "DPA", "efe": "EFE", "ansa": "ANSA", "bernama": "Bernama", "antara": "Antara",
    "prensa latina": "Prensa Latina", "al jazeera": "Al Jazeera", "nikkei": "Nikkei", "cna": "CNA",
    # National outlets, as they sign copied articles ("Theo Dân Trí") or fill meta author.
    "vnexpress": "VnExpress", "dân trí": "Dân Trí", "dantri": "Dân Trí", "tuổi trẻ": "Tuổi Trẻ",
    "thanh niên": "Thanh Niên", "lao động": "Lao Động", "người lao động": "Người Lao Động",
    "nld": "NLĐ", "nlđ": "NLĐ", "tiền phong": "Tiền Phong", "nhân dân": "Nhân Dân",
    "quân đội nhân dân": "Quân đội nhân dân", "qđnd": "QĐND", "công an nhân dân": "Công an nhân dân",
    "cand": "CAND", "sài gòn giải phóng": "Sài Gòn Giải Phóng", "sggp": "SGGP", "hà nội mới": "Hà Nội Mới",
    "an ninh thủ đô": "An ninh Thủ đô", "tin tức": "Tin Tức", "pháp luật": "Pháp Luật", "plo": "PLO",
    "vietnamnet": "VietNamNet", "vietnamplus": "VietnamPlus", "vietnam+": "Vietnam+", "zing": "Zing",
    "zing news": "Zing News", "znews": "Znews", "kenh14": "Kenh14", "soha": "Soha", "cafef": "CafeF",
    "cafebiz": "CafeBiz", "genk": "GenK", "vneconomy": "VnEconomy", "dân việt": "Dân Việt",
    "báo mới": "Báo Mới", "baomoi": "Báo Mới", "24h": "24h", "vietnam news": "Vietnam News",
    "vccorp": "VCCorp", "fpt": "FPT", "viettimes": "VietTimes", "infonet": "Infonet",
    "giáo dục & thời đại": "Giáo dục & Thời đại", "kinh tế & đô thị": "Kinh tế & Đô thị",
    "đời sống & pháp luật": "Đời sống & Pháp luật", "tto": "TTO",
    # Provincial papers' sign-off codes seen in real text ("Chí Linh-BBL", "(CTO) -", "BGP").
    "bbl": "BBL", "cto": "CTO", "bgp": "BGP",
}

# Words that open an organisation's name. "Đài" alone is also a given name ("Đài Trang"), so
# only its outlet forms are listed; "Trường" and "Đoàn" are names too and are left out.
ORG_PREFIXES = (
    "báo ", "tạp chí ", "thời báo ", "tuần báo ", "nhật báo ", "thông tấn xã ", "hãng tin ",
    "đài phát thanh", "đài truyền hình", "đài tiếng nói", "đài pt", "đài th", "đài ptth",
    "cổng thông tin", "trang thông tin", "trang tin ", "tòa soạn", "toà soạn", "ban biên tập",
    "công ty ", "tổng công ty", "tập đoàn ", "ủy ban ", "uỷ ban ", "ubnd ", "sở ", "bộ ",
    "trường đại học", "trường cao đẳng", "trường thpt", "học viện ", "viện ", "trung tâm ",
    "hội ", "hiệp hội ", "liên hiệp ", "cục ", "tổng cục ", "văn phòng ",
)

# A word or phrase anywhere in the value marks an organisation ("TUOI TRE ONLINE",
# "VietNamNet News", "Báo Lào Cai điện tử"). Checked as whole words.
ORG_WORDS = frozenset({
    "online", "news", "media", "group", "corp", "corporation", "jsc", "ltd", "tv", "radio",
    "magazine", "times", "post", "daily", "newspaper", "press", "agency", "network", "channel",
    "ubnd", "tỉnh", "huyện",
})
ORG_PHRASES = ("điện tử", "truyền hình", "phát thanh", "thông tấn", "tòa soạn", "toà soạn",
               "dien tu", "truyen hinh", "thong tan")

# Credits that name a desk or an anonymous contributor, not a person; kept as printed.
GROUP_CREDITS = frozenset({
    "pv", "ptv", "btv", "ctv", "bbt", "nhóm pv", "nhóm ptv", "nhóm ctv", "nhóm phóng viên",
    "phóng viên", "biên tập viên", "cộng tác viên", "nhóm tác giả", "nhóm thực hiện",
    "nhóm phóng viên thường trú",
})

# Compilers' and photo notes that credit nobody: dropped wherever they appear.
NOTES = frozenset({
    "tổng hợp", "t/h", "lược dịch", "biên dịch", "dịch", "lược trích", "trích", "sưu tầm",
    "st", "tổng hợp và biên dịch", "tổng hợp - biên dịch", "tư liệu", "ảnh tư liệu", "internet",
    "nguồn internet", "minh họa", "minh hoạ", "ảnh minh họa", "ảnh minh hoạ", "nvcc",
    "nhân vật cung cấp", "chụp màn hình", "ảnh chụp màn hình", "facebook", "fb", "mxh",
    "mạng xã hội", "nguồn", "ghi", "giới thiệu", "thực hiện",
})
# Only inside parentheses: bare "TH" may be a photographer's initials ("Ảnh: TH").
PAREN_NOTES = frozenset({"th", "t.h", "th."})

# Words that never occur in a Vietnamese personal name but do start captions, headings and
# sentences ("Tin liên quan", "Ý KIẾN BẠN ĐỌC", "CÁC TIN, BÀI ĐÃ ĐƯA"). Given names that are
# also common words (Năm, Như, Liên, Ý, Bằng, Quan, Từ, Anh, Thành, Bình, Trang) are deliberately absent.
NOT_NAME_WORDS = frozenset({
    "và", "của", "là", "có", "được", "cho", "những", "các", "một", "này", "đã", "sẽ", "không",
    "với", "trong", "tại", "khi", "thì", "đến", "về", "ngày", "tháng", "cũng", "để", "đang",
    "rất", "nhiều", "nhưng", "hoặc", "nên", "vì", "bởi", "sau", "trước", "cùng", "lúc", "bài",
    "tin", "ảnh", "nguồn", "xem", "thêm", "bạn", "đọc", "tôi", "chúng", "ông", "bà", "đưa",
    "khóa", "khoá", "chia", "sẻ", "video", "clip", "theo", "hôm", "nay", "tác", "giả", "đây",
    "đó", "nếu", "mà", "người", "việc", "bị", "đi", "ra", "vào", "lên", "xuống", "tới", "vừa",
    "mới", "còn", "phải", "làm", "nói", "biết", "hơn", "tiếp", "chủ", "tịch",
    "phóng", "tỉnh", "huyện", "xã", "phố",
})
