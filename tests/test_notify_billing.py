"""Quotes, invoices and portal accounts produce their e-mails: links, totals, the invoice PDF rebuilt at send."""

from __future__ import annotations

import pytest

from shop import accounts, catalog, customers, invoices, quotes, settings, vehicles
from shop.notifications import get_body, outbox
from shop.notifications.sender import send_due
from tests.smtp import SmtpServer


@pytest.fixture
def smtp(db):  # type: ignore[no-untyped-def]
    server = SmtpServer().start()
    settings.set_many({**server.settings(), "shop.name": "Kessler", "portal.base_url": "https://portal.example"})
    yield server
    server.stop()


@pytest.fixture
def customer(db):  # type: ignore[no-untyped-def]
    person = customers.add_customer("Jürgen Groß", email="jg@example.com", address="Hauptstr. 1, 10115 Berlin")
    car = vehicles.add_vehicle(person.id, "VW", "Golf", plate="B-JG 123", mileage=52000)
    catalog.add_category("Maintenance")
    catalog.add_service("Oil change", "Maintenance", 30, "49.90")
    return person, car


def test_sent_quote_mails_a_summary_total_and_link(smtp, customer) -> None:
    person, car = customer
    quote = quotes.create_quote(person.id, car.id)
    quotes.add_line(quote.id, "service", service="Oil change")
    quotes.send(quote.id)
    assert send_due().sent == 1
    [got] = smtp.received
    text = got.message.get_body(("plain",)).get_content()
    assert got.message["Subject"] == f"Your quote Q-{quote.id} from Kessler"
    assert "Oil change × 1: 49.90 EUR" in text
    assert f"Total: {quotes.get_quote(quote.id).totals.total:,.2f} EUR" in text
    assert f"https://portal.example/quotes/{quote.id}" in text


def test_issued_invoice_mail_attaches_the_pdf_rebuilt_when_sent(smtp, customer) -> None:
    person, car = customer
    doc = invoices.create_invoice(person.id, car.id)
    invoices.add_line(doc.id, "service", service="Oil change")
    issued = invoices.issue(doc.id)
    [message] = outbox.list_messages(kind="invoice_issued")
    [stored] = get_body(message.id).attachments
    assert stored.generate == "invoice_pdf" and stored.data is None  # nothing bulky stored in the outbox
    assert send_due().sent == 1
    msg = smtp.received[0].message
    assert msg["Subject"] == f"Invoice {issued.number} from Kessler"
    link = f"https://portal.example/invoices/{issued.id}"
    assert f"See this invoice online: {link}\r\n" in msg.get_body(("plain",)).get_content()
    assert f'<a href="{link}">See invoice {issued.number} online</a>' in msg.get_body(("html",)).get_content()
    files = {p.get_filename(): p for p in msg.walk() if p.get_filename()}
    pdf = files[f"invoice-{issued.number}.pdf"]
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content().startswith(b"%PDF-")


def test_portal_sign_up_and_reset_mail_verification_and_reset_links(smtp) -> None:
    accounts.sign_up("Mia Roth", "mia@example.com", "+49 30 5550199", "a-long-password-1")
    accounts.request_password_reset("mia@example.com")
    assert send_due().sent == 2
    texts = {r.message["Subject"]: r.message.get_body(("plain",)).get_content() for r in smtp.received}
    assert "https://portal.example/verify?token=" in texts["Welcome to Kessler"]
    assert "https://portal.example/reset?token=" in texts["Reset your Kessler password"]
    assert all(r.rcpt_tos == ["mia@example.com"] for r in smtp.received)


def test_an_email_change_mails_the_link_to_the_new_address_and_a_notice_to_the_old(smtp) -> None:
    accounts.sign_up("Mia Roth", "mia@example.com", "+49 30 5550199", "a-long-password-1")
    [token_mail] = outbox.list_messages(kind="account_created")
    token = get_body(token_mail.id).body_text.split("verify?token=")[1].split()[0]
    verified = accounts.verify_email(token)
    accounts.request_email_change(verified.actor(), "mia.roth@example.org", "a-long-password-1")
    assert send_due().sent == 3
    by_subject = {r.message["Subject"]: r for r in smtp.received}
    link = by_subject["Confirm your new e-mail address for Kessler"]
    notice = by_subject["Your Kessler account: change of e-mail address requested"]
    assert link.rcpt_tos == ["mia.roth@example.org"] and notice.rcpt_tos == ["mia@example.com"]
    assert "https://portal.example/account/email/confirm?token=" in link.message.get_body(("plain",)).get_content()
    notice_text = notice.message.get_body(("plain",)).get_content()
    assert "m•••@example.org" in notice_text and "token" not in notice_text
    assert "https://portal.example/account/password" in notice_text
