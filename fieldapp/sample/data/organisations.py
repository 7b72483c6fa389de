"""Names of organisations by contact kind: patterns filled with a street, a word, a number, a
first name or the zone's name."""

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
