"""A realistic, deterministic demo shop for `garage init --demo` and `make run`.

Each area appends a step to `STEPS`; steps run in order in one transaction and return any
logins they created (printed by the CLI). Faker is seeded, so two demos are identical.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from faker import Faker

from shop import settings, staff
from shop.db import transaction

SEED = 20261121

Login = dict[str, str]
STEPS: list[Callable[[Faker], list[Login]]] = []


def step(fn: Callable[[Faker], list[Login]]) -> Callable[[Faker], list[Login]]:
    STEPS.append(fn)
    return fn


@step
def shop_settings(fake: Faker) -> list[Login]:
    settings.set_many(
        {
            "shop.name": "Kessler Autoservice",
            "shop.address": "Werkstraße 12, 10115 Berlin",
            "shop.phone": "+49 30 1234567",
            "shop.email": "werkstatt@kessler-auto.example",
            "shop.timezone": "Europe/Berlin",
            "shop.currency": "EUR",
            "tax.rate": "19",
            "phone.region": "DE",
        }
    )
    return []


DEMO_STAFF = [
    ("admin", "Sabine Kessler", "admin", "admin-demo-pass"),
    ("desk", "Jonas Weber", "front_desk", "desk-demo-pass"),
    ("mara", "Mara Schulz", "mechanic", "mara-demo-pass"),
    ("tobias", "Tobias Becker", "mechanic", "tobias-demo-pass"),
    ("lena", "Lena Hoffmann", "mechanic", "lena-demo-pass"),
]


@step
def demo_staff(fake: Faker) -> list[Login]:
    logins = []
    for username, name, role, password in DEMO_STAFF:
        staff.add_staff(username, name, role, password, email=f"{username}@kessler-auto.example")
        if role != "mechanic":
            logins.append({"username": username, "password": password, "role": role})
    return logins


def _load_modules() -> None:
    """Import the areas that contribute demo steps, in dependency order."""
    import importlib

    for name in DEMO_MODULES:
        importlib.import_module(name)


# Areas register their demo steps by being listed here (import order = step order).
DEMO_MODULES: list[str] = [
    "shop.demo_foundation",  # service catalogue, 50 customers with cars
    "shop.demo_scheduling",  # opening hours, bays, mechanics' hours, four weeks of appointments
    "shop.demo_billing",  # parts and stock, jobs and invoices for completed appointments, quotes
    "shop.demo_portal",  # a customer portal log-in, published reviews
    "shop.demo_notify",  # messages about the demo's past count as delivered
]


@transaction
def load(extra: dict[str, Any] | None = None) -> list[Login]:
    _load_modules()
    fake = Faker(["de_DE"])
    fake.seed_instance(SEED)
    logins: list[Login] = []
    for fn in STEPS:
        logins.extend(fn(fake))
    return logins
