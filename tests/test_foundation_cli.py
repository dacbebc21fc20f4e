"""init, db, settings and staff commands: exit codes, messages, and nothing changed on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_garage_process


def test_db_version_reports_the_latest_migration(cli) -> None:
    result = cli("db", "version", "--json")
    assert result.exit_code == 0
    assert result.json()["pending"] == []
    assert result.json()["version"] >= 1


def test_db_upgrade_is_idempotent(cli) -> None:
    first = cli("db", "upgrade", "--json")
    second = cli("db", "upgrade", "--json")
    assert first.exit_code == second.exit_code == 0
    assert second.json()["applied"] == []


def test_settings_set_refuses_bad_time_zone_and_keeps_old_value(cli) -> None:
    assert cli("settings", "set", "shop.timezone=Europe/Vienna").exit_code == 0
    bad = cli("settings", "set", "shop.timezone=Mars/Base", "tax.rate=20")
    assert bad.exit_code == 1
    assert "shop.timezone" in bad.stderr and "IANA" in bad.stderr
    shown = cli("settings", "show", "--json").json()
    assert shown["shop.timezone"] == "Europe/Vienna"
    assert shown["tax.rate"] == "19"


def test_settings_set_unknown_key_names_it(cli) -> None:
    result = cli("settings", "set", "shop.colour=red")
    assert result.exit_code == 1
    assert "unknown setting 'shop.colour'" in result.stderr


def test_staff_add_reads_password_from_stdin_and_lists(cli) -> None:
    added = cli(
        "staff",
        "add",
        "--username",
        "mara",
        "--name",
        "Mara Schulz",
        "--role",
        "mechanic",
        "--password-stdin",
        "--json",
        stdin="a-long-secret-1\n",
    )
    assert added.exit_code == 0, added.stderr
    assert added.json()["role"] == "mechanic"
    listed = cli("staff", "list", "--json").json()
    assert [m["username"] for m in listed] == ["mara"]


def test_staff_add_unknown_role_and_short_password_are_refused(cli) -> None:
    result = cli(
        "staff", "add", "--username", "x1", "--name", "X", "--role", "boss", "--password-stdin", stdin="short\n"
    )
    assert result.exit_code == 1
    assert "unknown role 'boss'" in result.stderr
    assert "at least 10 characters" in result.stderr
    assert cli("staff", "list", "--json").json() == []


def test_duplicate_username_is_a_conflict(cli) -> None:
    args = ("staff", "add", "--username", "desk", "--name", "Desk", "--role", "front_desk", "--password-stdin")
    assert cli(*args, stdin="desk-password-1\n").exit_code == 0
    again = cli(*args, stdin="desk-password-1\n")
    assert again.exit_code == 3
    assert "already taken" in again.stderr


def test_last_admin_cannot_be_deactivated(cli) -> None:
    cli(
        "staff",
        "add",
        "--username",
        "boss",
        "--name",
        "Boss",
        "--role",
        "admin",
        "--password-stdin",
        stdin="boss-password-1\n",
    )
    result = cli("staff", "deactivate", "boss")
    assert result.exit_code == 3
    assert "last active admin" in result.stderr


def test_unparseable_database_url_is_exit_1_with_reason(tmp_path: Path) -> None:
    result = run_garage_process("sqlite://relative.db", "staff", "list")
    assert result.returncode == 1
    assert "three slashes" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_sqlite_file_is_not_created_by_a_read(tmp_path: Path) -> None:
    path = tmp_path / "nothere.db"
    result = run_garage_process(f"sqlite:///{path}", "staff", "list")
    assert result.returncode == 1
    assert "garage init" in result.stderr
    assert not path.exists()


def test_unreachable_postgres_is_exit_1_with_reason() -> None:
    result = run_garage_process("postgresql://nobody@127.0.0.1:1/nothing", "staff", "list")
    assert result.returncode == 1
    assert "cannot reach database" in result.stderr


def test_init_demo_prints_logins_and_is_deterministic(tmp_path: Path) -> None:
    outputs = []
    for name in ("a.db", "b.db"):
        result = run_garage_process(f"sqlite:///{tmp_path / name}", "init", "--demo", "--json")
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout.replace(name, "X"))
    assert outputs[0] == outputs[1]
    assert "admin" in outputs[0]


def test_init_demo_twice_is_refused_and_keeps_the_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert run_garage_process(url, "init", "--demo").returncode == 0
    again = run_garage_process(url, "init", "--demo")
    assert again.returncode == 3
    assert "already holds data" in again.stderr
    assert "admin" in run_garage_process(url, "staff", "list").stdout


def test_plain_init_on_an_initialised_database_is_harmless(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert run_garage_process(url, "init").returncode == 0
    again = run_garage_process(url, "init")
    assert again.returncode == 0
    assert "already initialised" in again.stdout


def test_failed_first_init_leaves_no_file_behind(tmp_path: Path, monkeypatch) -> None:
    from shop import bootstrap, demo
    from shop.errors import ValidationError

    def broken_step(fake):  # type: ignore[no-untyped-def]
        raise ValidationError({"demo": "planted failure"})

    monkeypatch.setattr(demo, "STEPS", [*demo.STEPS, broken_step])
    monkeypatch.setattr(demo, "_load_modules", lambda: None)
    path = tmp_path / "shop.db"
    with pytest.raises(ValidationError):
        bootstrap.initialise(f"sqlite:///{path}", with_demo=True)
    assert not path.exists()
