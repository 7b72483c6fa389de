"""Every text the network screens and services use exists in Polish and in English."""

from __future__ import annotations

import re
from pathlib import Path

from fieldapp.cooperation import LINK_KINDS, Rung
from fieldapp.i18n import LANGUAGES, catalogs
from fieldapp.model.cooperation import (
    AttendanceRole,
    Contribution,
    GroupBond,
    GroupStatus,
    MeetingKind,
    MemberRole,
    PartnershipPhase,
    Sector,
)

ROOT = Path(__file__).resolve().parents[2] / "fieldapp"
SOURCES = [*(ROOT / "ui" / "cooperation").glob("*.py"), *(ROOT / "services" / "cooperation").glob("*.py")]
#: A literal key passed to t(...) / self.t(...) / ctx.t(...), or to field_error(name, "key").
KEY = re.compile(r"""(?:\bt\(\s*|field_error\([^,()]+,\s*)["']([a-z_]+\.[a-z0-9_.]+)["']""")
#: An error code a service raises (its text is error.<code>).
CODE = re.compile(r"""["'](network\.[a-z_]+)["']""")


def _used() -> set[str]:
    keys: set[str] = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        if "services" in path.parts:
            keys.update(f"error.{code}" for code in CODE.findall(text))
        else:
            keys.update(KEY.findall(text))
    return keys


def _built() -> set[str]:
    keys = set()
    for prefix, vocabulary in [
        ("network.group.bond", GroupBond),
        ("network.group.status", GroupStatus),
        ("network.member.role", MemberRole),
        ("network.partnership.phase", PartnershipPhase),
        ("network.sector", Sector),
        ("network.brings", Contribution),
        ("network.meeting.kind", MeetingKind),
        ("network.attendance.role", AttendanceRole),
    ]:
        keys.update(f"{prefix}.{item.value}" for item in vocabulary)
    keys.update(f"network.ladder.rung.{rung.code}" for rung in Rung)
    keys.update(f"network.link.{kind}" for kind in LINK_KINDS)
    keys.update(f"network.ui.node.{kind}" for kind in ("person", "organisation", "group"))
    keys.update(f"network.ui.make_{role}" for role in ("leader", "member", "organiser", "participant"))
    keys.update(f"network.reason.{source}" for source in ("interests", "offers", "needs", "street"))
    return keys


def test_every_text_exists_in_every_language() -> None:
    keys = _used() | _built()
    assert len(keys) > 150
    for lang in LANGUAGES:
        missing = sorted(keys - catalogs()[lang].keys())
        assert not missing, f"missing in {lang}: {missing}"


def test_network_texts_are_complete_and_translated() -> None:
    pl, en = catalogs()["pl"], catalogs()["en"]
    mine_pl = {k for k in pl if k.startswith(("network.", "error.network."))}
    mine_en = {k for k in en if k.startswith(("network.", "error.network."))}
    assert mine_pl == mine_en
    same = [k for k in mine_pl if pl[k] == en[k] and pl[k] not in {"Forum", "Biznes"}]
    assert len(same) <= 3, same
