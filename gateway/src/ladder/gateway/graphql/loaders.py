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

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import TypeAdapter
from strawberry.dataloader import DataLoader

from ladder.gateway.graphql.errors import FieldError, UpstreamFailure, from_ladder_error, not_found
from ladder.gateway.graphql.models import (
    CaseAnswer,
    DeclarationAnswer,
    DiffAnswer,
    EnterpriseAnswer,
    FactoryAnswer,
    ListAnswer,
    Page,
    ReportsAnswer,
    TransitionAnswer,
    VersionAnswer,
)
from ladder.gateway.me.capabilities import CallerKind
from ladder.gateway.me.schemas import IdentityMe
from ladder.gateway.me.service import identity_me, kind_of
from ladder.kit.auth import Principal
from ladder.kit.errors import LadderError

if TYPE_CHECKING:
    from ladder.gateway.graphql.context import UpstreamCaller

BATCH = 100  # the services' bound on a batch read's keys
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_ENTERPRISES = TypeAdapter(list[EnterpriseAnswer])
_DECLARATIONS = TypeAdapter(Page[DeclarationAnswer])
_CASES = TypeAdapter(list[CaseAnswer])
_VERSIONS = TypeAdapter(list[VersionAnswer])
_HISTORY = TypeAdapter(list[TransitionAnswer])
_DIFFS = TypeAdapter(list[DiffAnswer])
_FACTORIES = TypeAdapter(list[FactoryAnswer])
_LISTS = TypeAdapter(list[ListAnswer])
_REPORTS = TypeAdapter(list[ReportsAnswer])

ListKey = tuple[int, str, str]  # campaign year, tier, unit
DiffKey = tuple[uuid.UUID, int, int]  # declaration, before, after
ReportsKey = tuple[uuid.UUID, int, int]  # declaration, page, page_size


def missing(code: str, message: str, message_en: str) -> Callable[[], FieldError]:
    return lambda: not_found(code, message, message_en)


