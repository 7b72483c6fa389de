"""The review round trip between two phones through the real sync service: an animator's visits
reach the supervisor, who returns one with a comment; the animator sees the comment and corrects
the visit; the supervisor approves it. Checked on both screens and in what the service holds."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fieldapp.model import Contact, Visit
from fieldapp.services import contacts, reviews, visits
from fieldapp.store import Store
from fieldapp.store.paths import DB_FILENAME
from fieldapp.sync import SyncEngine
from sync.server import accounts
from sync.server.local import LocalServer, start_local_server
from tests.e2e.harness import AppServer, Phone
from tests.rodo.helpers import GIVEN

pytestmark = pytest.mark.e2e


@dataclass
class Team:
    service: LocalServer
    animator: AppServer
    supervisor: AppServer
    visit_id: str
    team_id: str
    person_id: str


def enrolled_store(folder: Path, service: LocalServer, user_id: str) -> Store:
    store = Store(folder / DB_FILENAME)
    SyncEngine(store).enroll(accounts.create_enrollment(service.db, user_id, service.url).uri)
    return store


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    service = start_local_server(tmp_path_factory.mktemp("service") / "service.db")
    program = accounts.create_program(service.db, f"Program {uuid.uuid4().hex[:6]}")
    team_id = accounts.create_team(service.db, "Zespół Polesie", program_id=program)
    animator_id = accounts.create_user(service.db, "Ola Animatorka", "animator", team_id=team_id)
    supervisor_id = accounts.create_user(service.db, "Ewa Koordynatorka", "supervisor", program_id=program)

    animator_dir, supervisor_dir = tmp_path_factory.mktemp("animator"), tmp_path_factory.mktemp("supervisor")
    store = enrolled_store(animator_dir, service, animator_id)
    try:  # two knocks logged offline, then one sync
        visits.log_visit(store, outcome="not_home", street="Zielona", house_number="7")
        visit_id = visits.log_visit(
            store, outcome="talked", street="Zielona", house_number="9", notes="Rozmowa o ławkach"
        ).id
        person = contacts.create_contact(
            store, {"kind": "resident", "name": "Anna Testowa", "phone": "600 123 456"}, GIVEN
        )
        SyncEngine(store).sync()
    finally:
        store.close()
    enrolled_store(supervisor_dir, service, supervisor_id).close()
    make_conflict(service, team_id, tmp_path_factory.mktemp("others"))

    apps = [AppServer(animator_dir).start(), AppServer(supervisor_dir).start()]
    yield Team(service, apps[0], apps[1], visit_id, team_id, person.id)
    for app in apps:
        app.stop()
    service.stop()


def make_conflict(service: LocalServer, team_id: str, folder: Path) -> None:
    """Two teammates rename the same organisation offline: one name is kept, the other logged."""
    first, second = (
        enrolled_store(
            folder / name,
            service,
            accounts.create_user(service.db, name, "animator", team_id=team_id),
        )
        for name in ("first", "second")
    )
    try:
        org = contacts.create_contact(first, {"kind": "ngo", "name": "Fundacja Podwórko"})
        SyncEngine(first).sync()
        SyncEngine(second).sync()
        contacts.update_contact(first, org.id, {"name": "Fundacja Nasze Podwórko"})
        contacts.update_contact(second, org.id, {"name": "Fundacja Podwórko Polesie"})
        SyncEngine(first).sync()
        SyncEngine(second).sync()
    finally:
        first.close()
        second.close()


def sync_now(
    new_phone: Callable[..., Phone], app: AppServer, expect: str = "Synchronizacja zakończona"
) -> None:
    """Tap "Synchronizuj teraz" on the phone's sync screen and wait for the receipt."""
    phone = new_phone(app, "/more/sync")
    phone.tap("Synchronizuj teraz")
    phone.see(expect)


