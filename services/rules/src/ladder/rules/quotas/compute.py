"""The quota computation: policy + reference table + unit → limit and its derivation (pure).

Two steps so the caller fetches only what is needed: `plan()` resolves the unit (a 计划单列市 or
a city to its province, a Shanghai district to the local cap) and says which reference table,
if any, the limit is read from; `finish()` reads the value from that table and picks the band.
Every step of the way is written into the derivation with the clause that makes it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from ladder.rules.quotas import units
from ladder.rules.quotas.errors import (
    NoQuotaForTier,
    RecommendViaProvince,
    ReferenceDataMissing,
)
from ladder.rules.quotas.policy import (
    Basis,
    Exemption,
    LocalOverlay,
    NationalTierRule,
    QuotaPolicy,
    SpecialUnitRule,
    Treatment,
)
from ladder.rules.quotas.schemas import (
    DerivationStep,
    ExemptionRead,
    InputRead,
    InputSource,
    Level,
    PolicyRead,
    QuotaAnswer,
    ReferenceRead,
    RequestedUnit,
    UnitRead,
)
from ladder.rules.quotas.units import Unit, UnitKind
from ladder.rules.reference.kinds import SPECS, DatasetKind
from ladder.rules.reference.regions import Region
from ladder.rules.vocabulary import Tier


@dataclass(frozen=True)
class Reference:
    """One version of a reference table, as the computation reads it."""

    dataset_id: uuid.UUID | None  # None: counted from the register, not uploaded
    kind: DatasetKind
    year: int
    version: int
    source_note: str
    sample: bool
    values: Mapping[str, int]
    register_ref: str | None = None  # the register's source (publication time, 文号)

    def read(self) -> InputRead:
        if self.dataset_id is None:
            return InputRead(
                kind=self.kind,
                year=self.year,
                source=InputSource.register,
                reference=self.register_ref or "",
            )
        return InputRead(
            kind=self.kind,
            year=self.year,
            source=InputSource.uploaded,
            reference=str(self.dataset_id),
        )


@dataclass(frozen=True)
class Plan:
    """A quota before the reference value is read: whose quota, and from where."""

    campaign: str
    tier: Tier
    unit: Unit
    quota_unit: Unit
    level: Level
    policy: PolicyRead
    steps: list[DerivationStep]
    limit: int | None = None  # a fixed limit (own quota, local cap) …
    basis: Basis | None = None  # … or bands read against a reference table
    exemptions: tuple[Exemption, ...] = field(default=())

    @property
    def needs(self) -> tuple[DatasetKind, int] | None:
        """The reference table (kind, year) the limit is read from, if any."""
        return None if self.basis is None else (self.basis.kind, self.basis.year)


def plan(policy: QuotaPolicy, tier: Tier, unit: Unit) -> Plan:
    rule = policy.national.tiers.get(tier)
    if rule is None:
        raise NoQuotaForTier(tier.value, [t.value for t in policy.national.tiers])
    overlay = policy.overlay_for(unit.province.code) if unit.province else None
    ctx = _Context(policy, tier, units.within(unit, overlay), rule)
    unit = ctx.unit
    if unit.kind is UnitKind.district and overlay is not None:
        return _local(ctx, overlay)
    if unit.kind is UnitKind.province:
        return ctx.banded(unit)
    if unit.kind is UnitKind.city and unit.province is not None:
        province = unit.province
        return ctx.banded(
            _province_unit(province),
            _step(
                "resolve_unit",
                rule.clause,
                f"{unit.code}不是计划单列市，也不属于地方细则所列单位，"
                f"按所在省（{province.name}）的推荐名额计算",
                f"{unit.code} is neither a separately planned city (计划单列市) nor a unit of a "
                f"local overlay: it recommends through {province.name_en}, whose quota applies",
                province.code,
            ),
        )
    return _special(ctx, _special_rule(rule, unit.kind))


@dataclass(frozen=True)
class _Context:
    policy: QuotaPolicy
    tier: Tier
    unit: Unit
    rule: NationalTierRule

    @property
    def national(self) -> PolicyRead:
        n = self.policy.national
        return PolicyRead(
            id=n.id, source=n.source, clause=self.rule.clause, effective_from=n.effective_from
        )

    def banded(self, quota_unit: Unit, *steps: DerivationStep) -> Plan:
        """The national bands, read for `quota_unit` from the rule's reference table."""
        return Plan(
            campaign=self.policy.campaign,
            tier=self.tier,
            unit=self.unit,
            quota_unit=quota_unit,
            level=Level.national,
            policy=self.national,
            steps=list(steps),
            basis=self.rule.basis,
        )

    def fixed(
        self,
        limit: int,
        policy: PolicyRead,
        level: Level,
        *steps: DerivationStep,
        exemptions: tuple[Exemption, ...] = (),
    ) -> Plan:
        """A limit of the unit's own (a fixed national quota or a local cap)."""
        return Plan(
            campaign=self.policy.campaign,
            tier=self.tier,
            unit=self.unit,
            quota_unit=self.unit,
            level=level,
            policy=policy,
            steps=list(steps),
            limit=limit,
            exemptions=exemptions,
        )


