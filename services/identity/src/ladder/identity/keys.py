"""The signing keys: every PEM in `signing_keys_dir` is published in the JWKS; the newest
(by file name, e.g. `2026-12-05.pem`) signs. A rollover adds a key file, restarts (both keys are
published, tokens of the old one still verify), and removes the old file once its last tokens
have expired (the longest token TTL)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from ladder.kit.tokens import SigningKey, generate_private_key_pem

log = logging.getLogger("ladder.identity.keys")


class SigningKeysMissing(RuntimeError):
    pass


class KeyRing:
    def __init__(self, keys: list[SigningKey]) -> None:
        if not keys:
            raise SigningKeysMissing("no signing key")
        self.keys = keys
        self.current = keys[-1]

    @classmethod
    def load(cls, folder: Path, *, create: bool) -> KeyRing:
        """The keys of `folder` in name order; in dev (`create`) one is made if it is empty."""
        files = sorted(folder.glob("*.pem")) if folder.is_dir() else []
        if not files:
            if not create:
                raise SigningKeysMissing(f"no signing key (*.pem) in {folder}")
            files = [_write_new_key(folder / "dev-0001.pem")]
        return cls([SigningKey.from_file(f) for f in files])

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk() for k in self.keys]}


def _write_new_key(path: Path) -> Path:
    """A fresh key readable by the owner only; the first of racing workers wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(generate_private_key_pem())
    os.chmod(scratch, 0o600)
    try:
        os.link(scratch, path)
        log.warning("generated a new dev signing key at %s", path)
    except FileExistsError:
        pass
    finally:
        scratch.unlink()
    return path
