"""The one place the CLI writes results: data to stdout (JSON or a table), messages to stderr."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

import typer

T = TypeVar("T")


def to_plain(value: Any) -> Any:
    """Dataclasses, Decimals, datetimes and enums as JSON-ready values (Decimal as a string)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_plain(value), indent=2, ensure_ascii=False) + "\n")


def _cell(value: Any) -> str:
    value = to_plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def print_table(rows: Sequence[Any], columns: Sequence[str], headers: Sequence[str] | None = None) -> None:
    """A plain aligned table: stable for scripts that grep, readable for people."""
    headers = list(headers or [c.upper() for c in columns])
    cells = [[_cell(getattr(r, c) if not isinstance(r, dict) else r.get(c)) for c in columns] for r in rows]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]
    out = sys.stdout
    out.write("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip() + "\n")
    for row in cells:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")


def print_record(record: Any, fields: Sequence[str] | None = None) -> None:
    plain = to_plain(record)
    keys = list(fields or plain.keys())
    width = max(len(k) for k in keys) if keys else 0
    for key in keys:
        sys.stdout.write(f"{key.ljust(width)}  {_cell(plain.get(key))}\n")


def emit(value: Any, as_json: bool, columns: Sequence[str] | None = None) -> None:
    """Print VALUE as JSON when asked, else as a table (lists) or a record (one object)."""
    if as_json:
        print_json(value)
    elif isinstance(value, list | tuple):
        print_table(value, columns or (list(to_plain(value[0]).keys()) if value else ["id"]))
    else:
        print_record(value, columns)


def info(message: str) -> None:
    typer.echo(message, err=True)


def done(message: str, quiet_value: Any = None, as_json: bool = False) -> None:
    """Report a change: the JSON object on stdout with --json, else the message on stdout."""
    if as_json:
        print_json(quiet_value)
    else:
        typer.echo(message)


@contextmanager
def progress(items: Iterable[T], length: int | None, label: str) -> Iterator[Iterable[T]]:
    """A progress bar on stderr when it is a terminal; silent for cron and pipes."""
    if sys.stderr.isatty():
        with typer.progressbar(items, length=length, label=label, file=sys.stderr) as bar:
            yield bar
    else:
        yield items
