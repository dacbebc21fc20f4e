"""Customer (and car) CSV import and export.

One row per car; a customer without cars has one row with empty car columns. Rows whose
customer columns (name, phone, e-mail) are the same belong to one customer, so `export` writes
what `import` reads back, including whether the customer is archived (`archived` yes/no; a blank
cell or no such column means not archived). Every row is checked before anything is stored, and
the import is all-or-nothing unless `skip_invalid`, which imports the good rows and hands back the
bad ones (with their line number and reasons) for a reject file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from shop import audit, clock, csvio, customers, settings, vehicles
from shop.auth import SYSTEM, Actor, require
from shop.db import database, is_postgres, transaction
from shop.errors import ValidationError
from shop.models import Customer as CustomerRow
from shop.models import Vehicle as VehicleRow

CUSTOMER_COLUMNS = ["name", "phone", "email", "address", "notes", "archived"]
CAR_COLUMNS = ["make", "model", "year", "vin", "plate", "colour", "mileage"]
COLUMNS = CUSTOMER_COLUMNS + CAR_COLUMNS
REQUIRED = ["name"]
CHUNK = 500

T = TypeVar("T")
Wrap = Callable[[Sequence[T], str], Iterable[T]]


def _no_progress(items: Sequence[T], label: str) -> Iterable[T]:
    return items


@dataclass(frozen=True)
class RejectedRow:
    line: int
    values: dict[str, str]
    errors: dict[str, str]

    @property
    def reason(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.errors.items())


@dataclass(frozen=True)
class ImportResult:
    rows: int
    customers_added: int
    cars_added: int
    rejected: list[RejectedRow] = field(default_factory=list)
    dry_run: bool = False


@dataclass
class _Customer:
    line: int
    values: dict[str, Any]
    cars: list[dict[str, Any]] = field(default_factory=list)


class _Known:
    """What the database already holds, loaded once so 100k rows need no per-row queries."""

    def __init__(self) -> None:
        self.emails: dict[str, tuple[int, str]] = {}
        self.phones: dict[str, tuple[int, str]] = {}
        for cid, name, phone, email in CustomerRow.select(
            CustomerRow.id, CustomerRow.name, CustomerRow.phone, CustomerRow.email
        ).tuples():
            if email:
                self.emails[email] = (cid, name)
            if phone:
                self.phones.setdefault(phone, (cid, name))
        self.plates: set[str] = set()
        self.vins: set[str] = set()
        for plate, vin in VehicleRow.select(VehicleRow.plate, VehicleRow.vin).tuples():
            if plate:
                self.plates.add(plate)
            if vin:
                self.vins.add(vin)


def _check_rows(rows: list[csvio.CsvRow], force: bool, wrap: Wrap) -> tuple[list[_Customer], list[RejectedRow]]:
    region = settings.get("phone.region")
    known = _Known()
    by_key: dict[tuple[str, str | None, str | None], _Customer] = {}
    emails_in_file: dict[str, int] = {}
    phones_in_file: dict[str, tuple[int, tuple]] = {}
    plates_in_file: dict[str, int] = {}
    vins_in_file: dict[str, int] = {}
    accepted: list[_Customer] = []
    rejected: list[RejectedRow] = []
    has_car_columns = bool(rows) and any(c in rows[0].values for c in CAR_COLUMNS)

    for row in wrap(rows, "checking"):
        v = row.values
        errors: dict[str, str] = {}
        try:
            cust = customers.validate_fields(
                v.get("name"), v.get("phone"), v.get("email"), v.get("address", ""), v.get("notes", ""), region
            )
        except ValidationError as exc:
            errors.update(exc.fields)
            cust = None
        archived = False
        try:
            archived = csvio.parse_yes_no(v.get("archived", ""))
        except ValueError as exc:
            errors["archived"] = str(exc)
            cust = None
        car = None
        if has_car_columns and any(v.get(c) for c in CAR_COLUMNS):
            try:
                car = vehicles.validate_fields(*(v.get(c) for c in CAR_COLUMNS))
            except ValidationError as exc:
                errors.update(exc.fields)
        key = (cust["name"].lower(), cust["phone"], cust["email"]) if cust else None
        existing = by_key.get(key) if key else None
        if existing is not None and existing.values["archived"] != archived:
            said = "archived" if existing.values["archived"] else "not archived"
            errors["archived"] = f"line {existing.line} says this customer is {said}"
        if cust and existing is None:
            email, phone = cust["email"], cust["phone"]
            if email and email in known.emails:
                cid, name = known.emails[email]
                errors["email"] = f"{email} already belongs to customer {cid} ({name})"
            elif email and email in emails_in_file:
                errors["email"] = f"{email} is also on line {emails_in_file[email]} with other details"
            if phone and not force:
                if phone in known.phones:
                    cid, name = known.phones[phone]
                    errors["phone"] = f"{phone} already belongs to customer {cid} ({name}); use --force to allow"
                elif phone in phones_in_file and phones_in_file[phone][1] != key:
                    errors["phone"] = f"{phone} is also on line {phones_in_file[phone][0]} for another customer"
        if car:
            for name_, value, seen_db, seen_file in (
                ("vin", car["vin"], known.vins, vins_in_file),
                ("plate", car["plate"], known.plates, plates_in_file),
            ):
                if value and value in seen_db:
                    errors[name_] = f"{value} is already registered to a car in the shop"
                elif value and value in seen_file:
                    errors[name_] = f"{value} is also on line {seen_file[value]}"
        if errors:
            rejected.append(RejectedRow(row.number, dict(v), errors))
            continue
        assert cust is not None and key is not None
        if existing is None:
            existing = _Customer(row.number, {**cust, "archived": archived})
            by_key[key] = existing
            accepted.append(existing)
            if cust["email"]:
                emails_in_file[cust["email"]] = row.number
            if cust["phone"]:
                phones_in_file.setdefault(cust["phone"], (row.number, key))
        if car:
            existing.cars.append(car)
            if car["vin"]:
                vins_in_file[car["vin"]] = row.number
            if car["plate"]:
                plates_in_file[car["plate"]] = row.number
    return accepted, rejected


def _chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _insert_many(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> list[int]:
    """Insert ROWS (values already in database form) and return their ids in insert order.

    Written as SQL rather than `Model.insert_many` because building 100k rows through Peewee's
    query compiler costs more than the database does. SQLite runs one prepared statement for all
    rows; inside the import's write transaction (BEGIN IMMEDIATE, nobody else can insert) its
    AUTOINCREMENT ids are consecutive, ending at last_insert_rowid(). PostgreSQL gets multi-row
    INSERT ... RETURNING id.
    """
    if not rows:
        return []
    names = ", ".join(f'"{c}"' for c in columns)
    if not is_postgres():
        cursor = database.cursor()
        cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})', rows)
        last = cursor.execute("SELECT last_insert_rowid()").fetchone()[0]
        return list(range(last - len(rows) + 1, last + 1))
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = f'INSERT INTO "{table}" ({names}) VALUES {", ".join([one] * len(rows))} RETURNING id'
    cursor = database.execute_sql(sql, [v for row in rows for v in row])
    return sorted(r[0] for r in cursor.fetchall())


CUSTOMER_INSERT = ["name", "phone", "email", "address", "notes", "search_text", "archived", "version"]
CUSTOMER_INSERT += ["created_at", "updated_at"]
CAR_INSERT = ["customer_id", "make", "model", "year", "vin", "plate", "colour", "mileage", "archived", "version"]
CAR_INSERT += ["created_at", "updated_at"]


def _insert(accepted: list[_Customer], wrap: Wrap) -> tuple[int, int]:
    region = settings.get("phone.region")
    stamp = CustomerRow.created_at.db_value(clock.now())
    no, yes = CustomerRow.archived.db_value(False), CustomerRow.archived.db_value(True)
    cars_added = 0
    for chunk in wrap(_chunks(accepted, CHUNK), "importing"):
        records = []
        for c in chunk:
            v, plates, vins = c.values, [car["plate"] for car in c.cars], [car["vin"] for car in c.cars]
            search = customers.build_search_text(
                v["name"], v["phone"], v["email"], filter(None, plates), filter(None, vins), region
            )
            flag = yes if v["archived"] else no
            records.append((v["name"], v["phone"], v["email"], v["address"], v["notes"], search, flag, 1, stamp, stamp))
        ids = _insert_many("customer", CUSTOMER_INSERT, records)
        cars = [
            (cid, car["make"], car["model"], car["year"], car["vin"], car["plate"], car["colour"], car["mileage"])
            for c, cid in zip(chunk, ids, strict=True)
            for car in c.cars
        ]
        for car_chunk in _chunks(cars, CHUNK):
            car_ids = _insert_many("vehicle", CAR_INSERT, [(*car, no, 1, stamp, stamp) for car in car_chunk])
            readings = [
                (vid, car[7], stamp, "import")
                for car, vid in zip(car_chunk, car_ids, strict=True)
                if car[7] is not None
            ]
            if readings:
                _insert_many("mileage_reading", ["vehicle_id", "mileage", "at", "source"], readings)
        cars_added += len(cars)
    return len(accepted), cars_added


@transaction
def import_customers(
    text: str,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    force: bool = False,
    wrap: Wrap = _no_progress,
    actor: Actor = SYSTEM,
) -> ImportResult:
    """Check every row, then store all of them (or, with SKIP_INVALID, the good ones) in one transaction.

    Bad rows raise one ValidationError keyed "row N: field" unless SKIP_INVALID, in which case
    they come back in `rejected`. DRY_RUN checks and counts but stores nothing. FORCE allows a
    phone number another customer already has. WRAP(items, label) may wrap the loops in a
    progress bar.
    """
    require(actor, "customer.write")
    # "row" and "error" are what a reject file adds: it can be fixed and imported as it is.
    rows = csvio.read_rows(text, REQUIRED, [*(c for c in COLUMNS if c not in REQUIRED), "row", "error"])
    accepted, rejected = _check_rows(rows, force, wrap)
    if rejected and not skip_invalid:
        problems = csvio.RowErrors()
        for bad in rejected:
            for name, why in bad.errors.items():
                problems.add(bad.line, name, why)
        problems.raise_if_any()
    cars = sum(len(c.cars) for c in accepted)
    if dry_run:
        return ImportResult(len(rows), len(accepted), cars, rejected, dry_run=True)
    added, cars_added = _insert(accepted, wrap)
    audit.record(actor, "customer.import", "customer", None, customers=added, cars=cars_added, rejected=len(rejected))
    return ImportResult(len(rows), added, cars_added, rejected)


def rejects_csv(rejected: Sequence[RejectedRow]) -> str:
    """The rejected rows as CSV (original columns plus `row` and `error`), to fix and import again."""
    return csvio.write_rows(
        [*COLUMNS, "row", "error"], ({**r.values, "row": r.line, "error": r.reason} for r in rejected)
    )


def export_customers(include_archived: bool = False, actor: Actor = SYSTEM) -> str:
    """All customers and their cars as CSV that `import_customers` reads back."""
    require(actor, "customer.read")
    query = CustomerRow.select().order_by(CustomerRow.id)
    if not include_archived:
        query = query.where(CustomerRow.archived == False)
    cars: dict[int, list[VehicleRow]] = {}
    car_query = VehicleRow.select().where(VehicleRow.archived == False).order_by(VehicleRow.id)
    for car in car_query:
        cars.setdefault(car.customer_id, []).append(car)

    def rows() -> Iterable[dict[str, Any]]:
        for c in query.iterator():
            base = {col: getattr(c, col) for col in CUSTOMER_COLUMNS}
            own = cars.get(c.id, [])
            if not own:
                yield base
            for car in own:
                yield {**base, **{col: getattr(car, col) for col in CAR_COLUMNS}}

    return csvio.write_rows(COLUMNS, rows())
