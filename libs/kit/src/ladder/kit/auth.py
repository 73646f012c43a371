"""Who is calling: the principal, and how every service verifies it from a bearer token.

Every service verifies tokens itself (the gateway is not the only check): RS/ES signatures
against the issuer's JWKS, an explicit algorithm allowlist (so `alg: none` and HS256 key
confusion are refused before any key is used), `iss`/`aud`/`exp` required and checked, and a
size cap so a huge token costs nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from enum import StrEnum
from typing import Annotated, Any, Protocol

import httpx
from fastapi import Depends, Request
from jose import jwk, jwt
from jose.backends.base import Key
from jose.exceptions import ExpiredSignatureError, JOSEError, JWTClaimsError
from pydantic import BaseModel, ConfigDict, Field

from ladder.kit.errors import Forbidden, Unauthenticated, implies

log = logging.getLogger("ladder.auth")


class Role(StrEnum):
    """The kinds of caller. Authorities carry the region code of their jurisdiction."""

    enterprise = "enterprise"
    county = "county"  # 区县 (Shanghai: 区)
    city = "city"  # 地市
    province = "province"  # 省级主管部门 (and XPCC, 计划单列市 under their province)
    central_soe_hq = "central_soe_hq"  # 中央企业集团总部
    ministry = "ministry"  # 部委
    expert = "expert"  # 专家
    public = "public"
    service = "service"  # another Ladder service (client credentials)


# How many leading digits of a GB/T 2260 code a level of authority covers.
_REGION_PREFIX_LEN = {Role.county: 6, Role.city: 4, Role.province: 2}
_GB2260 = re.compile(r"^[1-9][0-9]{5}$")
AUTHORITY_ROLES = frozenset(
    {Role.county, Role.city, Role.province, Role.central_soe_hq, Role.ministry}
)


class Principal(BaseModel):
    """The verified caller of a request (frozen: a verified principal is shared by the requests
    that carry the same token)."""

    model_config = ConfigDict(frozen=True)

    sub: str
    role: Role
    name: str = ""
    org: str | None = Field(
        default=None, description="organisation id: an enterprise's USCC, an SOE group id"
    )
    region: str | None = Field(
        default=None,
        description="the authority's unit: a GB/T 2260 code of its jurisdiction (350102, 平潭 "
        "350128 as a city), or a listed unit's id (`xpcc`, `sh-lingang`; `ladder.kit.units`)",
    )
    token_id: str | None = None
    scopes: frozenset[str] | None = Field(
        default=None,
        description="a machine client's scopes (`<service>:read`, `<service>:write`); None for "
        "people and Ladder's services, whom their role alone governs",
    )

    @property
    def is_service(self) -> bool:
        return self.role is Role.service

    def region_prefix(self) -> str | None:
        """The GB/T 2260 prefix of the authority's region by arithmetic; '' for nationwide,
        None for none — and None for a unit that is not a region code (`xpcc`, a 管委会), which
        no prefix describes. Who sees a case or a factory is the registry's answer
        (`ladder.kit.jurisdiction.reach`), which also knows what the prefix does not (平潭
        350128 is not 福州's)."""
        if self.role is Role.ministry:
            return ""
        n = _REGION_PREFIX_LEN.get(self.role)
        if n is None or not self.region or not _GB2260.match(self.region):
            return None
        return self.region[:n]

    def covers_region(self, region_code: str | None, enterprise_uscc: str | None = None) -> bool:
        """Whether the authority's unit covers a factory (or enterprise) in `region_code`
        (`ladder.kit.jurisdiction.Reach.covers_factory`)."""
        from ladder.kit.jurisdiction import reach  # the registry's rule; it imports Principal

        return reach(self).covers_factory(region_code, enterprise_uscc)


class JwksCache(Protocol):
    """Where a verifier keeps the last key set it fetched, so that a process started while the
    issuer is unreachable still knows its keys (`ladder.kit.credentials.StoredJwks`)."""

    async def load(self) -> dict[str, Any] | None: ...

    async def save(self, jwks: dict[str, Any]) -> None: ...


class TokenVerifier:
    """Verifies bearer tokens against a JWKS fetched over HTTP and cached by key id.

    With a `cache`, each key set fetched is saved there, and a verifier that has no keys and
    cannot fetch them uses the saved one: a fresh fetch always wins (keys rotate). While the
    issuer is unreachable, a verifier that has keys tries again after `min_refresh_interval`,
    not on every request.
    """

    def __init__(
        self,
        *,
        jwks_url: str,
        issuer: str,
        audience: str,
        algorithms: list[str],
        max_token_bytes: int = 8192,
        leeway_seconds: int = 30,
        cache_seconds: int = 300,
        http: httpx.AsyncClient | None = None,
        min_refresh_interval: float = 5.0,
        remembered_tokens: int = 10_000,
        cache: JwksCache | None = None,
        claim_map: dict[str, str] | None = None,
    ) -> None:
        self.jwks_url = jwks_url
        self.issuer = issuer
        self.audience = audience
        self.algorithms = list(algorithms)
        self.max_token_bytes = max_token_bytes
        self.leeway = leeway_seconds
        self.cache_seconds = cache_seconds
        self.min_refresh_interval = min_refresh_interval
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0))
        self._keys: dict[str, dict[str, Any]] = {}
        self._key_objects: dict[tuple[str, str], Key] = {}
        self._fetched_at = 0.0
        self._retry_at = 0.0  # after a failed fetch: when to try the issuer again
        self._cache = cache
        self.claim_map = dict(claim_map or {})
        self._lock = asyncio.Lock()
        self.remembered_tokens = remembered_tokens
        # token → (principal, exp, nbf): tokens whose signature and claims were verified
        self._verified: dict[str, tuple[Principal, float, float | None]] = {}

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            if self._keys and not force and age < self.cache_seconds:
                return
            if force and age < self.min_refresh_interval:
                return
            if self._keys and time.monotonic() < self._retry_at:
                return  # the issuer was unreachable a moment ago: keep the keys we have
            try:
                resp = await self._http.get(self.jwks_url)
                resp.raise_for_status()
                keys = resp.json().get("keys", [])
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("JWKS fetch from %s failed: %s", self.jwks_url, exc)
                self._retry_at = time.monotonic() + self.min_refresh_interval
                if not self._keys and self._cache is not None:
                    stored = await self._cache.load()
                    if stored:
                        log.warning("JWKS: using the key set stored before the outage")
                        self._keys = {k["kid"]: k for k in stored.get("keys", []) if "kid" in k}
                if not self._keys:
                    raise Unauthenticated(
                        "暂时无法验证访问令牌（密钥服务不可用）",
                        "Cannot verify tokens right now (key service unavailable)",
                        details={"reason": "jwks_unavailable"},
                    ) from exc
                return
            fresh = {k["kid"]: k for k in keys if "kid" in k}
            if fresh != self._keys:
                self._key_objects.clear()
                self._verified.clear()
                if self._cache is not None and fresh:
                    await self._cache.save({"keys": list(fresh.values())})
            self._keys = fresh
            self._fetched_at = time.monotonic()

    async def _key_for(self, kid: str, alg: str) -> Key:
        await self._refresh(force=False)
        if kid not in self._keys:
            await self._refresh(force=True)  # key rotation: look once more
        found = self._key_objects.get((kid, alg))
        if found is not None:
            return found
        try:
            data = self._keys[kid]
        except KeyError:
            raise _invalid("unknown_key") from None
        try:
            found = jwk.construct(data, alg)
        except JOSEError:
            raise _invalid("signature") from None
        self._key_objects[(kid, alg)] = found
        return found

    def _remembered(self, token: str) -> Principal | None:
        """A token verified before, if its time claims still hold now (with the leeway)."""
        seen = self._verified.get(token)
        if seen is None:
            return None
        if time.monotonic() - self._fetched_at >= self.cache_seconds:
            return None  # the key set is due a refresh: verify afresh (which refreshes it)
        principal, exp, nbf = seen
        now = time.time()
        if now > exp + self.leeway:
            del self._verified[token]
            raise _invalid("expired")
        if nbf is not None and now < nbf - self.leeway:
            return None
        return principal

    def _remember(self, token: str, principal: Principal, claims: dict[str, Any]) -> None:
        if len(self._verified) >= self.remembered_tokens:
            # Forget the oldest half: dicts keep insertion order, so this is FIFO and cheap.
            for stale in list(self._verified)[: self.remembered_tokens // 2]:
                del self._verified[stale]
        nbf = claims.get("nbf")
        self._verified[token] = (
            principal,
            float(claims["exp"]),
            float(nbf) if isinstance(nbf, int | float) else None,
        )

    async def verify(self, token: str) -> Principal:
        if len(token.encode()) > self.max_token_bytes:
            raise _invalid("token_too_large")
        remembered = self._remembered(token)
        if remembered is not None:
            return remembered
        try:
            header = jwt.get_unverified_header(token)
        except JOSEError:
            raise _invalid("malformed") from None
        alg = header.get("alg")
        if alg not in self.algorithms:
            raise _invalid("algorithm_not_allowed")
        if "crit" in header:
            # RFC 7515 §4.1.11: extensions listed in `crit` must be understood; we know none.
            raise _invalid("critical_header")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise _invalid("missing_kid")
        key = await self._key_for(kid, alg)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=self.algorithms,
                audience=self.audience,
                issuer=self.issuer,
                options={
                    "require_exp": True,
                    "require_iat": True,
                    "require_sub": True,
                    "require_aud": True,
                    "require_iss": True,
                    "leeway": self.leeway,
                },
            )
        except ExpiredSignatureError:
            raise _invalid("expired") from None
        except JWTClaimsError:
            raise _invalid("claims") from None
        except JOSEError:
            raise _invalid("signature") from None
        iat = claims.get("iat")
        if not isinstance(iat, int | float) or iat > time.time() + self.leeway:
            # A token issued in the future is a forged or mis-clocked one: refuse it.
            raise _invalid("issued_in_future")
        try:
            principal = principal_from_claims(claims, self.claim_map)
        except (ValueError, KeyError, TypeError):
            raise _invalid("claims") from None
        self._remember(token, principal, claims)
        return principal


