"""A covering index for the availability window query.

Every free-slot search (and every booking's re-check) reads the active appointments of a window
as (bay, start, block end): `shop.scheduling.availability._window_rows`. With start, block end,
status and bay in one index, SQLite answers it from the index alone instead of looking up every
row in the table (about a third faster on the benchmark's 2k-row window), and PostgreSQL can
use an index-only scan once autovacuum has marked the pages visible. The cost is one more index
entry per appointment written.
"""

from __future__ import annotations


def upgrade(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.sql("CREATE INDEX appointment_window ON appointment (start_at, block_end_at, status, bay_id)")
