"""Realistic data at scale, shared by every benchmark.

    python -m bench.generate --customers 100000 --csv bench/data/customers-100000.csv
    python -m bench.generate --customers 100000 --db sqlite:///bench.db   # a ready shop database

Customers get German phone numbers (mostly mobile), unique e-mails, Berlin-area addresses and
1-2 cars (about 1.3 on average) with unique plates, half of them with a VIN. The same seed
always gives the same data, so runs on different days compare.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from faker import Faker

from shop.demo_foundation import CARS, COLOURS, fold_umlauts, vin_year_code

SEED = 20261202
CITY_CODES = ["B", "P", "HH", "M", "K", "F", "S", "D", "L", "DD", "H", "HB", "BAR", "LOS", "OHV", "TF", "PM"]
MOBILE = ["0151", "0152", "0157", "0160", "0162", "0170", "0171", "0172", "0176", "0177"]
COLUMNS = ["name", "phone", "email", "address", "notes", "make", "model", "year", "vin", "plate", "colour", "mileage"]


def _ascii(text: str) -> str:
    """TEXT as an e-mail address part: umlauts spelt out, spaces and apostrophes dropped, ASCII only."""
    text = fold_umlauts(text).replace(" ", "").replace("'", "")
    return text.encode("ascii", "ignore").decode()


def customer_rows(count: int, seed: int = SEED) -> Iterator[dict[str, str]]:
    """COUNT customers as CSV-ready dicts, one per car (customers without a car have one row)."""
    rnd = random.Random(seed)
    fake = Faker(["de_DE"])
    fake.seed_instance(seed)
    firsts = sorted({fake.first_name() for _ in range(600)})
    lasts = sorted({fake.last_name() for _ in range(1500)})
    streets = sorted({fake.street_name() for _ in range(800)})
    towns = [(fake.postcode(), fake.city()) for _ in range(300)]
    phones: set[str] = set()
    plates: set[str] = set()
    serial = 0
    for i in range(count):
        first, last = rnd.choice(firsts), rnd.choice(lasts)
        while True:
            if rnd.random() < 0.8:
                phone = f"{rnd.choice(MOBILE)} {rnd.randrange(10_000_000, 100_000_000)}"
            else:
                phone = f"030 {rnd.randrange(2_000_000, 99_999_999)}"
            if phone not in phones:
                phones.add(phone)
                break
        postcode, town = rnd.choice(towns)
        base = {
            "name": f"{first} {last}",
            "phone": phone if rnd.random() < 0.97 else "",
            "email": f"{_ascii(first)}.{_ascii(last)}.{i}@example.com".lower() if rnd.random() < 0.85 else "",
            "address": f"{rnd.choice(streets)} {rnd.randint(1, 180)}, {postcode} {town}",
            "notes": rnd.choice(["", "", "", "", "prefers mornings", "company car", "call first"]),
        }
        cars = 1 if rnd.random() < 0.7 else (2 if rnd.random() < 0.9 else 0)
        if cars == 0:
            yield base
        for _ in range(cars):
            make, model, prefix = rnd.choice(CARS)
            year = rnd.randint(2010, 2025)
            while True:
                plate = f"{rnd.choice(CITY_CODES)}-{rnd.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}"
                plate += f"{rnd.choice('ABCDEFGHJKLMNPRSTUVWXYZ')} {rnd.randint(1, 9999)}"
                if plate not in plates:
                    plates.add(plate)
                    break
            vin = ""
            if rnd.random() < 0.5:
                serial += 1
                vin = f"{prefix}{rnd.choice('ABCDEFGHJ')}{vin_year_code(year)}{rnd.choice('ABCDEFGH')}{serial:06d}"
            yield {
                **base,
                "make": make,
                "model": model,
                "year": str(year),
                "vin": vin,
                "plate": plate,
                "colour": rnd.choice(COLOURS),
                "mileage": str((2026 - year) * rnd.randint(6_000, 22_000)),
            }


def customers_csv(count: int, seed: int = SEED) -> str:
    from shop import csvio

    return csvio.write_rows(COLUMNS, customer_rows(count, seed))


def cached_csv(count: int, seed: int = SEED) -> Path:
    """The generated CSV, written once under bench/data/ and reused."""
    path = Path(__file__).resolve().parent / "data" / f"customers-{count}-{seed}.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(customers_csv(count, seed), encoding="utf-8")
        tmp.rename(path)
    return path


def build_database(url: str, customers: int, seed: int = SEED, catalogue: bool = True) -> dict[str, int]:
    """A fresh shop database at URL with the demo catalogue and COUNT generated customers with cars."""
    from shop import customer_csv, demo
    from shop.db import open_database

    open_database(url, create=True)
    if catalogue:
        from faker import Faker as _Faker

        from shop import demo_foundation

        fake = _Faker(["de_DE"])
        fake.seed_instance(demo.SEED)
        demo_foundation.demo_catalogue(fake)
    result = customer_csv.import_customers(cached_csv(customers, seed).read_text(encoding="utf-8"))
    return {"customers": result.customers_added, "cars": result.cars_added}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--csv", type=Path, help="write the customer CSV here")
    parser.add_argument("--db", help="build a shop database at this URL (must be new or empty)")
    args = parser.parse_args(argv)
    if not args.csv and not args.db:
        parser.error("give --csv FILE and/or --db URL")
    started = time.perf_counter()
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        args.csv.write_text(customers_csv(args.customers, args.seed), encoding="utf-8")
        print(f"wrote {args.csv}", file=sys.stderr)
    if args.db:
        counts = build_database(args.db, args.customers, args.seed)
        print(f"built {args.db}: {counts['customers']} customers, {counts['cars']} cars", file=sys.stderr)
    print(f"done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
