"""`garage tui`: the staff terminal app on the database named by --db / GARAGE_DATABASE_URL."""

from __future__ import annotations

from garage_cli.root import use_db


def tui() -> None:
    """Open the staff terminal app (the same as `garage` alone or `python -m garage_tui`)."""
    use_db()
    from garage_tui.app import GarageApp, setup_logging

    setup_logging()
    GarageApp().run()
