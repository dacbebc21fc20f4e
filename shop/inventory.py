"""Parts and stock: a ledger of movements, never a number overwritten in place.

Every change of stock is a `stock_movement` row (received, used on a job, returned from a job,
adjusted with a reason, stock-take). `part.on_hand` is the maintained total, changed in the same
transaction as its movement; `verify()` proves the ledger and the totals agree. A movement locks
its part row first (SQLite: the `BEGIN IMMEDIATE` transaction; PostgreSQL: `SELECT ... FOR UPDATE`),
so concurrent uses of the last unit leave exactly one successful, and the database CHECK refuses
negative stock unless the admin allowed backorders for that part.

Suggested re-order quantity for a low part: enough to bring it up to twice its re-order level,
and at least its re-order quantity (the supplier's pack size, if set).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from peewee import JOIN, IntegrityError, fn

from shop import audit, clock, csvio
from shop.amounts import fmt_quantity, parse_money, parse_quantity
from shop.auth import SYSTEM, Actor, require
from shop.db import lock_rows, transaction
from shop.errors import Conflict, FieldErrors, NotFound, ValidationError
from shop.models import Part, StockMovement
from shop.ops import checks

ZERO = Decimal("0.00")
KINDS = ("receive", "use", "return", "adjust", "stocktake")
_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
CSV_COLUMNS = [
    "sku",
    "name",
    "supplier",
    "unit_cost",
    "price",
    "reorder_level",
    "reorder_quantity",
    "bin_location",
    "active",
    "on_hand",
]


@dataclass(frozen=True)
class PartInfo:
    id: int
    sku: str
    name: str
    supplier: str
    unit_cost: Decimal
    price: Decimal
    reorder_level: Decimal
    reorder_quantity: Decimal
    bin_location: str
    active: bool
    allow_backorder: bool
    on_hand: Decimal

    @property
    def low(self) -> bool:
        return self.on_hand <= self.reorder_level


@dataclass(frozen=True)
class Movement:
    id: int
    part_id: int
    sku: str
    kind: str
    quantity: Decimal
    balance: Decimal
    unit_cost: Decimal
    reason: str
    reference: str
    job_id: int | None
    actor: str
    at: datetime
    invoice_id: int | None = None


@dataclass(frozen=True)
class LowStock:
    sku: str
    name: str
    supplier: str
    bin_location: str
    on_hand: Decimal
    reorder_level: Decimal
    suggested_order: Decimal
    order_value: Decimal


@dataclass(frozen=True)
class Mismatch:
    sku: str
    on_hand: Decimal
    ledger: Decimal


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    adjusted: int


def _out(row: Part) -> PartInfo:
    return PartInfo(
        row.id,
        row.sku,
        row.name,
        row.supplier,
        row.unit_cost,
        row.price,
        row.reorder_level,
        row.reorder_quantity,
        row.bin_location,
        row.active,
        row.allow_backorder,
        row.on_hand,
    )


def _movement(row: StockMovement, sku: str) -> Movement:
    return Movement(
        row.id,
        row.part_id,
        sku,
        row.kind,
        row.quantity,
        row.balance,
        row.unit_cost,
        row.reason,
        row.reference,
        row.job_id,
        row.actor,
        row.at,
        row.invoice_id,
    )


def normalise_sku(value: str) -> str:
    sku = (value or "").strip().upper()
    if not _SKU.match(sku):
        raise ValidationError({"sku": f"{value!r} is not a SKU: 1-40 letters, digits, '.', '_', '/' or '-'"})
    return sku


def _get(ref: int | str) -> Part:
    if isinstance(ref, int):
        row = Part.get_or_none(Part.id == ref)
    else:
        row = Part.get_or_none(Part.sku == str(ref).strip().upper())
    if row is None:
        raise NotFound(f"unknown SKU {ref!r}" if isinstance(ref, str) else f"no part #{ref}")
    return row


def _locked(ref: int | str) -> Part:
    """The part row, locked for the rest of the transaction (PostgreSQL FOR UPDATE)."""
    part_id = _get(ref).id
    return lock_rows(Part.select().where(Part.id == part_id)).get()


def _fields(values: Mapping[str, object], errors: FieldErrors, *, creating: bool) -> dict[str, object]:
    """Validate the editable part fields present in VALUES."""
    out: dict[str, object] = {}
    if "name" in values or creating:
        name = str(values.get("name") or "").strip()
        if not name:
            errors.add("name", "must not be empty")
        out["name"] = name
    for key in ("supplier", "bin_location"):
        if key in values:
            out[key] = str(values[key] or "").strip()
    for key in ("unit_cost", "price"):
        if key in values and values[key] is not None and values[key] != "":
            out[key] = errors.check(key, parse_money, values[key], key)
        elif creating and key == "price":
            errors.add("price", "is required")
    for key in ("reorder_level", "reorder_quantity"):
        if key in values and values[key] is not None and values[key] != "":
            out[key] = errors.check(key, parse_quantity, values[key], key, allow_zero=True)
    if "active" in values and values["active"] is not None:
        out["active"] = bool(values["active"])
    return out


@transaction
def add_part(
    sku: str,
    name: str,
    price: object,
    unit_cost: object = "0",
    supplier: str = "",
    reorder_level: object = "0",
    reorder_quantity: object = "0",
    bin_location: str = "",
    actor: Actor = SYSTEM,
) -> PartInfo:
    require(actor, "inventory.write")
    errors = FieldErrors()
    clean_sku = errors.check("sku", normalise_sku, sku)
    values = _fields(
        {
            "name": name,
            "price": price,
            "unit_cost": unit_cost,
            "supplier": supplier,
            "reorder_level": reorder_level,
            "reorder_quantity": reorder_quantity,
            "bin_location": bin_location,
        },
        errors,
        creating=True,
    )
    errors.raise_if_any()
    if Part.select().where(Part.sku == clean_sku).exists():
        raise Conflict(f"SKU {clean_sku} already exists")
    now = clock.now()
    try:
        with Part._meta.database.atomic():
            row = Part.create(
                sku=clean_sku,
                active=True,
                allow_backorder=False,
                on_hand=ZERO,
                created_at=now,
                updated_at=now,
                **{"unit_cost": ZERO, "reorder_level": ZERO, "reorder_quantity": ZERO, **values},
            )
    except IntegrityError:
        raise Conflict(f"SKU {clean_sku} already exists") from None
    audit.record(actor, "part.add", "part", row.id, sku=clean_sku)
    return _out(row)


@transaction
def edit_part(ref: int | str, actor: Actor = SYSTEM, **changes: object) -> PartInfo:
    """Change name, supplier, unit_cost, price, reorder_level, reorder_quantity, bin_location, active;
    allow_backorder only by an admin. Stock is never edited here: use a movement."""
    require(actor, "inventory.write")
    allowed = {
        "name",
        "supplier",
        "unit_cost",
        "price",
        "reorder_level",
        "reorder_quantity",
        "bin_location",
        "active",
        "allow_backorder",
    }
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationError({unknown[0]: "cannot be edited (stock changes are movements: receive, adjust, take)"})
    changes = {k: v for k, v in changes.items() if v is not None}
    row = _locked(ref)
    errors = FieldErrors()
    values = _fields(changes, errors, creating=False)
    if "allow_backorder" in changes:
        require(actor, "inventory.backorder")
        values["allow_backorder"] = bool(changes["allow_backorder"])
        if not values["allow_backorder"] and row.on_hand < 0:
            errors.add("allow_backorder", f"{row.sku} is backordered ({row.on_hand}); receive stock first")
    errors.raise_if_any()
    if not values:
        return _out(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = clock.now()
    row.save()
    audit.record(actor, "part.edit", "part", row.id, **{k: str(v) for k, v in values.items()})
    return _out(row)


def get_part(ref: int | str, actor: Actor = SYSTEM) -> PartInfo:
    require(actor, "inventory.read")
    return _out(_get(ref))


def list_parts(
    search: str | None = None, include_inactive: bool = False, low_only: bool = False, actor: Actor = SYSTEM
) -> list[PartInfo]:
    require(actor, "inventory.read")
    query = Part.select().order_by(Part.sku)
    if not include_inactive:
        query = query.where(Part.active == True)
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.where(
            fn.LOWER(Part.sku).contains(search.strip().lower())
            | fn.LOWER(Part.name).contains(search.strip().lower())
            | (fn.LOWER(Part.supplier) ** like)
        )
    if low_only:
        query = query.where(Part.on_hand <= Part.reorder_level)
    return [_out(r) for r in query]


def _move(
    part: Part,
    kind: str,
    quantity: Decimal,
    actor: Actor,
    *,
    reason: str = "",
    reference: str = "",
    job_id: int | None = None,
    invoice_id: int | None = None,
    unit_cost: Decimal | None = None,
) -> Movement:
    """Write one movement and its total. PART must be locked by the caller's transaction."""
    assert kind in KINDS and quantity != 0
    balance = part.on_hand + quantity
    if balance < 0 and not part.allow_backorder:
        raise Conflict(
            f"not enough {part.sku} in stock: {fmt_quantity(part.on_hand)} on hand, "
            f"{fmt_quantity(-quantity)} needed (backorders are not allowed for this part)"
        )
    now = clock.now()
    # The increment happens in SQL so the total can never be computed from a stale read.
    Part.update(on_hand=Part.on_hand + quantity, updated_at=now).where(Part.id == part.id).execute()
    part.on_hand = balance
    row = StockMovement.create(
        part=part.id,
        kind=kind,
        quantity=quantity,
        balance=balance,
        unit_cost=part.unit_cost if unit_cost is None else unit_cost,
        reason=reason,
        reference=reference,
        job_id=job_id,
        invoice_id=invoice_id,
        actor=f"{actor.role.value}:{actor.name}",
        at=now,
    )
    return _movement(row, part.sku)


