"""Rules: batch evaluation with full findings, in process and over HTTP.

In process, the rules service's own path (parse the JSON body, validate each item, check its
names against the edition's catalogues, run every rule of the edition and overlays, shape the
results) runs against a hand-written function doing the same checks on the same JSON: the
2025 thresholds typed in as literals, the same refusals of bad types and unknown names (a
shorter list of them), findings as dicts with messages, no models and no data files. The
ratio is ours / hand-written (target ≥ 0.5). Then the batch endpoint is timed
over real HTTP, directly and through the gateway, on a stack of real processes.
"""

from __future__ import annotations

import copy
import gc
import json
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from ladder.rules.evaluations import service
from tests.bench.stack import bench_stack

BATCH = 2000
ROUNDS = 11
CASES = Path(__file__).parents[2] / "services" / "rules" / "tests" / "cases" / "2025.yaml"


def build_items(n: int) -> list[dict[str, Any]]:
    """A mix of tiers, jurisdictions and failing facts, from the 2025 rule-case bases."""
    bases = yaml.safe_load(CASES.read_text(encoding="utf-8"))["bases"]
    tiers = ["basic", "advanced", "excellence", "pilot"]
    items = []
    for i in range(n):
        tier = tiers[i % 4]
        facts = copy.deepcopy(bases[tier])
        if "credit_check" in facts:
            facts["credit_check"]["checked_on"] = str(facts["credit_check"]["checked_on"])
        if i % 5 == 1:
            facts["cmmm_level"] = 1
        if i % 7 == 2:
            facts["kpis"]["key_equipment_nc_rate"] = 120
        if i % 11 == 3:
            facts.setdefault("basic_requirements", {})["talent"] = False
        jurisdiction = ("350102", "310115", None)[i % 3]
        items.append({"ref": f"f{i}", "tier": tier, "facts": facts, "jurisdiction": jurisdiction})
    return items


# --- the hand-written baseline: 要素条件(2025) as literals -------------------------------

MIN_CMMM = {"basic": 2, "advanced": 2, "excellence": 3, "pilot": 4}
FIVE = ["工厂建设", "研发设计", "生产作业", "生产管理", "运营管理"]
REQUIRED = {
    "basic": ["生产作业"],
    "advanced": ["生产作业", "生产管理", "运营管理"],
    "excellence": FIVE,
    "pilot": FIVE,
}
GUIDE = {
    "工厂建设": "工厂建设",
    "产品研发": "研发设计",
    "工艺设计": "研发设计",
    "生产作业": "生产作业",
    "生产管理": "生产管理",
    "运营管理": "运营管理",
    "产品服务": "运营管理",
    "供应链管理": "运营管理",
}
BASIC = [
    ("scale", ["above_scale", "competitive"]),
    ("track_record", ["sound_finances", "no_bad_credit", "no_major_accident", "no_violations"]),
    ("security", ["secure_controllable", "security_risks_controlled"]),
    ("organisation", ["organisation", "talent"]),
]
PREREQ = {"advanced": "basic", "excellence": "advanced", "pilot": "excellence"}
ORDER = {"none": 0, "basic": 1, "advanced": 2, "excellence": 3, "pilot": 4}
AI_MIN = {"excellence": 20, "pilot": 60}
SHARES = [
    "key_equipment_nc_rate",
    "apc_usage_rate",
    "digital_equipment_rate",
    "ai_scene_share",
    "solid_waste_utilisation_rate",
    "water_reuse_rate",
]
INCREASES = [
    "sales_growth",
    "productivity_gain",
    "resource_utilisation_gain",
    "oee_gain",
    "inventory_turnover_gain",
    "supplier_on_time_gain",
    "order_on_time_gain",
    "labour_productivity_gain",
]
REDUCTIONS = [
    "rnd_cycle_reduction",
    "defect_rate_reduction",
    "operating_cost_reduction",
    "energy_intensity_reduction",
    "co2_intensity_reduction",
]
COUNTS = ["model_count", "diffusion_enterprise_count"]
ALL_KPIS = SHARES + INCREASES + REDUCTIONS + COUNTS
MATERIALS = {
    "excellence": ["applicant_info", "factory_info", "scene_construction", "effects"],
    "pilot": [
        "applicant_info",
        "factory_info",
        "scene_construction",
        "cultivation_plan",
        "effects",
    ],
}


