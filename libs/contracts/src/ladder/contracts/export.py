"""Write the JSON Schema of every event to `docs/events/` and of every public webhook event
type to `docs/webhooks/` (`python -m ladder.contracts.export`).

One file per topic, `<topic>.v<version>.schema.json`, plus `index.json` (topic → producer,
consumers, file); the webhooks likewise, with the envelope every message comes in
(`message.schema.json`). `libs/contracts/tests` fails when a committed file differs from what
this writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ladder.contracts import CONTRACTS
from ladder.contracts.webhooks import PUBLIC_TYPES, WebhookMessage

DEFAULT_DIR = Path("docs/events")
WEBHOOKS_DIR = Path("docs/webhooks")


def file_name(topic: str, version: int) -> str:
    return f"{topic}.v{version}.schema.json"


def documents() -> dict[str, str]:
    """File name → text, for every contract and the index."""
    out: dict[str, str] = {}
    index: dict[str, Any] = {}
    for topic, contract in sorted(CONTRACTS.items()):
        name = file_name(topic, contract.version)
        out[name] = _dump(contract.schema())
        index[topic] = {
            "version": contract.version,
            "producer": contract.producer,
            "consumers": list(contract.consumers),
            "schema": name,
            "summary": contract.summary,
        }
    out["index.json"] = _dump(index)
    return out


def webhook_documents() -> dict[str, str]:
    """File name → text, for every public event type, the message envelope and the index."""
    out: dict[str, str] = {}
    index: dict[str, Any] = {}
    for name, public in sorted(PUBLIC_TYPES.items()):
        file = file_name(name, public.version)
        out[file] = _dump(public.schema())
        index[name] = {
            "version": public.version,
            "audience": public.scope,
            "schema": file,
            "summary": public.summary,
        }
    envelope = WebhookMessage.model_json_schema(mode="serialization")
    out["message.schema.json"] = _dump(
        {"$schema": "https://json-schema.org/draft/2020-12/schema", **envelope}
    )
    out["index.json"] = _dump(index)
    return out


def _dump(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write(directory: Path = DEFAULT_DIR, wanted: dict[str, str] | None = None) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    wanted = documents() if wanted is None else wanted
    for stale in directory.glob("*.json"):
        if stale.name not in wanted:
            stale.unlink()
    written = []
    for name, text in wanted.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs")
    for path in [*write(root / "events"), *write(root / "webhooks", webhook_documents())]:
        print(f"wrote {path}")
