"""Polish street addresses as a geocoder should be asked about them.

Field workers type "ul. Piotrkowska 72 m. 4", "al. Kościuszki 10/5, Łódź" or "6 Sierpnia 5";
geocoders know buildings, not flats, and trip over abbreviations. ``AddressQuery`` holds the parts
that matter (street, house number, city) and the text sent to the geocoder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fieldapp.store.text import fold

_PREFIXES = {
    "ul": "", "ulica": "", "al": "aleja", "aleja": "aleja", "pl": "plac", "plac": "plac",
    "os": "osiedle", "osiedle": "osiedle", "rondo": "rondo",
}
_PREFIX = re.compile(r"^\s*(?P<word>[^\W\d_]+)\.?\s+", re.UNICODE)
_POSTCODE = re.compile(r"\b\d{2}-\d{3}\b")
# "<street> <house>[letter][ /|m.|lok. <flat>]" — the house number is the last number-led token.
_STREET_HOUSE = re.compile(
    r"^(?P<street>.*?\S)\s+(?P<house>\d+\s?[A-Za-z]?)"
    r"(?:\s*(?:/|\bm\.?|\bmieszk\.?|\blok\.?|\blokal)\s*(?P<flat>[\w-]+))?\s*$",
    re.UNICODE | re.IGNORECASE,
)


@dataclass(frozen=True)
class AddressQuery:
    """The parts of an address a geocoder uses (no flat: geocoders know buildings)."""

    street: str
    house_number: str = ""
    city: str = ""
    postcode: str = ""

    @classmethod
    def parse(cls, text: str, default_city: str = "") -> AddressQuery | None:
        """Read a typed address ("ul. Piotrkowska 72/4, 90-102 Łódź"); None when it is blank."""
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if not parts:
            return None
        first, rest = parts[0], parts[1:]
        postcode = ""
        city = ""
        for part in rest:
            found = _POSTCODE.search(part)
            if found:
                postcode = found.group(0)
                part = (part[: found.start()] + part[found.end():]).strip()
            if part and not city:
                city = part
        match = _STREET_HOUSE.match(first)
        street, house = (first, "")
        if match:
            street, house = match.group("street"), match.group("house").replace(" ", "")
        return cls(_expand_prefix(street), house, city or default_city, postcode)

    @classmethod
    def of_record(cls, record: object, default_city: str = "") -> AddressQuery | None:
        """The query for a contact or visit: its street/house_number fields, else its address line."""
        street = (getattr(record, "street", "") or "").strip()
        house = (getattr(record, "house_number", "") or "").strip()
        city = (getattr(record, "city", "") or "").strip() or default_city
        if street:
            return cls(_expand_prefix(street), house, city)
        address = (getattr(record, "address", "") or "").strip()
        return cls.parse(address, city) if address else None

    def text(self) -> str:
        """The free-form query: "Piotrkowska 72, 90-102 Łódź"."""
        line = f"{self.street} {self.house_number}".strip()
        place = f"{self.postcode} {self.city}".strip()
        return ", ".join(part for part in (line, place) if part)

    def key(self) -> str:
        """A normalised form for caching and for noticing that an address changed."""
        return " ".join(fold(self.text()).replace(",", " ").split())


def flat_in(line: str) -> str:
    """The flat number written in an address line ("Piotrkowska 72/4" → "4"), or ""."""
    match = _STREET_HOUSE.match(line.split(",")[0].strip())
    return (match.group("flat") or "") if match else ""


def same_house_number(a: str | None, b: str | None) -> bool:
    """Whether two house numbers denote the same building ("12A" = "12 a"; "12" ≠ "12a")."""
    return bool(a) and bool(b) and _house_key(a) == _house_key(b)


def _house_key(value: str | None) -> str:
    return re.sub(r"\s+", "", (value or "").lower())


def _expand_prefix(street: str) -> str:
    match = _PREFIX.match(street)
    if match and match.group("word").lower() in _PREFIXES:
        expansion = _PREFIXES[match.group("word").lower()]
        street = f"{expansion} {street[match.end():]}".strip()
    return " ".join(street.split())
