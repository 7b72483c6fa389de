"""Every text the map and walk screens and the geo errors ask for exists in Polish and English."""

from __future__ import annotations

import re
from pathlib import Path

from fieldapp.geo.distance import COMPASS_POINTS
from fieldapp.geo.geocoding import TRANSIENT_ERRORS
from fieldapp.geo.gps import (
    GPS_DENIED,
    GPS_DENIED_FOREVER,
    GPS_ERROR,
    GPS_SERVICE_OFF,
    GPS_TIMEOUT,
    GPS_UNSUPPORTED,
)
from fieldapp.geo.positions import ATTENTION_STATES
from fieldapp.geo.walk import SKIP_DO_NOT_KNOCK, SKIP_VISITED_TODAY
from fieldapp.i18n import LANGUAGES, catalogs

ROOT = Path(__file__).resolve().parents[2]
UI_MODULES = ("map_panel", "walk_panel", "place_screen", "map_screen", "walk_screen", "place_settings")
SOURCES = [
    *(ROOT / "fieldapp" / "ui" / f"{name}.py" for name in UI_MODULES),
    *(ROOT / "fieldapp" / "geo").glob("*.py"),
    ROOT / "fieldapp" / "i18n" / "format.py",
]
LITERAL = re.compile(r"""\bt\(\s*["']((?:geo|error)\.[a-z0-9_.]+)["']""")
ERROR_CODE = re.compile(r"""["'](geo_[a-z_]+)["']""")


def test_all_geo_keys_exist_in_both_languages() -> None:
    keys: set[str] = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        keys |= set(LITERAL.findall(text))
        keys |= {f"error.{code}" for code in ERROR_CODE.findall(text)}
    keys |= {f"geo.dir.{point}" for point in COMPASS_POINTS}
    keys |= {f"geo.gps.{s}" for s in (GPS_DENIED, GPS_DENIED_FOREVER, GPS_ERROR, GPS_SERVICE_OFF,
                                      GPS_TIMEOUT, GPS_UNSUPPORTED)}
    keys |= {f"geo.walk.reason.{r}" for r in (SKIP_DO_NOT_KNOCK, SKIP_VISITED_TODAY)}
    keys |= {f"geo.pick.{state}" for state in ATTENTION_STATES}
    keys |= {f"geo.error.{code}" for code in (*TRANSIENT_ERRORS, "forbidden", "bad_query", "bad_response")}
    keys |= {f"geo.status.{s}" for s in ("pending", "ok", "failed", "manual")}
    assert len(keys) > 60
    for lang in LANGUAGES:
        missing = sorted(keys - catalogs()[lang].keys())
        assert not missing, f"missing in {lang}: {missing}"