@transaction
def receive(
    ref: int | str, quantity: object, unit_cost: object = None, reference: str = "", actor: Actor = SYSTEM
) -> Movement:
    """Goods in from a supplier; a given unit cost becomes the part's current cost."""
    require(actor, "inventory.write")
    qty = parse_quantity(quantity)
    cost = parse_money(unit_cost, "unit_cost") if unit_cost not in (None, "") else None
    part = _locked(ref)
    if cost is not None and cost != part.unit_cost:
        Part.update(unit_cost=cost).where(Part.id == part.id).execute()
        part.unit_cost = cost
    moved = _move(part, "receive", qty, actor, reference=reference.strip(), unit_cost=cost)
    audit.record(actor, "stock.receive", "part", part.id, quantity=str(qty), reference=reference)
    return moved


@transaction
def use(
    ref: int | str, quantity: object, job_id: int | None = None, reference: str = "", actor: Actor = SYSTEM
) -> Movement:
    """Take parts out of stock (for a job); refused if that would go below zero without backorders."""
    require(actor, "inventory.use")
    qty = parse_quantity(quantity)
    part = _locked(ref)
    if not part.active:
        raise ValidationError({"sku": f"{part.sku} is inactive"})
    moved = _move(part, "use", -qty, actor, reference=reference.strip(), job_id=job_id)
    audit.record(actor, "stock.use", "part", part.id, quantity=str(qty), job_id=job_id)
    return moved