def _f(rule, clause, severity, status, msg, msg_en, expected=None, actual=None, field=None):
    return {
        "rule_id": rule,
        "edition": "2025",
        "clause": clause,
        "severity": severity,
        "status": status,
        "passed": status == "passed",
        "expected": expected,
        "actual": actual,
        "field": field,
        "overlay": None,
        "message": msg,
        "message_en": msg_en,
    }


SCENES = {
    (g["name"], scene)
    for g in yaml.safe_load(
        (CASES.parents[2] / "src/ladder/rules/editions/2025.yaml").read_text(encoding="utf-8")
    )["scene_guide"]["segments"]
    for scene in g["scenes"]
}
KNOWN_MATERIALS = frozenset(MATERIALS["pilot"])
KNOWN_KPIS = frozenset(ALL_KPIS)
KNOWN_SEGMENTS = frozenset(FIVE)


def refuse(item: dict[str, Any]) -> str | None:
    """What a hand-written service would refuse before judging: types, ranges, names."""
    if item.get("tier") not in MIN_CMMM:
        return "tier"
    facts = item["facts"]
    level = facts.get("cmmm_level")
    if type(level) is not int or not 1 <= level <= 5:
        return "facts.cmmm_level"
    if not KNOWN_SEGMENTS.issuperset(facts.get("segments") or ()):
        return "facts.segments"
    for i, scene in enumerate(facts.get("scenes") or ()):
        if (scene["segment"], scene["scene"]) not in SCENES or type(
            scene.get("ai", False)
        ) is not bool:
            return f"facts.scenes[{i}]"
    kpis = facts.get("kpis") or {}
    if not KNOWN_KPIS.issuperset(kpis) or any(
        v is not None and type(v) not in (int, float) for v in kpis.values()
    ):
        return "facts.kpis"
    if not KNOWN_MATERIALS.issuperset(facts.get("materials") or ()):
        return "facts.materials"
    return None


