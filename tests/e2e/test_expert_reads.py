"""Experts read what they score (issue 14, item 6), through the gateway with the real processes:
a Fujian 卓越级 declaration goes up its chain onto the province's list; in the national review
the ministry assigns a panel, and each assigned expert reads the 申报书 and its PDF in the
declaration service (told by the review service's `review.expert_access_changed`). An expert
not assigned, one refused for a conflict of interest, and one whose conflict (回避) is declared
after the assignment get 404; so does the whole panel once the case is decided."""

from __future__ import annotations

import httpx
import pytest

from ladder.kit.tokens import SigningKey
from tests.conftest import dev_token
from tests.e2e.test_declaration_document import DECL
from tests.e2e.test_national_and_cultivation import NATIONAL, Experts, _ok, _on_case
from tests.e2e.test_recommendation_chains import fujian_chain, recommend
from tests.e2e.test_review_chain import _until

pytestmark = pytest.mark.crossservice


def _reads(gateway: httpx.Client, headers: dict[str, str], did: str) -> tuple[int, int]:
    """(the 申报书, its PDF): the status codes the expert gets."""
    one = gateway.get(f"{DECL}/{did}", headers=headers)
    pdf = gateway.get(f"{DECL}/{did}/versions/1/pdf", headers=headers)
    if pdf.status_code == 200:
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
    return one.status_code, pdf.status_code


def _comes_to(gateway, headers, did: str, expected: tuple[int, int], what: str) -> None:
    """Wait for the event to cross (the review's outbox relays it), then hold to `expected`."""
    _until(what, lambda: True if _reads(gateway, headers, did) == expected else None)


def test_assigned_experts_read_the_declaration_and_its_pdf(travel_stack, travel_gateway):
    gateway = travel_gateway
    did, enterprise, province = fujian_chain(gateway)
    recommend(gateway, province, "excellence", "350000", did)
    ministry = dev_token(gateway, "ministry")
    experts = Experts(gateway, ministry, SigningKey.from_file(travel_stack.key_file))
    panel = experts.create(3, "r")
    (outsider,) = experts.create(1, "o")
    (linked,) = experts.create(1, "l", integrators=["示范集成商"])
    _ok(_on_case(gateway, ministry, did, "POST", "/formal-check", {"outcome": "pass"}))
    refused = _on_case(
        gateway, ministry, did, "PUT", "/experts", {"expert_ids": [*panel[:2], linked]}, key=False
    )
    assert refused.json()["error"]["code"] == "conflict_of_interest"
    _ok(_on_case(gateway, ministry, did, "PUT", "/experts", {"expert_ids": panel}, key=False))

    for expert in panel:
        _comes_to(gateway, experts.headers[expert], did, (200, 200), "the panel to read")
    listed = _ok(gateway.get(DECL, headers=experts.headers[panel[0]]))
    assert [i["id"] for i in listed["items"]] == [did]
    assert _reads(gateway, experts.headers[outsider], did) == (404, 404)
    assert _reads(gateway, experts.headers[linked], did) == (404, 404)
    assert _ok(gateway.get(DECL, headers=experts.headers[outsider]))["items"] == []

    # A conflict declared after the assignment (回避) ends that expert's access.
    uscc = _ok(gateway.get(f"{DECL}/{did}", headers=enterprise))["enterprise_uscc"]
    recused = panel[2]
    etag = _ok(gateway.get(f"{NATIONAL}/experts/{recused}", headers=ministry))["etag"]
    _ok(
        gateway.patch(
            f"{NATIONAL}/experts/{recused}",
            json={"declared_conflicts": [uscc]},
            headers={**ministry, "If-Match": etag},
        )
    )
    _comes_to(gateway, experts.headers[recused], did, (404, 404), "the recused to lose access")
    assert _reads(gateway, experts.headers[panel[0]], did) == (200, 200)

    # The decision ends the expert review, and every expert's access with it.
    decided = _on_case(
        gateway, ministry, did, "POST", "/decision", {"outcome": "reject", "reasons": "不足"}
    )
    assert _ok(decided)["status"] == "not_selected"
    for expert in panel[:2]:
        _comes_to(gateway, experts.headers[expert], did, (404, 404), "the panel to lose access")
