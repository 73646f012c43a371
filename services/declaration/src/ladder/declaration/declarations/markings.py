"""A scan for classification markings (密级标志) before submission.

The applicant commits that the material contains no state or commercial secrets (工信厅联通装函
〔2025〕251号 二(二)1). A marking such as `秘密★1年` or `★机密` in the text is the surest sign of a
mistake, so pre-checks warn about it, naming the field; the enterprise removes the text or
confirms it is not classified. It is a warning, not a block: the words also occur in harmless
sentences, and the commitment is the applicant's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

MARKING = re.compile(r"(绝密|机密|秘密)\s*★|★\s*(绝密|机密|秘密)")


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")


def scan(facts: dict[str, Any]) -> list[dict[str, str]]:
    """One warning per text field that carries a marking."""
    out = []
    for field, text in _strings(facts, "facts"):
        found = MARKING.search(text)
        if found:
            marking = found.group(0)
            out.append(
                {
                    "field": field,
                    "marking": marking,
                    "message": f"{field} 含有疑似密级标志“{marking}”，申报材料不得涉及国家秘密",
                    "message_en": f"{field} carries what looks like a classification marking "
                    f"({marking}); the material must not contain state secrets",
                }
            )
    return out
