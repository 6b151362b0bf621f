"""Tokens and users: the OAuth2 password grant with rotating refresh tokens, sign-up, and
reading an account.

The token endpoint answers refusals as RFC 6749 §5.2 says (400 with `error`, e.g.
`invalid_grant`), in the API's one error shape: a problem+json body that also carries
the OAuth members `error` and `error_description`. Every refusal of a sign-in (wrong
password, unknown e-mail, locked or unconfirmed account, spent refresh token) is
`invalid_grant`; `type` and `detail` tell them apart for people.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from api.v1.auth import CurrentViewer
from api.v1.edge import EdgeRoute
from api.v1.problems import PROBLEM_MEDIA_TYPE, TYPE_BASE, Problem, problem_responses
from backend.accounts import authentication, registration, tokens
from backend.accounts import inputs as account_rules
from backend.accounts import queries as account_queries
from backend.accounts.errors import (
    AccountLockedError,
    AccountNotActiveError,
    AccountSuspendedError,
    InvalidCredentialsError,
    InvalidTokenError,
    TooManyAttemptsError,
)
from backend.accounts.password_policy import MAX_PASSWORD_LENGTH
from backend.accounts.schemas import UserRecord
from backend.core.client_address import address_of_scope
from backend.core.errors import InvalidInputError
from backend.core.validation import text_input_schema

router = APIRouter(route_class=EdgeRoute)

# What a sign-in refusal can be; all of them are `invalid_grant` to an OAuth client.
_REFUSED_GRANTS = (
    InvalidCredentialsError,
    AccountLockedError,
    AccountSuspendedError,
    AccountNotActiveError,
    InvalidTokenError,
)
# Responses with tokens must never be cached (RFC 6749 §5.1).
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# The seed's camelCase names of the registration fields that differ from the service's.
_CAMEL_FIELDS = {"first_name": "firstName", "last_name": "lastName"}
MAX_EMAIL_LENGTH = 320  # a 64-character local part, "@", a 255-character domain


# --- shapes ------------------------------------------------------------------------------


class TokenRequest(BaseModel):
    """The form an OAuth2 client posts (application/x-www-form-urlencoded). Nothing here
    is refused by validation: the route checks it, so that every refusal carries an
    OAuth `error` (`invalid_request`)."""

    grant_type: str | None = Field(
        default=None,
        description="`password` (sign in) or `refresh_token` (rotate a refresh token).",
        examples=["password"],
    )
    username: str | None = Field(default=None, description="The account's e-mail address.")
    password: str | None = Field(default=None, json_schema_extra={"format": "password"})
    refresh_token: str | None = Field(default=None, description="For grant_type=refresh_token.")
    scope: str | None = Field(default=None, description="Ignored: there are no scopes.")


# The longest value of each field worth a look; longer ones are malformed requests.
_TOKEN_FORM_LIMITS = {
    "grant_type": 50,
    "username": MAX_EMAIL_LENGTH,
    "password": MAX_PASSWORD_LENGTH * 4,
    "refresh_token": 200,
}


def _malformed(form: TokenRequest) -> dict[str, str]:
    """Field → problem, for what no grant could accept."""
    problems: dict[str, str] = {}
    if not form.grant_type:
        problems["grant_type"] = "Send grant_type: password or refresh_token."
    for field, longest in _TOKEN_FORM_LIMITS.items():
        value = getattr(form, field)
        if value is not None and len(value) > longest:
            problems[field] = f"Use at most {longest} characters."
    # The e-mail is looked up in PostgreSQL, whose text cannot hold NUL.
    if form.username and any(ord(char) < 32 for char in form.username):
        problems["username"] = "Enter your e-mail address."
    if form.grant_type == "password":
        for field in ("username", "password"):
            if not getattr(form, field):
                problems.setdefault(field, f"Send {field} with grant_type=password.")
    if form.grant_type == "refresh_token" and not form.refresh_token:
        problems["refresh_token"] = "Send refresh_token with grant_type=refresh_token."  # noqa: S105
    return problems


class TokenOut(BaseModel):
    access_token: str
    token_type: str = Field(description='Always "bearer".', examples=["bearer"])
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str = Field(description="Single use: each refresh returns a new one.")


class RevokeRequest(BaseModel):
    """RFC 7009's form. Only refresh tokens can be revoked (access tokens expire in 15
    minutes); revoking one ends every token descended from the same sign-in."""

    token: str = Field(max_length=200)
    token_type_hint: str | None = Field(default=None, max_length=50)


class OAuthProblem(Problem):
    error: str = Field(description="The OAuth 2.0 error code (RFC 6749 §5.2).")
    error_description: str


class _CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class RegistrationBody(_CamelModel):
    """The seed's sign-up body. The rules (username form, e-mail form, password policy)
    are the accounts domain's; they are checked there."""

    username: Annotated[
        str,
        text_input_schema(
            account_rules.USERNAME_MAX_LENGTH, pattern=account_rules.USERNAME_PATTERN.pattern
        ),
    ] = Field(examples=["ada_l"], description="3 to 50 letters, digits, dots, dashes, _")
    email: Annotated[str, text_input_schema(account_rules.EMAIL_MAX_LENGTH, format="email")] = (
        Field(examples=["ada@example.com"])
    )
    password: str = Field(
        json_schema_extra={"format": "password", "maxLength": MAX_PASSWORD_LENGTH * 4}
    )
    first_name: Annotated[str, text_input_schema(account_rules.NAME_MAX_LENGTH)] | None = Field(
        default=None, examples=["Ada"]
    )
    last_name: Annotated[str, text_input_schema(account_rules.NAME_MAX_LENGTH)] | None = Field(
        default=None, examples=["Lovelace"]
    )


