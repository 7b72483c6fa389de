"""Sample data: a realistic, clearly fictitious Łódź-like neighbourhood data set of any size.

    teren-sample [DB] [--data-dir DIR] [--contacts N] [--visits M] [--seed S]

Zones are Neighbourhood Activity Zones (SAS) around library branches, circles around real Łódź
neighbourhoods; contacts of every kind live at buildings inside them; natural persons carry a
consent (a share refused: then only the building is kept); visits follow a plain outcome mix
with follow-ups; each zone has a diagnosis with needs and resources and a few actions with
micro-grants in grosze. People are invented (e-mails at example.pl, phones 500 000 xxx).

Records are written through ``Store.save`` in one transaction per chunk, so each one gets its
HLCs, its outbox entry and (contacts) its search row exactly as if a user had made it: sample
data syncs like any other. ``fill`` is the function; ``main`` the command.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic_core import PydanticUndefined
from sqlalchemy.orm import configure_mappers
from sqlmodel import select

from fieldapp.model import (
    Consent,
    Contact,
    Diagnosis,
    Need,
    NeighbourhoodAction,
    Resource,
    SyncedRecord,
    Visit,
    Zone,
)
from fieldapp.store import Store
from fieldapp.store.paths import DB_FILENAME, default_db_path
from fieldapp.store.text import tokens

R = TypeVar("R", bound=SyncedRecord)

# -- names (also used by the UI tests' fast path: keep these lists stable) ------------------------

FIRST = [
    "Anna",
    "Bożena",
    "Grażyna",
    "Łucja",
    "Małgorzata",
    "Zofia",
    "Jan",
    "Łukasz",
    "Paweł",
    "Zbigniew",
    "Wojciech",
    "Krzysztof",
    "Agnieszka",
    "Ewa",
    "Żaneta",
    "Jerzy",
    "Mirosław",
    "Halina",
    "Danuta",
    "Ścibor",
]
LAST = [
    "Kowalska",
    "Nowak",
    "Wiśniewski",
    "Wójcik",
    "Kamińska",
    "Lewandowski",
    "Zieliński",
    "Szymańska",
    "Woźniak",
    "Dąbrowski",
    "Kozłowska",
    "Jankowski",
    "Mazur",
    "Krawczyk",
    "Piątek",
    "Grabowska",
    "Pawłowski",
    "Michalska",
    "Król",
    "Żółkiewska",
]
STREETS = [
    "Piotrkowska",
    "Zielona",
    "Więckowskiego",
    "Żeromskiego",
    "Gdańska",
    "Łąkowa",
    "Próchnika",
    "Kościuszki",
    "Struga",
    "Wólczańska",
    "Legionów",
    "Ogrodowa",
    "Północna",
    "Źródłowa",
]
KINDS = ["resident"] * 8 + ["leader", "ngo", "informal_group", "culture", "business"]

FEMALE_FIRST = [
    "Anna",
    "Bożena",
    "Grażyna",
    "Łucja",
    "Małgorzata",
    "Zofia",
    "Agnieszka",
    "Ewa",
    "Żaneta",
    "Halina",
    "Danuta",
    "Jadwiga",
    "Krystyna",
    "Urszula",
    "Wiesława",
    "Bogumiła",
    "Marianna",
    "Róża",
    "Teodora",
    "Genowefa",
    "Kinga",
    "Oliwia",
    "Zuzanna",
    "Józefa",
]
MALE_FIRST = [
    "Jan",
    "Łukasz",
    "Paweł",
    "Zbigniew",
    "Wojciech",
    "Krzysztof",
    "Jerzy",
    "Mirosław",
    "Ścibor",
    "Bogdan",
    "Hieronim",
    "Mściwój",
    "Grzegorz",
    "Tadeusz",
    "Czesław",
    "Zdzisław",
    "Józef",
    "Bartłomiej",
    "Kazimierz",
    "Szczepan",
    "Witold",
    "Maciej",
]
#: Surnames as (male, female) forms: a few common ones, most invented but Polish-looking.
SURNAMES = [
    ("Kowalski", "Kowalska"),
    ("Nowak", "Nowak"),
    ("Wiśniewski", "Wiśniewska"),
    ("Piątek", "Piątek"),
    ("Żółkiewski", "Żółkiewska"),
    ("Źdźbło", "Źdźbło"),
    ("Pęcherzyk", "Pęcherzyk"),
    ("Szczypiorek", "Szczypiorek"),
    ("Chrabąszcz", "Chrabąszcz"),
    ("Świerszczyk", "Świerszczyk"),
    ("Kminkowski", "Kminkowska"),
    ("Ogórkiewicz", "Ogórkiewicz"),
    ("Bąbelski", "Bąbelska"),
    ("Łopianowski", "Łopianowska"),
    ("Gałązka", "Gałązka"),
    ("Ćwikła", "Ćwikła"),
    ("Żurawski", "Żurawska"),
    ("Pączkowski", "Pączkowska"),
    ("Wróbelek", "Wróbelek"),
    ("Skowronek", "Skowronek"),
    ("Rzepiński", "Rzepińska"),
    ("Jarzębiński", "Jarzębińska"),
    ("Ślązak", "Ślązak"),
    ("Dziędziel", "Dziędziel"),
    ("Maślankiewicz", "Maślankiewicz"),
    ("Kłębuszek", "Kłębuszek"),
    ("Pietruszewski", "Pietruszewska"),
    ("Grzybowiak", "Grzybowiak"),
    ("Miodek", "Miodek"),
    ("Żabiński", "Żabińska"),
]


@dataclass(frozen=True)
class ZoneSpec:
    """A SAS around a library branch: a circle around a real Łódź neighbourhood."""

    name: str
    branch: str
    lat: float
    lon: float
    radius_m: float
    streets: tuple[str, ...]


ZONES: tuple[ZoneSpec, ...] = (
    ZoneSpec(
        "SAS Stare Polesie",
        "Filia nr 12 Biblioteki Miejskiej",
        51.7700,
        19.4330,
        600,
        (
            "Więckowskiego",
            "Zielona",
            "Gdańska",
            "Struga",
            "Legionów",
            "Ogrodowa",
            "1 Maja",
            "Lipowa",
            "Żeligowskiego",
            "Cmentarna",
        ),
    ),
    ZoneSpec(
        "SAS Śródmieście",
        "Filia nr 3 Biblioteki Miejskiej",
        51.7658,
        19.4572,
        550,
        (
            "Piotrkowska",
            "Próchnika",
            "Traugutta",
            "Moniuszki",
            "Tuwima",
            "6 Sierpnia",
            "Nawrot",
            "Jaracza",
            "Sienkiewicza",
            "Wschodnia",
        ),
    ),
    ZoneSpec(
        "SAS Stare Bałuty",
        "Filia nr 27 Biblioteki Miejskiej",
        51.7930,
        19.4560,
        650,
        (
            "Łagiewnicka",
            "Zgierska",
            "Limanowskiego",
            "Wojska Polskiego",
            "Bazarowa",
            "Północna",
            "Franciszkańska",
            "Drewnowska",
            "Źródłowa",
        ),
    ),
    ZoneSpec(
        "SAS Księży Młyn",
        "Filia nr 8 Biblioteki Miejskiej",
        51.7580,
        19.4800,
        500,
        ("Przędzalniana", "Tymienieckiego", "Fabryczna", "Kilińskiego", "Milionowa", "Targowa", "Piękna"),
    ),
    ZoneSpec(
        "SAS Widzew",
        "Filia nr 41 Biblioteki Miejskiej",
        51.7620,
        19.5150,
        650,
        ("Piłsudskiego", "Niciarniana", "Elsnera", "Przybyszewskiego", "Konstytucyjna", "Rokicińska"),
    ),
    ZoneSpec(
        "SAS Górna",
        "Filia nr 19 Biblioteki Miejskiej",
        51.7380,
        19.4650,
        600,
        ("Rzgowska", "Sieradzka", "Broniewskiego", "Paderewskiego", "Czajkowskiego", "Kurczaki"),
    ),
    ZoneSpec(
        "SAS Koziny",
        "Filia nr 22 Biblioteki Miejskiej",
        51.7820,
        19.4150,
        550,
        ("Srebrzyńska", "Lutomierska", "Kasprzaka", "Bielicowa", "Pojezierska", "Długa"),
    ),
    ZoneSpec(
        "SAS Retkinia",
        "Filia nr 35 Biblioteki Miejskiej",
        51.7500,
        19.3950,
        700,
        ("Wyszyńskiego", "Kusocińskiego", "Babickiego", "Popiełuszki", "Armii Krajowej", "Maratońska"),
    ),
)

#: Contact kinds and their weights (most doors are residents').
KIND_WEIGHTS: dict[str, int] = {
    "resident": 70,
    "leader": 6,
    "informal_group": 4,
    "ngo": 5,
    "culture": 2,
    "education": 3,
    "day_support": 2,
    "social_economy": 2,
    "business": 5,
    "local_government": 1,
}
PERSON_KINDS = ("resident", "leader")
#: Visit outcomes and their weights.
OUTCOME_WEIGHTS: dict[str, int] = {
    "not_home": 44,
    "talked": 31,
    "come_back": 10,
    "refused": 8,
    "moved_out": 3,
    "wrong_address": 2,
    "do_not_knock": 2,
}

ORG_NAMES: dict[str, tuple[str, ...]] = {
    "informal_group": (
        "Grupa sąsiedzka z {street}",
        "Klub Seniora „{word}”",
        "Koło Gospodyń Miejskich „{word}”",
        "Rodzice z podwórka przy {street}",
        "Ogrodnicy z {street}",
    ),
    "ngo": (
        "Fundacja „{word}”",
        "Stowarzyszenie Przyjaciół {street}",
        "Stowarzyszenie „{word}”",
        "Fundacja Łódzkie Podwórka {word}",
    ),
    "culture": ("Dom Kultury „{word}”", "Klub Osiedlowy „{word}”", "Pracownia „{word}”"),
    "education": ("Szkoła Podstawowa nr {n}", "Przedszkole Miejskie nr {n}", "Zespół Szkół nr {n}"),
    "day_support": ("Świetlica środowiskowa „{word}”", "Placówka wsparcia dziennego nr {n}"),
    "social_economy": ("Spółdzielnia Socjalna „{word}”", "Centrum Integracji Społecznej „{word}”"),
    "business": (
        "Piekarnia „{word}”",
        "Zakład fryzjerski u {first}",
        "Sklep spożywczy „{word}”",
        "Warsztat rowerowy {word}",
        "Kwiaciarnia „{word}”",
    ),
    "local_government": ("Rada Osiedla {zone}", "MOPS — filia {zone}"),
}
WORDS = (
    "Nadzieja",
    "Zielone Podwórko",
    "Sąsiedzi",
    "Kamienica",
    "Pod Kasztanem",
    "Tęcza",
    "Przystań",
    "Mrówka",
    "Lipa",
    "Wspólny Stół",
    "Kropka",
    "Szpulka",
    "Przędza",
    "Czółenko",
    "Bławatek",
    "Jutrzenka",
)
INTERESTS = (
    "szachy",
    "rower",
    "ogródki",
    "gotowanie",
    "historia kamienicy",
    "szydełkowanie",
    "piłka nożna",
    "fotografia",
    "śpiew",
    "majsterkowanie",
    "czytanie",
    "taniec",
)
NEEDS = (
    "ławki na podwórku",
    "świetlica dla młodzieży",
    "zajęcia dla seniorów",
    "oświetlenie bramy",
    "pomoc przy zakupach",
    "plac zabaw",
    "zieleń na podwórku",
    "miejsce spotkań",
    "kurs komputerowy",
    "pomoc w lekcjach",
)
OFFERS = (
    "upiecze ciasto na festyn",
    "pomoże przy sprzątaniu",
    "poprowadzi warsztaty szycia",
    "użyczy stołów",
    "zna historię dzielnicy",
    "naprawi rowery dzieciom",
    "zagra na akordeonie",
    "posadzi kwiaty",
    "użyczy sali",
)
TAGS = (
    "senior",
    "rodzina z dziećmi",
    "młodzież",
    "aktywny",
    "wolontariusz",
    "kamienica komunalna",
    "rada kamienicy",
    "nowy mieszkaniec",
)
DOOR_NOTES = (
    "Domofon nie działa",
    "Brama zamknięta, wejście od podwórza",
    "Kartka z numerami mieszkań przy drzwiach",
    "Klatka w remoncie",
    "",
)
TALK_NOTES = (
    "Chętna do pomocy przy festynie",
    "Pyta o zajęcia dla wnuków",
    "Narzeka na brak ławek",
    "Zainteresowany radą kamienicy",
    "Zaprosić na spotkanie w bibliotece",
    "Ma pomysł na ogródek",
)
NEXT_STEPS = (
    "Przynieść ulotkę",
    "Zaprosić na spotkanie",
    "Zadzwonić po 17",
    "Wrócić w sobotę",
    "Przekazać kontakt do MOPS",
    "Zostawić plakat na klatce",
)
NEED_CATEGORIES = (
    "Miejsce spotkań dla seniorów",
    "Zieleń na podwórkach",
    "Zajęcia dla dzieci po szkole",
    "Bezpieczeństwo w bramach",
    "Integracja sąsiedzka",
    "Wsparcie samotnych osób",
    "Oferta dla młodzieży",
    "Porządek na podwórkach",
)
ACTIONS: tuple[tuple[str, str], ...] = (
    ("Festyn sąsiedzki", "festival"),
    ("Kiermasz wymiany", "fair"),
    ("Warsztaty szycia", "workshop"),
    ("Sprzątanie podwórka", "cleanup"),
    ("Kawiarenka sąsiedzka", "meeting"),
    ("Kino na podwórku", "other"),
    ("Sadzenie kwiatów w bramach", "cleanup"),
    ("Warsztaty rowerowe", "workshop"),
)
#: An action in a status has passed through these states before it.
STATUS_PATH: dict[str, tuple[str, ...]] = {
    "idea": ("idea",),
    "planned": ("idea", "planned"),
    "funded": ("idea", "planned", "funded"),
    "done": ("idea", "planned", "funded", "done"),
    "reported": ("idea", "planned", "funded", "done", "reported"),
    "dropped": ("idea", "planned", "dropped"),
}


@dataclass
class _Door:
    zone: int
    street: str
    number: str
    lat: float
    lon: float


@dataclass
class _Person:
    """What later steps need of a written contact (kept small: there may be 100,000 of them)."""

    id: str
    zone: int
    door: _Door
    flat: str
    kind: str
    may_store: bool
    met_at: datetime
    #: Organisations' names (resources refer to them); empty for people.
    name: str = ""


@dataclass
class Summary:
    #: Zones made (zones of an earlier fill are reused).
    zones: int = 0
    contacts: int = 0
    consents: int = 0
    consents_refused: int = 0
    visits: int = 0
    follow_ups: int = 0
    diagnoses: int = 0
    needs: int = 0
    resources: int = 0
    actions: int = 0
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)


def _weighted(rng: random.Random, weights: dict[str, int]) -> Callable[[], str]:
    names, cum = list(weights), []
    total = 0
    for weight in weights.values():
        total += weight
        cum.append(total)
    return lambda: rng.choices(names, cum_weights=cum)[0]


def _point_in_circle(rng: random.Random, spec: ZoneSpec) -> tuple[float, float]:
    """A uniform point inside 90 % of the zone's radius (so it is clearly in the zone)."""
    r = spec.radius_m * 0.9 * math.sqrt(rng.random())
    angle = rng.random() * 2 * math.pi
    dlat = r * math.cos(angle) / 111_320
    dlon = r * math.sin(angle) / (111_320 * math.cos(math.radians(spec.lat)))
    return round(spec.lat + dlat, 6), round(spec.lon + dlon, 6)


