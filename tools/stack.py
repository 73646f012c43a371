"""Start, stop and restart the real Ladder processes (four services and the gateway).

Used by `make run` (fixed ports, output to the console) and by the cross-service tests (free
ports, output to log files). Each process is `uvicorn <module>.main:create_app --factory`.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from ladder.kit.tokens import generate_private_key_pem
from tools.services import GATEWAY, SERVICES, ServiceInfo

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    database_url: str
    key_file: Path
    ports: dict[str, int] = field(default_factory=dict)
    # Each service's own OAuth2 client secret (issue 15 item 4): the identity service holds
    # only their SHA-256 hashes; no secret is shared between processes.
    service_secrets: dict[str, str] = field(default_factory=dict)
    sealing_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    environment: str = "dev"
    log_dir: Path | None = None  # None: inherit the console
    log_json: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    _logs: dict[str, IO[bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for info in [*SERVICES, GATEWAY]:
            self.ports.setdefault(info.name, free_port())
        for info in SERVICES:
            self.service_secrets.setdefault(info.name, secrets.token_urlsafe(32))
        self._share_signing_key()

    @property
    def identity_keys_dir(self) -> Path:
        return self.key_file.with_name("identity-keys")

    def _share_signing_key(self) -> None:
        """The identity service signs with the gateway's key while both issue tokens (issue
        15, the move of the issuer): its key folder holds that one key, so a token of either
        verifies against either's JWKS. Dev and test only — a deployment mounts the same key
        Secret into both (deploy/k8s)."""
        if not self.key_file.exists():
            self.key_file.parent.mkdir(parents=True, exist_ok=True)
            self.key_file.write_bytes(generate_private_key_pem())
            self.key_file.chmod(0o600)
        folder = self.identity_keys_dir
        folder.mkdir(parents=True, exist_ok=True)
        shared = folder / "0001-shared.pem"
        for stale in folder.glob("*.pem"):
            if stale != shared:
                stale.unlink()  # a dev key of an earlier run would out-sort the shared one
        data = self.key_file.read_bytes()
        if not shared.exists() or shared.read_bytes() != data:
            shared.write_bytes(data)
            shared.chmod(0o600)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def token_url(self) -> str:
        """The identity service's OAuth2 token endpoint, which the services call directly."""
        return f"{self.url('identity')}/oauth/token"

    def service_client_hashes(self) -> str:
        digests = {
            name: hashlib.sha256(secret.encode()).hexdigest()
            for name, secret in self.service_secrets.items()
        }
        return json.dumps(digests)

    def env_for(self, info: ServiceInfo) -> dict[str, str]:
        gateway = self.url("gateway")
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "LADDER_ENVIRONMENT": self.environment,
            # The identity service issues every token but the gateway's dev tokens, and
            # publishes the keys that verify them (the gateway's dev key among them).
            "LADDER_JWKS_URL": f"{self.url('identity')}/.well-known/jwks.json",
            "LADDER_TOKEN_URL": self.token_url,
            "LADDER_JWT_PRIVATE_KEY_FILE": str(self.key_file),
            # The identity service (issue 15): its key folder (the gateway's key, shared), the
            # secret sealing TOTP seeds, the public URL its mails link to.
            "LADDER_SIGNING_KEYS_DIR": str(self.identity_keys_dir),
            "LADDER_SEALING_SECRET": self.sealing_secret,
            "LADDER_PUBLIC_URL": gateway,
            "LADDER_LOG_JSON": "true" if self.log_json else "false",
            "LADDER_OUTBOX_MAX_BACKOFF_SECONDS": "2",
            **{f"LADDER_{s.name.upper()}_URL": self.url(s.name) for s in SERVICES},
            **self.extra_env,
        }
        if info.name in self.service_secrets:
            env["LADDER_SERVICE_CLIENT_SECRET"] = self.service_secrets[info.name]
        if info.name == "identity":
            env["LADDER_SERVICE_CLIENT_HASHES"] = self.service_client_hashes()
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def start(self, name: str, *, wait: bool = True) -> None:
        info = next(i for i in [*SERVICES, GATEWAY] if i.name == name)
        if name in self.procs and self.procs[name].poll() is None:
            return
        out: IO[bytes] | None = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"{name}.log", "ab")
            self._logs[name] = out
        self.procs[name] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                info.factory,
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.ports[name]),
                "--no-access-log",
                "--timeout-graceful-shutdown",
                "5",
                # The gateway computes the client address itself (its trusted proxies); the
                # services believe the gateway's X-Forwarded-For (uvicorn trusts 127.0.0.1).
                *(["--no-proxy-headers"] if name == GATEWAY.name else []),
            ],
            env=self.env_for(info),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
        )
        if wait:
            self.wait_healthy(name)

    @property
    def log_secrets(self) -> list[str]:
        """Every secret the stack handed its processes: none may appear in a log line."""
        return [*self.service_secrets.values(), self.sealing_secret]

    def start_all(self) -> None:
        # The identity service first: the services fetch its JWKS and service tokens lazily,
        # but readiness is nicer when it is already there.
        order = ["identity", GATEWAY.name, *(s.name for s in SERVICES if s.name != "identity")]
        for name in order:
            self.start(name, wait=False)
        for name in order:
            self.wait_healthy(name)

    def wait_healthy(self, name: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        proc = self.procs[name]
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}; {self._tail(name)}")
            try:
                if httpx.get(f"{self.url(name)}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{name} did not become healthy in {timeout}s; {self._tail(name)}")

    def _tail(self, name: str) -> str:
        if self.log_dir is None:
            return "see the console"
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self, name: str, *, kill: bool = False) -> None:
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log = self._logs.pop(name, None)
        if log:
            log.close()

    def rss_mib(self) -> dict[str, float]:
        """Resident memory of each running process in MiB (Linux /proc), for the suites
        that report memory before and after hostile inputs, fuzzing and soaks."""
        sizes: dict[str, float] = {}
        for name, proc in self.procs.items():
            try:
                with open(f"/proc/{proc.pid}/status") as f:
                    kib = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
            except (OSError, StopIteration):
                continue
            sizes[name] = round(kib / 1024, 1)
        return sizes

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)
