"""Reports (admins only): revenue with a bar chart, repairs by service, technicians, no-shows, outstanding invoices.

Every figure comes from `shop.reports`; the whole set is computed in one thread worker, so the screen
stays responsive on a big database. The period is a from/to date pair (empty: this month so far) and
the revenue grouping (day, ISO week, month).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Label, Select, Static, TabbedContent, TabPane
from textual_plotext import PlotextPlot

from garage_tui.widgets.pane import AreaPane, add_columns
from garage_tui.widgets.words import money
from shop import reports
from shop.auth import Actor
from shop.errors import ShopError, ValidationError

BY_OPTIONS = [("by day", "day"), ("by week", "week"), ("by month", "month")]


@dataclass(frozen=True)
class ReportSet:
    span: reports.Range
    by: str
    revenue: list[reports.RevenueRow]
    repairs: list[reports.RepairRow]
    technicians: list[reports.TechnicianRow]
    no_shows: reports.NoShowRow
    outstanding: list[reports.OutstandingRow]


def load_reports(first: str, last: str, by: str, actor: Actor) -> ReportSet:
    """All reports of one period (runs in a worker thread)."""
    span = reports.parse_range(first, last)
    return ReportSet(
        span,
        by,
        reports.revenue(span.first, span.last, by=by, actor=actor),
        reports.repairs(span.first, span.last, actor=actor),
        reports.technicians(span.first, span.last, actor=actor),
        reports.no_shows(span.first, span.last, actor=actor),
        reports.outstanding(actor=actor),  # every open invoice, whatever its issue date
    )


def pct(value: Decimal | None) -> str:
    return "-" if value is None else f"{value} %"


class ReportsPane(AreaPane):
    DEFAULT_CSS = """
    ReportsPane #report-period { height: auto; }
    ReportsPane .report-field { width: 24; height: auto; margin-right: 1; }
    ReportsPane #report-show { margin-top: 1; }
    ReportsPane #revenue-chart { height: 14; }
    ReportsPane #report-tabs { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "refresh_reports", "Recompute"),
        Binding("ctrl+b", "cycle_by", "By day/week/month"),
    ]
    COMMANDS: ClassVar[list[tuple[str, str, str]]] = [
        ("Show reports", "Revenue, repairs, technicians, no-shows, outstanding invoices", "refresh_reports"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.current: ReportSet | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="report-period"):
            with Vertical(classes="report-field"):
                yield Label("From (YYYY-MM-DD)")
                yield Input(placeholder="1st of this month", id="report-from")
                yield Static("", classes="field-error", id="err-report-from")
            with Vertical(classes="report-field"):
                yield Label("To (YYYY-MM-DD)")
                yield Input(placeholder="today", id="report-to")
                yield Static("", classes="field-error", id="err-report-to")
            with Vertical(classes="report-field"):
                yield Label("Revenue")
                yield Select(BY_OPTIONS, value="day", allow_blank=False, id="report-by")
            yield Button("Show", variant="primary", id="report-show")
        yield Static("", id="report-summary", classes="hint")
        with TabbedContent(id="report-tabs"):
            with TabPane("Revenue", id="report-revenue"):
                yield PlotextPlot(id="revenue-chart")
                yield DataTable(id="revenue-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Repairs", id="report-repairs"):
                yield DataTable(id="repairs-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Technicians", id="report-technicians"):
                yield DataTable(id="technicians-table", cursor_type="row", zebra_stripes=True)
            with TabPane("No-shows", id="report-noshows"):
                yield Static("", id="noshow-text")
            with TabPane("Outstanding", id="report-outstanding"):
                yield DataTable(id="outstanding-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="outstanding-total", classes="hint")

    def on_mount(self) -> None:
        add_columns(
            self.query_one("#revenue-table", DataTable),
            # Money columns of 10 (up to 999,999.99): the whole table fits 80 columns, so no amount is
            # cut to a shorter one that reads as a real figure (2,832.41 showed as "2,832").
            ("Period", 10),
            ("Invoices", 8),
            ("Credits", 7),
            ("Net", 10),
            ("Tax", 9),
            ("Total", 10),
            ("Paid", 10),
        )
        add_columns(
            self.query_one("#repairs-table", DataTable),
            ("Category", 18),
            ("Service", 28),
            ("Completed", 9),
            ("Invoiced net", 13),
        )
        add_columns(
            self.query_one("#technicians-table", DataTable),
            ("Mechanic", 10),
            ("Name", 16),
            ("Jobs", 5),
            ("Done", 5),
            ("Billed h", 9),
            ("Clocked h", 9),
            ("Productivity", 12),
        )
        add_columns(
            self.query_one("#outstanding-table", DataTable),
            ("Invoice", 12),
            ("Customer", 22),
            ("Issued", 10),
            ("Due date", 10),
            ("Total", 11),
            ("Due", 11),
            ("Overdue", 8),
            ("Bucket", 8),
        )
        self.action_refresh_reports()

    def focus_main(self) -> None:
        self.query_one("#report-from", Input).focus()

    # ---- period --------------------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in ("report-from", "report-to"):
            event.stop()
            self.action_refresh_reports()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "report-show":
            event.stop()
            self.action_refresh_reports()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "report-by" and self.current is not None and event.value != self.current.by:
            self.action_refresh_reports()

    def action_cycle_by(self) -> None:
        select = self.query_one("#report-by", Select)
        values = [v for _, v in BY_OPTIONS]
        select.value = values[(values.index(str(select.value)) + 1) % len(values)]

    def action_refresh_reports(self) -> None:
        for widget in self.query("#report-period .field-error").results(Static):
            widget.update("")
        self.query_one("#report-summary", Static).update("Computing ...")
        self.call_service(
            load_reports,
            self.query_one("#report-from", Input).value,
            self.query_one("#report-to", Input).value,
            str(self.query_one("#report-by", Select).value),
            self.actor,
            then=self.show,
            fail=self.show_error,
            group="reports",
        )

    def show_error(self, error: ShopError) -> None:
        fields = error.fields if isinstance(error, ValidationError) else {}
        for name in ("from", "to"):
            if name in fields:
                self.query_one(f"#err-report-{name}", Static).update(fields[name])
        rest = [why for name, why in fields.items() if name not in ("from", "to")]
        self.query_one("#report-summary", Static).update(
            "Not computed: " + ("; ".join(rest) if rest else str(error) if not fields else "check the dates")
        )

    # ---- figures -------------------------------------------------------------------------------
    def show(self, result: ReportSet) -> None:
        self.current = result
        span = result.span
        self.query_one("#report-summary", Static).update(
            f"{span.first.isoformat()} to {span.last.isoformat()}, revenue by {result.by}"
        )
        self.show_revenue(result.revenue)
        table = self.query_one("#repairs-table", DataTable)
        table.clear()
        for r in result.repairs:
            table.add_row(r.category, r.service, str(r.completed), money(r.invoiced))
        table = self.query_one("#technicians-table", DataTable)
        table.clear()
        for t in result.technicians:
            table.add_row(
                t.mechanic,
                t.name,
                str(t.jobs),
                str(t.completed),
                str(t.billed_hours),
                str(t.clocked_hours),
                pct(t.productivity),
            )
        n = result.no_shows
        self.query_one("#noshow-text", Static).update(
            f"Appointments: {n.appointments}\n"
            f"Completed:    {n.completed}\n"
            f"No-shows:     {n.no_shows}  ({pct(n.no_show_rate)})\n"
            f"Cancelled:    {n.cancelled}  ({pct(n.cancellation_rate)})"
        )
        table = self.query_one("#outstanding-table", DataTable)
        table.clear()
        for o in result.outstanding:
            table.add_row(
                o.number,
                o.customer,
                o.issue_date.isoformat(),
                o.due_date.isoformat() if o.due_date else "",
                money(o.total),
                money(o.due),
                str(o.overdue_days),
                o.bucket,
                key=o.number,
            )
        total = sum((o.due for o in result.outstanding), Decimal("0.00"))
        self.query_one("#outstanding-total", Static).update(
            f"{len(result.outstanding)} open invoice(s), {money(total)} due (all dates)"
        )

    def show_revenue(self, rows: list[reports.RevenueRow]) -> None:
        table = self.query_one("#revenue-table", DataTable)
        table.clear()
        for r in rows:
            table.add_row(
                r.period,
                str(r.invoices),
                str(r.credit_notes),
                money(r.net),
                money(r.tax),
                money(r.total),
                money(r.paid),
                key=r.period,
            )
        chart = self.query_one("#revenue-chart", PlotextPlot)
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        if rows:
            plt.bar([r.period for r in rows], [float(r.net) for r in rows])
            plt.title("Net revenue")
        else:
            plt.title("No revenue in this period")
        chart.refresh()
