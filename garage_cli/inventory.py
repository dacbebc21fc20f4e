"""`garage part ...` and `garage stock ...`"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from garage_cli import output
from garage_cli.root import make_app, use_db
from shop import inventory

part_app = make_app("Parts: SKU, name, supplier, cost, price, re-order level, bin.")
stock_app = make_app("Stock movements: receive, use, return, adjust, stock-take, low stock.")

PART_COLUMNS = ["sku", "name", "supplier", "unit_cost", "price", "on_hand", "reorder_level", "bin_location"]
MOVE_COLUMNS = ["id", "sku", "kind", "quantity", "balance", "reason", "reference", "at"]
LOW_COLUMNS = ["sku", "name", "supplier", "on_hand", "reorder_level", "suggested_order", "order_value"]


def _yes_no(value: str | None, name: str) -> bool | None:
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered in ("yes", "y", "true", "1", "on"):
        return True
    if lowered in ("no", "n", "false", "0", "off"):
        return False
    raise typer.BadParameter(f"{value!r} is not yes/no", param_hint=name)


@part_app.command("add")
def part_add(
    sku: str,
    name: str = typer.Option(..., "--name"),
    price: str = typer.Option(..., "--price", help="Sale price per unit, e.g. 12.50"),
    cost: str = typer.Option("0", "--cost", help="Unit cost from the supplier."),
    supplier: str = typer.Option("", "--supplier"),
    reorder_level: str = typer.Option("0", "--reorder-level"),
    reorder_quantity: str = typer.Option("0", "--reorder-qty", help="Pack size / minimum order."),
    bin_location: str = typer.Option("", "--bin"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Add a part (stock starts at zero: `garage stock receive` it)."""
    use_db()
    part = inventory.add_part(sku, name, price, cost, supplier, reorder_level, reorder_quantity, bin_location)
    output.done(f"added {part.sku}", part, as_json)


