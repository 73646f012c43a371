"""Failures the gateway itself answers with; rendered by the kit's one error model."""

from __future__ import annotations

from ladder.kit.errors import LadderError


class UpstreamTimeout(LadderError):
    status_code = 504
    code = "upstream_timeout"
    message = "依赖的服务响应超时，请稍后重试"
    message_en = "A service this request depends on did not answer in time; retry later"


class RateLimited(LadderError):
    status_code = 429
    code = "rate_limited"
    message = "请求过于频繁，请稍后重试"
    message_en = "Too many requests; retry later"


class InvalidClient(LadderError):
    """OAuth2 `invalid_client`: unknown client id or wrong secret (which one is not said)."""

    status_code = 401
    code = "invalid_client"
    message = "客户端认证失败"
    message_en = "Client authentication failed"


class UnsupportedGrantType(LadderError):
    status_code = 400
    code = "unsupported_grant_type"
    message = "不支持的授权类型"
    message_en = "Unsupported grant type; use client_credentials"