@transaction
def return_(
    ref: int | str, quantity: object, job_id: int | None = None, reference: str = "", actor: Actor = SYSTEM
) -> Movement:
    """Parts back on the shelf from a job."""
    require(actor, "inventory.use")
    qty = parse_quantity(quantity)
    part = _locked(ref)
    moved = _move(part, "return", qty, actor, reference=reference.strip(), job_id=job_id)
    audit.record(actor, "stock.return", "part", part.id, quantity=str(qty), job_id=job_id)
    return moved


def move_for_invoice(
    part_id: int, quantity: Decimal, invoice_id: int, reference: str, actor: Actor = SYSTEM
) -> Movement:
    """Parts leaving with an issued invoice (QUANTITY < 0, a `use`) or back with its credit note (> 0, a `return`).

    Only `shop.invoices` calls this, inside the transaction that issues the document and after its
    `invoice.write` check: selling a part over the counter is the front desk's work, so it does not
    also need the workshop's `inventory.use`. Refused, like any movement, when it would take more
    than is on hand for a part without backorders.
    """
    part = _locked(part_id)
    kind = "use" if quantity < 0 else "return"
    moved = _move(part, kind, quantity, actor, reference=reference, invoice_id=invoice_id)
    audit.record(actor, f"stock.{kind}", "part", part.id, quantity=str(abs(quantity)), invoice_id=invoice_id)
    return moved


def taken_for_invoice(invoice_id: int) -> dict[int, Decimal]:
    """Per part id, how much the invoice has taken from stock and not yet got back (positive)."""
    taken: dict[int, Decimal] = {}
    for part_id, quantity in (
        StockMovement.select(StockMovement.part, StockMovement.quantity)
        .where(StockMovement.invoice_id == invoice_id)
        .tuples()
    ):
        taken[part_id] = taken.get(part_id, ZERO) - quantity
    return {part_id: qty for part_id, qty in taken.items() if qty > 0}


