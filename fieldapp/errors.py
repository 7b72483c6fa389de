"""The errors every layer may raise: the bottom of the house (it imports nothing of the app).

Services raise ``ValidationFailed`` *before* writing anything, so invalid input never half-writes.
Each ``FieldError`` carries a stable ``code`` and its ``params``; the user reads it in their
language through ``fieldapp.i18n.error_text`` (catalog key ``error.<code>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldError:
    #: The input field at fault ("" for the whole form).
    field: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


class ValidationFailed(ValueError):
    """One or more fields are invalid; nothing was written."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.code}" for e in errors))


class NotFound(LookupError):
    """The record asked for does not exist (or was deleted)."""

    def __init__(self, record_type: str, record_id: str) -> None:
        self.record_type, self.record_id = record_type, record_id
        super().__init__(f"{record_type} {record_id} not found")


class Errors:
    """Collects field errors while validating; ``raise_if_any()`` at the end."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, field: str, code: str, **params: Any) -> None:
        self.items.append(FieldError(field, code, params))

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationFailed(self.items)
