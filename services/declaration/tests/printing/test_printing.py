"""The printed copy (纸质版) of a submitted version and its public verification."""

from __future__ import annotations

import io
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import unquote

import pytest
from declaration_documents import document
from factories import new_factory
from pypdf import PdfReader
from pypdf.generic import ContentStream
from reportlab.graphics.barcode import qrencoder
from review_said import routed

from ladder.declaration.declarations import transitions
from ladder.declaration.declarations.models import Declaration
from ladder.declaration.printing.render import PrintableVersion, render_pdf

FACTORY_ID = "00000000-0000-4000-8000-000000000101"  # seeded demo factory in 350102
ENTERPRISE_NAME = "福州示范智能装备有限公司"
ENTERPRISE_USCC = "91350102MA2Y00001E"
PUBLIC_BASE = "http://localhost:8000/api/declaration"  # the setting's default
BEIJING = timezone(timedelta(hours=8))


async def _submitted(client, headers, tier: str = "excellence", **changes) -> dict:
    """A declaration created and submitted; its first version as `/versions` lists it."""
    body = {
        "factory_id": await new_factory(client, headers),  # one declaration per factory and tier
        "campaign_year": 2025,
        "tier": tier,
        "facts": document(tier, **changes),
    }
    created = await client.post(
        "/v1/declarations", json=body, headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert created.status_code == 201, created.text
    did = created.json()["id"]
    await _submit(client, headers, did)
    (version,) = (await client.get(f"/v1/declarations/{did}/versions", headers=headers)).json()
    return {"id": did, **version}


async def _submit(client, headers, did: str) -> None:
    resp = await client.post(
        f"/v1/declarations/{did}/submit", headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert resp.status_code == 200, resp.text


async def _pdf(client, headers, did: str, number: int = 1):
    return await client.get(f"/v1/declarations/{did}/versions/{number}/pdf", headers=headers)


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _flat(text: str) -> str:
    """Extracted text without line breaks (wrapping breaks long strings anywhere)."""
    return "".join(text.split())


def _body(pages: list[str]) -> str:
    """The pages' text without their footers (drawn last, so extracted last), flattened."""
    return _flat("".join(page.rsplit("SHA-256 指纹：", 1)[0] for page in pages))


async def test_the_pdf_prints_the_version_with_its_fingerprint(client, enterprise):
    version = await _submitted(client, enterprise)
    fingerprint = version["fingerprint"]

    resp = await _pdf(client, enterprise, version["id"])

    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/pdf"
    disposition = resp.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="declaration-{version["id"]}-v1.pdf"' in disposition
    assert f"申报书-{ENTERPRISE_NAME}-卓越级-第1版.pdf" in unquote(disposition)
    assert resp.headers["cache-control"] == "private, no-store"
    pages = _text(resp.content)
    first = pages[0]
    # Chinese set in the CID font STSong-Light comes back out of the PDF as text.
    assert "智能工厂梯度培育" in first
    assert "卓越级" in first
    assert ENTERPRISE_NAME in first
    assert ENTERPRISE_USCC in first
    assert "高端装备智能工厂" in first
    assert "2025年度智能工厂梯度培育" in first
    submitted = datetime.fromisoformat(version["submitted_at"]).astimezone(BEIJING)
    assert submitted.strftime("%Y-%m-%d %H:%M:%S（北京时间）") in first
    for number, text in enumerate(pages, start=1):
        assert fingerprint in text, f"page {number} lacks the fingerprint"
        assert f"第 {number} / {len(pages)} 页" in text
    whole = _flat("".join(pages))
    # The content prints generically: nested sections, lists of objects, long texts.
    for printed in ("福建省福州市鼓楼区示范路1号", "企业级数字孪生", "建设成效概述", "林工"):
        assert printed in whole, printed


async def test_the_first_page_carries_a_qr_code_of_the_verification_url(client, enterprise):
    version = await _submitted(client, enterprise)
    url = f"{PUBLIC_BASE}/public/v1/verifications/{version['fingerprint']}"

    pdf = (await _pdf(client, enterprise, version["id"])).content

    reader = PdfReader(io.BytesIO(pdf))
    first = reader.pages[0]
    assert url in _flat(first.extract_text())
    forms = {
        name: ref.get_object()
        for name, ref in first["/Resources"]["/XObject"].items()
        if ref.get_object()["/Subtype"] == "/Form"
    }
    (qr_form,) = [f for name, f in forms.items() if "verification-qr" in name]
    assert _qr_modules(reader, qr_form) in _expected_modules(url)
    assert all("/XObject" not in page["/Resources"] for page in reader.pages[1:])


def _qr_modules(reader: PdfReader, form) -> frozenset[tuple[int, int]]:
    """The dark modules of a QR drawn as filled rectangles, one per run of a row."""
    rects = [
        [float(v) for v in operands]
        for operands, operator in ContentStream(form, reader).operations
        if operator == b"re"
    ]
    assert len(rects) > 50
    box = min(h for _, _, _, h in rects)
    left = min(x for x, _, _, _ in rects)
    top = max(y + h for _, y, _, h in rects)
    dark = set()
    for x, y, w, h in rects:
        row = round((top - y - h) / box)
        start = round((x - left) / box)
        dark.update((row, col) for col in range(start, start + round(w / box)))
    return frozenset(dark)


def _expected_modules(url: str) -> list[frozenset[tuple[int, int]]]:
    """The module sets that encode `url`, one per error-correction level."""
    found = []
    for level in ("L", "M", "Q", "H"):
        qr = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
        qr.addData(url)
        qr.make()
        found.append(
            frozenset(
                (r, c) for r, row in enumerate(qr.modules) for c, dark in enumerate(row) if dark
            )
        )
    return found


async def test_other_content_gives_another_fingerprint_and_another_pdf(client, enterprise):
    four = await _submitted(client, enterprise, cmmm_level=4)
    five = await _submitted(client, enterprise, cmmm_level=5)
    assert four["fingerprint"] != five["fingerprint"]

    pdf_four = (await _pdf(client, enterprise, four["id"])).content
    pdf_five = (await _pdf(client, enterprise, five["id"])).content

    assert pdf_four != pdf_five
    assert five["fingerprint"] in _text(pdf_five)[0]
    assert five["fingerprint"] not in "".join(_text(pdf_four))
    # The same version prints the same bytes (no timestamps, no random ids).
    assert (await _pdf(client, enterprise, four["id"])).content == pdf_four


async def test_who_may_print(client, issuer, enterprise):
    did = (await _submitted(client, enterprise))["id"]
    await routed(client, issuer, did, "350000")
    allowed = {
        "county 350102": issuer.headers("county", region="350102"),
        "province 350000": issuer.headers("province", region="350000"),
    }
    refused = {
        "other enterprise": issuer.headers("enterprise", org="91350103MA2Y000033", region="350103"),
        "county 350103": issuer.headers("county", region="350103"),
        "public": issuer.headers("public"),
    }
    for who, headers in allowed.items():
        assert (await _pdf(client, headers, did)).status_code == 200, who
    for who, headers in refused.items():
        resp = await _pdf(client, headers, did)
        assert resp.status_code == 404, who
        assert resp.json()["error"]["code"] == "declaration_not_found", who
    no_token = await _pdf(client, {}, did)
    assert no_token.status_code == 401
    assert no_token.json()["error"]["code"] == "unauthenticated"


async def test_an_unknown_version_is_404_and_a_bad_number_422(client, enterprise):
    did = (await _submitted(client, enterprise))["id"]
    missing = await _pdf(client, enterprise, did, number=2)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "version_not_found"
    bad = await _pdf(client, enterprise, did, number=0)
    assert bad.status_code == 422
    assert [f["field"] for f in bad.json()["error"]["details"]["fields"]] == ["number"]


async def _return_for_revision(client, did: str) -> None:
    """The review service returns a declaration for revision through an event, and that
    service is not running here: the transition is made as its handler makes it."""
    async with client.app.state.db.transaction() as session:
        declaration = await session.get(Declaration, uuid.UUID(did))
        assert declaration is not None
        await transitions.move(
            session,
            declaration,
            "return_for_revision",
            actor="service:review",
            reason="请补充场景材料",
        )


async def _verify(client, fingerprint: str):
    return await client.get(f"/public/v1/verifications/{fingerprint}")  # no token


async def test_verification_tells_whether_the_copy_is_the_latest(client, enterprise):
    first = await _submitted(client, enterprise)
    did = first["id"]

    current = await _verify(client, first["fingerprint"])
    assert current.status_code == 200, current.text
    body = current.json()
    assert body["declaration_id"] == did
    assert body["version"] == body["latest_version"] == 1
    assert body["is_latest"] is True
    assert body["is_current"] is True
    assert body["status"] == "submitted"
    assert body["status_name"] == "已提交"
    assert body["tier"] == "excellence"
    assert body["tier_name"] == "卓越级"
    assert body["campaign_year"] == 2025
    assert body["enterprise_name"] == ENTERPRISE_NAME
    assert body["factory_name"] == "高端装备智能工厂"
    assert datetime.fromisoformat(body["submitted_at"]) == datetime.fromisoformat(
        first["submitted_at"]
    )
    assert current.headers["cache-control"] == "no-store"

    await _return_for_revision(client, did)
    returned = (await _verify(client, first["fingerprint"])).json()
    assert returned["is_latest"] is True
    assert returned["is_current"] is False  # back with the enterprise: not under review
    assert returned["status"] == "returned"

    read = await client.get(f"/v1/declarations/{did}", headers=enterprise)
    patched = await client.patch(
        f"/v1/declarations/{did}",
        json={"facts": document("excellence", cmmm_level=5)},
        headers={**enterprise, "If-Match": read.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    await _submit(client, enterprise, did)
    second = (await client.get(f"/v1/declarations/{did}/versions", headers=enterprise)).json()[1]
    assert second["number"] == 2
    assert second["fingerprint"] != first["fingerprint"]

    old = (await _verify(client, first["fingerprint"])).json()
    assert (old["version"], old["latest_version"]) == (1, 2)
    assert old["is_latest"] is False
    assert old["is_current"] is False
    assert "第 2 版取代" in old["verdict"]
    new = (await _verify(client, second["fingerprint"])).json()
    assert (new["version"], new["is_latest"], new["is_current"]) == (2, True, True)
    # The older paper still prints, and says which version it is.
    old_pdf = (await _pdf(client, enterprise, did, number=1)).content
    assert first["fingerprint"] in _text(old_pdf)[0]


async def test_verification_shows_nothing_of_the_content(client, enterprise):
    version = await _submitted(client, enterprise)

    resp = await _verify(client, version["fingerprint"])

    assert set(resp.json()) == {
        "fingerprint",
        "declaration_id",
        "version",
        "campaign_year",
        "campaign_title",
        "tier",
        "tier_name",
        "enterprise_name",
        "factory_name",
        "submitted_at",
        "latest_version",
        "is_latest",
        "status",
        "status_name",
        "is_current",
        "verdict",
        "verdict_en",
    }
    for private in ("13800000000", "林工", "福建省福州市鼓楼区示范路1号", "ent-user", "cmmm"):
        assert private not in resp.text, private


async def test_an_unknown_fingerprint_is_404(client, enterprise):
    await _submitted(client, enterprise)
    resp = await _verify(client, "0" * 64)
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "fingerprint_not_found"


@pytest.mark.parametrize(
    "fingerprint",
    ["abc", "A" * 64, "g" * 64, "0" * 63, "0" * 65, "%20" + "0" * 61],
)
async def test_a_malformed_fingerprint_is_422_naming_the_field(client, fingerprint):
    resp = await _verify(client, fingerprint)
    assert resp.status_code == 422
    err = resp.json()["error"]
    assert err["code"] == "validation_error"
    assert [f["field"] for f in err["details"]["fields"]] == ["fingerprint"]


async def test_verification_ignores_the_caller(client, issuer, enterprise):
    """Anyone may verify: no token, the public role, another enterprise, all the same."""
    fingerprint = (await _submitted(client, enterprise))["fingerprint"]
    answers = [
        await client.get(f"/public/v1/verifications/{fingerprint}", headers=headers)
        for headers in ({}, issuer.headers("public"), issuer.headers("enterprise", org="x"))
    ]
    assert {r.status_code for r in answers} == {200}
    assert len({r.text for r in answers}) == 1


# -- the renderer on its own --------------------------------------------------------------------


def _version(content: dict, fingerprint: str = "ab" * 32) -> PrintableVersion:
    return PrintableVersion(
        declaration_id="00000000-0000-4000-8000-00000000d001",
        number=1,
        tier="pilot",
        campaign_year=2025,
        campaign_title=None,
        enterprise_name=ENTERPRISE_NAME,
        enterprise_uscc=ENTERPRISE_USCC,
        factory_name="高端装备智能工厂",
        submitted_at=datetime(2025, 7, 10, 6, 30, tzinfo=UTC),
        fingerprint=fingerprint,
        content=content,
        verification_url=f"{PUBLIC_BASE}/public/v1/verifications/{fingerprint}",
    )


def test_a_long_text_is_wrapped_over_pages_not_cut():
    summary = "".join(f"第{i}段建设内容：柔性产线与数字孪生协同。" for i in range(600))
    token = "https://example.test/" + "x" * 900  # no break point at all
    pdf = render_pdf(_version({"facts": {"summary": summary, "link": token}}))

    pages = _text(pdf)
    assert len(pages) > 3
    whole = _body(pages)
    assert _flat(summary) in whole
    assert token in whole
    assert "打印限制" not in whole
    assert "2025-07-10 14:30:00（北京时间）" in pages[0]  # 06:30 UTC
    assert "领航级" in pages[0]


def test_new_sections_print_without_code_changes():
    content = {
        "facts": {
            "future_section": {
                "名称": "新增章节",
                "items": [{"指标": "良品率", "数值": 99.5, "达标": True}, {"指标": "能耗"}],
                "deep": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": "最深处"}}}}}}}},
            }
        }
    }
    whole = _flat("".join(_text(render_pdf(_version(content)))))
    for printed in ("future_section", "新增章节", "良品率", "99.5", "是", "能耗", "最深处"):
        assert printed in whole, printed


def test_past_the_limit_the_page_says_what_was_left_out():
    content = {
        "facts": {
            "short": "表格里的短值",  # short values print first, in the section's table
            "summary": "很长的建设概述。" * 2_000,
            "after": {"名称": "后面的章节"},
        }
    }
    pdf = render_pdf(_version(content), max_chars=5_000)

    pages = _text(pdf)
    assert "打印限制" in pages[0]  # said up front…
    whole = _body(pages)
    assert whole.count("【打印限制】") == 2  # …and where the printing stops
    assert "表格里的短值" in whole
    assert "很长的建设概述。" * 100 in whole
    assert "后面的章节" not in whole  # nothing printed after a gap
    assert all("ab" * 32 in page for page in pages)


def test_renders_in_parallel_threads_equal_renders_one_at_a_time():
    """The route renders in the thread pool: reportlab must not mix documents up."""
    versions = [
        _version({"facts": {"summary": f"第{i}份申报书。" * (200 + 50 * i), "n": i}}, f"{i:064x}")
        for i in range(6)
    ]
    alone = [render_pdf(v) for v in versions]
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(render_pdf, versions * 2))
    assert together == alone * 2
