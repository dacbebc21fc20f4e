"""The "assign a mechanic" form, shared by the appointment screen and the jobs board.

The choice is checked by `shop.booking.assign_mechanic` (working hours, time off, another
appointment at that time); its reason shows under the field, a clash with another appointment
under the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from garage_tui.widgets.form import Field, FormScreen
from shop import booking, staff
from shop.auth import can
from shop.booking import Appointment
from shop.staff import StaffMember

NOBODY = "-"


def assign_mechanic(
    host: Any,
    appointment_id: int,
    current: tuple[int, str] | None,
    title: str,
    done: Callable[[Appointment | None], Any],
) -> None:
    """Load the active mechanics in a worker, then open the form on HOST (a widget or screen with `call_service`)."""
    actor = host.app.actor
    if not can(actor, "booking.assign"):
        host.app.notify("Only the front desk or an admin can assign mechanics.", severity="warning")
        return

    def open_form(mechanics: list[StaffMember]) -> None:
        def submit(v: dict[str, Any]) -> Appointment:
            choice = v["mechanic"]
            return booking.assign_mechanic(appointment_id, None if choice in ("", NOBODY) else int(choice), actor=actor)

        options = [("Nobody", NOBODY), *((f"{m.full_name} ({m.username})", str(m.id)) for m in mechanics)]
        value = str(current[0]) if current is not None else NOBODY
        if current is not None and value not in {v for _, v in options}:  # deactivated since: still say who
            options.append((current[1], value))
        note = "The mechanic must work at that time, not be off, and be free of other appointments."
        fields = [Field("mechanic", "Mechanic", value, "select", options)]
        host.app.push_screen(FormScreen(title, fields, submit, "Assign", note=note), done)

    host.call_service(staff.list_staff, role="mechanic", actor=actor, then=open_form, group="mechanics")
