"""The outbox from an operator's shell: what waits, what is dead, and replays.

python -m tools.outbox stats  --service declaration            [--url URL]
python -m tools.outbox list   --service declaration --state dead [--destination review]
python -m tools.outbox replay --service declaration --id 42
python -m tools.outbox replay --service declaration --dead [--destination review] [--topic T]
                              [--include-retrying]

The same operations as `GET /v1/outbox/events` and the replay routes of each service
(`ladder.kit.outbox_ops`), for when the service or the gateway is the thing that is down.
URL defaults to $DATABASE_URL. Payloads are never printed (they carry enterprise data).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import sys
from typing import Any

from ladder.kit import outbox_ops
from ladder.kit.db import Database
from tools.services import SERVICES

WITH_OUTBOX = ["declaration", "review", "identity"]  # the services that relay events


def _table(service: str) -> Any:
    return importlib.import_module(f"ladder.{service}.tables").OUTBOX


async def run(args: argparse.Namespace) -> Any:
    info = next(s for s in SERVICES if s.name == args.service)
    table = _table(args.service)
    db = Database(args.url, schema=info.schema)
    try:
        async with db.transaction() as session:
            if args.action == "stats":
                return await outbox_ops.outbox_stats(session, table)
            if args.action == "list":
                page = await outbox_ops.list_events(
                    session,
                    table,
                    outbox_ops.OutboxState(args.state),
                    destination=args.destination,
                    topic=args.topic,
                    after=args.after,
                    limit=args.limit,
                )
                return page.model_dump(mode="json")
            if args.id is not None:
                row = await outbox_ops.replay_one(session, table, args.id)
                return row.model_dump(mode="json")
            replayed = await outbox_ops.replay_dead(
                session,
                table,
                destination=args.destination,
                topic=args.topic,
                include_retrying=args.include_retrying,
            )
            return {"replayed": replayed}
    finally:
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.outbox")
    parser.add_argument("action", choices=["stats", "list", "replay"])
    parser.add_argument("--service", required=True, choices=WITH_OUTBOX)
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument(
        "--state", default="dead", choices=[s.value for s in outbox_ops.OutboxState]
    )
    parser.add_argument("--destination")
    parser.add_argument("--topic")
    parser.add_argument("--after", type=int, default=0)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--id", type=int, help="replay this outbox row")
    parser.add_argument("--dead", action="store_true", help="replay every dead row (filtered)")
    parser.add_argument("--include-retrying", action="store_true")
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("set DATABASE_URL or pass --url")
    if args.action == "replay" and (args.id is None) == (not args.dead):
        parser.error("replay needs exactly one of --id N or --dead")
    try:
        result = asyncio.run(run(args))
    except outbox_ops.OutboxEventNotFound:
        print(f"no outbox row {args.id}", file=sys.stderr)
        return 1
    except outbox_ops.OutboxEventDelivered:
        print(f"outbox row {args.id} was already delivered", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
