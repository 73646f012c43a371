"""Evidence attachments: kinds told by content, limits, hashes in the submitted version."""

from __future__ import annotations

import asyncio
import hashlib
import io
import uuid
import zipfile
from datetime import datetime

import pytest
from declaration_documents import document
from evidence_files import jpeg, office, pdf, plain_zip, png

from ladder.declaration.attachments import kinds
from ladder.declaration.attachments.models import Attachment

FACTORY_ID = "00000000-0000-4000-8000-000000000101"
PDF = pdf()
PNG = png()


async def _draft(client, enterprise) -> str:
    body = {"factory_id": FACTORY_ID, "campaign_year": 2025, "tier": "pilot", "facts": document()}
    resp = await client.post(
        "/v1/declarations", json=body, headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex}
    )
    return resp.json()["id"]


async def _upload(client, headers, did, content, name="证明.pdf", key=None, kind=None):
    params = {"name": name, **({"kind": kind} if kind else {})}
    return await client.post(
        f"/v1/declarations/{did}/attachments",
        params=params,
        content=content,
        headers={
            **headers,
            "Content-Type": "application/octet-stream",
            "Idempotency-Key": key or uuid.uuid4().hex,
        },
    )


async def test_an_attachment_is_kept_with_its_hash_and_read_back(client, enterprise) -> None:
    did = await _draft(client, enterprise)
    resp = await _upload(client, enterprise, did, PDF, kind="检测报告")
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert (body["media_type"], body["size"], body["kind"]) == (
        "application/pdf",
        len(PDF),
        "检测报告",
    )
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    listed = (await client.get(f"/v1/declarations/{did}/attachments", headers=enterprise)).json()
    assert [a["id"] for a in listed] == [body["id"]]
    got = await client.get(
        f"/v1/declarations/{did}/attachments/{body['id']}/content", headers=enterprise
    )
    assert got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-sha256"] == body["sha256"]


async def test_the_same_key_replays_and_the_same_content_is_refused(client, enterprise) -> None:
    did = await _draft(client, enterprise)
    first = await _upload(client, enterprise, did, PDF, key="attach-0001")
    again = await _upload(client, enterprise, did, PDF, key="attach-0001")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    duplicate = await _upload(client, enterprise, did, PDF, name="副本.pdf")
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "attachment_exists"


@pytest.mark.parametrize(
    ("content", "name", "status", "code"),
    [
        (b"MZ\x90\x00 an executable", "tool.pdf", 415, "attachment_type_not_allowed"),
        (plain_zip(), "archive.zip", 415, "attachment_type_not_allowed"),
        (b"", "empty.pdf", 422, "empty_attachment"),
    ],
)
async def test_what_cannot_be_attached(client, enterprise, content, name, status, code) -> None:
    did = await _draft(client, enterprise)
    resp = await _upload(client, enterprise, did, content, name=name)
    assert resp.status_code == status, resp.text
    assert resp.json()["error"]["code"] == code
    assert (
        await client.get(f"/v1/declarations/{did}/attachments", headers=enterprise)
    ).json() == []


async def test_an_office_file_is_accepted_by_its_name_and_package(client, enterprise) -> None:
    did = await _draft(client, enterprise)
    resp = await _upload(client, enterprise, did, office("docx"), name="方案.docx")
    assert resp.status_code == 201, resp.text
    assert resp.json()["media_type"].endswith("wordprocessingml.document")
    image = await _upload(client, enterprise, did, jpeg(), name="现场.jpg")
    assert image.status_code == 201 and image.json()["media_type"] == "image/jpeg"


MACRO_DOCX = office("docx", main_type="application/vnd.ms-word.document.macroEnabled.main+xml")


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        # Found by trying to break it: `%PDF-` then an HTML page was kept and served as a PDF.
        (b"%PDF-1.7\n<html><script>alert(1)</script></html>\n%%EOF", "报告.pdf", "not_a_pdf"),
        (b"%PDF-1.7\n<html><script>alert(1)</script></html>", "报告.pdf", "not_a_pdf"),
        # …and any ZIP passed as .docx.
        (plain_zip(), "方案.docx", "not_office_package"),
        (office("pptx"), "方案.docx", "kind_mismatch"),
        (MACRO_DOCX, "方案.docx", "not_office_package"),
        (office("docx", extra={"word/vbaProject.bin": b"x"}), "方案.docx", "macros"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "照片.png", "not_an_image"),
        (b"\xff\xd8\xff<html>", "照片.jpg", "not_an_image"),
    ],
)
async def test_a_file_must_be_what_it_claims(client, enterprise, content, name, reason) -> None:
    did = await _draft(client, enterprise)
    resp = await _upload(client, enterprise, did, content, name=name)
    assert resp.status_code == 415, resp.text
    assert resp.json()["error"]["details"]["reason"] == reason


