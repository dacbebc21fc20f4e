"""Hand-written statements for the scheduling hot paths: availability and booking.

Compiling a Peewee query costs more than SQLite takes to run a small one, and it was most of a
booking's CPU time, so the reads and writes that every availability call or booking makes are
plain SQL with `?` placeholders, adapted to the engine here. Values are converted with the model
fields' own `db_value`, so rows are stored exactly as the ORM would store them, and driver errors
still surface as Peewee's (`IntegrityError` when the no-overlap trigger refuses a row).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shop.db import database, is_postgres


def adapt(text: str) -> str:
    """TEXT with `?` placeholders in the current engine's style (`%s` on PostgreSQL)."""
    return text.replace("?", "%s") if is_postgres() else text


def rows(text: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
    """Every row of a query, as plain tuples."""
    return database.execute_sql(adapt(text), params).fetchall()


def execute(text: str, params: Sequence[object] = ()) -> None:
    database.execute_sql(adapt(text), params)


def insert(table: str, values: dict[str, object]) -> int:
    """Insert one row and return its id."""
    columns = ", ".join(values)
    marks = ", ".join("?" * len(values))
    statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
    if is_postgres():
        return database.execute_sql(adapt(statement + " RETURNING id"), list(values.values())).fetchone()[0]
    return database.execute_sql(statement, list(values.values())).lastrowid


def insert_many(table: str, columns: Sequence[str], values: Sequence[Sequence[object]]) -> None:
    """Insert several rows in one statement."""
    if not values:
        return
    row = "(" + ", ".join("?" * len(columns)) + ")"
    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * len(values))}"
    execute(statement, [v for value in values for v in value])
