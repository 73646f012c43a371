"""Write the JSON Schema of every event to `docs/events/` (`python -m ladder.contracts.export`).

One file per topic, `<topic>.v<version>.schema.json`, plus `index.json` (topic → producer,
consumers, file). `tests/contracts` fails when a committed file differs from what this writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ladder.contracts import CONTRACTS

DEFAULT_DIR = Path("docs/events")


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


def _dump(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write(directory: Path = DEFAULT_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    wanted = documents()
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
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR
    for path in write(target):
        print(f"wrote {path}")
