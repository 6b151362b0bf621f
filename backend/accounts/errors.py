"""Business failures of the accounts domain."""

from backend.core.errors import DomainError


class InvalidCredentialsError(DomainError):
    # One message for "no such e-mail" and "wrong password": no account enumeration.
    code = "invalid_credentials"


class AccountNotActiveError(DomainError):
    code = "account_not_active"


class DuplicateAccountError(DomainError):
    code = "duplicate_account"


class AccountLockedError(DomainError):
    """Locked for a while, for the visitor's network, after repeated failed sign-ins."""

    code = "account_locked"


class AccountBackedOffError(AccountLockedError):
    """Locked for networks the account was not used on, after failed sign-ins from many."""

    code = "account_backed_off"


class AccountSuspendedError(DomainError):
    """Locked by staff until they unlock it."""

    code = "account_suspended"


class TooManyAttemptsError(DomainError):
    """Rate limited. `retry_after` (seconds) is in `data`."""

    code = "too_many_attempts"


class InvalidTokenError(DomainError):
    """An e-mailed link (or API token) that is unknown, used, expired or revoked."""

    code = "invalid_token"


class WrongPasswordError(DomainError):
    """The current password given to change it was wrong."""

    code = "wrong_password"
