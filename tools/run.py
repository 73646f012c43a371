"""`make run`: database, migrations, seed, every process, then wait until Ctrl-C.

With `DATABASE_URL` unset an embedded PostgreSQL (`.data/dev`) is started; either way the
`ladder` database is created if missing, migrated, and seeded.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
import time

import asyncpg

from tools import devdb
from tools.migrate import upgrade_all
from tools.seed import seed_all
from tools.services import GATEWAY, SERVICES
from tools.stack import ROOT, Stack
from tools.testdb import with_database


async def ensure_database(server_url: str, name: str) -> str:
    conn = await asyncpg.connect(server_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(server_url, name)


def _secret(path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.write_text(secrets.token_urlsafe(32))
    path.chmod(0o600)
    return path.read_text().strip()


def main(argv: list[str] | None = None) -> int:
    prepare_only = "--prepare-only" in (argv if argv is not None else sys.argv[1:])
    data = ROOT / ".data"
    data.mkdir(exist_ok=True)
    embedded = not os.environ.get("DATABASE_URL")
    if not embedded:
        url = os.environ["DATABASE_URL"]
        print(f"• PostgreSQL: using DATABASE_URL ({url.split('@')[-1]})")
    else:
        server = devdb.start("dev")
        url = asyncio.run(ensure_database(server, "ladder"))
        print(f"• PostgreSQL: embedded server in .data/dev → {url}")
    upgrade_all(url)
    print("• Migrations: every service at head")
    print("• Seed:", ", ".join(asyncio.run(seed_all(url))))
    if prepare_only:
        return 0
    ports = {s.name: s.port for s in [*SERVICES, GATEWAY]}
    stack = Stack(
        database_url=url,
        key_file=data / "jwt-signing-key.pem",
        ports=ports,
        service_secrets={s.name: _secret(data / f"service-secret-{s.name}") for s in SERVICES},
        environment="dev",
        log_json=False,
        # The demo accounts sign in with the dev password and no TOTP (issue 15 item 6).
        extra_env={"LADDER_DEV_MFA_OFF": "true"},
    )
    stack.start_all()
    gw = stack.url("gateway")
    print(
        f"""
Ladder is running.
  gateway            {gw}      (GraphQL: {gw}/graphql)
  declaration        {stack.url("declaration")}   (docs: {stack.url("declaration")}/docs)
  rules              {stack.url("rules")}   (docs: {stack.url("rules")}/docs)
  review             {stack.url("review")}   (docs: {stack.url("review")}/docs)
  identity           {stack.url("identity")}   (docs: {stack.url("identity")}/docs)
  OpenAPI            {gw}/api/<service>/openapi.json
  demo users         curl {gw}/auth/demo-users
  a demo token       curl -s -X POST {gw}/auth/dev-token -H 'content-type: application/json' \\
                          -d '{{"username": "enterprise"}}'
Ctrl-C stops everything.""",
        flush=True,
    )
    stopping = False

    def _stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            for name, proc in list(stack.procs.items()):
                if proc.poll() is not None:
                    print(f"{name} exited ({proc.returncode}); stopping", file=sys.stderr)
                    stopping = True
            time.sleep(0.5)
    finally:
        stack.stop_all()
        if embedded:
            devdb.stop("dev")
            print("• PostgreSQL: embedded server stopped (data kept in .data/dev)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