SIGN_UP_ACCEPTED = (
    "We sent an e-mail to this address: follow it to confirm the address (or, if it "
    "already has an account, to sign in)."
)


class SignUpAccepted(_CamelModel):
    """The same for every accepted sign-up, whether or not the address had an account."""

    email: str = Field(description="The address, as stored.", examples=["ada@example.com"])
    detail: str


class UserOut(_CamelModel):
    id: uuid.UUID
    username: str
    email: str
    first_name: str | None
    last_name: str | None
    created_at: datetime

    @classmethod
    def of(cls, record: UserRecord) -> UserOut:
        return cls(
            id=record.user_id,
            username=record.username,
            email=record.email,
            first_name=record.first_name,
            last_name=record.last_name,
            created_at=record.created_at,
        )


class UserDetailOut(UserOut):
    status: str = Field(description="pending, active, inactive or locked.")
    last_login_at: datetime | None
    roles: list[str]

    @classmethod
    def of(cls, record: UserRecord) -> UserDetailOut:
        return cls(
            **UserOut.of(record).model_dump(),
            status=record.status,
            last_login_at=record.last_login_at,
            roles=list(record.roles),
        )


# --- tokens ------------------------------------------------------------------------------


def _oauth_error(
    error: str, detail: str, *, code: str, errors: dict[str, str] | None = None
) -> JSONResponse:
    body = OAuthProblem(
        type=TYPE_BASE + code.replace("_", "-"),
        title="Token request refused",
        status=400,
        detail=detail,
        errors=errors or None,
        error=error,
        error_description=detail,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=400,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=_NO_STORE,
    )


def _too_many_attempts(error: TooManyAttemptsError) -> JSONResponse:
    retry_after = error.data.get("retry_after")
    seconds = retry_after if isinstance(retry_after, int) else 60
    body = Problem(
        type=TYPE_BASE + error.code.replace("_", "-"),
        title="Too many requests",
        status=429,
        detail=error.message,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=429,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={**_NO_STORE, "Retry-After": str(seconds)},
    )


_OAUTH_400: dict[int | str, dict[str, Any]] = {
    400: {
        "model": OAuthProblem,
        "description": "invalid_request, invalid_grant or unsupported_grant_type",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": OAuthProblem.model_json_schema()}},
    }
}


