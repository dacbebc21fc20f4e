"""Typer sub-apps, one module per area; `cli.py` assembles them."""
