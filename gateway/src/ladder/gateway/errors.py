"""Failures the gateway itself answers with; rendered by the kit's one error model."""

from __future__ import annotations

from ladder.kit.errors import LadderError


class UpstreamTimeout(LadderError):
    status_code = 504
    code = "upstream_timeout"
    message = "依赖的服务响应超时，请稍后重试"
    message_en = "A service this request depends on did not answer in time; retry later"


class UpstreamConnectionLost(LadderError):
    """The connection to a service broke after the request was sent: it may have been acted
    on. Not retried by the gateway unless idempotent (a read, or a write with an
    Idempotency-Key, which the service dedupes); the client decides, with the request id."""

    status_code = 502
    code = "upstream_connection_lost"
    message = (
        "与依赖服务的连接在请求发出后中断，请求可能已被处理；请凭请求编号核实或使用同一幂等键重试"
    )
    message_en = (
        "The connection to a service broke after the request was sent; it may have been "
        "processed. Check with the request id, or retry with the same Idempotency-Key"
    )


class RateLimited(LadderError):
    status_code = 429
    code = "rate_limited"
    message = "请求过于频繁，请稍后重试"
    message_en = "Too many requests; retry later"
