"""Generic CSV reading and writing shared by every import/export (parts, customers, ...).

`read_rows` checks the header once (unknown and missing columns are named), strips cells, skips
blank lines and numbers rows as a spreadsheet shows them (the header is row 1), so an import can
report "row 7: price: ..." and refuse the whole file before storing anything.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shop.errors import ValidationError


@dataclass(frozen=True)
class CsvRow:
    number: int  # line number as a spreadsheet shows it (header = 1)
    values: dict[str, str]


def _sniff_delimiter(sample: str) -> str:
    first = sample.splitlines()[0] if sample else ""
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_rows(text: str, required: Sequence[str], optional: Sequence[str] = ()) -> list[CsvRow]:
    """Rows of TEXT as dicts keyed by lower-case column names; header problems raise ValidationError.

    The delimiter (comma, semicolon or tab, as spreadsheets in many locales write) is taken from
    the header line. A UTF-8 byte-order mark is ignored.
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ValidationError({"file": "is empty; the first line must name the columns"})
    reader = csv.reader(io.StringIO(text), delimiter=_sniff_delimiter(text))
    header = [h.strip().lower() for h in next(reader)]
    known = set(required) | set(optional)
    problems: dict[str, str] = {}
    unknown = [h for h in header if h not in known]
    if unknown:
        problems["header"] = f"unknown column(s) {', '.join(unknown)}; known: {', '.join([*required, *optional])}"
    missing = [c for c in required if c not in header]
    if missing:
        problems["header"] = f"missing column(s) {', '.join(missing)}"
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        problems["header"] = f"column(s) named twice: {', '.join(duplicated)}"
    if problems:
        raise ValidationError(problems)
    rows: list[CsvRow] = []
    for index, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            raise ValidationError({f"row {index}": f"has {len(cells)} cells but the header has {len(header)}"})
        values = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
        rows.append(CsvRow(index, values))
    return rows


def write_rows(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """CSV text with a header; Decimals and numbers as plain strings, None as empty, booleans as yes/no."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


YES = ("yes", "y", "true", "1")
NO = ("no", "n", "false", "0")


def parse_yes_no(value: str, empty: bool = False) -> bool:
    """A yes/no cell as `write_rows` writes it (or as people type it: y, true, 1 ...); EMPTY for a blank cell.

    Raises ValueError with a message fit to show against the cell.
    """
    lowered = value.strip().lower()
    if not lowered:
        return empty
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise ValueError(f"{value!r} is not yes or no")


class RowErrors:
    """Per-row, per-field problems of an import, reported together ("row 3: price: ...")."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, row: CsvRow | int, field: str, why: str) -> None:
        number = row.number if isinstance(row, CsvRow) else row
        self.errors.setdefault(f"row {number}: {field}", why)

    def raise_if_any(self, limit: int = 50) -> None:
        if self.errors:
            items = list(self.errors.items())
            shown = dict(items[:limit])
            if len(items) > limit:
                shown["…"] = f"and {len(items) - limit} more problems"
            raise ValidationError(shown)


def decode(data: bytes, encoding: str = "utf-8") -> str:
    """File bytes as text; a wrong encoding is a ValidationError naming the line and the byte.

    UTF-8 (with or without a byte-order mark) is the default; spreadsheets that save in another
    encoding can be read by naming it (e.g. ``cp1252``).
    """
    try:
        codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
        return data.decode(codec)
    except LookupError:
        raise ValidationError({"encoding": f"unknown encoding {encoding!r}"}) from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex()
        raise ValidationError(
            {
                "file": f"is not {encoding} text: byte 0x{byte} on line {line} cannot be read; "
                f"save it as CSV UTF-8 or name its encoding (e.g. --encoding cp1252)"
            }
        ) from None
