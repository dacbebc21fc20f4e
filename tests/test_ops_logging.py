"""One logging set-up for every front end: level and file from the environment, no personal data at INFO."""

from __future__ import annotations

import logging

import pytest

from shop import logging_setup
from tests.conftest import run_garage_process


@pytest.fixture
def log_file(tmp_path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    path = tmp_path / "garage.log"
    monkeypatch.setenv("GARAGE_LOG_FILE", str(path))
    monkeypatch.delenv("GARAGE_LOG_LEVEL", raising=False)
    yield path
    logging_setup.configure("test", file="-")


def test_cli_logs_the_command_and_exit_code_but_not_its_arguments(cli, log_file) -> None:
    result = cli(
        "staff",
        "add",
        "--username",
        "mara",
        "--name",
        "Mara Schulz",
        "--role",
        "mechanic",
        "--password-stdin",
        stdin="a-long-secret-1\n",
    )
    assert result.exit_code == 0, result.stderr
    text = log_file.read_text()
    assert "[cli] command=staff add exit=0" in text
    assert "Mara" not in text and "mara" not in text and "secret" not in text


def test_email_addresses_and_phone_numbers_are_masked_at_info_but_kept_at_debug(log_file) -> None:
    logging_setup.configure("portal", level="DEBUG")
    log = logging.getLogger("garage.test")
    log.info("sent to anna.schmidt@example.test, phone +49 30 1234567, customer 42")
    log.debug("debug detail anna.schmidt@example.test")
    text = log_file.read_text()
    assert "sent to <email>, phone <phone>, customer 42" in text
    assert "debug detail anna.schmidt@example.test" in text
    assert "[portal]" in text


def test_level_from_the_environment_filters_info(log_file, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GARAGE_LOG_LEVEL", "warning")
    logging_setup.configure("tui")
    logging.getLogger("garage.test").info("quiet")
    logging.getLogger("garage.test").warning("loud")
    assert "quiet" not in log_file.read_text() and "loud" in log_file.read_text()


def test_bad_log_settings_are_a_clear_error(tmp_path) -> None:
    result = run_garage_process(
        f"sqlite:///{tmp_path / 'x.db'}", "init", env={"GARAGE_LOG_LEVEL": "chatty", "GARAGE_LOG_FILE": "-"}
    )
    assert result.returncode == 1
    assert "GARAGE_LOG_LEVEL='CHATTY'" in result.stderr and "Traceback" not in result.stderr
    result = run_garage_process(
        f"sqlite:///{tmp_path / 'x.db'}", "init", env={"GARAGE_LOG_FILE": "/nonexistent/dir/g.log"}
    )
    assert result.returncode == 1
    assert "folder /nonexistent/dir does not exist" in result.stderr


def test_the_log_file_rotates(log_file) -> None:
    handler = logging_setup.configure("cli")
    assert handler.maxBytes == logging_setup.MAX_BYTES and handler.backupCount == logging_setup.BACKUPS  # type: ignore[attr-defined]
