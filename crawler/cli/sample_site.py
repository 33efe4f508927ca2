"""`baotinh sample-site --port PORT`: serve the bundled mirrors until interrupted."""
from __future__ import annotations

import threading
from pathlib import Path

from crawler.cli.common import CLIError
from crawler.sample_site import FIXTURES, serve_sample_site


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sample-site", help="serve the bundled sample site on 127.0.0.1",
        description="Serve the offline mirrors of provincial newspapers on 127.0.0.1, one port "
                    "per site (PORT, PORT+1, …; 0 picks free ports). Prints 'SITE BASE_URL' per site.")
    parser.add_argument("--port", type=int, default=8800)
    parser.add_argument("--root", type=Path, default=FIXTURES, help="directory of mirrors")
    parser.add_argument("--site", action="append", dest="sites", help="serve only this site (repeatable)")
    parser.add_argument("--gzip", action="store_true", help="gzip responses for clients that accept it")
    parser.set_defaults(func=run)


def run(args) -> int:
    if not 0 <= args.port <= 65535:
        raise CLIError(f"--port {args.port} is not a TCP port")
    try:
        servers = serve_sample_site(args.port, root=args.root, sites=args.sites, gzip_responses=args.gzip)
    except (ValueError, FileNotFoundError) as exc:
        raise CLIError(str(exc)) from None
    except OSError as exc:
        raise CLIError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}") from None
    for server in servers:
        print(f"{server.name} {server.base_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            server.stop()
    return 0
