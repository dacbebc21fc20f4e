"""The quote and invoice editor: lines (labour, parts, services, fees, discounts) and the document's next steps.

One modal screen per document, opened from Billing (Enter on a row, `n` for a new one) or from an
appointment (`q` quote, `v` invoice the job). Every change is one `shop` call in a worker; the
screen shows what the service returns, so totals, numbers and statuses are always the shop's own.
Who may change what is `shop.auth`'s decision: the screen only asks first so a mechanic gets a
plain sentence instead of a refused call.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from garage_tui.screens.booking import QuoteBookingScreen
from garage_tui.screens.jobs import find_sku
from garage_tui.widgets.form import Field, FormScreen
from garage_tui.widgets.pane import add_columns
from garage_tui.widgets.service import ServiceCalls
from shop import catalog, customers, invoices, jobs, quotes, vehicles
from shop.amounts import fmt_quantity
from shop.auth import Actor, can
from shop.booking import Appointment
from shop.catalog import ServiceItem
from shop.customers import Customer
from shop.errors import ValidationError
from shop.invoices import InvoiceInfo
from shop.lines import Line
from shop.quotes import QuoteInfo

STATUS_WORDS = {
    "draft": "Draft",
    "sent": "Sent",
    "accepted": "Accepted",
    "declined": "Declined",
    "expired": "Expired",
    "issued": "Issued",
    "paid": "Paid",
    "credited": "Credited",
}
KIND_WORDS = {"service": "Service", "labour": "Labour", "part": "Part", "other": "Fee", "discount": "Discount"}
DECISION_WORDS = {"pending": "open", "accepted": "accepted", "declined": "declined"}
READ_ONLY = "Your role may not change quotes, invoices or prices."
NO_BOOKING = "Your role may not book appointments."


# ---- look-ups the forms need (through `shop`, never a query here) ------------------------------------------------
def find_customer(text: str, actor: Actor) -> Customer:
    """The one customer the receptionist means: an exact name, or the only match of a name/phone/plate search."""
    wanted = (text or "").strip()
    if not wanted:
        raise ValidationError({"customer": "type the customer's name, phone or number plate"})
    found = customers.list_customers(search=wanted, limit=10, actor=actor)
    exact = [c for c in found if c.name.casefold() == wanted.casefold()]
    if len(exact) == 1:
        return exact[0]
    if not found:
        raise ValidationError({"customer": f"no customer matches {wanted!r}"})
    if len(found) > 1:
        names = ", ".join(c.name for c in found[:5])
        raise ValidationError({"customer": f"several customers match ({names}); type more of the name"})
    return found[0]


def _plate(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def find_car(customer_id: int, text: str, search: str, actor: Actor) -> int | None:
    """The customer's car by plate or make/model; empty means their only car (or none when they have several)."""
    cars = vehicles.list_vehicles(customer_id=customer_id, actor=actor)
    wanted = (text or "").strip()
    if not wanted:
        by_search = [v for v in cars if v.plate and _plate(v.plate) == _plate(search)]
        if by_search:
            return by_search[0].id  # the customer was found by this car's plate
        return cars[0].id if len(cars) == 1 else None
    matches = [v for v in cars if v.plate and _plate(v.plate) == _plate(wanted)]
    if not matches:
        matches = [v for v in cars if wanted.casefold() in f"{v.make} {v.model} {v.plate or ''}".casefold()]
    if len(matches) == 1:
        return matches[0].id
    listed = ", ".join(v.plate or f"{v.make} {v.model}" for v in cars) or "none on file"
    if not matches:
        raise ValidationError({"car": f"this customer has no car {wanted!r} (their cars: {listed})"})
    raise ValidationError({"car": f"several of the customer's cars match ({listed}); type the plate"})


def _part(text: str, actor: Actor) -> str:
    try:
        return find_sku(text, actor)
    except ValidationError as exc:
        raise ValidationError({"part": next(iter(exc.fields.values()))}) from None


