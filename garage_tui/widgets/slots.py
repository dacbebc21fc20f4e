"""The free-times table and the mechanic / typed-time inputs shared by the booking form and the
"book an accepted quote" window.

One place lists the free slots, puts the cursor on a wanted time and turns a lost race (`Conflict`
with the nearest free times) into a fresh list instead of an error dump; the screens keep their own
error line and say what Enter on a row books. `BookingChoices` holds the optional mechanic (whose
free times are listed and who gets the job) and an exact time typed in; the services check both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Select

from garage_tui.widgets.pane import add_columns
from garage_tui.widgets.service import ServiceCalls
from shop import staff
from shop.booking import Slot
from shop.errors import Conflict, ShopError, ValidationError
from shop.quotes import NotBookable
from shop.staff import StaffMember

SLOT_DAYS = 3


class SlotPicker(DataTable[str]):
    """A row-cursor table of free times (`slots` in row order); SAY shows a line under it on the host screen."""

    def __init__(self, say: Callable[[str], object], *, id: str) -> None:
        super().__init__(id=id, cursor_type="row")
        self.say = say
        self.slots: list[Slot] = []

    def on_mount(self) -> None:
        add_columns(self, ("Day", 16), ("Time", 13))

    def show(self, slots: list[Slot], note: str = "", at: datetime | None = None) -> None:
        """List SLOTS with NOTE (or the "nothing free" hint), the cursor on AT if offered, and take the focus."""
        self.slots = list(slots)
        self.clear()
        for slot in self.slots:
            self.add_row(f"{slot.start:%a %d %b}", f"{slot.start:%H:%M}–{slot.end:%H:%M}")
        self.say(note or ("" if slots else f"No free time in the {SLOT_DAYS} days from that day; try a later day."))
        if slots:
            if at is not None:
                self.move_cursor(row=next((i for i, s in enumerate(self.slots) if s.start == at), 0))
            self.focus()

    def failed(self, error: ShopError) -> None:
        """Show why finding or booking failed; a taken time lists the nearest free times to pick from.

        A `Conflict` without alternatives means nothing near the time is free: the emptied list says so
        and asks for another day. `NotBookable` (the quote itself cannot be booked: not accepted, already
        booked) is only its message, as another time or day would not help.
        """
        if isinstance(error, NotBookable):
            self.say(str(error))
        elif isinstance(error, Conflict) and error.alternatives:
            self.show(error.alternatives, f"{error} Nearest free times are listed; pick one.")
        elif isinstance(error, Conflict):
            self.show([], f"{error} No free time was found near it; pick another day and find free times again.")
        elif isinstance(error, ValidationError):
            self.say("; ".join(f"{k}: {v}" if k else v for k, v in error.fields.items()))
        else:
            self.say(str(error))


class BookingChoices(ServiceCalls, Vertical):
    """An optional mechanic and an optional exact time, with ids `<prefix>-mechanic` and `<prefix>-at`.

    The host screen lists the free times with `mechanic_id` (only the times that mechanic is free) and
    passes it to the booking, so the mechanic gets the job; Enter in the time field (an `Input.Submitted`
    the host handles) books `typed_time` as it is. Whether the mechanic works then, or the time is free
    and on the grid, is for `shop.booking` to say.
    """

    DEFAULT_CSS = """
    BookingChoices { height: auto; }
    BookingChoices Horizontal { height: auto; }
    BookingChoices Select { width: 1fr; }
    BookingChoices SelectCurrent Static#label { text-wrap: nowrap; text-overflow: ellipsis; }
    BookingChoices Input { width: 20; padding: 0 1; }
    """

    def __init__(self, prefix: str) -> None:
        super().__init__(id=f"{prefix}-choices")
        self.prefix = prefix

    def compose(self) -> ComposeResult:
        yield Label("Mechanic (optional) · or time + Enter")
        with Horizontal():
            yield Select[int]([], prompt="anyone", id=f"{self.prefix}-mechanic")
            yield Input(placeholder="YYYY-MM-DD HH:MM", id=f"{self.prefix}-at")

    def on_mount(self) -> None:
        self.call_service(
            staff.list_staff, role="mechanic", actor=self.app.actor, then=self._mechanics, group="mechanics"
        )

    def _mechanics(self, found: list[StaffMember]) -> None:
        self.query_one(f"#{self.prefix}-mechanic", Select).set_options((m.full_name, m.id) for m in found)

    @property
    def mechanic_id(self) -> int | None:
        """The mechanic picked, or None for whoever is free (the booking then has nobody assigned)."""
        value = self.query_one(f"#{self.prefix}-mechanic", Select).value
        return value if isinstance(value, int) else None

    @property
    def typed_time(self) -> str:
        return self.query_one(f"#{self.prefix}-at", Input).value.strip()
