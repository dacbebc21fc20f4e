"""`garage quote ...` and `garage invoice ...`"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, get_type_hints

import typer

from garage_cli import output
from garage_cli.root import make_app, use_db
from shop import invoices, jobs, quotes

quote_app = make_app("Quotes (estimates): create, add lines, send, accept/decline per line.")
invoice_app = make_app("Invoices: draft, issue (numbered), pay, credit notes, PDF.")

LINE_COLUMNS = ["position", "kind", "description", "quantity", "unit_price", "tax_rate", "amount"]
QUOTE_LINE_COLUMNS = [*LINE_COLUMNS, "decision"]
QUOTE_COLUMNS = ["id", "customer_name", "vehicle", "status", "valid_until", "total"]
INVOICE_COLUMNS = ["id", "number", "kind", "status", "customer_name", "issue_date", "due_date", "total", "paid", "due"]

KIND_HELP = "service, labour, part, other or discount"


def _print_document(doc, header: list[str], line_columns: list[str]) -> None:  # type: ignore[no-untyped-def]
    output.print_record(doc, header)
    typer.echo("")
    if doc.lines:
        output.print_table(list(doc.lines), line_columns)
    else:
        typer.echo("(no lines)")
    typer.echo("")
    typer.echo(f"net {doc.totals.net}  tax {doc.totals.tax}  total {doc.totals.total}")


def _show_quote(doc, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    if as_json:
        output.print_json(doc)
    else:
        header = ["id", "customer_name", "vehicle", "status", "valid_until", "notes"]
        _print_document(doc, header, QUOTE_LINE_COLUMNS)
        if doc.status in ("accepted", "sent") and doc.accepted.total:
            typer.echo(f"accepted so far: total {doc.accepted.total}")


def _show_invoice(doc, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    if as_json:
        output.print_json(doc)
        return
    header = ["id", "number", "kind", "status", "customer_name", "vehicle", "mileage", "issue_date", "due_date"]
    header += [f for f in ("credit_of", "reason", "notes") if getattr(doc, f)]
    _print_document(doc, header, LINE_COLUMNS)
    if doc.kind == "invoice" and doc.number:
        typer.echo(f"paid {doc.paid}  credited {doc.credited}  due {doc.due}")


SERVICE_OPT = typer.Option(None, "--service", help="Catalogue service (id or name) for a service line.")
PART_OPT = typer.Option(None, "--part", help="SKU for a part line.")
DESC_OPT = typer.Option(None, "--description", "-d")
QTY_OPT = typer.Option("1", "--qty", help="Quantity (hours for labour).")
PRICE_OPT = typer.Option(None, "--price", help="Net unit price (default: catalogue / part / labour rate).")
TAX_OPT = typer.Option(None, "--tax", help="Tax rate in percent (default: tax.rate).")


def _named_argument(func: Callable[..., None], name: str, annotation: type) -> Callable[..., None]:
    """FUNC with its first parameter renamed NAME and typed ANNOTATION, as Typer sees it.

    Typer takes an argument's name (shown in help and errors: `{quote}`, "Missing argument 'quote'")
    and its type from the signature, so one shared command body needs this to keep the per-document
    interface exactly as it was when each document had its own copy.
    """
    signature = inspect.signature(func)
    first, *rest = signature.parameters.values()
    hints = get_type_hints(func)
    hints.pop(first.name)

    @functools.wraps(func)
    def command(**kwargs: Any) -> None:
        func(kwargs.pop(name), **kwargs)

    renamed = first.replace(name=name, annotation=annotation)
    command.__signature__ = signature.replace(parameters=[renamed, *rest])  # type: ignore[attr-defined]
    command.__annotations__ = {name: annotation, **hints}
    return command


def add_line_commands(
    app: typer.Typer,
    noun: str,
    ref_type: type,
    add: Callable[..., Any],
    remove: Callable[..., Any],
    add_help: str,
    edit: Callable[..., Any],
) -> None:
    """Register `add-line`, `edit-line` and `remove-line` on APP for a document (quote or invoice) called NOUN.

    Quotes and invoices share line kinds and options (`shop.lines`), so their CLI glue is one piece:
    ADD / EDIT / REMOVE are the document's services, REF_TYPE how the document is named on the command
    line (a quote by id, an invoice by id or number).
    """

    def add_line(
        ref: Any,
        kind: str = typer.Argument(..., help=KIND_HELP),
        service: str | None = SERVICE_OPT,
        part: str | None = PART_OPT,
        description: str | None = DESC_OPT,
        quantity: str = QTY_OPT,
        price: str | None = PRICE_OPT,
        tax: str | None = TAX_OPT,
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        use_db()
        doc = add(
            ref,
            kind,
            service=service,
            part=part,
            description=description,
            quantity=quantity,
            unit_price=price,
            tax_rate=tax,
        )
        if as_json:
            output.print_json(doc)
        else:
            line = doc.lines[-1]
            typer.echo(f"line {line.position}: {line.description} {line.amount}; {noun} total {doc.totals.total}")

    def remove_line(ref: Any, line: int, as_json: bool = typer.Option(False, "--json")) -> None:
        use_db()
        doc = remove(ref, line)
        output.done(f"removed line {line}; {noun} total {doc.totals.total}", doc, as_json)

    def edit_line(
        ref: Any,
        line: int,
        description: str | None = DESC_OPT,
        quantity: str | None = typer.Option(None, "--qty", help="Quantity (hours for labour)."),
        price: str | None = typer.Option(None, "--price", help="Net unit price."),
        tax: str | None = typer.Option(None, "--tax", help="Tax rate in percent."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        use_db()
        doc = edit(ref, line, description=description, quantity=quantity, unit_price=price, tax_rate=tax)
        changed = next(x for x in doc.lines if x.position == line)
        message = f"line {line}: {changed.description} {changed.amount}; {noun} total {doc.totals.total}"
        output.done(message, doc, as_json)

    app.command("add-line", help=add_help)(_named_argument(add_line, noun, ref_type))
    app.command(
        "edit-line", help=f"Change a line of a draft {noun}: text, quantity, price or tax (options left out stay)."
    )(_named_argument(edit_line, noun, ref_type))
    app.command("remove-line", help=f"Remove a line from a draft {noun}.")(_named_argument(remove_line, noun, ref_type))


@quote_app.command("create")
def quote_create(
    customer: int = typer.Option(..., "--customer", help="Customer id."),
    vehicle: int | None = typer.Option(None, "--vehicle", help="Vehicle id."),
    notes: str = typer.Option("", "--notes"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Start a draft quote."""
    use_db()
    doc = quotes.create_quote(customer, vehicle, notes)
    output.done(f"quote {doc.id}", doc, as_json)