def _local(ctx: _Context, overlay: LocalOverlay) -> Plan:
    """A district under a local overlay: its own cap, or (tier not capped) the province's."""
    unit, rule = ctx.unit, ctx.rule
    assert unit.province is not None
    province = unit.province
    local = overlay.tiers.get(ctx.tier)
    if local is None:
        return ctx.banded(
            _province_unit(province),
            _step(
                "resolve_unit",
                rule.clause,
                f"{overlay.source}未规定该层级的区级名额，按{province.name}的推荐名额计算",
                f"{overlay.source} sets no district quota for this tier: "
                f"{province.name_en}'s quota applies",
                province.code,
            ),
        )
    return ctx.fixed(
        local.limit,
        PolicyRead(
            id=overlay.id,
            source=overlay.source,
            clause=local.clause,
            effective_from=overlay.effective_from,
        ),
        Level.local,
        _step(
            "local_overlay",
            local.clause,
            f"{unit.name}（{unit.code}）是{province.name}的区，适用{overlay.source}的地方推荐名额",
            f"{unit.name_en} ({unit.code}) is a district of {province.name_en}: "
            f"the local quota of {overlay.source} applies",
            overlay.id,
        ),
        _step("local_limit", local.clause, local.text, local.text_en, local.limit),
        exemptions=local.exemptions,
    )


def _special(ctx: _Context, special: SpecialUnitRule) -> Plan:
    """XPCC, a central SOE or a 计划单列市, as the tier's rule treats it."""
    unit, clause = ctx.unit, ctx.rule.clause
    if special.treatment is Treatment.own_quota:
        assert special.limit is not None
        step = _step("own_quota", clause, special.text, special.text_en, special.limit)
        return ctx.fixed(special.limit, ctx.national, Level.national, step)
    if special.treatment is Treatment.as_province:
        name = "interpretation" if special.interpretation else "resolve_unit"
        return ctx.banded(unit, _step(name, clause, special.text, special.text_en, unit.code))
    if unit.province is None:  # via_province, but no single province: a central SOE
        raise RecommendViaProvince(unit.requested, clause, special.text, special.text_en)
    province = unit.province
    return ctx.banded(
        _province_unit(province),
        _step(
            "resolve_unit",
            clause,
            f"{special.text}：{unit.name}的项目由{province.name}推荐",
            f"{special.text_en}: {unit.name_en} → {province.name_en}",
            province.code,
        ),
    )


def finish(plan: Plan, reference: Reference | None) -> QuotaAnswer:
    """The answer, reading the plan's reference table when it has bands."""
    steps = list(plan.steps)
    limit = plan.limit
    if plan.basis is not None:
        limit = _read_band(plan, plan.basis, reference, steps)
    assert limit is not None
    used = reference if plan.basis is not None else None
    return QuotaAnswer(
        campaign=plan.campaign,
        tier=plan.tier,
        unit=RequestedUnit(requested=plan.unit.requested, **_unit_read(plan.unit).model_dump()),
        quota_unit=_unit_read(plan.quota_unit),
        limit=limit,
        level=plan.level,
        policy=plan.policy,
        derivation=steps,
        reference=None if used is None or used.dataset_id is None else _reference_read(used),
        input=None if used is None else used.read(),
        sample=bool(used and used.sample),
        exemptions=[
            ExemptionRead(key=e.key, clause=e.clause, text=e.text, text_en=e.text_en)
            for e in plan.exemptions
        ],
    )


def quota(policy: QuotaPolicy, tier: Tier, unit: Unit, reference: Reference | None) -> QuotaAnswer:
    return finish(plan(policy, tier, unit), reference)


def _read_band(
    plan: Plan, basis: Basis, reference: Reference | None, steps: list[DerivationStep]
) -> int:
    kind, year = basis.kind, basis.year
    if reference is None:
        raise ReferenceDataMissing(kind.value, year)
    if (reference.kind, reference.year) != (kind, year):
        raise ValueError(f"given {reference.kind}/{reference.year}, the plan needs {kind}/{year}")
    spec = SPECS[kind]
    clause = plan.policy.clause
    region, name, name_en = plan.quota_unit.code, plan.quota_unit.name, plan.quota_unit.name_en
    value = reference.values.get(region)
    if value is None:
        # A ranking that lists the top n leaves everyone else after n: decisive only when
        # every rank after n falls in the same (open-ended) band.
        after = len(reference.values) + 1
        if not spec.ranks or basis.band_for(after).max is not None:
            raise ReferenceDataMissing(kind.value, year, region)
        band = basis.band_for(after)
        steps.append(
            _step(
                "reference",
                clause,
                f"{name}未列入{year}年{spec.title}表（表列前{after - 1}位），排名在其后",
                f"{name_en} is not in the {year} {spec.title_en} table (which lists the top "
                f"{after - 1}), so it ranks below them",
                None,
            )
        )
    else:
        band = basis.band_for(value)
        fill = {"name": name, "name_en": name_en, "year": year, "value": value}
        steps.append(
            _step(
                "reference", clause, spec.reads.format(**fill), spec.reads_en.format(**fill), value
            )
        )
    steps.append(_step("band", clause, band.text, band.text_en, band.limit))
    return band.limit


def _special_rule(rule: NationalTierRule, kind: UnitKind) -> SpecialUnitRule:
    return {
        UnitKind.xpcc: rule.xpcc,
        UnitKind.central_soe: rule.central_soe,
        UnitKind.separately_planned_city: rule.separately_planned_city,
    }[kind]


def _province_unit(province: Region) -> Unit:
    return Unit(
        province.code, UnitKind.province, province.code, province.name, province.name_en, province
    )


def _unit_read(unit: Unit) -> UnitRead:
    return UnitRead(kind=unit.kind, code=unit.code, name=unit.name, name_en=unit.name_en)


def _reference_read(ref: Reference) -> ReferenceRead:
    assert ref.dataset_id is not None
    return ReferenceRead(
        dataset_id=ref.dataset_id,
        kind=ref.kind,
        year=ref.year,
        version=ref.version,
        source_note=ref.source_note,
        sample=ref.sample,
    )


def _step(
    step: str, clause: str, text: str, text_en: str, value: int | str | None
) -> DerivationStep:
    return DerivationStep(step=step, clause=clause, text=text, text_en=text_en, value=value)
