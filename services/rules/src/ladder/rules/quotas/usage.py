"""How a ranked list of candidates (推荐顺序) uses a quota (pure, no database).

Candidates take slots in their order; one that an exemption of the answer covers (e.g.
`jiebang_accepted` under a Shanghai district's 卓越级 cap) takes none. Who an exemption covers is
given as `holders` (exemption → the candidates' USCCs → the registry record), read by the
service from the registry (`ladder.rules.jiebang`), never from the caller. This is the check the
review service runs on a recommending unit's summary table (推荐汇总表) when a case is added
to it (`POST /v1/campaigns/{campaign}/quotas/usage`): the one implementation of the exemptions.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from ladder.rules.quotas.errors import DuplicateCandidate
from ladder.rules.quotas.policy import ExemptionKey
from ladder.rules.quotas.schemas import (
    CandidateIn,
    CandidateReason,
    CandidateUsage,
    QuotaAnswer,
    UsageAnswer,
)


def check_candidates(candidates: Sequence[CandidateIn]) -> None:
    first: dict[str, int] = {}
    repeats = []
    for i, c in enumerate(candidates):
        if c.id in first:
            repeats.append(
                (f"candidates[{i}].id", f"{c.id!r} already at candidates[{first[c.id]}]")
            )
        first.setdefault(c.id, i)
    if repeats:
        raise DuplicateCandidate(repeats)


Holders = Mapping[ExemptionKey, Mapping[str, uuid.UUID]]
"""exemption → USCC of an enterprise it covers → the record that says so."""


def usage(
    answer: QuotaAnswer, candidates: Sequence[CandidateIn], holders: Holders | None = None
) -> UsageAnswer:
    """Walk the ranked list: exempt candidates take no slot, the rest take slots in order."""
    holders = holders or {}
    check_candidates(candidates)
    keys = [e.key for e in answer.exemptions]
    out: list[CandidateUsage] = []
    slot = 0
    for c in candidates:
        exemption = next((k for k in keys if c.enterprise_uscc in holders.get(k, {})), None)
        if exemption is not None:
            out.append(
                CandidateUsage(
                    id=c.id,
                    counts=False,
                    slot=None,
                    within_quota=True,
                    reason=CandidateReason.exempt,
                    exemption=exemption,
                    exempted_by=holders[exemption][c.enterprise_uscc],
                )
            )
            continue
        slot += 1
        within = slot <= answer.limit
        out.append(
            CandidateUsage(
                id=c.id,
                counts=True,
                slot=slot,
                within_quota=within,
                reason=CandidateReason.counted if within else CandidateReason.over_quota,
            )
        )
    return UsageAnswer(
        **answer.model_dump(),
        counted=slot,
        exempt=len(out) - slot,
        remaining=max(answer.limit - slot, 0),
        within_quota=slot <= answer.limit,
        candidates=out,
    )
