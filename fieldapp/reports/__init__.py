"""Supervisors' reports: figures for a period and a set of zones, in sections, and their exports
(no Flet here). ``fieldapp.reports.section`` says what a section is; ``sections.SECTIONS`` lists them."""

from fieldapp.reports.report import Part, Report, build_report

__all__ = ["Part", "Report", "build_report"]