def parse_positions(text: str, field: str = "lines") -> list[int] | None:
    """'1, 3' -> [1, 3]; empty -> None (every line)."""
    parts = [p for p in (text or "").replace(";", ",").replace(" ", ",").split(",") if p]
    if not parts:
        return None
    if not all(p.isdigit() for p in parts):
        raise ValidationError({field: "give line numbers like 1, 3 (or leave empty for all lines)"})
    return [int(p) for p in parts]


def write_pdf(invoice_id: int, folder: Path, actor: Actor) -> Path:
    """Save the invoice (or credit note) PDF as invoice-<number>.pdf in FOLDER."""
    data = invoices.pdf(invoice_id, actor=actor)
    info = invoices.get_invoice(invoice_id, actor=actor)
    name = info.number or f"draft-{info.id}"
    path = folder / f"invoice-{name.replace('/', '-')}.pdf"
    path.write_bytes(data)
    return path


def invoice_for_appointment(appointment_id: int, actor: Actor) -> tuple[InvoiceInfo, bool]:
    """The job's invoice: a new draft from its services, labour and parts, or the one it already has (True)."""
    job = jobs.job_for_appointment(appointment_id, actor=actor)
    if job.invoice is not None:
        return invoices.get_invoice(job.invoice.removeprefix("draft #"), actor=actor), True
    return jobs.create_invoice(job.id, actor=actor), False


# ---- forms shared with the Billing lists ----------------------------------------------------------------------------
def new_document_form(kind: str, actor: Actor) -> FormScreen:
    """Start a draft invoice or quote for a customer (found by name, phone or plate) and one of their cars."""

    def submit(v: dict[str, Any]) -> InvoiceInfo | QuoteInfo:
        customer = find_customer(v["customer"], actor)
        car = find_car(customer.id, v["car"], v["customer"], actor)
        if kind == "quote":
            return quotes.create_quote(customer.id, car, v["notes"], actor=actor)
        return invoices.create_invoice(customer.id, car, v["notes"], actor=actor)

    fields = [
        Field("customer", "Customer (name, phone or number plate)"),
        Field("car", "Car (plate; empty: their only car, or none)"),
        Field("notes", "Notes (printed on the document)"),
    ]
    word = "quote" if kind == "quote" else "invoice"
    return FormScreen(f"New {word}", fields, submit, f"Create {word}")


def payment_form(invoice: InvoiceInfo | Any, actor: Actor) -> FormScreen:
    """Take a payment against an issued invoice (an `InvoiceInfo` or a list row with id, number, due, customer)."""

    def submit(v: dict[str, Any]) -> InvoiceInfo:
        return invoices.pay(invoice.id, v["amount"], v["method"] or "cash", reference=v["reference"], actor=actor)

    fields = [
        Field("amount", f"Amount (due: {invoice.due})", value=str(invoice.due)),
        Field("method", "Method", "cash", "select", [(m.capitalize(), m) for m in invoices.METHODS]),
        Field("reference", "Reference"),
    ]
    title = f"Payment for {invoice.number or f'draft #{invoice.id}'} ({invoice.customer_name})"
    return FormScreen(title, fields, submit, "Record payment")


def credit_form(invoice: InvoiceInfo | Any, actor: Actor) -> FormScreen:
    """Correct an issued invoice with a credit note for some or all of its lines."""

    def submit(v: dict[str, Any]) -> InvoiceInfo:
        positions = parse_positions(v["lines"])
        return invoices.credit(invoice.id, v["reason"], positions, actor=actor, restock=not v["parts_kept"])

    fields = [
        Field("reason", "Reason (printed on the credit note)"),
        Field("lines", "Lines to credit (e.g. 1, 3; empty: all lines)"),
        Field("parts_kept", "The customer keeps the credited parts (nothing goes back on the shelf)", kind="check"),
    ]
    note = "A credit note is issued at once with its own number and lowers what the customer owes."
    return FormScreen(f"Credit note for {invoice.number}", fields, submit, "Issue credit note", note=note)