class Loaders:
    def __init__(self, upstreams: dict[str, UpstreamCaller], principal: Principal | None) -> None:
        self._upstreams = upstreams
        self._principal = principal
        self.me: DataLoader[str, IdentityMe | FieldError | None] = DataLoader(self._me)
        self.enterprise: DataLoader[str, EnterpriseAnswer | FieldError] = DataLoader(
            self._enterprises, max_batch_size=BATCH
        )
        self.declaration: DataLoader[uuid.UUID, DeclarationAnswer | FieldError] = DataLoader(
            self._declarations, max_batch_size=BATCH
        )
        self.case: DataLoader[uuid.UUID, CaseAnswer | FieldError] = DataLoader(
            self._cases, max_batch_size=BATCH
        )
        self.versions: DataLoader[uuid.UUID, list[VersionAnswer] | FieldError] = DataLoader(
            self._versions, max_batch_size=BATCH
        )
        self.history: DataLoader[uuid.UUID, list[TransitionAnswer] | FieldError] = DataLoader(
            self._history, max_batch_size=BATCH
        )
        # Keyed with what they share (a pair of versions, a page): `_windows` makes batches.
        self.diff: DataLoader[DiffKey, DiffAnswer | FieldError] = DataLoader(self._diffs)
        self.factories: DataLoader[str, list[FactoryAnswer] | FieldError] = DataLoader(
            self._factories, max_batch_size=BATCH
        )
        self.recommendation_list: DataLoader[ListKey, ListAnswer | FieldError] = DataLoader(
            self._lists, max_batch_size=BATCH
        )
        self.reports: DataLoader[ReportsKey, ReportsAnswer | FieldError] = DataLoader(self._reports)

    async def _me(self, keys: list[str]) -> list[IdentityMe | FieldError | None]:
        """The caller's account, as `GET /v1/me` reads it (`ladder.gateway.me`): a person's
        from the identity service, None for a token of no account. One key, whatever asks."""
        principal = self._principal
        found: IdentityMe | FieldError | None = None
        if principal is not None and kind_of(principal) is CallerKind.person:
            if principal.sub.startswith("user:"):
                identity = self._upstreams["identity"]
                try:
                    found = await identity_me(identity.client, identity.authorization)
                except LadderError as refused:
                    found = from_ladder_error("identity", refused)
        return [found for _ in keys]

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

    async def _versions(self, ids: list[uuid.UUID]) -> list[list[VersionAnswer] | FieldError]:
        """Each declaration's submitted versions (none before the first submission)."""
        return await _grouped(
            self._declaration_rows("/v1/declarations/versions", ids, {}, _VERSIONS),
            ids,
            lambda v: v.declaration_id,
        )

    async def _history(self, ids: list[uuid.UUID]) -> list[list[TransitionAnswer] | FieldError]:
        return await _grouped(
            self._declaration_rows("/v1/declarations/history", ids, {}, _HISTORY),
            ids,
            lambda t: t.declaration_id,
        )

    async def _diffs(self, keys: list[DiffKey]) -> list[DiffAnswer | FieldError]:
        """One batch read per pair of versions asked for (a document asks for one or two)."""

        async def pair(shared: tuple[int, int], members: list[DiffKey]) -> list[Any]:
            before, after = shared
            ids = [k[0] for k in members]
            params = {"before": before, "after": after}
            return await _by_key(
                self._declaration_rows("/v1/declarations/diffs", ids, params, _DIFFS),
                ids,
                lambda d: d.declaration_id,
                missing("version_not_found", "申报版本不存在", "No such submitted version"),
            )

        return await _windows(keys, lambda k: (k[1], k[2]), pair)

    async def _factories(self, usccs: list[str]) -> list[list[FactoryAnswer] | FieldError]:
        return await _grouped(
            self._upstreams["declaration"].read(
                "/v1/enterprises/factories", {"uscc": usccs}, _FACTORIES
            ),
            usccs,
            lambda f: f.enterprise_uscc,
        )

    async def _lists(self, keys: list[ListKey]) -> list[ListAnswer | FieldError]:
        names = [f"{year}:{tier}:{unit}" for year, tier, unit in keys]
        return await _by_key(
            self._upstreams["review"].read(
                "/v1/recommendation-lists/batch", {"list": names}, _LISTS
            ),
            keys,
            lambda lst: (lst.campaign_year, lst.tier, lst.unit),
            missing(
                "recommendation_list_not_found", "推荐汇总表不存在", "Recommendation list not found"
            ),
        )

    async def _reports(self, keys: list[ReportsKey]) -> list[ReportsAnswer | FieldError]:
        """One batch read per page asked for (a document asks for one, or a few)."""

        async def window(shared: tuple[int, int], members: list[ReportsKey]) -> list[Any]:
            page, page_size = shared
            ids = [k[0] for k in members]
            params = {"declaration_id": [str(i) for i in ids], "page": page,
                      "page_size": page_size}  # fmt: skip
            return await _by_key(
                self._upstreams["review"].read("/v1/cultivations/reports", params, _REPORTS),
                ids,
                lambda r: r.declaration_id,
                missing("cultivation_not_found", "培育对象不存在", "Cultivation record not found"),
            )

        return await _windows(keys, lambda k: (k[1], k[2]), window)

    def _declaration_rows(
        self, path: str, ids: list[uuid.UUID], params: dict[str, Any], answer: TypeAdapter[Any]
    ) -> Awaitable[Any]:
        query = {"declaration_id": [str(i) for i in ids], **params}
        return self._upstreams["declaration"].read(path, query, answer)


async def _grouped(
    answer: Awaitable[list[V]], keys: Sequence[K], key_of: Callable[[V], K]
) -> list[list[V] | FieldError]:
    """Each key's items of the batch `answer` (none: an empty list)."""
    try:
        found = await answer
    except UpstreamFailure as failure:
        return [failure.error for _ in keys]
    by_key: dict[K, list[V]] = {k: [] for k in keys}
    for item in found:
        by_key.setdefault(key_of(item), []).append(item)
    return [by_key[k] for k in keys]


async def _windows(
    keys: Sequence[K],
    share: Callable[[K], Hashable],
    fetch: Callable[[Any, list[K]], Awaitable[list[Any]]],
) -> list[Any]:
    """Keys that differ only by what they share with others (a page, a pair of versions)
    fetched one batch (of at most `BATCH`) per distinct `share`, concurrently."""
    groups: dict[Hashable, list[K]] = {}
    for key in keys:
        groups.setdefault(share(key), []).append(key)
    batches = [
        (shared, members[i : i + BATCH])
        for shared, members in groups.items()
        for i in range(0, len(members), BATCH)
    ]
    answers = await asyncio.gather(*(fetch(shared, members) for shared, members in batches))
    found = {}
    for (_, members), values in zip(batches, answers, strict=True):
        found.update(zip(members, values, strict=True))
    return [found[k] for k in keys]


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
