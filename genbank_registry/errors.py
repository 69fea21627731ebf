"""Errors the core raises. Each message names the record, the field, the value and what to do."""
from __future__ import annotations

from schemas.messages import validation_message


class RegistryError(Exception):
    """Base class; `str(err)` is a sentence a user can act on."""


class NotFound(RegistryError):
    pass


class NotPublic(RegistryError):
    """The record exists but is not published: public routes must answer as if it did not exist."""


class InvalidRecord(RegistryError):
    def __init__(self, record: str, problems: list[tuple[str, object, str]]):
        self.record = record
        self.problems = problems  # (field, value, message)
        lines = "; ".join(f"{field}={value!r}: {message}" for field, value, message in problems)
        super().__init__(f"{record}: {lines}")

    @classmethod
    def from_validation(cls, record: str, exc) -> "InvalidRecord":
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err.get("loc", ())) or "(record)"
            problems.append((field, err.get("input"), validation_message(err)))
        return cls(record, problems)


class Forbidden(RegistryError):
    """The signed-in person's role does not allow this; the message says which role does."""


class AuthenticationFailed(RegistryError):
    pass


class TooManyAttempts(RegistryError):
    """Sign-in refused without checking the password: too many recent failures; retry after `retry_after` s."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"too many failed sign-ins; wait {retry_after} s before trying again")
