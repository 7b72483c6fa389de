"""The user's own backup: every live record of the device store as one JSON document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import select

from fieldapp.model import RECORD_TYPES, to_wire, utcnow
from fieldapp.store import Store
from fieldapp.store.private_files import private_folder, write_private

EXPORT_FORMAT = "teren-local-export"
EXPORT_VERSION = 1


def export_local_data(store: Store) -> dict[str, Any]:
    """All live (not deleted) records by type, with their ids and field values as JSON values."""
    records: dict[str, list[dict[str, Any]]] = {}
    with store.read() as session:
        for record_type, model in RECORD_TYPES.items():
            rows = session.exec(select(model).where(model.deleted == False)).all()  # noqa: E712
            records[record_type] = [
                {
                    "id": row.id,
                    "created_at": to_wire(row.created_at),
                    **{name: to_wire(value) for name, value in row.data().items()},
                }
                for row in rows
            ]
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": utcnow().isoformat(),
        "device_id": store.device_id,
        "schema_version": store.schema_version,
        "counts": {name: len(rows) for name, rows in records.items()},
        "records": records,
    }


def export_bytes(store: Store) -> tuple[str, bytes, dict[str, int]]:
    """A file name, the UTF-8 JSON of ``export_local_data`` and the record counts."""
    document = export_local_data(store)
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    data = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    return f"teren-export-{stamp}.json", data, document["counts"]


def write_export(store: Store, folder: Path) -> tuple[Path, dict[str, int]]:
    """Write the export into ``folder`` (created if needed) atomically; the path and counts."""
    name, data, counts = export_bytes(store)
    return write_atomic(folder, name, data), counts


def write_atomic(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as ``folder/name`` for this user alone, so that a reader never sees half a
    file (it holds residents' personal data)."""
    return write_private(private_folder(folder) / name, data)
