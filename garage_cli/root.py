"""The Typer root: global options, database opening, and the mapping of domain errors to exit codes.

Exit codes: 0 success; 1 invalid input, not found, forbidden or bad configuration; 2 usage
(Typer's own); 3 conflict (duplicate, stale edit, slot taken).
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import typer
import typer.main

from shop import logging_setup
from shop.db import close_database, open_database
from shop.errors import Conflict, ShopError, ValidationError

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_CONFLICT = 3


@dataclass
class State:
    url: str | None = None
    opened: bool = False


state = State()


def use_db(create: bool = False) -> None:
    """Open the database named by --db / GARAGE_DATABASE_URL, once per command."""
    if not state.opened:
        open_database(state.url, create=create)
        state.opened = True


def make_app(help_text: str) -> typer.Typer:
    return typer.Typer(help=help_text, no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)


def make_root(no_command: Callable[[], None] | None = None) -> typer.Typer:
    """The root app. NO_COMMAND runs when `garage` is given no command (the staff TUI); else help is shown."""
    root = typer.Typer(
        help="garage: run a small auto repair shop from the command line.",
        no_args_is_help=no_command is None,
        pretty_exceptions_enable=False,
        add_completion=False,
    )

    @root.callback(invoke_without_command=no_command is not None)
    def _options(
        ctx: typer.Context,
        db: str | None = typer.Option(
            None, "--db", metavar="URL", help="Database URL (default: $GARAGE_DATABASE_URL or sqlite:///shop.db)."
        ),
    ) -> None:
        state.url = db
        state.opened = False
        if ctx.invoked_subcommand is None and no_command is not None:
            no_command()

    return root


def report(exc: ShopError) -> int:
    """Print a domain error as one line (plus alternatives) on stderr; return its exit code."""
    typer.echo(f"error: {exc}", err=True)
    if getattr(exc, "overridable", False):
        typer.echo("  --force does it anyway", err=True)
    if isinstance(exc, Conflict):
        for alternative in exc.alternatives[:10]:
            typer.echo(f"  try: {alternative}", err=True)
        return EXIT_CONFLICT
    return EXIT_INVALID


def _command(argv: list[str]) -> str:
    """The command's name only (`customer add`): arguments may be personal data, so they are not logged."""
    words, skip = [], False
    for arg in argv:
        if skip or arg == "--db":
            skip = not skip
            continue
        if arg.startswith("--db="):
            continue
        if arg.startswith("-") or not re.fullmatch(r"[a-z][a-z-]*", arg) or len(words) == 2:
            break
        words.append(arg)
    return " ".join(words) or "-"


_commands: dict[typer.Typer, Any] = {}


def _click_command(app: typer.Typer) -> Any:
    """The Click command tree of APP, built once per process (Typer rebuilds it on every call otherwise)."""
    command = _commands.get(app)
    if command is None:
        command = _commands[app] = typer.main.get_command(app)
    return command


def run(app: typer.Typer, argv: list[str] | None = None) -> int:
    """Run the CLI, log its name and exit code, and return the code."""
    started = time.monotonic()
    code = _run(app, argv)
    command = _command(list(sys.argv[1:] if argv is None else argv))
    ms = round((time.monotonic() - started) * 1000)
    logging.getLogger("garage.cli").info("command=%s exit=%d ms=%d", command, code, ms)
    return code


def _run(app: typer.Typer, argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code instead of letting tracebacks out for expected errors."""
    try:
        logging_setup.configure("cli")
        _click_command(app)(args=argv, prog_name="garage", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_INVALID)
    except ShopError as exc:
        return report(exc)
    except ValueError as exc:  # from parsers used directly as Typer callbacks
        return report(ValidationError(str(exc)))
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    finally:
        state.opened = False
        close_database()
    return 0


def exit_with(code: int) -> None:
    sys.exit(code)
