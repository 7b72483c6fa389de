"""The gettext catalogs: complete in both languages, one area per key, Polish plural forms."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

from fieldapp.i18n import (
    LANGUAGES,
    area_files,
    catalogs,
    plural_forms,
    plural_keys,
    refuse_python_areas,
    t,
    tn,
)


def test_every_key_exists_in_every_language() -> None:
    tables = catalogs()
    keys = set().union(*(table.keys() for table in tables.values()))
    for lang in LANGUAGES:
        missing = sorted(keys - tables[lang].keys())
        assert not missing, f"keys missing in {lang}: {missing}"


def test_plural_messages_are_plural_in_every_language() -> None:
    assert plural_keys()["pl"] == plural_keys()["en"]
    assert plural_keys()["pl"], "the catalogs carry plural messages"


def test_no_empty_texts() -> None:
    for lang in LANGUAGES:
        for path in area_files(lang):
            for entry in polib.pofile(str(path)):
                forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
                assert all(form.strip() for form in forms), f"empty text in {path}: {entry.msgid}"


def test_every_area_exists_in_both_languages_with_one_plural_rule() -> None:
    names = {lang: [path.name for path in area_files(lang)] for lang in LANGUAGES}
    assert names["pl"] == names["en"] and len(names["pl"]) >= 10
    for lang in LANGUAGES:
        headers = {polib.pofile(str(path)).metadata["Plural-Forms"] for path in area_files(lang)}
        assert headers == {plural_forms(lang)}
    assert plural_forms("pl").startswith("nplurals=3;")


def test_a_key_defined_in_two_areas_is_refused() -> None:
    owners: dict[str, str] = {}
    for path in area_files("pl"):
        for entry in polib.pofile(str(path)):
            assert entry.msgid not in owners, f"{entry.msgid} in {owners.get(entry.msgid)} and {path.stem}"
            owners[entry.msgid] = path.stem


def test_a_catalog_area_left_in_python_fails_loudly(tmp_path: Path) -> None:
    refuse_python_areas(tmp_path)  # an empty folder is fine
    (tmp_path / "__init__.py").write_text("")
    refuse_python_areas(tmp_path)
    (tmp_path / "new_area.py").write_text('PL = {"x.y": "z"}\nEN = {"x.y": "z"}\n')
    with pytest.raises(RuntimeError, match=r"new_area\.py"):
        refuse_python_areas(tmp_path)


def test_the_real_catalog_folder_has_no_python_area() -> None:
    refuse_python_areas()


def test_polish_is_default_and_english_differs() -> None:
    assert t("visit.outcome.not_home") == "Nikogo nie ma"
    assert t("visit.outcome.not_home", "en") == "Not at home"


@pytest.mark.parametrize(
    ("n", "polish"),
    [(0, "0 rozmów"), (1, "1 rozmowa"), (2, "2 rozmowy"), (4, "4 rozmowy"), (5, "5 rozmów"),
     (12, "12 rozmów"), (22, "22 rozmowy"), (25, "25 rozmów"), (101, "101 rozmów"), (112, "112 rozmów"),
     (122, "122 rozmowy")],
)
def test_polish_plural_forms_follow_the_count(n: int, polish: str) -> None:
    assert tn("ui.count.talks", n) == polish


def test_english_has_one_and_other() -> None:
    assert tn("ui.count.talks", 1, "en") == "1 conversation"
    assert tn("ui.count.talks", 2, "en") == "2 conversations"
    assert tn("ui.count.talks", 0, "en") == "0 conversations"


def test_a_missing_key_shows_itself() -> None:
    assert t("ui.no.such.key") == "ui.no.such.key"
    assert tn("ui.no.such.key", 3, "en") == "ui.no.such.key"
