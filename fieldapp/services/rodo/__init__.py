"""RODO / GDPR tools on the device: export of a person's data, erasure, retention, audit log.

No Flet here: the UI calls these functions; the sync service carries erasures to other devices.
"""

from fieldapp.services.rodo.audit import AuditEntry, entries, record
from fieldapp.services.rodo.erasure import ErasureResult, erase_person, purge_deleted_content, settle_erasures
from fieldapp.services.rodo.export import export_person, export_person_json
from fieldapp.services.rodo.retention import apply_retention, retention_candidates

__all__ = [
    "AuditEntry",
    "ErasureResult",
    "apply_retention",
    "entries",
    "erase_person",
    "export_person",
    "export_person_json",
    "purge_deleted_content",
    "record",
    "retention_candidates",
    "settle_erasures",
]
