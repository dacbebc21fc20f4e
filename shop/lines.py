"""Document lines shared by quotes, invoices and credit notes: one place for line rules and totals.

A line is a service (from the catalogue, at its catalogue price unless given), labour (hours ×
rate, default `labour.rate`), a part (at its sale price), another charge, or a discount (a fixed
amount taken off). Prices are net; tax is added at the line's rate (default `tax.rate`).

Arithmetic follows the one rounding rule in `shop.amounts`: each line's amount is rounded half-up
to the cent; tax is computed per rate on the sum of the rounded amounts, rounded half-up once per
rate; total = net + tax.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from peewee import fn

from shop import settings
from shop.amounts import parse_money, parse_quantity, parse_rate, round_money
from shop.errors import FieldErrors, NotFound, ValidationError
from shop.models import Part, Service
from shop.models.base import from_cents
from shop.models.billing import DocumentLine

KINDS = ("service", "labour", "part", "other", "discount")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Line:
    id: int
    position: int
    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    amount: Decimal
    service_id: int | None = None
    part_id: int | None = None
    decision: str | None = None  # quotes only: pending, accepted, declined


@dataclass(frozen=True)
class TaxBand:
    rate: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    net: Decimal
    tax: Decimal
    total: Decimal
    bands: tuple[TaxBand, ...] = ()


def line_amount(kind: str, quantity: Decimal, unit_price: Decimal, sign: int = 1) -> Decimal:
    """The rounded net of one line; discounts count negative, and everything flips on a credit note."""
    amount = round_money(quantity * unit_price)
    if kind == "discount":
        amount = -amount
    return amount * sign


def totals(lines: Iterable[tuple[Decimal, Decimal]]) -> Totals:
    """Totals of (amount, tax_rate) pairs under the rounding rule."""
    by_rate: dict[Decimal, Decimal] = {}
    for amount, rate in lines:
        by_rate[rate] = by_rate.get(rate, ZERO) + amount
    bands = tuple(TaxBand(rate, net, round_money(net * rate / Decimal(100))) for rate, net in sorted(by_rate.items()))
    net = sum((b.net for b in bands), ZERO)
    tax = sum((b.tax for b in bands), ZERO)
    return Totals(net, tax, net + tax, bands)


def totals_of(lines: Iterable[Line]) -> Totals:
    return totals((line.amount, line.tax_rate) for line in lines)


def _service(ref: object) -> Service:
    text = str(ref).strip()
    row = Service.get_or_none(Service.id == int(text)) if text.isdigit() else None
    if row is None:
        row = Service.get_or_none(fn.LOWER(Service.name) == text.lower())
    if row is None:
        raise ValidationError({"service": f"no service {ref!r} in the catalogue"})
    return row


def _part(ref: object) -> Part:
    row = Part.get_or_none(Part.sku == str(ref).strip().upper())
    if row is None:
        raise ValidationError({"part": f"unknown SKU {ref!r}"})
    return row


def prepare(
    kind: str,
    *,
    service: object = None,
    part: object = None,
    description: str | None = None,
    quantity: object = "1",
    unit_price: object = None,
    tax_rate: object = None,
) -> dict[str, object]:
    """Validated column values for a new line (without its document, position and amount)."""
    errors = FieldErrors()
    kind = (kind or "").strip().lower()
    if kind not in KINDS:
        raise ValidationError({"kind": f"unknown line kind {kind!r}; use {', '.join(KINDS)}"})
    values: dict[str, object] = {"kind": kind, "service": None, "part": None}
    default_price: Decimal | None = None
    default_text = ""
    if kind == "service":
        if service in (None, ""):
            errors.add("service", "a service line needs --service (id or name)")
        else:
            row = errors.check("service", _service, service)
            if row is not None:
                values["service"] = row.id
                default_price, default_text = row.price, row.name
    elif kind == "part":
        if part in (None, ""):
            errors.add("part", "a part line needs --part SKU")
        else:
            row = errors.check("part", _part, part)
            if row is not None:
                values["part"] = row.id
                default_price, default_text = row.price, f"{row.name} ({row.sku})"
    elif kind == "labour":
        default_price, default_text = settings.get_decimal("labour.rate"), "Labour"
    elif kind == "discount":
        default_text = "Discount"
    lookup_failed = kind in ("service", "part") and values[kind] is None
    text = (description or "").strip() or default_text
    if not text and not lookup_failed:
        errors.add("description", "must not be empty")
    values["description"] = text
    values["quantity"] = errors.check("quantity", parse_quantity, quantity, "quantity")
    if unit_price in (None, ""):
        if default_price is None and not lookup_failed:
            errors.add("unit_price", f"a {kind} line needs a price")
        values["unit_price"] = default_price
    else:
        values["unit_price"] = errors.check("unit_price", parse_money, unit_price, "unit_price")
    if tax_rate in (None, ""):
        values["tax_rate"] = settings.get_decimal("tax.rate").quantize(Decimal("0.01"))
    else:
        values["tax_rate"] = errors.check("tax_rate", parse_rate, tax_rate, "tax_rate")
    errors.raise_if_any()
    return values


def to_line(row: DocumentLine) -> Line:
    return Line(
        row.id,
        row.position,
        row.kind,
        row.description,
        row.quantity,
        row.unit_price,
        row.tax_rate,
        row.amount,
        row.service_id,
        row.part_id,
        getattr(row, "decision", None),
    )


def add(model: type[DocumentLine], owner: dict[str, object], values: dict[str, object], sign: int = 1) -> Line:
    """Append a line to the document named by OWNER (e.g. {"invoice": 3})."""
    (field, owner_id), *_ = owner.items()
    last = model.select(fn.MAX(model.position)).where(getattr(model, field) == owner_id).scalar()
    amount = line_amount(str(values["kind"]), values["quantity"], values["unit_price"], sign)  # type: ignore[arg-type]
    row = model.create(position=(last or 0) + 1, amount=amount, **owner, **values)
    return to_line(row)


def add_new(
    model: type[DocumentLine],
    owner: dict[str, object],
    kind: str,
    *,
    service: object = None,
    part: object = None,
    description: str | None = None,
    quantity: object = "1",
    unit_price: object = None,
    tax_rate: object = None,
    extra: dict[str, object] | None = None,
) -> Line:
    """Validate a new line from user input and append it: the body of every document's `add_line`.

    EXTRA holds columns only one kind of document has (a quote line's decision); the caller checks
    permission and that the document may still be changed.
    """
    values = prepare(
        kind,
        service=service,
        part=part,
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        tax_rate=tax_rate,
    )
    return add(model, owner, {**values, **(extra or {})})


def revise_at(
    model: type[DocumentLine],
    owner: dict[str, object],
    position: int,
    *,
    description: str | None = None,
    quantity: object = None,
    unit_price: object = None,
    tax_rate: object = None,
) -> Line:
    """Find line POSITION of the document named by OWNER and revise it: the body of every `update_line`.

    A missing line is NotFound("<document> #<id> has no line <position>"), the same words for every document.
    """
    (field, owner_id), *_ = owner.items()
    row = model.get_or_none(getattr(model, field) == owner_id, model.position == position)
    if row is None:
        raise NotFound(f"{field} #{owner_id} has no line {position}")
    return revise(row, description=description, quantity=quantity, unit_price=unit_price, tax_rate=tax_rate)


def revise(
    row: DocumentLine,
    *,
    description: str | None = None,
    quantity: object = None,
    unit_price: object = None,
    tax_rate: object = None,
    sign: int = 1,
) -> Line:
    """Change a line's text, quantity, price or tax rate (None leaves a value as it is); re-computes its amount.

    Kind, service and part stay: a line that should be something else is removed and added again.
    """
    errors = FieldErrors()
    changes: dict[str, object] = {}
    if description is not None:
        changes["description"] = description.strip()
        if not changes["description"]:
            errors.add("description", "must not be empty")
    parsers = {"quantity": parse_quantity, "unit_price": parse_money, "tax_rate": parse_rate}
    for name, value in (("quantity", quantity), ("unit_price", unit_price), ("tax_rate", tax_rate)):
        if value is None:
            continue
        if str(value).strip() == "":
            errors.add(name, "must not be empty")
        else:
            changes[name] = errors.check(name, parsers[name], value, name)
    errors.raise_if_any()
    for name, value in changes.items():
        setattr(row, name, value)
    row.amount = line_amount(row.kind, row.quantity, row.unit_price, sign)
    row.save()
    return to_line(row)


def copy(lines: Iterable[Line], model: type[DocumentLine], owner: dict[str, object], sign: int = 1) -> list[Line]:
    """Copy lines to another document (quote → invoice, invoice → credit note), re-computing amounts."""
    out = []
    for line in lines:
        values = {
            "kind": line.kind,
            "service": line.service_id,
            "part": line.part_id,
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "tax_rate": line.tax_rate,
        }
        out.append(add(model, owner, values, sign))
    return out


def load(model: type[DocumentLine], owner_field: str, owner_id: int) -> list[Line]:
    query = model.select().where(getattr(model, owner_field) == owner_id).order_by(model.position)
    return [to_line(r) for r in query]


def totals_for(model: type[DocumentLine], owner_field: str, owner_ids: Iterable[int]) -> dict[int, Totals]:
    """Totals of many documents from one grouped query (no query per document)."""
    ids = list(owner_ids)
    if not ids:
        return {}
    column = getattr(model, owner_field)
    query = (
        model.select(column.alias("owner"), model.tax_rate, fn.SUM(model.amount).alias("net"))
        .where(column.in_(ids))
        .group_by(column, model.tax_rate)
        .tuples()
    )
    grouped: dict[int, list[tuple[Decimal, Decimal]]] = {i: [] for i in ids}
    for owner, rate, net in query:
        grouped[owner].append((from_cents(net), Decimal(rate)))  # SUM comes back as raw cents
    return {owner: totals(pairs) for owner, pairs in grouped.items()}
