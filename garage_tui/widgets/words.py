"""Words the staff screens show for appointment statuses, long and short, and how they write money.

Kept apart from the appointment screen so the Today board (the first screen) can label its rows
without importing that screen and the job and invoice services behind it.
"""

from __future__ import annotations

from decimal import Decimal

STATUS_WORDS = {
    "scheduled": "Scheduled",
    "checked_in": "Checked in",
    "in_progress": "In progress",
    "waiting_parts": "Waiting for parts",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "no_show": "No-show",
}
# At most 11 characters: the Status column of a table at 80 columns.
STATUS_SHORT = {**STATUS_WORDS, "waiting_parts": "Parts wait"}


def status_word(status: str, short: bool = False) -> str:
    return (STATUS_SHORT if short else STATUS_WORDS).get(status, status)


def money(value: Decimal) -> str:
    """An amount with thousands separators ("5,069.02"): the same on Today, Billing and Reports."""
    return f"{value:,.2f}"
