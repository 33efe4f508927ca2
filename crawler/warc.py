"""Stored raw pages -> WARC/1.1 (gzip per record), with warcio, for web-archive tools (pywb,
warcio index/check, OpenWayback, ...).

One warcinfo record first; then for each capture, in fetch order, a `request` record and
either a `response` record (the first capture of a body in this file) or a `revisit` record
(profile identical-payload-digest, pointing at that first response) when the same bytes were
fetched again. WARC-Payload-Digest is the stored sha256 (base32, as warcio writes digests);
the block digest is warcio's sha1.

The archive keeps bodies as received with transfer gzip decoded, and the headers as the server
sent them. A response record must describe the bytes it holds, so Content-Encoding and
Transfer-Encoding are dropped (kept as X-Archive-Orig-Content-Encoding, …) and Content-Length
is set to the stored body's length.
"""
from __future__ import annotations

import base64
import uuid
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from io import BytesIO
from urllib.parse import urlsplit

SOFTWARE = "baotinh/0.1"
_REWRITTEN = {"content-encoding", "transfer-encoding", "content-length"}


def warc_digest(hex_digest: str) -> str:
    """Stored sha256 hex -> "sha256:<base32>"."""
    return "sha256:" + base64.b32encode(bytes.fromhex(hex_digest)).decode("ascii")


def warc_date(iso: str) -> str:
    """Stored ISO 8601 (+07:00) -> WARC-Date (UTC, "Z")."""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone(timedelta(hours=7)))
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def response_headers(headers, body_length: int) -> list[tuple[str, str]]:
    """The stored headers, made true of the decoded body the record holds."""
    kept, originals = [], []
    for name, value in headers:
        if name.lower() in _REWRITTEN:
            if name.lower() != "content-length":
                originals.append((f"X-Archive-Orig-{name}", value))
            continue
        kept.append((name, value))
    return kept + originals + [("Content-Length", str(body_length))]


def request_headers(url: str, headers) -> list[tuple[str, str]]:
    pairs = [(name, value) for name, value in headers if name.lower() != "host"]
    return [("Host", urlsplit(url).netloc), *pairs]


def status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


class WarcExporter:
    """Write captures (storage.raw_pages.iter_captures dicts) to a binary stream."""

    def __init__(self, stream, *, filename: str, description: str = ""):
        from warcio.warcwriter import WARCWriter

        self.writer = WARCWriter(stream, gzip=True, warc_version="1.1")
        self.first: dict[str, tuple[str, str, str]] = {}   # digest -> (record id, uri, WARC-Date)
        self.counts = {"warcinfo": 0, "request": 0, "response": 0, "revisit": 0}
        self._warcinfo(filename, description)

    def _warcinfo(self, filename: str, description: str) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            software = f"{SOFTWARE} (warcio {version('warcio')})"
        except PackageNotFoundError:
            software = SOFTWARE
        info = {"software": software,
                "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                "description": description or "baotinh raw pages"}
        self.writer.write_record(self.writer.create_warcinfo_record(filename, info))
        self.counts["warcinfo"] += 1

    def write(self, capture: dict) -> str:
        """Write one capture's request and response/revisit; returns "response" or "revisit"."""
        from warcio.statusandheaders import StatusAndHeaders

        writer = self.writer
        uri = capture["final_url"]
        date = warc_date(capture["fetched_at"])
        digest = warc_digest(capture["digest"])
        response_id = _record_id()
        protocol = capture.get("protocol") or "HTTP/1.1"
        body = capture["body"]
        http = StatusAndHeaders(status_line(capture["status"]), response_headers(capture["headers"], len(body)),
                                protocol=protocol)
        warc_headers = {"WARC-Record-ID": response_id, "WARC-Date": date}
        original = self.first.get(capture["digest"])
        if original is None:
            record = writer.create_warc_record(uri, "response", payload=BytesIO(body), length=len(body),
                                               http_headers=http,
                                               warc_headers_dict={**warc_headers, "WARC-Payload-Digest": digest})
            self.first[capture["digest"]] = (response_id, uri, date)
            kind = "response"
        else:
            refers_id, refers_uri, refers_date = original
            record = writer.create_revisit_record(uri, digest, refers_uri, refers_date, http_headers=http,
                                                  warc_headers_dict={**warc_headers, "WARC-Refers-To": refers_id})
            kind = "revisit"

        parts = urlsplit(uri)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_http = StatusAndHeaders(f"{capture.get('method') or 'GET'} {target} {protocol}",
                                        request_headers(uri, capture.get("request_headers") or []),
                                        is_http_request=True)
        request = writer.create_warc_record(uri, "request", http_headers=request_http,
                                            warc_headers_dict={"WARC-Date": date,
                                                               "WARC-Concurrent-To": response_id})
        writer.write_record(request)
        writer.write_record(record)
        self.counts["request"] += 1
        self.counts[kind] += 1
        return kind
