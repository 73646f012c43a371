"""Run (or check) every service's alembic history against one database.

python -m tools.migrate [upgrade|check] [--url URL]   (URL defaults to $DATABASE_URL)
python -m tools.migrate revision --service NAME -m "message"   (autogenerate)
"""

from __future__ import annotations

import argparse
import os
import sys

from alembic import command

from ladder.kit import migrations
from tools.services import BY_NAME, SERVICES


def upgrade_all(url: str) -> None:
    for svc in SERVICES:
        migrations.upgrade(svc.migrations_dir(), url)


def check_all(url: str) -> None:
    for svc in SERVICES:
        migrations.check(svc.migrations_dir(), url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.migrate")
    parser.add_argument(
        "action", choices=["upgrade", "check", "revision"], nargs="?", default="upgrade"
    )
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--service")
    parser.add_argument("-m", "--message")
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("set DATABASE_URL or pass --url")
    if args.action == "revision":
        svc = BY_NAME[args.service]
        migrations.upgrade(svc.migrations_dir(), args.url)
        command.revision(
            migrations.alembic_config(svc.migrations_dir(), args.url),
            message=args.message,
            autogenerate=True,
        )
        return 0
    (upgrade_all if args.action == "upgrade" else check_all)(args.url)
    print(f"{args.action}: ok ({', '.join(s.name for s in SERVICES)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
