"""A per-client-IP token bucket, in memory, for the `/auth/*` endpoints and anonymous writes
to public paths (objections to a 公示).

One process, one bucket table: with several gateway replicas each allows the rate, which is
fine for slowing down secret guessing; it is not a quota.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from ladder.gateway.errors import RateLimited


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
        self._buckets: dict[str, _Bucket] = {}

    def __len__(self) -> int:
        """How many clients have a bucket."""
        return len(self._buckets)

    def take(self, client: str) -> float | None:
        """Spend one token; None if allowed, else the seconds until one is available."""
        now = self._clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            self._make_room(now)
            bucket = self._buckets[client] = _Bucket(self.capacity, now)
        bucket.tokens = min(
            self.capacity, bucket.tokens + (now - bucket.updated) * self.refill_per_second
        )
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return (1.0 - bucket.tokens) / self.refill_per_second

    def _make_room(self, now: float) -> None:
        if len(self._buckets) < self.max_clients:
            return
        # A bucket that has refilled completely is the same as no bucket.
        refill_time = self.capacity / self.refill_per_second
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < refill_time}
        if len(self._buckets) >= self.max_clients:
            self._buckets.clear()


async def limit_auth_rate(request: Request) -> None:
    """Dependency for the `/auth/*` routes: 429 `rate_limited` beyond the per-IP rate."""
    limit_rate(request.app.state.auth_limiter, request)


def limit_rate(limiter: TokenBucketLimiter, request: Request) -> None:
    """429 `rate_limited` (with Retry-After) beyond the limiter's per-IP rate."""
    client = request.client.host if request.client else "unknown"
    wait = limiter.take(client)
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise RateLimited(
            details={"retry_after_seconds": seconds}, headers={"Retry-After": str(seconds)}
        )
