"""The processes that make up Ladder, in start order, with their dev ports and schemas."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    module: str
    port: int
    schema: str | None

    @property
    def factory(self) -> str:
        return f"{self.module}.main:create_app"

    def migrations_dir(self) -> Path:
        pkg = importlib.import_module(self.module)
        return Path(pkg.__file__).resolve().parent / "migrations"


SERVICES: list[ServiceInfo] = [
    ServiceInfo("declaration", "ladder.declaration", 8001, "declaration"),
    ServiceInfo("rules", "ladder.rules", 8002, "rules"),
    ServiceInfo("review", "ladder.review", 8003, "review"),
    ServiceInfo("identity", "ladder.identity", 8004, "identity"),
]
GATEWAY = ServiceInfo("gateway", "ladder.gateway", 8000, None)
BY_NAME = {s.name: s for s in [*SERVICES, GATEWAY]}
