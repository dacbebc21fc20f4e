"""Customers & cars: search as you type, detail with cars and history, add/edit forms, mileage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Static

from garage_tui.widgets.form import Field, FormScreen
from garage_tui.widgets.pane import AreaPane, PaneTable, add_columns
from garage_tui.widgets.words import status_word
from shop import customers, history, settings, vehicles
from shop.auth import can
from shop.booking import Appointment
from shop.customers import Customer
from shop.errors import ShopError
from shop.history import CustomerHistory
from shop.vehicles import Vehicle

PAGE = 100
# Under the shop's refusal to archive a car or customer with a visit booked: the two ways on.
KEEPS_VISITS = "Archive anyway: the visits stay booked as they are. Back: keep it, and cancel or move them first."
HISTORY_FIXED = 10 + 11 + 3 * 2 + 2  # Date and Status columns, cell padding, vertical scrollbar


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class HistoryRow:
    key: str  # "a12" (appointment), "q3" (quote), "i7" (invoice), "r2" (review)
    when: str
    what: str
    status: str


@dataclass(frozen=True)
class CustomerDetail:
    customer: Customer
    cars: list[Vehicle]
    history: CustomerHistory
    rows: list[HistoryRow]


def history_rows(h: CustomerHistory, tz: tzinfo) -> list[HistoryRow]:
    """A line per visit, quote, invoice and review: what is coming (soonest first), then the rest newest first."""
    dated: list[tuple[date, str, HistoryRow]] = []

    def add(day: date | None, key: str, what: str, status: str) -> None:
        # An invoice without a date is a draft: the newest thing there is.
        dated.append((day or date.max, key, HistoryRow(key, f"{day}" if day else "draft", what, status)))

    for a in h.past:
        add(a.start.date(), f"a{a.id}", _visit_what(a, with_time=False), status_word(a.status, short=True))
    for q in h.quotes or ():
        add(q.created_at.astimezone(tz).date(), f"q{q.id}", f"Quote #{q.id} · {q.total}", q.status.capitalize())
    for i in h.invoices or ():
        what = f"{'Credit note' if i.kind == 'credit_note' else 'Invoice'} {i.number or f'#{i.id}'} · {i.total}"
        if history.is_unpaid(i):
            add(i.issue_date, f"i{i.id}", what + (f" · {i.due} due" if i.due != i.total else ""), "Unpaid")
        else:
            add(i.issue_date, f"i{i.id}", what, i.status.capitalize())
    for r in h.reviews or ():
        stars = "★" * r.rating + "☆" * (5 - r.rating)
        add(
            r.created_at.astimezone(tz).date(),
            f"r{r.id}",
            f"Review {stars} {r.comment}".rstrip(),
            r.status.capitalize(),
        )
    rank = {"a": 3, "q": 2, "i": 1, "r": 0}  # on one day: the visit, then its quote, invoice and review
    dated.sort(key=lambda x: (x[0], rank[x[1][0]], int(x[1][1:])), reverse=True)
    upcoming = [
        HistoryRow(f"a{a.id}", f"{a.start:%Y-%m-%d}", _visit_what(a), status_word(a.status, short=True))
        for a in h.upcoming
    ]
    return upcoming + [row for _, _, row in dated]


def _visit_what(a: Appointment, with_time: bool = True) -> str:
    """Services and car of a visit; the time only where it matters (a visit still to come)."""
    what = f"{', '.join(s.name for s in a.services)} · {a.plate or a.vehicle}"
    return f"{a.start:%H:%M} {what}" if with_time else what


def _customer_detail(customer_id: int, actor: Any) -> CustomerDetail:
    found = history.customer_history(customer_id, actor=actor)
    return CustomerDetail(
        customers.get_customer(customer_id, actor=actor),
        vehicles.list_vehicles(customer_id=customer_id, include_archived=True, actor=actor),
        found,
        history_rows(found, settings.timezone()),
    )


class CustomerList(PaneTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "forward('new_customer')", "New customer"),
        Binding("e", "forward('edit_customer')", "Edit"),
        Binding("c", "forward('add_car')", "Add car"),
        Binding("x", "forward('archive_customer')", "Archive"),
        Binding("right", "forward('focus_cars')", "Cars", show=False),
        Binding("h", "forward('focus_history')", "History"),
        Binding("slash", "forward('focus_search')", "Search"),
    ]


class CarList(PaneTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "forward('add_car')", "Add car"),
        Binding("e", "forward('edit_car')", "Edit car"),
        Binding("m", "forward('mileage')", "Mileage"),
        Binding("x", "forward('archive_car')", "Archive", tooltip="archive the car (asks first; history stays)"),
        Binding("a", "forward('toggle_archived')", "Archived", tooltip="show or hide the archived cars (dimmed)"),
        Binding("r", "forward('restore_car')", "Restore", tooltip="restore an archived car (asks first)"),
        Binding("left", "forward('focus_customers')", "Customers", show=False),
        Binding("h", "forward('focus_history')", "History"),
        Binding("slash", "forward('focus_search')", "Search"),
    ]


class HistoryList(PaneTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "forward('open_history')", "Open visit"),
        Binding("left", "forward('focus_customers')", "Customers", show=False),
        Binding("slash", "forward('focus_search')", "Search"),
    ]


class CustomersPane(AreaPane):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+n", "new_customer", "New customer")]
    COMMANDS: ClassVar[list[tuple[str, str, str]]] = [
        ("Find customer", "Search by name, phone, e-mail, plate or VIN", "focus_search"),
        ("New customer", "Add a customer", "new_customer"),
        ("Add car", "Add a car to the selected customer", "add_car"),
        ("Archived cars", "Show or hide the selected customer's archived cars", "toggle_archived"),
    ]
    HELP_PARTS: ClassVar[list[type]] = [CustomerList, CarList, HistoryList]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.found: dict[int, Customer] = {}
        self.current: Customer | None = None
        self.all_cars: list[Vehicle] = []
        self.cars: dict[int, Vehicle] = {}  # the cars in the table (archived ones only while shown)
        self.archived_cars = 0  # how many of the customer's cars are archived, shown or not
        self.show_archived = False  # staff toggle with `a`; kept while moving between customers
        self.history: list[HistoryRow] = []
        self.history_width = 0  # width of the What column (0: no columns yet)

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search name, phone, e-mail, plate or VIN (type to filter)", id="customer-search")
        with Horizontal(id="customers-body"):
            with Vertical(id="customer-list-box"):
                yield CustomerList(id="customer-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="customer-count", classes="hint")
            with Vertical(id="customer-detail-box"):
                yield Static("", id="customer-detail")
                yield Static("Cars", id="cars-title", classes="section-title")
                yield CarList(id="car-table", cursor_type="row", zebra_stripes=True)
                yield Static("History", id="history-title", classes="section-title")
                yield HistoryList(id="history-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        add_columns(self.query_one("#customer-table", DataTable), ("Name", 22), ("Phone", 16), ("E-mail", 24))
        add_columns(
            self.query_one("#car-table", DataTable), ("Plate", 11), ("Car", 18), ("km", 8), ("Year", 4), ("VIN", 17)
        )
        self.search("")

    # ---- search -----------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "customer-search":
            self.search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "customer-search":
            event.stop()
            self.query_one("#customer-table").focus()

    def search(self, text: str, select: int | None = None) -> None:
        self.call_service(
            customers.list_customers,
            search=text,
            limit=PAGE,
            actor=self.actor,
            then=lambda found: self.show_found(found, select),
            group="search",
        )

    def show_found(self, found: list[Customer], select: int | None = None) -> None:
        table = self.query_one("#customer-table", DataTable)
        table.clear()
        self.found = {c.id: c for c in found}
        for c in found:
            table.add_row(c.name, c.phone_display or "", c.email or "", key=str(c.id))
        more = f"first {PAGE} matches; type more to narrow" if len(found) >= PAGE else f"{len(found)} found"
        self.query_one("#customer-count", Static).update(more)
        if not found:
            self.show_customer(None)
            return
        ids = list(self.found)
        row = ids.index(select) if select in self.found else 0
        table.move_cursor(row=row)
        self.load_detail(ids[row])

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "customer-table" and event.row_key.value is not None:
            customer_id = int(event.row_key.value)
            if self.current is None or self.current.id != customer_id:
                self.load_detail(customer_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "customer-table":
            self.action_focus_cars()

    def load_detail(self, customer_id: int) -> None:
        self.call_service(_customer_detail, customer_id, self.actor, then=self._detail, group="detail")

    def _detail(self, result: CustomerDetail, select_car: int | None = None) -> None:
        self.all_cars = result.cars
        self.show_customer(result.customer, result.cars, select_car)
        self.show_history(result.history, result.rows)

    def show_customer(
        self,
        customer: Customer | None,
        cars: list[Vehicle] = (),  # type: ignore[assignment]
        select_car: int | None = None,
    ) -> None:
        self.current = customer
        detail = self.query_one("#customer-detail", Static)
        table = self.query_one("#car-table", DataTable)
        table.clear()
        self.cars = {}
        self.archived_cars = 0
        if customer is None:
            detail.update("No customer selected.")
            self._cars_title()
            self.show_history(None, [])
            return
        lines = [f"[b]{customer.name}[/b]" + ("  [i](archived)[/i]" if customer.archived else "")]
        lines.append(f"Phone: {customer.phone_display or '-'}    E-mail: {customer.email or '-'}")
        if customer.address:
            lines.append(f"Address: {customer.address}")
        if customer.notes:
            lines.append(f"Notes: {customer.notes}")
        detail.update("\n".join(lines))
        self.archived_cars = sum(1 for v in cars if v.archived)
        shown = [v for v in cars if self.show_archived or not v.archived]
        self.cars = {v.id: v for v in shown}
        for v in shown:
            mileage = f"{v.mileage:,}".replace(",", " ") if v.mileage is not None else ""
            cells = [v.plate or "", f"{v.make} {v.model}", mileage, str(v.year or ""), v.vin or ""]
            if v.archived:  # dimmed, the word first so a narrow column still shows it
                cells[1] = f"(archived) {cells[1]}"
                table.add_row(*(Text(c, style="dim italic") for c in cells), key=str(v.id))
            else:
                table.add_row(*cells, key=str(v.id))
        if select_car in self.cars:
            table.move_cursor(row=list(self.cars).index(select_car))
        self._cars_title()

    def _cars_title(self) -> None:
        """Say that archived cars exist even while hidden, and which key shows or restores them."""
        title = self.query_one("#cars-title", Static)
        if not self.archived_cars:
            title.update("Cars")
        elif self.show_archived:
            title.update(f"Cars [dim]· {self.archived_cars} archived (dimmed); r restores[/]")
        else:
            title.update(f"Cars [dim]· {self.archived_cars} archived; a shows[/]")

    def on_resize(self) -> None:
        table = self.query_one("#history-table", DataTable)
        # Date and Status keep their width; What takes the rest of the detail box (and a scrollbar's room).
        what = max(16, table.size.width - HISTORY_FIXED)
        if what != self.history_width:
            self.history_width = what
            table.clear(columns=True)
            add_columns(table, ("Date", 10), ("What", what), ("Status", 11))
            self._fill_history()

    def show_history(self, found: CustomerHistory | None, rows: list[HistoryRow]) -> None:
        self.history = rows
        self._fill_history()
        title = self.query_one("#history-title", Static)
        if found is None:
            title.update("History")
            return
        if not rows:
            title.update("History [dim]· nothing yet[/]")
            return
        parts = [f"{len(found.upcoming)} upcoming", f"{found.past_total} past"]
        if found.past_total > len(found.past):
            parts[-1] += f" (latest {len(found.past)} shown)"
        if found.quotes:
            parts.append(_count(len(found.quotes), "quote"))
        if found.invoices:
            parts.append(_count(len(found.invoices), "invoice") + (f", {found.unpaid} unpaid" if found.unpaid else ""))
        if found.reviews:
            parts.append(_count(len(found.reviews), "review"))
        title.update(f"History [dim]· {' · '.join(parts)}[/]")

    def _fill_history(self) -> None:
        table = self.query_one("#history-table", DataTable)
        table.clear()
        if not table.columns:
            return
        for row in self.history:
            table.add_row(row.when, row.what, row.status, key=row.key)

    def action_open_history(self) -> None:
        """Enter on a visit opens the appointment (status, timeline, next steps)."""
        table = self.query_one("#history-table", DataTable)
        if not self.history or table.cursor_row < 0:
            return
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        if not key.startswith("a"):
            self.app.notify("Visits open from here; quotes and invoices are under Billing.", severity="information")
            return
        from garage_tui.screens.appointment import AppointmentScreen

        current = self.current
        self.app.push_screen(
            AppointmentScreen(int(key[1:])), lambda _: self.load_detail(current.id) if current else None
        )

    # ---- focus ------------------------------------------------------------------------------
    def focus_main(self) -> None:
        self.query_one("#customer-search", Input).focus()

    def action_focus_search(self) -> None:
        self.query_one("#customer-search", Input).focus()

    def action_focus_cars(self) -> None:
        if self.cars or self.archived_cars:  # an empty list still takes `a` to show the archived ones
            self.query_one("#car-table").focus()

    def action_focus_history(self) -> None:
        if self.history:
            self.query_one("#history-table").focus()

    def action_focus_customers(self) -> None:
        self.query_one("#customer-table").focus()

    def _selected_car(self) -> Vehicle | None:
        table = self.query_one("#car-table", DataTable)
        if not self.cars or table.cursor_row < 0:
            return None
        return self.cars.get(int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    def _may_write(self) -> bool:
        if can(self.actor, "customer.write"):
            return True
        self.app.notify("Your role may look customers up but not change them.", severity="warning")
        return False

    # ---- customers --------------------------------------------------------------------------
    def _customer_fields(self, c: Customer | None) -> list[Field]:
        return [
            Field("name", "Name", c.name if c else ""),
            Field("phone", "Phone", (c.phone_display or "") if c else "", placeholder="e.g. 030 1234567"),
            Field("email", "E-mail", (c.email or "") if c else ""),
            Field("address", "Address", c.address if c else ""),
            Field("notes", "Notes", c.notes if c else ""),
            Field("force", "Save even if the phone number already belongs to another customer", kind="check"),
        ]

    def action_new_customer(self) -> None:
        if not self._may_write():
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> Customer:
            return customers.add_customer(
                v["name"], v["phone"], v["email"], v["address"], v["notes"], force=v["force"], actor=actor
            )

        self.app.push_screen(FormScreen("New customer", self._customer_fields(None), submit, "Add"), self._saved)

    def action_edit_customer(self) -> None:
        current = self.current
        if current is None or not self._may_write():
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> Customer:
            force = v.pop("force")
            return customers.edit_customer(current.id, version=current.version, force=force, actor=actor, **v)

        form = FormScreen(f"Edit {current.name}", self._customer_fields(current), submit)
        self.app.push_screen(form, self._saved)

    def action_archive_customer(self) -> None:
        current = self.current
        if current is None or not self._may_write():
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> Customer:
            return customers.archive_customer(current.id, force=v["force"], actor=actor)

        def refused(error: ShopError) -> None:
            """A customer with a visit booked is asked about once more; any other refusal is a notice."""
            if not getattr(error, "overridable", False):
                self.app.notify(str(error), title="Not done", severity="error")
                return
            form = FormScreen(
                f"Archive {current.name}?",
                [],
                submit,
                "Archive",
                override_label="Archive anyway",
                override_note=KEEPS_VISITS,
                refused=error,
            )
            self.app.push_screen(form, self._archived)

        self.call_service(submit, {"force": False}, then=self._archived, fail=refused)

    def _archived(self, customer: Customer | None) -> None:
        if customer is None:  # backed out of archiving anyway
            return
        self.app.notify(f"{customer.name} archived; history is kept.")
        self.search(self.query_one("#customer-search", Input).value)

    def _saved(self, customer: Customer | None) -> None:
        if customer is not None:
            self.app.notify(f"Saved {customer.name}.")
            self.search(self.query_one("#customer-search", Input).value, select=customer.id)
            self.query_one("#customer-table").focus()

    # ---- cars -------------------------------------------------------------------------------
    def _car_fields(self, v: Vehicle | None) -> list[Field]:
        return [
            Field("plate", "Number plate", (v.plate or "") if v else ""),
            Field("vin", "VIN (make and year are read from it when left empty)", (v.vin or "") if v else ""),
            Field("make", "Make", v.make if v else ""),
            Field("model", "Model", v.model if v else ""),
            Field("year", "Year", str(v.year or "") if v else ""),
            Field("colour", "Colour", v.colour if v else ""),
            *([] if v else [Field("mileage", "Mileage (km)")]),
        ]

    def action_add_car(self) -> None:
        current = self.current
        if current is None:
            self.app.notify("Pick a customer first.", severity="warning")
            return
        if not self._may_write():
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> Vehicle:
            return vehicles.add_vehicle(
                current.id,
                v["make"],
                v["model"],
                v["year"],
                v["vin"],
                v["plate"],
                v["colour"],
                v["mileage"] or None,
                actor=actor,
            )

        form = FormScreen(f"New car for {current.name}", self._car_fields(None), submit, "Add")
        self.app.push_screen(form, self._car_saved)

    def action_edit_car(self) -> None:
        car = self._selected_car()
        if car is None or not self._may_write():
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> Vehicle:
            return vehicles.edit_vehicle(car.id, version=car.version, actor=actor, **v)

        form = FormScreen(f"Edit {car.make} {car.model}", self._car_fields(car), submit)
        self.app.push_screen(form, self._car_saved)

    def action_mileage(self) -> None:
        car = self._selected_car()
        if car is None or not self._may_write():
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> Vehicle:
            return vehicles.record_mileage(car.id, v["mileage"], force=v["force"], actor=actor)

        fields = [
            Field("mileage", f"New reading (last: {car.mileage if car.mileage is not None else 'none'})"),
            Field("force", "The reading is lower on purpose (a correction)", kind="check"),
        ]
        self.app.push_screen(FormScreen(f"Mileage of {car.plate or car.model}", fields, submit), self._car_saved)

    def _car_saved(self, car: Vehicle | None) -> None:
        if car is not None:
            self.app.notify(f"Saved {car.make} {car.model} {car.plate or ''}".rstrip() + ".")
            self.load_detail(car.customer_id)

    def action_toggle_archived(self) -> None:
        """Show or hide the archived cars (dimmed) of the customer; the choice stays for the next customer."""
        self.show_archived = not self.show_archived
        if self.current is not None:
            selected = self._selected_car()
            self.show_customer(self.current, self.all_cars, select_car=selected.id if selected else None)
        if self.show_archived and not self.archived_cars:
            self.app.notify("This customer has no archived cars.", severity="information")

    def action_archive_car(self) -> None:
        car = self._selected_car()
        if car is None or not self._may_write():
            return
        if car.archived:
            self.app.notify(f"{_car_name(car)} is already archived; r restores it.", severity="information")
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> Vehicle:
            return vehicles.archive_vehicle(car.id, force=v["force"], actor=actor)

        note = (
            f"{_car_name(car)} leaves the lists and can no longer be booked; its history stays. "
            "Press a to see archived cars and r to restore one."
        )
        form = FormScreen(
            f"Archive {_car_name(car)}?",
            [],
            submit,
            "Archive",
            note=note,
            override_label="Archive anyway",
            override_note=KEEPS_VISITS,
        )
        self.app.push_screen(form, lambda done: self._car_changed(done, "archived"))

    def action_restore_car(self) -> None:
        car = self._selected_car()
        if car is None or not self._may_write():
            return
        if not car.archived:
            self.app.notify(f"{_car_name(car)} is not archived.", severity="information")
            return
        actor = self.actor

        def submit(_: dict[str, Any]) -> Vehicle:
            return vehicles.restore_vehicle(car.id, actor=actor)

        owner = self.current.name if self.current else "the customer"
        note = f"{_car_name(car)} comes back to {owner}'s cars and can be booked again, with its history."
        form = FormScreen(f"Restore {_car_name(car)}?", [], submit, "Restore", note=note)
        self.app.push_screen(form, lambda done: self._car_changed(done, "restored"))

    def _car_changed(self, car: Vehicle | None, what: str) -> None:
        if car is None:
            return
        self.app.notify(f"{_car_name(car)} {what}.")
        current = self.current
        if current is not None and current.id == car.customer_id:
            self.call_service(
                _customer_detail,
                current.id,
                self.actor,
                then=lambda d: self._detail(d, select_car=car.id),
                group="detail",
            )


def _car_name(car: Vehicle) -> str:
    return f"{car.make} {car.model}" + (f" {car.plate}" if car.plate else "")
