"""Load each service's seed data (idempotent): `python -m tools.seed` with $DATABASE_URL set."""

from __future__ import annotations

import asyncio
import importlib
import os
import sys

from ladder.kit.db import Database
from tools.services import SERVICES


async def seed_all(url: str) -> list[str]:
    seeded = []
    for svc in SERVICES:
        try:
            module = importlib.import_module(f"{svc.module}.seed")
        except ModuleNotFoundError:
            continue
        importlib.import_module(f"{svc.module}.models")
        db = Database(url, schema=svc.schema or svc.name)
        try:
            async with db.transaction() as session:
                await module.seed(session)
        finally:
            await db.dispose()
        seeded.append(svc.name)
    return seeded


def main() -> int:
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("set DATABASE_URL", file=sys.stderr)
        return 2
    print("seeded:", ", ".join(asyncio.run(seed_all(url))) or "nothing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
