"""Every report on a small, hand-checked fixture (figures worked out by hand in the comments)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shop import booking, inventory, invoices, jobs, reports, staff
from shop.errors import ValidationError
from tests.scheduling_helpers import make_shop

D = Decimal


@pytest.fixture
def month(db, frozen_clock):  # type: ignore[no-untyped-def]
    """Nov 23 (Mon): oil change by mara (clocked 1 h, 0.5 h labour, 4 x OIL), brakes by tobias (clocked 2 h).
    Invoice 1 issued Nov 23: 89.00 + 40.00 + 59.60 = 188.60 net, 35.83 tax, 224.43; 100.00 paid Nov 23.
    Invoice 2 issued Dec 1: 240.00 net, 45.60 tax, 285.60, paid in full Dec 1.
    Credit note Dec 1 for invoice 1's labour: -40.00 net, -7.60 tax, -47.60.
    Nov 24: a no-show; Nov 25: a cancellation."""
    shop = make_shop(bays=2)
    staff.add_staff("mara", "Mara Schulz", "mechanic", "mara-password-1")
    staff.add_staff("tobias", "Tobias Becker", "mechanic", "tobias-password-1")
    inventory.add_part("OIL", "Engine oil", "14.90", unit_cost="6.00")
    inventory.receive("OIL", "10")
    a1 = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-23 10:00")
    a2 = booking.book(shop.other_customer_id, shop.other_car_id, [shop.brakes], "2026-11-23 13:00")
    a3 = booking.book(shop.customer_id, shop.car_id, [shop.quick], "2026-11-24 10:00")
    a4 = booking.book(shop.other_customer_id, shop.other_car_id, [shop.quick], "2026-11-25 10:00")
    j1 = jobs.check_in(a1.id, mileage="60000", mechanic="mara")
    jobs.clock_on(j1.id, "mara")
    frozen_clock.advance(timedelta(hours=1))
    jobs.clock_off("mara")
    jobs.add_labour(j1.id, "0.5", "Check brakes", rate="80.00")
    jobs.use_part(j1.id, "OIL", "4")
    jobs.set_status(j1.id, "completed")
    inv1 = invoices.issue(jobs.create_invoice(j1.id).id)
    invoices.pay(inv1.id, "100.00")
    j2 = jobs.check_in(a2.id, mechanic="tobias")
    jobs.clock_on(j2.id, "tobias")
    frozen_clock.advance(timedelta(hours=2))
    jobs.clock_off("tobias")
    jobs.set_status(j2.id, "completed")
    booking.cancel(a4.id, "customer called")
    frozen_clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    booking.set_status(a3.id, "no_show")
    inv2 = invoices.issue(jobs.create_invoice(j2.id).id)
    invoices.pay(inv2.id, "285.60", method="card")
    invoices.credit(inv1.id, "labour not done", [2])
    return inv1, inv2


def test_revenue_by_month_nets_credit_notes_and_shows_payments(month) -> None:
    rows = reports.revenue("2026-11-01", "2026-12-31", by="month")
    assert [(r.period, r.invoices, r.credit_notes, r.net, r.tax, r.total, r.paid) for r in rows] == [
        ("2026-11", 1, 0, D("188.60"), D("35.83"), D("224.43"), D("100.00")),
        ("2026-12", 1, 1, D("200.00"), D("38.00"), D("238.00"), D("285.60")),
    ]


def test_revenue_by_day_and_week(month) -> None:
    days = reports.revenue("2026-11-01", "2026-12-31", by="day")
    assert [(r.period, r.total) for r in days] == [("2026-11-23", D("224.43")), ("2026-12-01", D("238.00"))]
    weeks = reports.revenue("2026-11-01", "2026-12-31", by="week")
    assert [(r.period, r.total, r.paid) for r in weeks] == [
        ("2026-11-23", D("224.43"), D("100.00")),
        ("2026-11-30", D("238.00"), D("285.60")),  # Tuesday Dec 1 belongs to the week of Monday Nov 30
    ]
    assert reports.revenue("2026-11-24", "2026-11-30") == []


def test_repairs_aro_and_parts(month) -> None:
    repairs = reports.repairs("2026-11-01", "2026-12-31")
    assert [(r.category, r.service, r.completed, r.invoiced) for r in repairs] == [
        ("Maintenance", "Brake pads", 1, D("240.00")),
        ("Maintenance", "Oil change", 1, D("89.00")),
    ]
    aro = reports.aro("2026-11-01", "2026-12-31")
    assert (aro.invoices, aro.cars, aro.net, aro.credited, aro.average_order) == (
        2,
        2,
        D("428.60"),
        D("40.00"),
        D("214.30"),
    )
    (oil,) = reports.parts("2026-11-01", "2026-12-31")
    assert (oil.sku, oil.used, oil.cost, oil.invoiced_quantity, oil.invoiced, oil.margin) == (
        "OIL",
        D("4.00"),
        D("24.00"),
        D("4.00"),
        D("59.60"),
        D("35.60"),
    )


def test_technicians_billed_versus_clocked(month) -> None:
    rows = {r.mechanic: r for r in reports.technicians("2026-11-01", "2026-12-31")}
    mara, tobias = rows["mara"], rows["tobias"]
    assert (mara.jobs, mara.completed, mara.billed_hours, mara.clocked_hours) == (1, 1, D("1.50"), D("1.00"))
    assert mara.productivity == D("150.0")  # 0.5 h labour + 1 h oil change standard time, over 1 h clocked
    assert (tobias.billed_hours, tobias.clocked_hours, tobias.productivity) == (D("1.50"), D("2.00"), D("75.0"))


def test_bays_and_no_shows(month) -> None:
    bays = reports.bays("2026-11-23", "2026-11-27")
    assert [b.open_hours for b in bays] == [D("42.50"), D("42.50")]  # 5 days x 8.5 h
    assert sum(b.booked_hours for b in bays) == D("2.50")  # oil 1 h + brakes 1.5 h; no-show and cancelled excluded
    rates = reports.no_shows("2026-11-23", "2026-11-29")
    assert (rates.appointments, rates.completed, rates.no_shows, rates.cancelled) == (4, 2, 1, 1)
    assert (rates.no_show_rate, rates.cancellation_rate) == (D("25.0"), D("25.0"))


def test_outstanding_ages_unpaid_invoices(month, frozen_clock) -> None:
    (row,) = reports.outstanding()
    assert (row.number, row.total, row.due, row.age_days, row.bucket) == (
        "2026-000001",
        D("224.43"),
        D("76.83"),  # 224.43 - 100.00 paid - 47.60 credited
        8,
        "not due",
    )
    frozen_clock.set(datetime(2027, 1, 10, 9, 0, tzinfo=UTC))
    (row,) = reports.outstanding()
    assert (row.overdue_days, row.bucket) == (34, "31-60")  # due Dec 7


def test_desk_figures_count_unpaid_invoices_and_net_revenue_of_today_in_three_queries(month, frozen_clock) -> None:
    from playhouse.test_utils import count_queries

    from shop.auth import Actor, Role
    from shop.errors import Forbidden

    with count_queries() as counted:
        figures = reports.desk_figures()
    assert counted.count == 3  # two aggregates over the invoices and the shop's time zone, however many invoices
    # Dec 1: invoice 2 (240.00 net) minus the credit note (-40.00); invoice 1 still owes 76.83, invoice 2 is paid.
    assert figures == reports.DeskFigures(1, D("76.83"), D("200.00"))
    desk = Actor(Role.FRONT_DESK, "desk")
    frozen_clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    invoices.pay(month[0].id, "26.83", actor=desk)
    assert reports.desk_figures(actor=desk) == reports.DeskFigures(1, D("50.00"), D("0.00"))
    with pytest.raises(Forbidden):
        reports.desk_figures(actor=Actor(Role.MECHANIC, "mara"))


def test_bad_range_names_the_field(db) -> None:
    with pytest.raises(ValidationError, match="from"):
        reports.revenue("yesterday", "2026-11-30")
    with pytest.raises(ValidationError, match="to: 2026-11-01 is before 2026-11-30"):
        reports.aro("2026-11-30", "2026-11-01")
    with pytest.raises(ValidationError, match="by"):
        reports.revenue("2026-11-01", "2026-11-30", by="year")


def test_cli_reports_as_csv_and_json(cli, month) -> None:
    csv_out = cli("report", "revenue", "--from", "2026-11-01", "--to", "2026-12-31", "--format", "csv")
    assert csv_out.exit_code == 0, csv_out.stderr
    assert csv_out.stdout.splitlines() == [
        "period,invoices,credit_notes,net,tax,total,paid",
        "2026-11,1,0,188.60,35.83,224.43,100.00",
        "2026-12,1,1,200.00,38.00,238.00,285.60",
    ]
    tech = cli("report", "technicians", "--from", "2026-11-01", "--to", "2026-12-31", "--json").json()
    assert [t["mechanic"] for t in tech] == ["mara", "tobias"]
    table = cli("report", "noshows", "--from", "2026-11-23", "--to", "2026-11-29")
    assert "NO_SHOW_RATE" in table.stdout and "25.0" in table.stdout
    bad = cli("report", "revenue", "--by", "year")
    assert bad.exit_code == 1 and "by" in bad.stderr


def test_low_stock_report(cli, month) -> None:
    assert cli("report", "lowstock", "--json").json() == []
    inventory.edit_part("OIL", reorder_level="6")
    (row,) = cli("report", "lowstock", "--json").json()
    assert (row["sku"], row["on_hand"], row["suggested_order"]) == ("OIL", "6.00", "6.00")