def _signed(value: object, field: str) -> Decimal:
    text = str(value).strip()
    negative = text.startswith("-")
    qty = parse_quantity(text.lstrip("+-"), field)
    return -qty if negative else qty


@transaction
def adjust(ref: int | str, delta: object, reason: str, actor: Actor = SYSTEM) -> Movement:
    """A correction (+ found, - damaged/lost) with a reason that stays in the ledger."""
    require(actor, "inventory.write")
    errors = FieldErrors()
    qty = errors.check("quantity", _signed, delta, "quantity")
    if not (reason or "").strip():
        errors.add("reason", "an adjustment needs a reason (damaged, found, theft, ...)")
    errors.raise_if_any()
    part = _locked(ref)
    moved = _move(part, "adjust", qty, actor, reason=reason.strip())
    audit.record(actor, "stock.adjust", "part", part.id, quantity=str(qty), reason=reason.strip())
    return moved


@transaction
def stock_take(counts: Mapping[str, object], reason: str = "stock-take", actor: Actor = SYSTEM) -> list[Movement]:
    """Counted quantities per SKU; each difference becomes one 'stocktake' movement (all or nothing)."""
    require(actor, "inventory.write")
    errors = FieldErrors()
    parsed: dict[str, Decimal] = {}
    for sku, value in counts.items():
        key = str(sku).strip().upper()
        if Part.get_or_none(Part.sku == key) is None:
            errors.add(str(sku), "unknown SKU")
            continue
        count = errors.check(key, parse_quantity, value, key, allow_zero=True)
        if count is not None:
            parsed[key] = count
    if not counts:
        errors.add("counts", "give at least one SKU=COUNT")
    errors.raise_if_any()
    moved = []
    for sku, count in sorted(parsed.items()):
        part = _locked(sku)
        difference = count - part.on_hand
        if difference:
            moved.append(_move(part, "stocktake", difference, actor, reason=reason.strip() or "stock-take"))
    audit.record(actor, "stock.take", "part", None, counted=len(parsed), changed=len(moved))
    return moved


def movements(ref: int | str | None = None, limit: int = 100, actor: Actor = SYSTEM) -> list[Movement]:
    require(actor, "inventory.read")
    query = StockMovement.select(StockMovement, Part.sku).join(Part).order_by(StockMovement.id.desc()).limit(limit)
    if ref is not None:
        query = query.where(StockMovement.part == _get(ref).id)
    return [_movement(r, r.part.sku) for r in query]


def suggested_order(on_hand: Decimal, reorder_level: Decimal, reorder_quantity: Decimal) -> Decimal:
    return max(reorder_quantity, reorder_level * 2 - on_hand, Decimal("1.00"))


def low_stock(actor: Actor = SYSTEM) -> list[LowStock]:
    """Active parts at or below their re-order level, with a suggested order."""
    require(actor, "inventory.read")
    query = (
        Part.select().where(Part.active == True, Part.on_hand <= Part.reorder_level).order_by(Part.supplier, Part.sku)
    )
    out = []
    for r in query:
        qty = suggested_order(r.on_hand, r.reorder_level, r.reorder_quantity)
        value = (qty * r.unit_cost).quantize(Decimal("0.01"))
        out.append(LowStock(r.sku, r.name, r.supplier, r.bin_location, r.on_hand, r.reorder_level, qty, value))
    return out


def verify(actor: Actor = SYSTEM) -> list[Mismatch]:
    """Parts whose maintained total differs from the sum of their ledger (should be none)."""
    require(actor, "inventory.read")
    ledger = fn.COALESCE(fn.SUM(StockMovement.quantity), 0)
    query = (
        Part.select(Part.sku, Part.on_hand, ledger.alias("ledger"))
        .join(StockMovement, JOIN.LEFT_OUTER)
        .group_by(Part.id, Part.sku, Part.on_hand)
        .having(ledger != Part.on_hand)
        .order_by(Part.sku)
        .dicts()
    )
    from shop.models.base import from_cents

    return [Mismatch(r["sku"], from_cents(r["on_hand"]), from_cents(r["ledger"])) for r in query]


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("", "1", "yes", "true", "y", "active"):
        return True
    if lowered in ("0", "no", "false", "n", "inactive"):
        return False
    raise ValidationError({"active": f"{value!r} is not yes/no"})


