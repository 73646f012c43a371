"""A local mail sink: a real SMTP server (aiosmtpd) that keeps every mail it receives, in memory
and as `.eml` files in a folder, so `make run` has somewhere to send invitations and password
resets and the tests have a real server to read them from.

    python -m tools.mailsink --port 8025 --folder .data/mail

Nothing is relayed anywhere. Dev and test only.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller


@dataclass
class _Keeper:
    """The aiosmtpd handler: stores each message it is given."""

    folder: Path | None
    messages: list[EmailMessage] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd calls it by this name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            count = len(self.messages)
            self.arrived.notify_all()
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%dT%H%M%S")
            (self.folder / f"{stamp}-{count:05d}.eml").write_bytes(envelope.content)
        return "250 Message accepted"


class MailSink:
    """A running sink: `messages`, `wait_for(n)`, `stop()`."""

    def __init__(self, host: str, port: int, folder: Path | None) -> None:
        self._keeper = _Keeper(folder)
        self._controller = Controller(self._keeper, hostname=host, port=port)
        self.host = host
        self.port = port
        self.folder = folder

    def start(self) -> MailSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self._keeper.arrived:
            return list(self._keeper.messages)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The first `count` messages, waiting up to `timeout` seconds for them to arrive."""
        with self._keeper.arrived:
            self._keeper.arrived.wait_for(lambda: len(self._keeper.messages) >= count, timeout)
            if len(self._keeper.messages) < count:
                raise TimeoutError(f"{len(self._keeper.messages)} of {count} mails arrived")
            return list(self._keeper.messages[:count])

    def to(self, address: str) -> list[EmailMessage]:
        """The messages addressed to `address` (case-insensitive)."""
        want = address.lower()
        return [m for m in self.messages if want in str(m.get("To", "")).lower()]


def start(host: str = "127.0.0.1", port: int = 8025, folder: Path | None = None) -> MailSink:
    return MailSink(host, port, folder).start()


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--folder", type=Path, default=Path(".data/mail"))
    args = parser.parse_args()
    sink = start(args.host, args.port, args.folder)
    print(f"mail sink on smtp://{args.host}:{args.port}, mails in {args.folder}/", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
