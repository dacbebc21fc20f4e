"""One appointment: details, status timeline, and the allowed next steps (check in, start, complete ...)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from garage_tui.widgets.assign import assign_mechanic
from garage_tui.widgets.form import Field, FormScreen
from garage_tui.widgets.pane import FlexTable
from garage_tui.widgets.service import ServiceCalls
from garage_tui.widgets.words import STATUS_WORDS, status_word  # one vocabulary (jobs.py imports it from here)
from shop import booking, jobs
from shop.auth import Actor
from shop.booking import Appointment

# What the button for moving *to* a status says.
ACTION_WORDS = {
    "checked_in": "Check in",
    "in_progress": "Start work",
    "waiting_parts": "Waiting for parts",
    "completed": "Complete",
    "cancelled": "Cancel appointment",
    "no_show": "No-show",
}
JOB_STATUSES = ("in_progress", "waiting_parts", "completed")
# The history's columns; the note takes the width left (its minimum at 80 columns), cut with "…".
TIMELINE_COLUMNS = (("When", 12), ("Who", 16), ("What", 24), ("Note", 14))


def money(amount: object) -> str:
    return f"{amount} €"


def move(appointment_id: int, status: str, actor: Actor, note: str = "") -> Appointment:
    """Move an appointment along: work statuses through its job (so completing stops running clocks)."""
    if status in JOB_STATUSES:
        job = jobs.job_for_appointment(appointment_id, actor=actor)
        jobs.set_status(job.id, status, note=note, actor=actor)
    elif status == "cancelled":
        booking.cancel(appointment_id, note, actor=actor)
    else:
        booking.set_status(appointment_id, status, note=note, actor=actor)
    return booking.get_appointment(appointment_id, actor=actor)


def check_in(appointment_id: int, mileage: str, complaint: str, actor: Actor, correction: bool = False) -> Appointment:
    jobs.check_in(appointment_id, mileage or None, complaint, actor=actor, mileage_correction=correction)
    return booking.get_appointment(appointment_id, actor=actor)


def change_status(screen: Any, appointment: Appointment, status: str, done: Any) -> None:
    """Run one transition from any screen; check-in asks for mileage and the customer's complaint first."""
    actor = screen.app.actor
    if status == "checked_in":

        def submit(v: dict[str, Any]) -> Appointment:
            return check_in(appointment.id, v["mileage"], v["complaint"], actor, v["mileage_correction"])

        fields = [
            Field("mileage", "Mileage now (km, optional)"),
            Field("mileage_correction", "The reading is lower on purpose (a correction)", kind="check"),
            Field("complaint", "What the customer says is wrong"),
        ]
        form = FormScreen(f"Check in {appointment.vehicle}", fields, submit, "Check in")
        screen.app.push_screen(form, done)
    elif status in ("cancelled", "no_show"):

        def submit(v: dict[str, Any]) -> Appointment:
            return move(appointment.id, status, actor, v["note"])

        # "Save" and "Cancel" would read as "keep" and "cancel it" on a form that cancels: name both plainly.
        form = FormScreen(
            f"{ACTION_WORDS[status]}: {appointment.customer_name}",
            [Field("note", "Reason (optional)")],
            submit,
            ACTION_WORDS[status],
            cancel_label="Back",
        )
        screen.app.push_screen(form, done)
    else:
        screen.call_service(move, appointment.id, status, actor, then=done, group="status")


