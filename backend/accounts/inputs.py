"""Validated input for account forms and API bodies, with messages people can act on."""

from __future__ import annotations

import re
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from backend.accounts.password_policy import MAX_PASSWORD_LENGTH, password_problem

USERNAME_PATTERN = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9._-]{1,48}[a-zA-Z0-9])?$")
USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 50
NAME_MAX_LENGTH = 100  # a first or last name
# The longest address e-mail-validator accepts (RFC 5321); the columns hold 255.
EMAIL_MAX_LENGTH = 254


def _no_control_characters(value: str) -> str:
    # Tabs, line breaks and NUL have no place in a name (PostgreSQL text cannot hold NUL).
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        msg = "Use letters, spaces and punctuation only."
        raise ValueError(msg)
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=NAME_MAX_LENGTH),
    AfterValidator(_no_control_characters),
]


def normalize_email(value: str) -> str:
    """Checks the address's form (not deliverability: no DNS from a form) and normalises
    its domain; uniqueness is case-insensitive in the database."""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        msg = "Enter a valid e-mail address, like name@example.com."
        raise ValueError(msg) from error


class Registration(BaseModel):
    model_config = ConfigDict(frozen=True)

    username: str
    email: str
    password: str = Field(max_length=MAX_PASSWORD_LENGTH * 4)
    first_name: Name | None = None
    last_name: Name | None = None

    @field_validator("username")
    @classmethod
    def _username_rules(cls, value: str) -> str:
        value = value.strip()
        if not USERNAME_MIN_LENGTH <= len(value) <= USERNAME_MAX_LENGTH:
            msg = f"Use {USERNAME_MIN_LENGTH} to {USERNAME_MAX_LENGTH} characters."
            raise ValueError(msg)
        if not USERNAME_PATTERN.match(value):
            msg = (
                "Use letters, digits, dots, dashes or underscores, "
                "starting and ending with a letter or digit."
            )
            raise ValueError(msg)
        return value

    @field_validator("email")
    @classmethod
    def _email_form(cls, value: str) -> str:
        return normalize_email(value)

    @field_validator("password")
    @classmethod
    def _password_rules(cls, value: str, info: ValidationInfo) -> str:
        problem = password_problem(
            value, username=info.data.get("username", ""), email=info.data.get("email", "")
        )
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("first_name", "last_name")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(frozen=True)

    first_name: Name | None = None
    last_name: Name | None = None

    @field_validator("first_name", "last_name")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


POSTAL_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,18}[A-Za-z0-9]$")
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,28}[0-9]$")
MAX_PHONE_LENGTH = 30  # what an address book's phone column holds (with a leading +, too)
POSTAL_CODE_MAX_LENGTH = 20
FULL_NAME_MAX_LENGTH = 100
LINE_MAX_LENGTH = 200
CITY_MAX_LENGTH = 100
REGION_MAX_LENGTH = 100

Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=LINE_MAX_LENGTH)]


class AddressInput(BaseModel):
    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    full_name: Annotated[str, StringConstraints(min_length=1, max_length=FULL_NAME_MAX_LENGTH)]
    line1: Annotated[str, StringConstraints(min_length=1, max_length=LINE_MAX_LENGTH)]
    line2: Line | None = None
    city: Annotated[str, StringConstraints(min_length=1, max_length=CITY_MAX_LENGTH)]
    region: Annotated[str, StringConstraints(max_length=REGION_MAX_LENGTH)] | None = None
    postal_code: str
    country: str
    phone: str | None = None
    is_default: bool = False

    @field_validator("line2", "region", "phone", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("postal_code")
    @classmethod
    def _postal_code(cls, value: str) -> str:
        if not POSTAL_CODE.match(value):
            msg = "Enter the postal code as written on letters (3 to 20 letters, digits, spaces)."
            raise ValueError(msg)
        return value.upper()

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: object) -> object:
        code = str(value or "").strip().upper()
        if not COUNTRY_CODE.match(code):
            msg = "Enter the two-letter country code, e.g. US, GB or DE."
            raise ValueError(msg)
        return code

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and len(value) > MAX_PHONE_LENGTH:
            msg = f"Use at most {MAX_PHONE_LENGTH} characters."
            raise ValueError(msg)
        if value is not None and not PHONE.match(value):
            msg = "Enter a phone number with digits only, optionally starting with +."
            raise ValueError(msg)
        return value
