"""`garage staff ...`"""

from __future__ import annotations

import sys

import typer

from garage_cli import output
from garage_cli.root import make_app, use_db
from shop import staff

app = make_app("Staff logins and roles (admin, front_desk, mechanic).")
COLUMNS = ["id", "username", "full_name", "role", "active"]


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@app.command("add")
def add(
    username: str = typer.Option(..., "--username"),
    full_name: str = typer.Option(..., "--full-name", "--name"),
    role: str = typer.Option(..., "--role", help="admin, front_desk or mechanic"),
    email: str | None = typer.Option(None, "--email"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Add a staff member; the password is prompted for (or read from stdin), never an argument."""
    use_db()
    member = staff.add_staff(username, full_name, role, _read_password(password_stdin), email=email)
    output.done(str(member.id), member, as_json)


@app.command("list")
def list_(
    role: str | None = typer.Option(None, "--role"),
    all_: bool = typer.Option(False, "--all", help="Include deactivated staff."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List staff."""
    use_db()
    output.emit(staff.list_staff(role=role, include_inactive=all_), as_json, COLUMNS)


@app.command("deactivate")
def deactivate(username: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Stop a login from working (history keeps the name)."""
    use_db()
    member = staff.set_active(username, False)
    output.done(f"deactivated {member.username}", member, as_json)


@app.command("activate")
def activate(username: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Let a deactivated login work again."""
    use_db()
    member = staff.set_active(username, True)
    output.done(f"activated {member.username}", member, as_json)


@app.command("role")
def role(username: str, new_role: str = typer.Argument(..., metavar="ROLE")) -> None:
    """Change a staff member's role."""
    use_db()
    member = staff.set_role(username, new_role)
    typer.echo(f"{member.username} is now {member.role}")


@app.command("passwd")
def passwd(
    username: str, password_stdin: bool = typer.Option(False, "--password-stdin", help="Read it from stdin.")
) -> None:
    """Set a new password."""
    use_db()
    staff.set_password(username, _read_password(password_stdin))
    typer.echo(f"password changed for {username}")
