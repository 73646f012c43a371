"""Settings and the signing key: what the gateway refuses to start without."""

from __future__ import annotations

import stat

import pytest
from pydantic import ValidationError

from ladder.gateway.keys import SigningKeyMissing
from ladder.gateway.settings import GatewaySettings


async def test_dev_makes_a_private_key_once_and_keeps_it(make_settings, start_gateway, tmp_path):
    settings = make_settings()
    key_file = tmp_path / "keys" / "jwt.pem"
    assert not key_file.exists()

    async with start_gateway(settings) as first:
        kid = first.app.state.signing_key.kid
    async with start_gateway(settings) as second:
        again = second.app.state.signing_key.kid

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert kid == again
    assert list(key_file.parent.iterdir()) == [key_file]  # no scratch files left


async def test_production_never_makes_a_key(make_settings, start_gateway, tmp_path):
    settings = make_settings(environment="production", jwt_private_key_file=tmp_path / "none.pem")

    with pytest.raises(SigningKeyMissing):
        async with start_gateway(settings):
            pass
    assert not (tmp_path / "none.pem").exists()


async def test_with_an_external_issuer_the_gateway_issues_nothing(make_settings, start_gateway):
    settings = make_settings(
        jwt_private_key_file=None, external_jwks_url="https://idp.example.gov.cn/jwks.json"
    )
    async with start_gateway(settings) as gw:
        jwks = await gw.client.get("/.well-known/jwks.json")
        token = await gw.client.post("/auth/token", data={"grant_type": "client_credentials"})
        dev = await gw.client.get("/auth/demo-users")
        verifier_url = gw.app.state.verifier.jwks_url

    assert (jwks.status_code, token.status_code, dev.status_code) == (404, 404, 404)
    assert verifier_url == "https://idp.example.gov.cn/jwks.json"


def test_settings_need_an_issuer(make_settings):
    with pytest.raises(ValidationError, match="LADDER_JWT_PRIVATE_KEY_FILE"):
        make_settings(jwt_private_key_file=None)


def test_settings_refuse_symmetric_algorithms(make_settings):
    with pytest.raises(ValidationError, match="asymmetric"):
        make_settings(jwt_algorithms=["RS256", "HS256"])


def test_settings_read_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LADDER_JWT_PRIVATE_KEY_FILE", str(tmp_path / "k.pem"))
    monkeypatch.setenv("LADDER_REVIEW_URL", "http://review:8003")
    monkeypatch.setenv("LADDER_ENVIRONMENT", "dev")

    settings = GatewaySettings()

    assert settings.upstream_urls["review"] == "http://review:8003"
    assert settings.is_dev
