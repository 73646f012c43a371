"""Load each service's seed data (idempotent): `python -m tools.seed` with $DATABASE_URL set.

`--reference-only` loads only what a real deployment needs (a service's `seed_reference`, e.g.
the 2025 campaign and its deadlines), not the demo enterprises or sample reference tables: the
Kubernetes migration Job runs it.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys

from ladder.kit.db import Database
from tools.services import SERVICES


async def seed_all(url: str, *, reference_only: bool = False) -> list[str]:
    seeded = []
    for svc in SERVICES:
        try:
            module = importlib.import_module(f"{svc.module}.seed")
        except ModuleNotFoundError:
            continue
        load = getattr(module, "seed_reference", None) if reference_only else module.seed
        if load is None:
            continue
        importlib.import_module(f"{svc.module}.models")
        db = Database(url, schema=svc.schema or svc.name)
        try:
            async with db.transaction() as session:
                await load(session)
        finally:
            await db.dispose()
        seeded.append(svc.name)
    return seeded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.seed")
    parser.add_argument(
        "--reference-only", action="store_true", help="no demo or sample data (production)"
    )
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("set DATABASE_URL", file=sys.stderr)
        return 2
    seeded = asyncio.run(seed_all(url, reference_only=args.reference_only))
    print("seeded:", ", ".join(seeded) or "nothing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
