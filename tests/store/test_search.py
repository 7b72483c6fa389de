"""Contact search: Polish diacritics, prefixes, ranking, indexed fields, tombstones, hostile input.

Every test runs on both kinds of index: FTS5, and the word-list table a SQLite without FTS5 gets
(here by the store's probe answering no; tests/store/test_minimal_sqlite.py runs them again on a
SQLite really built without FTS5)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldapp.model import Contact
from fieldapp.store import Store, raw, search
from fieldapp.store.search import match_expression
from fieldapp.store.text import fold, tokens
from tests.sqlite_build import HAS_FTS5, needs_fts5

INDEX_KINDS = ["fts5", "word_list"]


def open_store(path: Path, kind: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A new store whose search index is of ``kind`` (chosen when the store is created)."""
    if kind == "fts5" and not HAS_FTS5:
        pytest.skip("this SQLite has no FTS5")
    with monkeypatch.context() as patched:
        if kind == "word_list":
            patched.setattr(search, "fts5_available", lambda _conn: False)
        made = Store(path)
    with made.engine.connect() as conn:
        assert search.uses_fts5(raw(conn)) == (kind == "fts5")
    return made


@pytest.fixture(params=INDEX_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    made = open_store(tmp_path / "device.db", request.param, monkeypatch)
    yield made
    made.close()


def add(store: Store, **data: str) -> Contact:
    with store.write() as conn:
        return store.save(conn, Contact(kind=data.pop("kind", "resident"), **data))


def names(store: Store, query: str, **kwargs: int) -> list[str]:
    return [c.name for c in store.search_contacts(query, **kwargs)]


def test_fold_handles_every_polish_letter() -> None:
    assert fold("ĄĆĘŁŃÓŚŹŻ ąćęłńóśźż") == "acelnoszz acelnoszz"
    assert tokens("Żółkiewskiego 12/4, Łódź") == ["zolkiewskiego", "12", "4", "lodz"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lodz", "Łódź"),
        ("LODZ", "Łódź"),
        ("Łódź", "Łódź"),
        ("łodz", "Łódź"),
        ("zolkiewskiego", "Żółkiewskiego"),
        ("ŻÓŁKIEWSKIEGO", "Żółkiewskiego"),
        ("zrodlo", "Źródło"),
        ("gesla", "Gęśla"),
        ("swietlica", "Świetlica"),
        ("nadzieja", "Nadzieja"),
    ],
)
def test_queries_without_diacritics_find_names_with_them(store: Store, query: str, expected: str) -> None:
    for name in ("Łódź", "Żółkiewskiego", "Źródło", "Gęśla", "Świetlica", "Nadzieja", "Lublin"):
        add(store, name=name, kind="ngo")
    assert names(store, query) == [expected]


def test_words_are_prefixes_and_all_required(store: Store) -> None:
    add(store, name="Małgorzata Wiśniewska", address="Piotrkowska 104")
    add(store, name="Małgorzata Nowak", address="Zielona 7")
    add(store, name="Wiśniewski Jan", address="Gdańska 80")
    assert sorted(names(store, "malg")) == ["Małgorzata Nowak", "Małgorzata Wiśniewska"]
    assert names(store, "malg wisn") == ["Małgorzata Wiśniewska"]
    assert names(store, "wisn malg") == ["Małgorzata Wiśniewska"]
    assert sorted(names(store, "wisniewsk")) == ["Małgorzata Wiśniewska", "Wiśniewski Jan"]
    assert names(store, "malg piotrk") == ["Małgorzata Wiśniewska"]
    assert names(store, "malg gdansk") == []
    assert names(store, "") == [] and names(store, "   ") == []


def test_name_match_ranks_before_address_tags_and_offers(store: Store) -> None:
    add(store, name="Anna Kowalska", offers="Ogród społeczny na podwórku przy kamienicy")
    add(store, name="Stowarzyszenie Nowak", kind="ngo", tags="ogród,zieleń")
    add(store, name="Jan Kowalczyk", address="Ogrodowa 12")
    add(store, name="Bogdan Ogrodnik")
    found = names(store, "ogrod")
    assert found[0] == "Bogdan Ogrodnik"
    assert found[1] == "Jan Kowalczyk"  # address weighs more than tags and offers
    assert set(found[2:]) == {"Anna Kowalska", "Stowarzyszenie Nowak"}


def test_where_in_a_field_a_word_stands_does_not_change_its_rank(store: Store) -> None:
    add(store, name="Zofia Maj", address="Aleja Marszałka Piłsudskiego 12 Ogrodowa")
    add(store, name="Ogrodnik")
    add(store, name="Ewa Kos", tags="seniorzy, kluby, ogródki")
    assert names(store, "ogrod") == ["Ogrodnik", "Zofia Maj", "Ewa Kos"]


def test_tags_offers_interests_and_address_are_searchable_needs_are_not(store: Store) -> None:
    add(store, name="A", tags="senior, ogródki działkowe")
    add(store, name="B", needs="Świetlica dla młodzieży")  # RODO art. 9: needs are not indexed
    add(store, name="C", offers="Pieczenie ciast na festyn")
    add(store, name="D", interests="rower, szachy")
    add(store, name="E", address="Źródłowa 5/3")
    assert names(store, "dzialkowe") == ["A"]
    assert names(store, "mlodziez") == []
    assert names(store, "festyn") == ["C"]
    assert names(store, "szachy") == ["D"]
    assert names(store, "zrodlowa 5") == ["E"]


