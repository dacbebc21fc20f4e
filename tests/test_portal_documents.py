"""Quotes, invoices and reviews on the portal (WebTest), and the staff-side review functions."""

from __future__ import annotations

import re

import pytest

from shop import booking, invoices, jobs, quotes, reviews, settings, vehicles
from shop.auth import Actor, Role
from shop.errors import Conflict, Forbidden
from shop.notifications import get_body, outbox
from tests import portal_support
from tests.portal_support import PASSWORD, Browser, errors, make_customer, text

pytest_plugins = ["tests.portal_support"]
anna = portal_support.anna_with_golf

DESK = Actor(role=Role.FRONT_DESK, name="desk", staff_id=1)


def completed(anna: dict[str, int], at: str = "2026-11-24 08:00") -> tuple[int, int]:
    """A completed appointment with an issued invoice: (appointment id, invoice id)."""
    appointment = booking.book(anna["customer"], anna["car"], [anna["oil"]], at)
    job = jobs.check_in(appointment.id, mileage=42000)
    jobs.set_status(job.id, "in_progress")
    jobs.set_status(job.id, "completed")
    draft = jobs.create_invoice(job.id)
    issued = invoices.issue(draft.id)
    return appointment.id, issued.id


def sent_quote(anna: dict[str, int]) -> int:
    draft = quotes.create_quote(anna["customer"], anna["car"])
    quotes.add_line(draft.id, "service", service=anna["oil"])
    quotes.add_line(draft.id, "service", service=anna["brakes"])
    return quotes.send(draft.id).id


def other_customer(mailbox) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    bob = make_customer(mailbox, "bob@example.com", name="Bob Stone", phone="030 5555555")
    return bob, vehicles.add_vehicle(bob, "Opel", "Astra").id


def test_request_a_quote_for_services_and_a_problem(browser: Browser, anna) -> None:
    page = browser.get("/quotes/new")
    form = page.forms["quote-request-form"]
    form["car"] = str(anna["car"])
    boxes = [form.get("service", index=i) for i in range(2)]
    next(b for b in boxes if b._value == str(anna["brakes"])).checked = True
    form["problem"] = "Squeaking noise when braking"
    done = form.submit()
    assert "done=quote_requested" in done.location
    mine = quotes.list_quotes(customer_id=anna["customer"])
    assert len(mine) == 1 and mine[0].status == "draft"
    info = quotes.get_quote(mine[0].id)
    assert [line.description for line in info.lines] == ["Brake pads"] and "Squeaking" in info.notes
    listing = browser.get(done.location)
    assert "No quotes yet" in text(listing)  # the draft's lines and prices are the shop's until sent
    assert listing.html.find(id="quote-requests").find("li").get_text(" ", strip=True) == (
        "Your request of 23 Nov 2026 for B AB 123 (Volkswagen Golf): the shop is preparing your quote. "
        "It appears below as soon as it is ready to answer."
    )
    assert "Brake pads" not in text(listing) and "Squeaking" not in text(listing)


def test_a_priced_request_leaves_the_waiting_list_and_a_desk_draft_never_shows(browser: Browser, anna) -> None:
    page = browser.get("/quotes/new")
    browser.submit_form(page, "quote-request-form", car=str(anna["car"]), problem="Rattling from the back")
    request_id = quotes.list_quotes(customer_id=anna["customer"])[0].id
    desk_draft = quotes.create_quote(anna["customer"], anna["car"], notes="Winter check, ask Anna first")
    quotes.add_line(desk_draft.id, "service", service=anna["oil"])
    waiting = browser.get("/quotes").html.find(id="quote-requests")
    assert len(waiting.find_all("li")) == 1  # the request only
    quotes.add_line(request_id, "service", service=anna["brakes"])
    quotes.send(request_id)
    listing = browser.get("/quotes")
    assert listing.html.find(id="quote-requests") is None
    assert f"Quote {request_id}" in text(listing) and f"Quote {desk_draft.id}" not in text(listing)


def test_an_empty_quote_request_names_the_fields_and_stores_nothing(browser: Browser, anna) -> None:
    csrf = browser.csrf("/quotes/new")
    page = browser.post("/quotes/new", {"csrf_token": csrf, "problem": "x"})
    assert set(errors(page)) == {"car", "problem"}
    assert quotes.list_quotes(customer_id=anna["customer"]) == []