class AppointmentScreen(ServiceCalls, ModalScreen[Appointment | None]):
    HELP_TITLE = "Appointment"  # the help screen lists its keys under this name (with the Calendar area)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("r", "reschedule", "Reschedule"),
        Binding("m", "assign", "Assign mechanic"),
        Binding("q", "quote", "New quote"),
        Binding("v", "invoice", "Invoice the job"),
    ]

    def __init__(self, appointment_id: int) -> None:
        super().__init__()
        self.appointment_id = appointment_id
        self.appointment: Appointment | None = None
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="appointment-box") as box:
            box.border_title = f"Appointment #{self.appointment_id}"
            yield Static("Loading…", id="appointment-detail")
            yield Static("History", classes="section-title")
            yield FlexTable(TIMELINE_COLUMNS, id="timeline-table", cursor_type="row")
            yield Horizontal(id="status-buttons", classes="buttons")
        # A modal hides the main footer: its own lists r / m / q / v, which no button shows.
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        self.call_service(booking.get_appointment, self.appointment_id, actor=self.app.actor, then=self.show)

    def show(self, a: Appointment) -> None:
        self.appointment = a
        services = ", ".join(s.name for s in a.services)
        lines = [
            f"[b]{a.customer_name}[/b] · {a.vehicle}",
            f"{a.start:%a %d %b %Y %H:%M}–{a.end:%H:%M} · {a.bay}" + (f" · {a.mechanic}" if a.mechanic else ""),
            f"Status: [b]{STATUS_WORDS.get(a.status, a.status)}[/b]",
            f"Services: {services} · {a.duration_minutes} min · {money(a.total_price)}",
        ]
        if a.notes:
            lines.append(f"Notes: {a.notes}")
        self.query_one("#appointment-detail", Static).update("\n".join(lines))
        rows = []
        for n, t in enumerate(a.timeline):
            # The status words of every other screen (short ones: "Parts wait → In progress" fits the column).
            what = (
                t.kind
                if t.kind != "status"
                else f"{status_word(t.from_status or '', True)} → {status_word(t.to_status, True)}"
            )
            rows.append((str(n), (f"{t.at:%d %b %H:%M}", t.actor, what, t.note)))
        self.query_one("#timeline-table", FlexTable).set_rows(rows)
        self.call_later(self._show_buttons, booking.allowed_transitions(a.status))

    async def _show_buttons(self, statuses: tuple[str, ...]) -> None:
        """Replace the buttons once the old ones are gone (a second `show` would otherwise clash on their ids)."""
        buttons = self.query_one("#status-buttons", Horizontal)
        await buttons.remove_children()
        await buttons.mount_all(
            [*(Button(ACTION_WORDS.get(s, s), id=f"to-{s}") for s in statuses), Button("Close", id="close")]
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button_id = event.button.id or ""
        if button_id == "close":
            self.action_close()
        elif button_id.startswith("to-") and self.appointment is not None:
            change_status(self, self.appointment, button_id.removeprefix("to-"), self._moved)

    def _moved(self, result: Appointment | None) -> None:
        if result is not None:
            self.changed = True
            self.app.notify(f"{result.customer_name}: {STATUS_WORDS.get(result.status, result.status)}.")
            self.show(result)

    def action_reschedule(self) -> None:
        """The appointment's free times to pick from (or an exact time to type), in a window of their own.

        An appointment that can no longer move (checked in, cancelled ...) opens it too: the window's
        line says why, in `shop.booking`'s words.
        """
        a = self.appointment
        if a is None:
            return
        from garage_tui.screens.booking import RescheduleScreen  # here: the booking form is not needed before
        from shop import clock, settings

        today = clock.now().astimezone(settings.timezone()).date()
        self.app.push_screen(RescheduleScreen(a, today), self._rescheduled)

    def _rescheduled(self, result: Appointment | None) -> None:
        """Read the appointment again: `reschedule` answers without the history, which gained a line."""
        if result is not None:
            self.changed = True
            self.load()

    def action_assign(self) -> None:
        a = self.appointment
        if a is not None:
            current = (a.mechanic_id, a.mechanic or "") if a.mechanic_id is not None else None
            assign_mechanic(self, a.id, current, f"Mechanic for {a.customer_name} ({a.vehicle})", self._assigned)

    def _assigned(self, result: Appointment | None) -> None:
        if result is not None:
            self.changed = True
            self.app.notify(f"{result.customer_name}: {result.mechanic or 'no mechanic'}.")
            self.show(result)

    def action_quote(self) -> None:
        """A draft quote with this appointment's services, opened in the quote editor."""
        from garage_tui.screens.document import open_for_appointment  # here: document imports jobs, jobs this

        open_for_appointment(self, self.appointment_id, "quote")

    def action_invoice(self) -> None:
        """The job's invoice (a new draft from its work, or the one it has), opened in the invoice editor."""
        from garage_tui.screens.document import open_for_appointment

        open_for_appointment(self, self.appointment_id, "invoice")

    def action_close(self) -> None:
        self.dismiss(self.appointment if self.changed else None)
