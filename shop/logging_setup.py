"""One logging configuration for every front end (CLI, TUI, portal, notification worker).

- ``GARAGE_LOG_LEVEL``: DEBUG, INFO (default), WARNING, ERROR.
- ``GARAGE_LOG_FILE``: the log file (default ``garage.log`` in the working directory, rotated at
  5 MB, 5 old files kept); ``-`` logs to stderr instead (for systemd/journald).

Privacy: at INFO and above, log ids, never names, e-mail addresses or phone numbers. As a safety
net, records at INFO and above have e-mail addresses and phone-like numbers masked.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
from pathlib import Path

from shop.errors import ConfigError

ENV_LEVEL = "GARAGE_LOG_LEVEL"
ENV_FILE = "GARAGE_LOG_FILE"
DEFAULT_FILE = "garage.log"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s [%(frontend)s] %(message)s"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+\d[\d ()/-]{5,}\d")  # international numbers (garage stores E.164)


class Redact(logging.Filter):
    """Mask e-mail addresses and phone numbers in records at INFO and above."""

    def __init__(self, frontend: str) -> None:
        super().__init__()
        self.frontend = frontend

    def filter(self, record: logging.LogRecord) -> bool:
        record.frontend = self.frontend
        if record.levelno >= logging.INFO:
            message = record.getMessage()
            masked = _PHONE.sub("<phone>", _EMAIL.sub("<email>", message))
            if masked != message:
                record.msg, record.args = masked, None
        return True


_installed: list[logging.Handler] = []


def configure(frontend: str, *, level: str | None = None, file: str | None = None) -> logging.Handler:
    """Install garage's handler on the root logger (again: replaces the previous one)."""
    level = (level or os.environ.get(ENV_LEVEL) or "INFO").strip().upper()
    if level not in LEVELS:
        raise ConfigError(f"{ENV_LEVEL}={level!r}: use one of {', '.join(LEVELS)}")
    target = file if file is not None else os.environ.get(ENV_FILE) or DEFAULT_FILE
    handler: logging.Handler
    if target == "-":
        handler = logging.StreamHandler(sys.stderr)
    else:
        path = Path(target).expanduser()
        if not path.parent.is_dir():
            raise ConfigError(f"{ENV_FILE}={target!r}: folder {path.parent} does not exist")
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, delay=True)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(Redact(frontend))
    root = logging.getLogger()
    for old in _installed:
        root.removeHandler(old)
        old.close()
    _installed[:] = [handler]
    root.addHandler(handler)
    root.setLevel(level)
    # Libraries stay quiet unless asked for DEBUG.
    for noisy in ("peewee", "faker", "asyncio", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
    return handler
