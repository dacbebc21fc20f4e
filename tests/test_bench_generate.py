"""The benchmark data generator makes data the shop accepts, the same every time."""

from __future__ import annotations

from bench.generate import customer_rows, customers_csv
from shop import customer_csv, customers


def test_generated_customers_import_without_rejects_and_are_deterministic(db) -> None:
    text = customers_csv(300, seed=7)
    assert text == customers_csv(300, seed=7)
    result = customer_csv.import_customers(text)
    assert result.rejected == []
    assert result.customers_added == 300
    assert result.cars_added == sum(1 for r in customer_rows(300, seed=7) if r.get("plate"))
    assert customers.count_customers() == 300