@transaction
def import_csv(text: str, actor: Actor = SYSTEM) -> ImportResult:
    """Create or update parts by SKU from CSV; an `on_hand` column is a stock-take count.

    The whole file is checked first; one bad row refuses the file and nothing is stored.
    """
    require(actor, "inventory.write")
    rows = csvio.read_rows(text, required=["sku", "name", "price"], optional=CSV_COLUMNS)
    problems = csvio.RowErrors()
    plans: list[tuple[str, dict[str, object], Decimal | None]] = []
    seen: set[str] = set()
    for row in rows:
        values = row.values
        errors = FieldErrors()
        sku = errors.check("sku", normalise_sku, values.get("sku", ""))
        if sku in seen:
            errors.add("sku", f"{sku} appears twice in the file")
        seen.add(sku)
        existing = Part.get_or_none(Part.sku == sku) if sku else None
        present = {k: v for k, v in values.items() if k not in ("sku", "on_hand") and (v != "" or k == "name")}
        if "active" in present:
            present["active"] = errors.check("active", _bool, present["active"])
        fields = _fields(present, errors, creating=existing is None)
        count = None
        if values.get("on_hand", "") != "":
            count = errors.check("on_hand", parse_quantity, values["on_hand"], "on_hand", allow_zero=True)
        for field, why in errors.errors.items():
            problems.add(row, field, why)
        plans.append((sku or "", fields, count))
    problems.raise_if_any()
    created = updated = adjusted = 0
    now = clock.now()
    for sku, fields, count in plans:
        part = Part.get_or_none(Part.sku == sku)
        if part is None:
            part = Part.create(
                sku=sku,
                active=True,
                allow_backorder=False,
                on_hand=ZERO,
                created_at=now,
                updated_at=now,
                **{"unit_cost": ZERO, "reorder_level": ZERO, "reorder_quantity": ZERO, "supplier": "", **fields},
            )
            created += 1
        else:
            Part.update(updated_at=now, **fields).where(Part.id == part.id).execute()
            updated += 1
        if count is not None:
            part = _locked(sku)
            if count != part.on_hand:
                _move(part, "stocktake", count - part.on_hand, actor, reason="CSV import count")
                adjusted += 1
    audit.record(actor, "part.import", "part", None, created=created, updated=updated, adjusted=adjusted)
    return ImportResult(created, updated, adjusted)


def export_csv(include_inactive: bool = True, actor: Actor = SYSTEM) -> str:
    require(actor, "inventory.read")
    parts = list_parts(include_inactive=include_inactive, actor=actor)
    return csvio.write_rows(CSV_COLUMNS, (_csv_row(p) for p in parts))


def _csv_row(part: PartInfo) -> dict[str, object]:
    return {
        "sku": part.sku,
        "name": part.name,
        "supplier": part.supplier,
        "unit_cost": part.unit_cost,
        "price": part.price,
        "reorder_level": fmt_quantity(part.reorder_level),
        "reorder_quantity": fmt_quantity(part.reorder_quantity),
        "bin_location": part.bin_location,
        "active": part.active,
        "on_hand": fmt_quantity(part.on_hand),
    }


def parse_counts(pairs: Iterable[str]) -> dict[str, str]:
    """SKU=COUNT strings (from a command line or a file) as a dict, refusing malformed ones."""
    out: dict[str, str] = {}
    for pair in pairs:
        sku, sep, count = pair.partition("=")
        if not sep or not sku.strip():
            raise ValidationError({"count": f"{pair!r} is not SKU=COUNT"})
        out[sku.strip().upper()] = count.strip()
    return out


@checks.check("stock_ledger", needs=("part", "stock_movement"))
def _check_stock_ledger() -> list[str]:
    """Every part's on-hand equals the sum of its stock movements."""
    rows = checks.sql(
        """SELECT p.sku, p.on_hand, COALESCE(SUM(m.quantity), 0) FROM part p
           LEFT JOIN stock_movement m ON m.part_id = p.id
           GROUP BY p.id, p.sku, p.on_hand HAVING COALESCE(SUM(m.quantity), 0) <> p.on_hand ORDER BY p.sku"""
    )
    from shop.models.base import from_cents

    return [
        f"{sku}: on hand {from_cents(total)} but the ledger sums to {from_cents(ledger)}" for sku, total, ledger in rows
    ]
