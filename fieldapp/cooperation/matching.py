"""Word matching for member suggestions: diacritics-insensitive, tolerant of Polish endings.

Polish inflects nouns ("ogród", "ogrodu", "ogrodnictwo"; "senior", "seniorzy", "seniorów"), so two
words match when they share a beginning long enough to be the same stem: the first 4 letters when
the shorter word has at most 6 letters, else the first 5. Words shorter than 4 letters must be equal.
"""

from __future__ import annotations

from fieldapp.store.text import tokens

#: Folded words that carry no theme: conjunctions, prepositions, block words, need framing.
STOP_WORDS: frozenset[str] = frozenset(
    {"and", "are", "for", "the", "with", "ale", "bez", "czy", "dla", "jak", "jest", "lub", "nad", "oraz"}
    | {"pod", "przy", "przez", "sie", "tak", "tym", "ich", "ten", "blok", "klatka", "osiedle"}
    # words that frame a need rather than name it ("brak placu zabaw", "potrzeba więcej ławek")
    | {"brak", "braku", "potrzeba", "potrzebny", "potrzebne", "wiecej", "malo", "nowy", "nowe", "nowa"}
)


def terms(text: str) -> list[str]:
    """The distinct folded words of ``text`` worth matching (3+ letters, no stop words, no numbers)."""
    found = []
    for word in tokens(text):
        if len(word) >= 3 and not word.isdigit() and word not in STOP_WORDS and word not in found:
            found.append(word)
    return found


def words_match(a: str, b: str) -> bool:
    """Whether two folded words look like forms of the same word."""
    if a == b:
        return True
    shorter = min(len(a), len(b))
    if shorter < 4:
        return False
    need = 4 if shorter <= 6 else 5
    return a[:need] == b[:need]


def matched_terms(wanted: list[str], text: str) -> list[str]:
    """The wanted terms that some word of ``text`` matches, in ``wanted`` order."""
    words = set(tokens(text))
    return [term for term in wanted if any(words_match(term, word) for word in words)]
