"""Test data for self-assessments: valid USCCs, form bodies, import files (CSV and XLSX)."""

from __future__ import annotations

import csv
import io
import uuid

from openpyxl import Workbook
from stdnum.cn import uscc as uscc_std

YEAR = 2026
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ATTESTED = {
    "attest.scale": "是",
    "attest.track_record": "是",
    "attest.security": "是",
    "attest.organisation": "是",
}
ALL_FACTS = {
    k: True
    for k in (
        "above_scale",
        "competitive",
        "sound_finances",
        "no_bad_credit",
        "no_major_accident",
        "no_violations",
        "secure_controllable",
        "security_risks_controlled",
        "organisation",
        "talent",
    )
}


def uscc(n: int, region: str = "350102") -> str:
    """A valid 统一社会信用代码 (check character computed) for enterprise number n."""
    base = f"91{region}{n:09d}"
    return base + uscc_std.calc_check_digit(base)


def bad_check(code: str) -> str:
    """The same code with a wrong check character."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return code[:-1] + alphabet[(alphabet.index(code[-1]) + 1) % len(alphabet)]


def form(**changes) -> dict:
    body = {
        "campaign_year": YEAR,
        "enterprise_name": "福州示范制造有限公司",
        "region_code": "350102",
        "factory_name": "一号工厂",
        "cmmm_level": 2,
        "segments": [{"segment": "生产作业", "built": "在线智能检测、人机协同作业"}],
        "attestations": ALL_FACTS,
        "kpis": {"productivity_gain": 12.5, "model_count": None},
    }
    body.update(changes)
    return body


def row(n: int, **changes) -> dict[str, object]:
    values: dict[str, object] = {
        "uscc": uscc(n),
        "name": f"福州企业{n:05d}有限公司",
        "region": "350102",
        "factory": f"工厂{n}",
        "cmmm_level": "2",
        "segments": "生产作业、生产管理",
        "built.production_operations": "柔性产线",
        **ATTESTED,
        "kpi.productivity_gain": "12.5%",
        "kpi.model_count": "不适用",
    }
    values.update(changes)
    return values


def to_csv(rows: list[dict[str, object]], *, headers: list[str] | None = None) -> bytes:
    keys = list(rows[0]) if rows else []
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers or keys)
    for r in rows:
        writer.writerow(["" if r.get(k) is None else r.get(k) for k in keys])
    return out.getvalue().encode("utf-8")


def to_xlsx(rows: list[dict[str, object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    keys = list(rows[0])
    sheet.append(keys)
    for r in rows:
        sheet.append([_cell(r.get(k)) for k in keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: object) -> object:
    # Numbers as a spreadsheet would hold them.
    if isinstance(value, str) and value.isdigit() and len(value) <= 6:
        return int(value)
    return value


def province(issuer, region: str = "350000", sub: str = "fj-province") -> dict[str, str]:
    return issuer.headers("province", sub=sub, region=region)


async def upload(client, headers, content: bytes, media_type: str = CSV, **kw) -> object:
    return await client.post(
        f"/v1/self-assessments/imports?campaign_year={kw.pop('year', YEAR)}",
        content=content,
        headers={
            **headers,
            "Content-Type": media_type,
            "Idempotency-Key": kw.pop("key", None) or uuid.uuid4().hex,
            **kw.pop("extra", {}),
        },
    )
