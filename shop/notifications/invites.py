"""Calendar invites (RFC 5545 / iTIP) for appointments, built with icalendar.

One UID per appointment, so a client updates the same calendar entry; SEQUENCE grows with every
change; METHOD:REQUEST for a booking or a move, METHOD:CANCEL (STATUS:CANCELLED) for a
cancellation. Times are in the shop's zone with its VTIMEZONE, the location is the shop address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from shop import clock


@dataclass(frozen=True)
class Invite:
    uid: str
    sequence: int
    method: str  # REQUEST | CANCEL
    start: datetime
    end: datetime
    summary: str
    description: str
    location: str
    timezone: str
    organizer_email: str
    organizer_name: str
    attendee_email: str | None
    attendee_name: str
    url: str = ""


def appointment_uid(appointment_id: int, domain: str) -> str:
    return f"appointment-{appointment_id}@{domain}"


def build(invite: Invite) -> bytes:
    # icalendar costs ~50 ms to import; only the sender needs it, not every `garage` command or the TUI.
    from icalendar import Calendar, Event, vCalAddress, vText

    zone = ZoneInfo(invite.timezone)
    cal = Calendar()
    cal.add("prodid", "-//garage//appointments//EN")
    cal.add("version", "2.0")
    cal.add("method", invite.method)
    event = Event()
    event.add("uid", invite.uid)
    event.add("sequence", invite.sequence)
    event.add("dtstamp", clock.now())
    event.add("dtstart", invite.start.astimezone(zone))
    event.add("dtend", invite.end.astimezone(zone))
    event.add("summary", invite.summary)
    event.add("description", invite.description)
    if invite.location:
        event.add("location", invite.location)
    if invite.url:
        event.add("url", invite.url)
    event.add("status", "CANCELLED" if invite.method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = vCalAddress(f"mailto:{invite.organizer_email}")
    organizer.params["cn"] = vText(invite.organizer_name)
    event.add("organizer", organizer)
    if invite.attendee_email:
        attendee = vCalAddress(f"mailto:{invite.attendee_email}")
        attendee.params["cn"] = vText(invite.attendee_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        event.add("attendee", attendee)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
