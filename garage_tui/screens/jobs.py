"""Jobs board: open jobs (a mechanic's own first) with the time clock, notes, labour, parts and status."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from garage_tui.screens.appointment import STATUS_WORDS
from garage_tui.widgets.assign import assign_mechanic
from garage_tui.widgets.form import Field, FormScreen
from garage_tui.widgets.pane import AreaPane, PaneTable, add_columns
from shop import booking, inventory, jobs
from shop.amounts import fmt_quantity
from shop.auth import Actor
from shop.errors import ValidationError
from shop.jobs import JobInfo


def load_jobs(actor: Actor) -> list[JobInfo]:
    """The open jobs with their details (oldest check-in first; for a mechanic, their own jobs first)."""
    return jobs.board(actor=actor)


def clocked_on(job: JobInfo) -> list[str]:
    """The login names of the mechanics whose clock runs on JOB (the actor is known by login name)."""
    return [t.mechanic for t in job.time if t.ended_at is None]


def name_cell(text: str) -> Text:
    """A staff name cut with "…" where its column is narrow (80 columns), never read as markup."""
    return Text(text, no_wrap=True, overflow="ellipsis")


def toggle_clock(job_id: int, actor: Actor) -> tuple[str, JobInfo]:
    """Clock the actor off if their clock runs on this job, else clock them on it."""
    if actor.name in clocked_on(jobs.get_job(job_id, actor=actor)):
        return "off", jobs.clock_off(actor=actor)
    return "on", jobs.clock_on(job_id, actor=actor)


def find_sku(text: str, actor: Actor) -> str:
    """The SKU the mechanic means: an exact SKU, or the only part whose SKU or name contains the text."""
    wanted = (text or "").strip()
    if not wanted:
        raise ValidationError({"sku": "type a SKU or part of its name"})
    found = inventory.list_parts(search=wanted, actor=actor)
    exact = [p for p in found if p.sku.upper() == wanted.upper()]
    if exact:
        return exact[0].sku
    if not found:
        raise ValidationError({"sku": f"no part matches {wanted!r}"})
    if len(found) > 1:
        raise ValidationError({"sku": "several parts match: " + ", ".join(p.sku for p in found[:6])})
    return found[0].sku


def booked_part_text(job: JobInfo) -> str:
    """The part line just booked (the newest), e.g. "2 × Brake pads, front (BRK-PAD-F)"."""
    if not job.parts:
        return "Part"
    part = max(job.parts, key=lambda p: p.id)
    return f"{fmt_quantity(part.quantity)} × {part.name} ({part.sku})"


class JobsTable(PaneTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "forward('clock')", "Clock on/off"),
        Binding("n", "forward('note')", "Note"),
        Binding("l", "forward('labour')", "Labour"),
        Binding("p", "forward('part')", "Use part"),
        Binding("s", "forward('status')", "Next status"),
        Binding("a", "forward('assign')", "Assign mechanic"),
        Binding("ctrl+r", "forward('reload')", "Refresh"),
    ]


class JobsPane(AreaPane):
    COMMANDS: ClassVar[list[tuple[str, str, str]]] = [
        ("Clock on/off", "Start or stop your time clock on the highlighted job", "clock"),
        ("Refresh jobs", "Reload the jobs board now", "reload"),
        ("Assign mechanic", "Give the highlighted job to a mechanic (front desk, admin)", "assign"),
    ]
    HELP_PARTS: ClassVar[list[type]] = [JobsTable]
    PERMISSIONS: ClassVar[dict[str, str]] = {"assign": "booking.assign"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: dict[int, JobInfo] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="jobs-summary", classes="hint")
        yield JobsTable(id="jobs-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        add_columns(
            self.query_one("#jobs-table", DataTable),
            ("Job", 6),
            ("Customer", 20),
            ("Car", 13),  # the plate (or make and model): Status stays in view at 80 columns
            ("Mechanic", 10),
            ("Status", 17),
            ("On clock", 14),
            ("Hours", 6),
            ("Complaint", 24),
        )
        self.action_reload()

    def activate(self) -> None:
        self.action_reload()
        super().activate()

    def focus_main(self) -> None:
        self.query_one("#jobs-table").focus()

    def action_reload(self) -> None:
        self.call_service(load_jobs, self.actor, then=self.show, group="jobs")

    def show(self, infos: list[JobInfo]) -> None:
        table = self.query_one("#jobs-table", DataTable)
        selected = self._selected()
        table.clear()
        self.rows = {j.id: j for j in infos}
        for j in infos:
            table.add_row(
                f"#{j.id}",
                j.customer_name,
                j.vehicle or "",
                name_cell(j.mechanic_name or ""),
                STATUS_WORDS.get(j.status, j.status),
                name_cell(", ".join(t.mechanic_name for t in j.time if t.ended_at is None)),
                str(j.billed_hours),
                j.complaint,
                key=str(j.id),
            )
        mine = sum(1 for j in infos if j.mechanic == self.actor.name)
        keys = "o clock on/off · n note · l labour · p part · s status"
        if self.may(self.actor, "assign"):
            keys += " · a assign"
        self.query_one("#jobs-summary", Static).update(f"{len(infos)} open jobs, {mine} assigned to you · {keys}")
        if selected is not None and selected.id in self.rows:
            table.move_cursor(row=list(self.rows).index(selected.id))

    def _selected(self) -> JobInfo | None:
        table = self.query_one("#jobs-table", DataTable)
        if not self.rows or table.cursor_row < 0:
            return None
        return self.rows.get(int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    def _done(self, message: str) -> Any:
        def after(result: Any) -> None:
            if result is not None:
                self.app.notify(message)
                self.action_reload()

        return after

    def action_clock(self) -> None:
        job = self._selected()
        if job is None:
            return

        def clocked(result: tuple[str, JobInfo]) -> None:
            way, info = result
            self.app.notify(f"Clocked {way} job #{info.id}.")
            self.action_reload()

        self.call_service(toggle_clock, job.id, self.actor, then=clocked, group="jobs-clock")

    def action_note(self) -> None:
        job = self._selected()
        if job is None:
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> JobInfo:
            return jobs.add_note(job.id, v["text"], actor=actor)

        form = FormScreen(f"Note on job #{job.id} ({job.customer_name})", [Field("text", "Note")], submit, "Add note")
        self.app.push_screen(form, self._done(f"Note added to job #{job.id}."))

    def action_labour(self) -> None:
        job = self._selected()
        if job is None:
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> JobInfo:
            return jobs.add_labour(job.id, v["hours"], v["description"], actor=actor)

        fields = [Field("description", "Work done", "Labour"), Field("hours", "Hours (e.g. 1.5)")]
        form = FormScreen(f"Labour on job #{job.id} ({job.customer_name})", fields, submit, "Add labour")
        self.app.push_screen(form, self._done(f"Labour added to job #{job.id}."))

    def action_part(self) -> None:
        job = self._selected()
        if job is None:
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> JobInfo:
            return jobs.use_part(job.id, find_sku(v["sku"], actor), v["quantity"], actor=actor)

        fields = [
            Field("sku", "Part (SKU or part of its name)", placeholder="OIL-5W30"),
            Field("quantity", "Quantity", "1"),
        ]
        form = FormScreen(f"Use a part on job #{job.id} ({job.customer_name})", fields, submit, "Use part")
        self.app.push_screen(form, self._part_booked)

    def _part_booked(self, result: JobInfo | None) -> None:
        """Say which part and how many: the form closes, so the notice is the mechanic's only check."""
        if result is not None:
            self.app.notify(f"{booked_part_text(result)} booked to job #{result.id}.")
            self.action_reload()

    def action_status(self) -> None:
        job = self._selected()
        if job is None:
            return
        steps = [s for s in booking.allowed_transitions(job.status) if s not in ("cancelled", "no_show")]
        if not steps:
            self.app.notify(f"Job #{job.id} has no next step.", severity="warning")
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> JobInfo:
            if not v["status"]:
                raise ValidationError({"status": "choose the next status"})
            return jobs.set_status(job.id, v["status"], v["note"], actor=actor)

        fields = [
            Field("status", "Next status", steps[0], "select", [(STATUS_WORDS.get(s, s), s) for s in steps]),
            Field("note", "Note (optional)"),
        ]
        now = STATUS_WORDS.get(job.status, job.status)
        form = FormScreen(f"Job #{job.id} is {now.lower()}", fields, submit, "Move")
        self.app.push_screen(form, self._moved)

    def _moved(self, result: JobInfo | None) -> None:
        """Say where the job went: a completed job leaves the board, so the notice is all that shows it."""
        if result is not None:
            word = STATUS_WORDS.get(result.status, result.status)
            self.app.notify(f"Job #{result.id} ({result.customer_name}): {word}.")
            self.action_reload()

    def action_assign(self) -> None:
        job = self._selected()
        if job is None:
            return
        current = (job.mechanic_id, job.mechanic or "") if job.mechanic_id is not None else None
        title = f"Mechanic for job #{job.id} ({job.customer_name})"
        assign_mechanic(self, job.appointment_id, current, title, self._done(f"Job #{job.id} reassigned."))
