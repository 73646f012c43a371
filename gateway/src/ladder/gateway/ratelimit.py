"""Token buckets, in memory, for the `/auth/*` endpoints and writes to public paths
(objections to a 公示).

A bucket is kept per client address (`ladder.gateway.clients.client_ip`: forwarded headers are
believed only from the configured proxies) and, for a caller with a token, per principal as
well, so neither a spoofed header nor a token lifts the limit. When the table is full the
least recently used bucket is dropped (never all of them: clearing the table would hand every
client a fresh bucket at once).

One process, one bucket table: with several gateway replicas each allows the rate, which is
fine for slowing down secret guessing; it is not a quota.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from ladder.gateway.clients import client_ip
from ladder.gateway.errors import RateLimited
from ladder.kit.errors import implies


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBucketLimiter:
    def __init__(
        self,
        per_minute: int,
        *,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        """How many clients have a bucket."""
        return len(self._buckets)

    def __contains__(self, client: str) -> bool:
        return client in self._buckets

    def take(self, client: str) -> float | None:
        """Spend one token; None if allowed, else the seconds until one is available."""
        now = self._clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            while len(self._buckets) >= self.max_clients:
                self._buckets.popitem(last=False)  # the least recently used
            bucket = self._buckets[client] = _Bucket(self.capacity, now)
        else:
            self._buckets.move_to_end(client)
        bucket.tokens = min(
            self.capacity, bucket.tokens + (now - bucket.updated) * self.refill_per_second
        )
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return (1.0 - bucket.tokens) / self.refill_per_second


async def limit_auth_rate(request: Request) -> None:
    """Dependency for the `/auth/*` routes: 429 `rate_limited` beyond the per-client rate."""
    limit_rate(request.app.state.auth_limiter, request)


def limit_rate(limiter: TokenBucketLimiter, request: Request, principal: str | None = None) -> None:
    """429 `rate_limited` (with Retry-After) beyond the limiter's rate for the client's address
    — and for `principal` too when the caller has one."""
    waits = [limiter.take("ip:" + client_ip(request))]
    if principal is not None:
        waits.append(limiter.take("sub:" + principal))
    wait = max((w for w in waits if w is not None), default=None)
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise RateLimited(
            details={"retry_after_seconds": seconds}, headers={"Retry-After": str(seconds)}
        )


implies(limit_auth_rate, RateLimited)
