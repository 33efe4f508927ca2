"""Response bytes -> text, the way a browser would read them (and a little more forgiving).

Order: undo gzip (magic bytes 1f 8b, whatever the headers say), refuse binary payloads (PDF,
images, archives), then pick the charset: a BOM, the Content-Type header, else <meta charset>
or http-equiv in the first 4 KB, else sniff (UTF-8 if the bytes are valid UTF-8, else
windows-1258, the legacy Vietnamese code page). Two declarations are not trusted: a Western
one (latin-1, windows-1252, ASCII: they cannot hold Vietnamese, so the bytes are sniffed), and
any single-byte code page over bytes that are valid multi-byte UTF-8 (problem
"charset_mismatch"). Never raises; every oddity is a problem string ("not_html pdf",
"bad_gzip", "truncated_gzip", "bad_bytes utf-8:N").
"""
from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass, field

_GZIP_MAGIC = b"\x1f\x8b"
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
_LOOKS_HTML = re.compile(r"<\s*(?:!doctype|html|head|body|meta|title|div|p|article|section|h1|table|span|a)\b",
                         re.I)
# Declared charsets that cannot hold Vietnamese: a server that says so is misconfigured.
_WESTERN = {"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15"}
_BINARY_MAGIC = (
    (b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
    (b"\xff\xd8\xff", "jpeg"), (b"PK\x03\x04", "zip"), (b"\x00\x00\x01\x00", "ico"),
    (b"ID3", "mp3"), (b"OggS", "ogg"), (b"\x1a\x45\xdf\xa3", "webm"), (b"\x7fELF", "elf"),
)
# Every byte but the C0 controls other than \t \n \r \f (deleted to count those).
_NOT_CONTROL = bytes(b for b in range(256) if not (b < 0x20 and b not in b"\t\n\r\f"))
_TEXT_TYPES = ("text/", "application/xhtml", "application/xml", "application/rss", "application/atom")


@dataclass
class Decoded:
    text: str | None
    encoding: str | None = None
    problems: list[str] = field(default_factory=list)


def header_value(headers, name: str) -> str:
    """One header from a dict with str or bytes keys and str, bytes or list values ('' if absent)."""
    if not headers:
        return ""
    try:
        items = headers.items()
    except AttributeError:
        return ""
    for key, value in items:
        if isinstance(key, bytes):
            key = key.decode("latin-1", "replace")
        if str(key).lower() != name:
            continue
        if isinstance(value, (list, tuple)):
            value = value[0] if value else ""
        if isinstance(value, bytes):
            value = value.decode("latin-1", "replace")
        return str(value)
    return ""


def _gunzip(body: bytes, problems: list[str]) -> bytes:
    for _ in range(2):  # some servers (and some saved files) are gzipped twice
        if not body.startswith(_GZIP_MAGIC):
            break
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out = inflater.decompress(body) + inflater.flush()
        except zlib.error:
            problems.append("bad_gzip")
            return b""
        if not inflater.eof:
            problems.append("truncated_gzip" if out else "bad_gzip")
        body = out
    return body


def _binary_kind(body: bytes) -> str | None:
    head = body[:16]
    for magic, kind in _BINARY_MAGIC:
        if head.startswith(magic):
            return kind
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"RIFF") and body[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return body[8:12].decode().strip().lower()
    sample = body[:1024]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    if sample.count(b"\x00") > 2:
        return "binary"
    # Text in any encoding we read has almost no C0 control bytes besides whitespace.
    controls = len(sample.translate(None, _NOT_CONTROL)) + sample.count(b"\x7f")
    if sample and controls > len(sample) // 100:
        return "binary"
    return None


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'").lower()).name
    except LookupError:
        return None


def _is_utf8(body: bytes) -> bool:
    """Valid UTF-8 holding at least one multi-byte character (never true of real cp1258 text)."""
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode_utf8_or_legacy(body: bytes, problems: list[str]) -> tuple[str, str]:
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    loose = body.decode("utf-8", "replace")
    bad = loose.count("\ufffd")
    high = sum(1 for b in body if b >= 0x80) or 1
    if bad * 20 < high:  # a few stray bytes in real UTF-8: keep it, mark the damage
        problems.append(f"bad_bytes utf-8:{bad}")
        return loose, "utf-8"
    return body.decode("cp1258", "replace"), "cp1258"


def decode_body(body: bytes | None, headers=None) -> Decoded:
    """The page as text (None when it is not an HTML page at all)."""
    problems: list[str] = []
    if not isinstance(body, (bytes, bytearray, memoryview)):
        body = (body or "").encode("utf-8", "replace") if isinstance(body, str) else b""
    body = bytes(body)
    body = _gunzip(body, problems)
    if not body.strip():
        return Decoded(None, None, problems + ["not_html empty"])
    kind = _binary_kind(body)
    content_type = header_value(headers, "content-type").lower()
    if kind:
        return Decoded(None, None, problems + [f"not_html {kind}"])
    mime = content_type.split(";")[0].strip()
    if mime and not mime.startswith(_TEXT_TYPES) and mime != "application/octet-stream":
        return Decoded(None, None, problems + [f"not_html {mime}"])

    text = encoding = None
    if body.startswith(codecs.BOM_UTF8):
        text, encoding = body[3:].decode("utf-8", "replace"), "utf-8"
    elif body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = body.decode("utf-16", "replace"), "utf-16"
    else:
        match = _HEADER_CHARSET.search(content_type)
        declared = _codec(match.group(1)) if match else None
        if not declared:
            match = _META_CHARSET.search(body[:4096])
            declared = _codec(match.group(1).decode("ascii", "replace")) if match else None
        if declared in _WESTERN:
            declared = None  # sniff instead: valid UTF-8 stays UTF-8, anything else is cp1258
        if declared and declared.startswith("utf-16"):
            declared = None  # a UTF-16 page without a BOM that parsed as ASCII is not UTF-16
        if declared and declared != "utf-8" and _is_utf8(body):
            # A legacy code page declared over valid multi-byte UTF-8: the declaration is stale.
            problems.append(f"charset_mismatch declared={declared}")
            declared = "utf-8"
        if declared == "utf-8" or declared is None:
            text, encoding = _decode_utf8_or_legacy(body, problems)
        else:
            try:
                text, encoding = body.decode(declared), declared
            except UnicodeDecodeError:
                try:  # declared a legacy code page but sent UTF-8
                    text, encoding = body.decode("utf-8"), "utf-8"
                except UnicodeDecodeError:
                    text, encoding = body.decode(declared, "replace"), declared
                    problems.append(f"bad_bytes {declared}")
    text = text.replace("\x00", "")
    if not _LOOKS_HTML.search(text[:65536]):
        return Decoded(None, encoding, problems + ["not_html no_markup"])
    return Decoded(text, encoding, problems)
