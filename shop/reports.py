"""The numbers the owner runs the shop by, computed by SQL aggregation (never a Python loop over rows).

Every report takes a date range of local days, both ends included. Document dates (invoice
issue dates, payment dates) are local days already; instants (appointment starts, check-ins,
clock entries, stock movements) are compared with the UTC instants where those local days begin.

Definitions:
  * revenue: issued invoices minus credit notes (net, tax, total) by issue date; paid: payments by
    payment date. Periods: day, ISO week (starting Monday) or calendar month.
  * repairs: completed appointments per booked service, and the net invoiced per service.
  * average repair order (ARO): net of issued invoices / number of invoices; credit notes are shown
    separately; cars = distinct cars invoiced.
  * technicians: jobs checked in, billed hours (labour lines of the mechanic + standard times of
    services on jobs assigned to them), clocked hours (closed time-clock entries), productivity =
    billed / clocked.
  * bays: booked hours (service durations of appointments not cancelled or no-show) / open hours.
  * no-shows: share of appointments in the range marked no-show or cancelled.
  * parts: quantity used on jobs (uses minus returns) at its cost when used, parts invoiced (net),
    margin = invoiced - cost.
  * outstanding: issued invoices with an amount due, their age and days overdue today.
  * desk figures (the Today board): the outstanding invoices' count and amount due, and today's net
    revenue as the revenue report counts it (invoices issued today minus credit notes issued today).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from shop import clock, inventory, settings
from shop.auth import SYSTEM, Actor, require
from shop.db import database, is_postgres
from shop.errors import ValidationError
from shop.models import OpeningHours, Staff
from shop.models.base import from_cents
from shop.scheduling import calendar

PERIODS = ("day", "week", "month")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RevenueRow:
    period: str
    invoices: int
    credit_notes: int
    net: Decimal
    tax: Decimal
    total: Decimal
    paid: Decimal


@dataclass(frozen=True)
class RepairRow:
    category: str
    service: str
    completed: int
    invoiced: Decimal


@dataclass(frozen=True)
class AroRow:
    invoices: int
    cars: int
    net: Decimal
    credited: Decimal
    average_order: Decimal


@dataclass(frozen=True)
class TechnicianRow:
    mechanic: str
    name: str
    jobs: int
    completed: int
    billed_hours: Decimal
    clocked_hours: Decimal
    productivity: Decimal | None  # percent billed / clocked


@dataclass(frozen=True)
class BayRow:
    bay: str
    appointments: int
    booked_hours: Decimal
    open_hours: Decimal
    utilisation: Decimal | None  # percent


@dataclass(frozen=True)
class NoShowRow:
    appointments: int
    completed: int
    no_shows: int
    cancelled: int
    no_show_rate: Decimal | None
    cancellation_rate: Decimal | None


@dataclass(frozen=True)
class PartsRow:
    sku: str
    name: str
    used: Decimal
    cost: Decimal
    invoiced_quantity: Decimal
    invoiced: Decimal
    margin: Decimal


@dataclass(frozen=True)
class OutstandingRow:
    number: str
    customer: str
    issue_date: date
    due_date: date | None
    total: Decimal
    due: Decimal
    age_days: int
    overdue_days: int
    bucket: str


@dataclass(frozen=True)
class DeskFigures:
    unpaid: int  # issued invoices with an amount still due
    due: Decimal  # what those invoices still owe
    revenue: Decimal  # net of today's invoices minus today's credit notes


@dataclass(frozen=True)
class Range:
    first: date
    last: date

    @property
    def start_utc(self) -> str:
        return _ts(calendar.local_instant(self.first, 0, settings.timezone()))

    @property
    def end_utc(self) -> str:
        return _ts(calendar.local_instant(self.last + timedelta(days=1), 0, settings.timezone()))


def _ts(instant: datetime) -> str:
    """A UTC instant as stored (text on SQLite, where the fixed format keeps text order = time order)."""
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def parse_range(first: str | date | None, last: str | date | None) -> Range:
    """Dates as YYYY-MM-DD; default: the current month up to today."""
    today = clock.now().astimezone(settings.timezone()).date()
    problems: dict[str, str] = {}

    def one(value: str | date | None, field: str, default: date) -> date:
        if value in (None, ""):
            return default
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            problems[field] = f"{value!r} is not a date (YYYY-MM-DD)"
            return default

    a = one(first, "from", today.replace(day=1))
    b = one(last, "to", today)
    if not problems and a > b:
        problems["to"] = f"{b} is before {a}"
    if not problems and (b - a).days > 3700:
        problems["to"] = "the range is longer than ten years"
    if problems:
        raise ValidationError(problems)
    return Range(a, b)


def _sql(statement: str, params: list[object]) -> list[tuple]:  # type: ignore[type-arg]
    placeholder = "%s" if is_postgres() else "?"
    return list(database.execute_sql(statement.replace("{p}", placeholder), params).fetchall())


def _period(column: str, by: str) -> str:
    if by not in PERIODS:
        raise ValidationError({"by": f"unknown period {by!r}; use day, week or month"})
    if is_postgres():
        return {
            "day": f"to_char({column}, 'YYYY-MM-DD')",
            "week": f"to_char(date_trunc('week', {column}), 'YYYY-MM-DD')",
            "month": f"to_char({column}, 'YYYY-MM')",
        }[by]
    return {
        "day": f"substr({column}, 1, 10)",
        "week": f"date({column}, '-' || ((CAST(strftime('%w', {column}) AS INTEGER) + 6) % 7) || ' days')",
        "month": f"substr({column}, 1, 7)",
    }[by]


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _hours(value: object, unit: int) -> Decimal:
    return (Decimal(int(value or 0)) / unit).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def revenue(
    first: str | date | None = None, last: str | date | None = None, by: str = "month", actor: Actor = SYSTEM
) -> list[RevenueRow]:
    require(actor, "report.read")
    span = parse_range(first, last)
    dates = [span.first.isoformat(), span.last.isoformat()]
    issued = _sql(
        f"""SELECT {_period("issue_date", by)} AS period,
                   SUM(CASE WHEN kind = 'invoice' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN kind = 'credit_note' THEN 1 ELSE 0 END),
                   SUM(net), SUM(tax), SUM(total)
            FROM invoice WHERE status <> 'draft' AND issue_date >= {{p}} AND issue_date <= {{p}}
            GROUP BY 1 ORDER BY 1""",
        dates,
    )
    paid = dict(
        _sql(
            f"""SELECT {_period("paid_on", by)} AS period, SUM(amount) FROM payment
                WHERE paid_on >= {{p}} AND paid_on <= {{p}} GROUP BY 1 ORDER BY 1""",
            dates,
        )
    )
    rows = {
        r[0]: RevenueRow(r[0], int(r[1]), int(r[2]), from_cents(r[3]), from_cents(r[4]), from_cents(r[5]), ZERO)
        for r in issued
    }
    for period, amount in paid.items():
        base = rows.get(period, RevenueRow(period, 0, 0, ZERO, ZERO, ZERO, ZERO))
        rows[period] = RevenueRow(
            base.period, base.invoices, base.credit_notes, base.net, base.tax, base.total, from_cents(amount)
        )
    return [rows[k] for k in sorted(rows)]


def repairs(first: str | date | None = None, last: str | date | None = None, actor: Actor = SYSTEM) -> list[RepairRow]:
    require(actor, "report.read")
    span = parse_range(first, last)
    done = _sql(
        """SELECT c.name, s.name, COUNT(DISTINCT a.id)
           FROM appointment a
           JOIN appointment_service x ON x.appointment_id = a.id
           JOIN service s ON s.id = x.service_id
           JOIN service_category c ON c.id = s.category_id
           WHERE a.status = 'completed' AND a.start_at >= {p} AND a.start_at < {p}
           GROUP BY c.name, s.name""",
        [span.start_utc, span.end_utc],
    )
    money = _sql(
        """SELECT c.name, s.name, SUM(l.amount)
           FROM invoice_line l
           JOIN invoice i ON i.id = l.invoice_id
           JOIN service s ON s.id = l.service_id
           JOIN service_category c ON c.id = s.category_id
           WHERE i.status <> 'draft' AND i.issue_date >= {p} AND i.issue_date <= {p}
           GROUP BY c.name, s.name""",
        [span.first.isoformat(), span.last.isoformat()],
    )
    counts = {(r[0], r[1]): int(r[2]) for r in done}
    amounts = {(r[0], r[1]): from_cents(r[2]) for r in money}
    keys = sorted(set(counts) | set(amounts))
    return [RepairRow(c, s, counts.get((c, s), 0), amounts.get((c, s), ZERO)) for c, s in keys]


def aro(first: str | date | None = None, last: str | date | None = None, actor: Actor = SYSTEM) -> AroRow:
    require(actor, "report.read")
    span = parse_range(first, last)
    ((count, cars, net, credited),) = _sql(
        """SELECT SUM(CASE WHEN kind = 'invoice' THEN 1 ELSE 0 END),
                  COUNT(DISTINCT CASE WHEN kind = 'invoice' THEN vehicle_id END),
                  SUM(CASE WHEN kind = 'invoice' THEN net ELSE 0 END),
                  SUM(CASE WHEN kind = 'credit_note' THEN -net ELSE 0 END)
           FROM invoice WHERE status <> 'draft' AND issue_date >= {p} AND issue_date <= {p}""",
        [span.first.isoformat(), span.last.isoformat()],
    )
    count = int(count or 0)
    total = from_cents(net)
    average = (total / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if count else ZERO
    return AroRow(count, int(cars or 0), total, from_cents(credited), average)


def technicians(
    first: str | date | None = None, last: str | date | None = None, actor: Actor = SYSTEM
) -> list[TechnicianRow]:
    require(actor, "report.read")
    span = parse_range(first, last)
    window = [span.start_utc, span.end_utc]
    jobs = {
        r[0]: (int(r[1]), int(r[2]))
        for r in _sql(
            """SELECT j.mechanic_id, COUNT(*), SUM(CASE WHEN a.status = 'completed' THEN 1 ELSE 0 END)
               FROM job j JOIN appointment a ON a.id = j.appointment_id
               WHERE j.mechanic_id IS NOT NULL AND j.checked_in_at >= {p} AND j.checked_in_at < {p}
               GROUP BY j.mechanic_id""",
            window,
        )
    }
    labour = dict(
        _sql(
            """SELECT COALESCE(l.mechanic_id, j.mechanic_id), SUM(l.hours)
               FROM job_labour l JOIN job j ON j.id = l.job_id
               WHERE j.checked_in_at >= {p} AND j.checked_in_at < {p}
               GROUP BY COALESCE(l.mechanic_id, j.mechanic_id)""",
            window,
        )
    )
    standard = dict(
        _sql(
            """SELECT j.mechanic_id, SUM(x.duration_minutes)
               FROM job j JOIN appointment_service x ON x.appointment_id = j.appointment_id
               WHERE j.mechanic_id IS NOT NULL AND j.checked_in_at >= {p} AND j.checked_in_at < {p}
               GROUP BY j.mechanic_id""",
            window,
        )
    )
    clocked = dict(
        _sql(
            """SELECT mechanic_id, SUM(seconds) FROM time_entry
               WHERE seconds IS NOT NULL AND started_at >= {p} AND started_at < {p}
               GROUP BY mechanic_id""",
            window,
        )
    )
    ids = {i for i in (*jobs, *labour, *standard, *clocked) if i is not None}
    names = {s.id: s for s in Staff.select().where(Staff.id.in_(list(ids)))} if ids else {}
    out = []
    for staff_id in sorted(ids, key=lambda i: names[i].username):
        billed = _hours(labour.get(staff_id), 100) + _hours(standard.get(staff_id), 60)
        hours = _hours(clocked.get(staff_id), 3600)
        count, completed = jobs.get(staff_id, (0, 0))
        out.append(
            TechnicianRow(
                names[staff_id].username,
                names[staff_id].full_name,
                count,
                completed,
                billed,
                hours,
                _pct(billed, hours),
            )
        )
    return out


def bays(first: str | date | None = None, last: str | date | None = None, actor: Actor = SYSTEM) -> list[BayRow]:
    require(actor, "report.read")
    span = parse_range(first, last)
    booked = _sql(
        """SELECT b.name, COUNT(DISTINCT a.id), COALESCE(SUM(x.duration_minutes), 0)
           FROM bay b
           LEFT JOIN appointment a ON a.bay_id = b.id AND a.status NOT IN ('cancelled', 'no_show')
                AND a.start_at >= {p} AND a.start_at < {p}
           LEFT JOIN appointment_service x ON x.appointment_id = a.id
           WHERE b.active = {p} OR a.id IS NOT NULL
           GROUP BY b.id, b.name ORDER BY b.name""",
        [span.start_utc, span.end_utc, True],
    )
    week: dict[int, list[tuple[int, int]]] = {}
    for row in OpeningHours.select():
        week.setdefault(row.weekday, []).append((row.start_minute, row.end_minute))
    closed = calendar.closed_days(
        span.first,
        span.last,
        settings.get("schedule.holidays_country"),
        settings.get("schedule.holidays_subdivision"),
    )
    windows = calendar.weekly_windows(span.first, span.last, week, settings.timezone(), set(closed))
    open_minutes = sum(int((end - start).total_seconds() // 60) for _, start, end in windows)
    open_hours = _hours(open_minutes, 60)
    return [BayRow(r[0], int(r[1]), _hours(r[2], 60), open_hours, _pct(_hours(r[2], 60), open_hours)) for r in booked]


def no_shows(first: str | date | None = None, last: str | date | None = None, actor: Actor = SYSTEM) -> NoShowRow:
    require(actor, "report.read")
    span = parse_range(first, last)
    counts = dict(
        _sql(
            """SELECT status, COUNT(*) FROM appointment WHERE start_at >= {p} AND start_at < {p} GROUP BY status""",
            [span.start_utc, span.end_utc],
        )
    )
    total = sum(int(v) for v in counts.values())
    no_show, cancelled = int(counts.get("no_show", 0)), int(counts.get("cancelled", 0))
    return NoShowRow(
        total,
        int(counts.get("completed", 0)),
        no_show,
        cancelled,
        _pct(Decimal(no_show), Decimal(total)),
        _pct(Decimal(cancelled), Decimal(total)),
    )


def parts(first: str | date | None = None, last: str | date | None = None, actor: Actor = SYSTEM) -> list[PartsRow]:
    require(actor, "report.read")
    span = parse_range(first, last)
    used = _sql(
        """SELECT p.sku, p.name, SUM(-m.quantity), SUM(-m.quantity * m.unit_cost)
           FROM stock_movement m JOIN part p ON p.id = m.part_id
           WHERE m.kind IN ('use', 'return') AND m.at >= {p} AND m.at < {p}
           GROUP BY p.sku, p.name""",
        [span.start_utc, span.end_utc],
    )
    sold = _sql(
        """SELECT p.sku, p.name,
                  SUM(CASE WHEN i.kind = 'credit_note' THEN -l.quantity ELSE l.quantity END), SUM(l.amount)
           FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id JOIN part p ON p.id = l.part_id
           WHERE i.status <> 'draft' AND i.issue_date >= {p} AND i.issue_date <= {p}
           GROUP BY p.sku, p.name""",
        [span.first.isoformat(), span.last.isoformat()],
    )
    names: dict[str, str] = {}
    usage: dict[str, tuple[Decimal, Decimal]] = {}
    for sku, name, qty, cost in used:
        names[sku] = name
        # quantity in hundredths x cost in cents = 1/10000 of the currency unit
        usage[sku] = (from_cents(qty), (Decimal(int(cost or 0)) / 10000).quantize(Decimal("0.01"), ROUND_HALF_UP))
    sales: dict[str, tuple[Decimal, Decimal]] = {}
    for sku, name, qty, amount in sold:
        names[sku] = name
        sales[sku] = (from_cents(qty), from_cents(amount))
    out = []
    for sku in sorted(names):
        qty, cost = usage.get(sku, (ZERO, ZERO))
        sold_qty, amount = sales.get(sku, (ZERO, ZERO))
        out.append(PartsRow(sku, names[sku], qty, cost, sold_qty, amount, amount - cost))
    return out


def _bucket(overdue: int) -> str:
    if overdue <= 0:
        return "not due"
    if overdue <= 30:
        return "1-30"
    if overdue <= 60:
        return "31-60"
    if overdue <= 90:
        return "61-90"
    return "90+"


def outstanding(
    first: str | date | None = None, last: str | date | None = None, actor: Actor = SYSTEM
) -> list[OutstandingRow]:
    """Issued invoices of the range with an amount still due, oldest first."""
    require(actor, "report.read")
    span = parse_range(first, last) if first or last else Range(date(1900, 1, 1), date(9999, 12, 31))
    rows = _sql(
        """SELECT i.number, c.name, i.issue_date, i.due_date, i.total, i.total - i.paid - i.credited
           FROM invoice i JOIN customer c ON c.id = i.customer_id
           WHERE i.kind = 'invoice' AND i.status = 'issued' AND i.total - i.paid - i.credited > 0
             AND i.issue_date >= {p} AND i.issue_date <= {p}
           ORDER BY i.issue_date, i.number""",
        [span.first.isoformat(), span.last.isoformat()],
    )
    today = clock.now().astimezone(settings.timezone()).date()
    out = []
    for number, name, issued, due_date, total, due in rows:
        issued = issued if isinstance(issued, date) else date.fromisoformat(str(issued))
        due_day = (
            None
            if due_date is None
            else (due_date if isinstance(due_date, date) else date.fromisoformat(str(due_date)))
        )
        overdue = (today - due_day).days if due_day else 0
        out.append(
            OutstandingRow(
                number,
                name,
                issued,
                due_day,
                from_cents(total),
                from_cents(due),
                (today - issued).days,
                max(overdue, 0),
                _bucket(overdue),
            )
        )
    return out


def desk_figures(actor: Actor = SYSTEM) -> DeskFigures:
    """The money line of the Today board, in two aggregate queries whatever the number of invoices.

    It needs `invoice.read`, not `report.read`: the front desk takes the payments and chases the
    unpaid invoices, so it sees these two figures though not the owner's reports; mechanics see neither.
    The definitions are those of `outstanding` and `revenue` (net, by issue date), so the board and the
    reports agree.
    """
    require(actor, "invoice.read")
    ((unpaid, due),) = _sql(
        """SELECT COUNT(*), SUM(total - paid - credited) FROM invoice
           WHERE kind = 'invoice' AND status = 'issued' AND total - paid - credited > 0""",
        [],
    )
    today = clock.now().astimezone(settings.timezone()).date().isoformat()
    ((net,),) = _sql("SELECT SUM(net) FROM invoice WHERE status <> 'draft' AND issue_date = {p}", [today])
    return DeskFigures(int(unpaid or 0), from_cents(due), from_cents(net))


def low_stock(actor: Actor = SYSTEM) -> list[inventory.LowStock]:
    """Parts at or below their re-order level today, with a suggested order (no date range)."""
    require(actor, "report.read")
    return inventory.low_stock(actor)
