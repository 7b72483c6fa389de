"""Exports treat what animators typed as data: a name that looks like a formula stays text, a
control character stored by an older service does not crash an export, numbers stay numbers."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date

import openpyxl
import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from fieldapp.model import Diagnosis, Need, Zone
from fieldapp.reports import Report, build_report
from fieldapp.reports.diagnosis import Diagnoses, NeedRank
from fieldapp.reports.export import FORMULA_START, clean_text, csv_text, render, to_csv, to_html, to_xlsx
from fieldapp.reports.sections import SECTIONS
from fieldapp.reports.summary import Summary
from fieldapp.reports.zones import ZoneFigures, Zones
from fieldapp.services import diagnoses, zones
from fieldapp.store import Store
from tests.sync.conftest import World

ZONE_FORMULA = '=HYPERLINK("http://x","y")'
NEED_FORMULA = "+cmd|' /C calc'!A0"
DAY = date(2026, 3, 10)


def whole_year(store: Store) -> Report:
    return build_report(store, start=date(2026, 1, 1), end=date(2026, 12, 31), zone_ids=None)


def xlsx_cells(data: bytes) -> list[openpyxl.cell.cell.Cell]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


def csv_fields(data: bytes) -> list[str]:
    return [
        field for row in csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";") for field in row
    ]


def test_formula_names_synced_to_a_supervisor_export_as_text(world: World) -> None:
    animator, supervisor = world.device(), world.device(role="supervisor")
    zone = zones.create_zone(animator.store, {"name": ZONE_FORMULA, "kind": "sas"})
    diagnosis = diagnoses.create_diagnosis(
        animator.store, {"zone_id": zone.id, "title": "Diagnoza", "period_start": DAY.isoformat()}
    )
    diagnoses.add_need(animator.store, diagnosis.id, {"category": NEED_FORMULA, "people_count": 4})
    animator.engine.sync()
    supervisor.engine.sync()

    report = whole_year(supervisor.store)
    assert [c.name for c in report["zones"].zones] == [ZONE_FORMULA]
    assert [n.category for n in report["diagnosis"].needs] == [NEED_FORMULA]
    xlsx = render(report, "xlsx").data
    cells = xlsx_cells(xlsx)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    for name in (ZONE_FORMULA, NEED_FORMULA):
        named = [c for c in cells if c.value == name]
        assert named and all(c.data_type == "s" for c in named)
    with zipfile.ZipFile(io.BytesIO(xlsx)) as package:  # nothing Excel would evaluate either
        sheets = [package.read(n).decode() for n in package.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not [xml for xml in sheets if "<f>" in xml or "<f " in xml]

    fields = csv_fields(render(report, "csv").data)
    assert "'" + ZONE_FORMULA in fields and "'" + NEED_FORMULA in fields
    assert not [f for f in fields if f.startswith(FORMULA_START)]


def test_control_characters_stored_by_an_older_service_do_not_break_exports(store: Store) -> None:
    # Written straight into the store, as a pull from a service that did not refuse them would.
    zone = Zone(name="Bałuty\x0b\x1b[31m Północ", kind="sas")
    diagnosis = Diagnosis(zone_id=zone.id, title="Diagnoza", period_start=DAY)
    need = Need(diagnosis_id=diagnosis.id, category="Ławki\x00\x08", people_count=2)
    with store.write() as conn:
        for record in (zone, diagnosis, need):
            store.save(conn, record)
    report = whole_year(store)

    cells = xlsx_cells(render(report, "xlsx").data)
    values = [c.value for c in cells if isinstance(c.value, str)]
    assert "Bałuty[31m Północ" in values and "Ławki" in values
    assert not [v for v in values if ILLEGAL_CHARACTERS_RE.search(v)]
    fields = csv_fields(render(report, "csv").data)
    assert "Bałuty[31m Północ" in fields and "Ławki" in fields
    page = to_html(report)
    assert "Bałuty[31m Północ" in page and not ILLEGAL_CHARACTERS_RE.search(page)


def test_numbers_stay_numbers_and_every_formula_start_is_neutralised() -> None:
    figures = {
        "zones": Zones([ZoneFigures("z", "-5", 4, 1, 2), ZoneFigures("y", "@SUM(A1)", 1, 1, 1)]),
        "diagnosis": Diagnoses(
            needs=[NeedRank("\tTab", 1, 1, 1), NeedRank("\rCR", 1, 1, 1), NeedRank("#N/A", 1, 1, 1)]
        ),
        # A correction can make a sum negative: still a number.
        "summary": Summary(grant_requested_gr=-1050),
    }
    sections = tuple(s for s in SECTIONS if s.key in figures)
    report = Report(start=DAY, end=DAY, zone_ids=None, zone_names=[], sections=sections, figures=figures)
    fields = csv_fields(to_csv(report))
    assert {"'-5", "'@SUM(A1)", "'\tTab", "'\rCR", "-10,50"} <= set(fields)
    cells = xlsx_cells(to_xlsx(report))
    assert {c.value: c.data_type for c in cells if c.value in ("-5", "@SUM(A1)", "#N/A")} == {
        "-5": "s",
        "@SUM(A1)": "s",
        "#N/A": "s",
    }
    [negative] = [c for c in cells if c.value == -10.5]
    assert negative.data_type == "n"


@pytest.mark.parametrize("code", range(0x20))
def test_the_characters_dropped_are_those_openpyxl_refuses(code: int) -> None:
    text = f"a{chr(code)}b"
    assert (clean_text(text) == "ab") == bool(ILLEGAL_CHARACTERS_RE.search(text))
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", csv_text(text))
