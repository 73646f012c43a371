"""Reading the editions of 要素条件 and choosing the one that applies."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from ladder.rules.editions.catalogue import Edition, catalogue
from ladder.rules.errors import EditionNotFound, NoEditionInEffect, UnknownEdition

# Notices take effect on Beijing dates (UTC+8, no daylight saving).
CHINA_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")


def today() -> date:
    return datetime.now(CHINA_TIME).date()


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