@part_app.command("edit")
def part_edit(
    sku: str,
    name: str | None = typer.Option(None, "--name"),
    price: str | None = typer.Option(None, "--price"),
    cost: str | None = typer.Option(None, "--cost"),
    supplier: str | None = typer.Option(None, "--supplier"),
    reorder_level: str | None = typer.Option(None, "--reorder-level"),
    reorder_quantity: str | None = typer.Option(None, "--reorder-qty"),
    bin_location: str | None = typer.Option(None, "--bin"),
    active: str | None = typer.Option(None, "--active", help="yes/no"),
    allow_backorder: str | None = typer.Option(None, "--allow-backorder", help="yes/no (admin only)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Change a part's details (never its stock: that is a movement)."""
    use_db()
    part = inventory.edit_part(
        sku,
        name=name,
        price=price,
        unit_cost=cost,
        supplier=supplier,
        reorder_level=reorder_level,
        reorder_quantity=reorder_quantity,
        bin_location=bin_location,
        active=_yes_no(active, "--active"),
        allow_backorder=_yes_no(allow_backorder, "--allow-backorder"),
    )
    output.done(f"updated {part.sku}", part, as_json)


@part_app.command("list")
def part_list(
    search: str | None = typer.Option(None, "--search", "-s"),
    all_: bool = typer.Option(False, "--all", help="Include inactive parts."),
    low: bool = typer.Option(False, "--low", help="Only parts at or below their re-order level."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List parts with stock on hand."""
    use_db()
    output.emit(inventory.list_parts(search, include_inactive=all_, low_only=low), as_json, PART_COLUMNS)


@part_app.command("show")
def part_show(sku: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """One part and its latest stock movements."""
    use_db()
    part = inventory.get_part(sku)
    moves = inventory.movements(sku, limit=20)
    if as_json:
        output.print_json({**output.to_plain(part), "movements": moves})
        return
    output.print_record(part)
    if moves:
        typer.echo("")
        output.print_table(moves, MOVE_COLUMNS)


@part_app.command("import")
def part_import(
    file: Path = typer.Argument(
        ..., help="CSV with columns sku,name,price[,supplier,unit_cost,...,on_hand]; - = stdin"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create or update parts from CSV (all rows checked first; on_hand counts become stock-take movements)."""
    use_db()
    text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8-sig")
    result = inventory.import_csv(text)
    output.done(
        f"created {result.created}, updated {result.updated}, stock adjusted for {result.adjusted}", result, as_json
    )


@part_app.command("export")
def part_export(out: Path | None = typer.Option(None, "--out", help="File to write (default stdout).")) -> None:
    """Write all parts as CSV (the same columns import reads)."""
    use_db()
    text = inventory.export_csv()
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        output.info(f"wrote {out}")


@stock_app.command("receive")
def stock_receive(
    sku: str,
    quantity: str,
    cost: str | None = typer.Option(None, "--cost", help="Unit cost of this delivery (updates the part)."),
    reference: str = typer.Option("", "--ref", help="Delivery note / supplier invoice."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Goods in."""
    use_db()
    move = inventory.receive(sku, quantity, cost, reference)
    output.done(f"{move.sku}: +{quantity}, on hand {move.balance}", move, as_json)


@stock_app.command("use")
def stock_use(
    sku: str,
    quantity: str,
    job: int | None = typer.Option(None, "--job", help="Job the parts went into (prefer `garage job part`)."),
    reference: str = typer.Option("", "--ref"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Take parts out of stock."""
    use_db()
    move = inventory.use(sku, quantity, job_id=job, reference=reference)
    output.done(f"{move.sku}: -{quantity}, on hand {move.balance}", move, as_json)


@stock_app.command("return")
def stock_return(
    sku: str,
    quantity: str,
    job: int | None = typer.Option(None, "--job"),
    reference: str = typer.Option("", "--ref"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Put unused parts back on the shelf."""
    use_db()
    move = inventory.return_(sku, quantity, job_id=job, reference=reference)
    output.done(f"{move.sku}: +{quantity}, on hand {move.balance}", move, as_json)


@stock_app.command("adjust", context_settings={"ignore_unknown_options": True})
def stock_adjust(
    sku: str,
    delta: str = typer.Argument(..., help="+N found / -N damaged or lost"),
    reason: str = typer.Option(..., "--reason"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Correct stock with a reason kept in the ledger."""
    use_db()
    move = inventory.adjust(sku, delta, reason)
    output.done(f"{move.sku}: {move.quantity:+}, on hand {move.balance}", move, as_json)


@stock_app.command("take")
def stock_take(
    counts: list[str] = typer.Argument(None, metavar="SKU=COUNT...", help="Counted quantities."),
    file: Path | None = typer.Option(None, "--file", help="CSV with columns sku,count."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record a stock-take: every difference from the books becomes a movement."""
    use_db()
    pairs = dict(inventory.parse_counts(counts or []))
    if file is not None:
        from shop import csvio

        for row in csvio.read_rows(file.read_text(encoding="utf-8-sig"), ["sku", "count"]):
            pairs[row.values["sku"].upper()] = row.values["count"]
    moves = inventory.stock_take(pairs)
    if as_json:
        output.print_json(moves)
    elif moves:
        output.print_table(moves, MOVE_COLUMNS)
    else:
        typer.echo("stock agrees with the count; nothing changed")


@stock_app.command("low")
def stock_low(as_json: bool = typer.Option(False, "--json")) -> None:
    """Parts at or below their re-order level, with a suggested order quantity."""
    use_db()
    output.emit(inventory.low_stock(), as_json, LOW_COLUMNS)


@stock_app.command("moves")
def stock_moves(
    sku: str | None = typer.Argument(None),
    limit: int = typer.Option(50, "--limit"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The stock ledger, newest first."""
    use_db()
    output.emit(inventory.movements(sku, limit), as_json, MOVE_COLUMNS)


@stock_app.command("verify")
def stock_verify(as_json: bool = typer.Option(False, "--json")) -> None:
    """Check that every part's on-hand equals the sum of its ledger (exit 1 if not)."""
    use_db()
    mismatches = inventory.verify()
    if as_json:
        output.print_json(mismatches)
    elif mismatches:
        output.print_table(mismatches, ["sku", "on_hand", "ledger"])
    else:
        typer.echo("ledger and on-hand totals agree")
    if mismatches:
        raise typer.Exit(1)
