"""A declaration's `facts` edited by JSON Merge Patch (RFC 7396): a portal saving one section
sends only that section. An object merges into the stored one key by key, `null` removes a
key, anything else (a string, a number, an array) replaces the stored value whole. The merged
document is then checked as a whole (`DeclarationFacts`), so a patch cannot leave a document
the schema refuses."""

from __future__ import annotations

import copy
from typing import Any

import json_merge_patch
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from ladder.declaration.declarations.document import DeclarationFacts


def merged_facts(stored: dict[str, Any], patch: dict[str, Any]) -> DeclarationFacts:
    """`patch` applied to `stored` (neither is changed); 422 `validation_error` naming the
    fields of the merged document that break the schema, as `facts.<path>`."""
    merged = json_merge_patch.merge(copy.deepcopy(stored), copy.deepcopy(patch))
    try:
        return DeclarationFacts.model_validate(merged)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False, include_context=False)
        raise RequestValidationError(
            [{**e, "loc": ("body", "facts", *e["loc"])} for e in errors]
        ) from None
