"""Repair jobs: check-in to invoice, parts through the stock ledger, the time clock, bad input, races."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from shop import booking, inventory, invoices, jobs, staff, vehicles
from shop.errors import Conflict, ValidationError
from tests.conftest import run_garage_process
from tests.scheduling_helpers import make_shop

D = Decimal


@dataclass(frozen=True)
class Workshop:
    appointment: int
    second: int
    car: int


@pytest.fixture
def workshop(db) -> Workshop:
    shop = make_shop(bays=2)
    staff.add_staff("mara", "Mara Schulz", "mechanic", "mara-password-1")
    staff.add_staff("tobias", "Tobias Becker", "mechanic", "tobias-password-1")
    inventory.add_part("OIL", "Engine oil 5W-30", "14.90", unit_cost="6.00")
    inventory.receive("OIL", "10")
    first = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-23 10:00")
    second = booking.book(shop.other_customer_id, shop.other_car_id, [shop.quick], "2026-11-23 10:00")
    return Workshop(first.id, second.id, shop.car_id)


def test_job_runs_from_check_in_through_labour_and_parts_to_a_paid_invoice(workshop, frozen_clock) -> None:
    job = jobs.check_in(workshop.appointment, mileage="61000", complaint="Squeaky brakes", mechanic="mara")
    assert job.status == "checked_in" and job.mechanic == "mara" and job.mileage == 61000
    assert [m.mileage for m in vehicles.mileage_history(workshop.car)][-1] == 61000
    job = jobs.clock_on(job.id, "mara")
    assert job.status == "in_progress"
    frozen_clock.advance(timedelta(minutes=90))
    jobs.add_labour(job.id, "1.5", "Brake inspection", rate="80.00", mechanic="mara")
    jobs.use_part(job.id, "oil", "4.5")
    jobs.return_part(job.id, "OIL", "0.5")
    jobs.add_note(job.id, "Pads at 3 mm, recommend replacement")
    job = jobs.clock_off("mara")
    assert job.clocked_hours == D("1.50")
    assert job.billed_hours == D("2.50")  # 1.5 h labour + the oil change's 60 minutes
    assert inventory.get_part("OIL").on_hand == D("6.00")
    with pytest.raises(Conflict, match="complete it"):
        jobs.create_invoice(job.id)
    job = jobs.set_status(job.id, "completed")
    assert job.status == "completed" and job.completed_at is not None
    draft = jobs.create_invoice(job.id)
    assert [(x.kind, x.description, x.quantity, x.amount) for x in draft.lines] == [
        ("service", "Oil change", D("1.00"), D("89.00")),
        ("labour", "Brake inspection", D("1.50"), D("120.00")),
        ("part", "Engine oil 5W-30 (OIL)", D("4.00"), D("59.60")),
    ]
    assert (draft.totals.net, draft.totals.tax, draft.totals.total) == (D("268.60"), D("51.03"), D("319.63"))
    with pytest.raises(Conflict, match="already has invoice"):
        jobs.create_invoice(job.id)
    issued = invoices.issue(draft.id)
    assert issued.mileage == 61000 and jobs.get_job(job.id).invoice == issued.number
    assert invoices.pay(issued.number, "319.63", method="card").status == "paid"
    with pytest.raises(Conflict, match="open job"):
        jobs.add_labour(job.id, "1")


def test_part_use_on_a_job_is_all_or_nothing(workshop) -> None:
    job = jobs.check_in(workshop.appointment, mechanic="mara")
    with pytest.raises(Conflict, match="not enough OIL"):
        jobs.use_part(job.id, "OIL", "11")
    assert jobs.get_job(job.id).parts == ()
    assert inventory.get_part("OIL").on_hand == D("10.00")
    jobs.use_part(job.id, "OIL", "2")
    with pytest.raises(ValidationError, match="cannot return 3"):
        jobs.return_part(job.id, "OIL", "3")
    with pytest.raises(ValidationError, match="quantity: must not be negative"):
        jobs.use_part(job.id, "OIL", "-1")
    assert inventory.verify() == []


def test_clocking_on_twice_is_refused(workshop) -> None:
    first = jobs.check_in(workshop.appointment, mechanic="mara")
    second = jobs.check_in(workshop.second, mechanic="tobias")
    jobs.clock_on(first.id, "mara")
    with pytest.raises(Conflict, match="already clocked on job"):
        jobs.clock_on(second.id, "mara")
    with pytest.raises(Conflict, match="not clocked on"):
        jobs.clock_off("tobias")
    with pytest.raises(Conflict, match="already checked in"):
        jobs.check_in(workshop.appointment)
    with pytest.raises(ValidationError, match="no staff member"):
        jobs.clock_on(second.id, "nobody")


def test_completing_a_job_stops_running_clocks(workshop, frozen_clock) -> None:
    job = jobs.check_in(workshop.appointment, mechanic="mara")
    jobs.clock_on(job.id, "mara")
    frozen_clock.advance(timedelta(minutes=45))
    job = jobs.set_status(job.id, "completed")
    assert job.clocked_hours == D("0.75") and all(t.ended_at is not None for t in job.time)


def test_cli_job_from_check_in_to_paid_invoice_with_pdf(cli, workshop, tmp_path) -> None:
    appt = str(workshop.appointment)
    checked = cli("job", "checkin", appt, "--mileage", "61000", "--complaint", "Noise", "--mechanic", "mara", "--json")
    assert checked.exit_code == 0, checked.stderr
    job = str(checked.json()["id"])
    assert cli("job", "clock-on", job, "--mechanic", "mara").exit_code == 0
    assert cli("job", "clock-on", job, "--mechanic", "mara").exit_code == 3
    assert cli("job", "labour", job, "--hours", "1.5", "-d", "Diagnosis").exit_code == 0
    assert cli("job", "part", job, "OIL", "4").exit_code == 0
    too_many = cli("job", "part", job, "OIL", "99")
    assert too_many.exit_code == 3 and "not enough OIL" in too_many.stderr
    assert cli("job", "note", job, "Replaced oil").exit_code == 0
    assert cli("job", "clock-off", "--mechanic", "mara").exit_code == 0
    assert cli("job", "status", job, "completed").exit_code == 0
    created = cli("invoice", "create", "--job", job, "--discount", "10", "--json")
    assert created.exit_code == 0, created.stderr
    assert created.json()["totals"]["total"] == "325.58"  # 283.60 - 10.00 = 273.60 net + 51.98 tax (51.984)
    issued = cli("invoice", "issue", str(created.json()["id"]), "--json").json()
    assert issued["number"] == "2026-000001" and issued["mileage"] == 61000
    assert cli("invoice", "pay", issued["number"], "300", "--method", "card").exit_code == 0
    assert cli("invoice", "pay", issued["number"], "25.58").exit_code == 0
    assert cli("invoice", "show", issued["number"], "--json").json()["status"] == "paid"
    pdf = tmp_path / "job.pdf"
    assert cli("invoice", "pdf", issued["number"], "--out", str(pdf)).exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF-")
    shown = cli("job", "show", job, "--json").json()
    assert shown["status"] == "completed" and shown["invoice"] == "2026-000001"
    assert [(t["kind"], t["to_status"]) for t in shown["timeline"]] == [
        ("booked", "scheduled"),
        ("assigned", "scheduled"),  # --mechanic at check-in assigns the appointment too
        ("status", "checked_in"),
        ("status", "in_progress"),
        ("status", "completed"),
    ]
    assert [p["sku"] for p in shown["parts"]] == ["OIL"]


def test_two_jobs_racing_for_the_last_units_never_oversell(db, workshop) -> None:
    """Eight processes use OIL on two jobs while only three units are left: exactly three succeed."""
    first = jobs.check_in(workshop.appointment, mechanic="mara")
    second = jobs.check_in(workshop.second, mechanic="tobias")
    inventory.adjust("OIL", "-7", "race set-up")

    def use(i: int):  # type: ignore[no-untyped-def]
        job_id = first.id if i % 2 else second.id
        return run_garage_process(db.url, "job", "part", str(job_id), "OIL", "1")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(use, range(8)))
    assert sorted(r.returncode for r in results) == [0, 0, 0, 3, 3, 3, 3, 3], [r.stderr for r in results]
    used = len(jobs.get_job(first.id).parts) + len(jobs.get_job(second.id).parts)
    assert used == 3 and inventory.get_part("OIL").on_hand == D("0.00")
    assert inventory.verify() == []


def test_accepted_quote_lines_become_the_booked_services(db) -> None:
    from shop import quotes

    shop = make_shop()
    quote = quotes.create_quote(shop.customer_id, shop.car_id)
    quotes.add_line(quote.id, "service", service=shop.oil)
    quotes.add_line(quote.id, "service", service=shop.brakes)
    quotes.add_line(quote.id, "labour", quantity="1")
    quotes.send(quote.id)
    with pytest.raises(Conflict, match="only an accepted quote"):
        quotes.book_accepted(quote.id, "2026-11-24 09:00")
    quotes.accept(quote.id, [2, 3])
    quotes.decline(quote.id)
    appointment = quotes.book_accepted(quote.id, "2026-11-24 09:00")
    assert [s.name for s in appointment.services] == ["Brake pads"]
    assert appointment.total_price == D("240.00")


def test_the_jobs_board_reads_every_open_job_with_its_details_in_the_same_number_of_queries(
    workshop, frozen_clock
) -> None:
    from dataclasses import replace

    from playhouse.test_utils import count_queries

    from shop.auth import Actor, Role

    def busy(appointment: int, mechanic: str) -> int:
        job = jobs.check_in(appointment, mileage=None, complaint="noise", mechanic=mechanic)
        jobs.clock_on(job.id, mechanic)
        jobs.add_labour(job.id, "0.5", "Look", rate="80.00", mechanic=mechanic)
        jobs.use_part(job.id, "OIL", "1")
        jobs.add_note(job.id, f"note on {appointment}")
        return job.id

    first = busy(workshop.appointment, "mara")
    with count_queries() as one:
        assert [j.id for j in jobs.board()] == [first]
    second = busy(workshop.second, "tobias")
    frozen_clock.advance(timedelta(minutes=30))
    with count_queries() as two:
        board = jobs.board()
    assert two.count == one.count
    assert board == [replace(jobs.get_job(i), timeline=()) for i in (first, second)]  # the same details
    assert board[1].time[0].hours == D("0.50") and board[1].parts[0].sku == "OIL" and board[1].mechanic == "tobias"
    tobias = Actor(Role.MECHANIC, "tobias")
    assert [j.id for j in jobs.board(actor=tobias)] == [second, first]  # a mechanic's own jobs first
    jobs.set_status(first, "completed")
    assert [j.id for j in jobs.board()] == [second]  # open jobs only


@pytest.mark.parametrize(
    ("parse", "field"),
    [("parse_money", "unit_price"), ("parse_quantity", "hours"), ("parse_rate", "tax_rate")],
)
def test_an_empty_amount_says_it_is_empty_instead_of_not_a_number(parse: str, field: str) -> None:
    from shop import amounts

    for blank in ("", "   ", " € "):
        with pytest.raises(ValidationError) as err:
            getattr(amounts, parse)(blank, field)
        assert err.value.fields == {field: "must not be empty"}


def test_a_check_in_mileage_below_the_last_reading_needs_the_correction_flag(cli, workshop) -> None:
    vehicles.record_mileage(workshop.car, 61000)
    with pytest.raises(ValidationError) as caught:
        jobs.check_in(workshop.appointment, mileage="16000")
    assert caught.value.overridable
    assert caught.value.fields == {
        "mileage": "16000 is lower than the last reading 61000; store it only as a correction"
    }
    assert booking.get_appointment(workshop.appointment).status == "scheduled"  # nothing half-done
    lower = cli("job", "checkin", str(workshop.appointment), "--mileage", "16000")
    assert lower.exit_code == 1 and "--force does it anyway" in lower.stderr
    forced = cli("job", "checkin", str(workshop.appointment), "--mileage", "16000", "--force", "--json")
    assert forced.exit_code == 0, forced.stderr
    assert vehicles.get_vehicle(workshop.car).mileage == 16000


def test_asking_for_the_job_of_a_cancelled_visit_says_it_was_cancelled(workshop) -> None:
    from shop.errors import NotFound

    with pytest.raises(NotFound, match=r"has not been checked in"):
        jobs.job_for_appointment(workshop.appointment)
    booking.cancel(workshop.appointment, "customer phoned")
    with pytest.raises(NotFound) as caught:
        jobs.job_for_appointment(workshop.appointment)
    assert str(caught.value) == f"appointment #{workshop.appointment} was cancelled; it has no job"
    with pytest.raises(NotFound, match="no appointment #9999"):
        jobs.job_for_appointment(9999)
