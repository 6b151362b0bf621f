"""Reading what the shop under test e-mailed (the session's SMTP server, `mailbox`)."""

from __future__ import annotations

import re
import time
from email.message import EmailMessage

from tests.fixtures.mail import SmtpServer


def wait_for_mail(
    mailbox: SmtpServer, to: str, *, count: int = 1, within: float = 20
) -> EmailMessage:
    """The newest of at least `count` messages to `to`, waiting for the worker to send it."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        received = mailbox.handler.to(to)
        if len(received) >= count:
            return received[-1]
        time.sleep(0.2)
    raise AssertionError(f"no e-mail to {to} within {within:.0f} s")


def link_in(message: EmailMessage, path: str) -> str:
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    match = re.search(rf"https?://\S+{re.escape(path)}\S*", text)
    assert match is not None, f"no {path} link in: {text}"
    return match.group(0)
