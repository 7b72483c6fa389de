"""Supervisors' reports: figures for a period and a set of zones, and their exports (no Flet here)."""

from fieldapp.reports.compute import Report, build_report

__all__ = ["Report", "build_report"]
