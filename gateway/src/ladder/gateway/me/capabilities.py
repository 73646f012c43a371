"""What a caller may do, as data: each capability names the roles that have it, the kinds of
caller (people, machine clients, Ladder's services), what else it needs (an admin of the
organisation, an organisation of some kind, a unit to speak for), the service whose routes
it is (a machine client needs that service's `read`/`write` scope: `ladder.kit.auth.
check_scope`), a route that does it, and the clause it comes from — or "Ladder's reading"
where the notices do not say and Ladder decided.

A capability says the caller may do this kind of thing at all; whether it may do it to one
case, list or record now is the service's answer (its reach, the case's holder, the state).
The routes are rows of the permission matrix (`tests/security/matrix.py`): a test checks
that no role the matrix lets through a capability's route is missing from its roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from ladder.kit.auth import Role


class CallerKind(StrEnum):
    person = "person"  # a signed-in user (an account of the identity service, or a dev token)
    machine_client = "machine_client"  # another platform's system (client credentials, scopes)
    service = "service"  # a Ladder service


PEOPLE = frozenset({CallerKind.person})
PEOPLE_AND_CLIENTS = frozenset({CallerKind.person, CallerKind.machine_client})
CLIENTS = frozenset({CallerKind.machine_client})
REGIONAL = frozenset({Role.county, Role.city, Role.province})
AUTHORITIES = REGIONAL | {Role.central_soe_hq, Role.ministry}
# The identity service's organisation kinds (its `OrgKind`) that may hold machine clients
# (its `clients.scopes.MAY_HAVE_CLIENTS`; named here, the gateway imports no service).
CLIENT_HOLDING_KINDS = frozenset({"unit", "central_soe_hq", "ministry"})


@dataclass(frozen=True)
class Capability:
    name: str
    summary: str
    summary_zh: str
    roles: frozenset[Role]
    service: str  # declaration | rules | review | identity
    access: Literal["read", "write"]
    route: tuple[str, str]  # (method, path in the service's document)
    source: str
    callers: frozenset[CallerKind] = PEOPLE_AND_CLIENTS
    admin_only: bool = False  # an admin of the caller's organisation (identity's `org_role`)
    org_kinds: frozenset[str] | None = None  # the identity organisation kinds that have it
    needs_unit: bool = False  # an authority whose token names the unit it speaks for

    @property
    def scope(self) -> str:
        return f"{self.service}:{self.access}"


# fmt: off
CAPABILITIES: tuple[Capability, ...] = (
    Capability(
        "declare", "Declare a factory for 卓越级 or 领航级 (申报)", "在线申报智能工厂",
        frozenset({Role.enterprise}), "declaration", "write", ("POST", "/v1/declarations"),
        "251号 二(二)1、三(二)1: the enterprise declares online; only the enterprise's own "
        "users act for it (declaration service, enterprises/auth.py)",
        callers=PEOPLE,
    ),
    Capability(
        "self_assess", "Fill in the 基础级 self-assessment (自评自建)", "填报基础级自评",
        frozenset({Role.enterprise}), "declaration", "write", ("POST", "/v1/self-assessments"),
        "251号 一(一): 规上企业开展基础级智能工厂自评自建",
        callers=PEOPLE,
    ),
    Capability(
        "import_self_assessments", "Import the self-assessments of one's region or group",
        "导入本地区、本集团的自评结果",
        frozenset({Role.province, Role.central_soe_hq, Role.ministry}), "declaration", "write",
        ("POST", "/v1/self-assessments/imports"),
        "251号 一(一): 省级工业和信息化主管部门、有关中央企业应组织本地区、本集团规上企业"
        "开展自评自建; the ministry nationwide is Ladder's reading",
        needs_unit=True,
    ),
    Capability(
        "import_recognitions", "Import earlier years' recognised lists (认定记录)",
        "导入往年认定名单",
        frozenset({Role.province, Role.ministry}), "declaration", "write",
        ("POST", "/v1/recognitions/imports"),
        "251号 一(二): the province recognises 先进级; the ministry publishes 卓越级 and 领航级",
        needs_unit=True,
    ),
    Capability(
        "manage_campaigns", "Open and edit a campaign (批次)", "创建和修改培育批次",
        frozenset({Role.ministry}), "declaration", "write", ("POST", "/v1/campaigns"),
        "251号: the ministries' notice sets each year's campaign; Ladder's reading: the "
        "campaign is the notice as data, entered by the ministry",
    ),
    Capability(
        "set_deadlines", "Set a jurisdiction's deadline chain", "设置本辖区的截止时间",
        frozenset({Role.ministry, Role.province}), "declaration", "write",
        ("PUT", "/v1/campaigns/{year}/deadlines/{jurisdiction}/{tier}"),
        "251号 一(二): the province sets the 先进级 calendar of its jurisdiction; the ministry "
        "every chain (二(二)1、三(二)1 dates)",
        needs_unit=True,
    ),
    Capability(
        "review_cases", "Read the inbox of declarations to review", "查看待审核的申报",
        AUTHORITIES, "review", "read", ("GET", "/v1/inbox"),
        "251号 二(二)2: recommending units review online; the chain per province "
        "(闽工信联函装备〔2025〕321号 county → city → province, 沪经信制〔2025〕430号 district)",
        needs_unit=True,
    ),
    Capability(
        "give_opinions", "Give the opinion at one's level of the chain (初审、推荐意见)",
        "在本级给出审核或推荐意见",
        frozenset({Role.county, Role.city, Role.province, Role.central_soe_hq}), "review",
        "write", ("POST", "/v1/cases/{declaration_id}/opinions"),
        "321号: county → city → province; the holder at a case's level gives its opinion "
        "(review service, cases/auth.py)",
        needs_unit=True,
    ),
    Capability(
        "manage_recommendation_lists", "Rank and submit the 推荐汇总表", "编制并报送推荐汇总表",
        frozenset({Role.province, Role.central_soe_hq}), "review", "write",
        ("PUT", "/v1/recommendation-lists/{campaign}/{tier}/{unit}"),
        "251号 二(二)2: each recommending unit (province, XPCC, central-SOE HQ) submits a "
        "ranked 推荐汇总表. A district or county that ranks its own table (430号 一(二)2, "
        "榕工信装备〔2025〕96号 2) is the review service's ranking levels: not named here",
        needs_unit=True,
    ),
    Capability(
        "push_ranked_lists", "Push a whole ranked 推荐汇总表 in one call", "一次推送完整推荐汇总表",
        frozenset({Role.province, Role.central_soe_hq}), "review", "write",
        ("PUT", "/v1/recommendation-lists/{campaign}/{tier}/{unit}/ranked"),
        "as manage_recommendation_lists; Ladder's reading (issue 16): for provincial systems",
        needs_unit=True,
    ),
    Capability(
        "run_national_review", "Run the national review: formal check, experts, 现场核查, "
        "decisions, 公示", "组织国家评审、现场核查、公示和认定",
        frozenset({Role.ministry}), "review", "write",
        ("POST", "/v1/national/cases/{declaration_id}/formal-check"),
        "251号 二(一)3、二(二)3、三(二)2: the ministries organise review, 现场核查 and publish",
    ),
    Capability(
        "score_assigned_cases", "Score the cases one is assigned to (专家评审)", "为分配的项目评分",
        frozenset({Role.expert}), "review", "write",
        ("PUT", "/v1/national/cases/{declaration_id}/scores/me"),
        "251号 三(二): the national expert committee reviews; an expert sees only the cases "
        "assigned to them (review service, national/auth.py)",
        callers=PEOPLE,
    ),
    Capability(
        "apply_for_acceptance", "Apply for the 领航级 acceptance (验收申请)", "提交领航级验收申请",
        frozenset({Role.enterprise}), "review", "write",
        ("POST", "/v1/cultivations/{declaration_id}/acceptance-application"),
        "251号 三(二): when the goals are met the enterprise applies to its recommending unit",
        callers=PEOPLE,
    ),
    Capability(
        "review_acceptance_applications", "Give the initial review of an acceptance (初审)",
        "对验收申请进行初审",
        frozenset({Role.city, Role.province}), "review", "write",
        ("POST", "/v1/cultivations/{declaration_id}/initial-review"),
        "251号 三(二): the recommending unit does the initial review (Fujian: city, then "
        "province)",
        needs_unit=True,
    ),
    Capability(
        "load_reference_data", "Load the numbers behind the quotas (reference data)",
        "录入名额测算所依据的数据",
        frozenset({Role.ministry}), "rules", "write", ("POST", "/v1/reference-datasets"),
        "251号 二(二)2: quotas by the 2024 industrial value-added rank and 卓越级 count, the "
        "ministry's numbers",
    ),
    Capability(
        "record_jiebang_units", "Record the 揭榜单位 of a local acceptance", "登记揭榜单位",
        frozenset({Role.ministry, Role.province}), "rules", "write", ("POST", "/v1/jiebang-units"),
        "430号 一(二)4: units that passed local acceptance (地方验收) use no district quota",
        needs_unit=True,
    ),
    Capability(
        "evaluate", "Evaluate facts against the 要素条件", "按要素条件测评",
        frozenset(Role) - {Role.public}, "rules", "write", ("POST", "/v1/evaluations"),
        "要素条件(2025): open to every caller with a token (rules service)",
        callers=frozenset(CallerKind),
    ),
    Capability(
        "object_to_publicity", "Object to a project under 公示", "对公示项目提出异议",
        frozenset(Role), "review", "write",
        ("POST", "/public/v1/publicity/{campaign}/{tier}/objections"),
        "251号 二(二)3: the list is announced (公示) before it is final; Ladder's reading: "
        "anyone may object, with or without a token",
        callers=frozenset(CallerKind),
    ),
    Capability(
        "approve_registrations", "Approve or reject the registrations of enterprises",
        "审核企业注册",
        REGIONAL, "identity", "write", ("POST", "/v1/registrations/{registration_id}/approve"),
        "Ladder's reading: an enterprise's authority is the unit that holds the lowest level "
        "of its chain (identity service, registrations/authority.py)",
        callers=PEOPLE, org_kinds=frozenset({"unit"}),
    ),
    Capability(
        "manage_users", "Invite and deactivate the organisation's users", "管理本单位用户",
        frozenset(Role) - {Role.public, Role.service}, "identity", "write", ("POST", "/v1/users"),
        "Ladder's reading: an organisation's admin manages its users (identity service)",
        callers=PEOPLE, admin_only=True,
    ),
    Capability(
        "manage_machine_clients", "Create, rotate and revoke machine clients", "管理对接系统客户端",
        AUTHORITIES, "identity", "write", ("POST", "/v1/clients"),
        "Ladder's reading (identity service, clients/scopes.py): the authorities that recommend "
        "or review integrate their systems; enterprises and the expert pool use the portal",
        callers=PEOPLE, admin_only=True, org_kinds=CLIENT_HOLDING_KINDS,
    ),
    Capability(
        "subscribe_webhooks", "Subscribe to webhooks of the public event types", "订阅事件推送",
        AUTHORITIES, "review", "write", ("POST", "/v1/webhooks/subscriptions"),
        "Ladder's reading (issue 16): webhooks are for other platforms' systems, machine "
        "clients alone (review service, webhooks)",
        callers=CLIENTS,
    ),
    Capability(
        "operate_event_relay", "Replay dead-lettered events (outbox)", "重放失败的事件",
        frozenset({Role.ministry, Role.service}), "declaration", "write",
        ("POST", "/v1/outbox/replay"),
        "Ladder's reading: operating the outbox is the ministry's and the services' "
        "(ladder.kit.outbox_ops)",
        callers=frozenset({CallerKind.person, CallerKind.service}),
    ),
)
# fmt: on


@dataclass(frozen=True)
class Caller:
    """What the capabilities are decided on."""

    kind: CallerKind
    role: Role
    scopes: frozenset[str] | None
    is_admin: bool = False
    org_kind: str | None = None
    has_unit: bool = False


def granted(capability: Capability, caller: Caller) -> bool:
    if caller.kind not in capability.callers or caller.role not in capability.roles:
        return False
    if caller.kind is CallerKind.machine_client and capability.scope not in (caller.scopes or ()):
        return False
    if capability.admin_only and not caller.is_admin:
        return False
    if capability.org_kinds is not None and caller.org_kind not in capability.org_kinds:
        return False
    return not capability.needs_unit or caller.has_unit


def capabilities_of(caller: Caller) -> list[Capability]:
    return [c for c in CAPABILITIES if granted(c, caller)]