def test_personal_notes_and_contact_details_are_not_indexed(store: Store) -> None:
    add(store, name="F", notes="Nie lubi sąsiada spod siódemki", phone="600100200", email="f@example.pl")
    assert names(store, "sasiada") == []
    assert names(store, "600100200") == []
    assert names(store, "example") == []


def test_edits_reindex_and_deleted_contacts_leave_the_index(store: Store) -> None:
    contact = add(store, name="Zofia Piątek", tags="seniorzy")
    other = add(store, name="Zofia Nowak")
    with store.write() as conn:
        contact.name = "Zofia Czwartek"
        store.save(conn, contact, ["name"])
    assert names(store, "piatek") == []
    assert names(store, "czwartek") == ["Zofia Czwartek"]
    assert names(store, "seniorzy") == ["Zofia Czwartek"]
    with store.write() as conn:
        store.delete(conn, contact)
    assert names(store, "czwartek") == [] and names(store, "seniorzy") == []
    assert names(store, "zofia") == ["Zofia Nowak"]
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT rowid FROM contact_search").all()
        live = conn.exec_driver_sql("SELECT rowid FROM contact WHERE id = ?", (other.id,)).all()
    assert rows == live


def test_limit_and_offset_page_through_results(store: Store) -> None:
    for i in range(12):
        add(store, name=f"Grażyna Łąkowa {i:02d}")
    first = names(store, "grazyna", limit=5)
    second = names(store, "grazyna", limit=5, offset=5)
    third = names(store, "grazyna", limit=5, offset=10)
    assert len(first) == 5 and len(second) == 5 and len(third) == 2
    assert sorted(first + second + third) == [f"Grażyna Łąkowa {i:02d}" for i in range(12)]


HOSTILE = [
    '"', '""', '"""', "'", "*", "**", "^", ":", "-", "+", "(", ")", "()", "NEAR(", "NEAR(a b", "NEAR(a, 5)",
    "OR", "AND", "NOT", "a OR", "OR a", "a AND NOT b", '"unbalanced', 'un"balanced', "name:ewa",
    "{name}: ewa", "ewa*", "*ewa", "e*a", '"ewa" OR "ann', "col:", "\x00", "\\", "%", "_", "ewa_",
    "'; DROP TABLE contact; --", "ą" * 500, "ewa " * 100, "\u0301", "ﬁ", "²", "١٢", "𝔢𝔴𝔞", "ǅ", "İ",
    "\ud800", "ewa\udfff", "\t\n", "🙂 ewa",
]


@pytest.fixture(scope="module", params=INDEX_KINDS)
def ewa(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One store with one contact, shared by the read-only hostile-input tests."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        shared = open_store(tmp_path_factory.mktemp("search") / "ewa.db", request.param, monkeypatch)
    add(shared, name="Ewa Nowak", address="Piotrkowska 1")
    yield shared
    shared.close()


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_fts_syntax_never_raises(ewa: Store, query: str) -> None:
    found = names(ewa, query)
    if "ewa" in tokens(query) and len(tokens(query)) == 1:
        assert found == ["Ewa Nowak"]


@settings(max_examples=150, deadline=None)
@given(query=st.text(max_size=40))
def test_any_text_is_a_valid_query(ewa: Store, query: str) -> None:
    expression = match_expression(query)
    assert expression is None or expression.count('"') % 2 == 0
    ewa.search_contacts(query)


def test_erased_people_are_not_found(store: Store) -> None:
    """An erased person (RODO art. 17) stays as a record for statistics but leaves search, as lists."""
    from fieldapp.model import utcnow

    person = add(store, name="Halina Źdźbło", address="Źródłowa 7/3", flat="3", tags="seniorka")
    add(store, name="Klub Źródłowa", kind="ngo", address="Źródłowa 9")
    with store.write() as conn:
        person.name, person.flat, person.tags, person.address = "", "", "", "Źródłowa 7"
        person.erased_at = utcnow()
        store.save(conn, person, ["name", "flat", "tags", "address", "erased_at"])
    assert names(store, "zrodlowa") == ["Klub Źródłowa"]
    assert names(store, "halina") == [] and names(store, "seniorka") == []


SYLLABLES = ["ka", "ło", "wi", "śn", "zu", "rą", "dź", "no", "ma", "ęb", "ol", "sz", "ży", "ci", "pa", "ó"]


def _text(rng: random.Random) -> str:
    count = rng.randint(0, 4)
    words = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))) for _ in range(count)]
    return rng.choice([" ", ", ", "-", "/", "_", " "]).join(words).capitalize()


@needs_fts5
def test_the_word_list_finds_what_fts5_finds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same contacts, same queries: the same contacts found (the order of equal ranks may differ)."""
    rng = random.Random(23)
    stores = [open_store(tmp_path / f"{kind}.db", kind, monkeypatch) for kind in INDEX_KINDS]
    columns = ("name", "address", "tags", "needs", "offers", "interests")
    rows = [{column: _text(rng) for column in columns} for _ in range(300)]
    for made in stores:
        with made.write() as conn:
            for values in rows:
                made.save(conn, Contact(kind="ngo", **values))
    queries = [" ".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 2))) for _ in range(150)]
    queries += [_text(rng)[: rng.randint(1, 9)] for _ in range(150)]
    compared = 0
    for query in queries:
        fts5, word_list = ({c.name for c in s.search_contacts(query, limit=1000)} for s in stores)
        assert fts5 == word_list, query
        compared += bool(fts5)
    assert compared > 100
    for made in stores:
        made.close()
