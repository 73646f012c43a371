"""Reading the editions of 要素条件 and choosing the one that applies."""

from __future__ import annotations

from datetime import date, timedelta, timezone

from ladder.kit import clock
from ladder.rules import rules
from ladder.rules.editions.catalogue import Edition, catalogue
from ladder.rules.editions.schemas import RuleCatalogue, RuleRead, SceneCatalogue, SceneRead
from ladder.rules.errors import EditionNotFound, NoEditionInEffect, UnknownEdition
from ladder.rules.overlays.catalogue import overlays
from ladder.rules.vocabulary import Tier

# Notices take effect on Beijing dates (UTC+8, no daylight saving).
CHINA_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")


def today() -> date:
    return clock.beijing_today()


def all_editions() -> tuple[Edition, ...]:
    return catalogue().editions


def get(edition_id: str) -> Edition:
    """The edition a route names (404 when there is none)."""
    edition = catalogue().get(edition_id)
    if edition is None:
        raise EditionNotFound(details={"edition": edition_id, "known": catalogue().ids})
    return edition


def for_evaluation(edition_id: str | None, on: date | None = None) -> Edition:
    """The edition a request names, or the one in effect on `on` (today) when it names none."""
    cat = catalogue()
    if edition_id is None:
        edition = cat.in_effect(on or today())
        if edition is None:
            raise NoEditionInEffect(details={"known": cat.ids})
        return edition
    edition = cat.get(edition_id)
    if edition is None:
        raise UnknownEdition(edition_id, cat.ids)
    return edition


def scenes(edition: Edition) -> SceneCatalogue:
    mapped = {g: s.name for s in edition.segments for g in s.guide_segments}
    guide = edition.scene_guide
    return SceneCatalogue(
        edition=edition.id,
        guide=guide.title,
        source=guide.source,
        segments=[g.name for g in guide.segments],
        scenes_loaded=all(g.scenes is not None for g in guide.segments),
        scenes=[
            SceneRead(segment=g.name, maps_to=mapped.get(g.name), scene=s)
            for g in guide.segments
            for s in g.scenes or ()
        ],
    )


def rule_catalogue(edition: Edition, tier: Tier, jurisdiction: str | None) -> RuleCatalogue:
    found = overlays().for_jurisdiction(edition.id, jurisdiction)
    specs = rules.rules_for(rules.Context(edition, tier, found, jurisdiction))
    return RuleCatalogue(
        edition=edition.id,
        tier=tier,
        jurisdiction=jurisdiction,
        overlays=[o.id for o in found],
        rules=[RuleRead.model_validate(s.describe()) for s in specs],
    )
