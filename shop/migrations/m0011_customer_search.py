"""Customer search reads a narrow covering index instead of the whole customer table.

`customer list --search` is a substring match (LIKE '%term%'), which no B-tree can seek; scanning
an index of (search_text, archived, name) reads a fraction of the pages the table scan does.
"""

from __future__ import annotations


def upgrade(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.sql("CREATE INDEX customer_search ON customer (search_text, archived, name)")