def test_accept_and_decline_quote_lines_separately(browser: Browser, anna) -> None:
    quote_id = sent_quote(anna)
    page = browser.get(f"/quotes/{quote_id}")
    assert "Oil change" in text(page) and "Brake pads" in text(page)
    form = page.forms["quote-form"]
    form["line-1"] = "accepted"
    done = form.submit()
    assert "done=quote_answered" in done.location
    assert quotes.get_quote(quote_id).status == "sent"
    page = done.follow()
    form = page.forms["quote-form"]
    form["line-2"] = "declined"
    form.submit()
    info = quotes.get_quote(quote_id)
    assert info.status == "accepted" and [line.decision for line in info.lines] == ["accepted", "declined"]


def test_answering_nothing_is_refused_with_a_message(browser: Browser, anna) -> None:
    quote_id = sent_quote(anna)
    page = browser.get(f"/quotes/{quote_id}").forms["quote-form"].submit()
    assert "at least one line" in text(page)
    assert quotes.get_quote(quote_id).status == "sent"


def test_invoices_list_detail_and_pdf_download(browser: Browser, anna) -> None:
    appointment_id, invoice_id = completed(anna)
    listing = browser.get("/invoices")
    number = invoices.get_invoice(invoice_id).number
    assert number in text(listing)
    detail = browser.get(f"/invoices/{invoice_id}")
    assert "Oil change" in text(detail)
    pdf = browser.get(f"/invoices/{invoice_id}.pdf")
    assert pdf.content_type == "application/pdf" and pdf.body.startswith(b"%PDF")
    assert f"invoice-{number}.pdf" in pdf.headers["Content-Disposition"]
    appointment = browser.get(f"/appointments/{appointment_id}")
    assert appointment.html.find("a", href=f"/invoices/{invoice_id}.pdf") is not None


def test_the_invoice_mail_links_to_that_invoice_on_the_portal(browser: Browser, anna) -> None:
    settings.set_value("portal.base_url", "https://portal.example/")
    _appointment_id, invoice_id = completed(anna)
    [message] = outbox.list_messages(kind="invoice_issued")
    link = re.search(r"https://portal\.example(/\S+)", get_body(message.id).body_text).group(1)
    assert link == f"/invoices/{invoice_id}"
    page = browser.get(link)
    assert invoices.get_invoice(invoice_id).number in text(page) and "Oil change" in text(page)
    browser.post("/logout", {"csrf_token": browser.csrf("/account")})
    login = browser.get(link).follow()  # logged out: the link goes through the log-in page and back
    assert browser.submit_form(login, "login-form", email="anna@example.com", password=PASSWORD).location.endswith(link)


def test_draft_invoices_are_not_shown(browser: Browser, anna) -> None:
    appointment = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-24 08:00")
    job = jobs.check_in(appointment.id)
    jobs.set_status(job.id, "in_progress")
    jobs.set_status(job.id, "completed")
    draft = jobs.create_invoice(job.id)
    browser.get(f"/invoices/{draft.id}", status=404)
    assert "No invoices yet" in text(browser.get("/invoices"))


@pytest.mark.parametrize("kind", ["quote", "quote-post", "invoice", "pdf", "review", "review-post"])
def test_another_customers_documents_are_404(browser: Browser, anna, mailbox, kind: str) -> None:
    bob, bobs_car = other_customer(mailbox)
    theirs = {"customer": bob, "car": bobs_car, "oil": anna["oil"], "brakes": anna["brakes"]}
    quote_id = sent_quote(theirs)
    appointment_id, invoice_id = completed(theirs)
    csrf = browser.csrf("/account")
    if kind == "quote":
        browser.get(f"/quotes/{quote_id}", status=404)
    elif kind == "quote-post":
        browser.post(f"/quotes/{quote_id}", {"csrf_token": csrf, "line-1": "declined"}, status=404)
        assert quotes.get_quote(quote_id).lines[0].decision == "pending"
    elif kind == "invoice":
        browser.get(f"/invoices/{invoice_id}", status=404)
    elif kind == "pdf":
        browser.get(f"/invoices/{invoice_id}.pdf", status=404)
    elif kind == "review":
        browser.get(f"/appointments/{appointment_id}/review", status=404)
    else:
        browser.post(f"/appointments/{appointment_id}/review", {"csrf_token": csrf, "rating": "1"}, status=404)
        assert reviews.review_for_appointment(appointment_id) is None


@pytest.mark.parametrize("path", ["/quotes/new", "/quotes/1", "/appointments/1/review"])
def test_document_posts_need_the_csrf_token(browser: Browser, anna, path: str) -> None:
    browser.post(path, {"rating": "5", "problem": "something long enough"}, status=403)


