"""Serve the bundled sample site: offline mirrors of provincial newspapers on 127.0.0.1.

Each mirror directory under tests/fixtures/ that has an index.html is one site, served at the
root of its own port (so each has its own robots.txt, as real sites do). Files are served
byte for byte; gzip (Content-Encoding) is applied on request, as real servers do.

A file may have a sidecar `<file>.headers` with "Name: value" lines (and "Status: 503") to
imitate a misbehaving server; "Status: 302" with "Location: …" makes a redirect (a loop, or
to another site). Lines naming an `X-Sample-` behaviour are acted on, not sent:

    X-Sample-Delay: 3              wait 3 seconds before answering (slower than a timeout)
    X-Sample-Fail: 500             answer the first requests for this target with 500 ...
    X-Sample-Fail-Times: 1         ... this many of them (default 1), then answer normally
    X-Sample-Fail-Retry-After: 1   ... with this Retry-After header on the failing answers
    X-Sample-Pad: 300000           append this many bytes (an HTML comment) to the body
"""
from __future__ import annotations

import gzip
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
                 ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
                 ".json": "application/json", ".jpg": "image/jpeg", ".png": "image/png",
                 ".pdf": "application/pdf", ".rss": "application/rss+xml"}


def mirror_dirs(root: Path = FIXTURES) -> dict[str, Path]:
    """Site name -> mirror directory, for every fixture directory with a home page."""
    return {p.name: p for p in sorted(root.iterdir()) if (p / "index.html").is_file()}


def resolve(root: Path, target: str) -> Path | None:
    """The file that answers a request target, by the mirror layout (docs/architecture.md)."""
    parts = urlsplit(target)
    path = unquote(parts.path).lstrip("/")
    base = path + "index" if (not path or path.endswith("/")) else path
    if parts.query:
        base = f"{base}@{unquote(parts.query)}"
    for candidate in (base, base + ".html"):
        file = (root / candidate).resolve()
        if file.is_file() and root.resolve() in file.parents and not file.name.endswith(".headers"):
            return file
    return None


BEHAVIOUR_PREFIX = "x-sample-"


def _sidecar(file: Path) -> tuple[int, dict[str, str]]:
    """(status, headers to send) from a file's sidecar; X-Sample- behaviours are left out."""
    status, headers, _ = sidecar(file)
    return status, headers


def sidecar(file: Path) -> tuple[int, dict[str, str], dict[str, str]]:
    """(status, headers to send, behaviours by lower-case name without the X-Sample- prefix)."""
    status, headers, behaviours = 200, {}, {}
    side = file.with_name(file.name + ".headers")
    if side.is_file():
        for line in side.read_text(encoding="utf-8").splitlines():
            name, sep, value = line.partition(":")
            if not sep:
                continue
            name, value = name.strip(), value.strip()
            if name.lower() == "status":
                status = int(value)
            elif name.lower().startswith(BEHAVIOUR_PREFIX):
                behaviours[name.lower()[len(BEHAVIOUR_PREFIX):]] = value
            else:
                headers[name] = value
    return status, headers, behaviours


def _padding(size: int) -> bytes:
    if size <= 0:
        return b""
    filler = b"<!-- " + b"x" * max(0, size - 9) + b" -->\n"
    return filler[:size] if size < 9 else filler


class _Server(ThreadingHTTPServer):
    # A crawler opens up to CONCURRENT_REQUESTS connections at once: with the default backlog
    # of 5, the rest wait for a SYN retransmit (1 s), longer than a test's download timeout.
    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gives up (download timeout, size limit) resets the connection: normal here.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


@dataclass
class MirrorServer:
    """One site's mirror on one port; `requests` counts request targets served."""

    name: str
    root: Path
    port: int = 0
    gzip: bool = False
    requests: Counter = field(default_factory=Counter)
    # Test hook, called with each request target before it is answered: it may sleep (a slow
    # server) or return (status, headers, body) to answer instead of the mirror.
    hook: Callable[[str], tuple[int, dict, bytes] | None] | None = None

    def start(self) -> "MirrorServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Keep-alive answers otherwise wait ~40 ms on Nagle's algorithm and delayed ACKs.
            disable_nagle_algorithm = True

            def log_message(self, *args):  # the crawler's log is the one to read
                pass

            def do_HEAD(self):
                self.do_GET(head=True)

            def do_GET(self, head: bool = False):
                server.requests[self.path] += 1
                if server.hook is not None:
                    answer = server.hook(self.path)
                    if answer is not None:
                        status, headers, body = answer
                        return self._send(status, body, headers, head)
                file = resolve(server.root, self.path)
                if file is None:
                    return self._send(404, b"not found\n", {"Content-Type": "text/plain"}, head)
                status, extra, behaviours = sidecar(file)
                if behaviours.get("delay"):
                    time.sleep(float(behaviours["delay"]))
                if behaviours.get("fail") and server.requests[self.path] <= int(behaviours.get("fail-times", 1)):
                    failing = {"Content-Type": "text/plain"}
                    if behaviours.get("fail-retry-after"):
                        failing["Retry-After"] = behaviours["fail-retry-after"]
                    return self._send(int(behaviours["fail"]), b"temporarily unavailable\n", failing, head)
                body = file.read_bytes() + _padding(int(behaviours.get("pad", 0)))
                headers = {"Content-Type": CONTENT_TYPES.get(file.suffix, "application/octet-stream")}
                headers.update(extra)
                if server.gzip and "gzip" in self.headers.get("Accept-Encoding", "") \
                        and "Content-Encoding" not in headers:
                    body = gzip.compress(body, mtime=0)
                    headers["Content-Encoding"] = "gzip"
                self._send(status, body, headers, head)

            def _send(self, status, body, headers, head):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

        self.httpd = _Server(("127.0.0.1", self.port), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name=f"mirror-{self.name}", daemon=True)
        self.thread.start()
        return self

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def serve_sample_site(port: int = 0, *, root: Path = FIXTURES, sites: list[str] | None = None,
                      gzip_responses: bool = False) -> list[MirrorServer]:
    """Start one server per mirror: ports port, port+1, … (or free ports when port is 0)."""
    mirrors = mirror_dirs(root)
    names = sites or list(mirrors)
    unknown = [n for n in names if n not in mirrors]
    if unknown:
        raise ValueError(f"no mirror for {', '.join(unknown)} in {root}")
    servers = []
    try:
        for offset, name in enumerate(names):
            servers.append(MirrorServer(name, mirrors[name], port + offset if port else 0,
                                        gzip=gzip_responses).start())
    except OSError:
        for server in servers:
            server.stop()
        raise
    return servers
