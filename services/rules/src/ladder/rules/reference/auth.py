"""Who may load reference data: only the ministry (部委), whose notice the numbers serve.

Reading is open to every authenticated caller: the numbers behind a quota are not secret, and
a province should see the rank it was given.
"""

from __future__ import annotations

from typing import Annotated

from ladder.kit.auth import Principal, Role, require_roles

MinistryDep = Annotated[Principal, require_roles(Role.ministry)]
