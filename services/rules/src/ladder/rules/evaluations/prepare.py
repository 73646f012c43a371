"""From validated input to the facts rules read: names checked against the edition's
catalogues, covered segments derived from the declared scenes.

Strict (single and batch evaluations): a name the edition does not know is a 422 naming the
field. Lenient (comparing editions): such a fact is set aside for that edition and reported,
since a scene or KPI of one edition may simply not exist in the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ladder.rules.editions.models import Edition
from ladder.rules.errors import NotInCatalogue
from ladder.rules.evaluations.facts import FactsIn
from ladder.rules.rules import Facts


@dataclass(frozen=True, slots=True)
class _Index:
    """An edition's catalogues as sets, built once per edition."""

    segments: tuple[str, ...]
    segment_set: frozenset[str]
    guide: dict[str, tuple[str | None, frozenset[str] | None]]  # 环节 → (segment, scenes)
    kpis: frozenset[str]
    materials: frozenset[str]
    commitments: frozenset[str]
    basic: frozenset[str]


def _build_index(edition: Edition) -> _Index:
    mapped = {g: s.name for s in edition.segments for g in s.guide_segments}
    return _Index(
        segments=edition.segment_names,
        segment_set=frozenset(edition.segment_names),
        guide={
            g.name: (mapped.get(g.name), frozenset(g.scenes) if g.scenes is not None else None)
            for g in edition.scene_guide.segments
        },
        kpis=frozenset(i.key for i in edition.kpi_table.indicators),
        materials=frozenset(s.key for m in edition.materials.values() for s in m.sections),
        commitments=frozenset(c.key for c in edition.commitments),
        basic=frozenset(f.key for r in edition.basic_requirements for f in r.facts),
    )


# Keyed by identity, holding the edition so its id is never reused while cached.
_indexes: dict[int, tuple[Edition, _Index]] = {}


def _index(edition: Edition) -> _Index:
    entry = _indexes.get(id(edition))
    if entry is None or entry[0] is not edition:
        entry = (edition, _build_index(edition))
        _indexes[id(edition)] = entry
    return entry[1]


def _all_known(ix: _Index, given: FactsIn) -> bool:
    """The common case in one pass of set operations: every name is in the catalogues."""
    guide = ix.guide
    return (
        ix.segment_set.issuperset(given.segments)
        and (given.kpis is None or ix.kpis.issuperset(given.kpis))
        and (given.materials is None or ix.materials.issuperset(given.materials))
        and (given.commitments is None or ix.commitments.issuperset(given.commitments))
        and (given.basic_requirements is None or ix.basic.issuperset(given.basic_requirements))
        and all(
            (e := guide.get(s.segment)) is not None and (e[1] is None or s.scene in e[1])
            for s in given.scenes or ()
        )
    )


def problems(edition: Edition, given: FactsIn) -> list[dict[str, Any]]:
    """Every name in `given` the edition's catalogues do not know, with its field path."""
    ix = _index(edition)
    if _all_known(ix, given):
        return []
    out: list[dict[str, Any]] = []

    def add(field: str, kind: str, value: str, allowed: Any) -> None:
        out.append(
            {
                "field": field,
                "type": kind,
                "message_en": f"{value!r} is not in the catalogue of edition {edition.id}",
                "allowed": sorted(allowed) if isinstance(allowed, frozenset) else allowed,
            }
        )

    for i, name in enumerate(given.segments):
        if name not in ix.segment_set:
            add(f"facts.segments[{i}]", "unknown_segment", name, list(ix.segments))
    for i, scene in enumerate(given.scenes or ()):
        entry = ix.guide.get(scene.segment)
        if entry is None:
            add(
                f"facts.scenes[{i}].segment", "unknown_scene_segment", scene.segment, list(ix.guide)
            )
        elif entry[1] is not None and scene.scene not in entry[1]:
            add(f"facts.scenes[{i}].scene", "unknown_scene", scene.scene, entry[1])
    for key in given.kpis or ():
        if key not in ix.kpis:
            add(f"facts.kpis.{key}", "unknown_kpi", key, ix.kpis)
    for i, key in enumerate(given.materials or ()):
        if key not in ix.materials:
            add(f"facts.materials[{i}]", "unknown_material_section", key, ix.materials)
    for key in given.commitments or ():
        if key not in ix.commitments:
            add(f"facts.commitments.{key}", "unknown_commitment", key, ix.commitments)
    for key in given.basic_requirements or ():
        if key not in ix.basic:
            add(f"facts.basic_requirements.{key}", "unknown_basic_requirement", key, ix.basic)
    return out


def prepare(edition: Edition, given: FactsIn) -> Facts:
    """Strict: the facts, or 422 naming every field the edition does not know."""
    found = problems(edition, given)
    if found:
        raise NotInCatalogue(edition.id, found)
    return derive(edition, given)


def prepare_lenient(edition: Edition, given: FactsIn) -> tuple[Facts, list[dict[str, Any]]]:
    """The facts with unknown names set aside, and what was set aside."""
    found = problems(edition, given)
    if not found:
        return derive(edition, given), []
    ix = _index(edition)
    update: dict[str, Any] = {
        "segments": [s for s in given.segments if s in ix.segment_set],
    }
    if given.scenes is not None:
        update["scenes"] = [
            s
            for s in given.scenes
            if (e := ix.guide.get(s.segment)) is not None and (e[1] is None or s.scene in e[1])
        ]
    if given.kpis is not None:
        update["kpis"] = {k: v for k, v in given.kpis.items() if k in ix.kpis}
    if given.materials is not None:
        update["materials"] = [m for m in given.materials if m in ix.materials]
    if given.commitments is not None:
        update["commitments"] = {k: v for k, v in given.commitments.items() if k in ix.commitments}
    if given.basic_requirements is not None:
        update["basic_requirements"] = {
            k: v for k, v in given.basic_requirements.items() if k in ix.basic
        }
    return derive(edition, given.model_copy(update=update)), found


def derive(edition: Edition, given: FactsIn) -> Facts:
    """The covered segments (declared, plus those of declared scenes) and the scene counts."""
    guide = _index(edition).guide
    covered = set(given.segments)
    scenes = given.scenes or ()
    ai = 0
    for scene in scenes:
        segment = guide[scene.segment][0]
        if segment is not None:
            covered.add(segment)
        if scene.ai:
            ai += 1
    return Facts(
        given=given, segments=frozenset(covered), scene_count=len(scenes), ai_scene_count=ai
    )
