"""`garage init`, `garage db ...`, `garage settings ...`."""

from __future__ import annotations

import typer

from garage_cli import output
from garage_cli.root import make_app, state, use_db
from shop import bootstrap, migrations, settings
from shop.db import open_database

db_app = make_app("Schema version and upgrades.")
settings_app = make_app("Shop settings (name, time zone, tax rate, ...).")


def init(
    demo_data: bool = typer.Option(False, "--demo", help="Add a realistic demo shop (deterministic)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create the database schema (and optionally demo data)."""
    result = bootstrap.initialise(state.url, with_demo=demo_data)
    state.opened = True
    if as_json:
        output.print_json(result)
        return
    verb = "initialised" if result.created else "already initialised:"
    typer.echo(f"{verb} {result.database} at schema version {result.version}")
    for login in result.logins:
        typer.echo(f"  demo login: {login['username']} / {login['password']} ({login['role']})")


@db_app.command("upgrade")
def db_upgrade(as_json: bool = typer.Option(False, "--json")) -> None:
    """Apply pending migrations (safe to run again)."""
    open_database(state.url, upgrade=False)
    state.opened = True
    applied = migrations.upgrade()
    version = migrations.status().version
    if as_json:
        output.print_json({"applied": applied, "version": version})
    else:
        typer.echo(f"applied {len(applied)} migration(s); schema version {version}")


@db_app.command("version")
def db_version(as_json: bool = typer.Option(False, "--json")) -> None:
    """Print the schema version and any pending migrations."""
    open_database(state.url, upgrade=False)
    state.opened = True
    st = migrations.status()
    if as_json:
        output.print_json({"version": st.version, "applied": st.applied, "pending": st.pending})
    else:
        typer.echo(f"{st.version}" + (f" ({len(st.pending)} pending)" if st.pending else ""))


@settings_app.command("show")
def settings_show(as_json: bool = typer.Option(False, "--json")) -> None:
    """List every setting with its value."""
    use_db()
    values = settings.show()
    if as_json:
        output.print_json({v.key: v.value for v in values})
    else:
        output.print_table(values, ["key", "value", "help"])


@settings_app.command("set")
def settings_set(
    pairs: list[str] = typer.Argument(..., metavar="KEY=VALUE...", help="e.g. shop.timezone=Europe/Vienna"),
) -> None:
    """Change settings; all are checked before any is stored."""
    use_db()
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"{pair!r} is not KEY=VALUE")
        values[key.strip()] = value
    for key, value in settings.set_many(values).items():
        typer.echo(f"{key} = {value}")
