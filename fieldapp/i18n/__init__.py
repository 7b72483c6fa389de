"""One catalog mechanism for every user-visible string (Polish by default, English).

Strings live in gettext catalogs, ``fieldapp/i18n/locale/<lang>/LC_MESSAGES/<area>.po``, which
translators edit with ordinary tools (Poedit, Weblate); areas keep teams out of each other's files.
The msgid is a dotted key (``contact.kind.resident``); texts use ``str.format`` placeholders
(``{count}``). A message with a count has plural forms (Polish: one, few, many, chosen by the
header's ``Plural-Forms``) and is asked for with ``tn``. The .po files are read with polib (pure
Python, so also on the phone) and compiled in memory into the standard library's
``gettext.GNUTranslations``, whose ``ngettext`` picks the form. A test fails when a key is missing
in either language or when two areas define the same key; the loader refuses a leftover
``catalog/<area>.py`` (the old format: convert it with the project's po_convert script).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import polib

from fieldapp.errors import FieldError, ValidationFailed

LANGUAGES: tuple[str, ...] = ("pl", "en")
DEFAULT_LANGUAGE = "pl"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: Where areas were Python modules before the gettext move; nothing may be left there.
OLD_CATALOG_DIR = Path(__file__).resolve().parent / "catalog"


def area_files(lang: str) -> list[Path]:
    """The .po files of ``lang``, one per area, in name order."""
    return sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po"))


def refuse_python_areas(folder: Path = OLD_CATALOG_DIR) -> None:
    """Raise when a catalog area is still a Python module (it would be silently ignored)."""
    left = sorted(path.name for path in folder.glob("*.py") if path.name != "__init__.py")
    if left:
        raise RuntimeError(
            f"catalog areas still in Python in {folder}: {left}; convert them to .po files "
            "(po_convert.py REPO_ROOT AREA)"
        )


@cache
def po_entries(lang: str) -> tuple[polib.POEntry, ...]:
    """Every entry of every area of ``lang``; a key defined by two areas is an error."""
    refuse_python_areas()
    entries: list[polib.POEntry] = []
    owner: dict[str, str] = {}
    for path in area_files(lang):
        for entry in polib.pofile(str(path)):
            if entry.msgid in owner:
                raise RuntimeError(
                    f"i18n key {entry.msgid!r} defined twice ({owner[entry.msgid]}, {path.stem}) in {lang}"
                )
            owner[entry.msgid] = path.stem
            entries.append(entry)
    return tuple(entries)


@cache
def plural_forms(lang: str) -> str:
    """The ``Plural-Forms`` header the areas of ``lang`` share (a test checks they agree)."""
    return polib.pofile(str(area_files(lang)[0])).metadata["Plural-Forms"]


def _compiled(lang: str, entries: Iterable[polib.POEntry]) -> gettext.GNUTranslations:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": plural_forms(lang)}
    po.extend(entries)
    return gettext.GNUTranslations(io.BytesIO(po.to_binary()))


@cache
def translations(lang: str) -> gettext.GNUTranslations:
    """``lang``'s catalog as gettext translations; a text missing in English falls back to Polish."""
    compiled = _compiled(lang, po_entries(lang))
    if lang != DEFAULT_LANGUAGE:
        compiled.add_fallback(translations(DEFAULT_LANGUAGE))
    return compiled


@cache
def catalogs() -> dict[str, dict[str, str]]:
    """All keys of all areas, per language (a plural message by its first form)."""
    return {
        lang: {
            entry.msgid: entry.msgstr_plural[0] if entry.msgid_plural else entry.msgstr
            for entry in po_entries(lang)
        }
        for lang in LANGUAGES
    }


@cache
def plural_keys() -> dict[str, frozenset[str]]:
    """The keys asked for with ``tn``, per language."""
    return {lang: frozenset(e.msgid for e in po_entries(lang) if e.msgid_plural) for lang in LANGUAGES}


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """The text of ``key`` in ``lang``, formatted with ``params``.

    A key missing from the catalog shows as the key itself (and the catalog test catches it).
    A parameter with a ``localized(lang)`` method (``fieldapp.i18n.format.Money``) is written in
    ``lang``: a service raising an error does not know who will read it.
    """
    language = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    return _formatted(translations(language).gettext(key), language, params)


def tn(key: str, n: int, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """The plural form of ``key`` that fits the count ``n`` in ``lang`` (``{n}`` is filled in).

    Polish has three forms: 1 rozmowa, 2 rozmowy, 5 rozmów (and 22 rozmowy, 112 rozmów).
    """
    language = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    return _formatted(translations(language).ngettext(key, key, n), language, {"n": n, **params})


def _formatted(text: str, lang: str, params: dict[str, object]) -> str:
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

    def n(self, key: str, n: int, /, **params: object) -> str:
        """``tn`` in this language: the plural form of ``key`` for ``n``."""
        return tn(key, n, self.lang, **params)


def error_text(error: FieldError, lang: str = DEFAULT_LANGUAGE) -> str:
    """What a field error says to the user: catalog key ``error.<code>`` (or the error's own
    ``text_key``, as the UI's form errors carry), with its params."""
    key = getattr(error, "text_key", None) or f"error.{error.code}"
    return t(key, lang, **error.params)


def errors_by_field(failed: ValidationFailed, lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The messages of a failed validation keyed by field, for showing beside each input."""
    return {error.field: error_text(error, lang) for error in failed.errors}
