"""What the declaration service would say besides submissions, built from its own payload
models (`ladder.contracts.declaration`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from ladder.contracts.declaration import DECLARATION_WITHDRAWN, DeclarationWithdrawn
from ladder.kit.testing import event_envelope


def withdrawn_event(
    declaration_id: str, *, version: int = 1, reason: str = "企业决定下一批次再申报"
) -> dict[str, Any]:
    """`declaration.withdrawn` as the declaration service's outbox sends it."""
    at = datetime.now(UTC)
    payload = DeclarationWithdrawn(
        declaration_id=uuid.UUID(declaration_id),
        version=version,
        reason=reason,
        withdrawn_by="enterprise-user",
        at=at,
    )
    return event_envelope(DECLARATION_WITHDRAWN, payload, source="declaration", at=at)
