"""The OAuth2 token endpoint on authlib (RFC 6749 §4.4 client credentials; client_secret_basic
and client_secret_post): authlib parses the request, authenticates the client, checks the grant
and the scopes and shapes the answers and errors; Ladder supplies the clients and mints the
JWT. One server per request, around the one client the request names (loaded beforehand,
asynchronously, since authlib is synchronous)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from authlib.oauth2.rfc6749 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749.errors import InvalidScopeError
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6749.util import extract_basic_authorization

from ladder.identity.oauth.clients import AUTH_METHODS, TokenClient

Minter = Callable[[dict[str, Any], int], str]


class FormRequest(OAuth2Request):
    """An OAuth2 request of a parsed form body (authlib's frameworks each write one)."""

    def __init__(self, uri: str, headers: Mapping[str, str], form: dict[str, str]) -> None:
        super().__init__("POST", uri, headers=headers)
        self._form = form
        self.payload = BasicOAuth2Payload(form)

    @property
    def form(self) -> dict[str, str]:
        return self._form

    @property
    def args(self) -> dict[str, str]:
        return {}


def named_client_id(headers: Mapping[str, str], form: dict[str, str]) -> str | None:
    """The client id the request authenticates as (Basic header first, then the form)."""
    basic_id, _ = extract_basic_authorization(headers)
    return basic_id or form.get("client_id") or None


class ClientCredentials(ClientCredentialsGrant):
    """RFC 6749 §4.4, with both client authentications of §2.3.1 (Basic and form)."""

    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = list(AUTH_METHODS)


class TokenServer(AuthorizationServer):
    def __init__(self, client: TokenClient | None, mint: Minter) -> None:
        super().__init__()
        self._client = client
        self._mint = mint
        self.register_grant(ClientCredentials)
        self.register_token_generator("client_credentials", self._generate)

    def query_client(self, client_id: str) -> TokenClient | None:
        client = self._client
        return client if client is not None and client.client_id == client_id else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """Access tokens are JWTs verified by signature: nothing to store (the audit is the
        route's)."""

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    def create_oauth2_request(self, request: FormRequest) -> FormRequest:
        return request

    def handle_response(self, status: int, body: Any, headers: Any) -> tuple[int, Any, Any]:
        return status, body, headers

    def validate_requested_scope(self, scope: str | None) -> None:
        """A scope the client does not hold is `invalid_scope` (RFC 6749 §5.2), not dropped."""
        if self._client is not None and self._client.unknown_scopes(scope):
            raise InvalidScopeError()

    def _generate(
        self,
        grant_type: str,
        client: TokenClient,
        user: Any = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = False,
    ) -> dict[str, Any]:
        claims = dict(client.claims)
        granted = client.get_allowed_scope(scope)
        if client.allowed_scopes:
            claims["scope"] = granted
        client.granted = granted.split()
        token: dict[str, Any] = {
            "access_token": self._mint(claims, client.ttl_seconds),
            "token_type": "Bearer",
            "expires_in": client.ttl_seconds,
        }
        if granted:
            token["scope"] = granted
        return token
