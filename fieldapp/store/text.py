"""Text folding for diacritics-insensitive search ("lodz" finds "Łódź")."""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter plus a combining mark.
_SPECIAL = str.maketrans({"ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ß": "ss", "æ": "ae"})
_TOKEN = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case ASCII-ish form of a text: Polish (and most Latin) diacritics removed."""
    if text.isascii():
        return text.lower()
    text = text.translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def tokens(text: str) -> list[str]:
    """The folded word tokens of a text, as the search index sees them."""
    return _TOKEN.findall(fold(text))