def principal_from_claims(claims: dict[str, Any], claim_map: dict[str, str]) -> Principal:
    """Ladder's principal from verified claims. `claim_map` names, for an external OIDC issuer,
    the claim that carries each of Ladder's (`{"role": "ladder_role", "region":
    "https://ladder.example/region"}`); a claim not mapped is read under Ladder's own name.
    `scope` is the OAuth2 space-separated string, or a list (`scp`, as some issuers send)."""

    def claim(name: str) -> Any:
        return claims.get(claim_map.get(name, name))

    raw_scope = claim("scope")
    if raw_scope is None and "scope" not in claim_map:
        raw_scope = claims.get("scp")
    if isinstance(raw_scope, str):
        scopes: frozenset[str] | None = frozenset(raw_scope.split())
    elif isinstance(raw_scope, list) and all(isinstance(s, str) for s in raw_scope):
        scopes = frozenset(raw_scope)
    elif raw_scope is None:
        scopes = None
    else:
        raise ValueError("scope")
    return Principal(
        sub=claims["sub"],
        role=Role(claim("role") or ""),
        name=claim("name") or "",
        org=claim("org"),
        region=claim("region"),
        token_id=claims.get("jti"),
        scopes=scopes,
    )


class InsufficientScope(Forbidden):
    """A machine client's token lacks the scope the request needs (RFC 6750 §3.1)."""

    code = "insufficient_scope"
    message = "该客户端未获授权执行此操作（权限范围不足）"
    message_en = "The client's scopes do not allow this request"


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def required_scope(service: str, method: str) -> str:
    """The scope a request to `service` needs: `<service>:read` to read, `:write` to change."""
    return f"{service}:{'read' if method.upper() in READ_METHODS else 'write'}"


