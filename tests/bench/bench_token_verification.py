"""Token verification: the kit verifier (all checks, cached JWKS) vs a bare jose decode.

The baseline is python-jose's own `jwt.decode` with the key in hand; the ratio shows what the
allowlist, size cap, kid lookup and principal building cost on top (the verifier keeps the key
as a ready object, which the baseline re-parses on every call). Second line: the same tokens
again, as every request after a client's first one does (remembered: only the time checks).
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

    async def ours() -> tuple[float, float]:
        verifier = issuer.verifier()
        await verifier.verify(issuer.token("county", sub="warm", region="350102"))  # JWKS
        rates = []
        for _ in range(2):  # first sight of each token, then the same tokens again
            started = time.perf_counter()
            for t in tokens:
                await verifier.verify(t)
            rates.append(N / (time.perf_counter() - started))
        await verifier.aclose()
        return rates[0], rates[1]

    first, again = asyncio.run(ours())
    rows = [
        ("jose.jwt.decode baseline", baseline),
        ("kit TokenVerifier, new tokens", first),
        ("kit TokenVerifier, remembered tokens", again),
    ]
    for i, (name, rate) in enumerate(rows):
        ratio = f"  (ratio {rate / baseline:.2f})" if i else ""
        print(f"   {name + ':':38s} {rate:>11,.0f} tokens/s{ratio}")
