"""`garage portal`: serve the customer portal with waitress."""

from __future__ import annotations

import os

import typer

from garage_cli.root import state


def portal(
    host: str = typer.Option(os.environ.get("GARAGE_PORTAL_HOST", "127.0.0.1"), "--host", help="Address to listen on."),
    port: int = typer.Option(int(os.environ.get("GARAGE_PORTAL_PORT", "8080")), "--port", help="Port to listen on."),
    threads: int = typer.Option(8, "--threads", help="Worker threads."),
    trusted_proxy: str | None = typer.Option(
        os.environ.get("GARAGE_PORTAL_TRUSTED_PROXY"),
        "--trusted-proxy",
        help="Address of a reverse proxy whose X-Forwarded-* headers are believed.",
    ),
    https: bool = typer.Option(False, "--https", help="Reached over HTTPS: mark the session cookie Secure."),
) -> None:
    """Serve the customer portal (Ctrl-C stops it)."""
    from customer_site.__main__ import serve

    serve(host, port, state.url, threads, trusted_proxy, https)
