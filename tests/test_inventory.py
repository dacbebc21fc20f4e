"""Parts and the stock ledger: movements, never-negative stock, races, low stock, CSV, stock-take."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from shop import inventory
from shop.auth import Actor, Role
from shop.errors import Conflict, Forbidden, NotFound, ValidationError
from tests.conftest import run_garage_process

MECHANIC = Actor(role=Role.MECHANIC, name="mara", staff_id=3)
DESK = Actor(role=Role.FRONT_DESK, name="desk", staff_id=2)


def _oil(**kw: object) -> inventory.PartInfo:
    args = {"sku": "oil-5w30", "name": "Engine oil 5W-30", "price": "14.90", "unit_cost": "6.20"}
    args.update(kw)
    return inventory.add_part(**args)  # type: ignore[arg-type]


def test_movements_keep_a_ledger_whose_sum_is_on_hand(db) -> None:
    part = _oil(reorder_level="5")
    assert part.sku == "OIL-5W30" and part.on_hand == Decimal("0.00")
    inventory.receive("OIL-5W30", "10", unit_cost="6.50", reference="DN-1")
    inventory.use("oil-5w30", "4.5", job_id=7)
    inventory.return_("OIL-5W30", "0.5", job_id=7)
    inventory.adjust("OIL-5W30", "-1", "spilled")
    assert inventory.get_part("OIL-5W30").on_hand == Decimal("5.00")
    assert inventory.get_part("OIL-5W30").unit_cost == Decimal("6.50")
    kinds = [(m.kind, m.quantity, m.balance) for m in inventory.movements("OIL-5W30")]
    assert kinds == [
        ("adjust", Decimal("-1.00"), Decimal("5.00")),
        ("return", Decimal("0.50"), Decimal("6.00")),
        ("use", Decimal("-4.50"), Decimal("5.50")),
        ("receive", Decimal("10.00"), Decimal("10.00")),
    ]
    assert inventory.verify() == []


def test_using_more_than_on_hand_is_refused_and_nothing_written(db) -> None:
    _oil()
    inventory.receive("OIL-5W30", "2")
    with pytest.raises(Conflict, match="2 on hand, 3 needed"):
        inventory.use("OIL-5W30", "3")
    assert inventory.get_part("OIL-5W30").on_hand == Decimal("2.00")
    assert len(inventory.movements("OIL-5W30")) == 1


def test_admin_may_allow_backorders_then_stock_goes_negative(db) -> None:
    _oil()
    with pytest.raises(Forbidden):
        inventory.edit_part("OIL-5W30", allow_backorder=True, actor=DESK)
    inventory.edit_part("OIL-5W30", allow_backorder=True)
    moved = inventory.use("OIL-5W30", "2", actor=MECHANIC)
    assert moved.balance == Decimal("-2.00")
    with pytest.raises(ValidationError, match="backordered"):
        inventory.edit_part("OIL-5W30", allow_backorder=False)


def test_bad_input_names_the_field(db) -> None:
    with pytest.raises(ValidationError) as exc:
        inventory.add_part("bad sku!", "", "-1", unit_cost="1.234")
    assert set(exc.value.fields) == {"sku", "name", "price", "unit_cost"}
    _oil()
    with pytest.raises(Conflict, match="already exists"):
        _oil()
    with pytest.raises(ValidationError, match="quantity: must not be negative"):
        inventory.receive("OIL-5W30", "-3")
    with pytest.raises(NotFound, match="unknown SKU"):
        inventory.use("NOPE", "1")
    with pytest.raises(ValidationError, match="reason"):
        inventory.adjust("OIL-5W30", "+1", " ")
    with pytest.raises(Forbidden):
        inventory.add_part("X1", "X", "1", actor=MECHANIC)


def test_low_stock_lists_parts_at_or_below_level_with_suggested_order(db) -> None:
    _oil(reorder_level="10", supplier="Bosch")
    inventory.add_part("FILTER-1", "Oil filter", "9.00", unit_cost="3.00", reorder_level="4", reorder_quantity="12")
    inventory.add_part("WIPER", "Wiper blade", "19.00", reorder_level="2")
    inventory.receive("OIL-5W30", "3")
    inventory.receive("FILTER-1", "4")
    inventory.receive("WIPER", "3")
    low = {row.sku: row for row in inventory.low_stock()}
    assert set(low) == {"OIL-5W30", "FILTER-1"}
    assert low["OIL-5W30"].suggested_order == Decimal("17.00")  # up to 2 x 10
    assert low["OIL-5W30"].order_value == Decimal("105.40")
    assert low["FILTER-1"].suggested_order == Decimal("12.00")  # pack size beats 2 x 4 - 4


def test_stock_take_writes_one_movement_per_difference(db) -> None:
    _oil()
    inventory.add_part("FILTER-1", "Oil filter", "9.00")
    inventory.receive("OIL-5W30", "10")
    inventory.receive("FILTER-1", "5")
    moved = inventory.stock_take({"oil-5w30": "8", "FILTER-1": "5"})
    assert [(m.sku, m.kind, m.quantity) for m in moved] == [("OIL-5W30", "stocktake", Decimal("-2.00"))]
    with pytest.raises(ValidationError, match="NOPE"):
        inventory.stock_take({"OIL-5W30": "1", "NOPE": "3"})
    assert inventory.get_part("OIL-5W30").on_hand == Decimal("8.00")


def test_csv_import_creates_updates_and_counts_all_or_nothing(db) -> None:
    _oil()
    good = (
        "sku;name;price;unit_cost;reorder_level;on_hand\n"
        "OIL-5W30;Engine oil 5W-30 (5 l);15,90;6.20;4;12\n"
        "BRAKE-PAD-F;Brake pads front;49.00;21.00;2;6\n"
    )
    result = inventory.import_csv(good)
    assert (result.created, result.updated, result.adjusted) == (1, 1, 2)
    assert inventory.get_part("OIL-5W30").price == Decimal("15.90")
    assert inventory.get_part("BRAKE-PAD-F").on_hand == Decimal("6.00")
    bad = "sku,name,price\nNEW-1,New,3.00\nNEW-2,,abc\n"
    with pytest.raises(ValidationError) as exc:
        inventory.import_csv(bad)
    assert "row 3: name" in exc.value.fields and "row 3: price" in exc.value.fields
    assert [p.sku for p in inventory.list_parts()] == ["BRAKE-PAD-F", "OIL-5W30"]
    with pytest.raises(ValidationError, match="unknown column"):
        inventory.import_csv("sku,name,price,colour\nA,B,1,red\n")


def test_csv_export_round_trips_through_import(db) -> None:
    _oil(supplier="Bosch, GmbH", reorder_level="2.5")
    inventory.receive("OIL-5W30", "7")
    text = inventory.export_csv()
    assert text.splitlines()[1] == 'OIL-5W30,Engine oil 5W-30,"Bosch, GmbH",6.20,14.90,2.5,0,,yes,7'
    result = inventory.import_csv(text)
    assert (result.created, result.updated, result.adjusted) == (0, 1, 0)


def test_cli_part_and_stock_commands(cli) -> None:
    assert cli("part", "add", "oil", "--name", "Oil", "--price", "12.50", "--reorder-level", "5").exit_code == 0
    assert cli("stock", "receive", "OIL", "3").exit_code == 0
    assert cli("stock", "adjust", "OIL", "-1", "--reason", "damaged").exit_code == 0
    refused = cli("stock", "use", "OIL", "9")
    assert refused.exit_code == 3 and "not enough OIL" in refused.stderr
    low = cli("stock", "low", "--json").json()
    assert low[0]["sku"] == "OIL" and low[0]["on_hand"] == "2.00" and low[0]["suggested_order"] == "8.00"
    shown = cli("part", "show", "OIL", "--json").json()
    assert [m["kind"] for m in shown["movements"]] == ["adjust", "receive"]
    assert cli("stock", "take", "OIL=4", "--json").json()[0]["quantity"] == "2.00"
    assert cli("stock", "verify").exit_code == 0
    bad = cli("part", "add", "X", "--name", "X", "--price", "-2")
    assert bad.exit_code == 1 and "price: must not be negative" in bad.stderr


def test_concurrent_use_never_oversells_or_loses_a_movement(db) -> None:
    """Eight real processes each take one of three units: exactly three succeed, stock ends at zero."""
    _oil()
    inventory.receive("OIL-5W30", "3")

    def take(i: int):  # type: ignore[no-untyped-def]
        return run_garage_process(db.url, "stock", "use", "OIL-5W30", "1", "--ref", f"race {i}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(take, range(8)))
    codes = sorted(r.returncode for r in results)
    assert codes == [0, 0, 0, 3, 3, 3, 3, 3], [r.stderr for r in results]
    assert all("not enough OIL-5W30" in r.stderr for r in results if r.returncode == 3)
    assert inventory.get_part("OIL-5W30").on_hand == Decimal("0.00")
    assert len([m for m in inventory.movements("OIL-5W30") if m.kind == "use"]) == 3
    assert inventory.verify() == []


def test_db_check_reports_a_total_that_disagrees_with_the_ledger(db) -> None:
    from shop.models import Part
    from shop.ops import checks

    _oil()
    inventory.receive("OIL-5W30", "2")
    assert checks.run_checks(["stock_ledger"]).ok
    Part.update(on_hand=Decimal("5")).execute()  # written behind the service's back
    report = checks.run_checks(["stock_ledger"])
    assert report.problems == ["stock_ledger: OIL-5W30: on hand 5.00 but the ledger sums to 2.00"]
    assert inventory.verify()[0].ledger == Decimal("2.00")