# The footer says each key in a word so every shown key fits at 80 columns; the tooltip is the full
# sentence, which the help screen (F1) lists. `e` is left out of the footer: Enter on a line edits it too.
LINE_BINDINGS: list[BindingType] = [
    Binding("l", "add_labour", "Labour", tooltip="Add labour"),
    Binding("t", "add_part", "Part", tooltip="Add a part from stock"),
    Binding("a", "add_line", "Line", tooltip="Add any line (service, fee, discount…)"),
    Binding("e", "edit_line", "Edit", show=False, tooltip="Edit the highlighted line (also Enter)"),
    Binding("x,delete", "remove_line", "Remove", tooltip="Remove the highlighted line"),
]
CLOSE = Binding("escape", "close", "Close", show=False)  # in the help; the footer keeps its room for the rest


# ---- the editor ------------------------------------------------------------------------------------------------------
class DocumentScreen(ServiceCalls, ModalScreen[bool]):
    """What quotes and invoices share: the lines table and the line forms. Dismisses True when anything changed."""

    KIND = ""  # "invoice" or "quote": the permission prefix and the service module
    # Each editor lists its keys in full (its own first where they matter most), so the footer shows them in
    # that order and the help screen lists every key under the editor's name.
    BINDINGS: ClassVar[list[BindingType]] = []

    def __init__(self, document_id: int) -> None:
        super().__init__(classes="document-screen")
        self.document_id = document_id
        self.doc: InvoiceInfo | QuoteInfo | None = None
        self.changed = False

    @property
    def actor(self) -> Actor:
        return self.app.actor  # type: ignore[attr-defined,no-any-return]

    @property
    def service(self) -> Any:
        return quotes if self.KIND == "quote" else invoices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="document-box") as box:
            box.border_title = f"{self.KIND.capitalize()} #{self.document_id}"
            yield Static("Loading…", id="doc-head")
            yield DataTable(id="doc-lines", cursor_type="row", zebra_stripes=True)
            yield Static("", id="doc-totals")
        yield Footer(compact=True, show_command_palette=False)

    def line_columns(self) -> list[tuple[str, int]]:
        return [("#", 2), ("Kind", 8), ("Description", 0), ("Qty", 5), ("Price", 8), ("Tax %", 5), ("Amount", 9)]

    def on_mount(self) -> None:
        columns = self.line_columns()
        fixed = sum(w + 2 for _, w in columns if w) + 2 + 6  # cell padding, table scrollbar, dialog border+padding
        room = min(self.app.size.width, 118) - fixed
        add_columns(
            self.query_one("#doc-lines", DataTable), *((name, w or max(12, min(60, room))) for name, w in columns)
        )
        self.query_one("#doc-lines").focus()
        self.load()

    def load(self) -> None:
        get = quotes.get_quote if self.KIND == "quote" else invoices.get_invoice
        self.call_service(get, self.document_id, actor=self.actor, then=self.show, group="document")

    # ---- display ---------------------------------------------------------------------------
    def title_text(self, doc: Any) -> str:
        return f"{self.KIND.capitalize()} #{doc.id}"

    def head_lines(self, doc: Any) -> list[str]:
        status = STATUS_WORDS.get(doc.status, doc.status)
        lines = [f"[b]{escape(doc.customer_name)}[/b] · {escape(doc.vehicle or 'no car')} · [b]{status}[/b]"]
        if doc.notes:
            lines.append(f"Notes: {escape(doc.notes)}")
        return lines

    def totals_text(self, doc: Any) -> str:
        t = doc.totals
        return f"Net {t.net} · Tax {t.tax} · [b]Total {t.total}[/b]"

    def line_row(self, line: Line) -> list[str | Text]:
        return [
            str(line.position),
            KIND_WORDS.get(line.kind, line.kind),
            Text(line.description),  # typed text, never markup
            fmt_quantity(line.quantity),
            str(line.unit_price),
            fmt_quantity(line.tax_rate),
            str(line.amount),
        ]

    def show(self, doc: Any, select: int | None = None) -> None:
        """Show DOC; SELECT is a line position to put the cursor on (else it stays where it was)."""
        self.doc = doc
        self.query_one("#document-box").border_title = self.title_text(doc)
        head = self.head_lines(doc)
        if not can(self.actor, f"{self.KIND}.write"):
            head.append(f"[i]{READ_ONLY}[/i]")
        self.query_one("#doc-head", Static).update("\n".join(head))
        table = self.query_one("#doc-lines", DataTable)
        row = table.cursor_row
        table.clear()
        for line in doc.lines:
            table.add_row(*self.line_row(line), key=str(line.position))
        positions = [line.position for line in doc.lines]
        if select in positions:
            table.move_cursor(row=positions.index(select))
        elif doc.lines:
            table.move_cursor(row=min(max(row, 0), len(doc.lines) - 1))
        totals = self.totals_text(doc)
        if not doc.lines:
            totals = "No lines yet: l adds labour, t a part from stock, a any other line.\n" + totals
        self.query_one("#doc-totals", Static).update(totals)

    def updated(self, doc: Any, message: str = "", select: int | None = None) -> None:
        """A service changed the document: show the result it returned."""
        if doc is None:
            return
        self.changed = True
        if message:
            self.app.notify(message)
        self.show(doc, select)

    def after(self, message: Callable[[Any], str], last: bool = False) -> Callable[[Any], None]:
        """Callback for a form: show the returned document, say what was done (LAST: select the new line)."""

        def done(doc: Any) -> None:
            if doc is not None:
                self.updated(doc, message(doc), doc.lines[-1].position if last and doc.lines else None)

        return done

    # ---- helpers ---------------------------------------------------------------------------
    def may_write(self) -> bool:
        if can(self.actor, f"{self.KIND}.write"):
            return True
        self.app.notify(READ_ONLY, severity="warning")
        return False

    def selected_line(self) -> Line | None:
        table = self.query_one("#doc-lines", DataTable)
        if self.doc is None or table.row_count == 0 or table.cursor_row < 0:
            return None
        position = int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        return next((line for line in self.doc.lines if line.position == position), None)

    def _add(self, kind: str, v: dict[str, Any], **extra: Any) -> Any:
        return self.service.add_line(
            self.document_id,
            kind,
            description=v.get("description"),
            quantity=v.get("quantity") or "1",
            unit_price=v.get("unit_price"),
            tax_rate=v.get("tax_rate"),
            actor=self.actor,
            **extra,
        )

    @staticmethod
    def _added(doc: Any) -> str:
        line = doc.lines[-1]
        return f"Line {line.position} added: {line.description} {line.amount}; total {doc.totals.total}."

    # ---- line actions ----------------------------------------------------------------------
    def action_add_labour(self) -> None:
        if self.doc is None or not self.may_write():
            return

        def submit(v: dict[str, Any]) -> Any:
            return self._add("labour", v)

        fields = [
            Field("description", "Work done", "Labour"),
            Field("quantity", "Hours (e.g. 1.5)", "1"),
            Field("unit_price", "Rate per hour (empty: the shop's labour rate)"),
            Field("tax_rate", "Tax % (empty: the shop's rate)"),
        ]
        self.app.push_screen(FormScreen("Add labour", fields, submit, "Add"), self.after(self._added, last=True))

    def action_add_part(self) -> None:
        if self.doc is None or not self.may_write():
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> Any:
            return self._add("part", v, part=_part(v["part"], actor))

        fields = [
            Field("part", "Part from stock (SKU or part of its name)", placeholder="OIL-5W30"),
            Field("quantity", "Quantity", "1"),
            Field("unit_price", "Price each (empty: the part's sale price)"),
            Field("description", "Text on the line (empty: the part's name)"),
            Field("tax_rate", "Tax % (empty: the shop's rate)"),
        ]
        self.app.push_screen(FormScreen("Add a part", fields, submit, "Add"), self.after(self._added, last=True))

    def action_add_line(self) -> None:
        if self.doc is None or not self.may_write():
            return
        self.call_service(catalog.list_services, actor=self.actor, then=self._line_form, group="catalogue")

    def _line_form(self, services: list[ServiceItem]) -> None:
        kinds = [("Fee / other charge", "other"), ("Discount (amount off)", "discount")]
        if services:
            kinds.insert(0, ("Service from the catalogue", "service"))
        kinds += [("Labour", "labour"), ("Part", "part")]

        def submit(v: dict[str, Any]) -> Any:
            kind = v["kind"] or "other"
            extra: dict[str, Any] = {}
            if kind == "service":
                extra["service"] = v["service"] or None
            if kind == "part":
                extra["part"] = _part(v["part"], self.actor)
            return self._add(kind, v, **extra)

        fields = [
            Field("kind", "Kind of line", kinds[0][1], "select", kinds),
            Field(
                "service",
                "Service (for a service line)",
                str(services[0].id) if services else "",
                "select",
                [(f"{s.name} · {s.price}", str(s.id)) for s in services],
            ),
            Field("part", "Part (for a part line: SKU or name)"),
            Field("description", "Description (empty: the service's or part's name)"),
            Field("quantity", "Quantity (hours for labour)", "1"),
            Field("unit_price", "Price each, net (empty: catalogue, part or labour rate)"),
            Field("tax_rate", "Tax % (empty: the shop's rate)"),
        ]
        self.app.push_screen(FormScreen("Add a line", fields, submit, "Add"), self.after(self._added, last=True))

    def action_edit_line(self) -> None:
        line = self.selected_line()
        if line is None or not self.may_write():
            return
        service, document_id, actor = self.service, self.document_id, self.actor

        def submit(v: dict[str, Any]) -> Any:
            return service.update_line(document_id, line.position, actor=actor, **v)

        fields = [
            Field("description", "Description", line.description),
            Field("quantity", "Quantity" + (" (hours)" if line.kind == "labour" else ""), fmt_quantity(line.quantity)),
            Field("unit_price", "Price each, net", str(line.unit_price)),
            Field("tax_rate", "Tax %", fmt_quantity(line.tax_rate)),
        ]
        form = FormScreen(f"Edit line {line.position} ({KIND_WORDS.get(line.kind, line.kind)})", fields, submit)
        self.app.push_screen(form, self.after(lambda doc: f"Line {line.position} changed; total {doc.totals.total}."))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_line()

    def action_remove_line(self) -> None:
        line = self.selected_line()
        if line is None or not self.may_write():
            return
        self.call_service(
            self.service.remove_line,
            self.document_id,
            line.position,
            actor=self.actor,
            then=lambda doc: self.updated(doc, f"Line {line.position} ({line.description}) removed."),
            group="document-change",
        )

    def action_close(self) -> None:
        self.dismiss(self.changed)


