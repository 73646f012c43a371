"""The scopes a machine client may hold: `<service>:read` and `<service>:write` of each Ladder
service an integration talks to. Every service checks them on each request
(`ladder.kit.auth.check_scope`); the jurisdiction comes from the client's organisation, as a
person's does."""

from __future__ import annotations

from ladder.identity.organisations.models import OrgKind

SERVICES = ("declaration", "rules", "review")
SCOPES = tuple(f"{service}:{access}" for service in SERVICES for access in ("read", "write"))

# Interpretation (the notices do not name integration clients): the authorities that recommend
# or review — a province's or a city's system, a SOE HQ's, the ministry's national platforms —
# integrate with Ladder; enterprises and the expert pool use the portal.
MAY_HAVE_CLIENTS = frozenset({OrgKind.unit, OrgKind.central_soe_hq, OrgKind.ministry})
