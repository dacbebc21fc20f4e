"""The layering holds: `shop` knows nothing of front ends, front ends never touch the models."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FRONT_ENDS = ["garage_tui", "customer_site", "garage_cli", "cli.py"]
FORBIDDEN_IN_SHOP = ("textual", "typer", "click", "bottle", "waitress", "garage_tui", "customer_site", "garage_cli")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _python_files(name: str) -> list[Path]:
    target = ROOT / name
    return [target] if target.is_file() else sorted(target.rglob("*.py"))


def test_shop_imports_no_front_end_library_statically() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _python_files("shop")
        for module in _imports(path)
        if module.split(".")[0] in FORBIDDEN_IN_SHOP
    ]
    assert offenders == []


def test_importing_every_shop_module_loads_no_front_end_library() -> None:
    code = (
        "import importlib, pkgutil, sys, shop\n"
        "for m in pkgutil.walk_packages(shop.__path__, 'shop.'): importlib.import_module(m.name)\n"
        f"bad = sorted(n for n in sys.modules if n.split('.')[0] in {FORBIDDEN_IN_SHOP!r})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_front_ends_never_import_models_or_peewee(front_end: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _python_files(front_end)
        for module in _imports(path)
        if module.startswith("shop.models")
        or module.split(".")[0] in ("peewee", "playhouse")
        or module == "shop.db.database"
    ]
    assert offenders == []
