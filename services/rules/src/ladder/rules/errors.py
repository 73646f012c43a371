"""Domain errors of the rules service, each with a stable code."""

from __future__ import annotations

from typing import Any

from ladder.kit.errors import LadderError, NotFound


class EditionNotFound(NotFound):
    code = "edition_not_found"
    message = "要素条件版本不存在"
    message_en = "No such edition of the eligibility conditions (要素条件)"


class UnknownEdition(LadderError):
    """An evaluation names an edition we do not have (the request is bad, not a route)."""

    status_code = 422
    code = "unknown_edition"
    message = "要素条件版本不存在"
    message_en = "Unknown edition of the eligibility conditions (要素条件)"

    def __init__(self, edition: str, known: list[str]) -> None:
        super().__init__(
            details={
                "fields": [
                    {
                        "field": "edition",
                        "type": self.code,
                        "message_en": f"unknown edition {edition!r}",
                    }
                ],
                "known": known,
            }
        )


class NoEditionInEffect(LadderError):
    status_code = 422
    code = "no_edition_in_effect"
    message = "当前没有生效的要素条件版本，请指定版本"
    message_en = "No edition is in effect today; name one"


class UnknownSegment(LadderError):
    """A fact names a segment (环节) the edition does not define."""

    status_code = 422
    code = "unknown_segment"
    message = "环节名称不属于该版本要素条件"
    message_en = "Segment (环节) not defined by this edition"

    def __init__(self, edition: str, unknown: list[tuple[str, str]], allowed: list[str]) -> None:
        fields: list[dict[str, Any]] = [
            {"field": field, "type": self.code, "message_en": f"unknown segment {value!r}"}
            for field, value in unknown
        ]
        names = ", ".join(field for field, _ in unknown)
        super().__init__(
            f"环节名称不属于要素条件({edition})：{names}",
            f"Segment (环节) not defined by edition {edition}: {names}",
            details={"fields": fields, "allowed": allowed},
        )
