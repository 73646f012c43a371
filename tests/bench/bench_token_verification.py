"""Token verification: the kit verifier (all checks, cached JWKS) vs a bare jose decode.

The baseline is python-jose's own `jwt.decode` with the key in hand; the ratio shows what the
allowlist, size cap, kid lookup and principal building cost on top.
"""

from __future__ import annotations

import asyncio
import time

from jose import jwt

from ladder.kit.testing import AUDIENCE, ISSUER, TestIssuer

N = 2000


def main() -> None:
    issuer = TestIssuer()
    tokens = [issuer.token("county", sub=f"u{i}", region="350102") for i in range(N)]
    key = issuer.key.public_jwk()

    started = time.perf_counter()
    for t in tokens:
        jwt.decode(t, key, algorithms=["RS256"], audience=AUDIENCE, issuer=ISSUER)
    baseline = N / (time.perf_counter() - started)

    async def ours() -> float:
        verifier = issuer.verifier()
        await verifier.verify(tokens[0])  # warm the JWKS cache
        started = time.perf_counter()
        for t in tokens:
            await verifier.verify(t)
        rate = N / (time.perf_counter() - started)
        await verifier.aclose()
        return rate

    rate = asyncio.run(ours())
    print(f"   jose.jwt.decode baseline: {baseline:,.0f} tokens/s")
    print(f"   kit TokenVerifier:        {rate:,.0f} tokens/s  (ratio {rate / baseline:.2f})")
