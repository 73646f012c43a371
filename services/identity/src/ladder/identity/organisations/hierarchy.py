"""Who creates which official organisations, as data (`hierarchy.yaml`), and the token role of
an organisation of each kind.

The rules say which creator (by its token role) may create which kind of organisation (a unit:
at which level of `ladder.kit.units`), and where the new unit must lie: anywhere the registry
lists one at that level (`national`: the ministry) or directly under the creator's own unit in
the registry (`reports_to_creator`: a province's cities and 平潭, a city's counties, Shanghai's
districts under the municipal commission). Each rule carries the clause it reads.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Annotated, Self

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from ladder.identity.organisations.models import OrgKind
from ladder.kit.auth import Role
from ladder.kit.units import Level

Source = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4)]
UNIT_LEVELS = (Level.province, Level.city, Level.county)


class Scope(StrEnum):
    national = "national"  # any unit the registry lists at the level
    reports_to_creator = "reports_to_creator"  # the registry's parent of the unit is the creator's


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(_Strict):
    kind: OrgKind
    level: Level | None = None

    @model_validator(mode="after")
    def _level_for_units(self) -> Self:
        if (self.kind is OrgKind.unit) != (self.level is not None):
            raise ValueError("a unit target names its level; other kinds name none")
        if self.level is not None and self.level not in UNIT_LEVELS:
            raise ValueError(f"a unit is at one of {[lv.value for lv in UNIT_LEVELS]}")
        return self


class Rule(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{2,80}$")]
    creator: Role
    creates: Target
    scope: Scope
    source: Source
    note: str | None = None


class Roles(_Strict):
    ministry: Role
    expert_pool: Role
    central_soe_hq: Role
    enterprise: Role
    unit: dict[Level, Role]


class Hierarchy(_Strict):
    roles: Roles
    rules: tuple[Rule, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if set(self.roles.unit) != set(UNIT_LEVELS):
            raise ValueError("roles.unit names the role of each unit level")
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule {rule.id} is listed twice")
            seen.add(rule.id)
            if rule.creates.kind is OrgKind.enterprise:
                raise ValueError(f"{rule.id}: enterprises register, nobody creates them")
            if rule.scope is Scope.reports_to_creator and rule.creator not in (
                Role.province,
                Role.city,
            ):
                raise ValueError(f"{rule.id}: only a unit has units reporting to it")
        return self

    def role_of(self, kind: OrgKind | str, level: Level | None = None) -> Role:
        """The token role of an organisation of `kind` (a unit: at `level`)."""
        kind = OrgKind(kind)
        if kind is OrgKind.unit:
            if level is None:
                raise ValueError("a unit's role depends on its level")
            return self.roles.unit[level]
        return getattr(self.roles, kind.value)

    def rules_for(self, creator: Role | str, kind: OrgKind | str) -> list[Rule]:
        """The rules letting an organisation whose token role is `creator` create `kind`."""
        return [r for r in self.rules if r.creator == creator and r.creates.kind == kind]

    def creatable(self, creator: Role | str) -> list[Target]:
        """What `creator` may create (for the answer that refuses the rest)."""
        return [r.creates for r in self.rules if r.creator == creator]


def parse(text: str) -> Hierarchy:
    """Validate a hierarchy from YAML text (raises `pydantic.ValidationError`)."""
    return Hierarchy.model_validate(yaml.safe_load(text))


@cache
def hierarchy() -> Hierarchy:
    """The hierarchy in force, read once."""
    text = resources.files(__package__).joinpath("hierarchy.yaml").read_text("utf-8")
    return parse(text)
