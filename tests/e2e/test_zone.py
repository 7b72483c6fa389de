"""Strefa: a short diagnosis (needs ranked by people), then an action from the top need, advanced
through its lifecycle with participants and a report."""

from __future__ import annotations

from sqlmodel import select

from fieldapp.model import Diagnosis, Need, NeighbourhoodAction, Zone
from fieldapp.store import Store
from tests.e2e.harness import AppServer, Phone


def prefill_store(store: Store) -> None:
    with store.write() as conn:
        store.save(conn, Zone(name="Stare Polesie", kind="sas"))


def test_diagnosis_then_action_from_the_top_need(app: AppServer, phone: Phone) -> None:
    phone.tap_tab("Strefa")
    phone.see("Stare Polesie")
    phone.tap("Nowa diagnoza")
    phone.fill("Tytuł diagnozy", "Diagnoza wiosna")
    phone.tap("Spacer badawczy", role="checkbox")
    phone.fill("Ile osób objęto", "40")
    phone.tap("Zapisz", exact=True)
    phone.see("Nie dodano jeszcze potrzeb")

    phone.fill("Potrzeba", "Ławki przy trzepaku")
    phone.fill("Ile osób", "4")
    phone.tap("Dodaj potrzebę", exact=True)
    phone.see("Dodano potrzebę: Ławki przy trzepaku")
    phone.fill("Potrzeba", "Miejsce spotkań dla seniorów")
    phone.fill("Ile osób", "12")
    phone.tap("Dodaj potrzebę", exact=True)
    phone.see("Dodano potrzebę: Miejsce spotkań dla seniorów")

    shown = phone.text()
    assert shown.index("Miejsce spotkań dla seniorów") < shown.index("Ławki przy trzepaku")  # ranked
    with app.store() as store, store.read() as session:
        [diagnosis] = session.exec(select(Diagnosis)).all()
        needs = session.exec(select(Need).where(Need.diagnosis_id == diagnosis.id)).all()
    assert diagnosis.title == "Diagnoza wiosna" and diagnosis.people_reached == 40
    assert diagnosis.methods == ["research_walk"]
    assert sorted((n.category, n.people_count) for n in needs) == [
        ("Miejsce spotkań dla seniorów", 12), ("Ławki przy trzepaku", 4)]

    # An action from the top need: its title is filled in from the need.
    phone.tap("Działanie", exact=True)
    phone.see("Z potrzeby: Miejsce spotkań dla seniorów")
    phone.expect_value("Nazwa działania", "Miejsce spotkań dla seniorów")
    phone.fill("Nazwa działania", "Kawiarenka sąsiedzka")
    phone.fill("Mikrogrant — wnioskowana kwota", "2 500")
    phone.tap("Zapisz", exact=True)
    phone.see("Pomysł")

    with app.store() as store, store.read() as session:
        [action] = session.exec(select(NeighbourhoodAction)).all()
    top = next(n for n in needs if n.people_count == 12)
    assert (action.title, action.status, action.need_ids) == ("Kawiarenka sąsiedzka", "idea", [top.id])
    assert action.grant_requested_gr == 250_000

    # Through the lifecycle: idea → planned → done, with participants and a short report.
    phone.tap("Zaplanowane", exact=True)
    phone.see("Nowy status: Zaplanowane")
    phone.tap("Zrealizowane", exact=True)
    phone.see("Nowy status: Zrealizowane")
    phone.fill("Liczba uczestników", "35")
    phone.fill("Krótkie sprawozdanie", "Przyszło 35 osób, seniorzy chcą spotkań co tydzień.")
    phone.tap("Zapisz", exact=True)
    phone.see("Zapisano")

    with app.store() as store:
        saved = store.get(NeighbourhoodAction, action.id)
    assert saved is not None
    assert (saved.status, saved.participants) == ("done", 35)
    assert saved.report.startswith("Przyszło 35 osób")

    # Back on Strefa (past the diagnosis) the action is listed under its status.
    phone.back()
    phone.back()
    phone.see("Kawiarenka sąsiedzka")
    phone.see("Zrealizowane")
