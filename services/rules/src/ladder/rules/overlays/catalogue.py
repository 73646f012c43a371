"""The local overlays we ship, and which of them a jurisdiction brings into an evaluation."""

from __future__ import annotations

import functools

from ladder.rules.datafiles import load_named, shipped_yaml
from ladder.rules.overlays.models import Overlay


class OverlayCatalogue:
    def __init__(self, overlays: list[Overlay]) -> None:
        ids = [o.id for o in overlays]
        if len(set(ids)) != len(ids):
            raise ValueError(f"overlay ids repeat: {ids}")
        self.overlays = tuple(sorted(overlays, key=lambda o: o.id))
        self._by_id = {o.id: o for o in self.overlays}
        self._cache: dict[tuple[str, str], tuple[Overlay, ...]] = {}

    def get(self, overlay_id: str) -> Overlay | None:
        return self._by_id.get(overlay_id)

    def for_jurisdiction(self, edition_id: str, jurisdiction: str | None) -> tuple[Overlay, ...]:
        """The overlays that extend `edition_id` for a unit recommending from `jurisdiction`.

        Central SOEs (`soe:…`) and the XPCC recommend outside any province, so no province's
        overlay applies to them; neither does one when no jurisdiction is named.
        """
        if jurisdiction is None or not jurisdiction.isdigit():
            return ()
        key = (edition_id, jurisdiction)
        found = self._cache.get(key)
        if found is None:
            found = tuple(
                o
                for o in self.overlays
                if edition_id in o.editions and o.jurisdiction.covers(jurisdiction)
            )
            if len(self._cache) < 10_000:
                self._cache[key] = found
        return found


def load_overlay(text: str, *, expected_id: str | None = None) -> Overlay:
    return load_named(Overlay, text, key="id", expected=expected_id, kind="overlay")


@functools.cache
def overlays() -> OverlayCatalogue:
    """The shipped overlays, read and validated once per process."""
    return OverlayCatalogue(
        [load_overlay(text, expected_id=stem) for stem, text in shipped_yaml(__package__, "data")]
    )
