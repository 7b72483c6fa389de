"""Catalog areas: one module per area, each with ``PL`` and ``EN`` dicts."""
