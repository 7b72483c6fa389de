from fieldapp.i18n import LANGUAGES, catalogs, t


def test_every_key_exists_in_every_language() -> None:
    tables = catalogs()
    keys = set().union(*(table.keys() for table in tables.values()))
    for lang in LANGUAGES:
        missing = sorted(keys - tables[lang].keys())
        assert not missing, f"keys missing in {lang}: {missing}"


def test_no_empty_texts() -> None:
    for lang, table in catalogs().items():
        empty = [key for key, text in table.items() if not text.strip()]
        assert not empty, f"empty texts in {lang}: {empty}"


def test_polish_is_default_and_english_differs() -> None:
    assert t("visit.outcome.not_home") == "Nikogo nie ma"
    assert t("visit.outcome.not_home", "en") == "Not at home"