def check_scope(principal: Principal, service: str, method: str) -> None:
    """Refuse a scoped token (a machine client's) without the request's scope; people and
    services (no scopes) pass — their role and jurisdiction govern them."""
    if principal.scopes is None:
        return
    needed = required_scope(service, method)
    if needed not in principal.scopes:
        raise InsufficientScope(details={"required_scope": needed})


def _invalid(reason: str) -> Unauthenticated:
    return Unauthenticated(
        "访问令牌无效或已过期", "The access token is invalid or expired", details={"reason": reason}
    )


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise _invalid("malformed_header")
    return value.strip()


async def get_principal(request: Request) -> Principal:
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token = bearer_token(request)
    if token is None:
        raise Unauthenticated()
    verifier: TokenVerifier = request.app.state.verifier
    principal = await verifier.verify(token)
    service = getattr(request.app.state, "service_name", None)
    if service is not None:
        check_scope(principal, service, request.method)
    request.state.principal = principal
    return principal


implies(get_principal, Unauthenticated, InsufficientScope)
PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: Role):
    """A dependency that lets only the given roles through (403 otherwise)."""
    allowed = frozenset(roles)

    async def _check(principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(
                details={"role": principal.role.value, "allowed": sorted(r.value for r in allowed)}
            )
        return principal

    implies(_check, Forbidden)
    return Depends(_check)


ServicePrincipalDep = Annotated[Principal, require_roles(Role.service)]
