"""The shipped SAMPLE tables (`samples/*.yaml`), loaded so a fresh system can answer quotas.

Idempotent and never in the way of real data: a sample is stored only while no dataset of its
kind and year exists, so once a ministry user has uploaded a table the sample is not reloaded.
Every shipped table must say `sample: true`; one that does not stops the seed.
"""

from __future__ import annotations

from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.rules.reference import repository
from ladder.rules.reference.models import ReferenceDataset
from ladder.rules.reference.schemas import DatasetUpload
from ladder.rules.reference.validation import check_complete, check_rows

SEED_PRINCIPAL = "seed"


class SampleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    datasets: list[DatasetUpload]


def samples() -> list[DatasetUpload]:
    folder = resources.files(__package__).joinpath("samples")
    out: list[DatasetUpload] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            data = SampleFile.model_validate(yaml.safe_load(entry.read_text(encoding="utf-8")))
            out.extend(data.datasets)
    for upload in out:
        if not upload.sample:
            raise ValueError(
                f"shipped table {upload.kind.value}/{upload.year} is not marked sample"
            )
        check_rows(upload.kind, upload.rows)
        check_complete(upload.kind, upload.rows)
    return out


async def seed_samples(session: AsyncSession) -> list[DatasetUpload]:
    """Store each sample whose kind and year has no dataset yet; returns those stored."""
    stored = []
    for upload in samples():
        await repository.lock_series(session, upload.kind, upload.year)
        if await repository.current(session, upload.kind, upload.year) is not None:
            continue
        session.add(
            ReferenceDataset(
                kind=upload.kind.value,
                year=upload.year,
                version=1,
                source_note=upload.source_note,
                sample=True,
                uploaded_by=SEED_PRINCIPAL,
                rows=[r.model_dump() for r in upload.rows],
            )
        )
        stored.append(upload)
    await session.flush()
    return stored