async def test_an_office_zip_bomb_is_refused_unopened(client, enterprise) -> None:
    """A .docx whose one part inflates a thousandfold is refused from the ZIP directory alone."""
    packed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(office("docx"))) as src,
        zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/media/big.xml", b"0" * (64 * 1024 * 1024))
    did = await _draft(client, enterprise)
    resp = await _upload(client, enterprise, did, packed.getvalue(), name="方案.docx")
    assert resp.status_code == 415
    assert resp.json()["error"]["details"]["reason"] == "compression_ratio"


async def test_downloads_are_never_sniffed_or_rendered(client, enterprise) -> None:
    did = await _draft(client, enterprise)
    kept = (await _upload(client, enterprise, did, PDF)).json()
    got = await client.get(
        f"/v1/declarations/{did}/attachments/{kept['id']}/content", headers=enterprise
    )
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith("attachment;")


async def test_too_large_is_refused_before_it_is_read(client, enterprise) -> None:
    did = await _draft(client, enterprise)
    big = b"%PDF-" + b"0" * (kinds.MAX_FILE_BYTES + 1)
    resp = await _upload(client, enterprise, did, big)
    assert resp.status_code == 413


async def test_the_submitted_version_lists_the_attachments_by_hash(client, enterprise) -> None:
    did = await _draft(client, enterprise)
    kept = (await _upload(client, enterprise, did, PDF)).json()
    dropped = (await _upload(client, enterprise, did, PNG, name="照片.png")).json()
    missing = await client.delete(
        f"/v1/declarations/{did}/attachments/{dropped['id']}", headers=enterprise
    )
    assert missing.status_code == 428
    removed = await client.delete(
        f"/v1/declarations/{did}/attachments/{dropped['id']}",
        headers={**enterprise, "If-Match": dropped["etag"]},
    )
    assert removed.status_code == 200 and removed.json()["removed_at"]
    submitted = await client.post(
        f"/v1/declarations/{did}/submit",
        headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert submitted.status_code == 200, submitted.text
    version = (await client.get(f"/v1/declarations/{did}/versions", headers=enterprise)).json()[0]
    assert version["content"]["attachments"] == [
        {
            "name": "证明.pdf",
            "kind": "证明材料",
            "media_type": "application/pdf",
            "size": len(PDF),
            "sha256": kept["sha256"],
        }
    ]
    late = await _upload(client, enterprise, did, PNG, name="迟到.png")
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "not_editable"


async def test_only_the_enterprise_attaches_and_others_do_not_see(client, issuer, enterprise):
    """A draft's evidence is the enterprise's: the county neither adds to it nor reads it (404:
    it does not know the draft exists) until a submitted version lists it."""
    did = await _draft(client, enterprise)
    county = issuer.headers("county", region="350102")
    assert (await _upload(client, county, did, PDF)).status_code == 404
    other = issuer.headers("enterprise", sub="x", org="91350103MA2Y000033", region="350103")
    assert (await _upload(client, other, did, PDF)).status_code == 404
    kept = (await _upload(client, enterprise, did, PDF)).json()
    content = f"/v1/declarations/{did}/attachments/{kept['id']}/content"
    assert (await client.get(content, headers=county)).status_code == 404
    assert (await client.get(content, headers=other)).status_code == 404


async def test_concurrent_removals_with_one_if_match_keep_exactly_one(client, enterprise) -> None:
    """10 removals racing with one If-Match: one 200; the others, queued behind the draft's
    lock, find the attachment already removed (404 `attachment_not_found`, checked before the
    ETag), and the stored removal is the winner's."""
    did = await _draft(client, enterprise)
    kept = (await _upload(client, enterprise, did, PDF)).json()
    url = f"/v1/declarations/{did}/attachments/{kept['id']}"
    headers = {**enterprise, "If-Match": kept["etag"]}
    answers = await asyncio.gather(*(client.delete(url, headers=headers) for _ in range(10)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [404] * 9, statuses
    assert {a.json()["error"]["code"] for a in answers if a.status_code == 404} == {
        "attachment_not_found"
    }
    (winner,) = [a for a in answers if a.status_code == 200]
    assert winner.json()["removed_at"]
    listed = (await client.get(f"/v1/declarations/{did}/attachments", headers=enterprise)).json()
    assert listed == []
    async with client.app.state.db.transaction() as session:
        stored = await session.get(Attachment, uuid.UUID(kept["id"]))
        assert stored is not None and stored.removed_at is not None
        assert stored.removed_at == datetime.fromisoformat(winner.json()["removed_at"])