def test_return_correct_and_approve(team: Team, new_phone: Callable[..., Phone], tmp_path: Path) -> None:
    sync_now(new_phone, team.supervisor, expect="Pobrane: ")

    # The supervisor returns the visit with a comment.
    boss = new_phone(team.supervisor, "/more/review")
    boss.see("Do przejrzenia")
    boss.tap("Wizyta: Rozmowa")
    boss.see("Rozmowa o ławkach")
    boss.fill("Co poprawić (komentarz)", "Dopisz następny krok")
    boss.tap("Zwróć do poprawy")
    boss.see("Zwrócono wpis do poprawy")
    sync_now(new_phone, team.supervisor)

    # The animator syncs, sees the comment and corrects the visit.
    sync_now(new_phone, team.animator)
    ola = new_phone(team.animator)  # the start screen says what came back
    ola.see("Zwrócone do poprawy: 1")
    ola.tap("Zwrócone do poprawy: 1")
    ola.see("Dopisz następny krok")
    ola.tap("Wizyta: Rozmowa")
    ola.see("Zwrócony: Dopisz następny krok")
    ola.fill("Następny krok", "Zaprosić na forum sąsiedzkie")
    ola.tap("Zapisz poprawkę")
    ola.see("Poprawiony")
    sync_now(new_phone, team.animator)

    # The supervisor sees the correction and approves it.
    sync_now(new_phone, team.supervisor)
    boss = new_phone(team.supervisor, "/more/review")
    boss.tap("Wizyta: Rozmowa")
    boss.see("Zaprosić na forum sąsiedzkie")
    boss.see("Poprawiony")
    boss.tap("Zatwierdź", exact=True)
    boss.see("Zatwierdzony")
    sync_now(new_phone, team.supervisor)

    # What the service holds: a fresh device of the team pulls the approved, corrected visit.
    check = Store(tmp_path / "check.db")
    try:
        teammate = accounts.create_user(team.service.db, "Nowy", "animator", team_id=team.team_id)
        SyncEngine(check).enroll(accounts.create_enrollment(team.service.db, teammate, team.service.url).uri)
        SyncEngine(check).sync()
        visit = check.get(Visit, team.visit_id)
        review = reviews.review_of(check, "visit", team.visit_id)
        assert visit is not None and visit.next_step == "Zaprosić na forum sąsiedzkie"
        assert review is not None and (review.state, review.comment) == ("approved", "")  # return: history
    finally:
        check.close()
    assert team.animator.errors_logged() == [] and team.supervisor.errors_logged() == []


def test_review_rows_say_where_who_and_when_and_are_approved_together(
    team: Team, new_phone: Callable[..., Phone]
) -> None:
    """After the test above: the knock at Zielona 7 still waits, Zielona 9 is approved."""
    boss = new_phone(team.supervisor, "/more/review")
    boss.see("Wizyta: Nikogo nie ma — Zielona 7")  # kind, outcome and address
    boss.see("osoba ")  # who logged it
    boss.not_see("Wizyta: Rozmowa — Zielona 9")  # approved: not waiting any more
    boss.choose("Pokaż", "Wszystkie")
    boss.tap("Wizyta: Rozmowa — Zielona 9")
    boss.see("Zatwierdzony")
    boss.not_see("Zatwierdź", timeout_ms=3_000)  # an approved entry offers no second approval
    boss.back()

    boss.choose("Rodzaj", "Wizyta")
    boss.choose("Pokaż", "Do przejrzenia (nowe i poprawione)")
    boss.tap("Zaznacz wszystkie")
    boss.tap("Zatwierdź zaznaczone (1)")
    boss.see("Zatwierdzono 1 wpis")
    boss.see("Nic tu nie czeka.")
    with team.supervisor.store() as store:
        waiting = reviews.review_queue(store, states=["new", "corrected"], kinds=["visit"])
    assert waiting == []


def test_conflict_log_on_the_supervisors_phone(team: Team, new_phone: Callable[..., Phone]) -> None:
    boss = new_phone(team.supervisor, "/more/conflicts")
    boss.see("contact · name")
    boss.see("Fundacja Podwórko Polesie")  # kept: written last
    boss.see("Fundacja Nasze Podwórko")  # lost, with when and from which device
    # The supervisor brings the lost name back: an edit that syncs like any other.
    boss.tap("Przywróć utraconą")
    boss.see("Zapisano rozstrzygnięcie")
    boss.see("Rozstrzygnięto")
    with team.supervisor.store() as store:  # written on the phone (the sync that follows sends it)
        names = [c.name for c in store.search_contacts("Podwórko") if c.kind == "ngo"]
    assert names == ["Fundacja Nasze Podwórko"]
    animator = new_phone(team.animator, "/more/conflicts")
    animator.see("Dziennik konfliktów widzi koordynator")


def test_coordinator_exports_then_erases_a_person(team: Team, new_phone: Callable[..., Phone]) -> None:
    sync_now(new_phone, team.supervisor, expect="Synchronizacja zakończona")
    boss = new_phone(team.supervisor, f"/contacts/{team.person_id}")
    boss.see("Anna Testowa")
    boss.tap("Eksportuj wszystkie dane tej osoby")
    boss.see("Zapisano eksport danych osoby")
    [export] = (team.supervisor.db_path.parent / "exports").glob(f"rodo-{team.person_id}-*.json")
    assert "Anna Testowa" in export.read_text(encoding="utf-8")

    boss.tap("Usuń dane osobowe (art. 17 RODO)")
    boss.see("Tego nie da się cofnąć")
    boss.tap("Usuń dane osobowe (art. 17 RODO)")  # the dialog hides the screen below: its button
    boss.see("Dane osobowe usunięte na wniosek osoby")
    with team.supervisor.store() as store:
        erased = store.get(Contact, team.person_id)
    assert erased is not None and (erased.name, erased.phone) == ("", "") and erased.erased_at is not None

    # The export, the erasure and the opening of the card reach the program's audit log.
    sync_now(new_phone, team.supervisor)
    log = new_phone(team.supervisor, "/more/audit")
    for text in ("Wyświetlono", "Wyeksportowano dane", "Usunięto dane osobowe", "zapis serwera"):
        log.see(text)
    new_phone(team.animator, "/more/audit").see("Dziennik audytu widzi koordynator")
