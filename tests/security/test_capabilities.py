"""The capabilities `GET /v1/me` names (`ladder.gateway.me.capabilities`) against the
permission matrix: each capability's route is a row of the matrix, and every kind of caller
the matrix lets through that route has the capability's role — so the table never leaves
out someone the services let act. (That a role with the capability may act on a given object
now is the matrix's business: the world's case is held by the province, not the county.)"""

from __future__ import annotations

from ladder.gateway.me.capabilities import CAPABILITIES, CallerKind
from ladder.kit.auth import Role
from tests.security.matrix import ROWS
from tests.security.world import CLAIMS

REFUSED = (401, 403, 404)


def _let_through(cell) -> bool:
    if isinstance(cell, str):
        return cell in ("Y", "+", "-")
    status = cell if isinstance(cell, int) else cell[0]
    return status not in REFUSED


def test_every_capability_route_is_a_row_and_its_roles_cover_the_matrix():
    wrong = []
    for capability in CAPABILITIES:
        rows = [r for r in ROWS if r.key == (capability.service, *capability.route)]
        if not rows:
            wrong.append(f"{capability.name}: {capability.route} is no row of the matrix")
        for row in rows:
            for world_role, cell in row.expect.items():
                if world_role == "anonymous" or not _let_through(cell):
                    continue
                claims = CLAIMS[world_role]
                role = Role(claims["role"]) if claims else Role.service
                kind = CallerKind.service if role is Role.service else CallerKind.person
                if role not in capability.roles or kind not in capability.callers:
                    wrong.append(f"{capability.name}: the matrix lets {world_role} through")
    assert not wrong, "\n".join(wrong)