add_line_commands(
    quote_app,
    "quote",
    int,
    quotes.add_line,
    quotes.remove_line,
    "Add a line to a draft quote.",
    quotes.update_line,
)


@quote_app.command("send")
def quote_send(quote: int, as_json: bool = typer.Option(False, "--json")) -> None:
    """Send the quote to the customer (valid for quote.validity_days)."""
    use_db()
    doc = quotes.send(quote)
    output.done(f"quote {doc.id} sent, valid until {doc.valid_until}", doc, as_json)


@quote_app.command("accept")
def quote_accept(
    quote: int,
    line: list[int] = typer.Option(None, "--line", help="Line number(s); default: every pending line."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record the customer's acceptance of lines."""
    use_db()
    doc = quotes.accept(quote, line or None)
    output.done(f"quote {doc.id} is {doc.status}; accepted total {doc.accepted.total}", doc, as_json)


@quote_app.command("decline")
def quote_decline(
    quote: int,
    line: list[int] = typer.Option(None, "--line", help="Line number(s); default: every pending line."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record that the customer declined lines (they stay on the quote for follow-up)."""
    use_db()
    doc = quotes.decline(quote, line or None)
    output.done(f"quote {doc.id} is {doc.status}; accepted total {doc.accepted.total}", doc, as_json)


@quote_app.command("show")
def quote_show(quote: int, as_json: bool = typer.Option(False, "--json")) -> None:
    """A quote with its lines and decisions."""
    use_db()
    _show_quote(quotes.get_quote(quote), as_json)


@quote_app.command("list")
def quote_list(
    status: str | None = typer.Option(None, "--status", help="draft, sent, accepted, declined, expired"),
    customer: int | None = typer.Option(None, "--customer"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Quotes, newest first."""
    use_db()
    output.emit(quotes.list_quotes(status, customer), as_json, QUOTE_COLUMNS)


@quote_app.command("book")
def quote_book(
    quote: int,
    start: str = typer.Option(..., "--start", help="Local start, e.g. 2026-11-24 09:00"),
    mechanic: str | None = typer.Option(None, "--mechanic"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Book the accepted services of a quote for its car."""
    use_db()
    appointment = quotes.book_accepted(quote, start, mechanic)
    output.done(f"appointment {appointment.id} booked from quote {quote}", appointment, as_json)


@quote_app.command("expire")
def quote_expire(as_json: bool = typer.Option(False, "--json")) -> None:
    """Record sent quotes past their validity as expired (for cron)."""
    use_db()
    count = quotes.expire_due()
    output.done(f"{count} quote(s) expired", {"expired": count}, as_json)


@invoice_app.command("create")
def invoice_create(
    customer: int | None = typer.Option(None, "--customer", help="Customer id (ad hoc invoice)."),
    vehicle: int | None = typer.Option(None, "--vehicle"),
    quote: int | None = typer.Option(None, "--quote", help="Invoice an accepted quote's accepted lines."),
    job: int | None = typer.Option(None, "--job", help="Invoice a completed job."),
    discount: str | None = typer.Option(None, "--discount", help="With --job: net amount off."),
    notes: str = typer.Option("", "--notes"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create a draft invoice (ad hoc for a customer, from an accepted quote or a completed job)."""
    use_db()
    if job is not None:
        doc = jobs.create_invoice(job, discount)
    elif quote is not None:
        doc = invoices.create_from_quote(quote)
    elif customer is not None:
        doc = invoices.create_invoice(customer, vehicle, notes)
    else:
        raise typer.BadParameter("give --customer ID, --quote ID or --job ID")
    output.done(f"draft invoice {doc.id}; total {doc.totals.total}", doc, as_json)


add_line_commands(
    invoice_app,
    "invoice",
    str,
    invoices.add_line,
    invoices.remove_line,
    "Add a line to a draft invoice (an issued one is never edited: credit it).",
    invoices.update_line,
)


@invoice_app.command("issue")
def invoice_issue(invoice: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Issue a draft: it gets the next number of the year and can no longer change."""
    use_db()
    doc = invoices.issue(invoice)
    output.done(f"issued {doc.number}: total {doc.totals.total}, due {doc.due_date}", doc, as_json)


@invoice_app.command("pay")
def invoice_pay(
    invoice: str,
    amount: str,
    method: str = typer.Option("cash", "--method", help="cash, card, transfer or other"),
    paid_on: str | None = typer.Option(None, "--date", help="YYYY-MM-DD (default today)."),
    reference: str = typer.Option("", "--ref"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record a payment (partial payments add up; more than is due is refused)."""
    use_db()
    when = None
    if paid_on:
        try:
            when = date.fromisoformat(paid_on)
        except ValueError:
            raise typer.BadParameter(f"{paid_on!r} is not YYYY-MM-DD", param_hint="--date") from None
    doc = invoices.pay(invoice, amount, method, when, reference)
    output.done(f"{doc.number}: paid {doc.paid}, due {doc.due}, {doc.status}", doc, as_json)


@invoice_app.command("credit")
def invoice_credit(
    invoice: str,
    reason: str = typer.Option(..., "--reason"),
    line: list[int] = typer.Option(None, "--line", help="Line number(s) to credit; default: all."),
    parts_kept: bool = typer.Option(
        False, "--parts-kept", help="The customer keeps the credited parts (or they are scrapped): no stock comes back."
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Correct an issued invoice with a credit note."""
    use_db()
    doc = invoices.credit(invoice, reason, line or None, restock=not parts_kept)
    output.done(f"issued credit note {doc.number}: {doc.totals.total}", doc, as_json)


@invoice_app.command("pdf")
def invoice_pdf(invoice: str, out: Path = typer.Option(..., "--out", help="PDF file to write.")) -> None:
    """Write the invoice (or credit note) as a PDF."""
    use_db()
    data = invoices.pdf(invoice)
    out.write_bytes(data)
    output.info(f"wrote {out} ({len(data):,} bytes)")


@invoice_app.command("show")
def invoice_show(invoice: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """An invoice by id or number, with lines, payments and credit notes."""
    use_db()
    _show_invoice(invoices.get_invoice(invoice), as_json)


@invoice_app.command("list")
def invoice_list(
    status: str | None = typer.Option(None, "--status", help="draft, issued, paid, credited"),
    customer: int | None = typer.Option(None, "--customer"),
    outstanding: bool = typer.Option(False, "--outstanding", help="Issued invoices not yet paid."),
    date_from: str | None = typer.Option(None, "--from", help="Issued on or after YYYY-MM-DD."),
    date_to: str | None = typer.Option(None, "--to", help="Issued on or before YYYY-MM-DD."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Invoices and credit notes, newest first."""
    use_db()
    try:
        start = date.fromisoformat(date_from) if date_from else None
        end = date.fromisoformat(date_to) if date_to else None
    except ValueError as exc:
        raise typer.BadParameter(f"dates are YYYY-MM-DD ({exc})") from None
    rows = invoices.list_invoices(status, customer, outstanding, start, end)
    output.emit(rows, as_json, INVOICE_COLUMNS)
