"""Every ``report.*`` text the reports code asks for exists in Polish and English."""

from __future__ import annotations

import re
from pathlib import Path

from fieldapp.i18n import LANGUAGES, catalogs
from tests.reports.test_export import report  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "fieldapp" / "ui" / "reports.py", *(ROOT / "fieldapp" / "reports").rglob("*.py")]
LITERAL = re.compile(r"""["'](report\.[a-z_.]+[a-z_])["']""")


def test_literal_report_keys_exist_in_every_language() -> None:
    keys = {key for path in SOURCES for key in LITERAL.findall(path.read_text(encoding="utf-8"))}
    assert len(keys) > 20
    for lang in LANGUAGES:
        table = catalogs()[lang]
        prefixes = {
            key for key in keys if any(k.startswith(key + ".") for k in table)
        }  # label("report.kind", …)
        missing = sorted(keys - prefixes - table.keys())
        assert not missing, f"missing in {lang}: {missing}"


def test_built_keys_exist(report) -> None:  # noqa: F811
    for lang in LANGUAGES:
        for part in report.parts(lang):
            assert f"report.sheet.{part.key}" in catalogs()[lang]
            assert len(catalogs()[lang][f"report.sheet.{part.key}"]) <= 31
            assert not part.title.startswith("report.")
            for table in part.tables:
                assert not any(h.startswith("report.") for h in table.headers)
                assert not table.title.startswith("report.") and not table.note.startswith("report.")
                texts = [str(cell) for row in table.rows for cell in row]
                assert not [t for t in texts if t.startswith(("report.", "visit.", "contact.", "network."))]
            for chart in part.charts:
                assert not chart.title.startswith("report.")
                assert not [t for t in chart.labels if t.startswith(("report.", "network."))]
