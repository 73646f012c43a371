"""Who may act in the national review: the ministry (部委) runs it; experts (专家) see and
score the cases they are assigned to, and record the 现场核查 of the cases whose team they are
on. The public reads the 公示 and the published lists, and may object, without a token."""

from __future__ import annotations

from typing import Annotated

from ladder.kit.auth import Principal, Role, require_roles

MinistryDep = Annotated[Principal, require_roles(Role.ministry)]
ExpertDep = Annotated[Principal, require_roles(Role.expert)]
PanelDep = Annotated[Principal, require_roles(Role.ministry, Role.expert)]
"""The ministry, or an expert (who then sees only the cases they are on: 404 otherwise)."""
