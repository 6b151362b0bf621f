"""Business failures of the accounts domain."""

from backend.core.errors import DomainError


class InvalidCredentialsError(DomainError):
    # One message for "no such e-mail" and "wrong password": no account enumeration.
    code = "invalid_credentials"


class AccountNotActiveError(DomainError):
    code = "account_not_active"


class DuplicateAccountError(DomainError):
    code = "duplicate_account"
