"""Calendar invites (RFC 5545 / iTIP) for appointments, built with icalendar.

One UID per appointment, so a client updates the same calendar entry; SEQUENCE grows with every
change; METHOD:REQUEST for a booking or a move, METHOD:CANCEL (STATUS:CANCELLED) for a
cancellation. Times are in the shop's zone with its VTIMEZONE, the location is the shop address.

The VTIMEZONE is most of an invite: icalendar derives it from the zone's transitions 1970-2038
(about 6 ms to compute and 4 ms to serialise for Europe/Berlin), and the booking transaction builds
the confirmation's invite. Zone data cannot change while a process runs, so each zone's VTIMEZONE
is built and serialised once per process and spliced into every invite as bytes.
"""

from __future__ import annotations

import functools
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


@functools.lru_cache(maxsize=16)
def vtimezone(tzid: str) -> bytes:
    """TZID's VTIMEZONE, serialised: exactly what `Calendar.add_missing_timezones` would add (same
    default 1970-2038 range), computed once per zone per process (see the module docstring)."""
    from icalendar import Timezone

    return Timezone.from_tzid(tzid).to_ical()


_END = b"END:VCALENDAR\r\n"


def build(invite: Invite) -> bytes:
    """The invite as an iCalendar file: the calendar's own lines, then the zone's VTIMEZONE (before
    the event that refers to it, where `add_missing_timezones` puts it), then the VEVENT."""
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
    head = cal.to_ical()  # no subcomponents yet: BEGIN, PRODID, VERSION, METHOD, END
    if not head.endswith(_END):
        raise RuntimeError(f"unexpected end of an icalendar calendar: {head[-40:]!r}")
    return head[: -len(_END)] + vtimezone(invite.timezone) + event.to_ical() + _END
