"""The request's DataLoaders: every nested object or list is read through one of these, so a
page of 100 declarations with their enterprises and cases is three upstream calls, not 201.

Each loader is backed by a batch read of its service — an ordinary authenticated GET with the
caller's token, answered by the same jurisdiction rule as the single read (`GET
/v1/enterprises?uscc=…`, `GET /v1/declarations?ids=…`, `GET /v1/cases?declaration_id=…`), at
most `BATCH` keys a call. A key the service leaves out of its answer is the single read's
404 (`NotFound`, with that read's code); a batch that fails fails each of its keys with the
same typed error. Values are the parsed answers of `models.py`, or those errors.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import TypeAdapter
from strawberry.dataloader import DataLoader

from ladder.gateway.graphql.errors import FieldError, UpstreamFailure, not_found
from ladder.gateway.graphql.models import (
    CaseAnswer,
    DeclarationAnswer,
    EnterpriseAnswer,
    MeAnswer,
    Page,
)

if TYPE_CHECKING:
    from ladder.gateway.graphql.context import UpstreamCaller

BATCH = 100  # the services' bound on a batch read's keys
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_ENTERPRISES = TypeAdapter(list[EnterpriseAnswer])
_DECLARATIONS = TypeAdapter(Page[DeclarationAnswer])
_CASES = TypeAdapter(list[CaseAnswer])
_ME = TypeAdapter(MeAnswer)


def missing(code: str, message: str, message_en: str) -> Callable[[], FieldError]:
    return lambda: not_found(code, message, message_en)


class Loaders:
    def __init__(self, upstreams: dict[str, UpstreamCaller]) -> None:
        self._upstreams = upstreams
        self.me: DataLoader[str, MeAnswer | FieldError] = DataLoader(self._me)
        self.enterprise: DataLoader[str, EnterpriseAnswer | FieldError] = DataLoader(
            self._enterprises, max_batch_size=BATCH
        )
        self.declaration: DataLoader[uuid.UUID, DeclarationAnswer | FieldError] = DataLoader(
            self._declarations, max_batch_size=BATCH
        )
        self.case: DataLoader[uuid.UUID, CaseAnswer | FieldError] = DataLoader(
            self._cases, max_batch_size=BATCH
        )

    async def _me(self, keys: list[str]) -> list[MeAnswer | FieldError]:
        """The caller's account (identity `GET /v1/me`): one key, whatever asks."""
        try:
            me = await self._upstreams["identity"].read("/v1/me", None, _ME)
        except UpstreamFailure as failure:
            return [failure.error for _ in keys]
        return [me for _ in keys]

    async def _enterprises(self, usccs: list[str]) -> list[EnterpriseAnswer | FieldError]:
        return await _by_key(
            self._upstreams["declaration"].read("/v1/enterprises", {"uscc": usccs}, _ENTERPRISES),
            usccs,
            lambda e: e.uscc,
            missing("enterprise_not_found", "企业不存在", "Enterprise not found"),
        )

    async def _declarations(self, ids: list[uuid.UUID]) -> list[DeclarationAnswer | FieldError]:
        async def read() -> list[DeclarationAnswer]:
            params = {"ids": [str(i) for i in ids], "page_size": len(ids)}
            page = await self._upstreams["declaration"].read(
                "/v1/declarations", params, _DECLARATIONS
            )
            return page.items

        return await _by_key(
            read(),
            ids,
            lambda d: d.id,
            missing("declaration_not_found", "申报不存在", "Declaration not found"),
        )

    async def _cases(self, ids: list[uuid.UUID]) -> list[CaseAnswer | FieldError]:
        return await _by_key(
            self._upstreams["review"].read(
                "/v1/cases", {"declaration_id": [str(i) for i in ids]}, _CASES
            ),
            ids,
            lambda c: c.declaration_id,
            missing("case_not_found", "评审案件不存在", "Review case not found"),
        )


async def _by_key(
    answer: Any,
    keys: Sequence[K],
    key_of: Callable[[V], K],
    absent: Callable[[], FieldError],
) -> list[V | FieldError]:
    """Each key's item of the batch `answer` (awaited), or what its single read would say."""
    try:
        found: list[V] = await answer
    except UpstreamFailure as failure:
        return [failure.error for _ in keys]
    by_key = {key_of(item): item for item in found}
    return [by_key[k] if k in by_key else absent() for k in keys]
