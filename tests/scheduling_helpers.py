"""A small shop for the scheduling and booking tests: hours, bays, services, a customer with a car."""

from __future__ import annotations

from dataclasses import dataclass

from shop import catalog, customers, vehicles
from shop.scheduling import calendar


@dataclass(frozen=True)
class Shop:
    customer_id: int
    car_id: int
    other_customer_id: int
    other_car_id: int
    oil: int  # 60 min, 89.00
    brakes: int  # 90 min, 240.00
    alignment: int  # 45 min, needs the alignment capability
    quick: int  # 30 min


def make_shop(bays: int = 1, alignment_bay: bool = False) -> Shop:
    calendar.set_hours("mon-fri", "08:00-12:00,13:00-17:30")
    calendar.set_hours("sat", "09:00-13:00")
    for i in range(bays):
        calendar.add_bay(f"Bay {i + 1}", "lift")
    if alignment_bay:
        calendar.add_bay("Alignment", "lift,alignment")
    catalog.add_category("Maintenance")
    oil = catalog.add_service("Oil change", "Maintenance", 60, "89.00")
    brakes = catalog.add_service("Brake pads", "Maintenance", 90, "240.00")
    align = catalog.add_service("Wheel alignment", "Maintenance", 45, "79.00", requires_capability="alignment")
    quick = catalog.add_service("Wiper blades", "Maintenance", 30, "25.00")
    anna = customers.add_customer("Anna Berg", phone="+49 30 5550101", email="anna@example.com")
    car = vehicles.add_vehicle(anna.id, "VW", "Golf", 2018, plate="B-AB 1234")
    ben = customers.add_customer("Ben Kurz", phone="+49 30 5550102", email="ben@example.com")
    car2 = vehicles.add_vehicle(ben.id, "Opel", "Astra", 2015, plate="B-CD 5678")
    return Shop(anna.id, car.id, ben.id, car2.id, oil.id, brakes.id, align.id, quick.id)
