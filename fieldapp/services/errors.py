"""Validation errors that say what is wrong and how to fix it, in the user's language.

Services raise ``ValidationFailed`` *before* writing anything, so invalid input never half-writes.
Each ``FieldError`` carries a stable ``code``; its text is the catalog key ``error.<code>``
(area ``fieldapp/i18n/catalog/errors.py``), formatted with ``params``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fieldapp.i18n import DEFAULT_LANGUAGE, t


@dataclass(frozen=True)
class FieldError:
    #: The input field at fault ("" for the whole form).
    field: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return t(f"error.{self.code}", lang, **self.params)


class ValidationFailed(ValueError):
    """One or more fields are invalid; nothing was written."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.code}" for e in errors))

    def by_field(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
        """Messages keyed by field, for showing beside each input."""
        return {error.field: error.message(lang) for error in self.errors}


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