def test_a_good_review_is_published_with_the_average(browser: Browser, anna) -> None:
    appointment_id, _ = completed(anna)
    page = browser.get(f"/appointments/{appointment_id}")
    form_page = browser.get(page.html.find("a", string="Review this visit")["href"])
    refused = browser.submit_form(form_page, "review-form", comment="Great")
    assert "rating" in errors(refused) and reviews.review_for_appointment(appointment_id) is None
    done = browser.submit_form(refused, "review-form", rating="5", comment="Quick and friendly <b>service</b>")
    assert "done=reviewed" in done.location
    public = browser.get("/reviews")
    assert "5.0 of 5 from 1 review" in text(public) and "Anna B." in text(public)
    assert "<b>service</b>" not in public.text


def test_a_low_rating_goes_to_the_shop_first(browser: Browser, anna) -> None:
    appointment_id, _ = completed(anna)
    browser.submit_form(browser.get(f"/appointments/{appointment_id}/review"), "review-form", rating="2",
                        comment="Waited an hour")  # fmt: skip
    review = reviews.review_for_appointment(appointment_id)
    assert review.status == "private" and review.needs_answer
    assert "No reviews yet" in text(browser.get("/reviews"))
    assert [r.id for r in reviews.list_reviews(unanswered=True, actor=DESK)] == [review.id]
    with pytest.raises(Conflict):
        reviews.publish(review.id, actor=DESK)
    reviews.reply(review.id, "Sorry for the wait, the next oil change is on us.", actor=DESK)
    reviews.publish(review.id, actor=DESK)
    assert "Sorry for the wait" in text(browser.get("/reviews"))
    assert "Sorry for the wait" in text(browser.get(f"/appointments/{appointment_id}"))


def test_one_review_per_appointment_and_only_after_completion(browser: Browser, anna) -> None:
    appointment_id, _ = completed(anna)
    reviews.submit_review(
        appointment_id, 5, "", publish=True, actor=Actor(Role.CUSTOMER, "a", customer_id=anna["customer"])
    )
    with pytest.raises(Conflict):
        reviews.submit_review(appointment_id, 4, "", actor=Actor(Role.CUSTOMER, "a", customer_id=anna["customer"]))
    upcoming = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-26 08:00")
    assert browser.get(f"/appointments/{upcoming.id}/review").status_int == 303
    csrf = browser.csrf("/account")
    page = browser.post(f"/appointments/{upcoming.id}/review", {"csrf_token": csrf, "rating": "5"})
    assert "once the work is completed" in errors(page)["rating"]


def test_staff_can_hide_a_published_review_and_mechanics_cannot(browser: Browser, anna) -> None:
    appointment_id, _ = completed(anna)
    customer = Actor(Role.CUSTOMER, "a", customer_id=anna["customer"])
    review = reviews.submit_review(appointment_id, 5, "Top", publish=True, actor=customer)
    with pytest.raises(Forbidden):
        reviews.hide(review.id, actor=Actor(Role.MECHANIC, "mara", staff_id=3))
    reviews.hide(review.id, "duplicate", actor=DESK)
    assert reviews.summary().count == 0
    assert "No reviews yet" in text(browser.get("/reviews"))


def test_a_customer_without_a_car_adds_one_from_the_quote_request_and_comes_back_to_it(
    browser: Browser, mailbox, anna
) -> None:
    make_customer(mailbox, "nina@example.com", name="Nina Neu")
    browser = Browser(browser.app)  # Anna is logged in on the fixture's browser
    browser.log_in("nina@example.com")
    link = browser.get("/quotes/new").html.select_one("p.warning a")["href"]
    assert link == "/cars/new?back=%2Fquotes%2Fnew"
    saved = browser.submit_form(browser.get(link), "car_form-form", make="Opel", model="Corsa")
    assert "/quotes/new?car=" in saved.location and saved.location.endswith("&done=car_added")
    page = saved.follow()
    assert page.html.select_one("input[name=car]").has_attr("checked")


def test_invoice_and_quote_say_which_amounts_are_without_vat(browser: Browser, anna) -> None:
    _visit, invoice_id = completed(anna)
    quote_id = sent_quote(anna)
    for path in (f"/invoices/{invoice_id}", f"/quotes/{quote_id}"):
        page = browser.get(path)
        heads = [th.get_text(" ", strip=True) for th in page.html.select("thead th")]
        assert "Amount excl. VAT" in heads, (path, heads)
        rows = [th.get_text(" ", strip=True) for th in page.html.select("tfoot th")]
        assert rows[:3] == ["Net (excl. VAT)", "VAT", "Total incl. VAT"], (path, rows)
