"""How the app writes addresses, money, dates and distances for the person reading them.

Every screen (and every text meant for a person: messages, the printable report) writes these
through this module, so the same thing reads the same everywhere. The choices and their reasons:

Addresses (``format_address``, ``address_of``)
    "Piotrkowska 12/3": street, house number, then the flat after a slash — how Polish addresses
    are written, in both languages (an address is written as the place has it). A flat with
    neither street nor house number locates nothing and is left out. A record's stored
    ``address`` line wins over its parts: it is what was typed or geocoded (and may say more).
Money (``format_money``, ``format_number``, ``parse_money``, ``Money``)
    Kept in grosze, always shown with two decimals. Polish "1 500,00 zł": groups of three digits
    split by a no-break space (U+00A0, the Polish group separator; four-digit amounts are grouped
    too, so the micro-grants of 1 500–5 000 zł line up with larger sums), a decimal comma and a
    no-break space before "zł". English "PLN 1,500.00": the ISO code first, as English texts
    write a foreign currency. ``format_number`` is the figure alone (a table cell under a "(zł)"
    header, an amount field whose suffix says the currency); ``parse_money`` reads a typed amount
    back. A message parameter ``Money(grosze)`` is written in the language of the message.
Dates (``format_date``)
    Polish "05.03.2025" (dd.mm.rrrr); English "2025-03-05" (ISO 8601: no day/month order to guess
    between British and American readers). A date-time is shown in the device's local time, to
    the minute: "05.03.2025 14:30" / "2025-03-05 14:30".
Distances (``format_distance``, ``format_distance_direction``)
    Under 20 m to the metre ("8 m"); under 1 km to 5 m ("125 m": a phone's GPS is not finer);
    then kilometres with one decimal ("1,2 km" / "1.2 km"). A no-break space joins the number and
    its unit, so a line never breaks between them.

Hand-written rather than through Babel: two languages and these few patterns do not justify
shipping CLDR's data for every locale in the phone app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fieldapp.i18n import DEFAULT_LANGUAGE, t

#: No-break space: between digit groups, and between a number and its unit or currency.
NBSP = "\u00a0"
#: The currency as each language writes it next to an amount (also a field's suffix).
CURRENCY: dict[str, str] = {"pl": "zł", "en": "PLN"}

_DATE = {"pl": "%d.%m.%Y", "en": "%Y-%m-%d"}
_DATE_TIME = {"pl": "%d.%m.%Y %H:%M", "en": "%Y-%m-%d %H:%M"}


# -- addresses ----------------------------------------------------------------------------------


def format_address(street: str | None, house_number: str | None, flat: str | None = "") -> str:
    """ "Piotrkowska 12/3" from its parts; "" when there is neither street nor house number."""
    place = " ".join(part.strip() for part in (street or "", house_number or "") if part and part.strip())
    flat = (flat or "").strip()
    return f"{place}/{flat}" if place and flat else place


def address_of(record: Any) -> str:
    """The address line of a contact, visit or door: its stored ``address``, else built from parts."""
    return getattr(record, "address", "") or format_address(
        getattr(record, "street", ""), getattr(record, "house_number", ""), getattr(record, "flat", "")
    )


# -- money --------------------------------------------------------------------------------------


def format_number(value: Decimal | int | float, lang: str, places: int = 2) -> str:
    """A figure with grouped thousands: "7 500,50" (no-break space) / "7,500.50"."""
    text = f"{value:,.{places}f}"
    if lang == "en":
        return text
    return text.replace(",", NBSP).replace(".", ",")


def format_money(grosze: int | None, lang: str) -> str:
    """ "1 500,00 zł" / "PLN 1,500.00" from grosze; "" for None."""
    if grosze is None:
        return ""
    figure = format_number(Decimal(grosze).scaleb(-2), lang)
    if lang == "en":
        return f"{CURRENCY['en']}{NBSP}{figure}"
    return f"{figure}{NBSP}{CURRENCY['pl']}"


def format_money_figure(grosze: int | None, lang: str) -> str:
    """The amount without the currency ("2 500,00"), for a field whose suffix shows it; "" for None."""
    return "" if grosze is None else format_number(Decimal(grosze).scaleb(-2), lang)


def parse_money(text: str, lang: str) -> int | None:
    """A typed amount in grosze ("2 500", "2500,50", "PLN 1,500.00"); None when blank.

    Polish: a comma is the decimal sign (a dot too, when there is no comma) and spaces group
    digits. English: commas group digits. Raises ValueError when the text is not an amount.
    """
    cleaned = "".join(text.split()).replace(CURRENCY["pl"], "").replace(CURRENCY["en"], "")
    if not cleaned:
        return None
    if lang == "en":
        cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except ArithmeticError:
        raise ValueError(text) from None
    if not amount.is_finite():
        raise ValueError(text)
    return int((amount * 100).to_integral_value())


@dataclass(frozen=True)
class Money:
    """An amount in a message's parameters, written in the reader's language when shown.

    Services do not know who reads their messages; ``fieldapp.i18n.t`` calls ``localized``.
    """

    grosze: int

    def localized(self, lang: str) -> str:
        return format_money(self.grosze, lang)

    def __str__(self) -> str:
        return self.localized(DEFAULT_LANGUAGE)


# -- dates --------------------------------------------------------------------------------------


def format_date(value: date | datetime | None, lang: str) -> str:
    """ "05.03.2025" / "2025-03-05"; a date-time in local time to the minute; "" for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone().strftime(_DATE_TIME.get(lang, _DATE_TIME[DEFAULT_LANGUAGE]))
    return value.strftime(_DATE.get(lang, _DATE[DEFAULT_LANGUAGE]))


# -- distances ----------------------------------------------------------------------------------


def format_distance(meters: float | None, lang: str) -> str:
    """ "8 m", "125 m", "1,2 km" / "1.2 km"; "—" when unknown."""
    if meters is None:
        return "—"
    if meters < 1_000:
        shown = round(meters / 5) * 5 if meters >= 20 else round(meters)
        return f"{shown:.0f}{NBSP}m"
    return f"{format_number(meters / 1000, lang, 1)}{NBSP}km"


def format_distance_direction(meters: float | None, direction: str | None, lang: str) -> str:
    """ "955 m na południe" / "955 m south"; "tutaj" within 5 m; "" when the distance is unknown.

    ``direction`` is a compass point (``fieldapp.geo.distance.COMPASS_POINTS``) or None.
    """
    if meters is None:
        return ""
    if meters < 5:
        return t("geo.here", lang)
    if direction is None:
        return format_distance(meters, lang)
    return t(
        "geo.distance_direction",
        lang,
        distance=format_distance(meters, lang),
        direction=t(f"geo.dir.{direction}", lang),
    )
