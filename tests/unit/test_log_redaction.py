"""No secret reaches a log line, and the scan of the running shop's logs finds one that
would: credentials in messages, arguments, tracebacks and structured fields are redacted,
in JSON lines and in lines for people alike."""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Iterator

import pytest

from backend.observability.context import current_request_id
from backend.observability.logging_setup import build_handler
from backend.observability.redaction import redact
from backend.settings import LogFormat
from tests.fixtures.log_scan import find_leaks

SECRETS = {
    "password=hunter2-hunter2": "hunter2-hunter2",
    '{"password": "s3cret-value-1"}': "s3cret-value-1",
    "Authorization: Bearer abc.def-ghi_jkl": "abc.def-ghi_jkl",
    "authorization='Basic dXNlcjpwYXNz'": "dXNlcjpwYXNz",
    "Cookie: shop_session=Zm9vYmFyYmF6cXV4; shop_cart=1": "Zm9vYmFyYmF6cXV4",
    "GET /reset-password?token=AbC123xyz_-AbC123xyz": "AbC123xyz_-AbC123xyz",
    "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXZhbHVl": "eyJzdWIiOiIxMjMifQ",
    "smtp://mailer:pa55word@mail.example.com:587": "pa55word",
    "stripe key sk_test_4eC39HqLyjWDarjtT1zdp7dc": "4eC39HqLyjWDarjtT1zdp7dc",
    "webhook secret whsec_abcdefghij0123": "whsec_abcdefghij0123",
    "paid with 4242 4242 4242 4242": "4242 4242 4242 4242",
    "paid with 4000-0027-6000-3184": "4000-0027-6000-3184",
    "card=4000000000000002&cvc=123": "4000000000000002",
    # A guest's credentials on the REST API (api.v1.guests).
    "X-Cart-Token: q3T0n8yO0Xw3mYc2k8Zr1bq4cKf6W1Hq5eV7sJd9aPg": "q3T0n8yO0Xw3mYc2k8Zr1bq4",
    '{"order_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcmRlciJ9.c2ln"}': "eyJzdWIiOiJvcmRlciJ9",
}


@pytest.mark.parametrize(("line", "secret"), SECRETS.items())
def test_a_credential_is_redacted(line: str, secret: str) -> None:
    redacted = redact(line)
    assert secret not in redacted
    assert not find_leaks([redacted], known={secret: "the secret"})


def test_ordinary_lines_are_left_alone() -> None:
    line = (
        "order KG-20261205-0001 paid: 42.00 USD, event 550e8400-e29b-41d4-a716-446655440000, "
        "took 1733356800123 us; session_scope closed"
    )
    assert redact(line) == line
    assert find_leaks([line], known={}) == []


def test_the_last_four_digits_of_a_card_stay_readable() -> None:
    assert redact("card 4242424242424242 declined") == "card [card ending 4242] declined"


@pytest.fixture
def shop_logger() -> Iterator[tuple[logging.Logger, dict[LogFormat, io.StringIO]]]:
    logger = logging.getLogger("tests.redaction")
    streams = {log_format: io.StringIO() for log_format in LogFormat}
    handlers = [build_handler(log_format, stream) for log_format, stream in streams.items()]
    for handler in handlers:
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    token = current_request_id.set("req-0123456789")
    try:
        yield logger, streams
    finally:
        current_request_id.reset(token)
        for handler in handlers:
            logger.removeHandler(handler)


def test_lines_in_both_formats_keep_no_secret(
    shop_logger: tuple[logging.Logger, dict[LogFormat, io.StringIO]],
) -> None:
    logger, streams = shop_logger
    logger.info("sign-in for %s with password=%s", "ada@example.com", "hunter2-hunter2")
    logger.info("calling", extra={"authorization": "Bearer abcdefghijklmnop"})
    try:
        raise ValueError("refused card 4242424242424242 for token=AbC123xyz_-AbC123xyz")
    except ValueError:
        logger.exception("payment failed")
    for stream in streams.values():
        written = stream.getvalue()
        assert "hunter2-hunter2" not in written
        assert "abcdefghijklmnop" not in written
        assert "4242424242424242" not in written
        assert "AbC123xyz_-AbC123xyz" not in written
        assert "req-0123456789" in written
    records = [json.loads(line) for line in streams[LogFormat.JSON].getvalue().splitlines()]
    assert records[0]["message"] == "sign-in for ada@example.com with password=[redacted]"
    assert all(r["request_id"] == "req-0123456789" for r in records)
    assert "ValueError" in records[-1]["exc_info"]


def test_the_scan_finds_what_redaction_would_have_hidden() -> None:
    """The scan of the running shop's logs fails on a line written past the redaction."""
    session_token = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6"
    lines = [
        '{"message": "GET / 200", "request_id": "abc"}',
        f'{{"message": "debug: session {session_token} resolved"}}',
        "print: Authorization: Bearer abc.def-ghi_jkl",
        "refund for 4242424242424242",
        "a password correct horse battery staple typed",
    ]
    leaks = find_leaks(
        lines,
        known={"correct horse battery staple": "a test password"},
        stored_hashes={hashlib.sha256(session_token.encode()).hexdigest()},
    )
    assert {leak.what for leak in leaks} == {
        "a token the shop issued (found by its stored hash)",
        "a bearer token",
        "an Authorization header",
        "a card number",
        "a test password",
    }
    assert all(leak.line != lines[0] for leak in leaks)