@router.post(
    "/auth/token",
    response_model=TokenOut,
    tags=["auth"],
    summary="Get tokens (OAuth2 password or refresh_token grant)",
    responses={**_OAUTH_400, **problem_responses(429)},
)
async def issue_token(form: Annotated[TokenRequest, Form()], request: Request) -> JSONResponse:
    """`grant_type=password` with `username` (the e-mail) and `password` signs in, with
    the same protections as the shop's sign-in form (failed attempts lock the account for
    a while; too many attempts from one network are refused with 429 and `Retry-After`).
    `grant_type=refresh_token` spends a refresh token for a new pair; presenting a spent
    one again revokes every token of that sign-in."""
    problems = _malformed(form)
    if problems:
        return _oauth_error(
            "invalid_request",
            "Please correct the fields listed in errors.",
            code="invalid_request",
            errors=problems,
        )
    try:
        if form.grant_type == "password":
            user_id = await authentication.authenticate_for_tokens(
                email=form.username or "",  # both present: _malformed checked
                password=form.password or "",
                ip=address_of_scope(request.scope),
            )
            pair = await tokens.issue_tokens(user_id)
        elif form.grant_type == "refresh_token":
            pair = await tokens.refresh_tokens(form.refresh_token or "")
        else:
            return _oauth_error(
                "unsupported_grant_type",
                "Use grant_type password or refresh_token.",
                code="unsupported_grant_type",
            )
    except _REFUSED_GRANTS as error:
        return _oauth_error("invalid_grant", error.message, code=error.code)
    except TooManyAttemptsError as error:
        return _too_many_attempts(error)
    body = TokenOut(
        access_token=pair.access_token,
        token_type="bearer",  # noqa: S106  (the OAuth token type, not a secret)
        expires_in=pair.expires_in,
        refresh_token=pair.refresh_token,
    )
    return JSONResponse(body.model_dump(), headers=_NO_STORE)


@router.post(
    "/auth/revoke",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["auth"],
    summary="Sign out: revoke a refresh token",
    responses=problem_responses(400),
)
async def revoke_token(form: Annotated[RevokeRequest, Form()]) -> Response:
    """Always 204, whether or not the token was known (RFC 7009 §2.2): the answer says
    nothing about which tokens exist."""
    await tokens.revoke_refresh_token(form.token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- users -------------------------------------------------------------------------------


@router.post(
    "/users",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SignUpAccepted,
    tags=["users"],
    summary="Sign up",
    responses=problem_responses(400, 429),
)
async def register_user(body: RegistrationBody, request: Request) -> SignUpAccepted:
    """202 whether or not the e-mail address already has an account: the answer never
    tells who is a customer. A new address gets an account that starts `pending` (it can
    get tokens once the e-mailed link confirms the address); the owner of a taken one is
    e-mailed instead. A taken username is 400 (`errors.username`); too many sign-ups from
    one network, 429."""
    try:
        email = await registration.register(body.model_dump(), ip=address_of_scope(request.scope))
    except InvalidInputError as error:
        # The service names fields as Python does; the API's callers use the seed's names.
        raise InvalidInputError(
            error.message,
            {
                _CAMEL_FIELDS.get(field, field): message
                for field, message in error.field_errors.items()
            },
        ) from error
    return SignUpAccepted(email=email, detail=SIGN_UP_ACCEPTED)


# Declared before /users/{user_id}, so "me" is never read as an id.
@router.get(
    "/users/me",
    response_model=UserDetailOut,
    tags=["users"],
    summary="The caller's own account",
    responses=problem_responses(401),
)
async def get_own_user(viewer: CurrentViewer) -> UserDetailOut:
    return UserDetailOut.of(await account_queries.get_user_for(viewer, viewer.user_id))


@router.get(
    "/users/{user_id}",
    response_model=UserDetailOut,
    tags=["users"],
    summary="One account (yourself; admins: anyone)",
    responses=problem_responses(400, 401, 403, 404),
)
async def get_user(user_id: uuid.UUID, viewer: CurrentViewer) -> UserDetailOut:
    """Anyone but an admin gets 403 for every id that is not their own, whether or not
    it exists. Moderators too: customer data is for admins."""
    return UserDetailOut.of(await account_queries.get_user_for(viewer, user_id))
