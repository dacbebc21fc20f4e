"""The foundation's demo data: a realistic catalogue and 50 customers with 1-2 cars, deterministic."""

from __future__ import annotations

from faker import Faker

from shop import catalog, customer_csv, customers, demo, vehicles
from shop.db import close_database, open_database


def _run_steps() -> str:
    from shop import demo_foundation

    fake = Faker(["de_DE"])
    fake.seed_instance(demo.SEED)
    demo_foundation.demo_catalogue(fake)
    demo_foundation.demo_customers(fake)
    return customer_csv.export_customers()


def test_demo_has_12_services_in_4_categories_and_50_customers_with_cars(db, tmp_path) -> None:
    exported = _run_steps()
    assert len(catalog.list_categories()) == 4
    services = catalog.list_services()
    assert len(services) == 12
    assert all(s.duration_minutes % 15 == 0 and s.price > 0 for s in services)
    everyone = customers.list_customers(limit=0)
    assert len(everyone) == 50
    per_customer = [len(vehicles.list_vehicles(customer_id=c.id)) for c in everyone]
    assert set(per_customer) <= {1, 2} and 2 in per_customer
    assert all(c.phone for c in everyone)

    # Same seed, fresh database: the same shop.
    close_database()
    open_database(f"sqlite:///{tmp_path / 'again.db'}", create=True)
    try:
        assert _run_steps() == exported
    finally:
        close_database()
        open_database(db.url)


def test_demo_module_is_listed_first_so_later_areas_can_use_services_and_cars() -> None:
    assert demo.DEMO_MODULES[0] == "shop.demo_foundation"
