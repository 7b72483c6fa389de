"""The report's sections, in the order they are shown and exported (see ``fieldapp.reports.section``).

Add a section: write its module with a ``SECTION`` and name it in ``COMPARED`` (its headline
figures then join the comparison with the previous period too).
"""

from __future__ import annotations

from fieldapp.reports import (
    comparison,
    cooperation,
    diagnosis,
    participants,
    people,
    places,
    program,
    social_economy,
    summary,
    zones,
)
from fieldapp.reports.section import Section

#: The sections whose headline figures are compared with the previous period.
COMPARED: tuple[Section, ...] = (
    summary.SECTION,
    zones.SECTION,
    cooperation.SECTION,
    people.SECTION,
    diagnosis.SECTION,
    program.SECTION,  # the micro-grant cycle and its implementers (issue 20)
    places.SECTION,
    social_economy.SECTION,
    participants.SECTION,
)
SECTIONS: tuple[Section, ...] = (*COMPARED, comparison.section(COMPARED))