def _chunks(total: int, size: int) -> Iterator[int]:
    done = 0
    while done < total:
        yield min(size, total - done)
        done += size


@cache
def _defaults(model: type[SyncedRecord]) -> tuple[dict[str, Any], dict[str, Callable[[], Any]]]:
    configure_mappers()  # instances made without __init__ need configured attribute handlers
    plain, factories = {}, {}
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            factories[name] = info.default_factory
        elif info.default is not PydanticUndefined:
            plain[name] = info.default
    return plain, factories


def _record(model: type[R], **values: Any) -> R:
    """``model(**values)`` for trusted values, ~10× faster (no per-field validation events).

    SQLModel table classes spend ~0.4 ms per instance on instrumentation; sample records are made
    by the hundred thousand. The result is a normal ORM instance, equal field by field to
    ``model(**values)`` (``tests/store/test_sample.py`` checks it), that ``Store.save`` writes.
    """
    plain, factories = _defaults(model)
    record = model._sa_class_manager.new_instance()  # type: ignore[attr-defined]
    data = record.__dict__
    data.update(plain)
    for name, factory in factories.items():
        if name not in values:
            data[name] = factory()  # type: ignore[call-arg]
    data.update(values)
    object.__setattr__(record, "__pydantic_fields_set__", set(values))
    object.__setattr__(record, "__pydantic_extra__", None)
    object.__setattr__(record, "__pydantic_private__", None)
    return record


