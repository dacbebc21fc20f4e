"""Demo data for parts, jobs, quotes and invoices.

A parts shelf with stock (a few parts below their re-order level); a job for every completed demo
appointment (check-in mileage, time clock, parts from stock, sometimes extra labour) with its
invoice issued when the work ended; most invoices paid, some partly, a few outstanding; and
quotes in every status. Each job is recorded with the clock set to when it happened, so the
ledger, invoice numbers and reports read like a real fortnight.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from faker import Faker

from shop import clock, demo, inventory, invoices, jobs, quotes, settings, vehicles
from shop.errors import ShopError
from shop.models import Appointment, AppointmentService, Customer, Part, Service, Vehicle
from shop.models.jobs import Job, JobLabour, JobPart, TimeEntry

PARTS = [
    # sku, name, supplier, cost, price, reorder level, reorder qty, bin, stock
    ("OIL-5W30", "Engine oil 5W-30 (1 l)", "Liqui Moly", "6.20", "14.90", "20", "60", "A1", "400"),
    ("FLT-OIL", "Oil filter", "Mann", "4.10", "11.90", "5", "10", "A2", "80"),
    ("FLT-AIR", "Air filter", "Mann", "7.50", "19.90", "4", "10", "A3", "40"),
    ("FLT-CABIN", "Cabin filter", "Bosch", "8.20", "24.90", "4", "10", "A3", "3"),
    ("BRK-PAD-F", "Brake pads, front axle set", "ATE", "28.00", "69.00", "3", "6", "B1", "40"),
    ("BRK-DISC-F", "Brake discs, front pair", "ATE", "52.00", "129.00", "2", "4", "B2", "16"),
    ("BRK-FLUID", "Brake fluid DOT 4 (1 l)", "ATE", "5.90", "14.50", "6", "12", "B3", "40"),
    ("WIPER-600", "Wiper blade 600 mm", "Bosch", "9.80", "24.90", "6", "12", "C1", "5"),
    ("BULB-H7", "Bulb H7 12 V", "Osram", "3.10", "8.90", "10", "20", "C2", "25"),
    ("SPARK-PLUG", "Spark plug", "NGK", "5.40", "13.90", "8", "16", "C3", "40"),
    ("BAT-70", "Battery 70 Ah AGM", "Varta", "78.00", "159.00", "2", "4", "D1", "8"),
    ("COOLANT", "Coolant G13 (1 l)", "VW", "4.50", "11.90", "6", "12", "B3", "12"),
    ("AC-GAS", "Refrigerant R1234yf (100 g)", "Honeywell", "9.00", "19.90", "10", "20", "D2", "200"),
]

# words in a service name -> parts (sku, quantity) its job uses
SERVICE_PARTS = [
    ("oil", [("OIL-5W30", "4.5"), ("FLT-OIL", "1")]),
    ("inspection", [("OIL-5W30", "4.5"), ("FLT-OIL", "1"), ("FLT-AIR", "1"), ("FLT-CABIN", "1")]),
    ("discs", [("BRK-DISC-F", "1"), ("BRK-PAD-F", "1")]),
    ("pads", [("BRK-PAD-F", "1")]),
    ("brake fluid", [("BRK-FLUID", "1")]),
    ("air-conditioning", [("AC-GAS", "5")]),
    ("battery", [("BAT-70", "1")]),
    ("spark", [("SPARK-PLUG", "4")]),
    ("coolant", [("COOLANT", "3")]),
]
EXTRA_WORK = ["Replace wiper blades", "Replace headlight bulb", "Top up coolant", "Check rattling noise"]


def _at(when: datetime):  # type: ignore[no-untyped-def]
    return clock.use_clock(clock.FrozenClock(when))


@demo.step
def demo_parts(fake: Faker) -> list[demo.Login]:
    settings.set_value(
        "invoice.footer",
        "Berliner Sparkasse · IBAN DE89 1005 0000 0123 4567 89 · BIC BELADEBEXXX · Payable within 14 days",
    )
    with _at(clock.now() - timedelta(days=21)):
        for sku, name, supplier, cost, price, level, qty, bin_location, stock in PARTS:
            inventory.add_part(sku, name, price, cost, supplier, level, qty, bin_location)
            inventory.receive(sku, stock, reference=f"DN-{fake.random.randint(10000, 99999)}")
    return []


def _parts_for(names: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name in names:
        lowered = name.lower()
        for word, items in SERVICE_PARTS:
            if word in lowered:
                out.extend(items)
                break
    return out


def _job_for(rnd, appt: Appointment, now: datetime) -> None:  # type: ignore[no-untyped-def]
    services = list(AppointmentService.select().where(AppointmentService.appointment == appt.id))
    minutes = sum(s.duration_minutes for s in services)
    start = appt.start_at
    with _at(start):
        vehicle = Vehicle.get_by_id(appt.vehicle_id)
        mileage = None
        if vehicle.mileage is not None:
            mileage = vehicles.record_mileage(vehicle.id, vehicle.mileage + rnd.randint(300, 2500), "check-in").mileage
        job = Job.create(
            appointment=appt.id,
            mechanic=appt.mechanic_id,
            mileage=mileage,
            complaint=rnd.choice(["", "", "Warning light on", "Noise when braking", "Service due"]),
            checked_in_at=start,
            created_at=start,
        )
    if appt.mechanic_id:
        worked = int(minutes * 60 * rnd.uniform(0.75, 1.3))
        TimeEntry.create(
            job=job.id,
            mechanic=appt.mechanic_id,
            started_at=start,
            ended_at=start + timedelta(seconds=worked),
            seconds=worked,
        )
    end = min(start + timedelta(minutes=minutes), now)
    with _at(end):
        for sku, qty in _parts_for([s.name for s in services]):
            try:
                move = inventory.use(sku, qty, job_id=job.id, reference=f"job {job.id}")
            except ShopError:
                continue  # shelf empty: the demo, like the shop, carries on without it
            price = Part.get_by_id(move.part_id).price
            JobPart.create(
                job=job.id, part=move.part_id, movement=move.id, quantity=-move.quantity, unit_price=price, at=end
            )
        if rnd.random() < 0.25:
            hours = Decimal(rnd.choice(["0.5", "0.5", "1.0", "1.5"]))
            JobLabour.create(
                job=job.id,
                mechanic=appt.mechanic_id,
                description=rnd.choice(EXTRA_WORK),
                hours=hours,
                rate=settings.get_decimal("labour.rate"),
                at=end,
            )
        Job.update(completed_at=end).where(Job.id == job.id).execute()
        draft = jobs.create_invoice(job.id)
        issued = invoices.issue(draft.id)
    roll = rnd.random()
    if roll < 0.8:
        with _at(end + timedelta(minutes=20)):
            invoices.pay(issued.id, issued.totals.total, method=rnd.choice(["card", "card", "cash", "transfer"]))
    elif roll < 0.9:
        later = min(end + timedelta(days=rnd.randint(1, 6)), now)
        half = (issued.totals.total / 2).quantize(Decimal("0.01"))
        with _at(later):
            invoices.pay(issued.id, half, method="transfer", reference="first instalment")


@demo.step
def demo_jobs_and_invoices(fake: Faker) -> list[demo.Login]:
    rnd = fake.random
    now = clock.now()
    done = (
        Appointment.select()
        .where(Appointment.status == "completed", Appointment.end_at <= now)
        .order_by(Appointment.start_at, Appointment.id)
    )
    for appt in done:
        _job_for(rnd, appt, now)
    # Cars in the workshop right now: open jobs, their mechanics clocked on (one job each).
    clocked: set[int] = set()
    for appt in Appointment.select().where(Appointment.status.in_(jobs.OPEN_STATUSES)).order_by(Appointment.start_at):
        start = min(appt.start_at, now)
        job = Job.create(
            appointment=appt.id,
            mechanic=appt.mechanic_id,
            complaint=rnd.choice(["", "Warning light on", "Vibration at speed"]),
            checked_in_at=start,
            created_at=start,
        )
        if appt.mechanic_id and appt.status == "in_progress" and appt.mechanic_id not in clocked:
            clocked.add(appt.mechanic_id)
            TimeEntry.create(job=job.id, mechanic=appt.mechanic_id, started_at=start)
    return []


@demo.step
def demo_quotes(fake: Faker) -> list[demo.Login]:
    rnd = fake.random
    cars = list(Vehicle.select().join(Customer).where(Customer.archived == False).order_by(Vehicle.id).limit(12))
    services = list(Service.select().where(Service.active == True).order_by(Service.id))
    if not cars or len(services) < 3:
        return []
    plans = ["draft", "sent", "partly", "declined", "sent", "accepted"]
    for i, plan in enumerate(plans):
        car = cars[(i * 2) % len(cars)]
        with _at(clock.now() - timedelta(days=rnd.randint(1, 10))):
            quote = quotes.create_quote(car.customer_id, car.id, notes="Found during inspection")
            for service in rnd.sample(services, 2):
                quotes.add_line(quote.id, "service", service=service.id)
            quotes.add_line(quote.id, "part", part=rnd.choice(PARTS)[0], quantity="1")
            quotes.add_line(quote.id, "labour", description="Additional labour", quantity="0.5")
            if plan == "draft":
                continue
            quotes.send(quote.id)
            if plan == "partly":
                quotes.accept(quote.id, [1, 3])
                quotes.decline(quote.id)
            elif plan == "declined":
                quotes.decline(quote.id)
            elif plan == "accepted":
                quotes.accept(quote.id)
    return []
