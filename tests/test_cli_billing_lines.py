"""`garage quote|invoice add-line / remove-line`: one shared piece of CLI glue serves both documents."""

from __future__ import annotations

import pytest

from shop import customers, invoices, quotes


@pytest.fixture
def documents(db):  # type: ignore[no-untyped-def]
    """A draft quote and a draft invoice for the same customer, as CLI references."""
    customer = customers.add_customer("Ada Lovelace", email="ada@example.com")
    return {"quote": str(quotes.create_quote(customer.id).id), "invoice": str(invoices.create_invoice(customer.id).id)}


@pytest.mark.parametrize("noun", ["quote", "invoice"])
def test_add_line_prints_the_new_line_and_the_document_total(cli, documents, noun: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(noun, "add-line", documents[noun], "other", "-d", "Disposal", "--price", "10", "--tax", "0")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"line 1: Disposal 10.00; {noun} total 10.00"


@pytest.mark.parametrize("noun", ["quote", "invoice"])
def test_add_line_json_returns_the_whole_document(cli, documents, noun: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(noun, "add-line", documents[noun], "labour", "--qty", "1.5", "--price", "80", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert [(line["kind"], line["quantity"], line["unit_price"]) for line in doc["lines"]] == [
        ("labour", "1.50", "80.00")
    ]


@pytest.mark.parametrize("noun", ["quote", "invoice"])
def test_remove_line_reports_the_new_total_and_a_missing_line_exits_1(cli, documents, noun: str) -> None:  # type: ignore[no-untyped-def]
    ref = documents[noun]
    assert cli(noun, "add-line", ref, "other", "-d", "A", "--price", "5", "--tax", "0").exit_code == 0
    assert cli(noun, "add-line", ref, "other", "-d", "B", "--price", "7", "--tax", "0").exit_code == 0
    removed = cli(noun, "remove-line", ref, "1")
    assert removed.exit_code == 0, removed.stderr
    assert f"removed line 1; {noun} total 7.00" in removed.stderr + removed.stdout
    missing = cli(noun, "remove-line", ref, "9")
    assert missing.exit_code == 1
    assert "has no line 9" in missing.stderr


@pytest.mark.parametrize("noun", ["quote", "invoice"])
def test_line_commands_name_their_document_argument_after_the_document(cli, documents, noun: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(noun, "add-line")
    assert result.exit_code == 2
    assert f"Missing argument '{noun}'" in result.stderr + result.stdout


def test_quote_line_commands_want_a_numeric_quote_id(cli, documents) -> None:  # type: ignore[no-untyped-def]
    result = cli("quote", "remove-line", "Q-1", "1")
    assert result.exit_code == 2
    assert "Invalid value for 'quote'" in result.stderr + result.stdout


def test_invoice_line_commands_accept_an_invoice_number_and_refuse_an_issued_invoice(cli, documents) -> None:  # type: ignore[no-untyped-def]
    ref = documents["invoice"]
    assert cli("invoice", "add-line", ref, "other", "-d", "Work", "--price", "10").exit_code == 0
    number = invoices.issue(int(ref)).number
    refused = cli("invoice", "add-line", number, "other", "-d", "More", "--price", "1")
    assert refused.exit_code == 3
    assert cli("invoice", "remove-line", number, "1").exit_code == 3
