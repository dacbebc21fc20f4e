"""The billing demo: every completed appointment gets a job and an invoice dated when the work ended."""

from __future__ import annotations

from datetime import UTC, datetime

from faker import Faker

from shop import booking, demo, demo_billing, inventory, invoices, jobs, quotes, staff
from tests.scheduling_helpers import make_shop


def test_demo_jobs_invoices_and_quotes_are_consistent(db, frozen_clock) -> None:
    shop = make_shop(bays=2)
    staff.add_staff("mara", "Mara Schulz", "mechanic", "mara-password-1")
    frozen_clock.set(datetime(2026, 11, 16, 7, 0, tzinfo=UTC))
    first = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-16 10:00", mechanic_id="mara")
    second = booking.book(shop.other_customer_id, shop.other_car_id, [shop.brakes], "2026-11-17 13:00")
    later = booking.book(shop.customer_id, shop.car_id, [shop.quick], "2026-11-24 09:00")
    for appt in (first, second):
        for status in ("checked_in", "in_progress", "completed"):
            booking.set_status(appt.id, status)
    frozen_clock.set(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    fake = Faker(["de_DE"])
    fake.seed_instance(demo.SEED)
    demo_billing.demo_parts(fake)
    demo_billing.demo_jobs_and_invoices(fake)
    demo_billing.demo_quotes(fake)

    first_job = jobs.job_for_appointment(first.id)
    assert first_job.mechanic == "mara" and first_job.clocked_hours > 0
    assert [p.sku for p in first_job.parts] == ["OIL-5W30", "FLT-OIL"]
    numbers = [invoices.get_invoice(jobs.job_for_appointment(a.id).invoice).issue_date for a in (first, second)]
    assert [d.isoformat() for d in numbers] == ["2026-11-16", "2026-11-17"]
    assert jobs.job_for_appointment(first.id).invoice == "2026-000001"
    assert booking.get_appointment(later.id).status == "scheduled"
    assert inventory.verify() == []
    assert {"FLT-CABIN", "WIPER-600"} <= {row.sku for row in inventory.low_stock()}
    statuses = {q.status for q in quotes.list_quotes()}
    assert statuses == {"draft", "sent", "accepted", "declined"}
