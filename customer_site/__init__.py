"""The customer portal: a Bottle app over `shop`, served by waitress (`python -m customer_site`)."""

from __future__ import annotations

from customer_site.app import create_app

__all__ = ["create_app"]
