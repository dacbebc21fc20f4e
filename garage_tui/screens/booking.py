"""Booking form: find the customer, pick the car and services, see the free times, book one.

A lost race (someone else took the time) shows the nearest free times instead of an error dump.
Both windows take an optional mechanic and an exact typed time (`BookingChoices`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Select, SelectionList, Static

from garage_tui.widgets.pane import add_columns
from garage_tui.widgets.service import ServiceCalls
from garage_tui.widgets.slots import SLOT_DAYS, BookingChoices, SlotPicker
from shop import booking, catalog, customers, quotes, vehicles
from shop.auth import Actor
from shop.booking import Appointment, Slot
from shop.catalog import ServiceItem
from shop.customers import Customer
from shop.errors import ShopError
from shop.quotes import QuoteInfo
from shop.vehicles import Vehicle


class BookingScreen(ServiceCalls, ModalScreen[Appointment | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+t", "find_slots", "Find free times"),
    ]

    def __init__(self, day: date | None = None, at: datetime | None = None) -> None:
        super().__init__()
        self.day = day
        self.at = at
        self.customers: dict[int, Customer] = {}
        self.customer: Customer | None = None
        self.services: dict[int, ServiceItem] = {}

    @property
    def slots(self) -> list[Slot]:
        """The free times listed, in row order."""
        return self.query_one("#bk-slots", SlotPicker).slots

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="booking-box") as box:
            box.border_title = "Book an appointment (Esc cancels)"
            with Horizontal():
                with Vertical(id="booking-left"):
                    yield Label("1. Customer (type to search)")
                    yield Input(placeholder="name, phone, plate …", id="bk-search")
                    yield DataTable(id="bk-customers", cursor_type="row")
                    yield Label("2. Car")
                    yield Select([], prompt="pick the customer first", id="bk-car")
                    yield Label("3. Services")
                    yield SelectionList[int](id="bk-services")
                with Vertical(id="booking-right"):
                    yield Static("", id="bk-total")
                    yield Label("4. First day (YYYY-MM-DD)")
                    with Horizontal(id="bk-day-row"):
                        yield Input(value=f"{self.day or ''}", placeholder="today", id="bk-day")
                        yield Button("Find free times", id="bk-find")
                    yield BookingChoices("bk")
                    yield Label("5. Pick a free time and press Enter")
                    yield SlotPicker(self.error, id="bk-slots")
                    yield Static("", id="bk-error", classes="form-error")

    def on_mount(self) -> None:
        add_columns(self.query_one("#bk-customers", DataTable), ("Name", 22), ("Phone", 16))
        self.call_service(catalog.list_services, actor=self.app.actor, then=self._services, group="services")
        self.search("")
        self.query_one("#bk-search", Input).focus()

    # ---- customer and car -------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "bk-search":
            self.search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "bk-search":
            self.query_one("#bk-customers").focus()
        elif event.input.id == "bk-day":
            self.action_find_slots()
        elif event.input.id == "bk-at":
            self.book(typed_start(self.query_one(BookingChoices), self.error))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "bk-mechanic":
            event.stop()
            if self.slots:  # the listed times were someone else's: list the mechanic's
                self.action_find_slots()

    def search(self, text: str) -> None:
        self.call_service(
            customers.list_customers, search=text, limit=20, actor=self.app.actor, then=self._found, group="search"
        )

    def _found(self, found: list[Customer]) -> None:
        table = self.query_one("#bk-customers", DataTable)
        table.clear()
        self.customers = {c.id: c for c in found}
        for c in found:
            table.add_row(c.name, c.phone_display or "", key=str(c.id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "bk-customers":
            self.customer = self.customers[int(event.row_key.value)]
            self.query_one("#bk-search", Input).value = self.customer.name
            self.call_service(
                vehicles.list_vehicles,
                customer_id=self.customer.id,
                actor=self.app.actor,
                then=self._cars,
                group="cars",
            )
        elif event.data_table.id == "bk-slots":
            self.book(self.slots[event.cursor_row].start)

    def _cars(self, cars: list[Vehicle]) -> None:
        select = self.query_one("#bk-car", Select)
        select.set_options([(f"{v.plate or ''} {v.make} {v.model}".strip(), v.id) for v in cars])
        if cars:
            select.value = cars[0].id
            self.query_one("#bk-services").focus()
        else:
            self.error("This customer has no car on file; add one in Customers (F4) first.")

    # ---- services ---------------------------------------------------------------------------
    def _services(self, items: list[ServiceItem]) -> None:
        self.services = {s.id: s for s in items}
        selection = self.query_one("#bk-services", SelectionList)
        selection.clear_options()
        for s in items:
            selection.add_option((f"{s.name} · {s.duration_minutes} min · {s.price} €", s.id))
        if items:
            selection.highlighted = 0

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        chosen = [self.services[i] for i in event.selection_list.selected]
        minutes = sum(s.duration_minutes for s in chosen)
        price = sum((s.price for s in chosen), Decimal("0.00"))
        self.query_one("#bk-total", Static).update(f"Total: {minutes} min · {price} €" if chosen else "")

    # ---- slots and booking ------------------------------------------------------------------
    def _choice(self) -> tuple[int, int, list[int]] | None:
        car = self.query_one("#bk-car", Select).value
        service_ids = list(self.query_one("#bk-services", SelectionList).selected)
        if self.customer is None:
            self.error("Pick a customer (Enter on the list).")
        elif car in (Select.NULL, Select.BLANK) or car is None:
            self.error("Pick the car.")
        elif not service_ids:
            self.error("Pick at least one service (Space ticks it).")
        else:
            return self.customer.id, int(car), service_ids  # type: ignore[arg-type]
        return None

    def action_find_slots(self) -> None:
        choice = self._choice()
        if choice is None:
            return
        _, vehicle_id, service_ids = choice
        day = self.query_one("#bk-day", Input).value.strip() or None
        self.error("Looking for free times…")
        self.call_service(
            booking.available_slots,
            service_ids,
            from_date=day,
            days=SLOT_DAYS,
            vehicle_id=vehicle_id,
            mechanic_id=self.query_one(BookingChoices).mechanic_id,
            actor=self.app.actor,
            then=self.show_slots,
            fail=self.failed,
            group="slots",
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "bk-find":
            self.action_find_slots()

    def show_slots(self, slots: list[Slot]) -> None:
        self.query_one("#bk-slots", SlotPicker).show(slots, at=self.at)

    def book(self, start: datetime | str | None) -> None:
        """Book at START (a listed free time, or the time typed in) with the mechanic picked, if any."""
        choice = self._choice() if start is not None else None
        if choice is None:
            return
        customer_id, vehicle_id, service_ids = choice
        self.call_service(
            booking.book,
            customer_id,
            vehicle_id,
            service_ids,
            start,
            source="desk",
            mechanic_id=self.query_one(BookingChoices).mechanic_id,
            actor=self.app.actor,
            then=self._booked,
            fail=self.failed,
            group="book",
        )

    def _booked(self, appointment: Appointment) -> None:
        self.app.notify(
            f"Booked {appointment.customer_name} on {appointment.start:%a %d %b %H:%M} in {appointment.bay}."
        )
        self.dismiss(appointment)

    def failed(self, error: ShopError) -> None:
        self.query_one("#bk-slots", SlotPicker).failed(error)

    def error(self, text: str) -> None:
        self.query_one("#bk-error", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


def typed_start(choices: BookingChoices, say: Callable[[str], object]) -> str | None:
    """The time typed in CHOICES, or None after asking for one (the service checks the rest)."""
    if not choices.typed_time:
        say("Type the start as YYYY-MM-DD HH:MM, or pick a free time from the list.")
        return None
    return choices.typed_time


def free_times_for_quote(quote: QuoteInfo, day: str | None, mechanic_id: int | None, actor: Actor) -> list[Slot]:
    """Free starts for the quote's accepted services and car (and MECHANIC_ID), from DAY for `SLOT_DAYS` days."""
    services = quotes.services_to_book(quote.id, actor=actor)
    return booking.available_slots(
        services, from_date=day, days=SLOT_DAYS, vehicle_id=quote.vehicle_id, mechanic_id=mechanic_id, actor=actor
    )


