"""The edge guard (ladder.kit.inputs): CPU per request of a JSON route with and without it.

The same FastAPI app, the same bodies, called through ASGI in process; the guard parses each
JSON body a second time (strict hooks, then a walk of every string). Bodies: a declaration-sized
document (~20 KB) and a batch-sized one (~1 MB, 2,000 items). Printed as µs of CPU per request
and the ratio with/without the guard.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
from fastapi import FastAPI

from ladder.kit.errors import install_error_handlers
from ladder.kit.inputs import InputGuardMiddleware
from ladder.kit.observability import RequestContextMiddleware


def _app(guard: bool) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    if guard:
        app.add_middleware(InputGuardMiddleware)
    app.add_middleware(RequestContextMiddleware, max_body_bytes=16 * 1024 * 1024)

    @app.post("/echo")
    async def echo(body: dict[str, Any]) -> dict[str, int]:
        return {"keys": len(body)}

    return app


def _document() -> bytes:
    scenes = [{"segment": "生产作业", "scene": "人机协同作业", "instance": f"实例{i}" * 5,
               "ai": i % 2 == 0} for i in range(60)]  # fmt: skip
    kpis = {f"kpi_{i}": {"baseline": i, "achieved": i * 1.5} for i in range(21)}
    return json.dumps({"facts": {"scenes": scenes, "kpis": kpis, "summary": "数字化车间" * 200}},
                      ensure_ascii=False).encode()  # fmt: skip


def _batch() -> bytes:
    items = [{"ref": str(i), "tier": "basic", "facts": {"cmmm_level": 2, "segments": ["生产作业"],
              "kpis": {"productivity_gain": 12.5}, "name": f"福州企业{i:05d}有限公司"}}
             for i in range(2000)]  # fmt: skip
    return json.dumps({"edition": "2025", "items": items}, ensure_ascii=False).encode()


async def _cpu_per_request(app: FastAPI, body: bytes, n: int) -> float:
    transport = httpx.ASGITransport(app=app)
    headers = {"content-type": "application/json"}
    async with httpx.AsyncClient(transport=transport, base_url="http://b") as client:
        for _ in range(5):
            await client.post("/echo", content=body, headers=headers)
        started = time.process_time()
        for _ in range(n):
            resp = await client.post("/echo", content=body, headers=headers)
            assert resp.status_code == 200, resp.text
        return (time.process_time() - started) / n * 1e6


def main() -> None:
    for name, body, n in (("declaration ~%d KB", _document(), 400), ("batch ~%d KB", _batch(), 30)):
        label = name % (len(body) // 1024)
        without = asyncio.run(_cpu_per_request(_app(False), body, n))
        with_guard = asyncio.run(_cpu_per_request(_app(True), body, n))
        ratio = with_guard / without
        print(f"   {label:22s} without {without:>9,.0f} µs  with guard {with_guard:>9,.0f} µs "
              f"(ratio {ratio:.2f}, guard {with_guard - without:,.0f} µs)")  # fmt: skip


if __name__ == "__main__":
    main()
