"""Secrets never reach a log line: what looks like a credential is replaced before it is
written. Belt and braces: the code logs no secrets knowingly; this catches the ones an
exception message, a URL or a library's debug line would carry.

Covered: Authorization and Cookie headers, bearer tokens, JWTs, `password=`/`token=`-like
pairs (query strings, forms, JSON), passwords in URLs (`scheme://user:pass@host`), Stripe
secret and webhook keys, and card numbers (13–19 digits passing the Luhn check: all but
the last four digits are masked).
"""

from __future__ import annotations

import re

REDACTED = "[redacted]"

# Names whose values are secrets wherever they appear as `name=value` or `"name": "value"`.
_SECRET_NAMES = "|".join(
    (
        r"pass(?:word|wd|phrase)?",
        "pwd",
        "secret",
        "token",
        r"api[_-]?key",
        "apikey",
        "session",
        "csrf",
        "signature",
        "authorization",
        "cookie",
        "smtp_url",
    )
)
_HEADER = re.compile(
    r"(?i)\b(authorization|proxy-authorization|cookie|set-cookie)(\"?'?[ \t]*[:=][ \t]*\"?'?)"
    r"(?:(?:bearer|basic)\s+)?[^\"'\r\n,;]+"
)
_PAIR = re.compile(
    r"(?i)([\w.-]*(?:" + _SECRET_NAMES + r")[\w-]*)(\"?'?[ \t]*[:=][ \t]*\"?'?)"
    r"(?!\[redacted\])[^\s\"'&,;}<>\]]+"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]*):[^/\s@]+@")
_STRIPE_KEY = re.compile(r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{6,}|\bwhsec_[A-Za-z0-9]{6,}")
# Card numbers start with 2–6 (Mastercard, Amex, Visa, Discover…): a millisecond
# timestamp (17…) is not one.
_CARD = re.compile(r"(?<![\w.-])[2-6](?:[ -]?\d){12,18}(?![\w.-])")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if 13 <= len(digits) <= 19 and _luhn_ok(digits):
        return "[card ending " + digits[-4:] + "]"
    return match.group(0)


def redact(text: str) -> str:
    """`text` with every credential-looking part replaced by `[redacted]`."""
    if not text:
        return text
    text = _URL_PASSWORD.sub(r"\1:" + REDACTED + "@", text)
    text = _HEADER.sub(r"\1\2" + REDACTED, text)
    text = _BEARER.sub(r"\1 " + REDACTED, text)
    text = _JWT.sub(REDACTED, text)
    text = _STRIPE_KEY.sub(REDACTED, text)
    text = _PAIR.sub(r"\1\2" + REDACTED, text)
    return _CARD.sub(_mask_card, text)
