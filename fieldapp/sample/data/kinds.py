"""Kinds of contacts and outcomes of visits, with how often the sample draws each."""

#: Contacts kinds of the UI tests' fast path (``tests/e2e/sample.py``): keep this list stable.
KINDS = ["resident"] * 8 + ["leader", "ngo", "informal_group", "culture", "business"]

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
#: Kinds that are natural persons (their contacts carry a consent).
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
