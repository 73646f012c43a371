"""Storing and reading reference datasets."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.rules.reference import repository
from ladder.rules.reference.errors import DatasetNotFound, NoTableToUpdate
from ladder.rules.reference.models import ReferenceDataset
from ladder.rules.reference.regions import regions
from ladder.rules.reference.schemas import (
    DatasetRead,
    DatasetSummary,
    DatasetUpload,
    RowIn,
    RowRead,
)
from ladder.rules.reference.validation import check_complete, check_rows


async def store(session: AsyncSession, upload: DatasetUpload, uploaded_by: str) -> DatasetRead:
    """Check the rows, then store the whole table as the next version of its kind and year:
    the rows sent, or for a partial upload the current version with the rows sent replacing
    theirs. Either way the stored table is complete; no row is ever dropped silently."""
    rows = list(upload.rows)
    if not upload.partial:
        check_rows(upload.kind, rows)
    await repository.lock_series(session, upload.kind, upload.year)
    if upload.partial:
        current = await repository.current(session, upload.kind, upload.year)
        if current is None:
            raise NoTableToUpdate(details={"kind": upload.kind.value, "year": upload.year})
        # The rows sent first, so a refused one keeps its index (`rows[2].value`).
        sent = {r.region for r in rows}
        rows += [RowIn.model_validate(r) for r in current.rows if r["region"] not in sent]
        check_rows(upload.kind, rows)
    check_complete(upload.kind, rows)
    dataset = ReferenceDataset(
        kind=upload.kind.value,
        year=upload.year,
        version=await repository.next_version(session, upload.kind, upload.year),
        source_note=upload.source_note,
        sample=upload.sample,
        uploaded_by=uploaded_by,
        rows=[r.model_dump() for r in rows],
    )
    session.add(dataset)
    await session.flush()
    await session.refresh(dataset)
    return to_read(dataset, current=True)


async def get(session: AsyncSession, dataset_id: uuid.UUID) -> DatasetRead:
    found = await repository.get(session, dataset_id)
    if found is None:
        raise DatasetNotFound(details={"id": str(dataset_id)})
    return to_read(*found)


def to_summary(dataset: ReferenceDataset, current: bool) -> DatasetSummary:
    return DatasetSummary.model_validate(
        {**dataset.model_dump(), "current": current, "row_count": len(dataset.rows)}
    )


def to_read(dataset: ReferenceDataset, current: bool) -> DatasetRead:
    table = regions()

    def row(data: dict) -> RowRead:
        region = table.name_of(data["region"])
        return RowRead(
            region=data["region"],
            name=region.name if region else None,
            name_en=region.name_en if region else None,
            value=data["value"],
        )

    summary = to_summary(dataset, current)
    return DatasetRead(**summary.model_dump(), rows=[row(r) for r in dataset.rows])
