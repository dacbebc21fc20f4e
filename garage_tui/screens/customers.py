"""Customers & cars: search as you type, detail with cars, add/edit forms, mileage."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Static

from garage_tui.widgets.form import Field, FormScreen
from garage_tui.widgets.pane import AreaPane, PaneTable, add_columns
from shop import customers, vehicles
from shop.auth import can
from shop.customers import Customer
from shop.vehicles import Vehicle

PAGE = 100


def _customer_detail(customer_id: int, actor: Any) -> tuple[Customer, list[Vehicle]]:
    return customers.get_customer(customer_id, actor=actor), vehicles.list_vehicles(
        customer_id=customer_id, actor=actor
    )


class CustomerList(PaneTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "forward('new_customer')", "New customer"),
        Binding("e", "forward('edit_customer')", "Edit"),
        Binding("c", "forward('add_car')", "Add car"),
        Binding("x", "forward('archive_customer')", "Archive"),
        Binding("right", "forward('focus_cars')", "Cars", show=False),
        Binding("slash", "forward('focus_search')", "Search"),
    ]


class CarList(PaneTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "forward('add_car')", "Add car"),
        Binding("e", "forward('edit_car')", "Edit car"),
        Binding("m", "forward('mileage')", "Mileage"),
        Binding("left", "forward('focus_customers')", "Customers", show=False),
        Binding("slash", "forward('focus_search')", "Search"),
    ]


class CustomersPane(AreaPane):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+n", "new_customer", "New customer")]
    COMMANDS: ClassVar[list[tuple[str, str, str]]] = [
        ("Find customer", "Search by name, phone, e-mail, plate or VIN", "focus_search"),
        ("New customer", "Add a customer", "new_customer"),
        ("Add car", "Add a car to the selected customer", "add_car"),
    ]
    HELP_PARTS: ClassVar[list[type]] = [CustomerList, CarList]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.found: dict[int, Customer] = {}
        self.current: Customer | None = None
        self.cars: dict[int, Vehicle] = {}

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search name, phone, e-mail, plate or VIN (type to filter)", id="customer-search")
        with Horizontal(id="customers-body"):
            with Vertical(id="customer-list-box"):
                yield CustomerList(id="customer-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="customer-count", classes="hint")
            with Vertical(id="customer-detail-box"):
                yield Static("", id="customer-detail")
                yield Static("Cars", classes="section-title")
                yield CarList(id="car-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        add_columns(self.query_one("#customer-table", DataTable), ("Name", 22), ("Phone", 16), ("E-mail", 24))
        add_columns(
            self.query_one("#car-table", DataTable), ("Plate", 11), ("Car", 18), ("Year", 4), ("VIN", 17), ("km", 8)
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

    def _detail(self, result: tuple[Customer, list[Vehicle]]) -> None:
        customer, cars = result
        self.show_customer(customer, cars)

    def show_customer(self, customer: Customer | None, cars: list[Vehicle] = ()) -> None:  # type: ignore[assignment]
        self.current = customer
        detail = self.query_one("#customer-detail", Static)
        table = self.query_one("#car-table", DataTable)
        table.clear()
        self.cars = {}
        if customer is None:
            detail.update("No customer selected.")
            return
        lines = [f"[b]{customer.name}[/b]" + ("  [i](archived)[/i]" if customer.archived else "")]
        lines.append(f"Phone: {customer.phone_display or '-'}    E-mail: {customer.email or '-'}")
        if customer.address:
            lines.append(f"Address: {customer.address}")
        if customer.notes:
            lines.append(f"Notes: {customer.notes}")
        detail.update("\n".join(lines))
        self.cars = {v.id: v for v in cars}
        for v in cars:
            mileage = f"{v.mileage:,}".replace(",", " ") if v.mileage is not None else ""
            table.add_row(v.plate or "", f"{v.make} {v.model}", str(v.year or ""), v.vin or "", mileage, key=str(v.id))

    # ---- focus ------------------------------------------------------------------------------
    def focus_main(self) -> None:
        self.query_one("#customer-search", Input).focus()

    def action_focus_search(self) -> None:
        self.query_one("#customer-search", Input).focus()

    def action_focus_cars(self) -> None:
        if self.cars:
            self.query_one("#car-table").focus()

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
        self.call_service(customers.archive_customer, current.id, actor=self.actor, then=self._archived)

    def _archived(self, customer: Customer) -> None:
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
