"""Who may do what with campaigns: any authenticated caller reads them; only the ministry (部委)
sets deadline chains."""

from __future__ import annotations

from typing import Annotated

from ladder.kit.auth import Principal, Role, require_roles

DeadlineEditorDep = Annotated[Principal, require_roles(Role.ministry)]
