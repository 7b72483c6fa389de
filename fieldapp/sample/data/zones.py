"""Sample zones: Neighbourhood Activity Zones (SAS) around library branches of Łódź, and streets.

Each zone is a circle around a real Łódź neighbourhood, with streets that run through it; house
numbers are drawn at random.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Streets of the UI tests' fast path (``tests/e2e/sample.py``): keep this list stable.
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
