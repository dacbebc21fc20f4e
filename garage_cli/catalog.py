"""`garage category ...` and `garage service ...`"""

from __future__ import annotations

import typer

from garage_cli import output
from garage_cli.root import make_app, use_db
from shop import catalog

category_app = make_app("Service categories.")
service_app = make_app("The services the shop sells: duration and price.")
COLUMNS = ["id", "name", "category", "duration_minutes", "price", "active"]


@category_app.command("add")
def category_add(
    name_arg: str | None = typer.Argument(None, metavar="[NAME]"),
    name: str | None = typer.Option(None, "--name"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Add a category; prints the new id (the whole category with --json)."""
    if not (name or name_arg):
        raise typer.BadParameter("give the category name (--name NAME)")
    use_db()
    category = catalog.add_category(name or name_arg or "")
    output.done(str(category.id), category, as_json)


@category_app.command("list")
def category_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """List categories in display order."""
    use_db()
    output.emit(catalog.list_categories(), as_json, ["id", "name", "position"])


@service_app.command("add")
def service_add(
    name: str = typer.Option(..., "--name"),
    category: str = typer.Option(..., "--category", help="Category id or name."),
    duration: str = typer.Option(..., "--duration", metavar="MINUTES", help="A multiple of the booking slot."),
    price: str = typer.Option(..., "--price", metavar="AMOUNT", help="e.g. 89.90"),
    description: str = typer.Option("", "--description"),
    requires_capability: str | None = typer.Option(
        None, "--requires-capability", help="Only bays with this capability can do it (e.g. alignment, diagnostics)."
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Add a service; prints the new id (the whole service with --json)."""
    use_db()
    item = catalog.add_service(
        name, category, duration, price, description=description, requires_capability=requires_capability
    )
    output.done(str(item.id), item, as_json)


@service_app.command("list")
def service_list(
    category: str | None = typer.Option(None, "--category", help="Category id or name."),
    search: str | None = typer.Option(None, "--search"),
    all_: bool = typer.Option(False, "--all", help="Include deactivated services."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List services by category."""
    use_db()
    output.emit(catalog.list_services(active_only=not all_, category=category, search=search), as_json, COLUMNS)


@service_app.command("show")
def service_show(
    ref: str = typer.Argument(..., metavar="ID|NAME"), as_json: bool = typer.Option(False, "--json")
) -> None:
    """One service."""
    use_db()
    output.emit(catalog.get_service(ref), as_json)


@service_app.command("edit")
def service_edit(
    ref: str = typer.Argument(..., metavar="ID|NAME"),
    name: str | None = typer.Option(None, "--name"),
    category: str | None = typer.Option(None, "--category"),
    duration: str | None = typer.Option(None, "--duration", metavar="MINUTES"),
    price: str | None = typer.Option(None, "--price", metavar="AMOUNT"),
    description: str | None = typer.Option(None, "--description"),
    requires_capability: str | None = typer.Option(None, "--requires-capability", help='"" removes it.'),
    active: bool | None = typer.Option(None, "--active/--inactive"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Change a service (only the options given)."""
    use_db()
    given = {
        "name": name,
        "category": category,
        "duration_minutes": duration,
        "price": price,
        "description": description,
        "requires_capability": requires_capability,
        "active": active,
    }
    fields = {k: v for k, v in given.items() if v is not None}
    if not fields:
        raise typer.BadParameter("give at least one field to change, e.g. --price")
    item = catalog.edit_service(ref, **fields)
    output.done(f"service {item.id} saved", item, as_json)


@service_app.command("deactivate")
def service_deactivate(
    ref: str = typer.Argument(..., metavar="ID|NAME"), as_json: bool = typer.Option(False, "--json")
) -> None:
    """Stop offering a service (past bookings and invoices keep it)."""
    use_db()
    item = catalog.deactivate_service(ref)
    output.done(f"service {item.id} deactivated", item, as_json)
