"""Who may fill in, import and read self-assessments.

251号 一(一): "省级工业和信息化主管部门、有关中央企业应组织本地区、本集团规上企业开展基础级智能工厂
自评自建" — the organisers of 基础级 self-assessments are the provinces (for their regions), the
XPCC (a province-level unit, 251号 header "新疆生产建设兵团"; for the regions Ladder routes to
it) and the central-SOE group headquarters (for their group's enterprises, wherever they are).
The ministry imports nationwide. Each organiser's reach is a `Scope`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ladder.declaration.selfassessments.models import SelfAssessment, SelfAssessmentImport
from ladder.kit import jurisdiction, units
from ladder.kit.auth import Principal, Role

IMPORTING_ROLES = frozenset({Role.province, Role.ministry, Role.central_soe_hq})


@dataclass(frozen=True)
class Scope:
    """The self-assessments an authority organises or reads: those registered under one of
    `regions` (prefixes; '' = anywhere) and not under a prefix carved out of them for a unit
    that does not report to it (平潭 350128 out of 福州 3501), or of an enterprise its unit
    covers by name (a 管委会's); for a central-SOE group HQ, only its group's (`group` = the
    group's USCC). The units are `ladder.kit.units`, as for cases."""

    regions: tuple[str, ...]
    excluded_regions: tuple[str, ...] = ()
    enterprises: tuple[str, ...] = ()
    excluded_enterprises: tuple[str, ...] = ()
    group: str | None = None

    @property
    def single_region(self) -> str:
        """The one prefix an importer's rows must be inside (importers are provinces, the
        XPCC, group HQs and the ministry: one prefix each, nothing carved out)."""
        assert len(self.regions) == 1 and not self.excluded_regions
        return self.regions[0]

    def covers_region(self, region_code: str, enterprise_uscc: str) -> bool:
        if enterprise_uscc in self.excluded_enterprises:
            return False
        if enterprise_uscc in self.enterprises:
            return True
        return region_code.startswith(self.regions) and not region_code.startswith(
            self.excluded_regions
        )

    def covers(self, assessment: SelfAssessment, enterprise_group: str | None) -> bool:
        """Whether the assessment is in scope; `enterprise_group` is the group named by the
        enterprise's own profile (a group HQ reads what its group's enterprises filed)."""
        if not self.covers_region(assessment.region_code, assessment.enterprise_uscc):
            return False
        if self.group is None:
            return True
        return self.group in (assessment.central_soe_group, enterprise_group)


def scope_of(principal: Principal) -> Scope | None:
    """The caller's scope as an authority; None for everyone else."""
    if principal.role is Role.ministry:
        return Scope(("",))
    if principal.role is Role.central_soe_hq:
        return Scope(("",), group=principal.org.upper()) if principal.org else None
    reach = jurisdiction.reach(principal)
    if reach.unit == jurisdiction.XPCC:
        xpcc = units.registry().get(jurisdiction.XPCC)
        return None if xpcc is None else Scope(xpcc.covers.regions)
    if reach.nothing or reach.unit is not None:
        return None
    return Scope(
        reach.regions,
        excluded_regions=reach.excluded_regions,
        enterprises=reach.enterprises,
        excluded_enterprises=reach.excluded_enterprises,
    )


def may_import(principal: Principal) -> bool:
    """A province or the XPCC (for its own regions), a group HQ (for its group) or the
    ministry (nationwide)."""
    return principal.role in IMPORTING_ROLES and scope_of(principal) is not None


def import_scope(principal: Principal) -> Scope:
    """The scope every imported row must be inside."""
    scope = scope_of(principal)
    assert scope is not None and principal.role in IMPORTING_ROLES
    return scope


def may_read(
    principal: Principal, assessment: SelfAssessment, enterprise_group: str | None = None
) -> bool:
    if principal.role is Role.enterprise:
        return principal.org is not None and principal.org.upper() == assessment.enterprise_uscc
    if principal.role is Role.service:
        return True
    scope = scope_of(principal)
    return scope is not None and scope.covers(assessment, enterprise_group)


def may_read_import(principal: Principal, record: SelfAssessmentImport) -> bool:
    """The importer's own level and those above it: a province reads its imports, a group HQ
    its group's, the ministry every import."""
    if principal.role is Role.service:
        return True
    if principal.role not in IMPORTING_ROLES:
        return False
    scope = scope_of(principal)
    if scope is None or not record.jurisdiction.startswith(scope.regions):
        return False
    return scope.group is None or record.central_soe_group == scope.group
