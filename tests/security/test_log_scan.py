"""The log scan every cross-service run ends with finds what it looks for."""

from __future__ import annotations

from tests.conftest import log_leaks


def test_the_scan_finds_mobiles_tokens_secrets_and_nul_traces(tmp_path):
    (tmp_path / "review.log").write_text(
        '{"msg": "contact 13800138000"}\n'
        '{"msg": "Authorization: Bearer eyJhbGciOiJSUzI1.eyJzdWIiOiJ4In0x.c2lnbmF0dXJl"}\n'
        '{"msg": "client_secret=s3cr3t-s3cr3t"}\n'
        '{"msg": "invalid byte sequence for encoding \\"UTF8\\": 0x00"}\n'
        '{"msg": "order 91350102MA2Y00001E, 1380013800012, 138****8000: fine"}\n',
        encoding="utf-8",
    )
    found = log_leaks(tmp_path, ["s3cr3t-s3cr3t"])
    assert [f.split(": ")[1] for f in found] == ["mobile number", "bearer token", "secret", "NUL"]


def test_no_logs_no_leaks(tmp_path):
    assert log_leaks(tmp_path / "absent", ["x"]) == []
