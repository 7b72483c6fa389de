"""One catalog mechanism for every user-visible string (Polish by default, English).

Strings live in ``fieldapp/i18n/catalog/<area>.py`` modules, each defining ``PL`` and ``EN``
dicts; areas keep teams out of each other's files. Keys are dotted (``contact.kind.resident``);
values use ``str.format`` placeholders (``{count}``). A test fails when a key is missing in either
language or when two areas define the same key.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from fieldapp.errors import FieldError, ValidationFailed
from fieldapp.i18n import catalog as _catalog_pkg

LANGUAGES: tuple[str, ...] = ("pl", "en")
DEFAULT_LANGUAGE = "pl"


@cache
def catalogs() -> dict[str, dict[str, str]]:
    """All keys of all areas, per language."""
    merged: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for info in sorted(pkgutil.iter_modules(_catalog_pkg.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{_catalog_pkg.__name__}.{info.name}")
        for lang in LANGUAGES:
            table: dict[str, str] = getattr(module, lang.upper())
            duplicated = merged[lang].keys() & table.keys()
            if duplicated:
                raise RuntimeError(f"i18n keys defined twice ({info.name}): {sorted(duplicated)}")
            merged[lang].update(table)
    return merged


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """The text of ``key`` in ``lang``, formatted with ``params``.

    A key missing from the catalog shows as the key itself (and the catalog test catches it).
    A parameter with a ``localized(lang)`` method (``fieldapp.i18n.format.Money``) is written in
    ``lang``: a service raising an error does not know who will read it.
    """
    table = catalogs().get(lang) or catalogs()[DEFAULT_LANGUAGE]
    text = table.get(key) or catalogs()[DEFAULT_LANGUAGE].get(key) or key
    if not params:
        return text
    try:
        return text.format(**{name: _in_language(value, lang) for name, value in params.items()})
    except (KeyError, IndexError, ValueError):
        return text


def _in_language(value: object, lang: str) -> object:
    localized = getattr(value, "localized", None)
    return localized(lang) if callable(localized) else value


class Translator:
    """A language bound to ``t``; the UI holds one and swaps its language."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    def __call__(self, key: str, /, **params: object) -> str:
        return t(key, self.lang, **params)


def error_text(error: FieldError, lang: str = DEFAULT_LANGUAGE) -> str:
    """What a field error says to the user: catalog key ``error.<code>`` (or the error's own
    ``text_key``, as the UI's form errors carry), with its params."""
    key = getattr(error, "text_key", None) or f"error.{error.code}"
    return t(key, lang, **error.params)


def errors_by_field(failed: ValidationFailed, lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The messages of a failed validation keyed by field, for showing beside each input."""
    return {error.field: error_text(error, lang) for error in failed.errors}