class InvoiceScreen(DocumentScreen):
    """A draft invoice is built line by line and issued; an issued one takes payments and credit notes."""

    KIND = "invoice"
    HELP_TITLE = "Invoice editor"
    BINDINGS: ClassVar[list[BindingType]] = [
        *LINE_BINDINGS,
        Binding("i", "issue", "Issue", tooltip="Issue (gives number and due date)"),
        Binding("p", "pay", "Payment", tooltip="Record a payment"),
        Binding("c", "credit", "Credit note", tooltip="Credit note for some or all lines"),
        Binding("f", "write_pdf", "PDF", tooltip="Write the PDF to a file"),
        CLOSE,
    ]
    # Where `f` writes PDFs; tests point it at a temporary folder.
    pdf_folder: Path = Path.cwd()

    def title_text(self, doc: InvoiceInfo) -> str:
        word = "Credit note" if doc.kind == "credit_note" else "Invoice"
        return f"{word} {doc.number}" if doc.number else f"{word} draft #{doc.id}"

    def head_lines(self, doc: InvoiceInfo) -> list[str]:
        lines = super().head_lines(doc)
        if doc.issue_date:
            dates = f"Issued {doc.issue_date}" + (f" · due {doc.due_date}" if doc.kind == "invoice" else "")
            lines.insert(1, dates + (f" · credits {doc.credit_of}" if doc.credit_of else ""))
        if doc.reason:
            lines.append(f"Reason: {escape(doc.reason)}")
        return lines

    def totals_text(self, doc: InvoiceInfo) -> str:
        text = super().totals_text(doc)
        if doc.kind == "invoice" and doc.status != "draft":
            text += f"\nPaid {doc.paid} · Credited {doc.credited} · [b]Due {doc.due}[/b]"
        if doc.credit_notes:
            text += "\nCredit notes: " + ", ".join(doc.credit_notes)
        return text

    def action_issue(self) -> None:
        if self.doc is None or not self.may_write():
            return
        self.call_service(
            invoices.issue,
            self.document_id,
            actor=self.actor,
            then=lambda doc: self.updated(doc, f"Invoice {doc.number} issued: {doc.totals.total}, due {doc.due_date}."),
            group="document-change",
        )

    def action_pay(self) -> None:
        if self.doc is None or not self.may_write():
            return
        message = "Payment recorded on {0.number}: {0.due} still due, {0.status}.".format
        self.app.push_screen(payment_form(self.doc, self.actor), self.after(message))

    def action_credit(self) -> None:
        if self.doc is None or not self.may_write():
            return
        self.app.push_screen(credit_form(self.doc, self.actor), self._credited)

    def _credited(self, note: InvoiceInfo | None) -> None:
        if note is not None:
            self.changed = True
            self.app.notify(f"Credit note {note.number} issued: {note.totals.total}.")
            self.load()

    def action_write_pdf(self) -> None:
        if self.doc is None:
            return
        self.call_service(
            write_pdf,
            self.document_id,
            self.pdf_folder,
            self.actor,
            then=lambda path: self.app.notify(f"PDF written to {path}", title="Invoice PDF"),
            group="document-pdf",
        )


