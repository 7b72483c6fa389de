"""What a zone's diagnosis and its neighbourhood actions are made of."""

#: Categories of the needs a diagnosis names.
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
#: Actions' titles and kinds.
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
