"""Run every benchmark module in this package: `python -m tests.bench`."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import tests.bench as package


def main() -> int:
    names = [m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("bench_")]
    if not names:
        print("no benchmarks")
        return 1
    for name in sorted(names):
        module = importlib.import_module(f"tests.bench.{name}")
        print(f"== {name}: {module.__doc__.strip().splitlines()[0] if module.__doc__ else ''}")
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
