"""What a service's startup leaves behind: with `freeze_startup_heap` (the default outside
in-process tests) the heap startup built is frozen out of the collector's sight
(`gc.freeze`), so full collections under load do not walk it; without it nothing is frozen."""

from __future__ import annotations

import gc

import pytest

from ladder.kit.app import ServiceSpec, create_service_app
from ladder.kit.settings import KitSettings
from ladder.kit.testing import settings_for_tests


@pytest.mark.parametrize("freeze", [True, False])
async def test_startup_freezes_its_heap_when_asked(freeze: bool) -> None:
    settings = settings_for_tests(
        KitSettings,
        "postgresql://nobody@127.0.0.1:1/none",
        service_name="kit-test",
        freeze_startup_heap=freeze,
    )
    spec = ServiceSpec(name="kit-test", schema="kit_test", title="t", description="", routers=[])
    app = create_service_app(settings, spec)
    gc.unfreeze()
    try:
        async with app.router.lifespan_context(app):
            frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()  # the test process is not a server: give its heap back to the collector
    assert (frozen > 0) is freeze
