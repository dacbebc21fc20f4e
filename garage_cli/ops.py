"""`garage backup`, `garage backups`, `garage restore`, `garage db move`, `garage db check`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from garage_cli import output
from garage_cli.root import EXIT_INVALID, exit_with, state, use_db
from shop.db import open_database
from shop.ops import backup as backups
from shop.ops import checks, move


def backup(
    out: Path | None = typer.Option(None, "--out", metavar="DIR", help="Folder (default: backups/ beside shop.db)."),
    keep: int | None = typer.Option(None, "--keep", metavar="N", help="Then delete all but the N newest backups."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Write a consistent copy of the database while others keep working."""
    open_database(state.url, upgrade=False)  # back up what is there, before any upgrade
    state.opened = True
    result = backups.backup(out, keep=keep, url=state.url)
    if as_json:
        output.print_json(result)
        return
    typer.echo(f"{result.path}  {result.size // 1024} KiB, {result.tables} tables, {result.rows} rows")
    for name in result.pruned:
        typer.echo(f"pruned {name}")


def list_backups(
    out: Path | None = typer.Option(None, "--out", metavar="DIR", help="Folder (default: backups/ beside shop.db)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List backups, newest first."""
    found = backups.list_backups(out, url=state.url)
    if as_json:
        output.print_json(found)
    elif found:
        output.print_table(found, ["name", "taken_at", "size", "version", "path"])
    else:
        output.info("no backups yet")


def restore(
    file: Path = typer.Argument(..., metavar="FILE", help="A backup written by `garage backup`."),
    force: bool = typer.Option(False, "--force", help="Overwrite a database that holds data."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Check a backup, upgrade it if older, and swap it in for the database."""
    result = backups.restore(file, force=force, url=state.url)
    if as_json:
        output.print_json(result)
        return
    upgraded = f", upgraded from schema {result.version_before}" if result.upgraded else ""
    typer.echo(f"restored {Path(result.file).name} into {result.target}: {result.rows} rows{upgraded}")


class _Bar:
    """Adapts move's (table, done, total) reports to one progress bar over all rows."""

    def __init__(self) -> None:
        self.bar = None
        self.seen: dict[str, int] = {}

    def __call__(self, table: str, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if self.bar is None:
            self.bar = typer.progressbar(length=None, label="copying", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.label = f"{table:<24}"
        self.bar.update(done - self.seen.get(table, 0))
        self.seen[table] = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def db_move(
    to: str = typer.Option(..., "--to", metavar="URL", help="An EMPTY database: postgresql://... or sqlite:///FILE"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Copy every table to an empty database on either engine, then verify counts and checksums."""
    use_db()
    bar = _Bar()
    try:
        result = move.move(to, source_url=state.url, progress=bar)
    finally:
        bar.close()
    if as_json:
        output.print_json(result)
        return
    output.print_table(result.tables, ["table", "rows", "source_checksum", "target_checksum", "ok"])
    typer.echo(f"moved {result.rows} rows in {len(result.tables)} tables to {result.target} in {result.seconds:.1f}s")
    typer.echo("verified: every table's row count and checksum match")


def db_check(
    only: list[str] = typer.Option([], "--only", metavar="NAME", help="Run only this check (repeatable)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Integrity and invariants; exit 1 with a list when anything is wrong (for cron and monitoring)."""
    open_database(state.url, upgrade=False)
    state.opened = True
    report = checks.run_checks(only)
    if as_json:
        output.print_json({"ok": report.ok, "engine": report.engine, "checks": report.results})
    else:
        for result in report.results:
            note = f" ({result.note})" if result.note else ""
            more = f" ({result.count} problems)" if result.count else ""
            typer.echo(f"{result.status.upper():<9}{result.name}{more}{note}")
            for problem in result.problems:
                typer.echo(f"  - {problem}")
            if result.count > len(result.problems):
                typer.echo(f"  ... and {result.count - len(result.problems)} more")
    if not report.ok:
        exit_with(EXIT_INVALID)