class QuoteScreen(DocumentScreen):
    """A draft quote is built and sent; the customer's answer is recorded per line; accepted lines become an invoice."""

    KIND = "quote"
    HELP_TITLE = "Quote editor"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "send", "Send", tooltip="Send the quote to the customer"),
        Binding("y", "accept_line", "Accept", tooltip="Customer accepts the highlighted line"),
        Binding("d", "decline_line", "Decline", tooltip="Customer declines the highlighted line"),
        Binding("v", "make_invoice", "Invoice", tooltip="Draft invoice from the accepted lines"),
        Binding("b", "book", "Book", tooltip="Book accepted services at a free time"),
        *LINE_BINDINGS,
        CLOSE,
    ]

    def line_columns(self) -> list[tuple[str, int]]:
        return [*super().line_columns(), ("Answer", 8)]

    def line_row(self, line: Line) -> list[str | Text]:
        return [*super().line_row(line), DECISION_WORDS.get(line.decision or "", line.decision or "")]

    def head_lines(self, doc: QuoteInfo) -> list[str]:
        lines = super().head_lines(doc)
        if doc.valid_until:
            lines.insert(1, f"Valid until {doc.valid_until}")
        if doc.appointment_id is not None:
            lines.insert(1, f"Booked as appointment #{doc.appointment_id}")
        if doc.unbookable == "car_gone":  # the head names the car: say at once that it is no longer theirs to book
            lines.insert(1, f"[i]Cannot be booked: {escape(doc.unbookable_why)}[/i]")
        return lines

    def totals_text(self, doc: QuoteInfo) -> str:
        text = super().totals_text(doc)
        if doc.status != "draft":
            text += f" · Accepted {doc.accepted.total}"
        return text

    def action_send(self) -> None:
        if self.doc is None or not self.may_write():
            return
        self.call_service(
            quotes.send,
            self.document_id,
            actor=self.actor,
            then=lambda doc: self.updated(doc, f"Quote #{doc.id} sent, valid until {doc.valid_until}."),
            group="document-change",
        )

    def _decide(self, decide: Callable[..., QuoteInfo], word: str) -> None:
        line = self.selected_line()
        if line is None or not self.may_write():
            return
        self.call_service(
            decide,
            self.document_id,
            [line.position],
            actor=self.actor,
            then=lambda doc: self.updated(doc, f"Line {line.position} {word}; the quote is {doc.status}."),
            group="document-change",
        )

    def action_accept_line(self) -> None:
        self._decide(quotes.accept, "accepted")

    def action_decline_line(self) -> None:
        self._decide(quotes.decline, "declined")

    def action_make_invoice(self) -> None:
        if self.doc is None:
            return
        if not can(self.actor, "invoice.write"):
            self.app.notify(READ_ONLY, severity="warning")
            return
        self.call_service(
            invoices.create_from_quote, self.document_id, actor=self.actor, then=self._invoiced, group="document-change"
        )

    def action_book(self) -> None:
        """Book the accepted services: the shop decides; the screen only asks first so the answer is a sentence.

        The quote is read again first: another desk (or the customer on the portal) may have booked it, or
        cancelled its visit, since this editor showed it; the window still hears the service's own refusal
        if that changes while it is open.
        """
        if self.doc is None:
            return
        if not can(self.actor, "booking.write"):
            self.app.notify(NO_BOOKING, severity="warning")
            return
        self.call_service(quotes.get_quote, self.document_id, actor=self.actor, then=self._book_fresh, group="document")

    def _book_fresh(self, doc: QuoteInfo) -> None:
        self.show(doc)
        if doc.status != "accepted":
            word = STATUS_WORDS.get(doc.status, doc.status).lower()
            self.app.notify(f"This quote is {word}: only an accepted quote can be booked.", severity="warning")
        elif not doc.bookable:  # already booked, no car, car gone, nothing to book: in the shop's words
            self.app.notify(f"Not booked: {doc.unbookable_why}.", severity="warning")
        else:
            self.app.push_screen(QuoteBookingScreen(doc), self._booked)

    def _booked(self, appointment: Appointment | None) -> None:
        if appointment is not None:
            self.changed = True
            self.load()  # the head now says which appointment it is booked as

    def _invoiced(self, invoice: InvoiceInfo) -> None:
        self.changed = True
        self.app.notify(f"Draft invoice #{invoice.id} made from quote #{self.document_id}: {invoice.totals.total}.")
        self.app.push_screen(InvoiceScreen(invoice.id), self._invoice_closed)

    def _invoice_closed(self, _changed: bool | None) -> None:
        """Closing the invoice made from this quote closes the quote too: the desk is done with both."""
        self.dismiss(True)


def open_document(app: Any, doc: InvoiceInfo | QuoteInfo, done: Callable[[bool | None], None] | None = None) -> None:
    """Open the editor for a document a service just returned."""
    screen = QuoteScreen(doc.id) if isinstance(doc, QuoteInfo) else InvoiceScreen(doc.id)
    app.push_screen(screen, done)


def open_for_appointment(screen: Any, appointment_id: int, kind: str) -> None:
    """From an appointment: a quote prefilled with its services, or the job's invoice; then the editor."""
    actor = screen.app.actor
    if not can(actor, f"{kind}.write"):
        screen.app.notify(READ_ONLY, severity="warning")
        return

    def opened(result: QuoteInfo | tuple[InvoiceInfo, bool]) -> None:
        if isinstance(result, tuple):
            doc, existed = result
            word = f"draft #{doc.id}" if doc.number is None else doc.number
            if existed:
                screen.app.notify(f"This job already has invoice {word}; opening it.")
        else:
            doc = result
        open_document(screen.app, doc)

    if kind == "quote":
        screen.call_service(quotes.create_for_appointment, appointment_id, actor=actor, then=opened, group="document")
    else:
        screen.call_service(invoice_for_appointment, appointment_id, actor, then=opened, group="document")
