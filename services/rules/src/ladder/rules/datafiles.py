"""Reading the data files the service ships (editions, overlays, quota policies).

Each kind is one YAML file per item, named after the item's id, validated into a pydantic
model once per process; a file whose name and id disagree is refused, so the catalogue can
never hold two items under one name.
"""

from __future__ import annotations

from importlib import resources
from typing import TypeVar

import yaml
from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def shipped_yaml(package: str, folder: str | None = None) -> list[tuple[str, str]]:
    """`(file stem, text)` of every `.yaml` file in `package` (or its `folder`), by name."""
    root = resources.files(package)
    if folder is not None:
        root = root.joinpath(folder)
    return sorted(
        (entry.name.removesuffix(".yaml"), entry.read_text(encoding="utf-8"))
        for entry in root.iterdir()
        if entry.name.endswith(".yaml")
    )


def load_named(model: type[M], text: str, *, key: str, expected: str | None, kind: str) -> M:
    """The file's item; when `expected` (the file's stem) is given, its `key` must equal it."""
    item = model.model_validate(yaml.safe_load(text))
    value = getattr(item, key)
    if expected is not None and value != expected:
        raise ValueError(f"{kind} file {expected}.yaml declares {key} {value!r}")
    return item