class _Generator:
    def __init__(self, store: Store, seed: int, now: datetime) -> None:
        self.store = store
        self.rng = random.Random(seed)
        self.now = now
        self.kind = _weighted(self.rng, KIND_WEIGHTS)
        self.outcome = _weighted(self.rng, OUTCOME_WEIGHTS)
        self.summary = Summary()
        self.animators: list[list[str]] = []

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def moment(self, days_back: float, after: datetime | None = None) -> datetime:
        """A moment in working hours, not on a Sunday, in the last ``days_back`` days (after ``after``)."""
        rng = self.rng
        start = max(after or self.now - timedelta(days=days_back), self.now - timedelta(days=days_back))
        span = max((self.now - start).total_seconds(), 3600.0)
        moment = start + timedelta(seconds=rng.random() * span)
        if moment.weekday() == 6:
            moment -= timedelta(days=1)
        moment = moment.replace(hour=rng.randint(8, 18), minute=rng.randint(0, 59), second=rng.randint(0, 59))
        return min(max(moment, start), self.now)

    # -- zones ----------------------------------------------------------------------------------

    def zones(self, count: int) -> list[Zone]:
        """The first ``count`` sample zones; a live zone of the same name (an earlier fill) is reused."""
        with self.store.read() as session:
            existing = {
                zone.name: zone
                for zone in session.exec(select(Zone).where(Zone.deleted == False))  # noqa: E712
            }
        zones = []
        self.animators = [[self.uid(), self.uid()] for _ in range(count)]
        with self.store.write() as conn:
            for i, spec in enumerate(ZONES[:count]):
                if spec.name in existing:
                    zone = existing[spec.name]
                    self.animators[i] = list(zone.workers) or self.animators[i]
                    zones.append(zone)
                    continue
                zone = _record(
                    Zone,
                    name=spec.name,
                    kind="sas",
                    library_branch=spec.branch,
                    center_lat=spec.lat,
                    center_lon=spec.lon,
                    radius_m=float(spec.radius_m),
                    workers=self.animators[i],
                    notes=f"Strefa Aktywności Sąsiedzkiej wokół: {spec.branch}. Dane przykładowe.",
                    created_at=self.now - timedelta(days=240),
                )
                zones.append(self.store.save(conn, zone))
                self.summary.zones += 1
        return zones

    def doors(self, zone_count: int, contacts: int) -> list[list[_Door]]:
        """Buildings of each zone: about six contacts a building, at most 60 buildings a street."""
        doors = []
        for z in range(zone_count):
            spec, seen, mine = ZONES[z], set(), []
            per_zone = min(max(4, contacts // (zone_count * 6)), len(spec.streets) * 60)
            while len(mine) < per_zone:
                street = self.rng.choice(spec.streets)
                number = str(self.rng.randint(1, 160)) + self.rng.choice(("",) * 12 + ("a", "b"))
                if (street, number) in seen:
                    continue
                seen.add((street, number))
                mine.append(_Door(z, street, number, *_point_in_circle(self.rng, spec)))
            doors.append(mine)
        return doors

    # -- contacts -------------------------------------------------------------------------------

    def person_name(self) -> str:
        male, female = self.rng.choice(SURNAMES)
        if self.rng.random() < 0.55:
            return f"{self.rng.choice(FEMALE_FIRST)} {female}"
        return f"{self.rng.choice(MALE_FIRST)} {male}"

    def org_name(self, kind: str, door: _Door) -> str:
        pattern = self.rng.choice(ORG_NAMES[kind])
        return pattern.format(
            street=door.street,
            word=self.rng.choice(WORDS),
            n=self.rng.randint(1, 210),
            first=self.rng.choice(FEMALE_FIRST + MALE_FIRST),
            zone=ZONES[door.zone].name.removeprefix("SAS "),
        )

    def phone(self) -> str:
        return f"500 000 {self.rng.randint(0, 999):03d}"

    def email(self, name: str) -> str:
        return ".".join(tokens(name)[:2]) + f"{self.rng.randint(1, 99)}@example.pl"

    def some(self, pool: tuple[str, ...], chance: float, most: int = 2) -> str:
        if self.rng.random() >= chance:
            return ""
        return ", ".join(self.rng.sample(pool, self.rng.randint(1, most)))

    def contact(
        self, zone_ids: list[str], doors: list[list[_Door]]
    ) -> tuple[Contact, Consent | None, _Person]:
        rng = self.rng
        kind = self.kind()
        z = rng.randrange(len(zone_ids))
        door = rng.choice(doors[z])
        met_at = self.moment(200)
        address = f"{door.street} {door.number}"
        base: dict[str, Any] = {
            "kind": kind,
            "street": door.street,
            "house_number": door.number,
            "city": "Łódź",
            "lat": door.lat,
            "lon": door.lon,
            "position_status": "ok",
            "zone_id": zone_ids[z],
            "created_at": met_at,
        }
        consent = None
        flat = ""
        if kind in PERSON_KINDS:
            given = rng.random() < (0.95 if kind == "leader" else 0.75)
            flat = str(rng.randint(1, 60)) if kind == "resident" or rng.random() < 0.5 else ""
            consent = _record(
                Consent,
                contact_id="",
                status="given" if given else "refused",
                method=rng.choices(("oral", "written", "form"), (7, 2, 1))[0],
                scope_contact=given and rng.random() < 0.9,
                scope_store=given,
                scope_photos=given and rng.random() < 0.3,
                given_at=met_at,
                recorded_by=rng.choice(("Ola Animatorka", "Kuba Animator", "Pani Bibliotekarka")),
                created_at=met_at,
            )
            if given:
                name = self.person_name()
                contact = _record(
                    Contact,
                    **base,
                    name=name,
                    flat=flat,
                    address=f"{address}/{flat}" if flat else address,
                    phone=self.phone() if rng.random() < 0.6 else "",
                    email=self.email(name) if rng.random() < 0.2 else "",
                    interests=self.some(INTERESTS, 0.5),
                    needs=self.some(NEEDS, 0.4),
                    offers=self.some(OFFERS, 0.3 if kind == "resident" else 0.8),
                    tags=self.some(TAGS, 0.5) + (", lider" if kind == "leader" else ""),
                    notes=rng.choice(TALK_NOTES) if rng.random() < 0.3 else "",
                )
            else:
                self.summary.consents_refused += 1
                flat = ""
                contact = _record(Contact, **base, address=address)
            consent.contact_id = contact.id
        else:
            name = self.org_name(kind, door)
            contact = _record(
                Contact,
                **base,
                name=name,
                address=address,
                phone=self.phone() if rng.random() < 0.8 else "",
                email=self.email(name) if rng.random() < 0.6 else "",
                needs=self.some(NEEDS, 0.5),
                offers=self.some(OFFERS, 0.7),
                tags=self.some(TAGS, 0.3),
            )
        self.summary.by_kind[kind] = self.summary.by_kind.get(kind, 0) + 1
        may_store = consent is None or consent.status == "given"
        person = _Person(contact.id, z, door, flat, kind, may_store, met_at, "" if consent else contact.name)
        return contact, consent, person

    def contacts(
        self,
        count: int,
        zone_ids: list[str],
        doors: list[list[_Door]],
        chunk: int,
        progress: Callable[[str, int], None] | None,
    ) -> list[_Person]:
        people: list[_Person] = []
        for size in _chunks(count, chunk):
            with self.store.write() as conn:
                for _ in range(size):
                    contact, consent, person = self.contact(zone_ids, doors)
                    self.store.save(conn, contact)
                    if consent is not None:
                        self.store.save(conn, consent)
                        self.summary.consents += 1
                    people.append(person)
            self.summary.contacts = len(people)
            if progress:
                progress("contacts", len(people))
        return people

    # -- visits ---------------------------------------------------------------------------------

    def visits(
        self,
        count: int,
        zone_ids: list[str],
        doors: list[list[_Door]],
        people: list[_Person],
        chunk: int,
        progress: Callable[[str, int], None] | None,
    ) -> None:
        done = 0
        blocked: set[str] = set()
        for size in _chunks(count, chunk):
            with self.store.write() as conn:
                for _ in range(size):
                    visit, marks = self.visit(zone_ids, doors, people, blocked)
                    self.store.save(conn, visit)
                    if marks is not None:
                        contact = self.store.get(Contact, marks)  # written in an earlier chunk
                        if contact is not None and not contact.do_not_knock:
                            contact.do_not_knock = True
                            self.store.save(conn, contact, ["do_not_knock"])
            done += size
            self.summary.visits = done
            if progress:
                progress("visits", done)

    def visit(
        self, zone_ids: list[str], doors: list[list[_Door]], people: list[_Person], blocked: set[str]
    ) -> tuple[Visit, str | None]:
        rng = self.rng
        outcome = self.outcome()
        person = None
        if people and rng.random() < 0.7:
            # Some people are visited far more often than others (people are in random order).
            person = people[int(len(people) * rng.random() ** 1.5)]
            if person.id in blocked or (outcome == "not_home" and rng.random() < 0.5):
                person = None
        if person is not None:
            z, door, flat = person.zone, person.door, person.flat
            visited_at = self.moment(200, after=person.met_at)
            if outcome in ("moved_out", "wrong_address"):
                outcome = "talked"
        else:
            z = rng.randrange(len(zone_ids))
            door = rng.choice(doors[z])
            flat = str(rng.randint(1, 60)) if rng.random() < 0.7 else ""
            visited_at = self.moment(200)
        notes = next_step = ""
        follow_up = None
        may_write = person is not None and person.may_store
        if outcome == "talked" and may_write and rng.random() < 0.6:
            notes = rng.choice(TALK_NOTES)
        elif person is None and rng.random() < 0.1:
            notes = rng.choice(DOOR_NOTES)
        if outcome == "come_back" or (outcome == "talked" and rng.random() < 0.25):
            follow_up = (visited_at + timedelta(days=rng.randint(2, 21))).date()
            next_step = rng.choice(NEXT_STEPS) if may_write or person is None else ""
            self.summary.follow_ups += 1
        accuracy = round(rng.uniform(4, 35), 1)
        visit = _record(
            Visit,
            contact_id=person.id if person else None,
            zone_id=zone_ids[z],
            address=f"{door.street} {door.number}" + (f"/{flat}" if flat else ""),
            street=door.street,
            house_number=door.number,
            flat=flat,
            visited_at=visited_at,
            lat=round(door.lat + rng.gauss(0, 0.00008), 6),
            lon=round(door.lon + rng.gauss(0, 0.00012), 6),
            accuracy_m=accuracy,
            outcome=outcome,
            notes=notes,
            next_step=next_step,
            follow_up_on=follow_up,
            animator_id=rng.choice(self.animators[z]),
            created_at=visited_at,
        )
        self.summary.by_outcome[outcome] = self.summary.by_outcome.get(outcome, 0) + 1
        marks = None
        if outcome == "do_not_knock" and person is not None:
            blocked.add(person.id)
            marks = person.id
        return visit, marks

    # -- diagnoses and actions ------------------------------------------------------------------

    def diagnoses_and_actions(self, zones: list[Zone], people: list[_Person]) -> None:
        rng = self.rng
        today = self.now.date()
        by_zone: dict[int, list[_Person]] = {}
        for person in people:
            by_zone.setdefault(person.zone, []).append(person)
        with self.store.write() as conn:
            save = self.store.save
            for z, zone in enumerate(zones):
                start = today - timedelta(days=rng.randint(120, 170))
                diagnosis = save(
                    conn,
                    _record(
                        Diagnosis,
                        zone_id=zone.id,
                        title=f"Diagnoza potrzeb i zasobów — {zone.name}",
                        period_start=start,
                        period_end=start + timedelta(days=rng.randint(45, 75)),
                        methods=rng.sample(
                            ["street_survey", "interviews", "research_walk", "focus_group", "data_analysis"],
                            rng.randint(2, 4),
                        ),
                        people_reached=rng.randint(40, 220),
                        summary="Mieszkańcy chcą miejsca spotkań i zieleni; aktywni seniorzy i rodzice.",
                    ),
                )
                self.summary.diagnoses += 1
                needs = []
                for category in rng.sample(NEED_CATEGORIES, rng.randint(3, 6)):
                    needs.append(
                        save(
                            conn,
                            _record(
                                Need,
                                diagnosis_id=diagnosis.id,
                                category=category,
                                people_count=rng.randint(3, 45),
                                priority=rng.choices(("high", "medium", "low"), (3, 5, 2))[0],
                                description=rng.choice(NEEDS).capitalize(),
                            ),
                        )
                    )
                self.summary.needs += len(needs)
                locals_ = by_zone.get(z, [])
                orgs = [p for p in locals_ if p.kind not in PERSON_KINDS][:4]
                leaders = [p for p in locals_ if p.kind == "leader" and p.may_store][:3]
                resources = [
                    _record(
                        Resource,
                        diagnosis_id=diagnosis.id,
                        kind="organisation",
                        category="institutional",
                        name=ZONES[z].branch,
                        description="Sala na 30 osób, projektor",
                        lat=ZONES[z].lat,
                        lon=ZONES[z].lon,
                    ),
                    _record(
                        Resource,
                        diagnosis_id=diagnosis.id,
                        kind="place",
                        category="material",
                        name=f"Podwórko przy {rng.choice(ZONES[z].streets)}",
                        description="Duże, zaniedbane, z trzepakiem",
                    ),
                    _record(
                        Resource,
                        diagnosis_id=diagnosis.id,
                        kind="equipment",
                        category="material",
                        name="Namiot i stoły z biblioteki",
                    ),
                ]
                for org in orgs:
                    resources.append(
                        _record(
                            Resource,
                            diagnosis_id=diagnosis.id,
                            kind="organisation",
                            category="institutional",
                            name=org.name,
                            contact_id=org.id,
                            lat=org.door.lat,
                            lon=org.door.lon,
                        )
                    )
                for leader in leaders:
                    resources.append(
                        _record(
                            Resource,
                            diagnosis_id=diagnosis.id,
                            kind="person",
                            category="human",
                            name="Liderka/lider z sąsiedztwa",
                            description=rng.choice(OFFERS),
                            contact_id=leader.id,
                        )
                    )
                for resource in resources:
                    save(conn, resource)
                self.summary.resources += len(resources)
                statuses = ["reported", "funded", "idea", rng.choice(("planned", "done", "dropped"))]
                for (title, kind), status in zip(rng.sample(ACTIONS, len(statuses)), statuses, strict=True):
                    self.action(conn, zone, ZONES[z], title, kind, status, needs, orgs, leaders)
        return None

    def action(
        self,
        conn: Any,
        zone: Zone,
        spec: ZoneSpec,
        title: str,
        kind: str,
        status: str,
        needs: list[Need],
        orgs: list[_Person],
        leaders: list[_Person],
    ) -> None:
        rng = self.rng
        path = STATUS_PATH[status]
        requested = None
        if status != "idea" or rng.random() < 0.5:
            # Mostly within the programmes' 1,500–5,000 PLN, in whole 50 PLN; now and then outside.
            pln = rng.randrange(1_500, 5_001, 50) if rng.random() < 0.9 else rng.choice((800, 1_200, 6_000))
            requested = pln * 100
        granted = None
        if "funded" in path and requested is not None:
            granted = min(requested, rng.randrange(1_500, 5_001, 50) * 100)
        starts_on = None
        if status != "idea":
            starts_on = (self.now + timedelta(days=rng.randint(-60, 60))).date()
            if status in ("done", "reported"):
                starts_on = (self.now - timedelta(days=rng.randint(10, 60))).date()
        action = _record(
            NeighbourhoodAction,
            zone_id=zone.id,
            title=title,
            kind=kind,
            description=f"{title} dla mieszkańców: {zone.name}.",
            need_ids=[rng.choice(needs).id] if needs else [],
            organiser_ids=[p.id for p in leaders[:1]],
            partner_ids=[p.id for p in orgs[:2]],
            starts_on=starts_on,
            place=f"Podwórko przy {rng.choice(spec.streets)}",
            status="idea",
            status_changed_at=self.now - timedelta(days=90),
            grant_requested_gr=requested,
            participants=0,
        )
        self.store.save(conn, action)
        # Walk the lifecycle as a user would: each move is its own change (and outbox entry).
        for step in path[1:]:
            action.status = step
            action.status_changed_at = self.now - timedelta(days=rng.randint(1, 80))
            changed = ["status", "status_changed_at"]
            if step == "funded":
                action.grant_granted_gr = granted
                changed.append("grant_granted_gr")
            if step == "done":
                action.participants = rng.randint(15, 180)
                changed.append("participants")
            if step == "reported":
                action.report = f"Przyszło {action.participants} osób; sąsiedzi chcą powtórki."
                changed.append("report")
            self.store.save(conn, action, changed)
        self.summary.actions += 1


def fill(
    store: Store,
    contacts: int = 1_000,
    visits: int = 4_000,
    seed: int = 7,
    *,
    zones: int | None = None,
    chunk: int = 2_000,
    now: datetime | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, Any]:
    """Fill ``store`` with sample zones, contacts, consents, visits, diagnoses and actions.

    Same ``seed`` (and ``now``) → same content (record ids and HLCs are always new). Every record
    goes through ``store.save``, one transaction per ``chunk`` records. Returns a summary dict.
    """
    started = time.perf_counter()
    gen = _Generator(store, seed, (now or datetime.now(UTC)).astimezone(UTC))
    zone_count = zones if zones is not None else min(len(ZONES), max(1, contacts // 40))
    if not 1 <= zone_count <= len(ZONES):
        raise ValueError(f"zones must be between 1 and {len(ZONES)}")
    zone_records = gen.zones(zone_count)
    zone_ids = [zone.id for zone in zone_records]
    doors = gen.doors(zone_count, contacts)
    people = gen.contacts(contacts, zone_ids, doors, chunk, progress)
    gen.visits(visits, zone_ids, doors, people, chunk, progress)
    gen.diagnoses_and_actions(zone_records, people)
    summary = gen.summary
    summary.seconds = round(time.perf_counter() - started, 2)
    result = summary.__dict__.copy()
    store.set_meta("sample.summary", json.dumps({"seed": seed, **result}, ensure_ascii=False))
    return result


def _records_written(summary: dict[str, Any]) -> int:
    keys = ("zones", "contacts", "consents", "visits", "diagnoses", "needs", "resources", "actions")
    return sum(int(summary[key]) for key in keys)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="teren-sample", description="Fill a Teren store with sample data.")
    parser.add_argument("db", nargs="?", type=Path, help="the SQLite file (default: the app's data folder)")
    parser.add_argument("--data-dir", type=Path, help=f"folder of the device's data ({DB_FILENAME} inside)")
    parser.add_argument("--contacts", type=int, default=1_000, help="number of contacts (default 1000)")
    parser.add_argument("--visits", type=int, default=4_000, help="number of visits (default 4000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--zones", type=int, default=None, help=f"number of zones, 1–{len(ZONES)}")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    args = parser.parse_args(argv)
    if args.db is not None and args.data_dir is not None:
        parser.error("give either a database file or --data-dir, not both")
    if args.contacts < 0 or args.visits < 0:
        parser.error("--contacts and --visits must not be negative")
    path = args.db or (args.data_dir / DB_FILENAME if args.data_dir else default_db_path())

    def progress(what: str, done: int) -> None:
        if not args.quiet:
            print(f"  {what}: {done}", file=sys.stderr, flush=True)

    store = Store(path)
    try:
        summary = fill(store, args.contacts, args.visits, args.seed, zones=args.zones, progress=progress)
    finally:
        store.close()
    rate = _records_written(summary) / max(summary["seconds"], 1e-9)
    if not args.quiet:
        print(
            f"{path}: {_records_written(summary)} records in {summary['seconds']} s ({rate:.0f}/s)",
            file=sys.stderr,
        )
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
