"""Mail the identity service sends: invitations, password resets. Over SMTP with aiosmtplib
(a maintained async client); `make run` points it at a local sink (`tools.mailsink`), the tests
at an aiosmtpd server they start.

A mail carries a one-time link; the link's token is never logged (only the recipient's domain
and the purpose are), and a failure to send is logged and raised as 503 `mail_unavailable` so
the write that asked for it rolls back and can be retried.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

from ladder.identity.settings import Settings
from ladder.kit.errors import ServiceUnavailable

log = logging.getLogger("ladder.identity.mail")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    purpose: str  # invitation | password_reset …: what the log line names


def link(settings: Settings, path: str, token: str) -> str:
    """A link into the portal (`public_url`) carrying a one-time token in the fragment, so it
    reaches no server log on the way (the portal posts it to the API)."""
    return f"{settings.public_url.rstrip('/')}{path}#token={token}"


async def send(settings: Settings, mail: Mail) -> None:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    domain = mail.to.rpartition("@")[2]
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=password,
            start_tls=settings.smtp_starttls,
            timeout=10,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        log.warning("mail %s to @%s failed: %s", mail.purpose, domain, type(exc).__name__)
        raise ServiceUnavailable(
            "邮件暂时无法发送，请稍后重试",
            "Mail cannot be sent right now; try again later",
            details={"dependency": "smtp", "reason": "mail_unavailable"},
        ) from exc
    log.info("mail %s sent to @%s", mail.purpose, domain)
