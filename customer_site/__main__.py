"""`python -m customer_site [--host H] [--port P]`: serve the portal with waitress.

Host and port default to $GARAGE_PORTAL_HOST / $GARAGE_PORTAL_PORT (127.0.0.1:8080); the database
is $GARAGE_DATABASE_URL (or --db). Behind a reverse proxy, pass --trusted-proxy with the proxy's
address so waitress honours its X-Forwarded-Proto/-For/-Host headers (see docs/operations.md).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from shop.db import open_database
from shop.errors import ShopError
from shop.logging_setup import configure


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m customer_site", description="Serve the customer portal.")
    parser.add_argument("--host", default=os.environ.get("GARAGE_PORTAL_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GARAGE_PORTAL_PORT", "8080")))
    parser.add_argument("--db", default=None, help="database URL (default: $GARAGE_DATABASE_URL or sqlite:///shop.db)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("GARAGE_PORTAL_THREADS", "8")))
    parser.add_argument(
        "--trusted-proxy",
        default=os.environ.get("GARAGE_PORTAL_TRUSTED_PROXY"),
        help="address of the reverse proxy whose X-Forwarded-* headers are believed",
    )
    parser.add_argument(
        "--https",
        action="store_true",
        default=os.environ.get("GARAGE_PORTAL_HTTPS", "").lower() in ("1", "true", "yes"),
        help="the portal is reached over HTTPS: session cookies are marked Secure",
    )
    return parser


def serve(
    host: str, port: int, db: str | None = None, threads: int = 8, trusted_proxy: str | None = None, https: bool = False
) -> None:
    import waitress

    from customer_site import create_app

    open_database(db)
    # waitress logs "Task queue depth is N" (WARNING) for each request that waits for a free thread:
    # under a burst that is a log-file write per request, slowing the burst down further.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    options: dict[str, object] = {"host": host, "port": port, "threads": threads, "ident": "garage"}
    options["max_request_body_size"] = 1024 * 1024
    if trusted_proxy:
        options["trusted_proxy"] = trusted_proxy
        options["trusted_proxy_headers"] = "x-forwarded-proto x-forwarded-for x-forwarded-host x-forwarded-port"
        options["clear_untrusted_proxy_headers"] = True
    print(f"garage portal on http://{host}:{port}/ (Ctrl-C stops)", flush=True)
    waitress.serve(create_app(https=https), **options)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        configure("portal")
        serve(args.host, args.port, args.db, args.threads, args.trusted_proxy, args.https)
    except ShopError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
