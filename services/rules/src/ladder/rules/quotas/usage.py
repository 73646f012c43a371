"""How a ranked list of candidates (推荐顺序) uses a quota (pure, no database).

Candidates take slots in their order; one that an exemption of the answer covers (e.g.
`jiebang_accepted` under a Shanghai district's 卓越级 cap) takes none. This is the check the
review service runs on a recommending unit's summary table (推荐汇总表) when a case is added
to it (`POST /v1/campaigns/{campaign}/quotas/usage`): the one implementation of the exemptions.
"""

from __future__ import annotations

from collections.abc import Sequence

from ladder.rules.quotas.errors import DuplicateCandidate
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


def usage(answer: QuotaAnswer, candidates: Sequence[CandidateIn]) -> UsageAnswer:
    """Walk the ranked list: exempt candidates take no slot, the rest take slots in order."""
    check_candidates(candidates)
    keys = [e.key for e in answer.exemptions]
    out: list[CandidateUsage] = []
    slot = 0
    for c in candidates:
        exemption = next((k for k in keys if c.has(k)), None)
        if exemption is not None:
            out.append(
                CandidateUsage(
                    id=c.id,
                    counts=False,
                    slot=None,
                    within_quota=True,
                    reason=CandidateReason.exempt,
                    exemption=exemption,
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