def hand_written(item: dict[str, Any]) -> dict[str, Any]:
    refused = refuse(item)
    if refused is not None:
        return {"error": refused}
    tier, facts, where = item["tier"], item["facts"], item.get("jurisdiction")
    out = []
    top = tier in ("excellence", "pilot")
    applicant = facts.get("applicant")
    if top:
        if applicant is None:
            out.append(
                _f("applicant.form", "251号 二(一)1", "error", "not_provided", "未填报", "n/a")
            )
        else:
            ok = applicant["legal_form"] == "legal_person"
            out.append(
                _f(
                    "applicant.form",
                    "251号 二(一)1",
                    "error",
                    "passed" if ok else "failed",
                    "申报主体为独立法人",
                    "legal person",
                    "legal_person",
                    applicant["legal_form"],
                )
            )
    attested = facts.get("basic_requirements") or {}
    for key, keys in BASIC:
        ok = all(attested.get(k) is True for k in keys)
        out.append(
            _f(
                f"basic.{key}",
                "一",
                "error",
                "passed" if ok else "failed",
                f"基础要求{key}",
                f"basic {key}",
                True,
                ok,
            )
        )
    need, have = MIN_CMMM[tier], facts["cmmm_level"]
    out.append(
        _f(
            "cmmm.level",
            "要素条件(2025) 一5",
            "error",
            "passed" if have >= need else "failed",
            f"智能制造能力成熟度为{have}级，应达到{need}级",
            f"CMMM {have} vs {need}",
            need,
            have,
        )
    )
    if tier in PREREQ:
        held = max(
            (r["tier"] for r in facts.get("recognitions") or ()), key=ORDER.get, default="none"
        )
        ok = ORDER[held] >= ORDER[PREREQ[tier]]
        out.append(
            _f(
                "prerequisite.tier",
                "251号",
                "error",
                "passed" if ok else "failed",
                "前置层级",
                "prerequisite",
                PREREQ[tier],
                held,
            )
        )
    covered = set(facts.get("segments") or ())
    scenes = facts.get("scenes") or []
    ai = 0
    for s in scenes:
        covered.add(GUIDE[s["segment"]])
        ai += bool(s.get("ai"))
    missing = [s for s in REQUIRED[tier] if s not in covered]
    out.append(
        _f(
            "segments.coverage",
            "要素条件(2025) 二(一)",
            "warning" if tier == "excellence" else "error",
            "failed" if missing else "passed",
            "未覆盖：" + "、".join(missing),
            "missing segments",
            REQUIRED[tier],
            [s for s in FIVE if s in covered],
        )
    )
    kpis = facts.get("kpis") or {}
    if top:
        share = round(100.0 * ai / len(scenes), 2) if scenes else 0.0
        ok = share >= AI_MIN[tier]
        out.append(
            _f(
                "ai.scene_share",
                "四(二)1",
                "error",
                "passed" if ok else "failed",
                f"应用人工智能技术场景比例为{share:g}%",
                f"{share:g}%",
                AI_MIN[tier],
                share,
            )
        )
        declared = kpis.get("ai_scene_share")
        ok = declared is not None and abs(declared - share) <= 1.0
        out.append(
            _f(
                "ai.kpi_consistency",
                "四(二)1",
                "warning",
                "passed" if ok else "failed",
                "比例一致",
                "consistent",
                share,
                declared,
            )
        )
        out.append(
            _f(
                "kpi.required",
                "四(二)1",
                "error",
                "passed" if declared is not None else "failed",
                "已填报",
                "reported",
                ["ai_scene_share"],
                declared,
            )
        )
    absent = [k for k in ALL_KPIS if k not in kpis]
    out.append(
        _f(
            "kpi.completeness",
            "附表",
            "error" if top else "warning",
            "failed" if absent else "passed",
            f"{len(absent)}项未填报",
            f"{len(absent)} absent",
            21,
            21 - len(absent),
        )
    )
    bad = [k for k in SHARES if (v := kpis.get(k)) is not None and not 0 <= v <= 100]
    bad += [k for k in INCREASES if (v := kpis.get(k)) is not None and v < -100]
    bad += [k for k in REDUCTIONS if (v := kpis.get(k)) is not None and v > 100]
    bad += [
        k for k in COUNTS if (v := kpis.get(k)) is not None and (v < 0 or not float(v).is_integer())
    ]
    out.append(
        _f(
            "kpi.plausibility",
            "附表",
            "error",
            "failed" if bad else "passed",
            "数值超出范围" if bad else "数值合理",
            "range",
            None,
            bad,
        )
    )
    if top:
        done = facts.get("materials") or []
        gaps = [m for m in MATERIALS[tier] if m not in done]
        out.append(
            _f(
                "materials.sections",
                "附件2",
                "error",
                "failed" if gaps else "passed",
                "材料",
                "materials",
                MATERIALS[tier],
                done,
            )
        )
        promised = facts.get("commitments") or {}
        for key in ("authenticity", "no_secrets"):
            ok = promised.get(key) is True
            out.append(
                _f(
                    f"commitment.{key}",
                    "二(二)1",
                    "error",
                    "passed" if ok else "failed",
                    "承诺",
                    "commitment",
                    True,
                    ok,
                )
            )
        if where and where.startswith("31"):
            ok = applicant is not None and applicant["registered_region"].startswith("31")
            out.append(
                _f(
                    "local.registered_in_region",
                    "沪",
                    "error",
                    "passed" if ok else "failed",
                    "在上海市注册",
                    "Shanghai",
                    ["31"],
                    applicant and applicant["registered_region"],
                )
            )
        if where and where.startswith("35"):
            ops = (applicant or {}).get("operating_regions") or []
            ok = any(r.startswith("35") for r in ops)
            out.append(
                _f(
                    "local.operating_in_region",
                    "闽",
                    "error",
                    "passed" if ok else "failed",
                    "在福建生产经营",
                    "Fujian",
                    ["35"],
                    ops,
                )
            )
            check = facts.get("credit_check") or {}
            ok = check.get("gsxt") == "clear" and check.get("zxgk") == "clear"
            out.append(
                _f(
                    "local.credit_blacklist",
                    "榕",
                    "error",
                    "passed" if ok else "failed",
                    "未列入失信黑名单",
                    "not listed",
                    ["gsxt", "zxgk"],
                    check,
                )
            )
    failed = any(f["severity"] == "error" and f["status"] == "failed" for f in out)
    return {"tier": tier, "eligible": not failed, "findings": out}


