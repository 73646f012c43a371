"""The local mail sink is a real SMTP server: a mail sent with aiosmtplib arrives, in memory and
as an .eml file."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from tools.mailsink import body_of, start
from tools.stack import free_port


async def test_a_mail_sent_over_smtp_is_kept_and_written(tmp_path):
    sink = start("127.0.0.1", free_port(), tmp_path / "mail")
    try:
        message = EmailMessage()
        message["From"] = "ladder@example.invalid"
        message["To"] = "county@example.invalid"
        message["Subject"] = "重置密码"
        message.set_content("链接：http://portal/reset#token=abc")
        await aiosmtplib.send(message, hostname="127.0.0.1", port=sink.port, timeout=5)
        (got,) = sink.wait_for(1)
        assert got["Subject"] == "重置密码"
        assert "#token=abc" in body_of(got)
        assert sink.to("COUNTY@example.invalid") == [got]
        assert sink.to("other@example.invalid") == []
        files = list((tmp_path / "mail").glob("*.eml"))
        assert len(files) == 1 and b"county@example.invalid" in files[0].read_bytes()
    finally:
        sink.stop()
