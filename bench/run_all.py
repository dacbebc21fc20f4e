"""Run every benchmark module (`bench/bench_*.py`) with its defaults, one process each: `make bench`."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    failed = []
    for info in sorted(pkgutil.iter_modules([str(here)]), key=lambda i: i.name):
        if info.name.startswith("bench_"):
            print(f"\n## {info.name}\n", flush=True)
            result = subprocess.run([sys.executable, "-m", f"bench.{info.name}"], cwd=here.parent)
            if result.returncode:
                failed.append(info.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
