"""Domain errors of the rules service, each with a stable code."""

from __future__ import annotations

from typing import Any, ClassVar

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


class NotInCatalogue(LadderError):
    """Facts name something the edition's catalogues do not have: a segment (环节), a scene,
    a KPI, a material section, a commitment or a basic-requirement attestation.

    The code is that of the first problem (`unknown_segment`, `unknown_scene`, …); every
    problem is listed in `details.fields` with its own type and the allowed names.
    """

    status_code = 422
    code = "not_in_catalogue"
    codes: ClassVar[tuple[str, ...]] = (
        "unknown_segment",
        "unknown_scene_segment",
        "unknown_scene",
        "unknown_kpi",
        "unknown_material_section",
        "unknown_commitment",
        "unknown_basic_requirement",
    )
    message = "填报内容不属于该版本要素条件的目录"
    message_en = "Not in the catalogues of this edition"

    def __init__(self, edition: str, problems: list[dict[str, Any]]) -> None:
        self.code = problems[0]["type"]  # type: ignore[misc]  (per instance, by design)
        names = ", ".join(p["field"] for p in problems[:5])
        super().__init__(
            f"填报内容不属于要素条件({edition})的目录：{names}",
            f"Not in the catalogues of edition {edition}: {names}",
            details={"edition": edition, "fields": problems},
        )


class OverlayNotFound(NotFound):
    code = "overlay_not_found"
    message = "地方补充要求不存在"
    message_en = "No such local overlay"


class BatchTooLarge(LadderError):
    """A batch with more items than one call may carry, refused while its body is still
    arriving: counted item by item as the bytes come in, before any model is built, so an
    over-long batch costs the bytes read so far, not the process's memory (issue 12)."""

    status_code = 413
    code = "batch_too_large"
    message = "批量评估条目过多，请分批提交"
    message_en = "Too many items in one batch; split it into several calls"
