"""The processes' OpenAPI documents, built in process (dev settings, no database needed)."""

from __future__ import annotations

import importlib
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from ladder.kit.tokens import generate_private_key_pem
from tools.services import GATEWAY, SERVICES


@cache
def openapi_documents() -> dict[str, dict[str, Any]]:
    key = Path(tempfile.mkdtemp()) / "key.pem"
    key.write_bytes(generate_private_key_pem())
    env = {
        "DATABASE_URL": "postgresql://unused@127.0.0.1:1/unused",
        "LADDER_JWKS_URL": "http://127.0.0.1:1/jwks",
        "LADDER_TOKEN_URL": "http://127.0.0.1:1/token",
        "LADDER_SERVICE_CLIENT_SECRET": "openapi-only-secret",
        "LADDER_JWT_PRIVATE_KEY_FILE": str(key),
        "LADDER_ENVIRONMENT": "dev",
        "LADDER_SEALING_SECRET": "openapi-only-sealing-secret",
        "LADDER_SIGNING_KEYS_DIR": str(key.parent / "identity-keys"),
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return {
            info.name: importlib.import_module(f"{info.module}.main").create_app().openapi()
            for info in [*SERVICES, GATEWAY]
        }
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
