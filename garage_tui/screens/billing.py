"""Quotes & invoices: the lists (outstanding filter), new documents, issue, payment, credit note, PDF; quotes, send.

Enter on a row (or `n` for a new one) opens the editor in `garage_tui.screens.document`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from garage_tui.screens.document import (
    STATUS_WORDS,
    InvoiceScreen,
    QuoteScreen,
    credit_form,
    new_document_form,
    open_document,
    payment_form,
    write_pdf,
)
from garage_tui.widgets.pane import AreaPane, PaneTable, add_columns
from garage_tui.widgets.words import money
from shop import invoices, quotes
from shop.auth import can
from shop.invoices import InvoiceInfo, InvoiceSummary
from shop.quotes import QuoteInfo, QuoteSummary

WIDE = 100  # pane width from which the wide columns fit; below it (80x24) narrower ones keep Status in view
INVOICE_COLUMNS = (
    (("Number", 16), ("Customer", 28), ("Total", 10), ("Due", 10), ("Status", 10), ("Due date", 11)),
    (("Number", 14), ("Customer", 16), ("Total", 9), ("Due", 9), ("Status", 8), ("Due date", 10)),
)
QUOTE_COLUMNS = (
    (("Quote", 7), ("Customer", 28), ("Vehicle", 24), ("Status", 10), ("Total", 10), ("Valid until", 11)),
    (("Quote", 5), ("Customer", 16), ("Vehicle", 18), ("Status", 8), ("Total", 9), ("Valid until", 10)),
)


class InvoiceTable(PaneTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "forward('new_invoice')", "New invoice"),
        Binding("enter", "forward('open_invoice')", "Open"),
        Binding("i", "forward('issue')", "Issue"),
        Binding("p", "forward('pay')", "Payment"),
        Binding("c", "forward('credit')", "Credit note"),
        Binding("f", "forward('write_pdf')", "PDF to file"),
        Binding("o", "forward('toggle_outstanding')", "Outstanding only"),
    ]


class QuoteTable(PaneTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "forward('new_quote')", "New quote"),
        Binding("enter", "forward('open_quote')", "Open"),
        Binding("s", "forward('send_quote')", "Send"),
    ]


def _selected_key(table: DataTable) -> int | None:
    if table.row_count == 0 or table.cursor_row < 0:
        return None
    return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)


class BillingPane(AreaPane):
    COMMANDS: ClassVar[list[tuple[str, str, str]]] = [
        ("New invoice", "Start a draft invoice for a customer and add its lines", "new_invoice"),
        ("New quote", "Start a draft quote (estimate) for a customer", "new_quote"),
        ("Outstanding invoices", "Show only issued invoices with money still due", "toggle_outstanding"),
        ("Record a payment", "Take a payment against the highlighted invoice", "pay"),
        ("Credit note", "Correct the highlighted issued invoice with a credit note", "credit"),
    ]
    HELP_PARTS: ClassVar[list[type]] = [InvoiceTable, QuoteTable, InvoiceScreen, QuoteScreen]
    # Where `f` writes PDFs; tests point it at a temporary folder.
    pdf_folder: Path = Path.cwd()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.invoices: dict[int, InvoiceSummary] = {}
        self.quotes: dict[int, QuoteSummary] = {}
        self.outstanding_only = False
        self.narrow: bool | None = None  # the column layout in use (None: none yet)

    def compose(self) -> ComposeResult:
        with TabbedContent(id="billing-tabs"):
            with TabPane("Invoices", id="billing-invoices"):
                yield Static("", id="invoice-summary", classes="hint")
                yield InvoiceTable(id="invoice-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Quotes", id="billing-quotes"):
                yield Static("", id="quote-summary", classes="hint")
                yield QuoteTable(id="quote-table", cursor_type="row", zebra_stripes=True)

    def on_resize(self, event: events.Resize) -> None:
        self._layout(event.size.width < WIDE)

    def _layout(self, narrow: bool) -> None:
        """Columns for the pane's width (set again only when it crosses `WIDE`), then the rows again."""
        if narrow == self.narrow:
            return
        self.narrow = narrow
        for table_id, (wide, small) in (("#invoice-table", INVOICE_COLUMNS), ("#quote-table", QUOTE_COLUMNS)):
            table = self.query_one(table_id, DataTable)
            table.clear(columns=True)
            add_columns(table, *(small if narrow else wide))
        self.show_invoices(list(self.invoices.values()))
        self.show_quotes(list(self.quotes.values()))

    def activate(self) -> None:
        self.reload()
        super().activate()

    def focus_main(self) -> None:
        tabs = self.query_one("#billing-tabs", TabbedContent)
        self.query_one("#quote-table" if tabs.active == "billing-quotes" else "#invoice-table").focus()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.tabbed_content.id == "billing-tabs":
            event.stop()
            if self.has_focus_within:  # never pull focus (and the main tabs) here while another area is open
                self.focus_main()

    def reload(self) -> None:
        self.call_service(
            invoices.list_invoices,
            outstanding=self.outstanding_only,
            actor=self.actor,
            then=self.show_invoices,
            group="billing-invoices",
        )
        self.call_service(quotes.list_quotes, actor=self.actor, then=self.show_quotes, group="billing-quotes")

    def show_invoices(self, items: list[InvoiceSummary]) -> None:
        self.invoices = {i.id: i for i in items}
        if self.narrow is None:
            self._layout(self.size.width < WIDE)  # shows the rows itself
            return
        table = self.query_one("#invoice-table", DataTable)
        row = table.cursor_row
        table.clear()
        for i in items:
            table.add_row(
                i.number or f"draft #{i.id}",
                Text(i.customer_name),  # names are text, never markup
                str(i.total),
                str(i.due),
                STATUS_WORDS.get(i.status, i.status),
                i.due_date.isoformat() if i.due_date else "",
                key=str(i.id),
            )
        scope = "outstanding only (o shows all)" if self.outstanding_only else "all (o: outstanding only)"
        due = sum((i.due for i in items if i.status == "issued"), start=Decimal("0.00"))
        self.query_one("#invoice-summary", Static).update(f"{len(items)} invoices, {money(due)} due · {scope}")
        if items:
            table.move_cursor(row=min(max(row, 0), len(items) - 1))

    def show_quotes(self, items: list[QuoteSummary]) -> None:
        self.quotes = {q.id: q for q in items}
        if self.narrow is None:
            self._layout(self.size.width < WIDE)
            return
        table = self.query_one("#quote-table", DataTable)
        row = table.cursor_row
        table.clear()
        for q in items:
            table.add_row(
                f"#{q.id}",
                Text(q.customer_name),
                Text(q.vehicle or ""),
                STATUS_WORDS.get(q.status, q.status),
                str(q.total),
                q.valid_until.isoformat() if q.valid_until else "",
                key=str(q.id),
            )
        self.query_one("#quote-summary", Static).update(f"{len(items)} quotes")
        if items:
            table.move_cursor(row=min(max(row, 0), len(items) - 1))

    def _invoice(self) -> InvoiceSummary | None:
        key = _selected_key(self.query_one("#invoice-table", DataTable))
        return None if key is None else self.invoices.get(key)

    def _may_write(self, action: str) -> bool:
        if can(self.actor, action):
            return True
        self.app.notify("Your role may not change quotes or invoices.", severity="warning")
        return False

    def action_toggle_outstanding(self) -> None:
        self.outstanding_only = not self.outstanding_only
        self.reload()

    def action_issue(self) -> None:
        invoice = self._invoice()
        if invoice is None or not self._may_write("invoice.write"):
            return
        self.call_service(invoices.issue, invoice.id, actor=self.actor, then=self._issued, group="billing-change")

    def _issued(self, info: InvoiceInfo) -> None:
        self.app.notify(f"Invoice {info.number} issued: {info.totals.total}, due {info.due_date}.")
        self.reload()

    def action_pay(self) -> None:
        invoice = self._invoice()
        if invoice is None or not self._may_write("invoice.write"):
            return
        self.app.push_screen(payment_form(invoice, self.actor), self._paid)

    def _paid(self, info: InvoiceInfo | None) -> None:
        if info is not None:
            self.app.notify(f"Payment recorded on {info.number}: {info.due} still due, {info.status}.")
            self.reload()

    def action_credit(self) -> None:
        invoice = self._invoice()
        if invoice is None or not self._may_write("invoice.write"):
            return
        self.app.push_screen(credit_form(invoice, self.actor), self._credited)

    def _credited(self, note: InvoiceInfo | None) -> None:
        if note is not None:
            self.app.notify(f"Credit note {note.number} issued: {note.totals.total}.")
            self.reload()

    def action_write_pdf(self) -> None:
        invoice = self._invoice()
        if invoice is None:
            return
        self.call_service(write_pdf, invoice.id, self.pdf_folder, self.actor, then=self._written, group="billing-pdf")

    def _written(self, path: Path) -> None:
        self.app.notify(f"PDF written to {path}", title="Invoice PDF")

    def action_send_quote(self) -> None:
        key = _selected_key(self.query_one("#quote-table", DataTable))
        if key is None or not self._may_write("quote.write"):
            return
        self.call_service(quotes.send, key, actor=self.actor, then=self._sent, group="billing-change")

    def _sent(self, info: QuoteInfo) -> None:
        self.app.notify(f"Quote #{info.id} sent to {info.customer_name}, valid until {info.valid_until}.")
        self.reload()

    # ---- the editor -------------------------------------------------------------------------
    def _show_tab(self, tab: str) -> None:
        self.query_one("#billing-tabs", TabbedContent).active = f"billing-{tab}"

    def action_new_invoice(self) -> None:
        if self._may_write("invoice.write"):
            self._show_tab("invoices")
            self.app.push_screen(new_document_form("invoice", self.actor), self._created)

    def action_new_quote(self) -> None:
        if self._may_write("quote.write"):
            self._show_tab("quotes")
            self.app.push_screen(new_document_form("quote", self.actor), self._created)

    def _created(self, doc: InvoiceInfo | QuoteInfo | None) -> None:
        if doc is not None:
            self.reload()
            open_document(self.app, doc, self._editor_closed)

    def action_open_invoice(self) -> None:
        invoice = self._invoice()
        if invoice is not None:
            self.app.push_screen(InvoiceScreen(invoice.id), self._editor_closed)

    def action_open_quote(self) -> None:
        key = _selected_key(self.query_one("#quote-table", DataTable))
        if key is not None:
            self.app.push_screen(QuoteScreen(key), self._editor_closed)

    def _editor_closed(self, changed: bool | None) -> None:
        self.reload()
        self.focus_main()
