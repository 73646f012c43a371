"""The token endpoint (`POST /oauth/token`) and the issuer's discovery document.

Errors here are RFC 6749 §5.2's: a top-level `error` and `error_description` (what OAuth2
client libraries read), with Ladder's `code`, `message` (zh) and `message_en` beside them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ladder.identity.audit.record import event, record
from ladder.identity.clients.scopes import SCOPES
from ladder.identity.oauth import clients
from ladder.identity.oauth.server import FormRequest, TokenServer, named_client_id
from ladder.identity.requests import settings_of
from ladder.identity.settings import Settings
from ladder.identity.tokens import mint
from ladder.kit.db import SessionDep

router = APIRouter(tags=["oauth"])
MAX_FORM_BYTES = 8 * 1024

# RFC 6749 §5.2 error codes, in Chinese and English.
MESSAGES = {
    "invalid_request": ("令牌请求不合法", "The token request is malformed"),
    "invalid_client": ("客户端认证失败", "Client authentication failed"),
    "invalid_grant": ("授权无效", "The grant is invalid"),
    "unauthorized_client": ("该客户端无权使用此授权类型", "The client may not use this grant"),
    "unsupported_grant_type": ("不支持的授权类型", "The grant type is not supported"),
    "invalid_scope": ("请求的权限范围无效或超出该客户端的范围", "A requested scope is invalid"),
}


class TokenAnswer(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 (the token type, not a secret)
    expires_in: int
    scope: str | None = Field(default=None, description="machine clients: the scopes granted")


class OAuthError(BaseModel):
    error: str = Field(description="RFC 6749 §5.2: " + ", ".join(MESSAGES))
    error_description: str | None = None
    code: str = Field(description="the same as `error`")
    message: str
    message_en: str


def token_url(settings: Settings) -> str:
    return f"{settings.public_url.rstrip('/')}/api/identity/oauth/token"


def _oauth_error(status: int, error: str, description: str | None, headers: Any) -> JSONResponse:
    zh, en = MESSAGES.get(error, ("令牌请求失败", "The token request failed"))
    if error == "invalid_client":
        # One description whether the client is unknown, revoked or the secret wrong: the
        # answer must not tell which client ids exist.
        description = "Client authentication failed."
        headers = [
            (k, 'Basic error="invalid_client"') if k.lower() == "www-authenticate" else (k, v)
            for k, v in (headers or [])
        ]
    body = {
        "error": error,
        "error_description": description,
        "code": error,
        "message": zh,
        "message_en": en,
    }
    return JSONResponse(body, status_code=status, headers=dict(headers or []))


@router.post(
    "/oauth/token",
    response_model=TokenAnswer,
    responses={
        400: {
            "model": OAuthError,
            "description": "invalid_request, unsupported_grant_type, "
            "invalid_scope, unauthorized_client, invalid_client (form credentials)",
        },
        401: {"model": OAuthError, "description": "invalid_client (HTTP Basic credentials)"},
    },
    summary="OAuth2 token endpoint: client credentials (machine clients, Ladder's services)",
    description=(
        "`application/x-www-form-urlencoded`: `grant_type=client_credentials`, optional `scope` "
        "(space-separated; default every scope the client holds), and the client's credentials "
        "as HTTP Basic (`client_secret_basic`) or `client_id` + `client_secret` in the form "
        "(`client_secret_post`). The access token is a JWT (≤ 15 min) carrying the client's "
        "organisation's `role`, `org` and `region` and its `scope`; a Ladder service's carries "
        "role `service`. Errors are RFC 6749 §5.2's (`error`, `error_description`) with Ladder's "
        "`code`, `message`, `message_en`."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"type": "string", "enum": ["client_credentials"]},
                            "scope": {"type": "string"},
                            "client_id": {"type": "string"},
                            "client_secret": {"type": "string", "format": "password"},
                        },
                    }
                }
            },
        }
    },
)
async def token(request: Request, session: SessionDep) -> JSONResponse:
    settings = settings_of(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    if content_type != "application/x-www-form-urlencoded" or len(raw) > MAX_FORM_BYTES:
        return _oauth_error(
            400, "invalid_request", "Send application/x-www-form-urlencoded (≤ 8 KiB)", None
        )
    try:
        form = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
    except UnicodeDecodeError:
        return _oauth_error(400, "invalid_request", "The form is not UTF-8", None)
    headers = request.headers  # case-insensitive, as authlib's Basic parsing expects
    client_id = named_client_id(headers, form)
    client = await clients.load(session, settings, client_id) if client_id else None

    keys = request.app.state.keys
    server = TokenServer(client, lambda claims, ttl: mint(keys, settings, claims, ttl))
    status, body, answer_headers = server.create_token_response(
        FormRequest(token_url(settings), headers, form)
    )
    ok = status == 200
    await record(
        session,
        event(
            request,
            "client_token",
            "success" if ok else "failure",
            reason=None if ok else body.get("error"),
            subject=(client_id or "")[:100] or None,
            org_id=None,
            client_id=client.client_id if client is not None and ok else None,
            details={"scope": body.get("scope")} if ok else {},
        ),
    )
    if not ok:
        return _oauth_error(
            status, body.get("error"), body.get("error_description"), answer_headers
        )
    return JSONResponse(body, status_code=200, headers=dict(answer_headers or []))


@router.get(
    "/.well-known/openid-configuration",
    summary="Issuer metadata (OpenID Connect Discovery 1.0 / RFC 8414)",
)
async def discovery(request: Request) -> dict[str, Any]:
    return metadata(settings_of(request))


@router.get(
    "/.well-known/oauth-authorization-server",
    summary="Issuer metadata (RFC 8414; the same document)",
)
async def oauth_metadata(request: Request) -> dict[str, Any]:
    return metadata(settings_of(request))


def metadata(settings: Settings) -> dict[str, Any]:
    base = f"{settings.public_url.rstrip('/')}/api/identity"
    return {
        "issuer": settings.jwt_issuer,
        "token_endpoint": token_url(settings),
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": list(clients.AUTH_METHODS),
        "scopes_supported": list(SCOPES),
        "response_types_supported": [],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": list(settings.jwt_algorithms),
        "token_endpoint_auth_signing_alg_values_supported": list(settings.jwt_algorithms),
        "claims_supported": [
            "sub",
            "role",
            "name",
            "org",
            "region",
            "scope",
            "client_id",
            "sid",
            "amr",
            "iss",
            "aud",
            "iat",
            "nbf",
            "exp",
            "jti",
        ],
        "service_documentation": f"{settings.public_url.rstrip('/')}/docs",
        # Ladder's people sign in with POST /v1/sessions (password, TOTP), not a redirect flow.
        "x-ladder-sign-in": f"{base}/v1/sessions",
        "x-ladder-refresh": f"{base}/v1/sessions/refresh",
    }
