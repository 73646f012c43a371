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

from ladder.identity.seed import demo_accounts, dev_password
from tools import devdb, mailsink
from tools.migrate import upgrade_all
from tools.seed import seed_all
from tools.services import GATEWAY, SERVICES
from tools.stack import ROOT, Stack
from tools.testdb import with_database

MAIL_PORT = 8025  # the identity service's default LADDER_SMTP_PORT


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
    mail_dir = data / "mail"
    try:
        sink = mailsink.start("127.0.0.1", MAIL_PORT, mail_dir)
        mail_line = f"smtp://127.0.0.1:{MAIL_PORT}, each mail saved in {mail_dir}/ as .eml"
    except OSError as exc:  # the port is taken (another sink, a real MTA): mail goes there
        sink = None
        mail_line = f"port {MAIL_PORT} is taken ({exc.strerror}); mails go to what listens there"
    stack.start_all()
    gw = stack.url("gateway")
    users = ", ".join(u["username"] for u in demo_accounts()["users"])
    password = dev_password()
    print(
        f"""
Ladder is running.
  gateway            {gw}      (GraphQL: {gw}/graphql)
  declaration        {stack.url("declaration")}   (docs: {stack.url("declaration")}/docs)
  rules              {stack.url("rules")}   (docs: {stack.url("rules")}/docs)
  review             {stack.url("review")}   (docs: {stack.url("review")}/docs)
  identity           {stack.url("identity")}   (docs: {stack.url("identity")}/docs)
  OpenAPI            {gw}/api/<service>/openapi.json
  mail sink          {mail_line}

Sign in as a demo user (password {password}; TOTP is off in dev):
  users              {users}
  sign in            curl -s -X POST {gw}/api/identity/v1/sessions \\
                          -H 'content-type: application/json' \\
                          -d '{{"username": "county", "password": "{password}"}}'
  who am I           curl -s {gw}/api/identity/v1/me -H "Authorization: Bearer $ACCESS_TOKEN"
  a dev token        curl -s -X POST {gw}/auth/dev-token -H 'content-type: application/json' \\
                          -d '{{"username": "enterprise"}}'   (dev only, no password)
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
        if sink is not None:
            sink.stop()
        if embedded:
            devdb.stop("dev")
            print("• PostgreSQL: embedded server stopped (data kept in .data/dev)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
