"""Every text the screens ask for exists in Polish and English."""

from __future__ import annotations

import re
from pathlib import Path

from fieldapp.i18n import LANGUAGES, catalogs
from fieldapp.model.enums import ACTION_TRANSITIONS, DOOR_OUTCOMES

UI = Path(__file__).resolve().parents[2] / "fieldapp" / "ui"
#: A quoted literal key passed to ``t(...)`` / ``self.t(...)`` / ``ctx.t(...)``.
KEY = re.compile(
    r"""\bt\(\s*["']((?:ui|visit|contact|consent|action|need|resource|zone|diagnosis)\.[a-z0-9_.]+)["']"""
)


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in UI.glob("*.py"):
        keys.update(KEY.findall(path.read_text(encoding="utf-8")))
    return keys


def test_literal_keys_of_the_screens_exist_in_every_language() -> None:
    keys = used_keys()
    assert len(keys) > 150  # the pattern really finds the keys
    for lang in LANGUAGES:
        missing = sorted(keys - catalogs()[lang].keys())
        assert not missing, f"missing in {lang}: {missing}"


def test_keys_built_from_vocabularies_exist() -> None:
    table = catalogs()["en"]
    for outcome in DOOR_OUTCOMES:
        assert f"visit.outcome.{outcome}" in table
    for status in ACTION_TRANSITIONS:
        assert f"action.status.{status}" in table
        assert f"ui.action.to.{status}" in table
    for name in ("pushed", "applied", "merged", "rejected", "pulled", "still_pending"):
        assert f"ui.sync.receipt.{name}" in table
    for name in ("phone", "email", "needs", "offers", "interests", "tags", "notes"):
        assert f"ui.contact.{name}" in table


def test_polish_is_the_default_and_english_is_complete() -> None:
    pl, en = catalogs()["pl"], catalogs()["en"]
    ui_pl = {k for k in pl if k.startswith("ui.")}
    ui_en = {k for k in en if k.startswith("ui.")}
    assert ui_pl == ui_en
    assert pl["ui.nav.today"] == "Dziś" and en["ui.nav.today"] == "Today"
