"""The webhook routes' rows of the permission matrix (`matrix.py`, issue 16): subscriptions
belong to machine clients alone, so every person and every Ladder service is refused (403
`webhooks_machine_clients_only`) before anything is looked up; the catalogue of public event
types is for any caller with a token. (A machine client's own access — its subscriptions, 404
for another's — is `tests/e2e/test_webhooks.py`.)"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from tests.security.world import ROLES, World

R = "review"
Cell = str | int | tuple[int, str]
STALE = {"If-Match": '"matrix-stale"'}
SUB = "/v1/webhooks/subscriptions/{subscription_id}"
SOME = str(uuid.UUID(int=16))


def _sub(w: World) -> dict[str, str]:
    return {"subscription_id": SOME}


def _delivery(w: World) -> dict[str, str]:
    return {"subscription_id": SOME, "delivery_id": "1"}


def webhook_rows(row: Callable[..., Any], cells: Callable[..., dict[str, Cell]]) -> list[Any]:
    everyone = set(ROLES) - {"anonymous"}
    create = {"url": "https://platform.invalid/hooks", "event_types": ["case.status_changed"]}
    # fmt: off
    return [
        row(R, "GET", "/v1/webhooks/event-types", cells(everyone)),
        row(R, "POST", "/v1/webhooks/subscriptions", cells(), json=lambda w: create, keyed=True),
        row(R, "GET", "/v1/webhooks/subscriptions", cells()),
        row(R, "GET", SUB, cells(), params=_sub),
        row(R, "PATCH", SUB, cells(), params=_sub, json=lambda w: {"status": "paused"},
            headers=STALE),
        row(R, "DELETE", SUB, cells(), params=_sub, headers=STALE),
        row(R, "POST", SUB + "/secret", cells(), params=_sub, headers=STALE),
        row(R, "GET", SUB + "/deliveries", cells(), params=_sub),
        row(R, "GET", SUB + "/deliveries/{delivery_id}", cells(), params=_delivery),
        row(R, "POST", SUB + "/deliveries/{delivery_id}/replay", cells(), params=_delivery,
            keyed=True),
        row(R, "POST", SUB + "/deliveries/replay", cells(), params=_sub, keyed=True),
    ]
    # fmt: on
