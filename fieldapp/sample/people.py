"""Invented people: Polish names from Faker's pl_PL locale, fictitious phones and e-mails.

First names and surnames are drawn once into pools per sex, Faker seeded with the sample's seed,
and then picked with the sample's own random source: the same seed gives the same names, and a
pick from a list costs a fraction of a Faker call (~2 µs a first name). Not Faker's ``name()``:
~20 µs, and in pl_PL it adds "pan"/"pani" now and then and its ``name_female()`` returns men too.
Phones stay in one block (500 000 xxx) and e-mails at example.pl: Faker's would be numbers of live
mobile ranges and real mail domains, and sample data must reach no one.
"""

from __future__ import annotations

import random

from fieldapp.store.text import tokens

#: Names drawn into each pool, per sex: 200 first names × 1,000 surnames is variety enough for the
#: 50,000 contacts of the benchmarks.
FIRST_NAMES = 200
SURNAMES = 1_000
#: The share of women among the people.
WOMEN = 0.55


class People:
    """Names, phones and e-mails of invented people, drawn with ``rng`` from pools made for ``seed``."""

    def __init__(self, seed: int, rng: random.Random) -> None:
        from faker import Faker  # the demo extra's: the data lists import without it

        faker = Faker("pl_PL")
        faker.seed_instance(seed)
        self.rng = rng
        self.women = (
            [faker.first_name_female() for _ in range(FIRST_NAMES)],
            [faker.last_name_female() for _ in range(SURNAMES)],
        )
        self.men = (
            [faker.first_name_male() for _ in range(FIRST_NAMES)],
            [faker.last_name_male() for _ in range(SURNAMES)],
        )
        self.first_names = self.women[0] + self.men[0]

    def name(self) -> str:
        """A first name and a surname, of a woman or of a man (Polish surnames have both forms)."""
        first_names, surnames = self.women if self.rng.random() < WOMEN else self.men
        return f"{self.rng.choice(first_names)} {self.rng.choice(surnames)}"

    def first_name(self) -> str:
        return self.rng.choice(self.first_names)

    def phone(self) -> str:
        return f"500 000 {self.rng.randint(0, 999):03d}"

    def email(self, name: str) -> str:
        """``first.second<n>@example.pl`` from the first two words of ``name``, folded to ASCII."""
        return ".".join(tokens(name)[:2]) + f"{self.rng.randint(1, 99)}@example.pl"
