"""`python -m garage_tui`: open the configured database (GARAGE_DATABASE_URL or sqlite:///shop.db) and run."""

from __future__ import annotations

import sys


def main(url: str | None = None) -> int:
    from shop.db import close_database, open_database
    from shop.errors import ShopError

    try:
        open_database(url)
    except ShopError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    from garage_tui.app import GarageApp, setup_logging

    setup_logging()
    try:
        GarageApp().run()
    finally:
        close_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