def run_hand_written(payload: bytes) -> int:
    # The service pauses the cyclic GC while it evaluates a batch; so does the baseline, so the
    # ratio compares the checks, not the collector policy.
    items = json.loads(payload)["items"]
    gc.disable()
    try:
        return len([hand_written(item) for item in items])
    finally:
        gc.enable()


def run_ours(payload: bytes) -> int:
    return service.evaluate_batch_json(payload)["count"]


def in_process() -> None:
    items = build_items(BATCH)
    payload = json.dumps(
        {"edition": "2025", "explain": "full", "items": items}, ensure_ascii=False
    ).encode()
    ours_rates, base_rates = [], []
    for _ in range(ROUNDS):  # interleaved: each round's pair shares the machine's mood
        started = time.perf_counter()
        assert run_hand_written(payload) == BATCH
        base_rates.append(BATCH / (time.perf_counter() - started))
        started = time.perf_counter()
        assert run_ours(payload) == BATCH
        ours_rates.append(BATCH / (time.perf_counter() - started))
    ratios = sorted(o / b for o, b in zip(ours_rates, base_rates, strict=True))
    print(
        f"   batch of {BATCH:,}, full findings, {len(payload) / BATCH:,.0f} bytes of JSON per item"
    )
    print(f"   hand-written checks:   {max(base_rates):,.0f} evaluations/s (best of {ROUNDS})")
    print(f"   rules service engine:  {max(ours_rates):,.0f} evaluations/s (best of {ROUNDS})")
    print(
        f"   ratio ours / hand-written: {statistics.median(ratios):.2f} median of {ROUNDS} "
        f"paired rounds (range {ratios[0]:.2f}–{ratios[-1]:.2f}; target >= 0.50)"
    )


def over_http() -> None:
    with bench_stack() as (stack, _):
        body = json.dumps(
            {"edition": "2025", "explain": "full", "items": build_items(BATCH)}, ensure_ascii=False
        ).encode()
        with httpx.Client(timeout=120.0) as client:
            token = client.post(
                f"{stack.url('gateway')}/auth/dev-token", json={"username": "province"}
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            for name, target in (
                ("rules service directly", f"{stack.url('rules')}/v1/evaluations/batch"),
                ("through the gateway", f"{stack.url('gateway')}/api/rules/v1/evaluations/batch"),
            ):
                best = 0.0
                for _ in range(3):
                    started = time.perf_counter()
                    resp = client.post(target, content=body, headers=headers)
                    elapsed = time.perf_counter() - started
                    assert resp.status_code == 200, resp.text[:300]
                    assert resp.json()["count"] == BATCH
                    best = max(best, BATCH / elapsed)
                size = len(resp.content) / 1e6
                print(f"   HTTP batch ({name}): {best:,.0f} evaluations/s, {size:.1f} MB answer")


def main() -> None:
    in_process()
    over_http()


if __name__ == "__main__":
    main()
