"""Peewee base classes and the field types every model shares.

Instants are stored in UTC (naive in the column, aware in Python); money is stored as integer
cents and surfaces as `Decimal`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from peewee import BigIntegerField, DateTimeField, Model

from shop.db import database, is_postgres

CENT = Decimal("0.01")


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class UTCDateTimeField(DateTimeField):
    """Aware datetimes in, aware UTC datetimes out; the column holds UTC wall time.

    SQLite stores text; a fixed format keeps text order equal to time order.
    """

    def db_value(self, value: datetime | None) -> object:
        if value is None:
            return None
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(f"{self.name}: naive datetime {value!r}; pass an aware datetime")
            naive = value.astimezone(UTC).replace(tzinfo=None)
            # isoformat is strftime("%Y-%m-%d %H:%M:%S.%f") at a fraction of the cost (always 4-digit years)
            return naive if is_postgres() else naive.isoformat(" ", "microseconds")
        return value

    def python_value(self, value: object) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
        raise TypeError(f"unexpected value for {self.name}: {value!r}")


class MoneyField(BigIntegerField):
    """A `Decimal` amount stored as integer cents, so sums in SQL are exact."""

    def db_value(self, value: Decimal | int | None) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError(f"{self.name}: money must not be float")
        return int((Decimal(value) / CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def python_value(self, value: int | None) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) * CENT).quantize(CENT)


def cents(amount: Decimal) -> int:
    return int((amount / CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_cents(value: int | None) -> Decimal:
    return (Decimal(int(value or 0)) * CENT).quantize(CENT)
