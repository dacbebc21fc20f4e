"""Demo data for the foundation: the service catalogue and 50 customers with their cars.

Prices and durations are what an independent German shop charges in 2026 (labour and small
parts, VAT included). Everything derives from the seeded Faker passed in, so two demos match.
"""

from __future__ import annotations

import phonenumbers
from faker import Faker

from shop import catalog, clock, customers, demo, vehicles

CATALOGUE: list[tuple[str, list[tuple[str, int, str, str, str | None]]]] = [
    (
        "Maintenance",
        [
            ("Oil and filter change", 45, "89.00", "Engine oil (up to 5 l), oil filter, level check", None),
            ("Annual inspection", 120, "249.00", "Manufacturer service plan: fluids, filters, 40-point check", None),
            ("Air-conditioning service", 60, "119.00", "Refrigerant recovery and refill, leak test", None),
        ],
    ),
    (
        "Brakes",
        [
            ("Front brake pads", 90, "189.00", "Replace front pads, clean callipers, test drive", None),
            ("Front brake discs and pads", 150, "389.00", "Replace front discs and pads", None),
            ("Brake fluid change", 45, "69.00", "Flush and refill DOT 4 brake fluid", None),
        ],
    ),
    (
        "Tyres & wheels",
        [
            ("Seasonal tyre change", 30, "39.00", "Swap summer/winter wheels, check pressure", None),
            ("Tyre fitting and balancing", 45, "59.00", "Fit and balance four new tyres", None),
            ("Wheel alignment", 60, "89.00", "Four-wheel laser alignment", None),
        ],
    ),
    (
        "Diagnostics & repairs",
        [
            ("Engine diagnostics", 60, "99.00", "Fault memory read-out and guided diagnosis", "diagnostics"),
            ("Battery replacement", 30, "49.00", "Fit and code a new battery (battery extra)", None),
            ("Timing belt replacement", 240, "549.00", "Timing belt, tensioner and water pump", "engine"),
        ],
    ),
]

# (make, model, WMI + VDS prefix used to build a plausible European VIN); bench/generate.py draws from these too
CARS = [
    ("Volkswagen", "Golf", "WVWZZZ1K"),
    ("Volkswagen", "Polo", "WVWZZZ6R"),
    ("Volkswagen", "Passat", "WVWZZZ3C"),
    ("BMW", "320d", "WBA8E110"),
    ("Mercedes-Benz", "C 200", "WDD20504"),
    ("Audi", "A4 Avant", "WAUZZZ8K"),
    ("Opel", "Astra", "W0LPD6ED"),
    ("Ford", "Focus", "WF0XXXGC"),
    ("Skoda", "Octavia", "TMBJG7NE"),
    ("Toyota", "Yaris", "VNKKD3D3"),
    ("Renault", "Clio", "VF15RSN0"),
    ("Seat", "Leon", "VSSZZZ5F"),
    ("Hyundai", "i30", "TMAD381U"),
    ("Fiat", "500", "ZFA31200"),
]
COLOURS = ["black", "white", "silver", "grey", "blue", "red", "dark blue", "green"]
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY"  # 2010, 2011, ... (I, O, Q, U, Z and 0 are never used)
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_UMLAUTS = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"))


def vin_year_code(year: int) -> str:
    """The VIN's model-year character (position 10). Also used by bench/generate.py, so both make alike VINs."""
    return str(year - 2000) if year < 2010 else _YEAR_CODES[year - 2010]


def fold_umlauts(text: str) -> str:
    """German umlauts and ß spelt out (ä -> ae), as people do in e-mail addresses. Shared with bench/generate.py."""
    for umlaut, spelt in _UMLAUTS:
        text = text.replace(umlaut, spelt)
    return text


def _vin(fake: Faker, prefix: str, year: int) -> str:
    return (
        prefix
        + fake.random_element(_VIN_CHARS)
        + vin_year_code(year)
        + fake.random_element("ABCDEFGH")
        + (fake.numerify("######"))
    )


def _phone(fake: Faker, used: set[str]) -> str:
    while True:
        prefix = fake.random_element(["030", "030", "0151", "0160", "0170", "0176"])
        number = f"{prefix} {fake.numerify('#######' if prefix == '030' else '########')}"
        parsed = phonenumbers.parse(number, "DE")
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(parsed) and e164 not in used:
            used.add(e164)
            return number


@demo.step
def demo_catalogue(fake: Faker) -> list[demo.Login]:
    for category, services in CATALOGUE:
        catalog.add_category(category)
        for name, minutes, price, description, capability in services:
            catalog.add_service(name, category, minutes, price, description=description, requires_capability=capability)
    return []


@demo.step
def demo_customers(fake: Faker) -> list[demo.Login]:
    this_year = clock.now().year
    phones: set[str] = set()
    emails: set[str] = set()
    plates: set[str] = set()
    for _ in range(50):
        first, last = fake.first_name(), fake.last_name()
        local = fold_umlauts(f"{first}.{last}".lower().replace(" ", ""))
        email = f"{local}@{fake.random_element(['example.com', 'example.net', 'example.org'])}"
        while email in emails:
            email = email.replace("@", f"{fake.random_int(1, 99)}@", 1)
        emails.add(email)
        notes = fake.random_element(["", "", "", "prefers morning appointments", "company car", "call, no e-mail"])
        customer = customers.add_customer(
            f"{first} {last}",
            phone=_phone(fake, phones),
            email=email if fake.random_int(1, 10) > 1 else None,
            address=f"{fake.street_address()}, {fake.postcode()} Berlin",
            notes=notes,
        )
        for _car in range(fake.random_element([1, 1, 1, 2])):
            make, model, prefix = fake.random_element(CARS)
            year = fake.random_int(2008, this_year - 1)
            plate = f"B-{fake.lexify('??').upper()} {fake.random_int(1, 9999)}"
            while plate in plates:
                plate = f"B-{fake.lexify('??').upper()} {fake.random_int(1, 9999)}"
            plates.add(plate)
            vehicles.add_vehicle(
                customer.id,
                make,
                model,
                year=year,
                vin=_vin(fake, prefix, year) if fake.random_int(1, 3) > 1 else None,
                plate=plate,
                colour=fake.random_element(COLOURS),
                mileage=(this_year - year) * fake.random_int(8_000, 19_000) + fake.random_int(0, 999),
            )
    return []
