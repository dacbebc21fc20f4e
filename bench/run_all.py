"""Run every benchmark module (`bench/bench_*.py`) with its defaults: `make bench`."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    for info in sorted(pkgutil.iter_modules([str(here)]), key=lambda i: i.name):
        if info.name.startswith("bench_"):
            print(f"\n## {info.name}\n", flush=True)
            module = importlib.import_module(f"bench.{info.name}")
            module.main([])
    return 0


if __name__ == "__main__":
    sys.exit(main())