class QuoteBookingScreen(ServiceCalls, ModalScreen[Appointment | None]):
    """Book an accepted quote's services for its car: the free times from a day, Enter books one.

    The same steps 4 and 5 as the booking form, with the same mechanic and typed-time inputs; the
    customer, car and services are the quote's, and `shop.quotes.book_accepted` makes the appointment.
    A lost race lists the nearest free times instead, or empties the list and asks for another day when
    none is free nearby; a quote that cannot be booked (`NotBookable`) only says why.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+t", "find_slots", "Find free times"),
    ]

    def __init__(self, quote: QuoteInfo) -> None:
        super().__init__()
        self.quote = quote

    @property
    def slots(self) -> list[Slot]:
        """The free times listed, in row order."""
        return self.query_one("#qb-slots", SlotPicker).slots

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="quote-booking-box") as box:
            box.border_title = f"Book quote #{self.quote.id} (Esc cancels)"
            accepted = [
                line.description for line in self.quote.lines if line.kind == "service" and line.decision == "accepted"
            ]
            yield Static(
                f"{escape(self.quote.customer_name)} · {escape(self.quote.vehicle or 'no car')}\n"
                f"Accepted services: {escape(', '.join(accepted) or 'none')}",
                id="qb-head",
            )
            yield Label("First day (YYYY-MM-DD)")
            with Horizontal(id="qb-day-row"):
                yield Input(placeholder="today", id="qb-day")
                yield Button("Find free times", id="qb-find")
            yield BookingChoices("qb")
            yield Label("Pick a free time and press Enter")
            yield SlotPicker(self.error, id="qb-slots")
            yield Static("", id="qb-error", classes="form-error")

    def on_mount(self) -> None:
        self.action_find_slots()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "qb-at":
            self.book(typed_start(self.query_one(BookingChoices), self.error))
        else:
            self.action_find_slots()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "qb-mechanic":
            event.stop()
            self.action_find_slots()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_find_slots()

    def action_find_slots(self) -> None:
        day = self.query_one("#qb-day", Input).value.strip() or None
        self.error("Looking for free times…")
        self.call_service(
            free_times_for_quote,
            self.quote,
            day,
            self.query_one(BookingChoices).mechanic_id,
            self.app.actor,
            then=self.query_one("#qb-slots", SlotPicker).show,
            fail=self.failed,
            group="slots",
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        slot = self.slots[event.cursor_row]
        self.error(f"Booking {slot.start:%a %d %b %H:%M}…")
        self.book(slot.start)

    def book(self, start: datetime | str | None) -> None:
        """Book the quote at START (a listed free time, or the time typed in) with the mechanic picked, if any."""
        if start is None:
            return
        self.call_service(
            quotes.book_accepted,
            self.quote.id,
            start,
            mechanic=self.query_one(BookingChoices).mechanic_id,
            actor=self.app.actor,
            then=self._booked,
            fail=self.failed,
            group="book",
        )

    def _booked(self, appointment: Appointment) -> None:
        self.app.notify(
            f"Booked {appointment.customer_name} on {appointment.start:%a %d %b %H:%M} in {appointment.bay}"
            f" (appointment #{appointment.id}, from quote #{self.quote.id})."
        )
        self.dismiss(appointment)

    def failed(self, error: ShopError) -> None:
        self.query_one("#qb-slots", SlotPicker).failed(error)

    def error(self, text: str) -> None:
        self.query_one("#qb-error", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RescheduleScreen(ServiceCalls, ModalScreen[Appointment | None]):
    """Move a scheduled appointment: its free times from a day (its own day first), Enter moves it.

    The times come from `shop.booking.free_times_to_move` (its services, car and mechanic; its own
    time counts as free), so the desk picks a time instead of guessing one; an exact time typed in
    moves it there as well. A time taken meanwhile lists the nearest free ones, as the booking form does.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+t", "find_slots", "Find free times"),
    ]

    def __init__(self, appointment: Appointment, today: date) -> None:
        super().__init__()
        self.appointment = appointment
        self.first_day = max(appointment.start.date(), today)

    @property
    def slots(self) -> list[Slot]:
        """The free times listed, in row order."""
        return self.query_one("#rs-slots", SlotPicker).slots

    def compose(self) -> ComposeResult:
        a = self.appointment
        with Vertical(classes="dialog", id="reschedule-box") as box:
            box.border_title = f"Move appointment #{a.id} (Esc cancels)"
            yield Static(
                f"{escape(a.customer_name)} · {escape(a.vehicle)}\n"
                f"Now: {a.start:%a %d %b %H:%M}–{a.end:%H:%M} · {escape(a.bay)}"
                + (f" · {escape(a.mechanic)}" if a.mechanic else ""),
                id="rs-head",
            )
            yield Label("First day (YYYY-MM-DD)")
            with Horizontal(id="rs-day-row"):
                yield Input(value=f"{self.first_day}", placeholder="today", id="rs-day")
                yield Button("Find free times", id="rs-find")
            yield Label("Or type the exact new start and press Enter")
            yield Input(placeholder="YYYY-MM-DD HH:MM", id="rs-at")
            yield Label("Pick a free time and press Enter")
            yield SlotPicker(self.error, id="rs-slots")
            yield Static("", id="rs-error", classes="form-error")

    def on_mount(self) -> None:
        self.action_find_slots()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "rs-at":
            typed = event.value.strip()
            if typed:
                self.move(typed)
            else:
                self.error("Type the start as YYYY-MM-DD HH:MM, or pick a free time from the list.")
        else:
            self.action_find_slots()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_find_slots()

    def action_find_slots(self) -> None:
        day = self.query_one("#rs-day", Input).value.strip() or None
        self.error("Looking for free times…")
        self.call_service(
            booking.free_times_to_move,
            self.appointment.id,
            day,
            SLOT_DAYS,
            actor=self.app.actor,
            then=self.query_one("#rs-slots", SlotPicker).show,
            fail=self.failed,
            group="slots",
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        slot = self.slots[event.cursor_row]
        self.error(f"Moving to {slot.start:%a %d %b %H:%M}…")
        self.move(slot.start)

    def move(self, start: datetime | str) -> None:
        self.call_service(
            booking.reschedule,
            self.appointment.id,
            start,
            actor=self.app.actor,
            then=self._moved,
            fail=self.failed,
            group="move",
        )

    def _moved(self, appointment: Appointment) -> None:
        self.app.notify(
            f"Moved {appointment.customer_name} to {appointment.start:%a %d %b %H:%M}–{appointment.end:%H:%M}"
            f" in {appointment.bay}."
        )
        self.dismiss(appointment)

    def failed(self, error: ShopError) -> None:
        self.query_one("#rs-slots", SlotPicker).failed(error)

    def error(self, text: str) -> None:
        self.query_one("#rs-error", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
