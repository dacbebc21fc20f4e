"""When a completed visit reads "Ready for collection" to its customer, and when plain "Completed" (WebTest)."""

from __future__ import annotations

from datetime import timedelta

from playhouse.test_utils import count_queries

from shop import accounts, booking, invoices, jobs
from shop.auth import Actor, Role
from tests import portal_support
from tests.portal_support import Browser, text

pytest_plugins = ["tests.portal_support"]
anna = portal_support.anna_with_golf


def finished(anna: dict[str, int], at: str = "2026-11-24 08:00", pay: bool = False) -> int:
    """A visit whose work is completed now, with an issued invoice (paid in full when PAY); its id."""
    appointment = booking.book(anna["customer"], anna["car"], [anna["oil"]], at)
    job = jobs.check_in(appointment.id, mileage=42000)
    jobs.set_status(job.id, "in_progress")
    jobs.set_status(job.id, "completed")
    issued = invoices.issue(jobs.create_invoice(job.id).id)
    if pay:
        invoices.pay(issued.id, issued.due)
    return appointment.id


def listed_status(browser: Browser, appointment_id: int) -> str:
    browser.reset()  # a fresh session: the clock may have run past the last one
    browser.log_in("anna@example.com")
    page = browser.get("/appointments")
    row = page.html.find("a", href=f"/appointments/{appointment_id}").find_parent("tr")
    return row.find("td", attrs={"data-label": "Status"}).get_text(strip=True)


def test_a_just_completed_unpaid_visit_reads_ready_for_collection(browser: Browser, anna, frozen_clock) -> None:
    visit = finished(anna)
    assert listed_status(browser, visit) == "Ready for collection"
    page = browser.get(f"/appointments/{visit}")
    assert "Status: Ready for collection" in text(page)
    assert page.html.select_one('.progress [aria-current="step"]').get_text() == "Ready for collection"
    history = [li.find("strong").get_text() for li in page.html.select(".timeline li")]
    assert history[-1] == "Completed"  # the history says what happened, not what is true now


def test_a_paid_visit_reads_completed_at_once(browser: Browser, anna, frozen_clock) -> None:
    visit = finished(anna, pay=True)
    assert listed_status(browser, visit) == "Completed"
    page = browser.get(f"/appointments/{visit}")
    assert "Status: Completed" in text(page) and "Ready" not in text(page)
    assert page.html.select_one('.progress [aria-current="step"]').get_text() == "Completed"


def test_an_unpaid_visit_completed_weeks_ago_reads_completed(browser: Browser, anna, frozen_clock) -> None:
    visit = finished(anna)
    frozen_clock.advance(accounts.READY_FOR - timedelta(minutes=1))
    assert listed_status(browser, visit) == "Ready for collection"
    frozen_clock.advance(timedelta(minutes=1))
    assert listed_status(browser, visit) == "Completed"
    frozen_clock.advance(timedelta(days=21))
    assert listed_status(browser, visit) == "Completed"
    assert "Status: Completed" in text(browser.get(f"/appointments/{visit}"))


def test_a_visit_completed_without_a_job_counts_from_its_end(browser: Browser, anna, frozen_clock) -> None:
    a = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-24 08:00")
    for status in ("checked_in", "in_progress", "completed"):
        booking.set_status(a.id, status)
    frozen_clock.set(a.end + accounts.READY_FOR - timedelta(minutes=1))
    assert listed_status(browser, a.id) == "Ready for collection"
    frozen_clock.set(a.end + accounts.READY_FOR)
    assert listed_status(browser, a.id) == "Completed"


def test_status_words_take_one_query_however_many_visits_are_completed(anna, frozen_clock) -> None:
    me = Actor(role=Role.CUSTOMER, name="anna", customer_id=anna["customer"])
    finished(anna, "2026-11-24 08:00")

    def queries() -> int:
        shown = booking.list_appointments(actor=me)
        with count_queries() as counter:
            accounts.status_words(me, shown)
        return counter.count

    one = queries()
    finished(anna, "2026-11-24 10:00", pay=True)
    finished(anna, "2026-11-25 08:00")
    assert queries() == one
    shown = booking.list_appointments(actor=me)
    assert sorted(accounts.status_words(me, shown).values()) == [
        "Completed",
        "Ready for collection",
        "Ready for collection",
    ]
