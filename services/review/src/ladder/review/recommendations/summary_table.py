"""The summary table (推荐汇总表, 附件3 / 附件5; the 先进级 名单) as an XLSX workbook.

The columns of each tier are data (`summary_tables.yaml`, with the clause that asks for the
table); this module only fills them. Scene instances are listed one per line, numbered and
written 环节—场景—实例 as the notice's example shows ("1.生产作业（环节名）—人机协同作业（场景名）—
…（实例名）"). The workbook's timestamps are the submission's, so the stored bytes name it.
"""

from __future__ import annotations

import io
from datetime import datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from pydantic import BaseModel, ConfigDict, Field

from ladder.kit.sheets import append_row

PATH = Path(__file__).with_name("summary_tables.yaml")


class ColumnKey(StrEnum):
    rank = "rank"
    enterprise = "enterprise"
    project = "project"
    scenes = "scenes"
    future_modes = "future_modes"
    contact_name = "contact_name"
    contact_mobile = "contact_mobile"
    region = "region"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Column(_Strict):
    key: ColumnKey
    header: str = Field(min_length=1)
    width: int = Field(ge=4, le=100)


class Recipient(_Strict):
    to: str = Field(min_length=2)
    central_soe_only: bool = False
    clause: str | None = None


class TableSpec(_Strict):
    attachment: str
    title: str
    source: str = Field(min_length=4)
    report_to: tuple[Recipient, ...] = Field(min_length=1)
    columns: tuple[Column, ...] = Field(min_length=2)

    def recipients(self, unit: str) -> list[str]:
        """Who receives the submitted table of `unit` (`soe:<USCC>` for a central SOE)."""
        soe = unit.startswith("soe:")
        return [r.to for r in self.report_to if soe or not r.central_soe_only]


@cache
def specs() -> dict[str, TableSpec]:
    raw = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    return {tier: TableSpec.model_validate(spec) for tier, spec in raw.items()}


def row_of(rank: int, case: Any) -> dict[str, Any]:
    """One case's cells by column key (from the case's snapshot and `details`)."""
    details = case.details or {}
    contact = details.get("contact") or {}
    scenes = details.get("scenes") or []
    return {
        "rank": rank,
        "declaration_id": str(case.declaration_id),
        "enterprise": case.enterprise_name,
        "project": case.factory_name,
        "scenes": "\n".join(
            f"{i}.{s['segment']}—{s['scene']}—{s['instance']}" for i, s in enumerate(scenes, 1)
        ),
        "future_modes": "\n".join(
            f"{i}.{m}" for i, m in enumerate(details.get("future_modes") or [], 1)
        ),
        "contact_name": contact.get("name") or "",
        "contact_mobile": contact.get("mobile") or "",
        "region": case.region_code,
        "version": case.version,
        "fingerprint": case.fingerprint,
    }


def workbook(
    tier: str, unit_name: str, rows: list[dict[str, Any]], *, at: datetime, draft: bool
) -> bytes:
    spec = specs()[tier]
    wb = Workbook()
    ws = wb.active
    ws.title = spec.attachment[:31]
    width = len(spec.columns)
    title = spec.title + ("（草稿，未报送）" if draft else "")
    append_row(ws, [title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    append_row(ws, [f"推荐单位（盖章）：{unit_name}"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    append_row(ws, [c.header for c in spec.columns])
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        # Names, projects, scenes and contacts are what enterprises typed: text, never formulas.
        append_row(ws, [row[c.key.value] for c in spec.columns])
    for r in ws.iter_rows(min_row=4):
        for cell in r:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for i, c in enumerate(spec.columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.freeze_panes = "A4"
    wb.properties.creator = "Ladder"
    wb.properties.title = spec.title
    wb.properties.created = wb.properties.modified = at.replace(tzinfo=None, microsecond=0)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
